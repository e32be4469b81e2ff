/* tickpipe-logcat as a program: its text, JSON and CSV output for a known log byte for byte,
 * the filters, --summary and --verify, follow mode, and its exit status for a sound log, a
 * torn tail (0, reported on stderr), corruption (1, one line naming file and offset) and bad
 * arguments (2, one line). The path of the program comes in TP_LOGCAT. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log_test_util.h"
#include "tp_logwriter.h"

/* ---- the known log ------------------------------------------------------------------ */

static void put(struct tp_log_writer *w, unsigned type, unsigned producer, uint64_t exch,
		uint64_t tsc, const void *payload, uint32_t len)
{
	ck_assert_int_eq(tp_log_writer_append_rec(w, type, producer, exch, tsc, payload, len), 0);
}

#define T0 34200000000000ull /* 09:30:00 */

/* Twelve records, one of each type (two symbols), with values that exercise the printing:
 * negative numbers, characters, strings with commas and quotes, no exchange time, no TSC. */
static void make_known_log(const char *dir)
{
	struct tp_log_writer_cfg c = lt_cfg(dir, 0);
	struct tp_log_writer *w = lt_open(&c);
	struct tp_log_symbol sym = {.stock_locate = 7, .feed_id = 1, .symbol = "AAPL    "};
	put(w, TP_LOG_SYMBOL, 2, T0, 1000, &sym, sizeof(sym));
	sym = (struct tp_log_symbol){.stock_locate = 8, .feed_id = 1, .symbol = "MSFT"};
	put(w, TP_LOG_SYMBOL, 2, T0, 2000, &sym, sizeof(sym));
	struct tp_log_event ev = {.kind = TP_EV_ADD, .msg_type = 'A', .side = 'B',
				  .stock_locate = 7, .feed_id = 1, .exch_ts_ns = T0 + 1000,
				  .rx_tsc = 5, .seq = 42, .order_ref = 99, .price = 1500000,
				  .qty = 100, .bid_px = 1500000, .bid_qty = 100};
	put(w, TP_LOG_EVENT, 1, T0 + 1000, 3000, &ev, sizeof(ev));
	struct tp_log_alert al = {.rule = 3, .stock_locate = 7, .feed_id = 1, .event_seq = 42,
				  .value = -5, .limit = 10, .name = "spread"};
	put(w, TP_LOG_ALERT, 3, T0 + 2000, 4000, &al, sizeof(al));
	struct tp_log_halt ha = {.state = TP_LOG_HALT_HALTED, .scope = TP_LOG_SCOPE_SYMBOL,
				 .stock_locate = 7, .rule = 3, .epoch = 1, .reason = 2,
				 .event_seq = 42, .trigger_tsc = 5, .source = "rule:spread"};
	put(w, TP_LOG_HALT, 3, T0 + 3000, 5000, &ha, sizeof(ha));
	struct tp_log_order od = {.client_id = 1, .stock_locate = 7, .side = 'S', .action = 'N',
				  .price = 1499000, .qty = 10, .strategy = 2};
	put(w, TP_LOG_ORDER, 4, T0 + 4000, 6000, &od, sizeof(od));
	struct tp_log_fill fl = {.client_id = 1, .match_id = 77, .stock_locate = 7, .side = 'S',
				 .liquidity = 'R', .price = 1499000, .qty = 10, .leaves = 0};
	put(w, TP_LOG_FILL, 4, T0 + 5000, 7000, &fl, sizeof(fl));
	struct tp_log_reject rj = {.client_id = 2, .stock_locate = 8, .side = 'B', .source = 'K',
				   .reason = 1, .price = 1, .qty = 1, .text = "halted"};
	put(w, TP_LOG_REJECT, 4, T0 + 6000, 8000, &rj, sizeof(rj));
	struct tp_log_stats stt = {.source = 1, .count = 3, .interval_ms = 1000,
				   .counters = {10, 20, 30}};
	put(w, TP_LOG_STATS, 5, 0, 9000, &stt, sizeof(stt));
	struct tp_log_audit au = {.uid = 1000, .gid = 1000, .pid = 4242, .result = 0,
				  .command = "halt", .args = "--symbol AAPL, now"};
	put(w, TP_LOG_AUDIT, 6, 0, 10000, &au, sizeof(au));
	const char note[] = "say \"hi\", ok";
	put(w, TP_LOG_NOTE, 6, 0, 0, note, sizeof(note) - 1);
	struct tp_log_drop dr = {.producer = 3, .total = 5, .since_last = 5};
	put(w, TP_LOG_DROP, TP_LOG_PRODUCER_LOGGER, 0, 0, &dr, sizeof(dr));
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
}

