#include "tp_book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A level in the arena. Ask prices are stored inverted (key = ~price) so both sides sort
 * ascending by key with the best level last, and one code path serves both. Free buddy
 * blocks reuse their first element as list links (key = next, orders = prev). */
struct tp_book_lvl {
	uint32_t key;
	uint32_t orders;
	uint64_t qty;
};
_Static_assert(sizeof(struct tp_book_lvl) == sizeof(struct tp_book_level), "16-byte levels");

#define LV_MIN_ORD 3u            /* smallest level array: 8 levels, two cache lines */
#define NIL UINT32_MAX
#define SCAN_FROM_TOP 8          /* top levels counted before a binary search (<= 1 << LV_MIN_ORD) */
_Static_assert(SCAN_FROM_TOP <= 1u << LV_MIN_ORD, "lv_upper reads SCAN_FROM_TOP levels of any array");
/* The per-operation helpers are few and hot: inlining them saves a call frame per level
 * touched, about a tenth of the instructions of an operation. */
#define HOT static inline __attribute__((always_inline))

static inline uint32_t side_mask(unsigned s) { return s ? UINT32_MAX : 0; }

/* Side letter to side index + 1 (1 bid, 2 ask); 0 for anything else. */
static const uint8_t side_of[256] = { ['B'] = 1, ['S'] = 2 };

static inline int err(struct tp_book *b, int rc)
{
	b->err[-rc]++;
	return rc;
}

/* ------------------------------------------------------------------------------------- */
/* Level arena: a buddy allocator over level slots. Blocks of order k (2^k levels) start at
 * multiples of 2^k, so a block's buddy is off ^ 2^k. free_ord marks where free blocks begin
 * so merging checks one byte instead of walking a list. */

static void fl_push(struct tp_book *b, uint32_t off, uint32_t ord)
{
	struct tp_book_lvl *l = &b->arena[off];
	uint32_t head = b->free_head[ord];
	l->key = head;
	l->orders = NIL;
	if (head != NIL)
		b->arena[head].orders = off;
	b->free_head[ord] = off;
	b->free_ord[off >> LV_MIN_ORD] = (uint8_t)(ord + 1);
}

static void fl_unlink(struct tp_book *b, uint32_t off, uint32_t ord)
{
	uint32_t next = b->arena[off].key, prev = b->arena[off].orders;
	if (prev != NIL)
		b->arena[prev].key = next;
	else
		b->free_head[ord] = next;
	if (next != NIL)
		b->arena[next].orders = prev;
	b->free_ord[off >> LV_MIN_ORD] = 0;
}

static int blk_alloc(struct tp_book *b, uint32_t ord, uint32_t *off)
{
	uint32_t k = ord;
	while (k <= b->top_ord && b->free_head[k] == NIL)
		k++;
	if (k > b->top_ord)
		return -1;
	uint32_t o = b->free_head[k];
	fl_unlink(b, o, k);
	while (k > ord) { /* split, keeping the lower half */
		k--;
		fl_push(b, o + (1u << k), k);
	}
	b->free_levels -= 1u << ord;
	*off = o;
	return 0;
}

static void blk_free(struct tp_book *b, uint32_t off, uint32_t ord)
{
	b->free_levels += 1u << ord;
	while (ord < b->top_ord) {
		uint32_t bud = off ^ (1u << ord);
		if (b->free_ord[bud >> LV_MIN_ORD] != ord + 1)
			break;
		fl_unlink(b, bud, ord);
		off &= ~(1u << ord);
		ord++;
	}
	fl_push(b, off, ord);
}

