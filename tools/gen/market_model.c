/* The market model behind tickpipe-gen (see market_model.h for the session layout).
 *
 * Each stock keeps its live orders in a small array of its own (at most LIVE_MAX): removal
 * swaps the last order in, and the best price per side is cached and recomputed only when
 * the order that held it leaves. That keeps a 5M-message, 500-stock session to about a
 * second, and the whole state is a function of the seed alone. */
#include "market_model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen_prng.h"

#define LIVE_MAX  128u  /* storage per stock */
#define LIVE_SOFT 96u   /* an add at this many live orders becomes a delete */
#define LIVE_LOW  4u    /* below this, an order-referencing action becomes an add */
#define N_SCHED   7u    /* scheduled rarities during trading */
#define N_FLOW    8u    /* order-flow types forced at the end when missing */
#define MIN_SLACK 4u

#define BUY  0
#define SELL 1

struct order {
	uint64_t ref;
	uint32_t price;   /* ITCH units */
	uint32_t shares;
	uint8_t side;     /* BUY / SELL */
};

struct stock {
	char sym[8];
	uint16_t locate;
	uint32_t mid;          /* cents */
	uint32_t n;            /* live orders */
	uint32_t nside[2];
	uint32_t best[2];      /* cached best price per side, 0 = none */
	uint8_t best_ok[2];
	struct order *o;
};

struct tp_gen_model {
	struct tp_gen_model_cfg cfg;
	struct stock *st;
	struct order *pool;
	struct tp_gen_rng rng;
	uint64_t idx;
	uint64_t next_ref;
	uint64_t match;
	uint64_t counts[TP_GEN_ITCH_NTYPES];
	int8_t type_ix[256];
	uint64_t trade_start, trade_end;
	tp_gen_sink_fn sink;
	void *ctx;
	int err;
	struct tp_gen_shock_info shock;
	uint8_t buf[TP_GEN_ITCH_MAX_LEN + 14];
};

/* Order flow: type letters and weights (per mille, normalized by FLOW_TOTAL). */
static const struct {
	char type;
	uint16_t weight;
} flow_mix[] = {
	{'A', 340}, {'F', 30}, {'E', 95}, {'C', 20}, {'X', 80}, {'D', 270}, {'U', 80},
	{'P', 40}, {'I', 3}, {'N', 1}, {'J', 1}, {'B', 1},
};
#define FLOW_TOTAL 961u

static const char forced_order[] = "AFUXCEPD";
static const char sched_types[N_SCHED] = {'J', 'h', 'h', 'O', 'B', 'I', 'N'};
static const char mpids[4][4] = {{'G', 'S', 'C', 'O'}, {'M', 'S', 'C', 'O'},
				 {'J', 'P', 'M', 'S'}, {'C', 'I', 'T', 'I'}};

static uint64_t setup_len(uint32_t n)
{
	return 5ull * n + 5;
}

static uint64_t close_len(uint32_t n)
{
	return 2ull * n + 4;
}

uint64_t tp_gen_model_min_messages(uint32_t stocks)
{
	return setup_len(stocks) + close_len(stocks) + N_SCHED + N_FLOW + MIN_SLACK;
}

void tp_gen_model_trading_range(uint32_t stocks, uint64_t messages, uint64_t *start,
				uint64_t *end)
{
	*start = setup_len(stocks);
	*end = messages - close_len(stocks);
}

void tp_gen_model_shock_range(uint32_t stocks, uint64_t messages, uint64_t *first,
			      uint64_t *last)
{
	uint64_t s, e;
	tp_gen_model_trading_range(stocks, messages, &s, &e);
	/* The old-price print needs a slot before, and after the burst the scheduled and forced
	 * messages still need room. */
	uint64_t tail = TP_GEN_SHOCK_BURST_MAX + N_SCHED + N_FLOW + 8;
	*first = s + 1;
	*last = e > s + 1 + tail ? e - tail : 0;
}

