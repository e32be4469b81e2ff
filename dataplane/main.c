/* tickpipe: parse and check everything that can be checked without EAL (arguments, config,
 * captures), then start EAL with sensible defaults, wire the pipeline, run it, report. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "cli.h"
#include "config.h"
#include "ctl_provider.h"
#include "eal_args.h"
#include "pipeline.h"
#include "prescan.h"
#include "report.h"
#include "signals.h"
#include "tp_binfile.h"
#include "tp_logger.h"
#include "tp_ctl_proto.h"
#include "tp_ctl_telemetry.h"

#define EXIT_USAGE 2

static char errbuf[1024];

/* rte_eal_init with its chatter contained: EAL prints its whole usage text on stdout when an
 * argument is wrong (stdout carries the report), and its reasons over several lines on
 * stderr, some through its log, some (getopt, the FATAL alert) straight to the descriptor.
 * While it runs, stdout goes to /dev/null and stderr to a temporary file; on failure the
 * first line that says why becomes our one-line error, on success whatever EAL said goes
 * to stderr as it would have. With -v nothing is redirected. */
static int eal_init_contained(int argc, char **argv, int verbose, char *err, size_t errlen)
{
	if (verbose) {
		int rc = rte_eal_init(argc, argv);
		if (rc < 0)
			snprintf(err, errlen, "EAL init failed: %s (see above)", rte_strerror(rte_errno));
		return rc;
	}
	FILE *cap = tmpfile();
	int null_fd = open("/dev/null", O_WRONLY);
	int saved_out = dup(STDOUT_FILENO), saved_err = dup(STDERR_FILENO);
	int redirected = cap && null_fd >= 0 && saved_out >= 0 && saved_err >= 0;
	fflush(stdout);
	fflush(stderr);
	if (redirected) {
		dup2(null_fd, STDOUT_FILENO);
		dup2(fileno(cap), STDERR_FILENO);
	}
	int rc = rte_eal_init(argc, argv);
	int eal_errno = rte_errno;
	fflush(stdout);
	fflush(stderr);
	if (redirected) {
		dup2(saved_out, STDOUT_FILENO);
		dup2(saved_err, STDERR_FILENO);
	}
	char text[8192];
	size_t len = 0;
	if (cap) {
		rewind(cap);
		len = fread(text, 1, sizeof(text) - 1, cap);
		fclose(cap);
	}
	text[len] = '\0';
	if (null_fd >= 0)
		close(null_fd);
	if (saved_out >= 0)
		close(saved_out);
	if (saved_err >= 0)
		close(saved_err);
	if (rc < 0) {
		/* EAL's own summary lines say only that something was wrong; skip them. */
		const char *why = NULL;
		size_t why_len = 0;
		for (char *l = text; *l;) {
			char *nl = strchr(l, '\n');
			if (nl)
				*nl = '\0';
			size_t n = strlen(l);
			const char *t = l;
			if (strncmp(t, "EAL: ", 5) == 0)
				t += 5;
			if (strncmp(t, "tickpipe: ", 10) == 0)
				t += 10;
			size_t tn = n - (size_t)(t - l);
			if (tn && strncmp(t, "FATAL", 5) != 0 && !strstr(t, "Invalid 'command line'") &&
			    !strstr(t, "Error - exiting")) {
				why = t;
				why_len = tn;
				break;
			}
			l = nl ? nl + 1 : l + n;
		}
		if (why)
			snprintf(err, errlen, "EAL init failed: %.*s", (int)why_len, why);
		else
			snprintf(err, errlen, "EAL init failed: %s", rte_strerror(eal_errno));
	} else if (len) {
		fwrite(text, 1, len, stderr);
	}
	return rc;
}

/* The ops console: `run` serves the control socket by default ([ctl] socket, else
 * TP_CTL_DEFAULT_SOCKET), a replay only when the config names one; "off" turns it off. A
 * socket the config names must come up (-1, err says why); the default one may not (no
 * /run/tickpipe outside systemd, or another instance on it): a warning, and the run goes on
 * with the kill-switch's rules but without the console. */
