/* End to end through the shipped rules (strategy/rules.ini.sample) and a real kill-switch:
 * a synthetic two-feed session of 50 stocks, 400k events over about two seconds of exchange
 * time, quiet random walks, two-sided books that never cross, periodic ticks.
 *  - clean: nothing fires, nothing halts;
 *  - a 10% trade shock on one stock 0.5 ms after its previous trade halts exactly that stock,
 *    once, and the record names the seq of the shock trade;
 *  - the same stream gives byte-identical alerts run twice, and event by event or in bursts.
 */
#include <ctype.h>

#include "cep_util.h"

#ifndef TP_RULES_SAMPLE
#error "TP_RULES_SAMPLE must name strategy/rules.ini.sample"
#endif

#define NSTOCKS 50
#define NEVENTS 400000
#define SHOCK_LOC 17
#define SHOCK_AT (NEVENTS / 2)

static uint64_t rng_state;
static uint32_t rnd(void)
{
	rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng_state >> 33);
}

struct stream {
	struct tp_event *ev;
	unsigned n;
	uint64_t shock_seq, shock_ts;
};

/* Deterministic session. With `shock`, stock SHOCK_LOC trades at its mid, then 0.5 ms later
 * at +10%, and goes on trading around the new level. */
static void make_stream(struct stream *s, int shock)
{
	uint32_t mid[NSTOCKS + 1];
	s->ev = calloc(NEVENTS + 2, sizeof(*s->ev));
	ck_assert_ptr_nonnull(s->ev);
	s->n = 0;
	s->shock_seq = s->shock_ts = 0;
	rng_state = 12345;
	for (unsigned l = 1; l <= NSTOCKS; l++)
		mid[l] = 200000 + 10000 * l; /* $21 .. $70 */
	uint64_t t = T0, seq = 1;
	for (unsigned i = 0; i < NEVENTS; i++) {
		t += 1 + rnd() % 9000; /* 1 ns .. 9 us apart */
		uint16_t loc = (uint16_t)(1 + rnd() % NSTOCKS);
		if (shock && i == SHOCK_AT) {
			loc = SHOCK_LOC;
			s->ev[s->n++] = ev_mk(TP_EV_TRADE, loc, 1, t, seq++, mid[loc], 100,
					      mid[loc] - 100, mid[loc] + 100);
			t += 500 * US;
			mid[loc] = mid[loc] / 10 * 11;
			s->shock_seq = seq;
			s->shock_ts = t;
			s->ev[s->n++] = ev_mk(TP_EV_TRADE, loc, 1, t, seq++, mid[loc], 100,
					      mid[loc] - 100, mid[loc] + 100);
			continue;
		}
		uint32_t r = rnd() % 100;
		/* A quiet walk: one cent (about 2 bps) now and then. */
		if (rnd() % 8 == 0)
			mid[loc] = rnd() & 1 ? mid[loc] + 100 : mid[loc] - 100;
		uint32_t bid = mid[loc] - 100, ask = mid[loc] + 100;
		uint8_t kind;
		uint32_t px = r & 1 ? bid : ask;
		if (r < 50)
			kind = TP_EV_ADD;
		else if (r < 70)
			kind = TP_EV_CANCEL;
		else if (r < 85)
			kind = TP_EV_EXECUTE;
		else if (r < 95) {
			kind = TP_EV_TRADE;
			px = mid[loc];
		} else
			kind = TP_EV_DELETE;
		uint16_t feed = loc <= NSTOCKS / 2 ? 1 : 2;
		s->ev[s->n++] = ev_mk(kind, loc, feed, t, seq++, px, 100 + rnd() % 900, bid, ask);
	}
}

