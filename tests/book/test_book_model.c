/* The book against a deliberately naive model: a flat array of live orders searched
 * linearly, whose price levels are rebuilt from scratch (sort, then aggregate) whenever they
 * are compared. A deterministic generator drives both with a realistic mix: adds near the
 * top of slowly drifting prices, executes and cancels (partial, full, over), deletes,
 * replaces, duplicate and unknown refs, the odd far-away or extreme price and huge size.
 * Every operation's return code and reported order must match; every 1000 operations and
 * at the end, every stock's BBO, level counts and full depth must match exactly. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp_book.h"

#define MAX_LIVE 16384
#define MAX_STOCKS 64
#define TICK 100u

struct morder {
	uint64_t ref;
	uint16_t loc;
	uint8_t side; /* 'B' / 'S' */
	uint32_t price;
	uint32_t qty;
};

struct model {
	struct morder o[MAX_LIVE];
	uint32_t n;
	uint32_t max_orders;
	uint64_t err[TP_BOOK_ERR_KINDS];
};

static int m_find(const struct model *m, uint64_t ref)
{
	for (uint32_t i = 0; i < m->n; i++)
		if (m->o[i].ref == ref)
			return (int)i;
	return -1;
}

static void m_remove(struct model *m, int i)
{
	m->o[i] = m->o[--m->n];
}

static int m_err(struct model *m, int rc)
{
	m->err[-rc]++;
	return rc;
}

static int m_add(struct model *m, uint64_t ref, uint16_t loc, uint8_t side, uint32_t px,
		 uint32_t qty)
{
	if (side != 'B' && side != 'S')
		return m_err(m, TP_BOOK_ERR_BAD_SIDE);
	if (!qty)
		return m_err(m, TP_BOOK_ERR_ZERO_QTY);
	if (m_find(m, ref) >= 0)
		return m_err(m, TP_BOOK_ERR_DUP_REF);
	if (m->n >= m->max_orders)
		return m_err(m, TP_BOOK_ERR_BOOK_FULL);
	m->o[m->n++] = (struct morder){ ref, loc, side, px, qty };
	return TP_BOOK_OK;
}

static int m_reduce(struct model *m, uint64_t ref, uint32_t qty, int over_rc, struct morder *was)
{
	int i = m_find(m, ref);
	if (i < 0)
		return m_err(m, TP_BOOK_ERR_UNKNOWN_REF);
	*was = m->o[i];
	if (qty < m->o[i].qty) {
		m->o[i].qty -= qty;
		return TP_BOOK_OK;
	}
	int over = qty > m->o[i].qty;
	m_remove(m, i);
	return over ? m_err(m, over_rc) : TP_BOOK_OK;
}

static int m_delete(struct model *m, uint64_t ref, struct morder *was)
{
	int i = m_find(m, ref);
	if (i < 0)
		return m_err(m, TP_BOOK_ERR_UNKNOWN_REF);
	*was = m->o[i];
	m_remove(m, i);
	return TP_BOOK_OK;
}

static int m_replace(struct model *m, uint64_t old_ref, uint64_t new_ref, uint32_t px,
		     uint32_t qty, struct morder *was)
{
	int i = m_find(m, old_ref);
	if (i < 0)
		return m_err(m, TP_BOOK_ERR_UNKNOWN_REF);
	*was = m->o[i];
	m_remove(m, i);
	if (m_find(m, new_ref) >= 0)
		return m_err(m, TP_BOOK_ERR_DUP_REF);
	if (!qty)
		return m_err(m, TP_BOOK_ERR_ZERO_QTY);
	m->o[m->n++] = (struct morder){ new_ref, was->loc, was->side, px, qty };
	return TP_BOOK_OK;
}

/* ---- Comparison ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

/* The model's levels of one side, best first. */
static uint32_t m_levels(const struct model *m, uint16_t loc, uint8_t side,
			 struct tp_book_level *out)
{
	static uint32_t px[MAX_LIVE];
	uint32_t k = 0;
	for (uint32_t i = 0; i < m->n; i++)
		if (m->o[i].loc == loc && m->o[i].side == side)
			px[k++] = m->o[i].price;
	qsort(px, k, sizeof(px[0]), cmp_u32);
	uint32_t nl = 0;
	for (uint32_t i = 0; i < k; i++)
		if (i == 0 || px[i] != px[i - 1])
			out[nl++] = (struct tp_book_level){ .price = px[i] };
	if (side == 'B') /* best first: bids descending */
		for (uint32_t i = 0; i < nl / 2; i++) {
			struct tp_book_level t = out[i];
			out[i] = out[nl - 1 - i];
			out[nl - 1 - i] = t;
		}
	for (uint32_t i = 0; i < m->n; i++) {
		if (m->o[i].loc != loc || m->o[i].side != side)
			continue;
		for (uint32_t l = 0; l < nl; l++)
			if (out[l].price == m->o[i].price) {
				out[l].orders++;
				out[l].qty += m->o[i].qty;
			}
	}
	return nl;
}

