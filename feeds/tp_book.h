/* L3 order book: every open order by reference number, aggregated into price levels per
 * stock and side, with the top of book cached for O(1) reads.
 *
 * It takes operations, not messages: the ITCH decoder (or anything else) maps A/F/E/C/X/D/U
 * onto add/execute/cancel/delete/replace. The book mirrors the feed and never judges it:
 * crossed and locked books are kept as they come. Inconsistencies (unknown or duplicate
 * refs, over-executions, a full table) are returned as negative codes AND counted per kind
 * here, so the caller may count them again under its own names without a second look-up.
 *
 * Memory: everything is allocated at create (tp_hugemem, hugepages when the machine has
 * them, and then touched at create so that no operation takes a page fault); no operation
 * allocates. The table is far bigger than the caches: callers that know the next
 * messages warm their slots a few messages ahead with tp_book_prefetch (tp_feed does).
 *  - Orders live in an open-addressing hash table with linear probing in Robin Hood order,
 *    capacity a power of two >= 2 * max_orders (load factor <= 0.5), deletion by backward
 *    shift so no tombstones build up over a day. Robin Hood matters here because refs are
 *    consecutive and land in consecutive slots (see tp_book_home): a morning's worth of
 *    resting orders forms long runs, and plain linear probing would walk a whole run for
 *    each unknown ref and each deletion inside it; Robin Hood stops at the first entry that
 *    sits closer to its home. Entries are 32 bytes, two per cache line.
 *  - Each stock seen gets a slot from a pool of max_stocks (memory follows the stocks
 *    actually seen, not the 65536 possible locates). Each side of a stock is a sorted array
 *    of levels with the best level at the END: most ITCH activity is at or near the top, so
 *    finding a level is a short backward scan and inserting or removing one moves a few
 *    entries. The arrays come from one preallocated level arena managed as a buddy system,
 *    so they grow and shrink in place where they can and freed space coalesces.
 *
 * One thread owns a book; nothing here is synchronised. */
#ifndef TP_BOOK_H
#define TP_BOOK_H

#include <stdint.h>

#include "tp_hugemem.h"

/* Return codes. Each error kind is also counted in the book (tp_book_errors()). */
enum tp_book_rc {
	TP_BOOK_OK = 0,
	TP_BOOK_ERR_UNKNOWN_REF = -1,  /* execute/cancel/delete/replace/lookup of a ref not held */
	TP_BOOK_ERR_DUP_REF = -2,      /* add, or replace's new ref, names an order already held */
	TP_BOOK_ERR_OVER_EXEC = -3,    /* executed more than remained: the order was removed */
	TP_BOOK_ERR_OVER_CANCEL = -4,  /* cancelled more than remained: the order was removed */
	TP_BOOK_ERR_BOOK_FULL = -5,    /* max_orders open orders already: the add was refused */
	TP_BOOK_ERR_LEVELS_FULL = -6,  /* level arena exhausted: the add was refused */
	TP_BOOK_ERR_STOCKS_FULL = -7,  /* max_stocks distinct locates seen: refused */
	TP_BOOK_ERR_BAD_SIDE = -8,     /* side neither 'B' nor 'S': refused */
	TP_BOOK_ERR_ZERO_QTY = -9,     /* add/replace with 0 shares: refused */
	TP_BOOK_ERR_INTERNAL = -10,    /* an invariant broke (a bug, never expected) */
};
#define TP_BOOK_ERR_KINDS 11 /* err[] index = -rc; index 0 unused */

#define TP_BOOK_MAX_ORDERS (1u << 30)
#define TP_BOOK_MAX_STOCKS 65536u
#define TP_BOOK_MAX_LEVELS (1u << 31)

struct tp_book_params {
	uint32_t max_orders;  /* open orders held at once (default 4M) */
	uint32_t max_stocks;  /* distinct stock locates (default 65536) */
	uint32_t max_levels;  /* level arena size in levels, 16 bytes each (default
	                         max_orders + 16 * max_stocks); rounded up inside */
	unsigned mem_flags;   /* TP_HUGEMEM_F_* */
};

/* One open order, as tp_book_lookup() and the removing operations report it. */
struct tp_book_order {
	uint64_t ref;
	uint32_t price;
	uint32_t qty;         /* shares remaining (before the operation, for those that report) */
	uint16_t locate;
	uint8_t side;         /* 'B' or 'S' */
};

/* One price level as tp_book_depth() reports it. */
struct tp_book_level {
	uint32_t price;
	uint32_t orders;      /* open orders at this price */
	uint64_t qty;         /* their shares; 64-bit because many 32-bit orders can share a price */
};

/* Top of book; price and qty are 0 for an empty side. */
struct tp_book_bbo {
	uint32_t bid_px;
	uint32_t ask_px;
	uint64_t bid_qty;
	uint64_t ask_qty;
};