static int read_sample_defs(struct tp_cep_rule_def *defs, int max)
{
	FILE *f = fopen(TP_RULES_SAMPLE, "r");
	ck_assert_ptr_nonnull(f);
	static char keys[32][64], vals[32][256];
	const char *k[32], *v[32];
	char name[64] = "", line[512], err[256];
	int n = 0, nk = 0, in = 0;
	for (;;) {
		char *got = fgets(line, sizeof(line), f);
		char *p = line;
		if (got) {
			while (isspace((unsigned char)*p))
				p++;
			size_t len = strlen(p);
			while (len && isspace((unsigned char)p[len - 1]))
				p[--len] = '\0';
			if (!*p || *p == '#' || *p == ';')
				continue;
		}
		if (!got || *p == '[') {
			if (in) {
				ck_assert_int_lt(n, max);
				for (int i = 0; i < nk; i++) {
					k[i] = keys[i];
					v[i] = vals[i];
				}
				ck_assert_msg(tp_cep_rule_parse(&defs[n], name, k, v, nk, err,
								sizeof(err)) == 0, "%s", err);
				n++;
			}
			if (!got)
				break;
			p[strlen(p) - 1] = '\0';
			snprintf(name, sizeof(name), "%s", p + 6); /* after "[rule." */
			nk = 0;
			in = 1;
			continue;
		}
		char *eq = strchr(p, '=');
		ck_assert_ptr_nonnull(eq);
		*eq = '\0';
		snprintf(keys[nk], sizeof(keys[0]), "%s", p);
		snprintf(vals[nk], sizeof(vals[0]), "%s", eq + 1);
		nk++;
	}
	fclose(f);
	return n;
}

struct run {
	struct tp_cep_alert alerts[64];
	unsigned nalerts;
	unsigned fired;
	struct tp_ks_status ks;
	int halted[NSTOCKS + 1];
	int global;
	struct tp_cep_rule_stats rs[8];
	unsigned nrules;
};

/* The whole stream through a fresh engine, ticking every millisecond of exchange time as the
 * dataplane's control loop would. burst = 0: event by event. */
static void run_stream(const struct stream *s, unsigned burst, struct run *out)
{
	struct tp_cep_rule_def defs[TP_CEP_MAX_RULES];
	int nd = read_sample_defs(defs, TP_CEP_MAX_RULES);
	ck_assert_int_eq(nd, 6);
	struct tp_killswitch *ks = ks_new();
	struct tp_cep *c = cep_new(defs, (unsigned)nd, ks, 8192);
	memset(out, 0, sizeof(*out));
	uint64_t next_tick = T0 + MS;
	unsigned i = 0;
	while (i < s->n) {
		unsigned k = burst ? burst : 1;
		if (k > s->n - i)
			k = s->n - i;
		out->fired += burst ? tp_cep_on_burst(c, &s->ev[i], k) : tp_cep_on_event(c, &s->ev[i]);
		i += k;
		uint64_t now = s->ev[i - 1].exch_ts_ns;
		while (now >= next_tick) {
			out->fired += tp_cep_tick(c, next_tick);
			next_tick += MS;
		}
		out->nalerts += tp_cep_alerts_drain(c, out->alerts + out->nalerts,
						     64 - out->nalerts);
	}
	tp_ks_status(ks, &out->ks);
	for (unsigned l = 1; l <= NSTOCKS; l++)
		out->halted[l] = symbol_halted(ks, (uint16_t)l);
	out->global = global_halted(ks);
	out->nrules = tp_cep_rule_count(c);
	for (unsigned r = 0; r < out->nrules && r < 8; r++)
		out->rs[r] = rstats(c, r);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.events, s->n);
	ck_assert_uint_eq(st.symbols, NSTOCKS);
	ck_assert_uint_eq(st.feeds, 2);
	ck_assert_uint_eq(st.late, 0);
	ck_assert_uint_eq(st.groups_full, 0);
	tp_cep_free(c);
	tp_ks_free(ks);
}