/* ---- running the program ------------------------------------------------------------ */

struct run {
	int status; /* exit status, or 128 + signal */
	char *out;
	char *err;
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2048)
			buf = realloc(buf, cap *= 2);
	}
	fclose(f);
	buf[len] = '\0';
	return buf;
}

static const char *logcat_path(void)
{
	const char *p = getenv("TP_LOGCAT");
	ck_assert_msg(p && *p, "TP_LOGCAT is not set");
	return p;
}

/* Starts logcat with args (NULL-terminated) writing to files in scratch; returns the pid. */
static pid_t spawn(const char *scratch, const char *const *args)
{
	char out[600], err[600];
	snprintf(out, sizeof(out), "%s/out.txt", scratch);
	snprintf(err, sizeof(err), "%s/err.txt", scratch);
	const char *argv[32];
	unsigned n = 0;
	argv[n++] = logcat_path();
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(127);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid;
}

static struct run finish(const char *scratch, pid_t pid)
{
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	struct run r;
	r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	char p[600];
	snprintf(p, sizeof(p), "%s/out.txt", scratch);
	r.out = slurp(p);
	snprintf(p, sizeof(p), "%s/err.txt", scratch);
	r.err = slurp(p);
	return r;
}

/* Runs logcat; scratch is a directory for its captured output (not the log). */
static struct run logcat(const char *scratch, const char *const *args)
{
	return finish(scratch, spawn(scratch, args));
}

