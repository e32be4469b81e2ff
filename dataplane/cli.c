#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_main[] =
	"usage: tickpipe [EAL args] -- run -c FILE.ini [--json] [-v]\n"
	"       tickpipe [EAL args] -- replay (--pcap FILE [--pcap FILE] | --itch-file FILE[.gz])\n"
	"                [--speed max|1|N] [--log-dir DIR] [--json] [-c FILE.ini] [-v]\n"
	"       tickpipe --help | tickpipe run --help | tickpipe replay --help\n"
	"\n"
	"Kernel-bypass market-data pipeline: DPDK RX lcores decode MoldUDP64/ITCH 5.0 into\n"
	"order books and hand normalized events over SPSC rings to the CEP + risk lcore: CEP\n"
	"rules that alert or halt through the kill-switch, and (if configured) a market maker\n"
	"whose orders pass the kill-switch and the risk guard to the OUCH gateway.\n"
	"\n"
	"  run      live: ports, feeds and lcores from the config file; a stats line every\n"
	"           second; SIGINT/SIGTERM drains the pipeline and prints the report.\n"
	"  replay   backtest a capture through the same pipeline (pcap via the net_pcap vdev)\n"
	"           with back-pressure instead of drops; prints the report at the end.\n"
	"\n"
	"EAL arguments go before \"--\". For whatever they leave open tickpipe picks: lcores\n"
	"from the CPUs it may run on (main and RX on the first, the consumer on the last),\n"
	"--no-huge -m 256 unless 256 MiB of hugepages are free, --in-memory (--no-shconf with\n"
	"--no-huge), --no-pci for replay, --no-telemetry, quiet logs.\n";

static const char usage_replay[] =
	"usage: tickpipe [EAL args] -- replay (--pcap FILE [--pcap FILE] | --itch-file FILE[.gz])\n"
	"                [--speed max|1|N] [--log-dir DIR] [--json] [-c FILE.ini] [-v]\n"
	"\n"
	"  --pcap FILE        Ethernet/IPv4/UDP/MoldUDP64 capture; read by a net_pcap vdev. A\n"
	"                     second --pcap is a second port (its own RX lcore when a CPU is\n"
	"                     free and it shares no session with the first). Up to 8.\n"
	"  --itch-file FILE   NASDAQ BinaryFILE, plain or .gz\n"
	"  --speed max|1|N    pace on the capture clock: max = no pacing (default), 1 = real\n"
	"                     time, N = N times faster\n"
	"  --log-dir DIR      write the durable binary log there (overrides [log] dir)\n"
	"  --json             print one JSON object (messages, messages_total, gaps,\n"
	"                     duplicates, malformed, unknown_refs, books, halts, alerts,\n"
	"                     latency_ns, and strategy when a market maker ran) instead of the\n"
	"                     text report. An empty book side is [0,0].\n"
	"  -c FILE.ini        feeds (destinations, arbitration), rings, CEP rules, risk limits,\n"
	"                     market maker, kill-switch state file, simulated exchange; without\n"
	"                     it every MoldUDP64 session found is a feed, its first destination\n"
	"                     line A and its second line B, the built-in rules run (those of\n"
	"                     strategy/rules.ini.sample) and nothing trades\n"
	"  -v                 print the EAL command line; EAL/PMD logs at info (-vv: debug)\n";

static const char usage_run[] =
	"usage: tickpipe [EAL args] -- run -c FILE.ini [--json] [-v]\n"
	"\n"
	"  -c FILE.ini   ports, feeds, lcores, rings, rules, risk, market maker, kill-switch\n"
	"                state file, order gateway port (see dataplane/tickpipe.ini)\n"
	"  --json        final report as one JSON object (stats lines go to stderr)\n"
	"  -v            print the EAL command line; EAL/PMD logs at info (-vv: debug)\n";

static int is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int parse_speed(const char *s, double *out)
{
	if (strcmp(s, "max") == 0) {
		*out = 0;
		return 0;
	}
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || !(v >= 0.001) || v > 1e9)
		return -1;
	*out = v;
	return 0;
}

