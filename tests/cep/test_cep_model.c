/* Every aggregate against a deliberately naive model, over long random streams: the model
 * keeps every event with the bucket the engine files it under and recomputes each aggregate
 * from scratch after every event. Streams mix small steps, jumps of several windows, events
 * landing exactly on bucket edges and events that arrive late (older than their stock's
 * newest bucket); window shapes cover tumbling, few and many buckets, and a length that is
 * not a multiple of its bucket count. */
#include <inttypes.h>

#include "cep_util.h"

__extension__ typedef unsigned __int128 u128;

#define NSTOCK 3
#define NEV 10000
#define MAXW 4096

struct mev {
	uint64_t b;   /* bucket the engine filed it under */
	uint32_t px, qty;
};

struct model {
	uint64_t w;       /* bucket width */
	unsigned nb;
	int have;
	uint64_t cur;     /* newest bucket */
	struct mev ev[MAXW];
	unsigned n;
};

static void model_add(struct model *m, uint64_t t, uint32_t px, uint32_t qty)
{
	if (!m->have || t >= (m->cur + 1) * m->w) {
		m->cur = t / m->w;
		m->have = 1;
	}
	/* Drop what the window no longer holds: bucket <= cur - nb. */
	unsigned k = 0;
	for (unsigned i = 0; i < m->n; i++)
		if (m->ev[i].b + m->nb > m->cur)
			m->ev[k++] = m->ev[i];
	m->n = k;
	ck_assert_uint_lt(m->n, MAXW);
	m->ev[m->n++] = (struct mev){ m->cur, px, qty };
}

static double model_value(const struct model *m, int agg)
{
	uint64_t count = m->n, sum = 0, ob = UINT64_MAX;
	uint32_t first = 0, last = m->ev[m->n - 1].px, mn = UINT32_MAX, mx = 0;
	u128 pv = 0;
	for (unsigned i = 0; i < m->n; i++) {
		const struct mev *e = &m->ev[i];
		sum += e->qty;
		pv += (u128)e->px * e->qty;
		mn = e->px < mn ? e->px : mn;
		mx = e->px > mx ? e->px : mx;
		if (e->b < ob) { /* first arrival in the oldest bucket */
			ob = e->b;
			first = e->px;
		}
	}
	switch (agg) {
	case TP_CEP_COUNT: return (double)count;
	case TP_CEP_SUM_QTY: return (double)sum;
	case TP_CEP_FIRST: return first;
	case TP_CEP_LAST: return last;
	case TP_CEP_MIN: return mn;
	case TP_CEP_MAX: return mx;
	case TP_CEP_VWAP: return (double)pv / (double)sum;
	default:
		return (double)(last > first ? last - first : first - last) * 10000.0 / (double)first;
	}
}

static uint64_t rng;
static uint32_t rnd(void)
{
	rng = rng * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)(rng >> 33);
}

static const char *const aggs[] = { NULL, "count", "sum_qty", "first", "last", "min", "max",
				    "vwap", "move_bps" };

static void run_shape(const char *shape, uint64_t window_ns, unsigned nb, uint64_t seed)
{
	struct tp_cep_rule_def d[8];
	for (int a = TP_CEP_COUNT; a <= TP_CEP_MOVE_BPS; a++) {
		char spec[256], name[16];
		snprintf(spec, sizeof(spec), "kind=window;agg=%s;price=event;events=add;%s;"
			 "threshold=9223372036854775807", aggs[a], shape);
		snprintf(name, sizeof(name), "a%d", a);
		def_parse(&d[a - 1], name, spec);
	}
	struct tp_cep *c = cep_new(d, 8, NULL, 16);
	static struct model m[NSTOCK][8];
	memset(m, 0, sizeof(m));
	uint64_t w = window_ns / nb;
	for (unsigned s = 0; s < NSTOCK; s++)
		for (unsigned a = 0; a < 8; a++) {
			m[s][a].w = w;
			m[s][a].nb = nb;
		}
	rng = seed;
	uint64_t t[NSTOCK];
	for (unsigned s = 0; s < NSTOCK; s++)
		t[s] = T0;
	for (unsigned i = 0; i < NEV; i++) {
		unsigned s = rnd() % NSTOCK;
		uint32_t r = rnd() % 100;
		uint64_t ts;
		if (r < 70)
			ts = t[s] + rnd() % (w / 2 + 2);               /* small steps */
		else if (r < 80)
			ts = t[s] + (uint64_t)(1 + rnd() % 3) * window_ns / 2; /* jumps */
		else if (r < 90)
			ts = (t[s] / w + 1 + rnd() % 3) * w - (rnd() & 1); /* on a bucket edge */
		else
			ts = t[s] - (t[s] - T0 < 3 * w ? t[s] - T0 : rnd() % (3 * w)); /* late */
		if (ts > t[s])
			t[s] = ts;
		uint32_t px = 1 + rnd() % 1000000, qty = rnd() % 1000;
		if (rnd() % 16 == 0)
			px = 4000000000u - rnd() % 1000; /* large prices: no overflow in p*q sums */
		struct tp_event e = ev_mk(TP_EV_ADD, (uint16_t)(s + 1), 1, ts, i, px, qty, 0, 0);
		ck_assert_uint_eq(tp_cep_on_event(c, &e), 0);
		for (unsigned a = 0; a < 8; a++) {
			model_add(&m[s][a], ts, px, qty);
			double want = -3, got = -1;
			int agg = a + 1;
			int empty_vwap = agg == TP_CEP_VWAP;
			if (empty_vwap) {
				uint64_t q = 0;
				for (unsigned k = 0; k < m[s][a].n; k++)
					q += m[s][a].ev[k].qty;
				empty_vwap = q == 0;
			}
			int rc = tp_cep_value(c, a, (uint16_t)(s + 1), &got);
			if (empty_vwap) {
				ck_assert_int_eq(rc, -3);
				continue;
			}
			want = model_value(&m[s][a], agg);
			ck_assert_msg(rc == 0 && got == want,
				      "%s, event %u (stock %u, ts %" PRIu64 "), %s: engine %g (rc %d), model %g",
				      shape, i, s + 1, ts, aggs[agg], got, rc, want);
		}
	}
	tp_cep_free(c);
}

START_TEST(model_tumbling) { run_shape("window=1ms;mode=tumbling", MS, 1, 1); }
END_TEST
START_TEST(model_4_buckets) { run_shape("window=1ms;buckets=4", MS, 4, 2); }
END_TEST
START_TEST(model_64_buckets) { run_shape("window=1ms;buckets=64", MS, 64, 3); }
END_TEST
START_TEST(model_uneven) { run_shape("window=100us;buckets=64", 100 * US, 64, 4); }
END_TEST
START_TEST(model_short) { run_shape("window=10us;buckets=8", 10 * US, 8, 5); }
END_TEST
START_TEST(model_2_buckets) { run_shape("window=3ms;buckets=2", 3 * MS, 2, 6); }
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cep-model");
	TCase *t = tcase_create("model");
	tcase_set_timeout(t, 120);
	tcase_add_test(t, model_tumbling);
	tcase_add_test(t, model_4_buckets);
	tcase_add_test(t, model_64_buckets);
	tcase_add_test(t, model_uneven);
	tcase_add_test(t, model_short);
	tcase_add_test(t, model_2_buckets);
	suite_add_tcase(s, t);
	return s;
}

RUN_SUITE(suite)