static void run_free(struct run *r)
{
	free(r->out);
	free(r->err);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;
	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* A known log in a fresh directory, and a scratch directory for outputs. */
struct fixture {
	char *log;
	char *scratch;
};

static struct fixture fixture(void)
{
	struct fixture f = {lt_mkdtemp(), lt_mkdtemp()};
	make_known_log(f.log);
	return f;
}

static void fixture_free(struct fixture *f)
{
	lt_rmdir(f->log);
	lt_rmdir(f->scratch);
}

/* ---- expected output ---------------------------------------------------------------- */

#define W "2023-11-14T22:13:20.0000"

static const char *const text_lines[12] = {
	"0 09:30:00.000000000 " W "00000Z symbol p2 stock_locate=7 feed_id=1 symbol=\"AAPL\"\n",
	"1 09:30:00.000000000 " W "01000Z symbol p2 stock_locate=8 feed_id=1 symbol=\"MSFT\"\n",
	"2 09:30:00.000001000 " W "02000Z event p1 kind=add msg_type=A side=B flags=0 stock_locate=7"
	" feed_id=1 exch_ts_ns=34200000001000 rx_tsc=5 seq=42 order_ref=99 price=1500000 qty=100"
	" bid_px=1500000 bid_qty=100 ask_px=0 ask_qty=0 symbol=\"AAPL\"\n",
	"3 09:30:00.000002000 " W "03000Z alert p3 rule=3 stock_locate=7 feed_id=1 event_seq=42"
	" value=-5 limit=10 name=\"spread\" symbol=\"AAPL\"\n",
	"4 09:30:00.000003000 " W "04000Z halt p3 state=halted scope=symbol stock_locate=7 rule=3"
	" epoch=1 reason=2 event_seq=42 trigger_tsc=5 source=\"rule:spread\" symbol=\"AAPL\"\n",
	"5 09:30:00.000004000 " W "05000Z order p4 client_id=1 order_ref=0 stock_locate=7 side=S"
	" action=N price=1499000 qty=10 strategy=2 symbol=\"AAPL\"\n",
	"6 09:30:00.000005000 " W "06000Z fill p4 client_id=1 match_id=77 stock_locate=7 side=S"
	" liquidity=R price=1499000 qty=10 leaves=0 symbol=\"AAPL\"\n",
	"7 09:30:00.000006000 " W "07000Z reject p4 client_id=2 stock_locate=8 side=B source=K"
	" reason=1 price=1 qty=1 text=\"halted\" symbol=\"MSFT\"\n",
	"8 - " W "08000Z stats p5 source=1 count=3 interval_ms=1000 counters=[10 20 30]\n",
	"9 - " W "09000Z audit p6 uid=1000 gid=1000 pid=4242 result=0 command=\"halt\""
	" args=\"--symbol AAPL, now\"\n",
	"10 - - note p6 text=\"say \\\"hi\\\", ok\"\n",
	"11 - - drop p255 drop_producer=3 total=5 since_last=5\n",
};

#define WN "17000000000000"
static const char *const json_lines[12] = {
	"{\"rec\":0,\"type\":\"symbol\",\"producer\":2,\"exch_ns\":34200000000000,\"tsc\":1000,"
	"\"wall_ns\":" WN "00000,\"stock_locate\":7,\"feed_id\":1,\"symbol\":\"AAPL\"}\n",
	"{\"rec\":1,\"type\":\"symbol\",\"producer\":2,\"exch_ns\":34200000000000,\"tsc\":2000,"
	"\"wall_ns\":" WN "01000,\"stock_locate\":8,\"feed_id\":1,\"symbol\":\"MSFT\"}\n",
	"{\"rec\":2,\"type\":\"event\",\"producer\":1,\"exch_ns\":34200000001000,\"tsc\":3000,"
	"\"wall_ns\":" WN "02000,\"kind\":\"add\",\"msg_type\":\"A\",\"side\":\"B\",\"flags\":0,"
	"\"stock_locate\":7,\"feed_id\":1,\"exch_ts_ns\":34200000001000,\"rx_tsc\":5,\"seq\":42,"
	"\"order_ref\":99,\"price\":1500000,\"qty\":100,\"bid_px\":1500000,\"bid_qty\":100,"
	"\"ask_px\":0,\"ask_qty\":0,\"symbol\":\"AAPL\"}\n",
	"{\"rec\":3,\"type\":\"alert\",\"producer\":3,\"exch_ns\":34200000002000,\"tsc\":4000,"
	"\"wall_ns\":" WN "03000,\"rule\":3,\"stock_locate\":7,\"feed_id\":1,\"event_seq\":42,"
	"\"value\":-5,\"limit\":10,\"name\":\"spread\",\"symbol\":\"AAPL\"}\n",
	"{\"rec\":4,\"type\":\"halt\",\"producer\":3,\"exch_ns\":34200000003000,\"tsc\":5000,"
	"\"wall_ns\":" WN "04000,\"state\":\"halted\",\"scope\":\"symbol\",\"stock_locate\":7,"
	"\"rule\":3,\"epoch\":1,\"reason\":2,\"event_seq\":42,\"trigger_tsc\":5,"
	"\"source\":\"rule:spread\",\"symbol\":\"AAPL\"}\n",
	"{\"rec\":5,\"type\":\"order\",\"producer\":4,\"exch_ns\":34200000004000,\"tsc\":6000,"
	"\"wall_ns\":" WN "05000,\"client_id\":1,\"order_ref\":0,\"stock_locate\":7,\"side\":\"S\","
	"\"action\":\"N\",\"price\":1499000,\"qty\":10,\"strategy\":2,\"symbol\":\"AAPL\"}\n",
	"{\"rec\":6,\"type\":\"fill\",\"producer\":4,\"exch_ns\":34200000005000,\"tsc\":7000,"
	"\"wall_ns\":" WN "06000,\"client_id\":1,\"match_id\":77,\"stock_locate\":7,\"side\":\"S\","
	"\"liquidity\":\"R\",\"price\":1499000,\"qty\":10,\"leaves\":0,\"symbol\":\"AAPL\"}\n",
	"{\"rec\":7,\"type\":\"reject\",\"producer\":4,\"exch_ns\":34200000006000,\"tsc\":8000,"
	"\"wall_ns\":" WN "07000,\"client_id\":2,\"stock_locate\":8,\"side\":\"B\",\"source\":\"K\","
	"\"reason\":1,\"price\":1,\"qty\":1,\"text\":\"halted\",\"symbol\":\"MSFT\"}\n",
	"{\"rec\":8,\"type\":\"stats\",\"producer\":5,\"exch_ns\":0,\"tsc\":9000,"
	"\"wall_ns\":" WN "08000,\"source\":1,\"count\":3,\"interval_ms\":1000,"
	"\"counters\":[10,20,30]}\n",
	"{\"rec\":9,\"type\":\"audit\",\"producer\":6,\"exch_ns\":0,\"tsc\":10000,"
	"\"wall_ns\":" WN "09000,\"uid\":1000,\"gid\":1000,\"pid\":4242,\"result\":0,"
	"\"command\":\"halt\",\"args\":\"--symbol AAPL, now\"}\n",
	"{\"rec\":10,\"type\":\"note\",\"producer\":6,\"exch_ns\":0,\"tsc\":0,\"wall_ns\":0,"
	"\"text\":\"say \\\"hi\\\", ok\"}\n",
	"{\"rec\":11,\"type\":\"drop\",\"producer\":255,\"exch_ns\":0,\"tsc\":0,\"wall_ns\":0,"
	"\"drop_producer\":3,\"total\":5,\"since_last\":5}\n",
};

static const char csv_header[] =
	"rec,type,producer,exch_ns,tsc,wall_ns,kind,msg_type,side,flags,stock_locate,feed_id,"
	"exch_ts_ns,rx_tsc,seq,order_ref,price,qty,bid_px,bid_qty,ask_px,ask_qty,rule,event_seq,"
	"value,limit,name,state,scope,epoch,reason,trigger_tsc,source,client_id,action,strategy,"
	"match_id,liquidity,leaves,text,count,interval_ms,counters,uid,gid,pid,result,command,"
	"args,drop_producer,total,since_last,symbol\n";

/* 53 columns: the six of the header, then the union of the types' fields. */
static const char *const csv_lines[12] = {
	"0,symbol,2,34200000000000,1000,1700000000000000000,,,,,7,1,,,,,,,,,,,,,,,,,,,,,,,,,,"
	",,,,,,,,,,,,,,,AAPL\n",
	"1,symbol,2,34200000000000,2000,1700000000000001000,,,,,8,1,,,,,,,,,,,,,,,,,,,,,,,,,,"
	",,,,,,,,,,,,,,,MSFT\n",
	"2,event,1,34200000001000,3000,1700000000000002000,add,A,B,0,7,1,34200000001000,5,42,"
	"99,1500000,100,1500000,100,0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,AAPL\n",
	"3,alert,3,34200000002000,4000,1700000000000003000,,,,,7,1,,,,,,,,,,,3,42,-5,10,sprea"
	"d,,,,,,,,,,,,,,,,,,,,,,,,,,AAPL\n",
	"4,halt,3,34200000003000,5000,1700000000000004000,,,,,7,,,,,,,,,,,,3,42,,,,halted,sym"
	"bol,1,2,5,rule:spread,,,,,,,,,,,,,,,,,,,,AAPL\n",
	"5,order,4,34200000004000,6000,1700000000000005000,,,S,,7,,,,,0,1499000,10,,,,,,,,,,,"
	",,,,,1,N,2,,,,,,,,,,,,,,,,,AAPL\n",
	"6,fill,4,34200000005000,7000,1700000000000006000,,,S,,7,,,,,,1499000,10,,,,,,,,,,,,,"
	",,,1,,,77,R,0,,,,,,,,,,,,,,AAPL\n",
	"7,reject,4,34200000006000,8000,1700000000000007000,,,B,,8,,,,,,1,1,,,,,,,,,,,,,1,,K,"
	"2,,,,,,halted,,,,,,,,,,,,,MSFT\n",
	"8,stats,5,0,9000,1700000000000008000,,,,,,,,,,,,,,,,,,,,,,,,,,,1,,,,,,,,3,1000,10 20"
	" 30,,,,,,,,,,\n",
	"9,audit,6,0,10000,1700000000000009000,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,1000,1000"
	",4242,0,halt,\"--symbol AAPL, now\",,,,\n",
	"10,note,6,0,0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,\"say \"\"hi\"\", ok\",,,,,,,,,,,,,"
	"\n",
	"11,drop,255,0,0,0,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,3,5,5,\n",
};

/* The expected output of a selection of records, in one string. */
static char *join(const char *const *lines, const unsigned *pick, unsigned n)
{
	size_t len = 1;
	for (unsigned i = 0; i < n; i++)
		len += strlen(lines[pick[i]]);
	char *s = malloc(len);
	s[0] = '\0';
	for (unsigned i = 0; i < n; i++)
		strcat(s, lines[pick[i]]);
	return s;
}

static const unsigned ALL[12] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};

