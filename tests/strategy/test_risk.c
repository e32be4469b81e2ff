/* The risk guard, one check at a time: each limit exactly at its value (accepted) and one
 * past it (rejected with its own reason), every unset limit rejecting, escalation to a halt
 * after N rejects within a window, and internal errors halting. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tp_killswitch.h"
#include "tp_risk.h"

#define LOC 5
#define T0 1000000000ull /* market time of the first book update */

static struct tp_killswitch *g_ks;

/* Every limit set, none binding: each test tightens the one it is about. */
static struct tp_risk_limits loose(void)
{
	struct tp_risk_limits l;
	tp_risk_limits_init(&l);
	l.set = TP_RISK_L_ALL;
	l.max_order_qty = 1000000;
	l.max_order_notional = UINT64_MAX;
	l.collar_bps = 10000;
	l.max_position = 1000000000;
	l.max_gross_notional = UINT64_MAX;
	l.rate_max_orders = TP_RISK_MAX_RATE;
	l.rate_window_ns = 1;
	l.dup_window_ns = 0;
	l.max_fills = TP_RISK_MAX_FILLS - 1;
	l.fills_window_ns = 1;
	l.stale_ns = UINT64_MAX;
	return l;
}

static struct tp_risk *mk(const struct tp_risk_limits *l)
{
	char err[128];
	struct tp_risk *r = tp_risk_create(l, tp_ks_halter_of(g_ks), err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	return r;
}

static void book(struct tp_risk *r, uint16_t loc, uint32_t bid, uint32_t ask, uint64_t ts,
		 uint8_t flags)
{
	struct tp_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = TP_EV_ADD;
	ev.stock_locate = loc;
	ev.exch_ts_ns = ts;
	ev.bid_px = bid;
	ev.ask_px = ask;
	ev.bid_qty = bid ? 100 : 0;
	ev.ask_qty = ask ? 100 : 0;
	ev.flags = flags;
	tp_risk_on_event(r, &ev);
}

static struct tp_order ord(uint8_t side, uint32_t qty, uint32_t price)
{
	return (struct tp_order){ .locate = LOC, .side = side, .qty = qty, .price = price };
}

static enum tp_risk_reason chk(struct tp_risk *r, uint8_t side, uint32_t qty, uint32_t price,
			       uint64_t t)
{
	struct tp_order o = ord(side, qty, price);
	return tp_risk_check(r, &o, t);
}

static void commit(struct tp_risk *r, uint8_t side, uint32_t qty, uint32_t price, uint64_t t)
{
	struct tp_order o = ord(side, qty, price);
	ck_assert_int_eq(tp_risk_check(r, &o, t), TP_RISK_OK);
	tp_risk_commit(r, &o, t);
}

static uint64_t rejects(struct tp_risk *r, enum tp_risk_reason why)
{
	struct tp_risk_stats st;
	tp_risk_stats(r, &st);
	return st.rejects[why];
}

static void setup(void)
{
	char err[128];
	g_ks = tp_ks_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(g_ks);
}

static void teardown(void) { tp_ks_free(g_ks); }

START_TEST(test_unconfigured_rejects)
{
	for (uint32_t bit = 1; bit & TP_RISK_L_ALL; bit <<= 1) {
		struct tp_risk_limits l = loose();
		l.set &= ~bit;
		struct tp_risk *r = mk(&l);
		book(r, LOC, 100000, 100100, T0, 0);
		ck_assert_int_eq(chk(r, 'B', 1, 100000, T0), TP_RISK_R_UNCONFIGURED);
		ck_assert_int_eq(chk(r, 'S', 1, 100100, T0), TP_RISK_R_UNCONFIGURED);
		ck_assert_uint_eq(rejects(r, TP_RISK_R_UNCONFIGURED), 2);
		tp_risk_free(r);
	}
	/* Nothing set at all: the zeroed starting point rejects too. */
	struct tp_risk_limits l;
	tp_risk_limits_init(&l);
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	ck_assert_int_eq(chk(r, 'B', 1, 100000, T0), TP_RISK_R_UNCONFIGURED);
	tp_risk_free(r);
	/* And the loose set accepts. */
	l = loose();
	r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	ck_assert_int_eq(chk(r, 'B', 1, 100000, T0), TP_RISK_OK);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_bad_order)
{
	struct tp_risk_limits l = loose();
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	ck_assert_int_eq(chk(r, 'X', 1, 100000, T0), TP_RISK_R_BAD_ORDER);
	ck_assert_int_eq(chk(r, 'B', 0, 100000, T0), TP_RISK_R_BAD_ORDER);
	ck_assert_int_eq(chk(r, 'B', 1, 0, T0), TP_RISK_R_BAD_ORDER);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_BAD_ORDER), 3);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_max_qty)
{
	struct tp_risk_limits l = loose();
	l.max_order_qty = 500;
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	ck_assert_int_eq(chk(r, 'B', 500, 100000, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'B', 501, 100000, T0), TP_RISK_R_MAX_QTY);
	ck_assert_int_eq(chk(r, 'S', 501, 100100, T0), TP_RISK_R_MAX_QTY);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_MAX_QTY), 2);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_max_notional)
{
	struct tp_risk_limits l = loose();
	l.max_order_notional = 100000000; /* $10,000 in 1/10000 USD */
	struct tp_risk *r = mk(&l);
	book(r, LOC, 1000000, 1000000, T0, 0);
	ck_assert_int_eq(chk(r, 'B', 100, 1000000, T0), TP_RISK_OK);            /* = limit */
	ck_assert_int_eq(chk(r, 'B', 101, 1000000, T0), TP_RISK_R_MAX_NOTIONAL);
	ck_assert_int_eq(chk(r, 'B', 100, 1000001, T0), TP_RISK_R_MAX_NOTIONAL); /* +100 */
	ck_assert_uint_eq(rejects(r, TP_RISK_R_MAX_NOTIONAL), 2);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_price_collar)
{
	struct tp_risk_limits l = loose();
	l.collar_bps = 100; /* 1% */
	struct tp_risk *r = mk(&l);
	book(r, LOC, 990000, 1000000, T0, 0);
	/* Buy: at most ask * 1.01 = 1010000. */
	ck_assert_int_eq(chk(r, 'B', 1, 1010000, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'B', 1, 1010001, T0), TP_RISK_R_PRICE_COLLAR);
	/* Sell: at least bid * 0.99 = 980100. */
	ck_assert_int_eq(chk(r, 'S', 1, 980100, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'S', 1, 980099, T0), TP_RISK_R_PRICE_COLLAR);
	/* Passive prices are never limited by the collar. */
	ck_assert_int_eq(chk(r, 'B', 1, 1, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'S', 1, 4000000000u, T0), TP_RISK_OK);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_PRICE_COLLAR), 2);

	/* Ask side empty and nothing else known: no reference, rejected. */
	book(r, LOC, 990000, 0, T0 + 1, 0);
	ck_assert_int_eq(chk(r, 'B', 1, 990000, T0 + 1), TP_RISK_R_NO_REFERENCE);
	/* A configured reference price stands in: 2000000 * 1.01 = 2020000. */
	tp_risk_set_ref_price(r, LOC, 2000000);
	ck_assert_int_eq(chk(r, 'B', 1, 2020000, T0 + 1), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'B', 1, 2020001, T0 + 1), TP_RISK_R_PRICE_COLLAR);
	/* The last print takes precedence over the reference: 500000 * 1.01 = 505000. */
	struct tp_event tr;
	memset(&tr, 0, sizeof(tr));
	tr.kind = TP_EV_TRADE;
	tr.stock_locate = LOC;
	tr.price = 500000;
	tr.qty = 10;
	tr.exch_ts_ns = T0 + 2;
	tp_risk_on_event(r, &tr);
	ck_assert_int_eq(chk(r, 'B', 1, 505000, T0 + 2), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'B', 1, 505001, T0 + 2), TP_RISK_R_PRICE_COLLAR);
	/* A trade does not refresh the book's timestamp, and the bid side still uses the bid. */
	ck_assert_int_eq(chk(r, 'S', 1, 980100, T0 + 2), TP_RISK_OK);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_NO_REFERENCE), 1);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_position_counts_working)
{
	struct tp_risk_limits l = loose();
	l.max_position = 1000;
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	commit(r, 'B', 600, 100000, T0);
	ck_assert_uint_eq(tp_risk_working(r, LOC, 'B'), 600);
	ck_assert_int_eq(chk(r, 'B', 400, 100000, T0), TP_RISK_OK);          /* 600 + 400 */
	ck_assert_int_eq(chk(r, 'B', 401, 100000, T0), TP_RISK_R_POSITION);
	/* Sells are measured on their own side: -1000 at most. */
	ck_assert_int_eq(chk(r, 'S', 1000, 100100, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'S', 1001, 100100, T0), TP_RISK_R_POSITION);
	/* The buy fills: position 600, nothing working. */
	ck_assert_int_eq(tp_risk_on_fill(r, LOC, 'B', 100000, 100000, 600, T0), 0);
	ck_assert_int_eq(tp_risk_position(r, LOC), 600);
	ck_assert_uint_eq(tp_risk_working(r, LOC, 'B'), 0);
	ck_assert_int_eq(chk(r, 'B', 400, 100000, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'B', 401, 100000, T0), TP_RISK_R_POSITION);
	ck_assert_int_eq(chk(r, 'S', 1600, 100100, T0), TP_RISK_OK);         /* 600 - 1600 */
	ck_assert_int_eq(chk(r, 'S', 1601, 100100, T0), TP_RISK_R_POSITION);
	/* A working sell counts against the short side. */
	commit(r, 'S', 1000, 100100, T0);
	ck_assert_int_eq(chk(r, 'S', 600, 100100, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'S', 601, 100100, T0), TP_RISK_R_POSITION);
	/* Its cancel frees it again. */
	ck_assert_int_eq(tp_risk_on_cancel(r, LOC, 'S', 100100, 1000, T0), 0);
	ck_assert_int_eq(chk(r, 'S', 1600, 100100, T0), TP_RISK_OK);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_POSITION), 5);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_credit_working_plus_filled)
{
	struct tp_risk_limits l = loose();
	l.max_gross_notional = 100000000;
	struct tp_risk *r = mk(&l);
	book(r, LOC, 1000000, 1000000, T0, 0);
	commit(r, 'B', 60, 1000000, T0);                                     /* 6e7 working */
	ck_assert_int_eq(chk(r, 'S', 40, 1000000, T0), TP_RISK_OK);           /* 1e8 = limit */
	ck_assert_int_eq(chk(r, 'S', 41, 1000000, T0), TP_RISK_R_CREDIT);
	/* Filling moves notional from working to filled: still used. */
	ck_assert_int_eq(tp_risk_on_fill(r, LOC, 'B', 1000000, 1000000, 60, T0), 0);
	ck_assert_int_eq(chk(r, 'S', 40, 1000000, T0), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'S', 41, 1000000, T0), TP_RISK_R_CREDIT);
	/* A cancel of working notional gives room back; fills never do. */
	commit(r, 'S', 40, 1000000, T0);
	ck_assert_int_eq(chk(r, 'B', 1, 1000000, T0), TP_RISK_R_CREDIT);
	ck_assert_int_eq(tp_risk_on_cancel(r, LOC, 'S', 1000000, 40, T0), 0);
	ck_assert_int_eq(chk(r, 'B', 40, 1000000, T0), TP_RISK_OK);
	struct tp_risk_stats st;
	tp_risk_stats(r, &st);
	ck_assert_uint_eq(st.gross_used, 60000000);
	ck_assert_uint_eq(st.rejects[TP_RISK_R_CREDIT], 3);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_rate_sliding_window)
{
	struct tp_risk_limits l = loose();
	l.rate_max_orders = 3;
	l.rate_window_ns = 1000;
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	commit(r, 'B', 1, 100000, T0 + 100);
	commit(r, 'B', 2, 100000, T0 + 200);
	commit(r, 'B', 3, 100000, T0 + 300);                    /* the 3rd in a window: ok */
	ck_assert_int_eq(chk(r, 'B', 4, 100000, T0 + 1099), TP_RISK_R_RATE); /* 4th */
	ck_assert_int_eq(chk(r, 'B', 4, 100000, T0 + 1100), TP_RISK_OK);     /* 1st slid out */
	commit(r, 'B', 4, 100000, T0 + 1100);
	ck_assert_int_eq(chk(r, 'B', 5, 100000, T0 + 1199), TP_RISK_R_RATE);
	ck_assert_int_eq(chk(r, 'B', 5, 100000, T0 + 1200), TP_RISK_OK);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_RATE), 2);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_duplicate_window)
{
	struct tp_risk_limits l = loose();
	l.dup_window_ns = 500;
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	commit(r, 'B', 100, 100000, T0 + 1000);
	ck_assert_int_eq(chk(r, 'B', 100, 100000, T0 + 1000), TP_RISK_R_DUPLICATE);
	ck_assert_int_eq(chk(r, 'B', 100, 100000, T0 + 1499), TP_RISK_R_DUPLICATE);
	ck_assert_int_eq(chk(r, 'B', 100, 100000, T0 + 1500), TP_RISK_OK); /* window over */
	/* Any field different: not a duplicate. */
	ck_assert_int_eq(chk(r, 'B', 101, 100000, T0 + 1001), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'B', 100, 100001, T0 + 1001), TP_RISK_OK);
	ck_assert_int_eq(chk(r, 'S', 100, 100000, T0 + 1001), TP_RISK_OK);
	struct tp_order other = { .locate = LOC + 1, .side = 'B', .qty = 100, .price = 100000 };
	book(r, LOC + 1, 100000, 100100, T0, 0);
	ck_assert_int_eq(tp_risk_check(r, &other, T0 + 1001), TP_RISK_OK);
	/* Sent again after the window: remembered from the new time. */
	commit(r, 'B', 100, 100000, T0 + 1500);
	ck_assert_int_eq(chk(r, 'B', 100, 100000, T0 + 1999), TP_RISK_R_DUPLICATE);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_DUPLICATE), 3);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_duplicate_table_full_fails_closed)
{
	struct tp_risk_limits l = loose();
	l.dup_window_ns = UINT64_MAX;
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	/* Far more live entries than the table holds: some order runs out of probes. */
	uint64_t cap = 0;
	for (uint32_t q = 1; q <= 20000 && !cap; q++) {
		struct tp_order o = ord('B', q, 100000);
		enum tp_risk_reason why = tp_risk_check(r, &o, T0);
		if (why == TP_RISK_R_CAPACITY)
			cap = q;
		else {
			ck_assert_int_eq(why, TP_RISK_OK);
			tp_risk_commit(r, &o, T0);
		}
	}
	ck_assert_uint_gt(cap, 0);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_CAPACITY), 1);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_repeated_executions)
{
	struct tp_risk_limits l = loose();
	l.max_fills = 2;
	l.fills_window_ns = 1000;
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	commit(r, 'B', 10, 100000, T0);
	ck_assert_int_eq(tp_risk_on_fill(r, LOC, 'B', 100000, 100000, 1, T0 + 100), 0);
	ck_assert_int_eq(tp_risk_on_fill(r, LOC, 'B', 100000, 100000, 1, T0 + 200), 0);
	ck_assert_int_eq(chk(r, 'S', 1, 100100, T0 + 300), TP_RISK_OK); /* 2 fills: at limit */
	ck_assert_int_eq(tp_risk_on_fill(r, LOC, 'B', 100000, 100000, 1, T0 + 300), 0);
	ck_assert_int_eq(chk(r, 'S', 1, 100100, T0 + 400), TP_RISK_R_REPEATED_EXEC);
	ck_assert_int_eq(chk(r, 'S', 1, 100100, T0 + 1099), TP_RISK_R_REPEATED_EXEC);
	ck_assert_int_eq(chk(r, 'S', 1, 100100, T0 + 1100), TP_RISK_OK); /* the 1st slid out */
	ck_assert_uint_eq(rejects(r, TP_RISK_R_REPEATED_EXEC), 2);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_stale_market_data)
{
	struct tp_risk_limits l = loose();
	l.stale_ns = 1000;
	struct tp_risk *r = mk(&l);
	/* Never updated: stale. */
	ck_assert_int_eq(chk(r, 'B', 1, 100000, T0), TP_RISK_R_STALE_DATA);
	book(r, LOC, 100000, 100100, T0 + 5000, 0);
	ck_assert_int_eq(chk(r, 'B', 1, 100000, T0 + 6000), TP_RISK_OK);     /* age = limit */
	ck_assert_int_eq(chk(r, 'B', 1, 100000, T0 + 6001), TP_RISK_R_STALE_DATA);
	/* The feed flags the book stale (a gap): refused until a clean update. */
	book(r, LOC, 100000, 100100, T0 + 7000, TP_EVF_BOOK_STALE);
	ck_assert_int_eq(chk(r, 'B', 1, 100000, T0 + 7000), TP_RISK_R_STALE_DATA);
	book(r, LOC, 100000, 100100, T0 + 7001, 0);
	ck_assert_int_eq(chk(r, 'B', 1, 100000, T0 + 7001), TP_RISK_OK);
	ck_assert_uint_eq(rejects(r, TP_RISK_R_STALE_DATA), 3);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_escalation_halts)
{
	struct tp_risk_limits l = loose();
	l.max_order_qty = 10;
	l.escalate[TP_RISK_R_MAX_QTY] = (struct tp_risk_escalation){ .count = 3, .window_ns = 1000 };
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	/* Three rejects spread wider than the window: no halt. */
	ck_assert_int_eq(chk(r, 'B', 11, 100000, T0 + 0), TP_RISK_R_MAX_QTY);
	ck_assert_int_eq(chk(r, 'B', 11, 100000, T0 + 600), TP_RISK_R_MAX_QTY);
	ck_assert_int_eq(chk(r, 'B', 11, 100000, T0 + 1000), TP_RISK_R_MAX_QTY);
	ck_assert_int_eq(tp_ks_blocked(g_ks, LOC), 0);
	/* Other reasons do not count towards it. */
	ck_assert_int_eq(chk(r, 'X', 1, 100000, T0 + 1001), TP_RISK_R_BAD_ORDER);
	ck_assert_int_eq(tp_ks_blocked(g_ks, LOC), 0);
	/* The third within 1000 ns (600, 1000, 1599) halts, globally. */
	ck_assert_int_eq(chk(r, 'B', 11, 100000, T0 + 1599), TP_RISK_R_MAX_QTY);
	ck_assert_int_eq(tp_ks_blocked(g_ks, LOC), 1);
	ck_assert_int_eq(tp_ks_blocked(g_ks, LOC + 100), 1);
	uint64_t w = tp_ks_word(g_ks, TP_KS_GLOBAL, 0);
	ck_assert_uint_eq(w, tp_ks_word_pack(1, TP_KS_R_RISK, 1));
	struct tp_risk_stats st;
	tp_risk_stats(r, &st);
	ck_assert_uint_eq(st.escalations, 1);
	ck_assert_uint_eq(st.rejects[TP_RISK_R_MAX_QTY], 4);
	tp_risk_free(r);

	/* Symbol scope: only the order's symbol halts. */
	char err[64];
	struct tp_killswitch *ks = tp_ks_create(NULL, err, sizeof(err));
	l.escalate_symbol_scope = 1;
	l.escalate[TP_RISK_R_MAX_QTY].count = 1;
	r = tp_risk_create(&l, tp_ks_halter_of(ks), err, sizeof(err));
	book(r, LOC, 100000, 100100, T0, 0);
	ck_assert_int_eq(chk(r, 'B', 11, 100000, T0), TP_RISK_R_MAX_QTY);
	ck_assert_int_eq(tp_ks_blocked(ks, LOC), 1);
	ck_assert_int_eq(tp_ks_blocked(ks, LOC + 1), 0);
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_SYMBOL, LOC), tp_ks_word_pack(1, TP_KS_R_RISK, 1));
	tp_risk_free(r);
	tp_ks_free(ks);
}
END_TEST

