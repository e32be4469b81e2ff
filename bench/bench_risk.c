/* Cost per order of the order path on one core: the kill-switch read, the pre-trade risk
 * checks and the gateway (OUCH encode, egress ring). Cases:
 *   risk_check        tp_risk_check alone, every limit set and none binding (all checks run)
 *   risk_commit       tp_risk_check + tp_risk_commit + tp_risk_on_cancel (the guard's whole
 *                     share of an order's life)
 *   gateway           tp_gw_submit (kill-switch acquire load, risk check and commit, OUCH
 *                     Enter Order into a reserved egress slot, working-order table) plus the
 *                     exchange's cancel acknowledgement through tp_gw_on_report, so the
 *                     working set stays constant; the ring is emptied in place every 64
 *                     orders (peek/release: no copy)
 *   gateway_blocked   tp_gw_submit while the global scope is halted: the refusal path
 * Orders cycle over 64 symbols, prices and sizes so no two are duplicates; market time
 * advances 1 us per order. Each case runs --reps times over --orders orders; the median
 * ns_per_order is reported.
 */
#include "bench_common.h"
#include "tp_gateway.h"
#include "tp_killswitch.h"
#include "tp_risk.h"

#define NSYM 64

static void usage(FILE *o)
{
	fprintf(o,
		"Usage: bench_risk [--orders N] [--reps N] [--cpu N] [--case NAME] [--quick]\n"
		"Per-order cost of the risk checks and the gateway on one core.\n"
		"  --orders N  orders per repetition (default 2000000)\n"
		"  --reps N    repetitions; the median is reported (default 7)\n"
		"  --cpu N     pin to CPU N (default 0)\n"
		"  --case LIST comma-separated: risk_check, risk_commit, gateway, gateway_blocked\n"
		"  --quick     20000 orders, 1 rep (smoke run)\n");
}

struct rig {
	struct tp_killswitch *ks;
	struct tp_risk *risk;
	struct tp_ring *ring;
	struct tp_gw *gw;
};

static void die(const char *what, const char *err)
{
	fprintf(stderr, "bench_risk: %s: %s\n", what, err);
	exit(1);
}

static void rig_up(struct rig *g)
{
	char err[160];
	g->ks = tp_ks_create(NULL, err, sizeof(err));
	if (!g->ks)
		die("kill-switch", err);
	struct tp_risk_limits l;
	tp_risk_limits_init(&l);
	l.set = TP_RISK_L_ALL;
	l.max_order_qty = 100000;
	l.max_order_notional = 1000000000000ull;
	l.collar_bps = 500;
	l.max_position = 100000000;
	l.max_gross_notional = UINT64_MAX;
	l.rate_max_orders = 10000;      /* 10000 per ms: binds only above 10M orders/s */
	l.rate_window_ns = 1000000;
	l.dup_window_ns = 500000;
	l.max_fills = 10000;
	l.fills_window_ns = 1000000;
	l.stale_ns = UINT64_MAX;
	g->risk = tp_risk_create(&l, tp_ks_halter_of(g->ks), err, sizeof(err));
	if (!g->risk)
		die("risk", err);
	g->ring = tp_ring_create("egress", 1024, TP_GW_SLOT_SIZE, TP_RING_F_NO_HUGE);
	if (!g->ring)
		die("ring", strerror(errno));
	struct tp_gw_params p = { .halter = tp_ks_halter_of(g->ks), .risk = g->risk,
		.egress = g->ring, .max_orders = 4096 };
	g->gw = tp_gw_create(&p, err, sizeof(err));
	if (!g->gw)
		die("gateway", err);
	for (uint16_t s = 0; s < NSYM; s++) {
		char name[9];
		snprintf(name, sizeof(name), "SYM%u", (unsigned)s);
		tp_gw_set_symbol(g->gw, s, name);
		struct tp_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.kind = TP_EV_ADD;
		ev.stock_locate = s;
		ev.bid_px = 1000000;
		ev.ask_px = 1000100;
		ev.bid_qty = ev.ask_qty = 1000;
		tp_risk_on_event(g->risk, &ev);
	}
}

static void rig_down(struct rig *g)
{
	tp_gw_free(g->gw);
	tp_ring_free(g->ring);
	tp_risk_free(g->risk);
	tp_ks_free(g->ks);
}

/* The i-th order: never a duplicate of one within the window, always inside every limit. */
static inline struct tp_order order_of(uint64_t i)
{
	struct tp_order o;
	o.locate = (uint16_t)(i % NSYM);
	o.side = (i >> 6) & 1 ? 'S' : 'B';
	o.tif = 0;
	o.qty = 100 + (uint32_t)((i >> 7) % 512);
	o.price = o.side == 'B' ? 999000 + (uint32_t)(i % 997) : 1001000 + (uint32_t)(i % 997);
	return o;
}