/* Doubles a side's array: in place when the upper buddy is free (no copy), else by moving. */
static int side_grow(struct tp_book *b, struct tp_book_stock *st, unsigned s)
{
	uint32_t ord = st->ord[s], off;
	if (ord == 0) {
		if (blk_alloc(b, LV_MIN_ORD, &off))
			return -1;
		/* lv_upper's padding: every unused key of a small array is 0. */
		memset(&b->arena[off], 0, sizeof(struct tp_book_lvl) << LV_MIN_ORD);
		st->off[s] = off;
		st->ord[s] = LV_MIN_ORD;
		return 0;
	}
	if (ord >= b->top_ord)
		return -1;
	uint32_t cur = st->off[s], bud = cur ^ (1u << ord);
	if (!(cur & (1u << ord)) && b->free_ord[bud >> LV_MIN_ORD] == ord + 1) {
		fl_unlink(b, bud, ord);
		b->free_levels -= 1u << ord;
		st->ord[s] = (uint8_t)(ord + 1);
		return 0;
	}
	if (blk_alloc(b, ord + 1, &off))
		return -1;
	memcpy(&b->arena[off], &b->arena[cur], (size_t)st->n[s] * sizeof(struct tp_book_lvl));
	blk_free(b, cur, ord);
	st->off[s] = off;
	st->ord[s] = (uint8_t)(ord + 1);
	return 0;
}

/* Halves an array down to a quarter full by giving back its upper half: no copy, and the
 * hysteresis (grow at full, shrink at a quarter) keeps a level count that wobbles around a
 * power of two from reallocating on every order. */
static void side_shrink(struct tp_book *b, struct tp_book_stock *st, unsigned s)
{
	uint32_t ord = st->ord[s] - 1u;
	blk_free(b, st->off[s] + (1u << ord), ord);
	st->ord[s] = (uint8_t)ord;
}

/* ------------------------------------------------------------------------------------- */
/* Levels of one side: ascending keys, best last.
 *
 * Padding: while a side has fewer than SCAN_FROM_TOP levels, the keys of its unused slots
 * below SCAN_FROM_TOP are 0, so lv_upper can count over a fixed window. A new array is
 * zeroed (side_grow), a removal zeroes the slot it vacates (level_sub), and the level
 * count only ever moves by one, so the slots above it were zeroed on the way down; growing
 * and shrinking happen at 8 levels or more, or keep the lower half. tp_book_validate
 * checks it. */

/* First index whose key is above `key` (so key sits at the index before it, if present).
 * The flow is at the top, so the top SCAN_FROM_TOP keys are looked at first, and counted
 * rather than scanned: how deep an order sits is data, and a loop that stops on it
 * mispredicts its exit about once per call (in a decode + book run that was 40% of all
 * mispredicted branches). A side of fewer levels is counted over the first SCAN_FROM_TOP
 * slots of its array, which exist (arrays never hold fewer) and whose unused keys are 0
 * (the padding above), so they never count as above. Below the window, a binary search: a
 * few per cent of calls. n > 0. */
