/* Tick-to-halt on the real pipeline (DESIGN.md budget: p50 <= 1 us, p99.9 <= 10 us).
 *
 * What is timed: from the RX TSC of the packet that carries the breaking message (taken by
 * the RX lcore when the packet is handed to it) to the moment the order gateway on the
 * CEP + risk lcore first sees the halt (tp_gw_sighting.tsc): from then on it refuses every
 * order of that symbol, and its mass cancel is out. In between: MoldUDP64 sequencing, ITCH
 * decode and the book on the RX lcore, the SPSC ring to the other core, the CEP rules, the
 * kill-switch word, the gateway's poll. The strategy stage records each sighting against
 * the breaking event's rx_tsc (dataplane/strat.c); this program drives the pipeline and
 * reads those samples.
 *
 * How: the tickpipe pipeline itself (dataplane_lib: config, EAL arguments, net_pcap port,
 * RX lcore, consumer lcore, strategy stage with the shipped rules of
 * strategy/rules.ini.sample and the sample market maker), replaying a capture this program
 * writes, paced at real time (--speed 1): the RX lcore spins until each packet's capture
 * time and takes its RX TSC then, so every trial meets idle, hot lcores, as a packet off a
 * quiet wire would. K symbols are quoted by the market maker (so the gateway watches them).
 * Each trial is a trade of one symbol, then a quarter gap later a packet with one trade 10%
 * away (price_shock: more than 5% within 1 s): the packet timed. Trials are --gap-us
 * apart, the symbols in turn. The
 * main thread wakes about every --resume-ms, halfway between two trials, and as an operator
 * (tp_ks_resume with a socketpair credential) resumes the symbols that are halted, so each
 * comes back armed before its next trial (K * gap later). The kill-switch is in memory: no
 * state file.
 *
 * Lcores: main and RX on --rx-cpu, the CEP + risk lcore on --cep-cpu (0 and 1 by default).
 * preemptions_rx / preemptions_cep count the involuntary context switches of the two lcores
 * during the trials: a busy-polling lcore on a CPU the kernel also uses (no isolcpus) is
 * preempted now and then, and a trial caught by it lands in the tail.
 *
 * Output: one JSON line {"bench":"tick2halt","impl":"tickpipe","case":"pipeline",...} with
 * the percentiles of the measured trials; `measured` < `trials` when the operator could not
 * re-arm a symbol before its next trial (a descheduled lcore). Exit 1 when nothing was
 * measured or a resume was refused. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>

#include "bench_common.h"
#include "cli.h"
#include "config.h"
#include "eal_args.h"
#include "latency.h"
#include "pipeline.h"
#include "prescan.h"
#include "strat.h"
#include "tp_killswitch.h"

#define SESSION "T2HBENCH01"
#define T0_NS (34200ull * 1000000000ull) /* 09:30:00 exchange time */
#define CAP_T0_US 1700000000000000ull    /* capture clock (us since the epoch) */
#define WARMUP_US 100000u                /* book and quotes before the first trial */
#define PRICE 1000000u                   /* 100.0000 */
#define SHOCKED 1100000u                 /* 110.0000: +10% */

struct opts {
	uint64_t trials, symbols, gap_us, resume_ms;
	int rx_cpu, cep_cpu;
};

static void usage(FILE *o)
{
	fprintf(o,
		"Usage: bench_tick2halt [--trials N] [--symbols K] [--gap-us N] [--resume-ms N]\n"
		"                       [--rx-cpu N] [--cep-cpu N] [--quick]\n"
		"Tick-to-halt through the tickpipe pipeline: RX TSC of the packet with the breaking\n"
		"message -> the order gateway's first sighting of the halt (on the CEP lcore).\n"
		"  --trials N     halts to measure (default 10000)\n"
		"  --symbols K    symbols the market maker quotes, used in turn (default 32, 2..40)\n"
		"  --gap-us N     capture time between trials (default 400)\n"
		"  --resume-ms N  the operator resumes halted symbols this often (default 3); K *\n"
		"                 gap must leave it time: every trial is refused otherwise\n"
		"  --rx-cpu N     CPU of the main and RX lcores (default 0)\n"
		"  --cep-cpu N    CPU of the CEP + risk lcore (default 1)\n"
		"  --quick        500 trials (smoke run)\n");
}

