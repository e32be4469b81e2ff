/* tickpipe-gen: writes a synthetic NASDAQ TotalView-ITCH 5.0 session as a pcap
 * (Ethernet/IPv4/UDP/MoldUDP64, lines A and B) or as a BinaryFILE, with the anomalies a
 * receiver must survive, and a JSON manifest of exactly what it wrote.
 *
 * It is the independent oracle for feeds/ and the pipeline: it shares no code with them. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>

#include "binfile_out.h"
#include "lines.h"
#include "manifest.h"
#include "market_model.h"
#include "outfile.h"
#include "pcap_out.h"

#define PROG "tickpipe-gen"
/* Capture day: ITCH midnight is 2024-01-02 00:00:00 UTC in pcap record time. */
#define CAPTURE_EPOCH_NS (1704153600ull * 1000000000ull)
#define MAX_MESSAGES     10000000000ull
#define MAX_RATE         100000000ull
#define MAX_ANOMALY      1000000u

static const char usage_text[] =
"Usage: " PROG " -o FILE [options]\n"
"Writes a synthetic NASDAQ TotalView-ITCH 5.0 session, deterministic for a seed.\n"
"\n"
"  -o, --output FILE        output file (required); written as FILE.tmp, then renamed\n"
"      --manifest FILE      also write a JSON manifest of what was generated\n"
"      --format pcap|binfile  pcap: Ethernet/IPv4/UDP/MoldUDP64 frames, nanosecond pcap\n"
"                           (default); binfile: NASDAQ BinaryFILE (2-byte big-endian\n"
"                           length before each message)\n"
"      --gzip               gzip the binfile\n"
"      --stocks N           instruments AAAA, AAAB, ... (default 8, at most 10000)\n"
"      --messages N         ITCH messages in the session (default 100000; at least\n"
"                           7 * stocks + 28)\n"
"      --rate N             messages per second of market time (default 1000000): ITCH\n"
"                           timestamps are 09:30:00 + index / rate, pcap times follow them\n"
"      --seed N             PRNG seed (default 1)\n"
"      --session NAME       MoldUDP64 session, up to 10 letters/digits (default TPGEN00001)\n"
"      --dst IP:PORT        line A destination (default 233.54.12.111:26477)\n"
"      --dst-b IP:PORT      line B destination (default 233.54.12.112:26477)\n"
"      --max-per-packet N   at most N messages per MoldUDP64 packet (default: as many as\n"
"                           fit in 1400 bytes of UDP payload)\n"
"\n"
"Anomalies (pcap only; see the manifest's \"anomalies\" for what was injected):\n"
"      --dup-b              line B carries a copy of every packet of line A\n"
"      --loss-a P, --loss-b P  drop each packet of a line with probability P; with --dup-b\n"
"                           no packet is dropped on both lines\n"
"      --reorder P          swap adjacent packets of a line with probability P\n"
"      --gap N              drop N consecutive messages on every line (unrecoverable)\n"
"      --malformed N        N malformed packets on line A: truncated, block length past the\n"
"                           end, count that lies, unknown message type (in turn)\n"
"      --non-udp N          N non-UDP frames (ARP, TCP, ICMP in turn)\n"
"      --vlan ID            802.1Q tag ID (1..4094) on every frame\n"
"      --shock SYM:PCT:AT   from message index AT, SYM trades PCT percent away (e.g.\n"
"                           AAAB:10:50000): a print at the old price at AT-1, at the new\n"
"                           price at AT, then its book is pulled and re-quoted\n"
"  -h, --help               this text\n"
"\n"
"Exit status: 0 done, 1 I/O error, 2 bad arguments.\n";

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;
	fputs(PROG ": ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see --help)\n", stderr);
	exit(2);
}

static uint64_t parse_u64(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	char *end;
	errno = 0;
	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		usage_error("%s: expected an integer in [%" PRIu64 ", %" PRIu64 "], got '%s'", opt,
			    lo, hi, s ? s : "");
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		usage_error("%s: expected an integer in [%" PRIu64 ", %" PRIu64 "], got '%s'", opt,
			    lo, hi, s);
	return v;
}

static double parse_prob(const char *opt, const char *s, int allow_one)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || !isfinite(v) || v < 0 || v > 1 || (!allow_one && v >= 1))
		usage_error("%s: expected a probability in [0, 1%s, got '%s'", opt,
			    allow_one ? "]" : ")", s);
	return v;
}

