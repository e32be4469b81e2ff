/* tickpipe-logcat: reads the durable log (dataplane/log) and prints, filters, follows or
 * verifies it. See --help and README.md. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fields.h"
#include "filter.h"
#include "tp_logreader.h"

#define PROG "tickpipe-logcat"

/* exit codes */
#define EXIT_CORRUPT 1 /* corruption before the tail, or the log cannot be read */
#define EXIT_USAGE 2

static const char usage[] =
	"usage: " PROG " [options] DIR|FILE...\n"
	"Prints the records of a tickpipe log: the segment files (tickpipe-*.tplog) in each\n"
	"DIR and/or the FILEs given, in order, every checksum verified.\n"
	"\n"
	"output (one line per record):\n"
	"      (default)         text: rec exchange-time wall-time type pPRODUCER field=value...\n"
	"      --json            one JSON object per line\n"
	"      --csv             CSV with a header line; one column per field name of any type\n"
	"      --summary         only the count of (filtered) records per type\n"
	"      --verify          read everything, print a summary: segments, runs, records\n"
	"                        per type, torn tail yes/no; filters are ignored\n"
	"filters (all given must match):\n"
	"  -t, --type T[,T...]   record types: event alert halt order fill reject stats\n"
	"                        audit note drop symbol (or their numbers)\n"
	"  -s, --symbol S        records of one stock: a stock locate number, or a symbol\n"
	"                        name resolved through the log's own 'symbol' records (the\n"
	"                        stock directory the dataplane logs); records without a\n"
	"                        stock locate never match\n"
	"      --since T         exchange time at or after T: HH:MM:SS[.fffffffff] or ns\n"
	"      --until T         exchange time at or before T (records without an exchange\n"
	"                        time are left out when either is given)\n"
	"following:\n"
	"  -f, --follow          wait for more records at the end, like tail -f, across\n"
	"                        segment rotations and new runs; stop with Ctrl-C\n"
	"      --poll-ms N       how often to look for more when following (default 200)\n"
	"  -h, --help            this text\n"
	"\n"
	"Exit status: 0 the log is sound (a torn tail at the end of a run is reported on\n"
	"stderr but is the expected state after a crash), 1 corruption before the tail or\n"
	"an unreadable log (one line on stderr naming the file and offset), 2 bad arguments.\n";

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, " (try --help)\n");
	va_end(ap);
	exit(EXIT_USAGE);
}

static void report_torn(struct tp_log_reader *rd)
{
	struct tp_log_pos pos;
	uint64_t bytes = tp_log_reader_torn(rd, &pos);
	fprintf(stderr,
		PROG ": torn tail: %" PRIu64 " bytes discarded at %s offset %" PRIu64
		     " (an unfinished write, expected after a crash)\n",
		bytes, pos.path ? pos.path : "?", pos.offset);
}

static void print_counts(const uint64_t *by_type, uint64_t other, const char *indent,
			 const char *sep)
{
	for (unsigned t = 1; t < TP_LOG_NTYPES; t++)
		if (by_type[t])
			printf("%s%s%s%" PRIu64 "\n", indent, tp_log_type_name(t), sep, by_type[t]);
	if (other)
		printf("%sother%s%" PRIu64 "\n", indent, sep, other);
}

