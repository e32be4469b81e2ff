#include "eal_args.h"

#define TP_EAL_HUGE_MARGIN (256ull << 20)

#include <dirent.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned tp_eal_allowed_cpus(unsigned *cpus, unsigned max)
{
	cpu_set_t set;
	unsigned n = 0;
	if (sched_getaffinity(0, sizeof(set), &set) != 0) {
		cpus[0] = 0;
		return 1;
	}
	for (unsigned c = 0; c < CPU_SETSIZE && n < max; c++)
		if (CPU_ISSET(c, &set))
			cpus[n++] = c;
	if (n == 0)
		cpus[n++] = 0;
	return n;
}

int tp_eal_hugepages_usable(void)
{
	int mounted = 0;
	FILE *f = fopen("/proc/mounts", "r");
	if (f) {
		char line[1024];
		while (fgets(line, sizeof(line), f))
			if (strstr(line, " hugetlbfs "))
				mounted = 1;
		fclose(f);
	}
	if (!mounted)
		return 0;
	/* Free pages of any size count: EAL uses whichever size the mount offers. Other
	 * programs (and parallel test runs) draw on the same pool, so ask for a margin well
	 * beyond what one tickpipe takes (a mempool per port, a few MiB each). */
	unsigned long long free_bytes = 0;
	DIR *d = opendir("/sys/kernel/mm/hugepages");
	if (d) {
		struct dirent *e;
		while ((e = readdir(d)) != NULL) {
			if (strncmp(e->d_name, "hugepages-", 10) != 0)
				continue;
			char path[512];
			snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/%s/free_hugepages",
				 e->d_name);
			unsigned long kb = strtoul(e->d_name + 10, NULL, 10);
			FILE *g = fopen(path, "r");
			unsigned long v = 0;
			if (g) {
				if (fscanf(g, "%lu", &v) == 1)
					free_bytes += (unsigned long long)v * kb * 1024u;
				fclose(g);
			}
		}
		closedir(d);
	}
	return free_bytes >= TP_EAL_HUGE_MARGIN;
}

/* True when some argument is the short option `opt` ("-l", "-l0-3") or the long one
 * ("--lcores", "--lcores=..."). */
static int has_opt(int argc, char **argv, char shortopt, const char *longopt)
{
	size_t ll = longopt ? strlen(longopt) : 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (shortopt && a[0] == '-' && a[1] == shortopt)
			return 1;
		if (longopt && strncmp(a, longopt, ll) == 0 && (a[ll] == '\0' || a[ll] == '='))
			return 1;
	}
	return 0;
}

static int push(struct tp_eal_argv *a, const char *s, int own)
{
	if (a->argc >= TP_EAL_MAX_ARGS)
		return -1;
	char *c = own ? strdup(s) : (char *)s;
	if (!c)
		return -1;
	if (own)
		a->owned[a->n_owned++] = c;
	a->argv[a->argc++] = c;
	a->argv[a->argc] = NULL;
	return 0;
}

static int pushf(struct tp_eal_argv *a, const char *fmt, const char *s1, const char *s2)
{
	char buf[TP_DP_PATH_LEN + 128];
	snprintf(buf, sizeof(buf), fmt, s1, s2);
	return push(a, buf, 1);
}

/* "--lcores=0@0,1@0,2@1": main lcore 0 on the first CPU; RX lcores on the CPUs between the
 * first and the last when there are any, else sharing the first; the consumer alone on the
 * last CPU. The main lcore mostly sleeps, so sharing its CPU with an RX poller costs little. */
static void lcore_layout(const struct tp_eal_plan *plan, char *buf, size_t len)
{
	unsigned cpus[1024];
	unsigned n = tp_eal_allowed_cpus(cpus, 1024);
	unsigned first = cpus[0], last = cpus[n - 1];
	unsigned mid_n = n >= 3 ? n - 2 : 0; /* CPUs strictly between first and last */
	size_t o = 0;
	o += (size_t)snprintf(buf + o, len - o, "--lcores=0@%u", first);
	if (plan->is_run) {
		unsigned maxid = 0;
		for (unsigned i = 0; i < plan->n_rx_ids; i++) {
			unsigned cpu = mid_n ? cpus[1 + i % mid_n] : first;
			o += (size_t)snprintf(buf + o, len - o, ",%u@%u", plan->rx_ids[i], cpu);
			if (plan->rx_ids[i] > maxid)
				maxid = plan->rx_ids[i];
		}
		snprintf(buf + o, len - o, ",%u@%u", maxid + 1, last);
		return;
	}
	unsigned k = plan->rx_wanted ? plan->rx_wanted : 1;
	/* "else the same lcore polls both": a second RX lcore only on a CPU of its own. */
	unsigned cap = mid_n ? mid_n : 1;
	if (k > cap)
		k = cap;
	for (unsigned i = 0; i < k; i++)
		o += (size_t)snprintf(buf + o, len - o, ",%u@%u", i + 1, mid_n ? cpus[1 + i] : first);
	snprintf(buf + o, len - o, ",%u@%u", k + 1, last);
}