struct tp_book_stock_stats {
	uint16_t locate;
	uint8_t stale;
	uint32_t bid_px, ask_px;
	uint64_t bid_qty, ask_qty;
	uint32_t bid_levels, ask_levels;
	uint32_t bid_orders, ask_orders;
};

/* ---- Layout, public so the O(1) reads below inline into the caller. Treat as opaque. ---- */

struct tp_book_entry {
	uint64_t ref;
	uint32_t price;
	uint32_t qty;         /* > 0 for every held order */
	uint16_t slot;        /* stock slot, index into tp_book.stocks */
	uint8_t side;         /* 0 bid, 1 ask */
	uint8_t used;
	uint32_t dist;        /* probe distance from the home slot */
	uint64_t pad;         /* pads to 32 so entries never straddle a cache line */
};
_Static_assert(sizeof(struct tp_book_entry) == 32, "hash entry must stay 32 bytes");

/* Per side s (0 bid, 1 ask): the level array and the cached top. */
struct tp_book_stock {
	uint32_t off[2];      /* level array start in the arena */
	uint32_t n[2];        /* levels in use */
	uint32_t best_px[2];  /* cached top of book, 0 when the side is empty */
	uint32_t orders[2];   /* open orders on the side */
	uint64_t best_qty[2];
	uint8_t ord[2];       /* log2 of the array capacity; 0 = no array yet */
	uint16_t locate;
	uint8_t stale;
} __attribute__((aligned(64)));
_Static_assert(sizeof(struct tp_book_stock) == 64, "a stock is one cache line");

struct tp_book_lvl;      /* arena element, private to tp_book.c */

struct tp_book {
	struct tp_book_entry *tab;
	uint64_t mask;        /* table capacity - 1 */
	unsigned bits;        /* log2 of table capacity */
	uint32_t max_orders;
	uint32_t norders;

	struct tp_book_stock *stocks;
	uint32_t *slot_of;    /* locate -> slot + 1; 0 = not seen */
	uint32_t max_stocks;
	uint32_t nstocks;

	struct tp_book_lvl *arena;
	uint8_t *free_ord;    /* per 8-level unit: order + 1 of a free block starting there */
	uint32_t arena_levels;
	uint32_t top_ord;     /* log2 of the largest buddy block */
	uint32_t free_levels;
	uint32_t free_head[32];

	uint64_t err[TP_BOOK_ERR_KINDS];

	struct tp_hugemem mem_tab, mem_stocks, mem_slot, mem_arena, mem_free;
};

/* ---- Create / free ---- */

/* Fills zero fields with the defaults above. */
void tp_book_params_defaults(struct tp_book_params *p);
/* NULL on out-of-range params (after defaults) or when memory is short. */
struct tp_book *tp_book_create(const struct tp_book_params *p);
void tp_book_free(struct tp_book *b);

/* ---- Operations (hot path). All return TP_BOOK_OK or a negative enum tp_book_rc. ---- */

/* side is 'B' or 'S'. Refused: duplicate ref, qty 0, bad side, table/arena/stock pool full. */
int tp_book_add(struct tp_book *b, uint64_t ref, uint16_t locate, uint8_t side,
		uint32_t price, uint32_t qty);
/* Executes qty shares; the order leaves when none remain. More than remains: the order is
 * removed and TP_BOOK_ERR_OVER_EXEC returned. `out` (may be NULL) receives the order as it
 * was before, whenever the ref was known: E/C/X/D carry neither price nor side. */
int tp_book_execute(struct tp_book *b, uint64_t ref, uint32_t qty, struct tp_book_order *out);
/* Same for a partial cancel; over-cancel gives TP_BOOK_ERR_OVER_CANCEL. */
int tp_book_cancel(struct tp_book *b, uint64_t ref, uint32_t qty, struct tp_book_order *out);
int tp_book_delete(struct tp_book *b, uint64_t ref, struct tp_book_order *out);
/* Removes old_ref and adds new_ref on the same stock and side with the new price and qty.
 * new_ref may equal old_ref. If new_ref is held by another order, old_ref is still removed
 * and TP_BOOK_ERR_DUP_REF returned (the feed said the old order is gone; which of the two
 * is right cannot be known). Likewise qty 0 or a full arena remove old_ref and refuse the
 * new one. `out` receives the old order. */
int tp_book_replace(struct tp_book *b, uint64_t old_ref, uint64_t new_ref, uint32_t price,
		    uint32_t qty, struct tp_book_order *out);
/* Counts an unknown ref like the operations do. */
int tp_book_lookup(struct tp_book *b, uint64_t ref, struct tp_book_order *out);

/* ---- Stale flags (set by the feed when a gap may have lost updates) ---- */

