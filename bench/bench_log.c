/* bench_log: the slow-path log's two budgets (DESIGN.md): the hot-path append (reserve, fill,
 * commit of one 64-byte event record) p50 <= 25 ns with the logger thread draining on the
 * other core, and >= 2M records/s sustained to disk with nothing lost.
 *
 * Cases, one JSON line each:
 *   append     each append timed alone (rdtsc bracket minus the median cost of an empty
 *              bracket timed in the same iteration), paced at
 *              --rate records/s so the logger keeps up and nothing waits: p50/p99/p999/max
 *   burst      unpaced bursts of half a ring while the logger drains: mean ns per append
 *   sustained  as fast as the producer can go in replay mode (back-pressure), until
 *              tp_logger_stop has drained, written and fdatasync()ed everything; then the log
 *              is read back (every CRC, every seq) to prove nothing was lost
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/vfs.h>
#include <dirent.h>
#include <unistd.h>

#include "bench_common.h"
#include "tp_logger.h"
#include "tp_logreader.h"

struct opts {
	uint64_t records;        /* sustained */
	uint64_t append_records; /* append and burst */
	uint64_t rate;           /* append pacing, records/s */
	uint32_t capacity;
	const char *dir_base;
	int no_sync;
	int keep;
	int cpu_prod, cpu_log;
	const char *cases;
	int quick;
};

/* ---- scratch directories ------------------------------------------------------------ */

static char *make_dir(const struct opts *o)
{
	char tmpl[1024];
	snprintf(tmpl, sizeof(tmpl), "%s/bench_log-XXXXXX", o->dir_base);
	char *d = mkdtemp(tmpl);
	if (!d) {
		fprintf(stderr, "bench_log: mkdtemp in %s: %s\n", o->dir_base, strerror(errno));
		exit(1);
	}
	return strdup(d);
}