uint64_t tp_gen_ts_of(uint64_t index, uint64_t rate)
{
	return TP_GEN_T0_NS + index * 1000000000ull / rate;
}

void tp_gen_symbol(uint32_t index, char out[8])
{
	memset(out, ' ', 8);
	for (int i = 3; i >= 0; i--, index /= 26)
		out[i] = (char)('A' + index % 26);
}

struct tp_gen_model *tp_gen_model_create(const struct tp_gen_model_cfg *cfg)
{
	if (cfg->stocks == 0 || cfg->stocks > TP_GEN_MAX_STOCKS || cfg->rate == 0 ||
	    cfg->messages < tp_gen_model_min_messages(cfg->stocks))
		return NULL;
	struct tp_gen_model *m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	m->cfg = *cfg;
	m->st = calloc(cfg->stocks, sizeof(*m->st));
	m->pool = calloc((size_t)cfg->stocks * LIVE_MAX, sizeof(*m->pool));
	if (!m->st || !m->pool) {
		tp_gen_model_free(m);
		return NULL;
	}
	tp_gen_rng_seed(&m->rng, cfg->seed, 0);
	for (uint32_t i = 0; i < cfg->stocks; i++) {
		struct stock *s = &m->st[i];
		tp_gen_symbol(i, s->sym);
		s->locate = (uint16_t)(i + 1);
		s->o = &m->pool[(size_t)i * LIVE_MAX];
		s->mid = 1000 + tp_gen_rng_below(&m->rng, 19001);   /* $10.00 .. $200.00 */
		s->best_ok[BUY] = s->best_ok[SELL] = 1;
	}
	memset(m->type_ix, -1, sizeof(m->type_ix));
	for (unsigned i = 0; i < TP_GEN_ITCH_NTYPES; i++)
		m->type_ix[(uint8_t)tp_gen_itch_types[i]] = (int8_t)i;
	m->next_ref = 1;
	tp_gen_model_trading_range(cfg->stocks, cfg->messages, &m->trade_start, &m->trade_end);
	return m;
}

void tp_gen_model_free(struct tp_gen_model *m)
{
	if (!m)
		return;
	free(m->st);
	free(m->pool);
	free(m);
}

const uint64_t *tp_gen_model_counts(const struct tp_gen_model *m)
{
	return m->counts;
}

const struct tp_gen_shock_info *tp_gen_model_shock(const struct tp_gen_model *m)
{
	return &m->shock;
}

/* ---- emitting ---------------------------------------------------------------------------- */

static tp_gen_hdr hdr(const struct tp_gen_model *m, uint16_t locate)
{
	tp_gen_hdr h = {locate, 0, tp_gen_ts_of(m->idx, m->cfg.rate)};
	return h;
}

static void emit(struct tp_gen_model *m, size_t len)
{
	if (m->err)
		return;
	m->counts[m->type_ix[m->buf[0]]]++;
	m->err = m->sink(m->ctx, m->buf, len, m->idx, tp_gen_ts_of(m->idx, m->cfg.rate));
	m->idx++;
}

static uint32_t rnd(struct tp_gen_model *m, uint32_t n)
{
	return tp_gen_rng_below(&m->rng, n);
}

static uint32_t lot(struct tp_gen_model *m)
{
	return rnd(m, 8) ? 100 * (1 + rnd(m, 10)) : 1 + rnd(m, 99);
}

/* A part of `shares` (>= 2), strictly less than all of it; round lots when possible. */
static uint32_t part_of(struct tp_gen_model *m, uint32_t shares)
{
	if (shares > 100)
		return 100 * (1 + rnd(m, (shares - 1) / 100));
	return 1 + rnd(m, shares - 1);
}

/* ---- the book of one stock ------------------------------------------------------------- */

static int better(int side, uint32_t a, uint32_t b)
{
	return side == BUY ? a > b : a < b;
}