/* One repetition of a case; returns ns per order, or -1 if an order went the wrong way. */
static double run_case(const char *c, uint64_t n)
{
	struct rig g;
	rig_up(&g);
	uint64_t bad = 0, t = 1000;
	if (!strcmp(c, "gateway_blocked"))
		tp_ks_halt(g.ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "bench", 0);
	uint64_t t0 = tp_bench_now_ns();
	if (!strcmp(c, "risk_check")) {
		for (uint64_t i = 0; i < n; i++, t += 1000) {
			struct tp_order o = order_of(i);
			bad += tp_risk_check(g.risk, &o, t) != TP_RISK_OK;
		}
	} else if (!strcmp(c, "risk_commit")) {
		for (uint64_t i = 0; i < n; i++, t += 1000) {
			struct tp_order o = order_of(i);
			if (tp_risk_check(g.risk, &o, t) != TP_RISK_OK) {
				bad++;
				continue;
			}
			tp_risk_commit(g.risk, &o, t);
			bad += tp_risk_on_cancel(g.risk, o.locate, o.side, o.price, o.qty, t) != 0;
		}
	} else if (!strcmp(c, "gateway") || !strcmp(c, "gateway_blocked")) {
		int want = !strcmp(c, "gateway") ? TP_GW_SENT : TP_GW_BLOCKED;
		for (uint64_t i = 0; i < n; i++, t += 1000) {
			struct tp_order o = order_of(i);
			uint32_t urn;
			int rc = tp_gw_submit(g.gw, &o, t, &urn, NULL);
			if (rc != want) {
				bad++;
				continue;
			}
			if (rc == TP_GW_SENT) {
				struct tp_exec_report r = { .type = 'C', .side = o.side,
					.locate = o.locate, .user_ref_num = urn, .qty = o.qty,
					.ts_ns = t };
				bad += tp_gw_on_report(g.gw, &r) != 0;
			}
			if ((i & 63) == 63)
				tp_ring_release(g.ring, tp_ring_peek(g.ring, 64));
		}
	} else {
		fprintf(stderr, "bench_risk: unknown case '%s'\n", c);
		exit(1);
	}
	uint64_t dt = tp_bench_now_ns() - t0;
	rig_down(&g);
	if (bad) {
		fprintf(stderr, "bench_risk: %s: %" PRIu64 " orders went the wrong way\n", c, bad);
		return -1;
	}
	return (double)dt / (double)n;
}

int main(int argc, char **argv)
{
	uint64_t orders = 2000000, reps = 7, cpu = 0;
	const char *cases = "risk_check,risk_commit,gateway,gateway_blocked";
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--quick")) {
			orders = 20000;
			reps = 1;
		} else if (!strcmp(a, "--orders") && v && !tp_bench_parse_u64(v, 1, 1ull << 32, &orders)) {
			i++;
		} else if (!strcmp(a, "--reps") && v && !tp_bench_parse_u64(v, 1, 1000, &reps)) {
			i++;
		} else if (!strcmp(a, "--cpu") && v && !tp_bench_parse_u64(v, 0, 4095, &cpu)) {
			i++;
		} else if (!strcmp(a, "--case") && v) {
			cases = v;
			i++;
		} else {
			fprintf(stderr, "bench_risk: bad argument '%s' (try --help)\n", a);
			return 2;
		}
	}
	int pin = tp_bench_pin((int)cpu);
	if (pin)
		fprintf(stderr, "bench_risk: cannot pin to CPU %" PRIu64 ": %s (running unpinned)\n",
			cpu, strerror(pin));
	const char *all[] = { "risk_check", "risk_commit", "gateway", "gateway_blocked" };
	int rc = 0;
	for (unsigned k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
		if (!tp_bench_in_list(cases, all[k]))
			continue;
		double v[1000];
		uint64_t pre = tp_bench_preemptions();
		for (uint64_t r = 0; r < reps; r++) {
			v[r] = run_case(all[k], orders);
			if (v[r] < 0)
				rc = 1;
		}
		double med = tp_bench_median_f64(v, reps);
		struct tp_bench_json j;
		tp_bench_json_begin(&j, "risk", "tickpipe", all[k]);
		tp_bench_json_f64(&j, "ns_per_order", med);
		tp_bench_json_f64(&j, "mops", med > 0 ? 1000.0 / med : 0);
		tp_bench_json_u64(&j, "orders", orders);
		tp_bench_json_u64(&j, "reps", reps);
		tp_bench_json_f64(&j, "min_ns_per_order", v[0]);
		tp_bench_json_u64(&j, "preemptions", tp_bench_preemptions() - pre);
		tp_bench_json_end(&j);
	}
	return rc;
}