static void remove_dir(const struct opts *o, char *dir)
{
	if (!o->keep) {
		DIR *d = opendir(dir);
		struct dirent *de;
		while (d && (de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' && (!de->d_name[1] || !strcmp(de->d_name, "..")))
				continue;
			char p[2048];
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			unlink(p);
		}
		if (d)
			closedir(d);
		rmdir(dir);
	}
	free(dir);
}

static const char *fs_name(const char *dir)
{
	struct statfs sf;
	if (statfs(dir, &sf) != 0)
		return "unknown";
	switch ((unsigned long)sf.f_type) {
	case 0x01021994UL: return "tmpfs";
	case 0xEF53UL: return "ext4";
	case 0x58465342UL: return "xfs";
	case 0x9123683EUL: return "btrfs";
	default: return "other";
	}
}

/* ---- the logger under test ---------------------------------------------------------- */

static struct tp_logger *start_logger(const struct opts *o, const char *dir,
				      struct tp_log_prod *p)
{
	struct tp_logger_cfg c;
	memset(&c, 0, sizeof(c));
	c.w.dir = dir;
	c.w.segment_bytes = 256ull << 20;
	c.w.buf_bytes = 4u << 20;
	c.w.flush_ms = 10;           /* at most 10 ms of records at risk */
	c.w.flush_bytes = 16u << 20; /* or 16 MiB, whichever first */
	c.w.no_sync = o->no_sync;
	c.pin = 1;
	c.cpu = o->cpu_log;
	char err[256];
	struct tp_logger *lg = tp_logger_start(&c, &p, 1, err, sizeof(err));
	if (!lg) {
		fprintf(stderr, "bench_log: %s\n", err);
		exit(1);
	}
	return lg;
}

static struct tp_event event_of(uint64_t i)
{
	struct tp_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = TP_EV_ADD;
	ev.msg_type = 'A';
	ev.side = 'B';
	ev.stock_locate = (uint16_t)(1 + (i & 511));
	ev.exch_ts_ns = 34200000000000ull + i;
	ev.seq = i;
	ev.order_ref = i * 3 + 1;
	ev.price = 1000000;
	ev.qty = 100;
	return ev;
}

static struct tp_log_prod *make_prod(const struct opts *o)
{
	struct tp_log_prod *p = tp_log_prod_create("bench", 1, o->capacity, TP_LOG_REPLAY, 0);
	if (!p) {
		fprintf(stderr, "bench_log: producer ring: %s\n", strerror(errno));
		exit(1);
	}
	return p;
}

/* ---- append: one record at a time ---------------------------------------------------- */

static void case_append(const struct opts *o, double tpn)
{
	char *dir = make_dir(o);
	struct tp_log_prod *p = make_prod(o);
	struct tp_logger *lg = start_logger(o, dir, p);
	uint64_t n = o->append_records;
	uint64_t *ticks = malloc(n * sizeof(*ticks));
	uint64_t *empty = malloc(n * sizeof(*empty));
	if (!ticks || !empty) {
		fprintf(stderr, "bench_log: out of memory\n");
		exit(1);
	}

	/* warm the ring's lines and the logger's path once round */
	for (uint64_t i = 0; i < o->capacity; i++) {
		struct tp_event ev = event_of(i);
		tp_log_event(p, &ev);
	}

	uint64_t period = (uint64_t)((1e9 / (double)o->rate) * tpn);
	uint64_t pre0 = tp_bench_preemptions();
	uint64_t next = tp_bench_tsc_begin();
	for (uint64_t i = 0; i < n; i++) {
		struct tp_event ev = event_of(i);
		uint64_t now;
		while ((now = tp_bench_tsc_begin()) < next)
			tp_bench_relax();
		/* fell far behind (preempted): restart the schedule rather than burst to catch up */
		next = (now - next > 1000 * period) ? now + period : next + period;
		uint64_t t0 = tp_bench_tsc_begin();
		tp_log_event(p, &ev);
		uint64_t t1 = tp_bench_tsc_end();
		/* the bracket alone, right after, under the same conditions: its median is what
		 * the bracket adds to each measurement */
		uint64_t e0 = tp_bench_tsc_begin();
		uint64_t e1 = tp_bench_tsc_end();
		ticks[i] = t1 - t0;
		empty[i] = e1 - e0;
	}
	uint64_t pre = tp_bench_preemptions() - pre0;
	struct tp_logger_stats st;
	int rc = tp_logger_stop(lg, &st);

	tp_bench_sort_u64(empty, n);
	uint64_t overhead = tp_bench_pct_u64(empty, n, 50);
	tp_bench_sort_u64(ticks, n);
	double raw_p50 = (double)tp_bench_pct_u64(ticks, n, 50) / tpn;
	for (uint64_t i = 0; i < n; i++)
		ticks[i] = ticks[i] > overhead ? ticks[i] - overhead : 0;
	struct tp_bench_json j;
	tp_bench_json_begin(&j, "log", "tickpipe", "append");
	tp_bench_json_u64(&j, "records", n);
	tp_bench_json_u64(&j, "rate", o->rate);
	tp_bench_json_u64(&j, "capacity", o->capacity);
	tp_bench_json_f64(&j, "p50_ns", (double)tp_bench_pct_u64(ticks, n, 50) / tpn);
	tp_bench_json_f64(&j, "p99_ns", (double)tp_bench_pct_u64(ticks, n, 99) / tpn);
	tp_bench_json_f64(&j, "p999_ns", (double)tp_bench_pct_u64(ticks, n, 99.9) / tpn);
	tp_bench_json_f64(&j, "max_ns", (double)ticks[n - 1] / tpn);
	tp_bench_json_f64(&j, "bracket_ns", (double)overhead / tpn);
	tp_bench_json_f64(&j, "p50_raw_ns", raw_p50);
	tp_bench_json_u64(&j, "drops", st.drops + tp_log_prod_drops(p));
	tp_bench_json_u64(&j, "logged", st.records);
	tp_bench_json_u64(&j, "preemptions", pre);
	tp_bench_json_bool(&j, "write_ok", rc == 0);
	tp_bench_json_end(&j);
	free(ticks);
	free(empty);
	tp_log_prod_free(p);
	remove_dir(o, dir);
}

/* ---- burst: mean cost when appends come back to back --------------------------------- */

static void case_burst(const struct opts *o)
{
	char *dir = make_dir(o);
	struct tp_log_prod *p = make_prod(o);
	struct tp_logger *lg = start_logger(o, dir, p);
	uint32_t b = o->capacity / 2;
	uint64_t done = 0, ns = 0, i = 0;
	uint64_t pre0 = tp_bench_preemptions();
	while (done < o->append_records) {
		while (!tp_ring_empty(p->ring)) /* untimed: let the logger catch up */
			tp_bench_relax();
		uint64_t t0 = tp_bench_now_ns();
		for (uint32_t k = 0; k < b; k++, i++) {
			struct tp_event ev = event_of(i);
			tp_log_event(p, &ev);
		}
		ns += tp_bench_now_ns() - t0;
		done += b;
	}
	uint64_t pre = tp_bench_preemptions() - pre0;
	struct tp_logger_stats st;
	int rc = tp_logger_stop(lg, &st);
	struct tp_bench_json j;
	tp_bench_json_begin(&j, "log", "tickpipe", "burst");
	tp_bench_json_u64(&j, "records", done);
	tp_bench_json_u64(&j, "burst", b);
	tp_bench_json_f64(&j, "ns_per_msg", (double)ns / (double)done);
	tp_bench_json_f64(&j, "mops", (double)done * 1000.0 / (double)ns);
	tp_bench_json_u64(&j, "drops", st.drops + tp_log_prod_drops(p));
	tp_bench_json_u64(&j, "logged", st.records);
	tp_bench_json_u64(&j, "preemptions", pre);
	tp_bench_json_bool(&j, "write_ok", rc == 0);
	tp_bench_json_end(&j);
	tp_log_prod_free(p);
	remove_dir(o, dir);
}

/* ---- sustained: to disk, then proved complete ---------------------------------------- */

/* Reads the log back: 1 if it holds exactly n events 0..n-1 in order, every CRC good. */
static int verify(const char *dir, uint64_t n, uint64_t *read_out)
{
	struct tp_log_reader *rd;
	char err[512];
	if (tp_log_reader_open(&rd, &dir, 1, 0, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_log: verify: %s\n", err);
		return 0;
	}
	struct tp_log_slot r;
	uint64_t k = 0;
	int rc, ok = 1;
	while ((rc = tp_log_reader_next(rd, &r)) == 1) {
		if (r.hdr.type != TP_LOG_EVENT || r.hdr.seq != k || r.u.event.seq != k)
			ok = 0;
		k++;
	}
	if (rc != 0) {
		fprintf(stderr, "bench_log: verify: %s\n", tp_log_reader_error(rd));
		ok = 0;
	}
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	if (st.torn_tails)
		ok = 0;
	tp_log_reader_close(rd);
	*read_out = k;
	return ok && k == n;
}

static void case_sustained(const struct opts *o)
{
	char *dir = make_dir(o);
	struct tp_log_prod *p = make_prod(o);
	struct tp_logger *lg = start_logger(o, dir, p);
	uint64_t n = o->records;
	uint64_t pre0 = tp_bench_preemptions();
	uint64_t t0 = tp_bench_now_ns();
	for (uint64_t i = 0; i < n; i++) {
		struct tp_event ev = event_of(i);
		tp_log_event(p, &ev);
	}
	uint64_t t_prod = tp_bench_now_ns();
	struct tp_logger_stats st;
	int rc = tp_logger_stop(lg, &st); /* drained, written and synced when it returns */
	uint64_t t1 = tp_bench_now_ns();
	uint64_t pre = tp_bench_preemptions() - pre0;
	uint64_t got = 0;
	int ok = verify(dir, n, &got);
	double secs = (double)(t1 - t0) / 1e9;

	struct tp_bench_json j;
	tp_bench_json_begin(&j, "log", "tickpipe", "sustained");
	tp_bench_json_str(&j, "fs", fs_name(dir));
	tp_bench_json_bool(&j, "sync", !o->no_sync);
	tp_bench_json_u64(&j, "records", n);
	tp_bench_json_u64(&j, "capacity", o->capacity);
	tp_bench_json_f64(&j, "records_per_s", (double)n / secs);
	tp_bench_json_f64(&j, "mops", (double)n / secs / 1e6);
	tp_bench_json_f64(&j, "mb_per_s", (double)st.bytes / secs / 1e6);
	tp_bench_json_f64(&j, "producer_s", (double)(t_prod - t0) / 1e9);
	tp_bench_json_f64(&j, "total_s", secs);
	tp_bench_json_u64(&j, "bytes", st.bytes);
	tp_bench_json_u64(&j, "segments", st.segments);
	tp_bench_json_u64(&j, "flushes", st.flushes);
	tp_bench_json_u64(&j, "drops", st.drops + tp_log_prod_drops(p));
	tp_bench_json_u64(&j, "read_back", got);
	tp_bench_json_u64(&j, "lost", n > got ? n - got : 0);
	tp_bench_json_bool(&j, "verified", ok);
	tp_bench_json_bool(&j, "write_ok", rc == 0);
	tp_bench_json_u64(&j, "preemptions", pre);
	tp_bench_json_end(&j);
	tp_log_prod_free(p);
	remove_dir(o, dir);
	if (!ok || rc != 0)
		exit(1); /* a lossy log is a failure, not a figure */
}

/* ---- command line ------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_log [options]\n"
		"  --records N          sustained case: records (default 10000000)\n"
		"  --append-records N   append and burst cases: records (default 2000000)\n"
		"  --rate N             append case: pace, records/s (default 2000000)\n"
		"  --capacity N         ring slots, a power of two (default 65536)\n"
		"  --dir DIR            where the logs go (default $TMPDIR or /tmp; /dev/shm = tmpfs)\n"
		"  --no-sync            flush with write(2) only, no fdatasync\n"
		"  --keep               leave the logs behind\n"
		"  --cases LIST         comma-separated: append,burst,sustained (default all)\n"
		"  --cpus A,B           CPUs of the producer and the logger (default 0,1)\n"
		"  --quick              small sizes for a smoke run\n"
		"  --help               this text\n");
}

static void bad(const char *what, const char *v)
{
	fprintf(stderr, "bench_log: bad value for %s: '%s' (try --help)\n", what, v ? v : "");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	struct opts o = {.records = 10000000, .append_records = 2000000, .rate = 2000000,
			 .capacity = 65536, .dir_base = tmp && *tmp ? tmp : "/tmp",
			 .cpu_prod = 0, .cpu_log = 1, .cases = "append,burst,sustained"};
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--quick")) {
			o.quick = 1;
		} else if (!strcmp(a, "--no-sync")) {
			o.no_sync = 1;
		} else if (!strcmp(a, "--keep")) {
			o.keep = 1;
		} else if (!strcmp(a, "--records")) {
			if (tp_bench_parse_u64(v, 1, 1ull << 40, &o.records))
				bad(a, v);
			i++;
		} else if (!strcmp(a, "--append-records")) {
			if (tp_bench_parse_u64(v, 1000, 1ull << 32, &o.append_records))
				bad(a, v);
			i++;
		} else if (!strcmp(a, "--rate")) {
			if (tp_bench_parse_u64(v, 1, 100000000, &o.rate))
				bad(a, v);
			i++;
		} else if (!strcmp(a, "--capacity")) {
			if (tp_bench_parse_u64(v, 2, 1u << 24, &x) || (x & (x - 1)))
				bad(a, v);
			o.capacity = (uint32_t)x;
			i++;
		} else if (!strcmp(a, "--dir")) {
			if (!v)
				bad(a, v);
			o.dir_base = v;
			i++;
		} else if (!strcmp(a, "--cases")) {
			if (!v)
				bad(a, v);
			o.cases = v;
			i++;
		} else if (!strcmp(a, "--cpus")) {
			if (!v || sscanf(v, "%d,%d", &o.cpu_prod, &o.cpu_log) != 2 || o.cpu_prod < 0 ||
			    o.cpu_log < 0)
				bad(a, v);
			i++;
		} else {
			fprintf(stderr, "bench_log: unknown option '%s' (try --help)\n", a);
			return 2;
		}
	}
	if (o.quick) {
		o.records = 200000;
		o.append_records = 100000;
		o.capacity = 4096;
	}
	if (o.append_records < o.capacity)
		o.append_records = o.capacity;
	if (tp_bench_pin(o.cpu_prod) != 0)
		fprintf(stderr, "bench_log: could not pin the producer to CPU %d\n", o.cpu_prod);
	double tpn = tp_bench_tsc_per_ns(100);
	if (tp_bench_in_list(o.cases, "append"))
		case_append(&o, tpn);
	if (tp_bench_in_list(o.cases, "burst"))
		case_burst(&o);
	if (tp_bench_in_list(o.cases, "sustained"))
		case_sustained(&o);
	return 0;
}