static uint32_t best_px(struct stock *s, int side)
{
	if (!s->best_ok[side]) {
		uint32_t b = 0;
		for (uint32_t i = 0; i < s->n; i++)
			if (s->o[i].side == side && (b == 0 || better(side, s->o[i].price, b)))
				b = s->o[i].price;
		s->best[side] = b;
		s->best_ok[side] = 1;
	}
	return s->best[side];
}

/* The order an incoming execution meets first: best price, then oldest (lowest ref). */
static int best_order(const struct stock *s, int side)
{
	int bi = -1;
	for (uint32_t i = 0; i < s->n; i++) {
		const struct order *o = &s->o[i];
		if (o->side != side)
			continue;
		if (bi < 0 || better(side, o->price, s->o[bi].price) ||
		    (o->price == s->o[bi].price && o->ref < s->o[bi].ref))
			bi = (int)i;
	}
	return bi;
}

static void book_add(struct stock *s, uint64_t ref, int side, uint32_t price, uint32_t shares)
{
	struct order *o = &s->o[s->n++];
	o->ref = ref;
	o->side = (uint8_t)side;
	o->price = price;
	o->shares = shares;
	s->nside[side]++;
	if (s->best_ok[side] && (s->best[side] == 0 || better(side, price, s->best[side])))
		s->best[side] = price;
}

static void book_remove(struct stock *s, uint32_t i)
{
	int side = s->o[i].side;
	if (s->o[i].price == s->best[side])
		s->best_ok[side] = 0;
	s->o[i] = s->o[--s->n];
	s->nside[side]--;
}

/* A new quote near the top of `side`, in cents, never crossing the other side. */
static uint32_t quote_cents(struct tp_gen_model *m, struct stock *s, int side)
{
	uint32_t d = (uint32_t)__builtin_ctzll(tp_gen_rng_next(&m->rng) | (1ull << 10));
	if (rnd(m, 16) == 0)
		d = 10 + rnd(m, 20);
	int64_t c = side == BUY ? (int64_t)s->mid - 1 - d : (int64_t)s->mid + 1 + d;
	if (side == BUY) {
		uint32_t ask = best_px(s, SELL);
		if (ask && c * 100 >= ask)
			c = ask / 100 - 1;
	} else {
		uint32_t bid = best_px(s, BUY);
		if (bid && c * 100 <= bid)
			c = bid / 100 + 1;
	}
	return c < 1 ? 1u : (uint32_t)c;
}

static void walk(struct tp_gen_model *m, struct stock *s)
{
	if (rnd(m, 16))
		return;
	if (rnd(m, 2))
		s->mid++;
	else if (s->mid > 100)
		s->mid--;
}

/* ---- one message each -------------------------------------------------------------------- */

static void op_add(struct tp_gen_model *m, struct stock *s, int mpid, uint32_t shares)
{
	int side;
	if (s->nside[BUY] != s->nside[SELL] && rnd(m, 10) < 7)
		side = s->nside[BUY] < s->nside[SELL] ? BUY : SELL;
	else
		side = (int)rnd(m, 2);
	uint32_t price = quote_cents(m, s, side) * 100;
	if (!shares)
		shares = lot(m);
	uint64_t ref = m->next_ref++;
	tp_gen_hdr h = hdr(m, s->locate);
	char sc = side == BUY ? 'B' : 'S';
	size_t len = mpid ? tp_gen_itch_add_mpid(m->buf, &h, ref, sc, shares, s->sym, price,
						 mpids[ref % 4])
			  : tp_gen_itch_add(m->buf, &h, ref, sc, shares, s->sym, price);
	book_add(s, ref, side, price, shares);
	emit(m, len);
}

static void op_delete(struct tp_gen_model *m, struct stock *s, uint32_t i)
{
	tp_gen_hdr h = hdr(m, s->locate);
	size_t len = tp_gen_itch_delete(m->buf, &h, s->o[i].ref);
	book_remove(s, i);
	emit(m, len);
}