START_TEST(clean_stream_halts_nothing)
{
	struct stream s;
	make_stream(&s, 0);
	ck_assert_uint_eq(s.n, NEVENTS);
	static struct run r;
	run_stream(&s, 0, &r);
	ck_assert_uint_eq(r.fired, 0);
	ck_assert_uint_eq(r.nalerts, 0);
	ck_assert_uint_eq(r.ks.halts, 0);
	ck_assert_uint_eq(r.ks.symbols_halted, 0);
	ck_assert_int_eq(r.global, 0);
	for (unsigned i = 0; i < r.nrules; i++) {
		ck_assert_uint_eq(r.rs[i].fired, 0);
		ck_assert_uint_eq(r.rs[i].suppressed, 0);
	}
	/* The stream spans about two seconds of exchange time. */
	ck_assert_uint_gt(s.ev[s.n - 1].exch_ts_ns - T0, SEC);
	free(s.ev);
}
END_TEST

START_TEST(shock_halts_exactly_that_stock)
{
	struct stream s;
	make_stream(&s, 1);
	ck_assert_uint_eq(s.n, NEVENTS + 1);
	static struct run r;
	run_stream(&s, 0, &r);
	ck_assert_uint_eq(r.fired, 1);
	ck_assert_uint_eq(r.nalerts, 1);
	const struct tp_cep_alert *a = &r.alerts[0];
	ck_assert_str_eq(a->rule, "price_shock");
	ck_assert_uint_eq(a->kind, TP_CEP_PRICE_MOVE);
	ck_assert_uint_eq(a->action, TP_CEP_HALT_SYMBOL);
	ck_assert_uint_eq(a->locate, SHOCK_LOC);
	ck_assert_uint_eq(a->seq, s.shock_seq);
	ck_assert_uint_eq(a->exch_ts_ns, s.shock_ts);
	ck_assert_int_eq(a->threshold, 500);
	ck_assert(a->value > 900.0 && a->value < 1100.0);
	ck_assert_uint_eq(r.ks.halts, 1);
	ck_assert_uint_eq(r.ks.symbols_halted, 1);
	ck_assert_int_eq(r.global, 0);
	for (unsigned l = 1; l <= NSTOCKS; l++)
		ck_assert_int_eq(r.halted[l], l == SHOCK_LOC);
	/* price_shock is the sample's first rule; it kept seeing the moved price, halted once. */
	ck_assert_str_eq(r.rs[0].name, "price_shock");
	ck_assert_uint_eq(r.rs[0].fired, 1);
	ck_assert_uint_eq(r.rs[0].halts, 1);
	ck_assert_uint_gt(r.rs[0].suppressed, 0);
	for (unsigned i = 1; i < r.nrules; i++)
		ck_assert_uint_eq(r.rs[i].fired, 0);
	free(s.ev);
}
END_TEST

START_TEST(deterministic)
{
	struct stream s;
	make_stream(&s, 1);
	static struct run a, b, c;
	run_stream(&s, 0, &a);
	run_stream(&s, 0, &b);
	run_stream(&s, 32, &c);
	ck_assert_uint_eq(a.nalerts, 1);
	ck_assert_uint_eq(b.nalerts, a.nalerts);
	ck_assert_uint_eq(c.nalerts, a.nalerts);
	ck_assert_int_eq(memcmp(a.alerts, b.alerts, a.nalerts * sizeof(a.alerts[0])), 0);
	ck_assert_int_eq(memcmp(a.alerts, c.alerts, a.nalerts * sizeof(a.alerts[0])), 0);
	for (unsigned i = 0; i < a.nrules; i++) {
		ck_assert_uint_eq(a.rs[i].fired, b.rs[i].fired);
		ck_assert_uint_eq(a.rs[i].suppressed, b.rs[i].suppressed);
		ck_assert_uint_eq(a.rs[i].fired, c.rs[i].fired);
		ck_assert_uint_eq(a.rs[i].suppressed, c.rs[i].suppressed);
	}
	free(s.ev);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cep-e2e");
	TCase *t = tcase_create("e2e");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, clean_stream_halts_nothing);
	tcase_add_test(t, shock_halts_exactly_that_stock);
	tcase_add_test(t, deterministic);
	suite_add_tcase(s, t);
	return s;
}

RUN_SUITE(suite)