static int start_ctl(struct tp_pipeline *pl, const struct tp_config *cfg,
		     struct tp_dp_ctl **out, char *err, size_t errlen)
{
	*out = NULL;
	const char *sock = cfg && cfg->ctl_socket[0] ? cfg->ctl_socket : NULL;
	if ((sock && strcmp(sock, "off") == 0) || (!sock && pl->mode != TP_RX_LIVE))
		return 0;
	const char *group = cfg && cfg->ctl_group[0] ? cfg->ctl_group : NULL;
	*out = tp_dp_ctl_start(pl, sock, group, &pl->ksc.lock, err, errlen);
	if (!*out) {
		if (sock)
			return -1;
		fprintf(stderr, "tickpipe: warning: %s (no ops console)\n", err);
		return 0;
	}
	/* dpdk-telemetry.py: /tickpipe/status, /tickpipe/stats, /tickpipe/book */
	if (tp_ctl_telemetry_register(sock ? sock : TP_CTL_DEFAULT_SOCKET) != 0)
		fprintf(stderr, "tickpipe: warning: telemetry commands not registered\n");
	return 0;
}

/* The durable log: producers for every stage, then the logger thread, which runs where
 * the main lcore does (EAL pinned this thread there; the logger inherits its affinity),
 * never on a polling lcore. Replay waits for the logger (a complete log); run drops. */
static struct tp_log_prod *log_prods[TP_DP_MAX_RX + 3];
static unsigned n_log_prods;

static int start_log(struct tp_pipeline *pl, const char *dir, char *err, size_t errlen)
{
	enum tp_log_mode mode = pl->mode == TP_RX_LIVE ? TP_LOG_LIVE : TP_LOG_REPLAY;
	char name[32];
	for (unsigned i = 0; i < pl->n_rx; i++) {
		snprintf(name, sizeof(name), "rx%u", i);
		struct tp_log_prod *p = tp_log_prod_create(name, (uint8_t)(1 + i), 4096, mode, 0);
		pl->rx[i]->sym_seen = calloc((size_t)TP_DP_MAX_FEEDS * 1024u, sizeof(uint64_t));
		if (!p || !pl->rx[i]->sym_seen) {
			tp_log_prod_free(p);
			snprintf(err, errlen, "log: out of memory");
			return -1;
		}
		log_prods[n_log_prods++] = p;
		pl->rx[i]->log = p;
	}
	struct tp_log_prod *cp = tp_log_prod_create("cep", 100, 65536, mode, 0);
	struct tp_log_prod *ctl = tp_log_prod_create("ctl", 200, 1024, mode, TP_LOG_PROD_STAMP_TSC);
	struct tp_log_prod *mp = tp_log_prod_create("main", 201, 1024, mode, TP_LOG_PROD_STAMP_TSC);
	if (!cp || !ctl || !mp) {
		tp_log_prod_free(cp);
		tp_log_prod_free(ctl);
		tp_log_prod_free(mp);
		snprintf(err, errlen, "log: out of memory");
		return -1;
	}
	log_prods[n_log_prods++] = cp;
	log_prods[n_log_prods++] = ctl;
	log_prods[n_log_prods++] = mp;
	struct tp_logger_cfg lc;
	memset(&lc, 0, sizeof(lc));
	lc.w.dir = dir;
	lc.stats_ms = 1000;
	lc.w.flush_ms = 100; /* bounds what a crash loses without an fdatasync per batch */
	lc.w.flush_bytes = 4u << 20;
	pl->logger = tp_logger_start(&lc, log_prods, n_log_prods, err, errlen);
	if (!pl->logger)
		return -1;
	pl->cons.log = cp;
	if (pl->strat)
		pl->strat->log = cp;
	pl->log_ctl = ctl;
	pl->log_main = mp;
	pl->ksc.log = mp;
	return 0;
}

/* After every stage stopped: drains, syncs, joins; the counts go into the report. */
static int stop_log(struct tp_pipeline *pl)
{
	int rc = 0;
	if (pl->logger) {
		struct tp_logger_stats st;
		rc = tp_logger_stop(pl->logger, &st);
		pl->logger = NULL;
		pl->log_done = 1;
		pl->log_rc = rc;
		pl->log_records = st.records;
		pl->log_bytes = st.bytes;
		pl->log_drops = st.drops;
		pl->log_segments = st.segments;
	}
	for (unsigned i = 0; i < pl->n_rx; i++) {
		if (!pl->rx[i])
			continue; /* a setup that failed half way */
		pl->rx[i]->log = NULL;
		free(pl->rx[i]->sym_seen);
		pl->rx[i]->sym_seen = NULL;
	}
	pl->cons.log = NULL;
	if (pl->strat)
		pl->strat->log = NULL;
	pl->log_ctl = NULL;
	pl->log_main = NULL;
	pl->ksc.log = NULL;
	for (unsigned i = 0; i < n_log_prods; i++)
		tp_log_prod_free(log_prods[i]);
	n_log_prods = 0;
	return rc;
}