static void expect_out(const struct fixture *f, const char *const *args, const char *want)
{
	struct run r = logcat(f->scratch, args);
	ck_assert_msg(r.status == 0, "exit %d, stderr: %s", r.status, r.err);
	ck_assert_str_eq(r.err, "");
	ck_assert_str_eq(r.out, want);
	run_free(&r);
}

/* ---- tests -------------------------------------------------------------------------- */

START_TEST(text_output_exact)
{
	struct fixture f = fixture();
	char *want = join(text_lines, ALL, 12);
	expect_out(&f, (const char *[]){f.log, NULL}, want);
	free(want);
	fixture_free(&f);
}
END_TEST

START_TEST(json_output_exact)
{
	struct fixture f = fixture();
	char *want = join(json_lines, ALL, 12);
	expect_out(&f, (const char *[]){"--json", f.log, NULL}, want);
	free(want);
	fixture_free(&f);
}
END_TEST

START_TEST(csv_output_exact)
{
	struct fixture f = fixture();
	char *body = join(csv_lines, ALL, 12);
	char *want = malloc(strlen(csv_header) + strlen(body) + 1);
	strcpy(want, csv_header);
	strcat(want, body);
	expect_out(&f, (const char *[]){"--csv", f.log, NULL}, want);
	/* every line has the header's column count (quoted commas aside) */
	ck_assert_uint_eq(count_lines(want), 13);
	free(body);
	free(want);
	fixture_free(&f);
}
END_TEST

