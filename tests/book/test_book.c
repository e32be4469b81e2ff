/* The L3 book operation by operation, with the exact book after each step: levels (price,
 * orders, shares) best first, BBO, counts, error counters, and the hash table's slots where
 * collisions and wrap-around are forced on purpose. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp_book.h"

static struct tp_book *mk(uint32_t max_orders, uint32_t max_stocks, uint32_t max_levels)
{
	struct tp_book_params p = { .max_orders = max_orders, .max_stocks = max_stocks,
		.max_levels = max_levels, .mem_flags = TP_HUGEMEM_F_NO_HUGE };
	struct tp_book *b = tp_book_create(&p);
	ck_assert_ptr_nonnull(b);
	return b;
}

static void valid(const struct tp_book *b)
{
	char why[256] = "";
	ck_assert_msg(tp_book_validate(b, why, sizeof(why)) == 0, "validate: %s", why);
}

#define LV(p, o, q) { .price = (p), .orders = (o), .qty = (q) }

/* The whole side, best first, through every view that shows it. */
static void expect_side(const struct tp_book *b, uint16_t loc, uint8_t side,
			const struct tp_book_level *exp, uint32_t n)
{
	struct tp_book_level got[64];
	memset(got, 0xa5, sizeof(got));
	uint32_t k = tp_book_depth(b, loc, side, got, 64);
	ck_assert_uint_eq(k, n);
	ck_assert_uint_eq(tp_book_level_count(b, loc, side), n);
	for (uint32_t i = 0; i < n; i++) {
		ck_assert_uint_eq(got[i].price, exp[i].price);
		ck_assert_uint_eq(got[i].orders, exp[i].orders);
		ck_assert_uint_eq(got[i].qty, exp[i].qty);
	}
	struct tp_book_bbo bbo;
	tp_book_bbo(b, loc, &bbo);
	uint32_t px = side == 'B' ? bbo.bid_px : bbo.ask_px;
	uint64_t qty = side == 'B' ? bbo.bid_qty : bbo.ask_qty;
	ck_assert_uint_eq(px, n ? exp[0].price : 0);
	ck_assert_uint_eq(qty, n ? exp[0].qty : 0);
	/* Asking for fewer levels gives the top ones. */
	if (n > 1) {
		ck_assert_uint_eq(tp_book_depth(b, loc, side, got, 1), 1);
		ck_assert_uint_eq(got[0].price, exp[0].price);
	}
}

#define EXPECT(b, loc, side, ...)                                                          \
	do {                                                                               \
		const struct tp_book_level e_[] = { __VA_ARGS__ };                          \
		expect_side(b, loc, side, e_, sizeof(e_) / sizeof(e_[0]));                  \
	} while (0)
#define EXPECT_EMPTY(b, loc, side) expect_side(b, loc, side, NULL, 0)

static void expect_order(struct tp_book *b, uint64_t ref, uint16_t loc, uint8_t side,
			 uint32_t price, uint32_t qty)
{
	struct tp_book_order o;
	ck_assert_int_eq(tp_book_lookup(b, ref, &o), TP_BOOK_OK);
	ck_assert_uint_eq(o.ref, ref);
	ck_assert_uint_eq(o.locate, loc);
	ck_assert_uint_eq(o.side, side);
	ck_assert_uint_eq(o.price, price);
	ck_assert_uint_eq(o.qty, qty);
}

static void expect_errors(const struct tp_book *b, const uint64_t want[TP_BOOK_ERR_KINDS])
{
	for (int k = 1; k < TP_BOOK_ERR_KINDS; k++)
		ck_assert_msg(tp_book_errors(b, -k) == want[k], "%s: %llu, want %llu",
			      tp_book_err_name(-k), (unsigned long long)tp_book_errors(b, -k),
			      (unsigned long long)want[k]);
}

START_TEST(params_and_sizes)
{
	struct tp_book_params p = { 0 };
	tp_book_params_defaults(&p);
	ck_assert_uint_eq(p.max_orders, 4u << 20);
	ck_assert_uint_eq(p.max_stocks, 65536);
	ck_assert_uint_eq(p.max_levels, (4u << 20) + 16u * 65536);

	struct tp_book *b = mk(1000, 10, 0);
	ck_assert_uint_eq(b->mask + 1, 2048); /* power of two, load factor <= 0.5 */
	ck_assert_uint_eq(b->bits, 11);
	ck_assert_uint_eq(b->arena_levels, 1024 + 1024); /* 1000 + 160 in blocks of 1024 */
	ck_assert_uint_eq(b->free_levels, b->arena_levels);
	ck_assert_uint_eq(tp_book_order_count(b), 0);
	valid(b);
	tp_book_free(b);

	b = mk(1024, 1, 0);
	ck_assert_uint_eq(b->mask + 1, 2048);
	tp_book_free(b);
	b = mk(1, 1, 0);
	ck_assert_uint_eq(b->mask + 1, 16);
	tp_book_free(b);

	struct tp_book_params bad = { .max_orders = TP_BOOK_MAX_ORDERS + 1 };
	ck_assert_ptr_null(tp_book_create(&bad));
	bad = (struct tp_book_params){ .max_orders = 8, .max_stocks = 65537 };
	ck_assert_ptr_null(tp_book_create(&bad));
	tp_book_free(NULL);
}
END_TEST