static void compare(struct tp_book *b, const struct model *m, const uint16_t *locs,
		    uint32_t nlocs, uint64_t step)
{
	static struct tp_book_level want[MAX_LIVE], got[MAX_LIVE];
	ck_assert_uint_eq(tp_book_order_count(b), m->n);
	for (int k = 1; k < TP_BOOK_ERR_KINDS; k++)
		ck_assert_msg(tp_book_errors(b, -k) == m->err[k], "step %llu %s: %llu vs %llu",
			      (unsigned long long)step, tp_book_err_name(-k),
			      (unsigned long long)tp_book_errors(b, -k),
			      (unsigned long long)m->err[k]);
	for (uint32_t s = 0; s < nlocs; s++) {
		uint16_t loc = locs[s];
		struct tp_book_bbo bbo;
		tp_book_bbo(b, loc, &bbo);
		for (int side = 0; side < 2; side++) {
			uint8_t sc = side ? 'S' : 'B';
			uint32_t nw = m_levels(m, loc, sc, want);
			uint32_t ng = tp_book_depth(b, loc, sc, got, MAX_LIVE);
			ck_assert_msg(ng == nw, "step %llu locate %u side %c: %u levels, model %u",
				      (unsigned long long)step, loc, sc, ng, nw);
			ck_assert_uint_eq(tp_book_level_count(b, loc, sc), nw);
			for (uint32_t l = 0; l < nw; l++)
				ck_assert_msg(got[l].price == want[l].price &&
					      got[l].orders == want[l].orders &&
					      got[l].qty == want[l].qty,
					      "step %llu locate %u side %c level %u: %u/%u/%llu vs %u/%u/%llu",
					      (unsigned long long)step, loc, sc, l, got[l].price,
					      got[l].orders, (unsigned long long)got[l].qty,
					      want[l].price, want[l].orders,
					      (unsigned long long)want[l].qty);
			uint32_t px = side ? bbo.ask_px : bbo.bid_px;
			uint64_t qty = side ? bbo.ask_qty : bbo.bid_qty;
			ck_assert_uint_eq(px, nw ? want[0].price : 0);
			ck_assert_uint_eq(qty, nw ? want[0].qty : 0);
		}
	}
	for (uint32_t i = 0; i < m->n; i++) {
		struct tp_book_order o;
		ck_assert_int_eq(tp_book_lookup(b, m->o[i].ref, &o), TP_BOOK_OK);
		ck_assert_uint_eq(o.locate, m->o[i].loc);
		ck_assert_uint_eq(o.side, m->o[i].side);
		ck_assert_uint_eq(o.price, m->o[i].price);
		ck_assert_uint_eq(o.qty, m->o[i].qty);
	}
	char why[256] = "";
	ck_assert_msg(tp_book_validate(b, why, sizeof(why)) == 0, "step %llu: %s",
		      (unsigned long long)step, why);
}

/* ---- Generator ---- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static uint32_t below(uint32_t n) { return (uint32_t)(rnd() % n); }

struct gen {
	uint16_t locs[MAX_STOCKS];
	uint32_t mid[MAX_STOCKS];
	uint32_t nlocs;
	uint64_t next_ref;
};

/* Mostly a few ticks from the mid on the own side; sometimes through it (crossing), far
 * away, or at the ends of uint32. */
static uint32_t gen_price(const struct gen *g, uint32_t s, uint8_t side)
{
	uint32_t r = below(1000);
	if (r < 10) {
		static const uint32_t ends[] = { 0, 1, UINT32_MAX, UINT32_MAX - 1 };
		return ends[below(4)];
	}
	if (r < 40)
		return (uint32_t)rnd();
	uint32_t dist = below(4) ? below(4) : below(40); /* in ticks, mostly at the top */
	if (r < 60)
		return side == 'B' ? g->mid[s] + TICK * (1 + below(3)) : g->mid[s] - TICK * (1 + below(3));
	return side == 'B' ? g->mid[s] - TICK * (1 + dist) : g->mid[s] + TICK * (1 + dist);
}