static int fail(int code, const char *msg)
{
	fprintf(stderr, "tickpipe: %s\n", msg);
	return code;
}

/* What EAL must be told before it starts: vdevs for the captures and config, PCI devices to
 * allow, and how many RX lcores would help. */
static int plan_eal(const struct tp_opts *o, const struct tp_config *cfg,
		    const struct tp_prescan *ps, struct tp_eal_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->verbose = o->verbose;
	if (o->cmd == TP_CMD_REPLAY) {
		plan->rx_wanted = ps && ps->n_groups ? ps->n_groups : 1;
		for (unsigned i = 0; o->itch_file == NULL && i < o->n_pcaps; i++) {
			size_t len = strlen(o->pcaps[i]) + 64;
			char *s = malloc(len);
			if (!s)
				return -1;
			snprintf(s, len, "net_pcap%u,rx_pcap=%s", i, o->pcaps[i]);
			plan->vdevs[plan->n_vdevs++] = s;
		}
		return 0;
	}
	plan->is_run = 1;
	for (unsigned p = 0; p < cfg->n_ports; p++) {
		const struct tp_cfg_port *cp = &cfg->ports[p];
		if (cp->is_pci) {
			plan->pci[plan->n_pci++] = cp->dev;
		} else {
			char *s = strdup(cp->dev);
			if (!s)
				return -1;
			plan->vdevs[plan->n_vdevs++] = s;
		}
		for (unsigned q = 0; q < cp->rx_queues; q++) {
			unsigned k;
			for (k = 0; k < plan->n_rx_ids; k++)
				if (plan->rx_ids[k] == cp->lcores[q])
					break;
			if (k == plan->n_rx_ids && plan->n_rx_ids < TP_DP_MAX_RX)
				plan->rx_ids[plan->n_rx_ids++] = cp->lcores[q];
		}
	}
	/* The order gateway's own egress port, when it has one and something trades. */
	const struct tp_cfg_gateway *g = &cfg->strat.gw;
	if (cfg->strat.mm.on && g->dev[0]) {
		if (g->is_pci) {
			plan->pci[plan->n_pci++] = g->dev;
		} else {
			char *s = strdup(g->dev);
			if (!s)
				return -1;
			plan->vdevs[plan->n_vdevs++] = s;
		}
	}
	return 0;
}

static void free_plan(struct tp_eal_plan *plan)
{
	for (unsigned i = 0; i < plan->n_vdevs; i++)
		free(plan->vdevs[i]);
	plan->n_vdevs = 0;
}