static void parse_dst(const char *opt, const char *s, uint32_t *ip, uint16_t *port)
{
	char host[64];
	const char *colon = strrchr(s, ':');
	struct in_addr a;
	if (!colon || (size_t)(colon - s) >= sizeof(host))
		usage_error("%s: expected IPv4:PORT, got '%s'", opt, s);
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = 0;
	if (inet_pton(AF_INET, host, &a) != 1)
		usage_error("%s: expected IPv4:PORT, got '%s'", opt, s);
	*ip = ntohl(a.s_addr);
	*port = (uint16_t)parse_u64(opt, colon + 1, 1, 65535);
}

struct options {
	const char *out;
	const char *manifest;
	int binfile;
	int gzip;
	uint32_t stocks;
	uint64_t messages;
	uint64_t rate;
	uint64_t seed;
	uint8_t session[10];
	uint32_t dst_ip[2];
	uint16_t dst_port[2];
	uint32_t max_per_packet;
	int dup_b;
	double loss[2];
	int loss_given[2];
	double reorder;
	uint64_t gap;
	uint32_t malformed;
	uint32_t non_udp;
	int vlan;
	const char *shock;
	uint32_t shock_stock;
	double shock_pct;
	uint64_t shock_at;
};

enum {
	OPT_MANIFEST = 256, OPT_FORMAT, OPT_GZIP, OPT_STOCKS, OPT_MESSAGES, OPT_RATE, OPT_SEED,
	OPT_SESSION, OPT_DST, OPT_DST_B, OPT_MAX_PER_PACKET, OPT_DUP_B, OPT_LOSS_A, OPT_LOSS_B,
	OPT_REORDER, OPT_GAP, OPT_MALFORMED, OPT_NON_UDP, OPT_VLAN, OPT_SHOCK,
};

static const struct option long_opts[] = {
	{"help", no_argument, NULL, 'h'},
	{"output", required_argument, NULL, 'o'},
	{"manifest", required_argument, NULL, OPT_MANIFEST},
	{"format", required_argument, NULL, OPT_FORMAT},
	{"gzip", no_argument, NULL, OPT_GZIP},
	{"stocks", required_argument, NULL, OPT_STOCKS},
	{"messages", required_argument, NULL, OPT_MESSAGES},
	{"rate", required_argument, NULL, OPT_RATE},
	{"seed", required_argument, NULL, OPT_SEED},
	{"session", required_argument, NULL, OPT_SESSION},
	{"dst", required_argument, NULL, OPT_DST},
	{"dst-b", required_argument, NULL, OPT_DST_B},
	{"max-per-packet", required_argument, NULL, OPT_MAX_PER_PACKET},
	{"dup-b", no_argument, NULL, OPT_DUP_B},
	{"loss-a", required_argument, NULL, OPT_LOSS_A},
	{"loss-b", required_argument, NULL, OPT_LOSS_B},
	{"reorder", required_argument, NULL, OPT_REORDER},
	{"gap", required_argument, NULL, OPT_GAP},
	{"malformed", required_argument, NULL, OPT_MALFORMED},
	{"non-udp", required_argument, NULL, OPT_NON_UDP},
	{"vlan", required_argument, NULL, OPT_VLAN},
	{"shock", required_argument, NULL, OPT_SHOCK},
	{NULL, 0, NULL, 0},
};

static void parse_session(const char *s, uint8_t out[10])
{
	size_t n = strlen(s);
	if (n == 0 || n > 10)
		usage_error("--session: expected 1 to 10 letters or digits, got '%s'", s);
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9')))
			usage_error("--session: expected 1 to 10 letters or digits, got '%s'", s);
	memset(out, ' ', 10);
	memcpy(out, s, n);
}