static inline uint32_t lv_upper(const struct tp_book_lvl *lv, uint32_t n, uint32_t key)
{
	/* The window's start without a branch (whether a side is deeper than the window
	 * changes from stock to stock, and GCC makes the plain ?: a branch). */
	const struct tp_book_lvl *t = lv + ((n - SCAN_FROM_TOP) & -(uint32_t)(n > SCAN_FROM_TOP));
	uint32_t above = 0;
	for (uint32_t k = 0; k < SCAN_FROM_TOP; k++) {
		above += key < t[k].key;
		/* An empty asm on the running count keeps GCC's SLP vectoriser off this loop:
		 * the keys are 16 bytes apart, and shuffling them into vectors doubles the
		 * instructions of a plain compare + add-with-carry per key. */
		__asm__("" : "+r"(above));
	}
	if (__builtin_expect(above < SCAN_FROM_TOP || n <= SCAN_FROM_TOP, 1))
		return n - above;
	uint32_t lo = 0, hi = n - SCAN_FROM_TOP;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (lv[mid].key <= key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

HOT int level_add(struct tp_book *b, struct tp_book_stock *st, unsigned s, uint32_t price,
		  uint32_t qty)
{
	uint32_t key = price ^ side_mask(s), n = st->n[s];
	struct tp_book_lvl *lv = &b->arena[st->off[s]];
	uint32_t pos = n ? lv_upper(lv, n, key) : 0;
	if (pos && lv[pos - 1].key == key) {
		lv[pos - 1].qty += qty;
		lv[pos - 1].orders++;
		/* Refreshing the top's size unconditionally is cheaper than a branch on whether
		 * this level was the top, which mispredicts often. */
		st->best_qty[s] = lv[n - 1].qty;
		return TP_BOOK_OK;
	}
	if (n == (st->ord[s] ? 1u << st->ord[s] : 0)) {
		if (side_grow(b, st, s))
			return TP_BOOK_ERR_LEVELS_FULL;
		lv = &b->arena[st->off[s]];
	}
	if (pos < n) /* a new best level (common) moves nothing: skip the call */
		memmove(&lv[pos + 1], &lv[pos], (size_t)(n - pos) * sizeof(*lv));
	lv[pos] = (struct tp_book_lvl){ .key = key, .orders = 1, .qty = qty };
	st->n[s] = n + 1;
	st->best_px[s] = lv[n].key ^ side_mask(s);
	st->best_qty[s] = lv[n].qty;
	return TP_BOOK_OK;
}

/* Takes qty shares (and the order itself when gone = 1) off the order's level. */
HOT int level_sub(struct tp_book *b, struct tp_book_stock *st, unsigned s, uint32_t price,
		  uint32_t qty, uint32_t gone)
{
	uint32_t key = price ^ side_mask(s), n = st->n[s];
	struct tp_book_lvl *lv = &b->arena[st->off[s]];
	uint32_t pos = n ? lv_upper(lv, n, key) : 0;
	if (!pos || lv[pos - 1].key != key) /* every held order has its level: never taken */
		return err(b, TP_BOOK_ERR_INTERNAL);
	uint32_t i = pos - 1;
	lv[i].qty -= qty;
	lv[i].orders -= gone;
	if (lv[i].orders == 0) {
		if (i + 1 < n)
			memmove(&lv[i], &lv[i + 1], (size_t)(n - 1 - i) * sizeof(*lv));
		st->n[s] = --n;
		lv[n].key = 0; /* lv_upper's padding (harmless above SCAN_FROM_TOP levels) */
		if (st->ord[s] > LV_MIN_ORD && n <= (1u << (st->ord[s] - 2)))
			side_shrink(b, st, s); /* keeps the lower half, where lv[0, n) is */
	}
	/* The top is refreshed whether or not it changed (a branch on that mispredicts);
	 * lv[0] exists even when the side is now empty: arrays never go below 8 levels. */
	const struct tp_book_lvl *top = &lv[n ? n - 1 : 0];
	st->best_px[s] = n ? top->key ^ side_mask(s) : 0;
	st->best_qty[s] = n ? top->qty : 0;
	return TP_BOOK_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Order table. */

/* Index of ref's entry (*found = 1), or where it would go (*found = 0, *dist = its probe
 * distance there). Robin Hood order lets a miss stop at the first entry closer to its home
 * than we are; the load factor <= 0.5 guarantees an empty slot ends every probe anyway. */
static inline uint64_t tab_find(const struct tp_book *b, uint64_t ref, int *found,
				uint32_t *dist)
{
	uint64_t i = tp_book_home(b, ref);
	for (uint32_t d = 0;; d++, i = (i + 1) & b->mask) {
		const struct tp_book_entry *e = &b->tab[i];
		/* `|`, not `||`: one branch on the combined outcome, which is mostly the same
		 * for a message type, instead of a first branch on `used` that is data. */
		if (!e->used | (e->dist < d)) {
			*found = 0;
			*dist = d;
			return i;
		}
		if (e->ref == ref) {
			*found = 1;
			return i;
		}
	}
}

/* Places `cur` at slot i (from tab_find) and pushes the richer entries after it along. */
static inline void tab_insert(struct tp_book *b, uint64_t i, struct tp_book_entry cur)
{
	for (;;) {
		struct tp_book_entry *e = &b->tab[i];
		if (!e->used) {
			*e = cur;
			break;
		}
		if (e->dist < cur.dist) {
			struct tp_book_entry t = *e;
			*e = cur;
			cur = t;
		}
		i = (i + 1) & b->mask;
		cur.dist++;
	}
	b->norders++;
}

/* Backward-shift deletion: pull the rest of the run back over the hole until an empty slot
 * or an entry already at its home, so runs stay gap-free and no tombstones accumulate. */
static inline void tab_remove(struct tp_book *b, uint64_t i)
{
	for (;;) {
		uint64_t j = (i + 1) & b->mask;
		const struct tp_book_entry *e = &b->tab[j];
		/* Stop at an empty slot or at an entry at its home: one branch, almost always
		 * taken, where `||` made a first branch on whether the next slot is used (about
		 * half the time: a quarter of all mispredicted branches). */
		if (!e->used | (e->dist == 0))
			break;
		b->tab[i] = *e;
		b->tab[i].dist--;
		i = j;
	}
	b->tab[i].used = 0;
	b->norders--;
}

static inline void fill_out(const struct tp_book *b, const struct tp_book_entry *e,
			    struct tp_book_order *out)
{
	if (!out)
		return;
	out->ref = e->ref;
	out->price = e->price;
	out->qty = e->qty;
	out->locate = b->stocks[e->slot].locate;
	out->side = e->side ? 'S' : 'B';
}

static struct tp_book_stock *stock_get(struct tp_book *b, uint16_t locate)
{
	uint32_t s = b->slot_of[locate];
	if (s)
		return &b->stocks[s - 1];
	if (b->nstocks >= b->max_stocks)
		return NULL;
	struct tp_book_stock *st = &b->stocks[b->nstocks++];
	memset(st, 0, sizeof(*st));
	st->locate = locate;
	b->slot_of[locate] = b->nstocks;
	return st;
}

/* Takes an order out of its level and the table. */
HOT int order_remove(struct tp_book *b, uint64_t i)
{
	struct tp_book_entry *e = &b->tab[i];
	struct tp_book_stock *st = &b->stocks[e->slot];
	int rc = level_sub(b, st, e->side, e->price, e->qty, 1);
	st->orders[e->side]--;
	tab_remove(b, i);
	return rc;
}

int tp_book_add(struct tp_book *b, uint64_t ref, uint16_t locate, uint8_t side,
		uint32_t price, uint32_t qty)
{
	/* Sides are random: a table and one well-predicted test, where comparing with 'B'
	 * and 'S' compiles to a branch on the side (a sixth of all mispredicted branches). */
	unsigned s = side_of[side];
	if (__builtin_expect(!s, 0))
		return err(b, TP_BOOK_ERR_BAD_SIDE);
	s--;
	if (!qty)
		return err(b, TP_BOOK_ERR_ZERO_QTY);
	int found;
	uint32_t dist;
	uint64_t i = tab_find(b, ref, &found, &dist);
	if (found)
		return err(b, TP_BOOK_ERR_DUP_REF);
	if (b->norders >= b->max_orders)
		return err(b, TP_BOOK_ERR_BOOK_FULL);
	struct tp_book_stock *st = stock_get(b, locate);
	if (!st)
		return err(b, TP_BOOK_ERR_STOCKS_FULL);
	int rc = level_add(b, st, s, price, qty);
	if (rc)
		return err(b, rc);
	st->orders[s]++;
	tab_insert(b, i, (struct tp_book_entry){ .ref = ref, .price = price, .qty = qty,
		.slot = (uint16_t)(st - b->stocks), .side = (uint8_t)s, .used = 1, .dist = dist });
	return TP_BOOK_OK;
}

/* Execute and cancel differ only in the code an overshoot reports. */
static inline int reduce(struct tp_book *b, uint64_t ref, uint32_t qty,
			 struct tp_book_order *out, int over_rc)
{
	int found;
	uint32_t dist;
	uint64_t i = tab_find(b, ref, &found, &dist);
	if (!found)
		return err(b, TP_BOOK_ERR_UNKNOWN_REF);
	struct tp_book_entry *e = &b->tab[i];
	fill_out(b, e, out);
	if (qty < e->qty) {
		int rc = level_sub(b, &b->stocks[e->slot], e->side, e->price, qty, 0);
		e->qty -= qty;
		return rc;
	}
	uint32_t had = e->qty; /* e is overwritten by the removal's backward shift */
	int rc = order_remove(b, i);
	if (rc)
		return rc;
	return qty > had ? err(b, over_rc) : TP_BOOK_OK;
}

int tp_book_execute(struct tp_book *b, uint64_t ref, uint32_t qty, struct tp_book_order *out)
{
	return reduce(b, ref, qty, out, TP_BOOK_ERR_OVER_EXEC);
}

int tp_book_cancel(struct tp_book *b, uint64_t ref, uint32_t qty, struct tp_book_order *out)
{
	return reduce(b, ref, qty, out, TP_BOOK_ERR_OVER_CANCEL);
}

int tp_book_delete(struct tp_book *b, uint64_t ref, struct tp_book_order *out)
{
	int found;
	uint32_t dist;
	uint64_t i = tab_find(b, ref, &found, &dist);
	if (!found)
		return err(b, TP_BOOK_ERR_UNKNOWN_REF);
	fill_out(b, &b->tab[i], out);
	return order_remove(b, i);
}

int tp_book_replace(struct tp_book *b, uint64_t old_ref, uint64_t new_ref, uint32_t price,
		    uint32_t qty, struct tp_book_order *out)
{
	int found;
	uint32_t dist;
	uint64_t i = tab_find(b, old_ref, &found, &dist);
	if (!found)
		return err(b, TP_BOOK_ERR_UNKNOWN_REF);
	struct tp_book_entry *e = &b->tab[i];
	fill_out(b, e, out);
	uint16_t slot = e->slot;
	unsigned s = e->side;
	/* Remove first, then probe once for new_ref: that probe both detects a duplicate and
	 * finds the insertion slot (the removal may have shifted entries). */
	int rc = order_remove(b, i);
	if (rc)
		return rc;
	i = tab_find(b, new_ref, &found, &dist);
	if (found)
		return err(b, TP_BOOK_ERR_DUP_REF);
	if (!qty)
		return err(b, TP_BOOK_ERR_ZERO_QTY);
	struct tp_book_stock *st = &b->stocks[slot];
	rc = level_add(b, st, s, price, qty);
	if (rc)
		return err(b, rc);
	st->orders[s]++;
	tab_insert(b, i, (struct tp_book_entry){ .ref = new_ref, .price = price, .qty = qty,
		.slot = slot, .side = (uint8_t)s, .used = 1, .dist = dist });
	return TP_BOOK_OK;
}

int tp_book_lookup(struct tp_book *b, uint64_t ref, struct tp_book_order *out)
{
	int found;
	uint32_t dist;
	uint64_t i = tab_find(b, ref, &found, &dist);
	if (!found)
		return err(b, TP_BOOK_ERR_UNKNOWN_REF);
	fill_out(b, &b->tab[i], out);
	return TP_BOOK_OK;
}

/* ------------------------------------------------------------------------------------- */
/* Stale flags and views. */

int tp_book_set_stale(struct tp_book *b, uint16_t locate, int stale)
{
	struct tp_book_stock *st = stock_get(b, locate);
	if (!st)
		return err(b, TP_BOOK_ERR_STOCKS_FULL);
	st->stale = stale ? 1 : 0;
	return TP_BOOK_OK;
}

void tp_book_set_stale_all(struct tp_book *b, int stale)
{
	for (uint32_t i = 0; i < b->nstocks; i++)
		b->stocks[i].stale = stale ? 1 : 0;
}

uint32_t tp_book_depth(const struct tp_book *b, uint16_t locate, uint8_t side,
		       struct tp_book_level *out, uint32_t n)
{
	const struct tp_book_stock *st = tp_book_stock_find(b, locate);
	if (!st || (side != 'B' && side != 'S'))
		return 0;
	unsigned s = side == 'S';
	uint32_t have = st->n[s];
	if (n > have)
		n = have;
	if (!n)
		return 0;
	const struct tp_book_lvl *top = &b->arena[st->off[s] + have - 1];
	for (uint32_t k = 0; k < n; k++) {
		const struct tp_book_lvl *l = top - k;
		out[k] = (struct tp_book_level){ .price = l->key ^ side_mask(s),
			.orders = l->orders, .qty = l->qty };
	}
	return n;
}

uint32_t tp_book_stocks(const struct tp_book *b, uint16_t *locates, uint32_t max)
{
	uint32_t k = 0;
	for (uint32_t loc = 0; loc < 65536u && k < b->nstocks; loc++) {
		if (!b->slot_of[loc])
			continue;
		if (k < max)
			locates[k] = (uint16_t)loc;
		k++;
	}
	return k;
}

int tp_book_stock_stats(const struct tp_book *b, uint16_t locate, struct tp_book_stock_stats *o)
{
	const struct tp_book_stock *st = tp_book_stock_find(b, locate);
	if (!st)
		return TP_BOOK_ERR_UNKNOWN_REF;
	*o = (struct tp_book_stock_stats){
		.locate = locate, .stale = st->stale,
		.bid_px = st->best_px[0], .ask_px = st->best_px[1],
		.bid_qty = st->best_qty[0], .ask_qty = st->best_qty[1],
		.bid_levels = st->n[0], .ask_levels = st->n[1],
		.bid_orders = st->orders[0], .ask_orders = st->orders[1],
	};
	return TP_BOOK_OK;
}

const char *tp_book_err_name(int rc)
{
	static const char *const names[TP_BOOK_ERR_KINDS] = {
		"ok", "unknown_ref", "duplicate_ref", "over_execute", "over_cancel", "book_full",
		"levels_full", "stocks_full", "bad_side", "zero_qty", "internal",
	};
	return (rc <= 0 && rc > -TP_BOOK_ERR_KINDS) ? names[-rc] : "?";
}

/* ------------------------------------------------------------------------------------- */
/* Create / free. */

static uint64_t pow2_at_least(uint64_t v)
{
	uint64_t p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static unsigned log2u(uint64_t p)
{
	unsigned k = 0;
	while ((1ull << k) < p)
		k++;
	return k;
}

static void prefault(const struct tp_hugemem *m)
{
	if (!m->huge)
		return; /* ordinary pages: memory stays uncommitted until the book grows into it */
	for (size_t off = 0; off < m->len; off += 4096)
		((volatile uint8_t *)m->addr)[off] = 0;
}

void tp_book_params_defaults(struct tp_book_params *p)
{
	if (!p->max_orders)
		p->max_orders = 4u << 20;
	if (!p->max_stocks)
		p->max_stocks = TP_BOOK_MAX_STOCKS;
	if (!p->max_levels) {
		uint64_t l = (uint64_t)p->max_orders + 16ull * p->max_stocks;
		p->max_levels = l > TP_BOOK_MAX_LEVELS ? TP_BOOK_MAX_LEVELS : (uint32_t)l;
	}
}

void tp_book_free(struct tp_book *b)
{
	if (!b)
		return;
	tp_hugemem_free(&b->mem_tab);
	tp_hugemem_free(&b->mem_stocks);
	tp_hugemem_free(&b->mem_slot);
	tp_hugemem_free(&b->mem_arena);
	tp_hugemem_free(&b->mem_free);
	free(b);
}

struct tp_book *tp_book_create(const struct tp_book_params *params)
{
	struct tp_book_params p = params ? *params : (struct tp_book_params){ 0 };
	tp_book_params_defaults(&p);
	if (p.max_orders > TP_BOOK_MAX_ORDERS || p.max_stocks > TP_BOOK_MAX_STOCKS ||
	    p.max_levels > TP_BOOK_MAX_LEVELS)
		return NULL;

	struct tp_book *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	uint64_t cap = pow2_at_least(2ull * p.max_orders);
	if (cap < 16)
		cap = 16;
	b->mask = cap - 1;
	b->bits = log2u(cap);
	b->max_orders = p.max_orders;
	b->max_stocks = p.max_stocks;

	/* Buddy blocks: the largest is big enough for one side holding every order at its own
	 * price, but no larger than the arena asked for; the arena is whole largest blocks. */
	uint64_t top = pow2_at_least(p.max_orders < 8 ? 8 : p.max_orders);
	uint64_t lv_want = p.max_levels < 8 ? 8 : p.max_levels;
	while (top > lv_want && top > 8)
		top >>= 1;
	uint64_t arena = (lv_want + top - 1) / top * top;
	if (arena > TP_BOOK_MAX_LEVELS)
		arena = TP_BOOK_MAX_LEVELS;
	b->top_ord = log2u(top);
	b->arena_levels = (uint32_t)arena;

	if (tp_hugemem_alloc(&b->mem_tab, cap * sizeof(struct tp_book_entry), p.mem_flags) ||
	    tp_hugemem_alloc(&b->mem_stocks, (size_t)p.max_stocks * sizeof(struct tp_book_stock),
			     p.mem_flags) ||
	    tp_hugemem_alloc(&b->mem_slot, 65536u * sizeof(uint32_t), p.mem_flags) ||
	    tp_hugemem_alloc(&b->mem_arena, arena * sizeof(struct tp_book_lvl), p.mem_flags) ||
	    tp_hugemem_alloc(&b->mem_free, arena >> LV_MIN_ORD, p.mem_flags)) {
		tp_book_free(b);
		return NULL;
	}
	/* Hugepages are reserved for us whether touched or not, but the first touch of each
	 * still faults into the kernel, which zeroes the whole page (2 MiB: some 100 us)
	 * on the operation that touched it. Take those faults here, not on the hot path. */
	prefault(&b->mem_tab);
	prefault(&b->mem_stocks);
	prefault(&b->mem_slot);
	prefault(&b->mem_arena);
	prefault(&b->mem_free);
	b->tab = b->mem_tab.addr;
	b->stocks = b->mem_stocks.addr;
	b->slot_of = b->mem_slot.addr;
	b->arena = b->mem_arena.addr;
	b->free_ord = b->mem_free.addr;
	for (unsigned k = 0; k < 32; k++)
		b->free_head[k] = NIL;
	for (uint64_t off = 0; off < arena; off += top)
		blk_free(b, (uint32_t)off, b->top_ord);
	return b;
}

/* ------------------------------------------------------------------------------------- */
/* Self-check for tests. */

#define FAIL(...) do { snprintf(why, whylen, __VA_ARGS__); goto fail; } while (0)

/* Marks the 8-level units of [off, off + len) in `seen`; 0 when one was marked already. */
static int mark_units(uint8_t *seen, uint32_t off, uint32_t len)
{
	for (uint32_t u = off >> LV_MIN_ORD; u < (off + len) >> LV_MIN_ORD; u++) {
		if (seen[u])
			return 0;
		seen[u] = 1;
	}
	return 1;
}

int tp_book_validate(const struct tp_book *b, char *why, unsigned whylen)
{
	uint8_t *seen = calloc(b->arena_levels >> LV_MIN_ORD, 1);
	uint64_t *sum_qty = calloc(b->arena_levels, sizeof(uint64_t));
	uint32_t *sum_cnt = calloc(b->arena_levels, sizeof(uint32_t));
	if (!seen || !sum_qty || !sum_cnt)
		FAIL("no memory to validate");

	/* Table: every entry reachable from its home without crossing an empty slot, and
	 * sitting on an existing level of its stock and side. */
	uint64_t used = 0;
	for (uint64_t i = 0; i <= b->mask; i++) {
		const struct tp_book_entry *e = &b->tab[i];
		if (!e->used)
			continue;
		used++;
		uint64_t home = tp_book_home(b, e->ref);
		if (e->dist != ((i - home) & b->mask))
			FAIL("entry at %llu (ref %llu): distance %u, home %llu",
			     (unsigned long long)i, (unsigned long long)e->ref, e->dist,
			     (unsigned long long)home);
		/* Robin Hood: everything between home and here is at least as far from its own
		 * home, else a search for this ref would stop early. */
		for (uint64_t j = home, d = 0; j != i; j = (j + 1) & b->mask, d++)
			if (!b->tab[j].used || b->tab[j].dist < d)
				FAIL("entry at %llu (ref %llu) unreachable from its home",
				     (unsigned long long)i, (unsigned long long)e->ref);
		if (!e->qty || e->slot >= b->nstocks || e->side > 1)
			FAIL("entry at %llu malformed", (unsigned long long)i);
		const struct tp_book_stock *st = &b->stocks[e->slot];
		uint32_t n = st->n[e->side], key = e->price ^ side_mask(e->side);
		const struct tp_book_lvl *lv = &b->arena[st->off[e->side]];
		uint32_t pos = n ? lv_upper(lv, n, key) : 0;
		if (!pos || lv[pos - 1].key != key)
			FAIL("order %llu has no level", (unsigned long long)e->ref);
		sum_qty[st->off[e->side] + pos - 1] += e->qty;
		sum_cnt[st->off[e->side] + pos - 1]++;
	}
	if (used != b->norders || b->norders > b->max_orders)
		FAIL("table holds %llu entries, count says %u", (unsigned long long)used, b->norders);

	/* Levels: sorted, equal to the sum of their orders, top cached right; arrays disjoint. */
	uint64_t taken = 0;
	for (uint32_t k = 0; k < b->nstocks; k++) {
		const struct tp_book_stock *st = &b->stocks[k];
		if (b->slot_of[st->locate] != k + 1)
			FAIL("stock slot %u not mapped from its locate", k);
		for (unsigned s = 0; s < 2; s++) {
			uint32_t n = st->n[s], cap = st->ord[s] ? 1u << st->ord[s] : 0;
			if (n > cap)
				FAIL("stock %u side %u: %u levels in capacity %u", st->locate, s, n, cap);
			if (cap && ((st->off[s] & (cap - 1)) || st->off[s] + cap > b->arena_levels ||
				    !mark_units(seen, st->off[s], cap)))
				FAIL("stock %u side %u: array misplaced or overlapping", st->locate, s);
			taken += cap;
			const struct tp_book_lvl *lv = &b->arena[st->off[s]];
			uint64_t orders = 0;
			for (uint32_t i = 0; i < n; i++) {
				if (i && lv[i - 1].key >= lv[i].key)
					FAIL("stock %u side %u: levels out of order", st->locate, s);
				if (!lv[i].orders || lv[i].orders != sum_cnt[st->off[s] + i] ||
				    lv[i].qty != sum_qty[st->off[s] + i])
					FAIL("stock %u side %u level %u: %u orders %llu shares, table says "
					     "%u/%llu", st->locate, s, i, lv[i].orders,
					     (unsigned long long)lv[i].qty, sum_cnt[st->off[s] + i],
					     (unsigned long long)sum_qty[st->off[s] + i]);
				orders += lv[i].orders;
			}
			if (orders != st->orders[s])
				FAIL("stock %u side %u: order count %u, levels hold %llu", st->locate,
				     s, st->orders[s], (unsigned long long)orders);
			for (uint32_t i = n; cap && i < SCAN_FROM_TOP; i++)
				if (lv[i].key != 0)
					FAIL("stock %u side %u: unused level %u has key %u, not 0",
					     st->locate, s, i, lv[i].key);
			uint32_t px = n ? lv[n - 1].key ^ side_mask(s) : 0;
			uint64_t qty = n ? lv[n - 1].qty : 0;
			if (px != st->best_px[s] || qty != st->best_qty[s])
				FAIL("stock %u side %u: cached top stale", st->locate, s);
		}
	}

	/* Arena: free blocks and arrays tile it exactly. */
	uint64_t listed = 0;
	for (uint32_t k = LV_MIN_ORD; k <= b->top_ord; k++)
		for (uint32_t o = b->free_head[k]; o != NIL; o = b->arena[o].key) {
			if (b->free_ord[o >> LV_MIN_ORD] != k + 1 || (o & ((1u << k) - 1)) ||
			    o + (1u << k) > b->arena_levels || !mark_units(seen, o, 1u << k))
				FAIL("free block %u of order %u mislabelled or overlapping", o, k);
			listed += 1u << k;
		}
	if (listed != b->free_levels || taken + listed != b->arena_levels)
		FAIL("arena: %llu taken + %llu listed free (count %u) != %u",
		     (unsigned long long)taken, (unsigned long long)listed, b->free_levels,
		     b->arena_levels);
	free(seen);
	free(sum_qty);
	free(sum_cnt);
	return 0;
fail:
	free(seen);
	free(sum_qty);
	free(sum_cnt);
	return -1;
}