/* E or C against the order an incoming market order would meet. Needs s->n >= 1. */
static void op_exec(struct tp_gen_model *m, struct stock *s, int with_price, int partial_only)
{
	uint32_t mid = s->mid * 100;
	uint32_t bid = best_px(s, BUY), ask = best_px(s, SELL);
	int side;
	if (ask && ask <= mid)          /* stale offer below the mid: buyers lift it */
		side = SELL;
	else if (bid && bid >= mid)
		side = BUY;
	else
		side = (int)rnd(m, 2);
	if (!s->nside[side])
		side = !side;
	uint32_t i = (uint32_t)best_order(s, side);
	struct order *o = &s->o[i];
	uint32_t qty = o->shares;
	if (qty >= 2 && (partial_only || rnd(m, 2)))
		qty = part_of(m, qty);
	uint64_t match = ++m->match;
	tp_gen_hdr h = hdr(m, s->locate);
	size_t len;
	if (with_price) {
		int64_t px = (int64_t)o->price + ((int64_t)rnd(m, 3) - 1) * 100;
		len = tp_gen_itch_exec_price(m->buf, &h, o->ref, qty, match,
					     rnd(m, 10) ? 'Y' : 'N', px < 100 ? 100u : (uint32_t)px);
	} else {
		len = tp_gen_itch_exec(m->buf, &h, o->ref, qty, match);
	}
	if (qty == o->shares)
		book_remove(s, i);
	else
		o->shares -= qty;
	emit(m, len);
}

static void op_cancel(struct tp_gen_model *m, struct stock *s, uint32_t i)
{
	struct order *o = &s->o[i];
	if (o->shares < 2) {
		op_delete(m, s, i);
		return;
	}
	uint32_t qty = part_of(m, o->shares);
	tp_gen_hdr h = hdr(m, s->locate);
	size_t len = tp_gen_itch_cancel(m->buf, &h, o->ref, qty);
	o->shares -= qty;
	emit(m, len);
}

static void op_replace(struct tp_gen_model *m, struct stock *s, uint32_t i)
{
	struct order old = s->o[i];
	book_remove(s, i);
	uint32_t price = quote_cents(m, s, old.side) * 100;
	uint32_t shares = lot(m);
	uint64_t ref = m->next_ref++;
	tp_gen_hdr h = hdr(m, s->locate);
	size_t len = tp_gen_itch_replace(m->buf, &h, old.ref, ref, shares, price);
	book_add(s, ref, old.side, price, shares);
	emit(m, len);
}

static void op_trade(struct tp_gen_model *m, struct stock *s, char side, uint32_t price)
{
	tp_gen_hdr h = hdr(m, s->locate);
	/* Non-cross trades carry order reference 0 on the real feed. */
	size_t len = tp_gen_itch_trade(m->buf, &h, 0, side, lot(m), s->sym, price, ++m->match);
	emit(m, len);
}

static uint32_t near_mid(struct tp_gen_model *m, const struct stock *s)
{
	int64_t c = (int64_t)s->mid + (int64_t)rnd(m, 3) - 1;
	return (uint32_t)(c < 1 ? 1 : c) * 100;
}

static void op_noii(struct tp_gen_model *m, struct stock *s, char cross)
{
	static const char dirs[] = "BSNO";
	tp_gen_hdr h = hdr(m, s->locate);
	uint32_t ref = s->mid * 100;
	/* One draw per statement: argument evaluation order is unspecified, and the bytes must
	 * not depend on the compiler. */
	uint64_t paired = (uint64_t)lot(m) * 10;
	uint64_t imbalance = lot(m);
	char dir = dirs[rnd(m, 4)];
	uint32_t far = ref + 100 * rnd(m, 5);
	uint32_t near = ref + 100 * rnd(m, 3);
	emit(m, tp_gen_itch_noii(m->buf, &h, paired, imbalance, dir, s->sym, far, near, ref, cross,
				 'L'));
}

static void op_rpii(struct tp_gen_model *m, struct stock *s)
{
	static const char flags[] = "BSAN";
	tp_gen_hdr h = hdr(m, s->locate);
	emit(m, tp_gen_itch_rpii(m->buf, &h, s->sym, flags[rnd(m, 4)]));
}