static uint32_t gen_qty(void)
{
	uint32_t r = below(100);
	if (r < 2)
		return r ? UINT32_MAX : 1u + (uint32_t)(rnd() % UINT32_MAX);
	return 100u * (1 + below(r < 80 ? 5 : 50));
}

static uint64_t fresh_ref(struct gen *g)
{
	if (below(100) < 2)
		return rnd(); /* anywhere in uint64 */
	g->next_ref += 1 + (below(4) ? 0 : below(8));
	return g->next_ref;
}

/* A live order: half the time one at the top of a random stock's side (where executions
 * happen), else any. -1 when there is none. */
static int pick_live(const struct model *m, const struct gen *g)
{
	if (!m->n)
		return -1;
	if (below(2))
		return (int)below(m->n);
	uint16_t loc = g->locs[below(g->nlocs)];
	uint8_t side = below(2) ? 'B' : 'S';
	int best = -1;
	for (uint32_t i = 0; i < m->n; i++) {
		const struct morder *o = &m->o[i];
		if (o->loc != loc || o->side != side)
			continue;
		if (best < 0 || (side == 'B' ? o->price > m->o[best].price : o->price < m->o[best].price))
			best = (int)i;
	}
	return best >= 0 ? best : (int)below(m->n);
}

static void expect_was(const struct tp_book_order *o, const struct morder *was, int rc)
{
	if (rc == TP_BOOK_ERR_UNKNOWN_REF)
		return;
	ck_assert_uint_eq(o->ref, was->ref);
	ck_assert_uint_eq(o->locate, was->loc);
	ck_assert_uint_eq(o->side, was->side);
	ck_assert_uint_eq(o->price, was->price);
	ck_assert_uint_eq(o->qty, was->qty);
}

/* Runs `ops` operations and returns how many of each kind of error occurred (checked equal
 * between book and model along the way). */
static void run(uint64_t seed, uint32_t nstocks, uint32_t max_orders, uint32_t max_levels,
		uint32_t target_live, uint32_t ops, uint64_t *errs_out)
{
	static struct model m;
	memset(&m, 0, sizeof(m));
	m.max_orders = max_orders;
	rng_state = seed;
	struct tp_book_params p = { .max_orders = max_orders, .max_stocks = MAX_STOCKS,
		.max_levels = max_levels, .mem_flags = TP_HUGEMEM_F_NO_HUGE };
	struct tp_book *b = tp_book_create(&p);
	ck_assert_ptr_nonnull(b);

	struct gen g = { .nlocs = nstocks, .next_ref = 1000000 };
	for (uint32_t s = 0; s < nstocks; s++) {
		/* Spread over the whole locate range, both ends included. */
		g.locs[s] = s == 0 ? 0 : s == nstocks - 1 ? 65535 : (uint16_t)(1 + s * 1021);
		g.mid[s] = 100000u + s * 3700u; /* $10.00 up, in 1/10000 */
		g.mid[s] -= g.mid[s] % TICK;
	}

	for (uint32_t step = 1; step <= ops; step++) {
		uint32_t s = below(nstocks);
		if (below(50) == 0) /* the market drifts */
			g.mid[s] += below(2) ? TICK : (uint32_t)-TICK;
		uint32_t r = below(100);
		uint32_t add_pct = m.n < target_live ? 50 : 35;
		struct tp_book_order o = { 0 };
		struct morder was = { 0 };
		int rc, want;
		if (r < add_pct) {
			uint8_t side = below(2) ? 'B' : 'S';
			uint64_t ref = fresh_ref(&g);
			if (below(100) == 0 && m.n)
				ref = m.o[below(m.n)].ref; /* duplicate */
			uint32_t px = gen_price(&g, s, side), qty = gen_qty();
			if (below(400) == 0)
				side = (uint8_t)"XbsN"[below(4)];
			if (below(400) == 0)
				qty = 0;
			want = m_add(&m, ref, g.locs[s], side, px, qty);
			rc = tp_book_add(b, ref, g.locs[s], side, px, qty);
			ck_assert_msg(rc == want, "step %u add: %d, model %d", step, rc, want);
			continue;
		}
		/* Everything else names an order: live mostly, sometimes unknown. */
		int i = pick_live(&m, &g);
		uint64_t ref = (i < 0 || below(100) < 4) ? (rnd() | 1ull << 63) : m.o[i].ref;
		uint32_t have = i >= 0 ? m.o[i].qty : 100;
		if (r < add_pct + 18) { /* execute */
			uint32_t q = below(10) < 6 ? have : below(10) ? 1 + below(have) :
				(have == UINT32_MAX ? have : have + 1 + below(UINT32_MAX - have));
			want = m_reduce(&m, ref, q, TP_BOOK_ERR_OVER_EXEC, &was);
			rc = tp_book_execute(b, ref, q, &o);
		} else if (r < add_pct + 30) { /* cancel */
			uint32_t q = below(10) < 7 ? 1 + below(have) : below(3) ? have :
				(have == UINT32_MAX ? have : have + 1 + below(100));
			want = m_reduce(&m, ref, q, TP_BOOK_ERR_OVER_CANCEL, &was);
			rc = tp_book_cancel(b, ref, q, &o);
		} else if (r < add_pct + 50) { /* delete */
			want = m_delete(&m, ref, &was);
			rc = tp_book_delete(b, ref, &o);
		} else if (r < 99) { /* replace: new ref, near-top price on the same side */
			uint8_t side = i >= 0 ? m.o[i].side : 'B';
			uint32_t os = s;
			if (i >= 0)
				for (uint32_t k = 0; k < nstocks; k++)
					if (g.locs[k] == m.o[i].loc)
						os = k;
			uint64_t nref = fresh_ref(&g);
			uint32_t c = below(100);
			if (c < 3)
				nref = ref; /* same ref */
			else if (c < 6 && m.n)
				nref = m.o[below(m.n)].ref; /* someone else's */
			uint32_t q = below(200) ? gen_qty() : 0;
			uint32_t px = gen_price(&g, os, side);
			want = m_replace(&m, ref, nref, px, q, &was);
			rc = tp_book_replace(b, ref, nref, px, q, &o);
		} else { /* lookup */
			int mi = m_find(&m, ref);
			want = mi < 0 ? m_err(&m, TP_BOOK_ERR_UNKNOWN_REF) : TP_BOOK_OK;
			if (mi >= 0)
				was = m.o[mi];
			rc = tp_book_lookup(b, ref, &o);
		}
		ck_assert_msg(rc == want, "step %u op %u: %d, model %d", step, r, rc, want);
		expect_was(&o, &was, rc);
		if (step % 1000 == 0)
			compare(b, &m, g.locs, nstocks, step);
	}
	compare(b, &m, g.locs, nstocks, ops);
	memcpy(errs_out, m.err, sizeof(m.err));
	tp_book_free(b);
}