START_TEST(add_builds_levels)
{
	struct tp_book *b = mk(64, 4, 0);
	ck_assert_int_eq(tp_book_add(b, 1, 7, 'B', 1000000, 100), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 2, 7, 'B', 1000000, 50), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 3, 7, 'B', 990000, 10), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 4, 7, 'B', 1010000, 5), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 5, 7, 'S', 1030000, 7), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 6, 7, 'S', 1020000, 8), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 7, 7, 'S', 1020000, 9), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 8, 7, 'S', 1040000, 1), TP_BOOK_OK);
	EXPECT(b, 7, 'B', LV(1010000, 1, 5), LV(1000000, 2, 150), LV(990000, 1, 10));
	EXPECT(b, 7, 'S', LV(1020000, 2, 17), LV(1030000, 1, 7), LV(1040000, 1, 1));
	ck_assert_uint_eq(tp_book_order_count(b), 8);
	expect_order(b, 2, 7, 'B', 1000000, 50);
	expect_order(b, 6, 7, 'S', 1020000, 8);

	struct tp_book_stock_stats ss;
	ck_assert_int_eq(tp_book_stock_stats(b, 7, &ss), TP_BOOK_OK);
	ck_assert_uint_eq(ss.locate, 7);
	ck_assert_uint_eq(ss.bid_px, 1010000);
	ck_assert_uint_eq(ss.bid_qty, 5);
	ck_assert_uint_eq(ss.ask_px, 1020000);
	ck_assert_uint_eq(ss.ask_qty, 17);
	ck_assert_uint_eq(ss.bid_levels, 3);
	ck_assert_uint_eq(ss.ask_levels, 3);
	ck_assert_uint_eq(ss.bid_orders, 4);
	ck_assert_uint_eq(ss.ask_orders, 4);
	ck_assert_uint_eq(ss.stale, 0);
	/* Another stock is untouched; an unseen one is empty. */
	ck_assert_int_eq(tp_book_add(b, 9, 3, 'S', 500, 1), TP_BOOK_OK);
	EXPECT_EMPTY(b, 3, 'B');
	EXPECT(b, 3, 'S', LV(500, 1, 1));
	EXPECT_EMPTY(b, 4, 'B');
	EXPECT_EMPTY(b, 4, 'S');
	ck_assert_int_eq(tp_book_stock_stats(b, 4, &ss), TP_BOOK_ERR_UNKNOWN_REF);
	uint16_t locs[4];
	ck_assert_uint_eq(tp_book_stocks(b, locs, 4), 2);
	ck_assert_uint_eq(locs[0], 3);
	ck_assert_uint_eq(locs[1], 7);
	ck_assert_uint_eq(tp_book_stocks(b, locs, 1), 2); /* count even when the list is short */
	ck_assert_uint_eq(tp_book_depth(b, 7, 'X', NULL, 4), 0);
	ck_assert_uint_eq(tp_book_level_count(b, 7, 'X'), 0);
	valid(b);
	const uint64_t none[TP_BOOK_ERR_KINDS] = { 0 };
	expect_errors(b, none);
	tp_book_free(b);
}
END_TEST