int main(int argc, char **argv)
{
	static struct tp_opts opts;
	static struct tp_config cfg;
	static struct tp_prescan ps;
	static struct tp_pipeline pl;

	/* EAL logs to stdout on Linux by default; stdout carries the report (and the JSON). */
	rte_openlog_stream(stderr);

	enum tp_cli_rc crc = tp_cli_parse(argc, argv, &opts, errbuf, sizeof(errbuf));
	if (crc == TP_CLI_HELP)
		return 0;
	if (crc == TP_CLI_ERROR)
		return fail(EXIT_USAGE, errbuf);

	int have_cfg = 0;
	if (opts.config_path) {
		if (tp_config_load(opts.config_path, &cfg, errbuf, sizeof(errbuf)) != 0)
			return fail(EXIT_FAILURE, errbuf);
		have_cfg = 1;
		if (opts.cmd == TP_CMD_RUN && tp_config_check_run(&cfg, errbuf, sizeof(errbuf)) != 0)
			return fail(EXIT_FAILURE, errbuf);
	}
	if (opts.cmd == TP_CMD_REPLAY && opts.n_pcaps) {
		if (tp_prescan_pcaps(opts.pcaps, opts.n_pcaps, have_cfg ? &cfg : NULL, &ps, errbuf,
				     sizeof(errbuf)) != 0)
			return fail(EXIT_FAILURE, errbuf);
	} else if (opts.cmd == TP_CMD_REPLAY) {
		/* Open it and read the first message: a file that is not a BinaryFILE at all is
		 * refused here. A file cut short further on shows only when the replay gets
		 * there: the report of what was read comes out, then the error, exit 1. */
		struct tp_binfile *bf;
		if (tp_binfile_open(opts.itch_file, &bf, errbuf, sizeof(errbuf)) != 0)
			return fail(EXIT_FAILURE, errbuf);
		const uint8_t *msg;
		uint32_t len;
		if (tp_binfile_next(bf, &msg, &len) < 0) {
			snprintf(errbuf, sizeof(errbuf), "%s: %s", opts.itch_file, tp_binfile_errstr(bf));
			tp_binfile_close(bf);
			return fail(EXIT_FAILURE, errbuf);
		}
		tp_binfile_close(bf);
	}

	struct tp_eal_plan plan;
	struct tp_eal_argv ea;
	if (plan_eal(&opts, have_cfg ? &cfg : NULL, opts.n_pcaps ? &ps : NULL, &plan) != 0)
		return fail(EXIT_FAILURE, "out of memory");
	if (tp_eal_args_build(&plan, opts.eal_argc, opts.eal_argv, have_cfg ? cfg.eal_args : NULL,
			      &ea, errbuf, sizeof(errbuf)) != 0) {
		free_plan(&plan);
		return fail(EXIT_USAGE, errbuf);
	}
	if (opts.verbose)
		tp_eal_args_print(&ea, stderr);
	/* rte_eal_init may reorder argv; it holds pointers only, the strings stay ours. */
	int eargc = ea.argc;
	char *eargv[TP_EAL_MAX_ARGS + 1];
	memcpy(eargv, ea.argv, sizeof(char *) * (size_t)(ea.argc + 1));
	if (eal_init_contained(eargc, eargv, opts.verbose, errbuf, sizeof(errbuf)) < 0) {
		tp_eal_args_free(&ea);
		free_plan(&plan);
		return fail(EXIT_FAILURE, errbuf);
	}
	tp_signals_install();

	pl.opts = &opts;
	pl.cfg = have_cfg ? &cfg : NULL;
	pl.ps = opts.n_pcaps ? &ps : NULL;
	pl.mode = opts.cmd == TP_CMD_RUN ? TP_RX_LIVE
		  : opts.n_pcaps	 ? TP_RX_REPLAY_PCAP
					 : TP_RX_REPLAY_ITCH;
	int rc = 0;
	struct tp_dp_ctl *ctl = NULL;
	const char *log_dir = opts.log_dir		      ? opts.log_dir
			      : have_cfg && cfg.log_dir[0] ? cfg.log_dir
							   : NULL;
	if (tp_pipeline_setup(&pl, errbuf, sizeof(errbuf)) != 0 ||
	    (log_dir && start_log(&pl, log_dir, errbuf, sizeof(errbuf)) != 0) ||
	    start_ctl(&pl, pl.cfg, &ctl, errbuf, sizeof(errbuf)) != 0) {
		rc = fail(EXIT_FAILURE, errbuf);
	} else {
		tp_pipeline_run(&pl);
		/* Before the report: the control thread reads the feeds, and so does the report. */
		tp_dp_ctl_stop(ctl);
		if (stop_log(&pl) != 0 && rc == 0) {
			snprintf(errbuf, sizeof(errbuf), "log: write errors in %.900s", log_dir);
			rc = EXIT_FAILURE;
		}
		for (unsigned i = 0; i < pl.n_rx; i++) {
			const struct tp_rx_worker *w = pl.rx[i];
			if (w->warn[0])
				fprintf(stderr, "tickpipe: warning: %s\n", w->warn);
			if (w->bf && w->bf_rc < 0) {
				snprintf(errbuf, sizeof(errbuf), "%s: %s", opts.itch_file,
					 tp_binfile_errstr(w->bf));
				rc = EXIT_FAILURE;
			}
		}
		/* Ports stop only now: every stage has drained. */
		for (unsigned i = 0; i < pl.n_ports; i++)
			tp_port_close(&pl.ports[i]);
		if (opts.json)
			tp_report_json(&pl, stdout);
		else
			tp_report_text(&pl, stdout);
		fflush(stdout);
		/* After the report, so the reason is the last line a reader sees. */
		if (rc != 0)
			fprintf(stderr, "tickpipe: %s\n", errbuf);
	}
	stop_log(&pl);
	tp_pipeline_teardown(&pl);
	rte_eal_cleanup();
	tp_eal_args_free(&ea);
	free_plan(&plan);
	if (have_cfg)
		tp_config_free(&cfg);
	return rc;
}