int tp_eal_args_build(const struct tp_eal_plan *plan, int uargc, char **uargv,
		      const char *cfg_args, struct tp_eal_argv *out, char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	if (push(out, "tickpipe", 0) != 0)
		goto full;
	/* The config's [eal] args first, split on blanks; then the command line's. */
	if (cfg_args && *cfg_args) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%s", cfg_args);
		char *save = NULL;
		for (char *t = strtok_r(buf, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
			if (push(out, t, 1) != 0)
				goto full;
	}
	for (int i = 0; i < uargc; i++)
		if (push(out, uargv[i], 0) != 0)
			goto full;
	int given_argc = out->argc - 1;
	char **given = out->argv + 1;
	char tmp[8192];

	int no_huge = has_opt(given_argc, given, 0, "--no-huge");
	if (!has_opt(given_argc, given, 'l', "--lcores") && !has_opt(given_argc, given, 'c', NULL)) {
		lcore_layout(plan, tmp, sizeof(tmp));
		if (push(out, tmp, 1) != 0)
			goto full;
		out->lcores_defaulted = 1;
	}
	if (!no_huge && !has_opt(given_argc, given, 'm', NULL) &&
	    !has_opt(given_argc, given, 0, "--socket-mem") &&
	    !has_opt(given_argc, given, 0, "--huge-dir") && !tp_eal_hugepages_usable()) {
		if (push(out, "--no-huge", 0) != 0 || push(out, "-m", 0) != 0 ||
		    push(out, "256", 0) != 0)
			goto full;
		no_huge = 1;
	}
	/* No files under /var/run/dpdk that two runs could fight over. --in-memory says it
	 * best, but EAL 22.11 refuses it with --no-huge (legacy memory mode), where
	 * --no-shconf does the same job. */
	if (!has_opt(given_argc, given, 0, "--in-memory") &&
	    !has_opt(given_argc, given, 0, "--no-shconf") &&
	    !has_opt(given_argc, given, 0, "--file-prefix") &&
	    !has_opt(given_argc, given, 0, "--proc-type"))
		if (push(out, no_huge ? "--no-shconf" : "--in-memory", 0) != 0)
			goto full;
	if (!has_opt(given_argc, given, 'a', "--allow") && !has_opt(given_argc, given, 'b', "--block") &&
	    !has_opt(given_argc, given, 0, "--no-pci")) {
		if (plan->n_pci == 0) {
			if (push(out, "--no-pci", 0) != 0)
				goto full;
		} else {
			for (unsigned i = 0; i < plan->n_pci; i++)
				if (push(out, "-a", 0) != 0 || push(out, plan->pci[i], 0) != 0)
					goto full;
		}
	}
	if (!has_opt(given_argc, given, 0, "--no-telemetry") &&
	    !has_opt(given_argc, given, 0, "--telemetry"))
		if (push(out, "--no-telemetry", 0) != 0)
			goto full;
	if (!has_opt(given_argc, given, 0, "--log-level")) {
		const char *lvl = plan->verbose >= 2 ? "--log-level=debug"
				  : plan->verbose == 1 ? "--log-level=info"
						       : "--log-level=warning";
		if (push(out, lvl, 0) != 0)
			goto full;
		/* EAL warns about hugepage sizes it will not use; nothing to act on. */
		if (!plan->verbose && push(out, "--log-level=lib.eal:error", 0) != 0)
			goto full;
	}
	for (unsigned i = 0; i < plan->n_vdevs; i++)
		if (pushf(out, "--vdev=%s%s", plan->vdevs[i], "") != 0)
			goto full;
	return 0;
full:
	snprintf(err, errlen, "too many EAL arguments (at most %d)", TP_EAL_MAX_ARGS);
	tp_eal_args_free(out);
	return -1;
}

void tp_eal_args_print(const struct tp_eal_argv *a, void *stream)
{
	FILE *f = stream;
	fputs("tickpipe: EAL args:", f);
	for (int i = 1; i < a->argc; i++)
		fprintf(f, " %s", a->argv[i]);
	fputc('\n', f);
}

void tp_eal_args_free(struct tp_eal_argv *a)
{
	for (unsigned i = 0; i < a->n_owned; i++)
		free(a->owned[i]);
	a->n_owned = 0;
	a->argc = 0;
}