static int die(const char *what, const char *why)
{
	fprintf(stderr, "bench_tick2halt: %s: %s\n", what, why);
	return 1;
}

/* ---- the capture ----------------------------------------------------------------------- */

struct frame {
	uint8_t b[1500];
	size_t len;
	uint16_t count;
};

static uint64_t next_seq = 1;

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put48(uint8_t *p, uint64_t v)
{
	put16(p, (uint16_t)(v >> 32));
	put32(p + 2, (uint32_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

#define MOLD_OFF (14 + 20 + 8)

/* Ethernet/IPv4/UDP to 233.54.12.111:26477 and a MoldUDP64 header; messages follow. */
static void frame_begin(struct frame *f)
{
	static const uint8_t eth[14] = { 0x01, 0x00, 0x5e, 0x36, 0x0c, 0x6f, 0x02, 0, 0, 0, 0, 1,
					 0x08, 0x00 };
	memset(f, 0, sizeof(*f));
	memcpy(f->b, eth, sizeof(eth));
	uint8_t *ip = f->b + 14;
	ip[0] = 0x45;
	put16(ip + 6, 0x4000);
	ip[8] = 32;
	ip[9] = 17;
	put32(ip + 12, 0x0a000001u);
	put32(ip + 16, (233u << 24) | (54u << 16) | (12u << 8) | 111u);
	put16(ip + 20, 40000);
	put16(ip + 22, 26477);
	memcpy(f->b + MOLD_OFF, SESSION, 10);
	put64(f->b + MOLD_OFF + 10, next_seq);
	f->len = MOLD_OFF + 20;
}

static uint8_t *frame_msg(struct frame *f, size_t len)
{
	put16(f->b + f->len, (uint16_t)len);
	uint8_t *m = f->b + f->len + 2;
	memset(m, 0, len);
	f->len += 2 + len;
	f->count++;
	next_seq++;
	return m;
}

/* Lengths and the IPv4 checksum, then the pcap record (microsecond capture time). */
static int frame_write(struct frame *f, FILE *out, uint64_t t_us)
{
	put16(f->b + MOLD_OFF + 18, f->count);
	uint8_t *ip = f->b + 14;
	put16(ip + 2, (uint16_t)(f->len - 14));
	uint32_t s = 0;
	for (int i = 0; i < 20; i += 2)
		s += (uint32_t)ip[i] << 8 | ip[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	put16(ip + 10, (uint16_t)~s);
	put16(ip + 24, (uint16_t)(f->len - 34));
	uint32_t rec[4] = { (uint32_t)(t_us / 1000000u), (uint32_t)(t_us % 1000000u),
			    (uint32_t)f->len, (uint32_t)f->len };
	return fwrite(rec, sizeof(rec), 1, out) == 1 && fwrite(f->b, f->len, 1, out) == 1 ? 0 : -1;
}

static void itch_hdr(uint8_t *m, char type, uint16_t locate, uint64_t ts)
{
	m[0] = (uint8_t)type;
	put16(m + 1, locate);
	put16(m + 3, 0);
	put48(m + 5, ts);
}

static void sym_name(char *out, unsigned i)
{
	snprintf(out, 9, "TH%02u    ", i % 100u);
}

static void msg_dir(struct frame *f, uint16_t locate, const char *name8, uint64_t ts)
{
	uint8_t *m = frame_msg(f, 39);
	memset(m, ' ', 39);
	itch_hdr(m, 'R', locate, ts);
	memcpy(m + 11, name8, 8);
	put32(m + 21, 100);
	put32(m + 34, 0);
}

static void msg_add(struct frame *f, uint16_t locate, uint64_t ref, char side, uint32_t px,
		    const char *name8, uint64_t ts)
{
	uint8_t *m = frame_msg(f, 36);
	itch_hdr(m, 'A', locate, ts);
	put64(m + 11, ref);
	m[19] = (uint8_t)side;
	put32(m + 20, 100);
	memcpy(m + 24, name8, 8);
	put32(m + 32, px);
}

static void msg_trade(struct frame *f, uint16_t locate, uint32_t px, const char *name8,
		      uint64_t ts, uint64_t match)
{
	uint8_t *m = frame_msg(f, 44);
	itch_hdr(m, 'P', locate, ts);
	m[19] = 'B';
	put32(m + 20, 100);
	memcpy(m + 24, name8, 8);
	put32(m + 32, px);
	put64(m + 36, match);
}

/* The day: directory, a two-sided book per symbol (the market maker starts and quotes them
 * all), then the trials. Exchange time follows the capture time. */
static int write_capture(const char *path, const struct opts *o, char names[][9])
{
	FILE *out = fopen(path, "wb");
	if (!out)
		return -1;
	const uint32_t hdr[6] = { 0xa1b2c3d4u, 0x00040002u, 0, 0, 65535, 1 };
	int rc = fwrite(hdr, sizeof(hdr), 1, out) == 1 ? 0 : -1;
	struct frame f;
	unsigned k = (unsigned)o->symbols;
	/* 16 symbols a packet: 16 directory entries or 32 adds fit in one. */
	for (unsigned i0 = 0; i0 < k; i0 += 16) {
		frame_begin(&f);
		if (i0 == 0) {
			uint8_t *s = frame_msg(&f, 12);
			itch_hdr(s, 'S', 0, T0_NS);
			s[11] = 'O';
		}
		for (unsigned i = i0; i < k && i < i0 + 16; i++) {
			sym_name(names[i], i);
			msg_dir(&f, (uint16_t)(i + 1), names[i], T0_NS + i + 1);
		}
		rc |= frame_write(&f, out, CAP_T0_US + i0);
	}
	for (unsigned i0 = 0; i0 < k; i0 += 16) {
		frame_begin(&f);
		for (unsigned i = i0; i < k && i < i0 + 16; i++) {
			msg_add(&f, (uint16_t)(i + 1), 2 * i + 1, 'B', PRICE - 100, names[i],
				T0_NS + 1000000 + 2 * i);
			msg_add(&f, (uint16_t)(i + 1), 2 * i + 2, 'S', PRICE + 100, names[i],
				T0_NS + 1000000 + 2 * i + 1);
		}
		rc |= frame_write(&f, out, CAP_T0_US + 1000 + i0);
	}
	for (uint64_t t = 0; t < o->trials && rc == 0; t++) {
		unsigned i = (unsigned)(t % k);
		uint64_t us = WARMUP_US + t * o->gap_us;
		uint64_t ts = T0_NS + us * 1000u;
		/* The print at the old price a quarter gap before, alone: the packet timed is
		 * the one with the breaking print and nothing else. */
		frame_begin(&f);
		msg_trade(&f, (uint16_t)(i + 1), PRICE, names[i], ts - o->gap_us * 250u, 2 * t + 1);
		rc |= frame_write(&f, out, CAP_T0_US + us - o->gap_us / 4);
		frame_begin(&f);
		msg_trade(&f, (uint16_t)(i + 1), SHOCKED, names[i], ts, 2 * t + 2);
		rc |= frame_write(&f, out, CAP_T0_US + us);
	}
	if (fclose(out) != 0)
		rc = -1;
	return rc;
}

static int write_config(const char *path, unsigned k)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f,
		"[feed.t2h]\nprotocol = itch50-moldudp64\nline_a = 233.54.12.111:26477\n\n"
		"[risk]\nmax_order_qty = 1000\nmax_order_notional = 100000000000\n"
		"collar_bps = 1000\nmax_position = 1000000\nmax_gross_notional = 100000000000000\n"
		"rate_max_orders = 65536\nrate_window = 1s\ndup_window = 0\nmax_fills = 65535\n"
		"fills_window = 1s\nstale = 24h\n\n"
		"[strategy]\nmarket_maker = on\nsize = 100\noffset_ticks = 1\nsymbols = ");
	for (unsigned i = 0; i < k; i++)
		fprintf(f, "%sTH%02u", i ? ", " : "", i);
	fputc('\n', f);
	return fclose(f);
}

/* Involuntary context switches of the EAL thread named `comm` so far: how often the kernel
 * took its CPU away (no isolcpus here). 0 when not found. */
static uint64_t preemptions_of(const char *comm)
{
	DIR *d = opendir("/proc/self/task");
	if (!d)
		return 0;
	uint64_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		char path[300], line[256];
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		FILE *f = fopen(path, "r");
		if (!f)
			continue;
		int match = fgets(line, sizeof(line), f) && !strncmp(line, comm, strlen(comm)) &&
			    (line[strlen(comm)] == '\n' || line[strlen(comm)] == '\0');
		fclose(f);
		if (!match)
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/status", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "nonvoluntary_ctxt_switches: %" SCNu64, &n) == 1)
				break;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* The private directory goes on every exit, failures included. */
static char dir[] = "/tmp/tp-t2h-XXXXXX";
static char cfg_path[64], cap_path[64];

static void cleanup(void)
{
	unlink(cap_path);
	unlink(cfg_path);
	rmdir(dir);
}

static void nap_ns(uint64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000u), (long)(ns % 1000000000u) };
	nanosleep(&ts, NULL);
}

int main(int argc, char **argv)
{
	struct opts o = { .trials = 10000, .symbols = 32, .gap_us = 400, .resume_ms = 3,
			  .rx_cpu = 0, .cep_cpu = 1 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		uint64_t v;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--quick")) {
			o.trials = 500;
		} else if (!strcmp(a, "--trials") && i + 1 < argc &&
			   !tp_bench_parse_u64(argv[++i], 1, 1000000, &v)) {
			o.trials = v;
		} else if (!strcmp(a, "--symbols") && i + 1 < argc &&
			   !tp_bench_parse_u64(argv[++i], 2, 40, &v)) {
			o.symbols = v;
		} else if (!strcmp(a, "--gap-us") && i + 1 < argc &&
			   !tp_bench_parse_u64(argv[++i], 10, 1000000, &v)) {
			o.gap_us = v;
		} else if (!strcmp(a, "--resume-ms") && i + 1 < argc &&
			   !tp_bench_parse_u64(argv[++i], 1, 10000, &v)) {
			o.resume_ms = v;
		} else if (!strcmp(a, "--rx-cpu") && i + 1 < argc &&
			   !tp_bench_parse_u64(argv[++i], 0, 1023, &v)) {
			o.rx_cpu = (int)v;
		} else if (!strcmp(a, "--cep-cpu") && i + 1 < argc &&
			   !tp_bench_parse_u64(argv[++i], 0, 1023, &v)) {
			o.cep_cpu = (int)v;
		} else {
			fprintf(stderr, "bench_tick2halt: bad argument '%s' (try --help)\n", a);
			return 2;
		}
	}
	const unsigned k = (unsigned)o.symbols;

	if (!mkdtemp(dir))
		return die("mkdtemp", strerror(errno));
	snprintf(cfg_path, sizeof(cfg_path), "%s/t2h.ini", dir);
	snprintf(cap_path, sizeof(cap_path), "%s/t2h.pcap", dir);
	atexit(cleanup);
	static char names[64][9];
	if (write_config(cfg_path, k) != 0 || write_capture(cap_path, &o, names) != 0)
		return die(dir, strerror(errno));

	static char err[1024];
	static struct tp_config cfg;
	static struct tp_prescan ps;
	const char *caps[1] = { cap_path };
	if (tp_config_load(cfg_path, &cfg, err, sizeof(err)) != 0)
		return die("config", err);
	if (tp_prescan_pcaps(caps, 1, &cfg, &ps, err, sizeof(err)) != 0)
		return die("capture", err);

	/* EAL: tickpipe's defaults for everything but the lcores. */
	char lcores[64], vdev[128];
	snprintf(lcores, sizeof(lcores), "--lcores=0@%d,1@%d,2@%d", o.rx_cpu, o.rx_cpu, o.cep_cpu);
	snprintf(vdev, sizeof(vdev), "net_pcap0,rx_pcap=%s", cap_path);
	char *uargv[] = { lcores };
	struct tp_eal_plan plan = { .rx_wanted = 1, .vdevs = { vdev }, .n_vdevs = 1 };
	struct tp_eal_argv ea;
	if (tp_eal_args_build(&plan, 1, uargv, NULL, &ea, err, sizeof(err)) != 0)
		return die("EAL arguments", err);
	char *eargv[TP_EAL_MAX_ARGS + 1];
	memcpy(eargv, ea.argv, sizeof(char *) * (size_t)(ea.argc + 1));
	if (rte_eal_init(ea.argc, eargv) < 0)
		return die("EAL", rte_strerror(rte_errno));

	static struct tp_opts topts;
	static struct tp_pipeline pl;
	topts.cmd = TP_CMD_REPLAY;
	topts.pcaps[0] = cap_path;
	topts.n_pcaps = 1;
	topts.speed = 1;
	topts.json = 1;
	topts.config_path = cfg_path;
	pl.opts = &topts;
	pl.cfg = &cfg;
	pl.ps = &ps;
	pl.mode = TP_RX_REPLAY_PCAP;
	pl.halt_samples = (uint32_t)o.trials;
	if (tp_pipeline_setup(&pl, err, sizeof(err)) != 0)
		return die("pipeline", err);
	struct tp_killswitch *ks = pl.ksc.ks;
	int sp[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) != 0)
		return die("socketpair", strerror(errno));
	struct tp_ks_operator *op = tp_ks_operator_from_socket(ks, sp[0], "bench", err, sizeof(err));
	if (!op)
		return die("operator", err);

	/* The operator: resumes halted symbols until the replay is over. It shares the RX
	 * lcore's CPU, so it wakes only halfway between two trials (the replay's clock is
	 * known: trial t is due at pace_tsc0 + WARMUP_US + t * gap), never while one is in
	 * flight, and its work is done long before the next. */
	uint64_t resumes = 0, resume_err = 0, hz = rte_get_tsc_hz();
	uint64_t per_wake = o.resume_ms * 1000u / o.gap_us;
	if (per_wake == 0)
		per_wake = 1;
	(void)prctl(PR_SET_TIMERSLACK, 1000UL, 0UL, 0UL, 0UL); /* wake within 1 us */
	uint64_t t_begin = tp_bench_now_ns();
	tp_pipeline_launch(&pl);
	nap_ns(WARMUP_US * 500u); /* the lcores are named by now */
	uint64_t pre_rx0 = preemptions_of("rte-worker-1"), pre_cep0 = preemptions_of("rte-worker-2");
	for (uint64_t wake = 0; !__atomic_load_n(&pl.rx[0]->done, __ATOMIC_ACQUIRE); wake++) {
		/* trial t's first print is due at -gap/4, its breaking one at 0: wake at +3/8 */
		uint64_t at_us = WARMUP_US + (wake + 1) * per_wake * o.gap_us - o.gap_us * 5 / 8;
		uint64_t at_tsc = pl.pace_tsc0 + at_us * (hz / 1000000u);
		uint64_t now = rte_rdtsc();
		if (at_tsc > now)
			nap_ns((uint64_t)((double)(at_tsc - now) * 1e9 / (double)hz));
		else if (at_us > WARMUP_US + o.trials * o.gap_us)
			nap_ns((uint64_t)o.resume_ms * 1000000u); /* past the last trial */
		for (unsigned i = 0; i < k; i++) {
			uint16_t loc = (uint16_t)(i + 1);
			if (!tp_ks_word_halted(tp_ks_word(ks, TP_KS_SYMBOL, loc)))
				continue;
			if (tp_ks_resume(ks, op, TP_KS_SYMBOL, loc, "bench: next trial", 1, err,
					 sizeof(err)) == 0)
				resumes++;
			else
				resume_err++;
		}
		tp_ks_ctl_tick(&pl.ksc); /* keeps the audit log drained */
	}
	uint64_t pre_rx = preemptions_of("rte-worker-1") - pre_rx0;
	uint64_t pre_cep = preemptions_of("rte-worker-2") - pre_cep0;
	tp_pipeline_wait(&pl);
	uint64_t t_end = tp_bench_now_ns();

	const struct tp_strat *st = pl.strat;
	uint32_t n = st->n_halt_samples < st->halt_cap ? st->n_halt_samples : st->halt_cap;
	uint64_t *ns = calloc(n ? n : 1, sizeof(uint64_t));
	if (!ns)
		return die("samples", "out of memory");
	double sum = 0;
	for (uint32_t i = 0; i < n; i++) {
		ns[i] = (uint64_t)((double)st->halt_samples[i] * 1e9 / (double)hz);
		sum += (double)ns[i];
	}
	tp_bench_sort_u64(ns, n);
	struct tp_gw_stats gs;
	tp_gw_stats(st->gw, &gs);
	/* Where the time goes, from the pipeline's own histograms (every event of the run,
	 * upper bucket bounds): RX TSC -> in the ring, RX TSC -> taken by the CEP lcore. */
	struct tp_lat_summary dec, con;
	tp_lat_summarize(pl.rx[0]->lat, hz, &dec);
	tp_lat_summarize(pl.cons.lat, hz, &con);

	struct tp_bench_json j;
	tp_bench_json_begin(&j, "tick2halt", "tickpipe", "pipeline");
	tp_bench_json_u64(&j, "trials", o.trials);
	tp_bench_json_u64(&j, "measured", n);
	tp_bench_json_u64(&j, "p50_ns", tp_bench_pct_u64(ns, n, 50));
	tp_bench_json_u64(&j, "p99_ns", tp_bench_pct_u64(ns, n, 99));
	tp_bench_json_u64(&j, "p999_ns", tp_bench_pct_u64(ns, n, 99.9));
	tp_bench_json_u64(&j, "max_ns", n ? ns[n - 1] : 0);
	tp_bench_json_u64(&j, "min_ns", n ? ns[0] : 0);
	tp_bench_json_f64(&j, "mean_ns", n ? sum / n : 0);
	tp_bench_json_u64(&j, "rx_to_ring_p50_ns", dec.p50);
	tp_bench_json_u64(&j, "rx_to_cep_p50_ns", con.p50);
	tp_bench_json_u64(&j, "rx_to_cep_p999_ns", con.p999);
	tp_bench_json_u64(&j, "preemptions_rx", pre_rx);
	tp_bench_json_u64(&j, "preemptions_cep", pre_cep);
	tp_bench_json_u64(&j, "symbols", k);
	tp_bench_json_u64(&j, "gap_us", o.gap_us);
	tp_bench_json_u64(&j, "rx_cpu", (uint64_t)o.rx_cpu);
	tp_bench_json_u64(&j, "cep_cpu", (uint64_t)o.cep_cpu);
	tp_bench_json_u64(&j, "halts_seen", gs.halts_seen);
	tp_bench_json_u64(&j, "resumes", resumes);
	tp_bench_json_u64(&j, "resume_errors", resume_err);
	tp_bench_json_f64(&j, "seconds", (double)(t_end - t_begin) / 1e9);
	tp_bench_json_u64(&j, "tsc_hz", hz);
	tp_bench_json_end(&j);

	free(ns);
	tp_ks_operator_free(op);
	close(sp[0]);
	close(sp[1]);
	for (unsigned i = 0; i < pl.n_ports; i++)
		tp_port_close(&pl.ports[i]);
	tp_pipeline_teardown(&pl);
	tp_config_free(&cfg);
	rte_eal_cleanup();
	tp_eal_args_free(&ea);
	/* Trials the operator could not re-arm in time (a descheduled lcore on a busy
	 * machine) are reported as trials - measured; only a pipeline that measured nothing,
	 * or refused the operator, fails. */
	return n && !resume_err ? 0 : 1;
}