static void op_luld(struct tp_gen_model *m, struct stock *s)
{
	uint32_t ref = s->mid * 100;
	tp_gen_hdr h = hdr(m, s->locate);
	emit(m, tp_gen_itch_luld_collar(m->buf, &h, s->sym, ref, ref + ref / 20, ref - ref / 20,
					rnd(m, 3)));
}

static void op_broken(struct tp_gen_model *m, struct stock *s)
{
	tp_gen_hdr h = hdr(m, s->locate);
	uint64_t match = m->match ? 1 + tp_gen_rng_next(&m->rng) % m->match : 0;
	emit(m, tp_gen_itch_broken(m->buf, &h, match));
}

static void op_halt(struct tp_gen_model *m, struct stock *s, char action)
{
	tp_gen_hdr h = hdr(m, s->locate);
	emit(m, tp_gen_itch_op_halt(m->buf, &h, s->sym, 'Q', action));
}

static void op_dlcr(struct tp_gen_model *m, struct stock *s)
{
	uint32_t ref = s->mid * 100;
	tp_gen_hdr h = hdr(m, s->locate);
	emit(m, tp_gen_itch_dlcr(m->buf, &h, s->sym, 'Y', ref - ref / 10, ref + ref / 10, ref,
				 h.ts_ns, ref - ref / 20, ref + ref / 20));
}

static void op_cross(struct tp_gen_model *m, struct stock *s, char type)
{
	tp_gen_hdr h = hdr(m, s->locate);
	emit(m, tp_gen_itch_cross(m->buf, &h, (uint64_t)lot(m) * 100, s->sym, s->mid * 100,
				  ++m->match, type));
}

static void op_system(struct tp_gen_model *m, char code)
{
	tp_gen_hdr h = hdr(m, 0);
	emit(m, tp_gen_itch_system_event(m->buf, &h, code));
}

/* ---- phases ------------------------------------------------------------------------------ */

static void run_setup(struct tp_gen_model *m)
{
	uint32_t n = m->cfg.stocks;
	tp_gen_hdr h;
	op_system(m, 'O');
	op_system(m, 'S');
	h = hdr(m, 0);
	/* Market-wide circuit breaker levels (Price(8)): 7%, 13%, 20% below 4200.00. */
	emit(m, tp_gen_itch_mwcb_decline(m->buf, &h, 390600000000ull, 365400000000ull,
					 336000000000ull));
	for (uint32_t i = 0; i < n; i++) {
		struct stock *s = &m->st[i];
		h = hdr(m, s->locate);
		emit(m, tp_gen_itch_stock_directory(m->buf, &h, s->sym, 100));
		h = hdr(m, s->locate);
		emit(m, tp_gen_itch_trading_action(m->buf, &h, s->sym, 'T', "    "));
		h = hdr(m, s->locate);
		emit(m, tp_gen_itch_reg_sho(m->buf, &h, s->sym, '0'));
		h = hdr(m, s->locate);
		emit(m, tp_gen_itch_mpp(m->buf, &h, mpids[i % 4], s->sym, 'Y', 'N', 'A'));
	}
	struct stock *ipo = &m->st[n - 1];
	h = hdr(m, ipo->locate);
	emit(m, tp_gen_itch_ipo_update(m->buf, &h, ipo->sym, 36000, 'A', ipo->mid * 100));
	op_system(m, 'Q');
	for (uint32_t i = 0; i < n; i++)
		op_cross(m, &m->st[i], 'O');
}

static void run_close(struct tp_gen_model *m)
{
	tp_gen_hdr h = hdr(m, 0);
	emit(m, tp_gen_itch_mwcb_status(m->buf, &h, '1'));
	for (uint32_t i = 0; i < m->cfg.stocks; i++) {
		op_noii(m, &m->st[i], 'C');
		op_cross(m, &m->st[i], 'C');
	}
	op_system(m, 'M');
	op_system(m, 'E');
	op_system(m, 'C');
}