/* Assigns a slot for an unseen locate so the flag sticks (TP_BOOK_ERR_STOCKS_FULL if none). */
int tp_book_set_stale(struct tp_book *b, uint16_t locate, int stale);
/* Every stock seen so far. */
void tp_book_set_stale_all(struct tp_book *b, int stale);

/* ---- Views ---- */

/* Best first, at most n levels; returns how many were written. */
uint32_t tp_book_depth(const struct tp_book *b, uint16_t locate, uint8_t side,
		       struct tp_book_level *out, uint32_t n);
/* Locates seen, ascending, at most max written; returns how many were seen. */
uint32_t tp_book_stocks(const struct tp_book *b, uint16_t *locates, uint32_t max);
/* TP_BOOK_OK, or TP_BOOK_ERR_UNKNOWN_REF (not counted) for a locate never seen. */
int tp_book_stock_stats(const struct tp_book *b, uint16_t locate, struct tp_book_stock_stats *out);
const char *tp_book_err_name(int rc);
/* Checks every internal invariant (slow: walks the whole table and arena). 0 when sound,
 * else -1 with a reason in why. For tests. */
int tp_book_validate(const struct tp_book *b, char *why, unsigned whylen);

/* ---- O(1) inline reads ---- */

static inline const struct tp_book_stock *tp_book_stock_find(const struct tp_book *b,
							      uint16_t locate)
{
	uint32_t s = b->slot_of[locate];
	return s ? &b->stocks[s - 1] : (const struct tp_book_stock *)0;
}

static inline void tp_book_bbo(const struct tp_book *b, uint16_t locate, struct tp_book_bbo *o)
{
	const struct tp_book_stock *st = tp_book_stock_find(b, locate);
	if (!st) {
		*o = (struct tp_book_bbo){ 0, 0, 0, 0 };
		return;
	}
	o->bid_px = st->best_px[0];
	o->bid_qty = st->best_qty[0];
	o->ask_px = st->best_px[1];
	o->ask_qty = st->best_qty[1];
}

/* Price levels on a side ('B' or 'S'); 0 for an unseen stock or a bad side. */
static inline uint32_t tp_book_level_count(const struct tp_book *b, uint16_t locate,
					   uint8_t side)
{
	const struct tp_book_stock *st = tp_book_stock_find(b, locate);
	if (!st || (side != 'B' && side != 'S'))
		return 0;
	return st->n[side == 'S'];
}

static inline int tp_book_is_stale(const struct tp_book *b, uint16_t locate)
{
	const struct tp_book_stock *st = tp_book_stock_find(b, locate);
	return st ? st->stale : 0;
}

static inline uint32_t tp_book_order_count(const struct tp_book *b) { return b->norders; }

/* Times the error `rc` (a negative tp_book_rc) happened. */
static inline uint64_t tp_book_errors(const struct tp_book *b, int rc)
{
	return (rc < 0 && rc > -TP_BOOK_ERR_KINDS) ? b->err[-rc] : 0;
}

/* Home slot of a ref. Identity on the low `bits`: exchanges hand refs out consecutively, so
 * recently added orders (the ones most messages name) share cache lines and never collide
 * with each other. Plus a Fibonacci hash of the high part, so refs that differ only above
 * the table size spread out instead of piling onto one slot. */
static inline uint64_t tp_book_home(const struct tp_book *b, uint64_t ref)
{
	uint64_t hi = (ref >> b->bits) * 0x9E3779B97F4A7C15ull;
	return (ref + (hi >> (64 - b->bits))) & b->mask;
}

/* Asks for the line holding p. Not __builtin_prefetch: GCC 12 (ipa-modref) takes a
 * function whose only effect is that builtin for pure, and deletes the calls to it that it
 * did not inline early; in tp_feed.c at -O3 the whole prefetch pipeline compiled to
 * nothing. A volatile asm cannot be deleted. prefetcht0 is what the builtin gives on the
 * x86-64 baseline anyway, for reads and writes alike (no PREFETCHW without -march). */
static inline __attribute__((always_inline)) void tp_book_prefetch_line(const void *p)
{
#if defined(__x86_64__) || defined(__i386__)
	__asm__ volatile("prefetcht0 %0" : : "m"(*(const char *)p));
#else
	__builtin_prefetch(p, 0, 3);
#endif
}

/* Warms what an operation on ref reads first: its home slot, and the slot after it, which
 * a removal checks for entries to shift back (on the next line for every other slot).
 * Issue it a few messages ahead of the operation. */
static inline __attribute__((always_inline)) void tp_book_prefetch(const struct tp_book *b,
								   uint64_t ref)
{
	const struct tp_book_entry *e = &b->tab[tp_book_home(b, ref)];
	tp_book_prefetch_line(e);
	/* The next slot's line: the same one for every other slot. Past the last slot this
	 * names the byte after the table, which a prefetch may (it never faults). */
	tp_book_prefetch_line((const char *)e + sizeof(*e));
}

#endif