START_TEST(filters)
{
	struct fixture f = fixture();
	static const struct {
		const char *a, *b, *c, *d;
		unsigned n;
		unsigned pick[12];
	} cases[] = {
		{"--type", "alert,halt", NULL, NULL, 2, {3, 4}},
		{"-t", "NOTE,10", NULL, NULL, 2, {10, 11}},
		{"--symbol", "AAPL", NULL, NULL, 6, {0, 2, 3, 4, 5, 6}},
		{"-s", "MSFT", NULL, NULL, 2, {1, 7}},
		{"--symbol", "8", NULL, NULL, 2, {1, 7}},
		{"--symbol", "9", NULL, NULL, 0, {0}},
		{"--since", "09:30:00.000002", "--until", "09:30:00.000004", 3, {3, 4, 5}},
		{"--since", "34200000005000", NULL, NULL, 2, {6, 7}},
		{"--until", "09:30:00", NULL, NULL, 2, {0, 1}},
		{"--symbol", "AAPL", "--type", "order,fill,reject", 2, {5, 6}},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[8] = {"--json", cases[i].a, cases[i].b};
		unsigned n = 3;
		if (cases[i].c) {
			args[n++] = cases[i].c;
			args[n++] = cases[i].d;
		}
		args[n++] = f.log;
		args[n] = NULL;
		char *want = join(json_lines, cases[i].pick, cases[i].n);
		expect_out(&f, args, want);
		free(want);
	}
	fixture_free(&f);
}
END_TEST

START_TEST(summary_and_verify)
{
	struct fixture f = fixture();
	expect_out(&f, (const char *[]){"--summary", f.log, NULL},
		   "event 1\nalert 1\nhalt 1\norder 1\nfill 1\nreject 1\nstats 1\naudit 1\nnote 1\n"
		   "drop 1\nsymbol 2\ntotal 12\n");
	expect_out(&f, (const char *[]){"--summary", "--symbol", "MSFT", f.log, NULL},
		   "reject 1\nsymbol 1\ntotal 2\n");
	expect_out(&f, (const char *[]){"--verify", "--type", "event", f.log, NULL},
		   "segments: 1\nruns: 1\nrecords: 12\n  event: 1\n  alert: 1\n  halt: 1\n"
		   "  order: 1\n  fill: 1\n  reject: 1\n  stats: 1\n  audit: 1\n  note: 1\n"
		   "  drop: 1\n  symbol: 2\ntorn tail: no\nresult: ok\n");
	fixture_free(&f);
}
END_TEST