START_TEST(execute_partial_full_over)
{
	struct tp_book *b = mk(64, 4, 0);
	ck_assert_int_eq(tp_book_add(b, 10, 1, 'B', 200, 100), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 11, 1, 'B', 200, 40), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 12, 1, 'B', 199, 30), TP_BOOK_OK);
	struct tp_book_order o;

	ck_assert_int_eq(tp_book_execute(b, 10, 60, &o), TP_BOOK_OK);
	ck_assert_uint_eq(o.ref, 10);
	ck_assert_uint_eq(o.qty, 100); /* as it was before */
	ck_assert_uint_eq(o.price, 200);
	ck_assert_uint_eq(o.side, 'B');
	ck_assert_uint_eq(o.locate, 1);
	EXPECT(b, 1, 'B', LV(200, 2, 80), LV(199, 1, 30));
	expect_order(b, 10, 1, 'B', 200, 40);

	/* Full execution removes the order, the level stays for the other one. */
	ck_assert_int_eq(tp_book_execute(b, 10, 40, &o), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_lookup(b, 10, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	EXPECT(b, 1, 'B', LV(200, 1, 40), LV(199, 1, 30));

	/* Over-execution: reported, and the order is gone with its level; BBO moves down. */
	ck_assert_int_eq(tp_book_execute(b, 11, 41, &o), TP_BOOK_ERR_OVER_EXEC);
	ck_assert_uint_eq(o.qty, 40);
	EXPECT(b, 1, 'B', LV(199, 1, 30));
	ck_assert_uint_eq(tp_book_order_count(b), 1);

	/* Zero shares change nothing. */
	ck_assert_int_eq(tp_book_execute(b, 12, 0, NULL), TP_BOOK_OK);
	EXPECT(b, 1, 'B', LV(199, 1, 30));
	ck_assert_int_eq(tp_book_execute(b, 12, 30, NULL), TP_BOOK_OK);
	EXPECT_EMPTY(b, 1, 'B');
	ck_assert_uint_eq(tp_book_order_count(b), 0);

	ck_assert_int_eq(tp_book_execute(b, 99, 1, &o), TP_BOOK_ERR_UNKNOWN_REF);
	uint64_t want[TP_BOOK_ERR_KINDS] = { 0 };
	want[-TP_BOOK_ERR_OVER_EXEC] = 1;
	want[-TP_BOOK_ERR_UNKNOWN_REF] = 2;
	expect_errors(b, want);
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(cancel_partial_and_over)
{
	struct tp_book *b = mk(64, 4, 0);
	ck_assert_int_eq(tp_book_add(b, 1, 9, 'S', 5000, 300), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 2, 9, 'S', 5100, 200), TP_BOOK_OK);
	struct tp_book_order o;
	ck_assert_int_eq(tp_book_cancel(b, 1, 100, &o), TP_BOOK_OK);
	ck_assert_uint_eq(o.qty, 300);
	ck_assert_uint_eq(o.side, 'S');
	EXPECT(b, 9, 'S', LV(5000, 1, 200), LV(5100, 1, 200));
	ck_assert_int_eq(tp_book_cancel(b, 1, 500, &o), TP_BOOK_ERR_OVER_CANCEL);
	ck_assert_uint_eq(o.qty, 200);
	EXPECT(b, 9, 'S', LV(5100, 1, 200));
	ck_assert_int_eq(tp_book_cancel(b, 2, 200, NULL), TP_BOOK_OK);
	EXPECT_EMPTY(b, 9, 'S');
	ck_assert_int_eq(tp_book_cancel(b, 2, 1, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	uint64_t want[TP_BOOK_ERR_KINDS] = { 0 };
	want[-TP_BOOK_ERR_OVER_CANCEL] = 1;
	want[-TP_BOOK_ERR_UNKNOWN_REF] = 1;
	expect_errors(b, want);
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(delete_and_unknown_refs)
{
	struct tp_book *b = mk(64, 4, 0);
	ck_assert_int_eq(tp_book_add(b, 5, 2, 'B', 10, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 6, 2, 'B', 11, 2), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 7, 2, 'S', 12, 3), TP_BOOK_OK);
	struct tp_book_order o;
	ck_assert_int_eq(tp_book_delete(b, 6, &o), TP_BOOK_OK);
	ck_assert_uint_eq(o.price, 11);
	ck_assert_uint_eq(o.qty, 2);
	EXPECT(b, 2, 'B', LV(10, 1, 1));
	EXPECT(b, 2, 'S', LV(12, 1, 3));
	memset(&o, 0x5a, sizeof(o));
	struct tp_book_order untouched = o;
	ck_assert_int_eq(tp_book_delete(b, 6, &o), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(memcmp(&o, &untouched, sizeof(o)), 0);
	ck_assert_int_eq(tp_book_cancel(b, 6, 1, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_execute(b, 6, 1, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_replace(b, 6, 60, 1, 1, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_lookup(b, 6, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_lookup(b, 60, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	EXPECT(b, 2, 'B', LV(10, 1, 1));
	EXPECT(b, 2, 'S', LV(12, 1, 3));
	ck_assert_uint_eq(tp_book_order_count(b), 2);
	uint64_t want[TP_BOOK_ERR_KINDS] = { 0 };
	want[-TP_BOOK_ERR_UNKNOWN_REF] = 6;
	expect_errors(b, want);
	ck_assert_int_eq(tp_book_delete(b, 5, NULL), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_delete(b, 7, NULL), TP_BOOK_OK);
	EXPECT_EMPTY(b, 2, 'B');
	EXPECT_EMPTY(b, 2, 'S');
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(refused_adds_leave_book_alone)
{
	struct tp_book *b = mk(64, 4, 0);
	ck_assert_int_eq(tp_book_add(b, 1, 1, 'B', 100, 10), TP_BOOK_OK);
	/* Duplicate ref, even for another stock, side and price. */
	ck_assert_int_eq(tp_book_add(b, 1, 2, 'S', 300, 99), TP_BOOK_ERR_DUP_REF);
	ck_assert_int_eq(tp_book_add(b, 1, 1, 'B', 100, 10), TP_BOOK_ERR_DUP_REF);
	ck_assert_int_eq(tp_book_add(b, 2, 1, 'X', 100, 10), TP_BOOK_ERR_BAD_SIDE);
	ck_assert_int_eq(tp_book_add(b, 2, 1, 0, 100, 10), TP_BOOK_ERR_BAD_SIDE);
	ck_assert_int_eq(tp_book_add(b, 2, 1, 'B', 100, 0), TP_BOOK_ERR_ZERO_QTY);
	EXPECT(b, 1, 'B', LV(100, 1, 10));
	EXPECT_EMPTY(b, 1, 'S');
	EXPECT_EMPTY(b, 2, 'S');
	expect_order(b, 1, 1, 'B', 100, 10);
	ck_assert_uint_eq(tp_book_order_count(b), 1);
	uint16_t locs[4];
	ck_assert_uint_eq(tp_book_stocks(b, locs, 4), 1); /* refused adds claim no stock slot */
	uint64_t want[TP_BOOK_ERR_KINDS] = { 0 };
	want[-TP_BOOK_ERR_DUP_REF] = 2;
	want[-TP_BOOK_ERR_BAD_SIDE] = 2;
	want[-TP_BOOK_ERR_ZERO_QTY] = 1;
	expect_errors(b, want);
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(replace_semantics)
{
	struct tp_book *b = mk(64, 4, 0);
	ck_assert_int_eq(tp_book_add(b, 100, 4, 'S', 2500, 10), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 101, 4, 'S', 2600, 20), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 102, 4, 'B', 2400, 30), TP_BOOK_OK);
	struct tp_book_order o;

	/* To another price: side and stock kept, old ref gone, new ref holds new price/qty. */
	ck_assert_int_eq(tp_book_replace(b, 100, 200, 2700, 15, &o), TP_BOOK_OK);
	ck_assert_uint_eq(o.ref, 100);
	ck_assert_uint_eq(o.price, 2500);
	ck_assert_uint_eq(o.qty, 10);
	ck_assert_uint_eq(o.side, 'S');
	ck_assert_uint_eq(o.locate, 4);
	ck_assert_int_eq(tp_book_lookup(b, 100, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	expect_order(b, 200, 4, 'S', 2700, 15);
	EXPECT(b, 4, 'S', LV(2600, 1, 20), LV(2700, 1, 15));
	EXPECT(b, 4, 'B', LV(2400, 1, 30));

	/* Onto an existing level, and a price that would cross: still the same (bid) side. */
	ck_assert_int_eq(tp_book_replace(b, 102, 202, 2600, 5, NULL), TP_BOOK_OK);
	expect_order(b, 202, 4, 'B', 2600, 5);
	EXPECT(b, 4, 'B', LV(2600, 1, 5));
	EXPECT(b, 4, 'S', LV(2600, 1, 20), LV(2700, 1, 15));

	/* Same ref, same price, new size. */
	ck_assert_int_eq(tp_book_replace(b, 202, 202, 2600, 8, NULL), TP_BOOK_OK);
	expect_order(b, 202, 4, 'B', 2600, 8);
	EXPECT(b, 4, 'B', LV(2600, 1, 8));

	/* New ref already held: old removed, new refused, the holder untouched. */
	ck_assert_int_eq(tp_book_replace(b, 202, 101, 2000, 1, &o), TP_BOOK_ERR_DUP_REF);
	ck_assert_uint_eq(o.ref, 202);
	ck_assert_int_eq(tp_book_lookup(b, 202, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	expect_order(b, 101, 4, 'S', 2600, 20);
	EXPECT_EMPTY(b, 4, 'B');
	EXPECT(b, 4, 'S', LV(2600, 1, 20), LV(2700, 1, 15));

	/* Zero shares: old removed, new refused. */
	ck_assert_int_eq(tp_book_replace(b, 200, 300, 2650, 0, NULL), TP_BOOK_ERR_ZERO_QTY);
	ck_assert_int_eq(tp_book_lookup(b, 200, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_lookup(b, 300, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	EXPECT(b, 4, 'S', LV(2600, 1, 20));
	ck_assert_uint_eq(tp_book_order_count(b), 1);

	uint64_t want[TP_BOOK_ERR_KINDS] = { 0 };
	want[-TP_BOOK_ERR_UNKNOWN_REF] = 4;
	want[-TP_BOOK_ERR_DUP_REF] = 1;
	want[-TP_BOOK_ERR_ZERO_QTY] = 1;
	expect_errors(b, want);
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(crossed_and_locked_books_kept)
{
	struct tp_book *b = mk(64, 4, 0);
	ck_assert_int_eq(tp_book_add(b, 1, 1, 'B', 105, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 2, 1, 'S', 100, 2), TP_BOOK_OK); /* crossed */
	ck_assert_int_eq(tp_book_add(b, 3, 1, 'S', 105, 3), TP_BOOK_OK); /* locked with the bid */
	EXPECT(b, 1, 'B', LV(105, 1, 1));
	EXPECT(b, 1, 'S', LV(100, 1, 2), LV(105, 1, 3));
	struct tp_book_bbo bbo;
	tp_book_bbo(b, 1, &bbo);
	ck_assert_uint_eq(bbo.bid_px, 105);
	ck_assert_uint_eq(bbo.ask_px, 100);
	ck_assert_int_eq(tp_book_delete(b, 2, NULL), TP_BOOK_OK);
	tp_book_bbo(b, 1, &bbo);
	ck_assert_uint_eq(bbo.bid_px, 105);
	ck_assert_uint_eq(bbo.ask_px, 105);
	ck_assert_uint_eq(bbo.ask_qty, 3);
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(extreme_prices_and_big_sizes)
{
	struct tp_book *b = mk(64, 4, 0);
	const uint32_t M = UINT32_MAX;
	ck_assert_int_eq(tp_book_add(b, 1, 0, 'B', 0, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 2, 0, 'B', M, 2), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 3, 0, 'B', 1, 3), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 4, 0, 'B', M - 1, 4), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 5, 0, 'S', 0, 5), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 6, 0, 'S', M, M), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 7, 0, 'S', M, M), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 8, 0, 'S', 1u << 31, 8), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 9, 65535, 'S', M, 9), TP_BOOK_OK); /* top locate */
	EXPECT(b, 0, 'B', LV(M, 1, 2), LV(M - 1, 1, 4), LV(1, 1, 3), LV(0, 1, 1));
	/* Two maximal orders at one price: the level holds more than 32 bits of shares. */
	EXPECT(b, 0, 'S', LV(0, 1, 5), LV(1u << 31, 1, 8), LV(M, 2, 2ull * M));
	EXPECT(b, 65535, 'S', LV(M, 1, 9));
	ck_assert_int_eq(tp_book_execute(b, 6, M - 1, NULL), TP_BOOK_OK);
	EXPECT(b, 0, 'S', LV(0, 1, 5), LV(1u << 31, 1, 8), LV(M, 2, (uint64_t)M + 1));
	ck_assert_int_eq(tp_book_delete(b, 5, NULL), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_delete(b, 2, NULL), TP_BOOK_OK);
	EXPECT(b, 0, 'B', LV(M - 1, 1, 4), LV(1, 1, 3), LV(0, 1, 1));
	EXPECT(b, 0, 'S', LV(1u << 31, 1, 8), LV(M, 2, (uint64_t)M + 1));
	/* Refs at both ends of uint64, including 0. */
	ck_assert_int_eq(tp_book_add(b, 0, 1, 'B', 7, 7), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, UINT64_MAX, 1, 'B', 7, 1), TP_BOOK_OK);
	expect_order(b, 0, 1, 'B', 7, 7);
	expect_order(b, UINT64_MAX, 1, 'B', 7, 1);
	EXPECT(b, 1, 'B', LV(7, 2, 8));
	ck_assert_int_eq(tp_book_delete(b, 0, NULL), TP_BOOK_OK);
	EXPECT(b, 1, 'B', LV(7, 1, 1));
	valid(b);
	tp_book_free(b);
}
END_TEST

/* A ref whose home slot is `home`, built in 'page' `page` (bits above the table size). */
static uint64_t ref_at(const struct tp_book *b, uint64_t page, uint64_t home)
{
	uint64_t base = page << b->bits;
	uint64_t r = base + ((home - tp_book_home(b, base)) & b->mask);
	ck_assert_uint_eq(tp_book_home(b, r), home);
	return r;
}

static void expect_slot(const struct tp_book *b, uint64_t slot, int used, uint64_t ref)
{
	ck_assert_int_eq(b->tab[slot].used, used);
	if (used)
		ck_assert_uint_eq(b->tab[slot].ref, ref);
}

START_TEST(collisions_wrap_and_backward_shift)
{
	struct tp_book *b = mk(8, 2, 0); /* 16 slots */
	ck_assert_uint_eq(b->mask, 15);
	uint64_t a = ref_at(b, 1, 14), c = ref_at(b, 2, 14), d = ref_at(b, 3, 14);
	uint64_t z = ref_at(b, 4, 0), y = ref_at(b, 5, 1);
	ck_assert_int_eq(tp_book_add(b, a, 1, 'B', 10, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, c, 1, 'B', 10, 2), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, d, 1, 'B', 11, 4), TP_BOOK_OK); /* wraps to slot 0 */
	ck_assert_int_eq(tp_book_add(b, z, 1, 'S', 20, 8), TP_BOOK_OK); /* home 0, taken */
	ck_assert_int_eq(tp_book_add(b, y, 1, 'S', 21, 16), TP_BOOK_OK); /* home 1, taken */
	expect_slot(b, 13, 0, 0);
	expect_slot(b, 14, 1, a);
	expect_slot(b, 15, 1, c);
	expect_slot(b, 0, 1, d);
	expect_slot(b, 1, 1, z);
	expect_slot(b, 2, 1, y);
	expect_slot(b, 3, 0, 0);
	valid(b);

	/* Deleting the head of the run shifts every member back by one. */
	ck_assert_int_eq(tp_book_delete(b, a, NULL), TP_BOOK_OK);
	expect_slot(b, 14, 1, c);
	expect_slot(b, 15, 1, d);
	expect_slot(b, 0, 1, z);
	expect_slot(b, 1, 1, y);
	expect_slot(b, 2, 0, 0);
	valid(b);

	/* Now z sits at its home: removing d (slot 15) must leave z and y where they are. */
	ck_assert_int_eq(tp_book_cancel(b, d, 4, NULL), TP_BOOK_OK);
	expect_slot(b, 14, 1, c);
	expect_slot(b, 15, 0, 0);
	expect_slot(b, 0, 1, z);
	expect_slot(b, 1, 1, y);
	valid(b);
	for (uint64_t r = 0; r < 5; r++) {
		uint64_t ref = (uint64_t[]){ a, c, d, z, y }[r];
		int held = ref == c || ref == z || ref == y;
		ck_assert_int_eq(tp_book_lookup(b, ref, NULL), held ? TP_BOOK_OK : TP_BOOK_ERR_UNKNOWN_REF);
	}

	/* A replace within the cluster: old slot freed, the new ref probes past the others. */
	uint64_t w = ref_at(b, 6, 0);
	ck_assert_int_eq(tp_book_replace(b, z, w, 22, 32, NULL), TP_BOOK_OK);
	/* z's slot 0 empties (y, at its home 1, may not move back) and w takes it. */
	expect_slot(b, 0, 1, w);
	expect_slot(b, 1, 1, y);
	expect_slot(b, 2, 0, 0);
	valid(b);
	expect_order(b, w, 1, 'S', 22, 32);
	expect_order(b, y, 1, 'S', 21, 16);
	expect_order(b, c, 1, 'B', 10, 2);
	EXPECT(b, 1, 'B', LV(10, 1, 2));
	EXPECT(b, 1, 'S', LV(21, 1, 16), LV(22, 1, 32));
	tp_book_free(b);
}
END_TEST

/* Robin Hood: a newcomer farther from its home takes the slot of one sitting at its home,
 * which moves on; a miss stops at the first entry closer to its home than the search. */
START_TEST(robin_hood_displacement)
{
	struct tp_book *b = mk(8, 2, 0); /* 16 slots */
	uint64_t a = ref_at(b, 1, 14), p = ref_at(b, 2, 15), c = ref_at(b, 3, 14);
	ck_assert_int_eq(tp_book_add(b, a, 1, 'B', 10, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, p, 1, 'B', 10, 1), TP_BOOK_OK);
	expect_slot(b, 14, 1, a);
	expect_slot(b, 15, 1, p);
	ck_assert_int_eq(tp_book_add(b, c, 1, 'S', 10, 1), TP_BOOK_OK);
	expect_slot(b, 14, 1, a);
	expect_slot(b, 15, 1, c); /* distance 1 beats p's 0 */
	expect_slot(b, 0, 1, p);  /* p moved on, now 1 from home */
	ck_assert_uint_eq(b->tab[15].dist, 1);
	ck_assert_uint_eq(b->tab[0].dist, 1);
	valid(b);
	/* Removing a shifts c and p back to their homes' distance 0 and 0... */
	ck_assert_int_eq(tp_book_delete(b, a, NULL), TP_BOOK_OK);
	expect_slot(b, 14, 1, c);
	expect_slot(b, 15, 1, p);
	expect_slot(b, 0, 0, 0);
	ck_assert_uint_eq(b->tab[14].dist, 0);
	ck_assert_uint_eq(b->tab[15].dist, 0);
	valid(b);
	/* ...and a ref homed at 14 that is not there misses without wrapping past p. */
	ck_assert_int_eq(tp_book_lookup(b, a, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_add(b, a, 1, 'B', 11, 1), TP_BOOK_OK);
	expect_slot(b, 14, 1, c);
	expect_slot(b, 15, 1, a);
	expect_slot(b, 0, 1, p);
	valid(b);
	EXPECT(b, 1, 'B', LV(11, 1, 1), LV(10, 1, 1));
	EXPECT(b, 1, 'S', LV(10, 1, 1));
	tp_book_free(b);
}
END_TEST

/* Consecutive refs within a page sit at their homes (distance 0): deleting inside a long run moves
 * nothing, however long the run. */
START_TEST(consecutive_refs_stay_home)
{
	struct tp_book *b = mk(4096, 2, 0);
	for (uint64_t r = 100; r < 4100; r++)
		ck_assert_int_eq(tp_book_add(b, r, 1, 'B', (uint32_t)(r % 7), 1), TP_BOOK_OK);
	for (uint64_t r = 100; r < 4100; r++)
		ck_assert_uint_eq(b->tab[tp_book_home(b, r)].ref, r);
	uint64_t h = tp_book_home(b, 2000);
	ck_assert_int_eq(tp_book_delete(b, 2000, NULL), TP_BOOK_OK);
	expect_slot(b, h, 0, 0);
	expect_slot(b, (h + 1) & b->mask, 1, 2001);
	ck_assert_uint_eq(b->tab[(h + 1) & b->mask].dist, 0);
	valid(b);
	tp_book_free(b);
}
END_TEST

/* Churn on a tiny table where every ref homes onto one of four slots around the wrap, so
 * each deletion shifts long runs; every held ref must stay reachable, no other must be. */
START_TEST(collision_churn)
{
	struct tp_book *b = mk(32, 2, 0); /* 64 slots */
	enum { N = 200 };
	uint64_t refs[N];
	int held[N] = { 0 };
	for (int i = 0; i < N; i++)
		refs[i] = ref_at(b, (uint64_t)i + 1, (uint64_t)(62 + i % 4) & b->mask);
	uint32_t x = 12345, live = 0;
	for (int step = 0; step < 5000; step++) {
		x = x * 1103515245u + 12345u;
		int i = (int)((x >> 8) % N);
		if (held[i]) {
			ck_assert_int_eq(tp_book_delete(b, refs[i], NULL), TP_BOOK_OK);
			held[i] = 0;
			live--;
		} else {
			int rc = tp_book_add(b, refs[i], 1, (x >> 4) & 1 ? 'B' : 'S', 100 + i % 5, 1);
			if (live == 32) {
				ck_assert_int_eq(rc, TP_BOOK_ERR_BOOK_FULL);
			} else {
				ck_assert_int_eq(rc, TP_BOOK_OK);
				held[i] = 1;
				live++;
			}
		}
		ck_assert_uint_eq(tp_book_order_count(b), live);
		if (step % 50 == 0) {
			for (int k = 0; k < N; k++)
				ck_assert_int_eq(tp_book_lookup(b, refs[k], NULL),
						 held[k] ? TP_BOOK_OK : TP_BOOK_ERR_UNKNOWN_REF);
			valid(b);
		}
	}
	tp_book_free(b);
}
END_TEST

START_TEST(book_full_refused_and_counted)
{
	struct tp_book *b = mk(4, 2, 0);
	for (uint64_t r = 1; r <= 4; r++)
		ck_assert_int_eq(tp_book_add(b, r, 1, 'B', (uint32_t)(100 + r), 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 5, 1, 'B', 200, 1), TP_BOOK_ERR_BOOK_FULL);
	ck_assert_int_eq(tp_book_add(b, 6, 1, 'S', 200, 1), TP_BOOK_ERR_BOOK_FULL);
	/* A duplicate is still reported as such when full. */
	ck_assert_int_eq(tp_book_add(b, 4, 1, 'S', 200, 1), TP_BOOK_ERR_DUP_REF);
	ck_assert_uint_eq(tp_book_errors(b, TP_BOOK_ERR_BOOK_FULL), 2);
	ck_assert_uint_eq(tp_book_order_count(b), 4);
	EXPECT(b, 1, 'B', LV(104, 1, 1), LV(103, 1, 1), LV(102, 1, 1), LV(101, 1, 1));
	EXPECT_EMPTY(b, 1, 'S');
	/* A replace frees its old order first, so it works on a full book. */
	ck_assert_int_eq(tp_book_replace(b, 4, 44, 99, 2, NULL), TP_BOOK_OK);
	EXPECT(b, 1, 'B', LV(103, 1, 1), LV(102, 1, 1), LV(101, 1, 1), LV(99, 1, 2));
	ck_assert_int_eq(tp_book_delete(b, 1, NULL), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 5, 1, 'S', 200, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 6, 1, 'S', 200, 1), TP_BOOK_ERR_BOOK_FULL);
	ck_assert_uint_eq(tp_book_errors(b, TP_BOOK_ERR_BOOK_FULL), 3);
	EXPECT(b, 1, 'S', LV(200, 1, 1));
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(stock_pool_full)
{
	struct tp_book *b = mk(16, 2, 0);
	ck_assert_int_eq(tp_book_add(b, 1, 500, 'B', 1, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 2, 600, 'B', 1, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 3, 700, 'B', 1, 1), TP_BOOK_ERR_STOCKS_FULL);
	ck_assert_int_eq(tp_book_set_stale(b, 700, 1), TP_BOOK_ERR_STOCKS_FULL);
	ck_assert_int_eq(tp_book_add(b, 3, 500, 'S', 2, 1), TP_BOOK_OK);
	ck_assert_uint_eq(tp_book_errors(b, TP_BOOK_ERR_STOCKS_FULL), 2);
	ck_assert_int_eq(tp_book_lookup(b, 3, NULL), TP_BOOK_OK);
	EXPECT_EMPTY(b, 700, 'B');
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(level_arena_full)
{
	/* 16 levels in all: two minimum arrays of 8. */
	struct tp_book *b = mk(64, 4, 16);
	ck_assert_uint_eq(b->arena_levels, 16);
	for (uint32_t i = 0; i < 8; i++)
		ck_assert_int_eq(tp_book_add(b, 1 + i, 1, 'B', 100 + i, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 20, 1, 'S', 500, 1), TP_BOOK_OK);
	ck_assert_uint_eq(b->free_levels, 0);
	/* A ninth bid level cannot grow the array; a known price needs no new level. */
	ck_assert_int_eq(tp_book_add(b, 30, 1, 'B', 50, 1), TP_BOOK_ERR_LEVELS_FULL);
	ck_assert_int_eq(tp_book_add(b, 31, 1, 'B', 107, 5), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 32, 2, 'B', 100, 1), TP_BOOK_ERR_LEVELS_FULL);
	ck_assert_int_eq(tp_book_lookup(b, 30, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_lookup(b, 32, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	/* A replace that needs a new level removes the old order and refuses the new. */
	ck_assert_int_eq(tp_book_replace(b, 1, 40, 99, 1, NULL), TP_BOOK_OK); /* level 100 gone */
	ck_assert_int_eq(tp_book_replace(b, 20, 41, 501, 1, NULL), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_add(b, 42, 1, 'S', 502, 1), TP_BOOK_OK);
	ck_assert_uint_eq(tp_book_errors(b, TP_BOOK_ERR_LEVELS_FULL), 2);
	EXPECT(b, 1, 'B', LV(107, 2, 6), LV(106, 1, 1), LV(105, 1, 1), LV(104, 1, 1),
	       LV(103, 1, 1), LV(102, 1, 1), LV(101, 1, 1), LV(99, 1, 1));
	EXPECT(b, 1, 'S', LV(501, 1, 1), LV(502, 1, 1));
	ck_assert_int_eq(tp_book_replace(b, 2, 43, 98, 1, NULL), TP_BOOK_OK); /* 101 -> 98 */
	ck_assert_int_eq(tp_book_replace(b, 43, 44, 97, 1, NULL), TP_BOOK_OK);
	/* Moving one of two orders at 107 away leaves 107 and needs a ninth level. */
	ck_assert_int_eq(tp_book_replace(b, 31, 45, 96, 1, NULL), TP_BOOK_ERR_LEVELS_FULL);
	ck_assert_int_eq(tp_book_lookup(b, 31, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_int_eq(tp_book_lookup(b, 45, NULL), TP_BOOK_ERR_UNKNOWN_REF);
	ck_assert_uint_eq(tp_book_errors(b, TP_BOOK_ERR_LEVELS_FULL), 3);
	EXPECT(b, 1, 'B', LV(107, 1, 1), LV(106, 1, 1), LV(105, 1, 1), LV(104, 1, 1),
	       LV(103, 1, 1), LV(102, 1, 1), LV(99, 1, 1), LV(97, 1, 1));
	valid(b);
	tp_book_free(b);
}
END_TEST

/* A long side: thousands of levels inserted and removed in scrambled order, so arrays grow
 * (in place and by moving) and shrink; the arena ends as it began but for the two minimum
 * arrays, and the depth is exact all along. */
START_TEST(deep_sides_grow_and_shrink)
{
	enum { N = 3000 };
	/* Room for both sides at 4096 levels whatever the fragmentation. */
	struct tp_book *b = mk(4 * N, 8, 0);
	uint32_t perm[N];
	for (uint32_t i = 0; i < N; i++)
		perm[i] = i;
	uint32_t x = 777;
	for (uint32_t i = N - 1; i > 0; i--) {
		x = x * 1664525u + 1013904223u;
		uint32_t j = (x >> 8) % (i + 1), t = perm[i];
		perm[i] = perm[j];
		perm[j] = t;
	}
	/* A second stock interleaves so arrays cannot always grow in place. */
	for (uint32_t i = 0; i < N; i++) {
		uint32_t p = perm[i];
		ck_assert_int_eq(tp_book_add(b, 1 + p, 5, 'B', 10000 + 3 * p, p + 1), TP_BOOK_OK);
		ck_assert_int_eq(tp_book_add(b, 100000 + p, 6, 'S', 10000 + 3 * p, 1), TP_BOOK_OK);
	}
	valid(b);
	static struct tp_book_level got[N + 1];
	ck_assert_uint_eq(tp_book_depth(b, 5, 'B', got, N + 1), N);
	for (uint32_t k = 0; k < N; k++) {
		uint32_t p = N - 1 - k;
		ck_assert_uint_eq(got[k].price, 10000 + 3 * p);
		ck_assert_uint_eq(got[k].qty, p + 1);
		ck_assert_uint_eq(got[k].orders, 1);
	}
	ck_assert_uint_eq(tp_book_depth(b, 6, 'S', got, N), N);
	for (uint32_t k = 0; k < N; k++)
		ck_assert_uint_eq(got[k].price, 10000 + 3 * k);

	/* Remove all but every 500th bid, in the same scrambled order. */
	for (uint32_t i = 0; i < N; i++) {
		uint32_t p = perm[i];
		if (p % 500)
			ck_assert_int_eq(tp_book_delete(b, 1 + p, NULL), TP_BOOK_OK);
		ck_assert_int_eq(tp_book_delete(b, 100000 + p, NULL), TP_BOOK_OK);
		if (i % 500 == 0)
			valid(b);
	}
	EXPECT(b, 5, 'B', LV(10000 + 3 * 2500, 1, 2501), LV(10000 + 3 * 2000, 1, 2001),
	       LV(10000 + 3 * 1500, 1, 1501), LV(10000 + 3 * 1000, 1, 1001),
	       LV(10000 + 3 * 500, 1, 501), LV(10000, 1, 1));
	EXPECT_EMPTY(b, 6, 'S');
	for (uint32_t p = 0; p < N; p += 500)
		ck_assert_int_eq(tp_book_delete(b, 1 + p, NULL), TP_BOOK_OK);
	valid(b);
	/* Each side that ever held a level keeps its minimum array of 8, nothing more. */
	ck_assert_uint_eq(b->free_levels, b->arena_levels - 2 * 8);
	tp_book_free(b);
}
END_TEST

START_TEST(stale_flags)
{
	struct tp_book *b = mk(16, 8, 0);
	ck_assert_int_eq(tp_book_add(b, 1, 10, 'B', 1, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_is_stale(b, 10), 0);
	ck_assert_int_eq(tp_book_is_stale(b, 11), 0);
	ck_assert_int_eq(tp_book_set_stale(b, 10, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_is_stale(b, 10), 1);
	/* An unseen stock gets a slot so the flag sticks for when its orders come. */
	ck_assert_int_eq(tp_book_set_stale(b, 11, 5), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_is_stale(b, 11), 1);
	ck_assert_int_eq(tp_book_add(b, 2, 11, 'S', 1, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_is_stale(b, 11), 1);
	struct tp_book_stock_stats ss;
	ck_assert_int_eq(tp_book_stock_stats(b, 11, &ss), TP_BOOK_OK);
	ck_assert_uint_eq(ss.stale, 1);
	ck_assert_int_eq(tp_book_add(b, 3, 12, 'S', 1, 1), TP_BOOK_OK);
	ck_assert_int_eq(tp_book_is_stale(b, 12), 0);
	tp_book_set_stale_all(b, 0);
	ck_assert_int_eq(tp_book_is_stale(b, 10) + tp_book_is_stale(b, 11) +
			 tp_book_is_stale(b, 12), 0);
	tp_book_set_stale_all(b, 1);
	ck_assert_int_eq(tp_book_is_stale(b, 10) + tp_book_is_stale(b, 11) +
			 tp_book_is_stale(b, 12), 3);
	ck_assert_int_eq(tp_book_is_stale(b, 13), 0);
	uint16_t locs[8];
	ck_assert_uint_eq(tp_book_stocks(b, locs, 8), 3);
	valid(b);
	tp_book_free(b);
}
END_TEST

START_TEST(error_names)
{
	ck_assert_str_eq(tp_book_err_name(TP_BOOK_OK), "ok");
	ck_assert_str_eq(tp_book_err_name(TP_BOOK_ERR_UNKNOWN_REF), "unknown_ref");
	ck_assert_str_eq(tp_book_err_name(TP_BOOK_ERR_OVER_EXEC), "over_execute");
	ck_assert_str_eq(tp_book_err_name(TP_BOOK_ERR_INTERNAL), "internal");
	ck_assert_str_eq(tp_book_err_name(-TP_BOOK_ERR_KINDS), "?");
	ck_assert_str_eq(tp_book_err_name(1), "?");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("book");
	TCase *tc = tcase_create("ops");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, params_and_sizes);
	tcase_add_test(tc, add_builds_levels);
	tcase_add_test(tc, execute_partial_full_over);
	tcase_add_test(tc, cancel_partial_and_over);
	tcase_add_test(tc, delete_and_unknown_refs);
	tcase_add_test(tc, refused_adds_leave_book_alone);
	tcase_add_test(tc, replace_semantics);
	tcase_add_test(tc, crossed_and_locked_books_kept);
	tcase_add_test(tc, extreme_prices_and_big_sizes);
	tcase_add_test(tc, collisions_wrap_and_backward_shift);
	tcase_add_test(tc, robin_hood_displacement);
	tcase_add_test(tc, consecutive_refs_stay_home);
	tcase_add_test(tc, collision_churn);
	tcase_add_test(tc, book_full_refused_and_counted);
	tcase_add_test(tc, stock_pool_full);
	tcase_add_test(tc, level_arena_full);
	tcase_add_test(tc, deep_sides_grow_and_shrink);
	tcase_add_test(tc, stale_flags);
	tcase_add_test(tc, error_names);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
