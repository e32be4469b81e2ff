/* The kill-switch from the control side: one per process, created at start from its state
 * file (a restart comes back halted), persisted off the hot path by the main thread every
 * time its change counter moved, and its audit log drained into a bounded list the report
 * prints (the slow-path logger will be its consumer later; until then this keeps the log
 * from filling and dropping records).
 *
 * State file: [killswitch] state_file; `run` without one uses /var/lib/tickpipe (systemd's
 * StateDirectory); replay without one keeps the kill-switch in memory only, so a backtest
 * never leaves a halt behind for the next one. */
#ifndef TP_DP_KS_CTL_H
#define TP_DP_KS_CTL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "dp_limits.h"
#include "tp_killswitch.h"

struct tp_log_prod;

#define TP_KSCTL_AUDIT_KEEP 256u

struct tp_ks_ctl {
	struct tp_killswitch *ks;
	char path[TP_DP_PATH_LEN];          /* "" = not persisted */
	int corrupt;                        /* the state file could not be trusted: halted */
	char load_err[320];
	struct tp_ks_status at_start;       /* what the state file restored */
	uint64_t persists, persist_errors;
	char persist_err[320];              /* the last failure, "" after a success */
	struct tp_ks_audit_rec audit[TP_KSCTL_AUDIT_KEEP]; /* the first records of the run */
	unsigned n_audit;
	uint64_t audit_total;
	/* Held around every persist: the control thread (dataplane/ctl) persists too, after
	 * a kill and inside a resume, and the state file has one writer at a time. */
	pthread_mutex_t lock;
	/* The durable log (NULL: none): a halt record per kill-switch change, written by the
	 * main thread as it drains the audit. */
	struct tp_log_prod *log;
};

/* path NULL or "": in memory. 0, or -1 (out of memory) with err. A corrupt state file is not
 * an error here: the kill-switch comes up halted globally and load_err says why. */
int tp_ks_ctl_open(struct tp_ks_ctl *k, const char *path, char *err, size_t errlen);
/* The main thread's periodic duty: persist if changed, drain the audit. Returns -1 on a
 * persist failure that has not been reported yet (persist_err says why), else 0. */
int tp_ks_ctl_tick(struct tp_ks_ctl *k);
void tp_ks_ctl_close(struct tp_ks_ctl *k);

#endif