START_TEST(torn_tail_exit_zero)
{
	struct fixture f = fixture();
	char seg[700];
	snprintf(seg, sizeof(seg), "%s/%s", f.log, LT_SEG0);
	/* cut the last record (the 56-byte drop record) 20 bytes short */
	long long size = lt_size(seg);
	lt_truncate(seg, size - 20);
	char want_err[1024];
	snprintf(want_err, sizeof(want_err),
		 "tickpipe-logcat: torn tail: 36 bytes discarded at %s offset %lld (an unfinished"
		 " write, expected after a crash)\n", seg, size - 56);

	struct run r = logcat(f.scratch, (const char *[]){"--json", f.log, NULL});
	ck_assert_int_eq(r.status, 0);
	char *want = join(json_lines, ALL, 11);
	ck_assert_str_eq(r.out, want);
	ck_assert_str_eq(r.err, want_err);
	free(want);
	run_free(&r);

	r = logcat(f.scratch, (const char *[]){"--verify", f.log, NULL});
	ck_assert_int_eq(r.status, 0);
	char want_out[2048];
	snprintf(want_out, sizeof(want_out),
		 "segments: 1\nruns: 1\nrecords: 11\n  event: 1\n  alert: 1\n  halt: 1\n"
		 "  order: 1\n  fill: 1\n  reject: 1\n  stats: 1\n  audit: 1\n  note: 1\n"
		 "  symbol: 2\ntorn tail: yes (36 bytes at %s offset %lld)\nresult: ok\n",
		 seg, size - 56);
	ck_assert_str_eq(r.out, want_out);
	ck_assert_str_eq(r.err, want_err);
	run_free(&r);
	fixture_free(&f);
}
END_TEST