/* SYMBOL:PCT:AT, checked against the stock count and session layout once those are known. */
static void parse_shock(struct options *o)
{
	const char *s = o->shock;
	const char *c1 = strchr(s, ':');
	const char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2 || c1 == s)
		usage_error("--shock: expected SYMBOL:PCT:AT, got '%s'", s);
	size_t sl = (size_t)(c1 - s);
	char want[9];
	if (sl > 8)
		usage_error("--shock: unknown symbol in '%s'", s);
	memcpy(want, s, sl);
	want[sl] = 0;
	uint32_t found = UINT32_MAX;
	for (uint32_t i = 0; i < o->stocks && found == UINT32_MAX; i++) {
		char sym[8];
		tp_gen_symbol(i, sym);
		if (memcmp(sym, want, sl) == 0 && (sl == 8 || sym[sl] == ' '))
			found = i;
	}
	if (found == UINT32_MAX)
		usage_error("--shock: no symbol '%s' among the %u stocks (AAAA, AAAB, ...)", want,
			    o->stocks);
	char pct_s[64];
	size_t pl = (size_t)(c2 - c1 - 1);
	if (pl == 0 || pl >= sizeof(pct_s))
		usage_error("--shock: bad percentage in '%s'", s);
	memcpy(pct_s, c1 + 1, pl);
	pct_s[pl] = 0;
	char *end;
	errno = 0;
	double pct = strtod(pct_s, &end);
	if (errno || *end || !isfinite(pct) || pct == 0 || pct <= -90 || pct > 1000)
		usage_error("--shock: percentage must be nonzero, in (-90, 1000], got '%s'", pct_s);
	uint64_t lo, hi;
	tp_gen_model_shock_range(o->stocks, o->messages, &lo, &hi);
	if (hi < lo)
		usage_error("--shock: the session is too short for a shock (--messages)");
	o->shock_stock = found;
	o->shock_pct = pct;
	o->shock_at = parse_u64("--shock AT", c2 + 1, lo, hi);
}

static void parse_args(int argc, char **argv, struct options *o)
{
	memset(o, 0, sizeof(*o));
	o->stocks = 8;
	o->messages = 100000;
	o->rate = 1000000;
	o->seed = 1;
	memcpy(o->session, "TPGEN00001", 10);
	o->dst_ip[0] = 0xe9360c6fu;   /* 233.54.12.111 */
	o->dst_ip[1] = 0xe9360c70u;   /* 233.54.12.112 */
	o->dst_port[0] = o->dst_port[1] = 26477;
	o->vlan = -1;
	int net_opt = 0;
	const char *net_name = NULL;
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":ho:", long_opts, NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(usage_text, stdout);
			exit(ferror(stdout) ? 1 : 0);
		case 'o':
			o->out = optarg;
			break;
		case OPT_MANIFEST:
			o->manifest = optarg;
			break;
		case OPT_FORMAT:
			if (strcmp(optarg, "pcap") == 0)
				o->binfile = 0;
			else if (strcmp(optarg, "binfile") == 0)
				o->binfile = 1;
			else
				usage_error("--format: expected pcap or binfile, got '%s'", optarg);
			break;
		case OPT_GZIP:
			o->gzip = 1;
			break;
		case OPT_STOCKS:
			o->stocks = (uint32_t)parse_u64("--stocks", optarg, 1, TP_GEN_MAX_STOCKS);
			break;
		case OPT_MESSAGES:
			o->messages = parse_u64("--messages", optarg, 1, MAX_MESSAGES);
			break;
		case OPT_RATE:
			o->rate = parse_u64("--rate", optarg, 1, MAX_RATE);
			break;
		case OPT_SEED:
			o->seed = parse_u64("--seed", optarg, 0, UINT64_MAX);
			break;
		case OPT_SESSION:
			parse_session(optarg, o->session);
			break;
		case OPT_DST:
			parse_dst("--dst", optarg, &o->dst_ip[0], &o->dst_port[0]);
			break;
		case OPT_DST_B:
			parse_dst("--dst-b", optarg, &o->dst_ip[1], &o->dst_port[1]);
			break;
		case OPT_MAX_PER_PACKET:
			o->max_per_packet = (uint32_t)parse_u64("--max-per-packet", optarg, 1, 1000);
			break;
		case OPT_DUP_B:
			o->dup_b = 1;
			net_opt = 1, net_name = "--dup-b";
			break;
		case OPT_LOSS_A:
		case OPT_LOSS_B: {
			int b = c == OPT_LOSS_B;
			o->loss[b] = parse_prob(b ? "--loss-b" : "--loss-a", optarg, 0);
			o->loss_given[b] = 1;
			net_opt = 1, net_name = b ? "--loss-b" : "--loss-a";
			break;
		}
		case OPT_REORDER:
			o->reorder = parse_prob("--reorder", optarg, 1);
			net_opt = 1, net_name = "--reorder";
			break;
		case OPT_GAP:
			o->gap = parse_u64("--gap", optarg, 1, MAX_MESSAGES);
			net_opt = 1, net_name = "--gap";
			break;
		case OPT_MALFORMED:
			o->malformed = (uint32_t)parse_u64("--malformed", optarg, 0, MAX_ANOMALY);
			net_opt = 1, net_name = "--malformed";
			break;
		case OPT_NON_UDP:
			o->non_udp = (uint32_t)parse_u64("--non-udp", optarg, 0, MAX_ANOMALY);
			net_opt = 1, net_name = "--non-udp";
			break;
		case OPT_VLAN:
			o->vlan = (int)parse_u64("--vlan", optarg, 1, 4094);
			net_opt = 1, net_name = "--vlan";
			break;
		case OPT_SHOCK:
			o->shock = optarg;
			break;
		case ':':
			usage_error("%s needs a value", argv[optind - 1]);
		default:
			if (optopt)
				usage_error("unknown option '-%c'", optopt);
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		usage_error("unexpected argument '%s'", argv[optind]);
	if (!o->out)
		usage_error("-o FILE is required");
	if (o->manifest && strcmp(o->manifest, o->out) == 0)
		usage_error("--manifest and -o name the same file");
	if (o->gzip && !o->binfile)
		usage_error("--gzip needs --format binfile");
	if (o->binfile && net_opt)
		usage_error("%s needs --format pcap", net_name);
	if (o->loss_given[1] && !o->dup_b)
		usage_error("--loss-b needs --dup-b (there is no line B without it)");
	uint64_t min = tp_gen_model_min_messages(o->stocks);
	if (o->messages < min)
		usage_error("--messages: %u stocks need at least %" PRIu64 " messages", o->stocks,
			    min);
	if (tp_gen_ts_of(o->messages - 1, o->rate) >= TP_GEN_DAY_NS)
		usage_error("--rate: %" PRIu64 " messages at %" PRIu64
			    "/s run past midnight; raise --rate", o->messages, o->rate);
	if (o->gap) {
		uint64_t s, e;
		tp_gen_model_trading_range(o->stocks, o->messages, &s, &e);
		if (o->gap >= e - s)
			usage_error("--gap: at most %" PRIu64 " messages for this session",
				    e - s - 1);
	}
	if (o->shock)
		parse_shock(o);
}