enum tp_cli_rc tp_cli_parse(int argc, char **argv, struct tp_opts *o, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	int app = 1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			o->eal_argc = i - 1;
			o->eal_argv = argv + 1;
			app = i + 1;
			break;
		}
	}
	if (app == 1 && argc > 1 && is_help(argv[1])) {
		fputs(usage_main, stdout);
		return TP_CLI_HELP;
	}
	if (app >= argc) {
		snprintf(err, errlen, "missing command (run or replay); try tickpipe --help");
		return TP_CLI_ERROR;
	}
	const char *cmd = argv[app];
	if (is_help(cmd)) {
		fputs(usage_main, stdout);
		return TP_CLI_HELP;
	}
	if (strcmp(cmd, "run") == 0)
		o->cmd = TP_CMD_RUN;
	else if (strcmp(cmd, "replay") == 0)
		o->cmd = TP_CMD_REPLAY;
	else if (cmd[0] == '-' && app == 1) {
		/* Most likely EAL arguments without the "--" that ends them. */
		snprintf(err, errlen,
			 "unknown option '%s' (EAL arguments go before \"--\"); try tickpipe --help",
			 cmd);
		return TP_CLI_ERROR;
	} else {
		snprintf(err, errlen, "unknown command '%s' (run or replay); try tickpipe --help",
			 cmd);
		return TP_CLI_ERROR;
	}
	int replay = o->cmd == TP_CMD_REPLAY;
	for (int i = app + 1; i < argc; i++) {
		const char *a = argv[i];
		const char *val = NULL;
		/* Accept both "--opt value" and "--opt=value". */
		char name[32];
		const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
		if (eq && (size_t)(eq - a) < sizeof(name)) {
			memcpy(name, a, (size_t)(eq - a));
			name[eq - a] = '\0';
			val = eq + 1;
			a = name;
		}
#define NEED_VAL()                                                                           \
	do {                                                                                 \
		if (!val) {                                                                  \
			if (i + 1 >= argc) {                                                 \
				snprintf(err, errlen, "%s needs a value", a);                \
				return TP_CLI_ERROR;                                         \
			}                                                                    \
			val = argv[++i];                                                     \
		}                                                                            \
	} while (0)
		if (is_help(a)) {
			fputs(replay ? usage_replay : usage_run, stdout);
			return TP_CLI_HELP;
		} else if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
			NEED_VAL();
			if (o->config_path) {
				snprintf(err, errlen, "-c given twice");
				return TP_CLI_ERROR;
			}
			o->config_path = val;
		} else if (strcmp(a, "--json") == 0 && !val) {
			o->json = 1;
		} else if (a[0] == '-' && a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1)) {
			o->verbose += (int)strlen(a + 1);
		} else if (replay && strcmp(a, "--pcap") == 0) {
			NEED_VAL();
			if (o->n_pcaps == TP_DP_MAX_PCAPS) {
				snprintf(err, errlen, "at most %d --pcap", TP_DP_MAX_PCAPS);
				return TP_CLI_ERROR;
			}
			o->pcaps[o->n_pcaps++] = val;
		} else if (replay && strcmp(a, "--itch-file") == 0) {
			NEED_VAL();
			if (o->itch_file) {
				snprintf(err, errlen, "--itch-file given twice");
				return TP_CLI_ERROR;
			}
			o->itch_file = val;
		} else if (replay && strcmp(a, "--log-dir") == 0) {
			NEED_VAL();
			o->log_dir = val;
		} else if (replay && strcmp(a, "--speed") == 0) {
			NEED_VAL();
			if (parse_speed(val, &o->speed) != 0) {
				snprintf(err, errlen,
					 "--speed must be max or a positive number (1 = real time), "
					 "not '%s'",
					 val);
				return TP_CLI_ERROR;
			}
		} else {
			snprintf(err, errlen, "unknown option '%s' for %s; try tickpipe %s --help",
				 argv[i], cmd, cmd);
			return TP_CLI_ERROR;
		}
#undef NEED_VAL
	}
	if (o->cmd == TP_CMD_RUN && !o->config_path) {
		snprintf(err, errlen, "run needs -c FILE.ini");
		return TP_CLI_ERROR;
	}
	if (replay) {
		if (o->n_pcaps == 0 && !o->itch_file) {
			snprintf(err, errlen, "replay needs --pcap FILE or --itch-file FILE");
			return TP_CLI_ERROR;
		}
		if (o->n_pcaps && o->itch_file) {
			snprintf(err, errlen, "replay takes --pcap or --itch-file, not both");
			return TP_CLI_ERROR;
		}
		for (unsigned i = 0; i < o->n_pcaps; i++) {
			/* The path travels inside a vdev devargs string, where ',' splits
			 * arguments: such a path cannot reach net_pcap intact. */
			if (strchr(o->pcaps[i], ',')) {
				snprintf(err, errlen,
					 "%s: a capture path may not contain ',' (DPDK devargs)",
					 o->pcaps[i]);
				return TP_CLI_ERROR;
			}
		}
	}
	return TP_CLI_OK;
}
