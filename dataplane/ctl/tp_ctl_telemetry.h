/* tickpipe's read-only commands as DPDK telemetry commands, so dpdk-telemetry.py (and
 * anything that speaks the telemetry socket) can read them:
 *   /tickpipe/status            the control socket's `status`
 *   /tickpipe/stats             `stats`
 *   /tickpipe/book,SYMBOL[,N]   `book SYMBOL [N]`
 * Each asks the control thread over the control socket, like any client: the answer is the
 * same, the provider is only ever called on the control thread, and the audit trail shows
 * who read it. Nothing here can halt or resume.
 *
 * rte_telemetry has no nesting beyond one level of containers and no booleans, so a reply
 * {"killswitch":{"global":{"halted":true,...},...},...} comes out as
 * {"killswitch":{"global/halted":1,...},...}: every top-level member that is an object or an
 * array becomes a dictionary whose keys are the paths below it joined by '/' (array elements
 * by index), booleans become 1/0, null becomes "null". A dictionary holds at most
 * RTE_TEL_MAX_DICT_ENTRIES entries; what does not fit is left out and counted in the
 * top-level "truncated". Needs rte_telemetry (EAL started). */
#ifndef TP_CTL_TELEMETRY_H
#define TP_CTL_TELEMETRY_H

#ifdef __cplusplus
extern "C" {
#endif

/* Registers the three commands; socket_path is the control socket (copied). Call once after
 * rte_eal_init. 0, or -1 when a command could not be registered. */
int tp_ctl_telemetry_register(const char *socket_path);

#ifdef __cplusplus
}
#endif

#endif /* TP_CTL_TELEMETRY_H */