/* Wraps the real sink with progress reports on a terminal. */
struct progress {
	tp_gen_sink_fn sink;
	void *ctx;
	uint64_t total;
	int tty;
	int shown;
};

static int progress_sink(void *ctx, const uint8_t *msg, size_t len, uint64_t index,
			 uint64_t ts_ns)
{
	struct progress *p = ctx;
	if (p->tty && (index & ((1u << 20) - 1)) == 0 && index) {
		fprintf(stderr, "\r" PROG ": %" PRIu64 "/%" PRIu64 " messages (%" PRIu64 "%%)",
			index, p->total, index * 100 / p->total);
		p->shown = 1;
	}
	return p->sink(p->ctx, msg, len, index, ts_ns);
}

static void fail(const char *what, const char *path)
{
	int e = errno;
	tp_gen_cleanup_all();
	fprintf(stderr, PROG ": %s %s: %s\n", what, path, e ? strerror(e) : "failed");
	exit(1);
}

int main(int argc, char **argv)
{
	struct options o;
	parse_args(argc, argv, &o);

	char out_tmp[TP_GEN_PATH_MAX], man_tmp[TP_GEN_PATH_MAX];
	if (tp_gen_tmp_name(o.out, out_tmp, sizeof(out_tmp)) ||
	    (o.manifest && tp_gen_tmp_name(o.manifest, man_tmp, sizeof(man_tmp))))
		usage_error("output file name too long");
	tp_gen_cleanup_install();
	if (tp_gen_cleanup_add(out_tmp) || (o.manifest && tp_gen_cleanup_add(man_tmp)))
		usage_error("output file name too long");

	struct tp_gen_model_cfg mc = {
		.stocks = o.stocks, .messages = o.messages, .rate = o.rate, .seed = o.seed,
		.shock = o.shock != NULL, .shock_stock = o.shock_stock, .shock_pct = o.shock_pct,
		.shock_at = o.shock_at,
	};
	struct tp_gen_model *model = tp_gen_model_create(&mc);
	if (!model) {
		errno = ENOMEM;
		fail("cannot set up the market model for", o.out);
	}

	struct progress prog = {0};
	prog.total = o.messages;
	prog.tty = isatty(STDERR_FILENO);

	struct tp_gen_net_cfg nc;
	memset(&nc, 0, sizeof(nc));
	struct tp_gen_net *net = NULL;
	struct tp_gen_pcap pcap;
	memset(&pcap, 0, sizeof(pcap));
	struct tp_gen_binfile *bin = NULL;
	FILE *f = NULL;
	errno = 0;

	if (o.binfile) {
		bin = tp_gen_binfile_open(out_tmp, o.gzip);
		if (!bin)
			fail("cannot create", out_tmp);
		prog.sink = tp_gen_binfile_message;
		prog.ctx = bin;
	} else {
		f = fopen(out_tmp, "wb");
		if (!f)
			fail("cannot create", out_tmp);
		setvbuf(f, NULL, _IOFBF, 1u << 22);
		if (tp_gen_pcap_open(&pcap, f, CAPTURE_EPOCH_NS))
			fail("cannot write", out_tmp);
		memcpy(nc.session, o.session, 10);
		memcpy(nc.dst_ip, o.dst_ip, sizeof(nc.dst_ip));
		memcpy(nc.dst_port, o.dst_port, sizeof(nc.dst_port));
		nc.dup_b = o.dup_b;
		nc.loss[0] = o.loss[0];
		nc.loss[1] = o.loss[1];
		nc.reorder = o.reorder;
		nc.gap_n = o.gap;
		if (o.gap) {
			uint64_t s, e;
			tp_gen_model_trading_range(o.stocks, o.messages, &s, &e);
			nc.gap_first = s + (e - s - o.gap) / 2;
		}
		nc.malformed = o.malformed;
		nc.non_udp = o.non_udp;
		nc.vlan = o.vlan;
		nc.max_per_packet = o.max_per_packet;
		nc.messages = o.messages;
		nc.seed = o.seed;
		nc.shock_index = o.shock ? o.shock_at : UINT64_MAX;
		net = tp_gen_net_create(&nc, &pcap);
		if (!net) {
			errno = ENOMEM;
			fail("cannot set up the lines for", o.out);
		}
		prog.sink = tp_gen_net_message;
		prog.ctx = net;
	}

	int rc = tp_gen_model_run(model, progress_sink, &prog);
	if (prog.shown)
		fputc('\n', stderr);
	if (o.binfile) {
		if (tp_gen_binfile_close(bin) || rc)
			fail("cannot write", out_tmp);
	} else {
		if (rc || tp_gen_net_finish(net) || fflush(f) || ferror(f)) {
			fclose(f);
			fail("cannot write", out_tmp);
		}
		if (fclose(f))
			fail("cannot write", out_tmp);
	}

	if (o.manifest) {
		FILE *mf = fopen(man_tmp, "w");
		if (!mf)
			fail("cannot create", man_tmp);
		struct tp_gen_manifest_in mi = {
			.format = o.binfile ? "binfile" : "pcap", .gzip = o.gzip, .seed = o.seed,
			.stocks = o.stocks, .rate = o.rate, .messages = o.messages,
			.session = o.session, .epoch_ns = CAPTURE_EPOCH_NS, .model = model,
			.net_cfg = net ? &nc : NULL, .net = net ? tp_gen_net_stats(net) : NULL,
			.shock = o.shock != NULL, .shock_stock = o.shock_stock,
			.shock_pct = o.shock_pct,
		};
		int mrc = tp_gen_manifest_write(mf, &mi);
		if (fclose(mf) || mrc)
			fail("cannot write", man_tmp);
	}
	if (tp_gen_commit(out_tmp, o.out))
		fail("cannot rename to", o.out);
	if (o.manifest && tp_gen_commit(man_tmp, o.manifest))
		fail("cannot rename to", o.manifest);

	tp_gen_net_free(net);
	tp_gen_pcap_free(&pcap);
	tp_gen_model_free(model);
	return 0;
}
