/* ITCH decode + L3 book on one core (DESIGN.md budget: >= 20M messages/s on a 5M-message,
 * 500-stock stream, <= 1 GiB resident).
 *
 * The stream is a BinaryFILE from tickpipe-gen, loaded into memory first so the figure is
 * the decoder's and the book's, not the disk's or zlib's. Cases:
 *   decode        tp_binfile framing + tp_itch_decode only (the floor)
 *   decode_book   what the RX lcore does with a BinaryFILE: messages in bursts of 64 through
 *                 tp_feed_rx_itch_burst, i.e. decode, book update and the 64-byte event with
 *                 the top of book after the update, the book lines of each message being
 *                 fetched a few messages ahead
 *   decode_book_single  the same one message per tp_feed_rx_itch call, no look-ahead (what
 *                 decode_book measured before the burst entry point existed)
 *   decode_book_ahead   tp_feed_rx_itch per message with tp_feed_prefetch_itch issued by the
 *                 caller 8 messages ahead (for callers that cannot hold a burst)
 *   mold_book     the stream as MoldUDP64 packets of up to 1400 bytes (built before the
 *                 clock starts) through tp_feed_rx_mold on one line: sequencing,
 *                 arbitration, then the same decode, book and events
 * Every book case must end with the same counts, events and books (checked).
 * rss_mb is the peak resident set without hugepages; huge_mb is the hugepage memory mapped
 * (where the book lives when the machine has hugepages): the budget counts both.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_common.h"
#include "tp_binfile.h"
#include "tp_book.h"
#include "tp_feed.h"
#include "tp_itch.h"

#ifndef TP_GEN_PATH
#define TP_GEN_PATH "tickpipe-gen"
#endif

static void usage(FILE *o)
{
	fprintf(o,
		"Usage: bench_feed [--messages N] [--stocks N] [--reps N] [--file BINFILE] [--quick]\n"
		"Decode + book throughput on one core over a tickpipe-gen BinaryFILE held in memory.\n"
		"  --messages N  messages to generate (default 5000000)\n"
		"  --stocks N    stocks (default 500)\n"
		"  --reps N      repetitions; the median is reported (default 5)\n"
		"  --file F      use this BinaryFILE instead of generating one\n"
		"  --gen PATH    tickpipe-gen to run (default: the one built with this benchmark)\n"
		"  --cpu N       pin to CPU N (default 0)\n"
		"  --case NAME   run only this case: decode, decode_book, decode_book_single,\n"
		"                decode_book_ahead or mold_book\n"
		"  --max-orders N  book capacity (default: the feed's, 4M)\n"
		"  --quick       200000 messages, 50 stocks, 1 rep (smoke run)\n");
}

static uint8_t *load(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		fprintf(stderr, "bench_feed: %s: %s\n", path, strerror(errno));
		exit(1);
	}
	uint8_t *buf = malloc((size_t)st.st_size + 1);
	size_t got = 0;
	while (buf && got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!buf || got != (size_t)st.st_size) {
		fprintf(stderr, "bench_feed: cannot read %s\n", path);
		exit(1);
	}
	*len = got;
	return buf;
}

static void generate(const char *gen, const char *out, uint64_t msgs, uint64_t stocks)
{
	char m[32], s[32];
	snprintf(m, sizeof(m), "%" PRIu64, msgs);
	snprintf(s, sizeof(s), "%" PRIu64, stocks);
	pid_t pid = fork();
	if (pid == 0) {
		execl(gen, gen, "--format", "binfile", "--messages", m, "--stocks", s, "--seed", "7",
		      "-o", out, (char *)NULL);
		fprintf(stderr, "bench_feed: cannot run %s: %s\n", gen, strerror(errno));
		_exit(127);
	}
	int status;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, "bench_feed: %s failed\n", gen);
		exit(1);
	}
}

static struct tp_binfile *open_mem(const uint8_t *buf, size_t len)
{
	struct tp_binfile *bf;
	char err[256];
	if (tp_binfile_open_mem(buf, len, &bf, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_feed: %s\n", err);
		exit(1);
	}
	return bf;
}

/* CPU time of this thread: on a shared machine it leaves out the time other jobs held the
 * core, so it is the steadier figure for comparing two builds (mps_cpu). */