static struct stock *random_stock(struct tp_gen_model *m)
{
	return &m->st[rnd(m, m->cfg.stocks)];
}

static void flow(struct tp_gen_model *m)
{
	struct stock *s = random_stock(m);
	walk(m, s);
	uint32_t r = rnd(m, FLOW_TOTAL);
	char t = 'A';
	for (size_t k = 0; k < sizeof(flow_mix) / sizeof(flow_mix[0]); k++) {
		if (r < flow_mix[k].weight) {
			t = flow_mix[k].type;
			break;
		}
		r -= flow_mix[k].weight;
	}
	switch (t) {
	case 'A':
	case 'F':
		if (s->n >= LIVE_SOFT)
			op_delete(m, s, rnd(m, s->n));
		else
			op_add(m, s, t == 'F', 0);
		return;
	case 'E':
	case 'C':
	case 'X':
	case 'D':
	case 'U':
		if (s->n < LIVE_LOW) {
			op_add(m, s, 0, 0);
			return;
		}
		if (t == 'E' || t == 'C')
			op_exec(m, s, t == 'C', 0);
		else if (t == 'X')
			op_cancel(m, s, rnd(m, s->n));
		else if (t == 'D')
			op_delete(m, s, rnd(m, s->n));
		else
			op_replace(m, s, rnd(m, s->n));
		return;
	case 'P':
		op_trade(m, s, rnd(m, 2) ? 'B' : 'S', near_mid(m, s));
		return;
	case 'I':
		op_noii(m, s, 'C');
		return;
	case 'N':
		op_rpii(m, s);
		return;
	case 'J':
		op_luld(m, s);
		return;
	default:
		op_broken(m, s);
		return;
	}
}

static void scheduled(struct tp_gen_model *m, unsigned k)
{
	/* The two operational-halt messages (halt, resume) name the same stock. */
	uint32_t which = (k == 2 ? 1u : k) * 7919u % m->cfg.stocks;
	struct stock *s = &m->st[which];
	switch (sched_types[k]) {
	case 'J':
		op_luld(m, s);
		break;
	case 'h':
		op_halt(m, s, k == 1 ? 'H' : 'T');
		break;
	case 'O':
		op_dlcr(m, s);
		break;
	case 'B':
		op_broken(m, s);
		break;
	case 'I':
		op_noii(m, s, 'C');
		break;
	default:
		op_rpii(m, s);
		break;
	}
}

static unsigned missing_flow(const struct tp_gen_model *m)
{
	unsigned k = 0;
	for (const char *t = forced_order; *t; t++)
		k += m->counts[m->type_ix[(uint8_t)*t]] == 0;
	return k;
}

/* Emits the first order-flow type not seen yet, on whatever stock can take it. */
static void forced(struct tp_gen_model *m)
{
	char t = 0;
	for (const char *p = forced_order; *p; p++) {
		if (m->counts[m->type_ix[(uint8_t)*p]] == 0) {
			t = *p;
			break;
		}
	}
	struct stock *s = &m->st[0];
	for (uint32_t i = 1; i < m->cfg.stocks; i++)
		if (m->st[i].n > s->n)
			s = &m->st[i];
	if (t == 'A' || t == 'F' || t == 'P' || s->n == 0) {
		if (t == 'P')
			op_trade(m, s, 'B', near_mid(m, s));
		else
			op_add(m, s, t == 'F', 100);
		return;
	}
	if (t == 'X') {
		for (uint32_t i = 0; i < s->n; i++) {
			if (s->o[i].shares >= 2) {
				op_cancel(m, s, i);
				return;
			}
		}
		op_add(m, s, 0, 100);
		return;
	}
	if (t == 'U')
		op_replace(m, s, 0);
	else if (t == 'C' || t == 'E')
		op_exec(m, s, t == 'C', 1);
	else
		op_delete(m, s, 0);
}