START_TEST(test_internal_error_halts)
{
	struct tp_risk_limits l = loose();
	struct tp_risk *r = mk(&l);
	book(r, LOC, 100000, 100100, T0, 0);
	commit(r, 'B', 100, 100000, T0);
	/* Cancel more than is working: inconsistent, clamped, halted. */
	ck_assert_int_eq(tp_risk_on_cancel(r, LOC, 'B', 100000, 101, T0), -1);
	ck_assert_uint_eq(tp_risk_working(r, LOC, 'B'), 0);
	ck_assert_uint_eq(tp_ks_word(g_ks, TP_KS_GLOBAL, 0), tp_ks_word_pack(1, TP_KS_R_INTERNAL, 1));
	struct tp_risk_stats st;
	tp_risk_stats(r, &st);
	ck_assert_uint_eq(st.internal_errors, 1);
	/* A fill of nothing working: the same. */
	ck_assert_int_eq(tp_risk_on_fill(r, LOC, 'S', 100000, 100000, 5, T0), -1);
	ck_assert_int_eq(tp_risk_position(r, LOC), -5); /* the exchange's fill still counts */
	tp_risk_stats(r, &st);
	ck_assert_uint_eq(st.internal_errors, 2);
	tp_risk_free(r);
}
END_TEST

START_TEST(test_create_refuses_bad_limits)
{
	char err[128];
	struct tp_risk_limits l = loose();
	l.collar_bps = 10001;
	ck_assert_ptr_null(tp_risk_create(&l, NULL, err, sizeof(err)));
	l = loose();
	l.rate_max_orders = 0;
	ck_assert_ptr_null(tp_risk_create(&l, NULL, err, sizeof(err)));
	l = loose();
	l.escalate[TP_RISK_R_RATE].count = TP_RISK_MAX_ESCALATE + 1;
	l.escalate[TP_RISK_R_RATE].window_ns = 1;
	ck_assert_ptr_null(tp_risk_create(&l, NULL, err, sizeof(err)));
	ck_assert_str_eq(tp_risk_reason_name(TP_RISK_R_REPEATED_EXEC), "repeated-exec");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("risk");
	TCase *tc = tcase_create("risk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_unconfigured_rejects);
	tcase_add_test(tc, test_bad_order);
	tcase_add_test(tc, test_max_qty);
	tcase_add_test(tc, test_max_notional);
	tcase_add_test(tc, test_price_collar);
	tcase_add_test(tc, test_position_counts_working);
	tcase_add_test(tc, test_credit_working_plus_filled);
	tcase_add_test(tc, test_rate_sliding_window);
	tcase_add_test(tc, test_duplicate_window);
	tcase_add_test(tc, test_duplicate_table_full_fails_closed);
	tcase_add_test(tc, test_repeated_executions);
	tcase_add_test(tc, test_stale_market_data);
	tcase_add_test(tc, test_escalation_halts);
	tcase_add_test(tc, test_internal_error_halts);
	tcase_add_test(tc, test_create_refuses_bad_limits);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