static uint64_t last_cpu_ns;

static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Hugepage memory mapped by this process: not part of the RSS that getrusage reports, and
 * where the book lives when the machine has hugepages, so the 1 GiB budget counts both. */
static uint64_t peak_huge_kb;

static uint64_t huge_kb(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	unsigned long long kb = 0;
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "HugetlbPages: %llu kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}

/* Returns elapsed ns; *count receives the messages handled. */
static uint64_t run_decode(const uint8_t *buf, size_t len, uint64_t *count, uint64_t *check)
{
	struct tp_binfile *bf = open_mem(buf, len);
	const uint8_t *msg;
	uint32_t ml;
	uint64_t n = 0, sum = 0;
	struct tp_itch_msg m;
	uint64_t t0 = tp_bench_now_ns(), c0 = cpu_ns();
	while (tp_binfile_next(bf, &msg, &ml) == 1) {
		if (tp_itch_decode(msg, ml, &m) == TP_ITCH_OK)
			sum += m.timestamp_ns; /* keeps the decode from being optimised away */
		n++;
	}
	uint64_t dt = tp_bench_now_ns() - t0;
	last_cpu_ns = cpu_ns() - c0;
	tp_binfile_close(bf);
	*count = n;
	*check = sum;
	return dt;
}

static uint32_t max_orders; /* 0: the feed's default */

/* The final books in one number, so cases and repetitions can be compared. */
static uint64_t book_digest(const struct tp_book *b)
{
	static uint16_t locs[65536];
	uint32_t n = tp_book_stocks(b, locs, 65536);
	uint64_t h = tp_book_order_count(b);
	for (uint32_t i = 0; i < n; i++) {
		struct tp_book_stock_stats s;
		tp_book_stock_stats(b, locs[i], &s);
		uint64_t v[] = { s.locate, s.bid_px, s.ask_px, s.bid_qty, s.ask_qty, s.bid_levels,
				 s.ask_levels, s.bid_orders, s.ask_orders };
		for (unsigned k = 0; k < sizeof(v) / sizeof(v[0]); k++)
			h = (h ^ v[k]) * 0x100000001b3ull;
	}
	return h;
}

#define BURST 64u
#define MOLD_MAX_PAYLOAD 1400u

enum book_way { WAY_BURST, WAY_SINGLE, WAY_AHEAD, WAY_MOLD };

/* The stream as MoldUDP64 packets, laid end to end: pkt_off[i] .. pkt_off[i + 1]. */
static uint8_t *mold_buf;
static size_t *pkt_off;
static size_t npkts;

static void build_mold(const uint8_t *buf, size_t len)
{
	struct tp_binfile *bf = open_mem(buf, len);
	size_t cap = len + len / 8 + MOLD_MAX_PAYLOAD, pcap = 1024;
	mold_buf = malloc(cap);
	pkt_off = malloc(pcap * sizeof(*pkt_off));
	if (!mold_buf || !pkt_off) {
		fprintf(stderr, "bench_feed: no memory for the packets\n");
		exit(1);
	}
	const uint8_t *msg;
	uint32_t ml;
	int more = tp_binfile_next(bf, &msg, &ml) == 1;
	size_t at = 0;
	uint64_t seq = 1;
	while (more) {
		uint8_t *p = mold_buf + at;
		memcpy(p, "BENCHFEED0", 10);
		size_t off = 20;
		uint16_t cnt = 0;
		while (more && off + 2 + ml <= MOLD_MAX_PAYLOAD && cnt < UINT16_MAX) {
			p[off] = (uint8_t)(ml >> 8);
			p[off + 1] = (uint8_t)ml;
			memcpy(p + off + 2, msg, ml);
			off += 2 + ml;
			cnt++;
			more = tp_binfile_next(bf, &msg, &ml) == 1;
		}
		for (int k = 0; k < 8; k++)
			p[10 + k] = (uint8_t)(seq >> (56 - 8 * k));
		p[18] = (uint8_t)(cnt >> 8);
		p[19] = (uint8_t)cnt;
		seq += cnt;
		if (npkts + 2 > pcap && !(pkt_off = realloc(pkt_off, (pcap *= 2) * sizeof(*pkt_off)))) {
			fprintf(stderr, "bench_feed: no memory for the packets\n");
			exit(1);
		}
		pkt_off[npkts++] = at;
		at += off;
		if (at + MOLD_MAX_PAYLOAD > cap) {
			fprintf(stderr, "bench_feed: packet buffer too small\n");
			exit(1);
		}
	}
	pkt_off[npkts] = at;
	tp_binfile_close(bf);
}

static uint64_t run_book(const uint8_t *buf, size_t len, enum book_way way, uint64_t *count,
			 uint64_t *check)
{
	struct tp_feed_params p = { .max_orders = max_orders };
	struct tp_feed *f = tp_feed_create(&p);
	if (!f) {
		fprintf(stderr, "bench_feed: cannot create the feed (memory)\n");
		exit(1);
	}
	struct tp_binfile *bf = open_mem(buf, len);
	struct tp_sink sink;
	tp_sink_init(&sink, NULL, 1);
	const uint8_t *msg;
	uint32_t ml;
	uint64_t seq = 0;
	const uint8_t *msgs[BURST];
	uint32_t lens[BURST];
	uint64_t t0 = tp_bench_now_ns(), c0 = cpu_ns();
	if (way == WAY_BURST) {
		/* Reading over memory: every pointer of the burst stays valid. */
		uint32_t n;
		do {
			for (n = 0; n < BURST && tp_binfile_next(bf, &msgs[n], &lens[n]) == 1; n++)
				;
			tp_feed_rx_itch_burst(f, msgs, lens, n, seq + 1, &sink);
			seq += n;
		} while (n == BURST);
	} else if (way == WAY_SINGLE) {
		while (tp_binfile_next(bf, &msg, &ml) == 1)
			tp_feed_rx_itch(f, msg, ml, ++seq, &sink);
	} else if (way == WAY_AHEAD) {
		/* A window of the last 8 messages read: prefetch on read, apply 8 reads later. */
		uint32_t head = 0, n = 0;
		for (;;) {
			int more = tp_binfile_next(bf, &msg, &ml) == 1;
			if (more) {
				tp_feed_prefetch_itch(f, msg, ml);
				msgs[(head + n) & 7] = msg;
				lens[(head + n) & 7] = ml;
				n++;
			}
			if (n == 8 || (!more && n)) {
				tp_feed_rx_itch(f, msgs[head], lens[head], ++seq, &sink);
				head = (head + 1) & 7;
				n--;
			}
			if (!more && !n)
				break;
		}
	} else {
		for (size_t i = 0; i < npkts; i++)
			tp_feed_rx_mold(f, mold_buf + pkt_off[i], (uint32_t)(pkt_off[i + 1] - pkt_off[i]),
					0, 1000 * (uint64_t)i, 0, &sink);
		tp_feed_finish(f, &sink);
	}
	uint64_t dt = tp_bench_now_ns() - t0;
	last_cpu_ns = cpu_ns() - c0;
	uint64_t hk = huge_kb();
	if (hk > peak_huge_kb)
		peak_huge_kb = hk;
	const struct tp_feed_stats *st = tp_feed_stats(f);
	*count = st->messages_total;
	*check = st->unknown_refs + st->malformed + sink.emitted + book_digest(tp_feed_book(f));
	tp_binfile_close(bf);
	tp_feed_free(f);
	return dt;
}

int main(int argc, char **argv)
{
	uint64_t msgs = 5000000, stocks = 500, reps = 5, cpu = 0, mo = 0;
	const char *file = NULL, *gen = TP_GEN_PATH, *only = NULL;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--quick")) {
			msgs = 200000, stocks = 50, reps = 1;
		} else if (!strcmp(a, "--messages") && v && !tp_bench_parse_u64(v, 1000, 1ull << 32, &msgs)) {
			i++;
		} else if (!strcmp(a, "--stocks") && v && !tp_bench_parse_u64(v, 1, 10000, &stocks)) {
			i++;
		} else if (!strcmp(a, "--reps") && v && !tp_bench_parse_u64(v, 1, 1000, &reps)) {
			i++;
		} else if (!strcmp(a, "--cpu") && v && !tp_bench_parse_u64(v, 0, 4095, &cpu)) {
			i++;
		} else if (!strcmp(a, "--file") && v) {
			file = argv[++i];
		} else if (!strcmp(a, "--max-orders") && v &&
			   !tp_bench_parse_u64(v, 16, 1u << 30, &mo)) {
			max_orders = (uint32_t)mo;
			i++;
		} else if (!strcmp(a, "--case") && v) {
			only = argv[++i];
		} else if (!strcmp(a, "--gen") && v) {
			gen = argv[++i];
		} else {
			fprintf(stderr, "bench_feed: bad argument '%s' (try --help)\n", a);
			return 2;
		}
	}
	char tmp[256] = "";
	if (!file) {
		const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(tmp, sizeof(tmp), "%s/bench_feed.%d.bin", dir, (int)getpid());
		fprintf(stderr, "bench_feed: generating %" PRIu64 " messages over %" PRIu64 " stocks\n",
			msgs, stocks);
		generate(gen, tmp, msgs, stocks);
		file = tmp;
	}
	size_t len;
	uint8_t *buf = load(file, &len);
	if (tmp[0])
		unlink(tmp);
	if (tp_bench_pin((int)cpu) != 0)
		fprintf(stderr, "bench_feed: could not pin to CPU %" PRIu64 ", running unpinned\n", cpu);

	/* cases[c] for c >= 1 runs book way c - 1 */
	static const char *cases[] = { "decode", "decode_book", "decode_book_single",
				       "decode_book_ahead", "mold_book" };
	int ncases = (int)(sizeof(cases) / sizeof(cases[0])), known = 0;
	for (int c = 0; c < ncases; c++)
		known |= !only || !strcmp(only, cases[c]);
	if (!known) {
		fprintf(stderr, "bench_feed: no case '%s' (try --help)\n", only);
		return 2;
	}
	if (!only || !strcmp(only, "mold_book"))
		build_mold(buf, len);
	for (int c = 0; c < ncases; c++) {
		if (only && strcmp(only, cases[c]) != 0)
			continue;
		double mps[1000], mps_cpu[1000];
		uint64_t count = 0, check = 0, check0 = 0;
		static uint64_t book_check; /* every book case must end in the same state */
		for (uint64_t r = 0; r < reps; r++) {
			uint64_t dt = c == 0 ? run_decode(buf, len, &count, &check)
					     : run_book(buf, len, (enum book_way)(c - 1), &count, &check);
			if (r > 0 && check != check0) {
				fprintf(stderr, "bench_feed: repetition %" PRIu64 " gave a different result\n", r);
				return 1;
			}
			check0 = check;
			if (c > 0 && book_check && check != book_check) {
				fprintf(stderr, "bench_feed: case %s disagrees with the other book cases\n",
					cases[c]);
				return 1;
			}
			if (c > 0)
				book_check = check;
			mps[r] = (double)count / ((double)dt / 1e9) / 1e6;
			mps_cpu[r] = (double)count / ((double)last_cpu_ns / 1e9) / 1e6;
		}
		tp_bench_sort_f64(mps, reps);
		double med = tp_bench_median_f64(mps, reps);
		tp_bench_sort_f64(mps_cpu, reps);
		double med_cpu = tp_bench_median_f64(mps_cpu, reps);
		struct rusage ru;
		getrusage(RUSAGE_SELF, &ru);
		struct tp_bench_json j;
		tp_bench_json_begin(&j, "feed", "tickpipe", cases[c]);
		tp_bench_json_u64(&j, "messages", count);
		tp_bench_json_u64(&j, "stocks", stocks);
		tp_bench_json_f64(&j, "mps", med);
		tp_bench_json_f64(&j, "mps_min", mps[0]);
		tp_bench_json_f64(&j, "mps_max", mps[reps - 1]);
		tp_bench_json_f64(&j, "mps_cpu", med_cpu);
		tp_bench_json_f64(&j, "ns_per_msg", 1e3 / med);
		tp_bench_json_f64(&j, "rss_mb", (double)ru.ru_maxrss / 1024.0);
		tp_bench_json_f64(&j, "huge_mb", (double)peak_huge_kb / 1024.0);
		tp_bench_json_u64(&j, "reps", reps);
		tp_bench_json_end(&j);
	}
	free(buf);
	free(mold_buf);
	free(pkt_off);
	return 0;
}