int main(int argc, char **argv)
{
	enum lc_format fmt = LC_TEXT;
	int follow = 0, verify = 0, summary = 0, csv = 0, json = 0;
	unsigned poll_ms = 200;
	static struct lc_filter flt;
	char err[512];
	int have_since = 0, have_until = 0;
	uint64_t since = 0, until = UINT64_MAX;

	lc_filter_init(&flt);
	enum { O_CSV = 256, O_JSON, O_SINCE, O_UNTIL, O_VERIFY, O_SUMMARY, O_POLL };
	static const struct option opts[] = {
		{"type", required_argument, NULL, 't'},   {"symbol", required_argument, NULL, 's'},
		{"since", required_argument, NULL, O_SINCE}, {"until", required_argument, NULL, O_UNTIL},
		{"follow", no_argument, NULL, 'f'},       {"csv", no_argument, NULL, O_CSV},
		{"json", no_argument, NULL, O_JSON},      {"verify", no_argument, NULL, O_VERIFY},
		{"summary", no_argument, NULL, O_SUMMARY}, {"poll-ms", required_argument, NULL, O_POLL},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	opterr = 0;
	int c;
	while ((c = getopt_long(argc, argv, ":t:s:fh", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (lc_filter_types(&flt, optarg, err, sizeof(err)) != 0)
				die_usage("%s", err);
			break;
		case 's':
			if (lc_filter_symbol(&flt, optarg, err, sizeof(err)) != 0)
				die_usage("%s", err);
			break;
		case O_SINCE:
			if (lc_parse_time(optarg, &since) != 0)
				die_usage("--since: bad time '%s' (HH:MM:SS[.fff] or ns)", optarg);
			have_since = 1;
			break;
		case O_UNTIL:
			if (lc_parse_time(optarg, &until) != 0)
				die_usage("--until: bad time '%s' (HH:MM:SS[.fff] or ns)", optarg);
			have_until = 1;
			break;
		case 'f': follow = 1; break;
		case O_CSV: csv = 1; break;
		case O_JSON: json = 1; break;
		case O_VERIFY: verify = 1; break;
		case O_SUMMARY: summary = 1; break;
		case O_POLL: {
			char *end;
			unsigned long v = strtoul(optarg, &end, 10);
			if (*optarg < '0' || *optarg > '9' || *end || v < 1 || v > 60000)
				die_usage("--poll-ms: '%s' is not 1..60000", optarg);
			poll_ms = (unsigned)v;
			break;
		}
		case 'h':
			fputs(usage, stdout);
			return 0;
		case ':':
			die_usage("option %s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				die_usage("unknown option -%c", optopt);
			die_usage("unknown option %s", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		die_usage("no log directory or segment file given");
	if (csv + json + verify + summary > 1)
		die_usage("--csv, --json, --summary and --verify exclude each other");
	if (follow && (verify || summary))
		die_usage("--follow does not go with --%s", verify ? "verify" : "summary");
	if (have_since && have_until && since > until)
		die_usage("--since is after --until");
	fmt = csv ? LC_CSV : json ? LC_JSON : LC_TEXT;
	if (have_since || have_until) {
		flt.by_time = 1;
		flt.since = since;
		flt.until = until;
	}

	struct tp_log_reader *rd;
	int rc = tp_log_reader_open(&rd, (const char *const *)(argv + optind),
				    (unsigned)(argc - optind), follow ? TP_LOG_RD_FOLLOW : 0, err,
				    sizeof(err));
	if (rc != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return EXIT_CORRUPT;
	}
	if (follow) {
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	static char outbuf[1 << 16];
	setvbuf(stdout, outbuf, _IOFBF, sizeof(outbuf));
	if (fmt == LC_CSV)
		lc_csv_header(stdout);

	uint64_t shown[TP_LOG_NTYPES] = {0}, shown_other = 0, shown_total = 0;
	uint32_t torn_seen = 0;
	struct tp_log_slot rec;
	int status = 0;
	while (!g_stop) {
		rc = tp_log_reader_next(rd, &rec);
		struct tp_log_reader_stats st;
		tp_log_reader_get_stats(rd, &st);
		if (st.torn_tails != torn_seen) {
			torn_seen = st.torn_tails;
			fflush(stdout); /* keep the report after the records before it */
			report_torn(rd);
		}
		if (rc == -EAGAIN) {
			fflush(stdout);
			struct timespec d = {(time_t)(poll_ms / 1000), (long)(poll_ms % 1000) * 1000000};
			nanosleep(&d, NULL);
			continue;
		}
		if (rc == 0)
			break;
		if (rc < 0) {
			fflush(stdout);
			fprintf(stderr, PROG ": %s: %s\n",
				rc == -EBADMSG ? "corrupt log" : "cannot read log",
				tp_log_reader_error(rd));
			status = EXIT_CORRUPT;
			break;
		}
		if (verify)
			continue;
		lc_filter_learn(&flt, &rec);
		if (!lc_filter_match(&flt, &rec))
			continue;
		shown_total++;
		if (rec.hdr.type < TP_LOG_NTYPES && tp_log_type_name(rec.hdr.type))
			shown[rec.hdr.type]++;
		else
			shown_other++;
		if (summary)
			continue;
		struct lc_ctx ctx = {tp_log_reader_seg(rd), lc_filter_symbol_of(&flt, &rec)};
		lc_print(stdout, fmt, &rec, &ctx);
	}

	if (summary) {
		print_counts(shown, shown_other, "", " ");
		printf("total %" PRIu64 "\n", shown_total);
	}
	if (verify) {
		struct tp_log_reader_stats st;
		tp_log_reader_get_stats(rd, &st);
		struct tp_log_pos tp;
		uint64_t tb = tp_log_reader_torn(rd, &tp);
		printf("segments: %u\nruns: %u\nrecords: %" PRIu64 "\n", st.segments, st.runs,
		       st.records);
		print_counts(st.by_type, st.other_types, "  ", ": ");
		if (st.torn_tails)
			printf("torn tail: yes (%" PRIu64 " bytes at %s offset %" PRIu64 ")\n", tb,
			       tp.path, tp.offset);
		else
			printf("torn tail: no\n");
		if (st.lost_records)
			printf("lost by the writer (declared): %" PRIu64 "\n", st.lost_records);
		printf("result: %s\n", status ? "corrupt" : "ok");
	}
	tp_log_reader_close(rd);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, PROG ": write error on standard output: %s\n", strerror(errno));
		return EXIT_CORRUPT;
	}
	return status;
}