static void shock_burst(struct tp_gen_model *m)
{
	struct stock *s = &m->st[m->cfg.shock_stock];
	double pct = m->cfg.shock_pct;
	uint32_t old = s->mid;
	int64_t nw = llround((double)old * (1.0 + pct / 100.0));
	if (nw == (int64_t)old)
		nw += pct > 0 ? 1 : -1;
	if (nw < 100)
		nw = 100;
	char side = pct > 0 ? 'B' : 'S';
	op_trade(m, s, side, old * 100);
	s->mid = (uint32_t)nw;
	m->shock.index = m->idx;
	m->shock.ts_ns = tp_gen_ts_of(m->idx, m->cfg.rate);
	m->shock.price_before = old * 100;
	m->shock.price_after = s->mid * 100;
	op_trade(m, s, side, s->mid * 100);
	while (s->n)
		op_delete(m, s, s->n - 1);
	for (uint32_t k = 0; k < 4; k++) {
		uint64_t ref = m->next_ref++;
		tp_gen_hdr h = hdr(m, s->locate);
		uint32_t shares = 100 * (1 + rnd(m, 5));
		uint32_t px = (s->mid - 1 - k) * 100;
		emit(m, tp_gen_itch_add(m->buf, &h, ref, 'B', shares, s->sym, px));
		book_add(s, ref, BUY, px, shares);
		ref = m->next_ref++;
		h = hdr(m, s->locate);
		shares = 100 * (1 + rnd(m, 5));
		px = (s->mid + 1 + k) * 100;
		emit(m, tp_gen_itch_add(m->buf, &h, ref, 'S', shares, s->sym, px));
		book_add(s, ref, SELL, px, shares);
	}
}

static void run_trading(struct tp_gen_model *m)
{
	uint64_t len = m->trade_end - m->trade_start;
	uint64_t at[N_SCHED];
	for (unsigned k = 0; k < N_SCHED; k++)
		at[k] = m->trade_start + (k + 1) * len / (N_SCHED + 1);
	unsigned si = 0;
	while (m->idx < m->trade_end && !m->err) {
		uint64_t rem = m->trade_end - m->idx;
		unsigned missing = missing_flow(m);
		if (m->cfg.shock && m->idx + 1 == m->cfg.shock_at)
			shock_burst(m);
		else if (si < N_SCHED && (m->idx >= at[si] || rem <= (N_SCHED - si) + missing + 2))
			scheduled(m, si++);
		else if (missing && rem <= missing + 2)
			forced(m);
		else
			flow(m);
	}
}

int tp_gen_model_run(struct tp_gen_model *m, tp_gen_sink_fn sink, void *ctx)
{
	m->sink = sink;
	m->ctx = ctx;
	run_setup(m);
	run_trading(m);
	run_close(m);
	return m->err;
}

void tp_gen_model_book(const struct tp_gen_model *m, uint32_t stock, struct tp_gen_book *b)
{
	const struct stock *s = &m->st[stock];
	uint32_t px[2][LIVE_MAX];
	uint32_t np[2] = {0, 0};
	memset(b, 0, sizeof(*b));
	for (uint32_t i = 0; i < s->n; i++) {
		const struct order *o = &s->o[i];
		uint32_t *list = px[o->side];
		uint32_t k = 0;
		while (k < np[o->side] && list[k] != o->price)
			k++;
		if (k == np[o->side])
			list[np[o->side]++] = o->price;
	}
	b->bid_levels = np[BUY];
	b->ask_levels = np[SELL];
	for (uint32_t i = 0; i < s->n; i++) {
		const struct order *o = &s->o[i];
		if (o->side == BUY && (b->bid_px == 0 || o->price > b->bid_px))
			b->bid_px = o->price;
		if (o->side == SELL && (b->ask_px == 0 || o->price < b->ask_px))
			b->ask_px = o->price;
	}
	for (uint32_t i = 0; i < s->n; i++) {
		const struct order *o = &s->o[i];
		if (o->side == BUY && o->price == b->bid_px)
			b->bid_qty += o->shares;
		if (o->side == SELL && o->price == b->ask_px)
			b->ask_qty += o->shares;
	}
}