START_TEST(model_roomy)
{
	uint64_t e[TP_BOOK_ERR_KINDS];
	run(0x5eed0001, 64, 8192, 0, 3000, 150000, e);
	/* The generator did hit each kind it aims at (the counts themselves were compared). */
	ck_assert_uint_gt(e[-TP_BOOK_ERR_UNKNOWN_REF], 1000);
	ck_assert_uint_gt(e[-TP_BOOK_ERR_DUP_REF], 100);
	ck_assert_uint_gt(e[-TP_BOOK_ERR_OVER_EXEC], 100);
	ck_assert_uint_gt(e[-TP_BOOK_ERR_OVER_CANCEL], 100);
	ck_assert_uint_gt(e[-TP_BOOK_ERR_BAD_SIDE], 10);
	ck_assert_uint_gt(e[-TP_BOOK_ERR_ZERO_QTY], 10);
	ck_assert_uint_eq(e[-TP_BOOK_ERR_BOOK_FULL], 0);
	ck_assert_uint_eq(e[-TP_BOOK_ERR_LEVELS_FULL], 0);
	ck_assert_uint_eq(e[-TP_BOOK_ERR_INTERNAL], 0);
}
END_TEST

/* A table too small for the flow: the book runs full much of the time. */
START_TEST(model_full)
{
	uint64_t e[TP_BOOK_ERR_KINDS];
	run(0x5eed0002, 50, 300, 1u << 16, 3000, 100000, e);
	ck_assert_uint_gt(e[-TP_BOOK_ERR_BOOK_FULL], 1000);
	ck_assert_uint_eq(e[-TP_BOOK_ERR_LEVELS_FULL], 0);
	ck_assert_uint_eq(e[-TP_BOOK_ERR_INTERNAL], 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("book-model");
	TCase *tc = tcase_create("model");
	tcase_set_timeout(tc, 280);
	tcase_add_test(tc, model_roomy);
	tcase_add_test(tc, model_full);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