START_TEST(corruption_exit_one)
{
	char *log = lt_mkdtemp(), *scratch = lt_mkdtemp();
	struct tp_log_writer_cfg c = lt_cfg(log, 64 + 10 * 96);
	struct tp_log_writer *w = lt_open(&c);
	for (unsigned i = 0; i < 30; i++) {
		struct tp_log_slot s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	unsigned nf;
	char **files = lt_list(log, &nf);
	ck_assert_uint_eq(nf, 3);
	lt_flip(files[1], 64 + 4 * 96 + 60); /* a payload byte of record 14 */

	char want[1024];
	snprintf(want, sizeof(want), "tickpipe-logcat: corrupt log: %s: offset 448: CRC mismatch",
		 files[1]);
	for (int mode = 0; mode < 3; mode++) {
		const char *m = mode == 0 ? "--verify" : mode == 1 ? "--summary" : "--csv";
		struct run r = logcat(scratch, (const char *[]){m, log, NULL});
		ck_assert_int_eq(r.status, 1);
		ck_assert_uint_eq(count_lines(r.err), 1);
		ck_assert_msg(strncmp(r.err, want, strlen(want)) == 0, "stderr: %s", r.err);
		if (mode == 0)
			ck_assert_ptr_nonnull(strstr(r.out, "records: 14\n"));
		if (mode == 1)
			ck_assert_str_eq(r.out, "event 14\ntotal 14\n");
		if (mode == 2)
			ck_assert_uint_eq(count_lines(r.out), 15); /* header + the 14 before */
		run_free(&r);
	}
	lt_free_list(files, nf);
	lt_rmdir(log);
	lt_rmdir(scratch);
}
END_TEST

START_TEST(bad_arguments)
{
	struct fixture f = fixture();
	char missing[700];
	snprintf(missing, sizeof(missing), "%s/none", f.log);
	static const struct {
		const char *a, *b, *c;
		int status;
		const char *err;
	} cases[] = {
		{NULL, NULL, NULL, 2, "tickpipe-logcat: no log directory or segment file given"
				      " (try --help)\n"},
		{"--bogus", "LOG", NULL, 2, "tickpipe-logcat: unknown option --bogus (try --help)\n"},
		{"-x", "LOG", NULL, 2, "tickpipe-logcat: unknown option -x (try --help)\n"},
		{"--type", "quote", "LOG", 2, "tickpipe-logcat: --type: unknown record type 'quote'"
					      " (try --help)\n"},
		{"--since", "25:00:00", "LOG", 2, "tickpipe-logcat: --since: bad time '25:00:00'"
						  " (HH:MM:SS[.fff] or ns) (try --help)\n"},
		{"--until", "9:30", "LOG", 2, "tickpipe-logcat: --until: bad time '9:30'"
					      " (HH:MM:SS[.fff] or ns) (try --help)\n"},
		{"--symbol", "TOOLONGSYM", "LOG", 2, "tickpipe-logcat: --symbol: 'TOOLONGSYM' is not"
						     " a symbol (1..8 characters) (try --help)\n"},
		{"--csv", "--json", "LOG", 2, "tickpipe-logcat: --csv, --json, --summary and --verify"
					      " exclude each other (try --help)\n"},
		{"-f", "--verify", "LOG", 2, "tickpipe-logcat: --follow does not go with --verify"
					     " (try --help)\n"},
		{"--type", NULL, NULL, 2, "tickpipe-logcat: option --type needs a value"
					  " (try --help)\n"},
		{"MISSING", NULL, NULL, 1, NULL},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *args[4] = {NULL};
		const char *in[3] = {cases[i].a, cases[i].b, cases[i].c};
		unsigned n = 0;
		for (unsigned k = 0; k < 3 && in[k]; k++)
			args[n++] = !strcmp(in[k], "LOG") ? f.log
				    : !strcmp(in[k], "MISSING") ? missing : in[k];
		struct run r = logcat(f.scratch, args);
		ck_assert_msg(r.status == cases[i].status, "case %u: exit %d", i, r.status);
		ck_assert_str_eq(r.out, "");
		if (cases[i].err)
			ck_assert_str_eq(r.err, cases[i].err);
		else
			ck_assert_uint_eq(count_lines(r.err), 1);
		run_free(&r);
	}
	struct run r = logcat(f.scratch, (const char *[]){"--help", NULL});
	ck_assert_int_eq(r.status, 0);
	ck_assert_int_eq(strncmp(r.out, "usage: tickpipe-logcat [options] DIR|FILE...\n", 45), 0);
	run_free(&r);
	fixture_free(&f);
}
END_TEST

/* -f prints what is there, then what is appended, across a rotation, until SIGTERM. */
START_TEST(follow_mode)
{
	char *log = lt_mkdtemp(), *scratch = lt_mkdtemp();
	struct tp_log_writer_cfg c = lt_cfg(log, 64 + 10 * 96);
	struct tp_log_writer *w = lt_open(&c);
	for (unsigned i = 0; i < 5; i++) {
		struct tp_log_slot s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_int_eq(tp_log_writer_flush(w), 0);
	pid_t pid = spawn(scratch, (const char *[]){"-f", "--poll-ms", "5", "--summary", log, NULL});
	struct run r0 = finish(scratch, pid); /* refused: -f with --summary */
	ck_assert_int_eq(r0.status, 2);
	run_free(&r0);

	pid = spawn(scratch, (const char *[]){"-f", "--poll-ms", "5", "-t", "event", log, NULL});
	for (unsigned i = 5; i < 25; i++) {
		struct tp_log_slot s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	/* wait until all 25 are printed (the test's timeout bounds this) */
	char out[700];
	snprintf(out, sizeof(out), "%s/out.txt", scratch);
	for (;;) {
		char *s = slurp(out);
		unsigned n = count_lines(s);
		free(s);
		if (n >= 25)
			break;
		struct timespec d = {0, 5000000};
		nanosleep(&d, NULL);
	}
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	struct run r = finish(scratch, pid);
	ck_assert_int_eq(r.status, 0);
	ck_assert_str_eq(r.err, "");
	ck_assert_uint_eq(count_lines(r.out), 25);
	/* in order: record i starts with "i " */
	const char *p = r.out;
	for (unsigned i = 0; i < 25; i++) {
		char pre[16];
		int n = snprintf(pre, sizeof(pre), "%u ", i);
		ck_assert_int_eq(strncmp(p, pre, (size_t)n), 0);
		p = strchr(p, '\n') + 1;
	}
	run_free(&r);
	lt_rmdir(log);
	lt_rmdir(scratch);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("logcat");
	TCase *tc = tcase_create("logcat");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, text_output_exact);
	tcase_add_test(tc, json_output_exact);
	tcase_add_test(tc, csv_output_exact);
	tcase_add_test(tc, filters);
	tcase_add_test(tc, summary_and_verify);
	tcase_add_test(tc, torn_tail_exit_zero);
	tcase_add_test(tc, corruption_exit_one);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, follow_mode);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
