/* The EAL command line tickpipe hands to rte_eal_init(): the user's arguments (and the
 * config's [eal] args) first, then a default for every concern they leave open, so both
 * `tickpipe replay --pcap F` and a fully specified NIC server start work.
 *
 * Defaults, each skipped when the user already said something about it:
 *   --in-memory            parallel runs share no /var/run files (--no-shconf with
 *                          --no-huge, which EAL 22.11 does not combine with --in-memory)
 *   --lcores=...           main lcore on the first allowed CPU, RX lcores next, the
 *                          consumer on the last CPU (sched_getaffinity decides the set)
 *   --no-huge -m 256       unless hugepages are mounted and at least 256 MiB are free
 *   --no-pci / -a ADDR     replay touches no PCI device; run allows just its config's
 *   --no-telemetry         no socket to collide on
 *   --log-level=warning    and lib.eal:error (-v: info, -vv: debug)
 *   --vdev=...             one per --pcap, and the config's vdev ports: always added */
#ifndef TP_DP_EAL_ARGS_H
#define TP_DP_EAL_ARGS_H

#include <stddef.h>

#include "dp_limits.h"

#define TP_EAL_MAX_ARGS 256

struct tp_eal_plan {
	unsigned rx_wanted;                      /* replay: RX lcores that would help */
	unsigned rx_ids[TP_DP_MAX_RX];           /* run: the config's RX lcore ids */
	unsigned n_rx_ids;
	char *vdevs[TP_DP_MAX_PORTS + 1];        /* devargs strings, owned by the caller (+1:
	                                            the order gateway's own port) */
	unsigned n_vdevs;
	const char *pci[TP_DP_MAX_PORTS + 1];    /* run: PCI addresses to allow */
	unsigned n_pci;
	int is_run;
	int verbose;
};

struct tp_eal_argv {
	int argc;
	char *argv[TP_EAL_MAX_ARGS + 1];
	char *owned[TP_EAL_MAX_ARGS];            /* strings built here, freed by _free */
	unsigned n_owned;
	int lcores_defaulted;                    /* tickpipe chose the lcore layout */
};

int tp_eal_args_build(const struct tp_eal_plan *plan, int uargc, char **uargv,
		      const char *cfg_args, struct tp_eal_argv *out, char *err, size_t errlen);
/* Writes the EAL command line on one line (for -v). */
void tp_eal_args_print(const struct tp_eal_argv *a, void *stream);
void tp_eal_args_free(struct tp_eal_argv *a);

/* CPUs this process may run on, ascending; returns how many (at most max). */
unsigned tp_eal_allowed_cpus(unsigned *cpus, unsigned max);
/* 1 when hugepages are mounted (hugetlbfs) and at least 256 MiB of them are free. */
int tp_eal_hugepages_usable(void);

#endif
