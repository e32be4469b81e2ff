/* The simulated exchange in a backtest loop with the gateway, the risk guard and the market
 * maker: a scripted book and order sequence with every fill, position, cash and P&L figure
 * computed by hand in the comments. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tp_gateway.h"
#include "tp_killswitch.h"
#include "tp_mm.h"
#include "tp_simex.h"

#define LAT 100 /* order latency, ns of market time */

struct bt {
	struct tp_killswitch *ks;
	struct tp_risk *risk;
	struct tp_ring *ring;
	struct tp_gw *gw;
	struct tp_simex *sx;
	struct tp_mm *mm;
	struct tp_exec_report log[2048]; /* every report, in order */
	uint32_t nlog;
};

static void bt_up(struct bt *b)
{
	char err[128];
	memset(b, 0, sizeof(*b));
	b->ks = tp_ks_create(NULL, err, sizeof(err));
	struct tp_risk_limits l;
	tp_risk_limits_init(&l);
	l.set = TP_RISK_L_ALL;
	l.max_order_qty = 10000;
	l.max_order_notional = UINT64_MAX;
	l.collar_bps = 500;
	l.max_position = 100000;
	l.max_gross_notional = UINT64_MAX;
	l.rate_max_orders = 1000;
	l.rate_window_ns = 1000000;
	l.dup_window_ns = 10;
	l.max_fills = 1000;
	l.fills_window_ns = 1000000;
	l.stale_ns = 1000000000;
	b->risk = tp_risk_create(&l, tp_ks_halter_of(b->ks), err, sizeof(err));
	ck_assert_msg(b->risk != NULL, "%s", err);
	b->ring = tp_ring_create("egress", 64, TP_GW_SLOT_SIZE, TP_RING_F_NO_HUGE);
	struct tp_gw_params gp = { .halter = tp_ks_halter_of(b->ks), .risk = b->risk,
		.egress = b->ring };
	b->gw = tp_gw_create(&gp, err, sizeof(err));
	ck_assert_ptr_nonnull(b->gw);
	ck_assert_int_eq(tp_gw_set_symbol(b->gw, 1, "AAA"), 0);
	struct tp_simex_params sp = { .latency_ns = LAT };
	b->sx = tp_simex_create(&sp, err, sizeof(err));
	ck_assert_ptr_nonnull(b->sx);
	ck_assert_int_eq(tp_simex_add_symbol(b->sx, 1, "AAA"), 0);
}

static void bt_down(struct bt *b)
{
	tp_mm_free(b->mm);
	tp_simex_free(b->sx);
	tp_gw_free(b->gw);
	tp_ring_free(b->ring);
	tp_risk_free(b->risk);
	tp_ks_free(b->ks);
}

/* One backtest turn for one market event. */
static void mkt(struct bt *b, uint8_t kind, uint64_t t, uint32_t bid, uint32_t bidq, uint32_t ask,
		uint32_t askq, uint32_t px, uint32_t qty)
{
	struct tp_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.stock_locate = 1;
	ev.exch_ts_ns = t;
	ev.bid_px = bid;
	ev.bid_qty = bidq;
	ev.ask_px = ask;
	ev.ask_qty = askq;
	ev.price = px;
	ev.qty = qty;
	tp_simex_on_event(b->sx, &ev);
	struct tp_exec_report r[16];
	uint32_t n;
	while ((n = tp_simex_reports(b->sx, r, 16)) > 0)
		for (uint32_t i = 0; i < n; i++) {
			ck_assert_int_eq(tp_gw_on_report(b->gw, &r[i]), 0);
			if (b->mm)
				tp_mm_on_report(b->mm, &r[i]);
			ck_assert_uint_lt(b->nlog, 2048);
			b->log[b->nlog++] = r[i];
		}
	tp_risk_on_event(b->risk, &ev);
	if (b->mm)
		tp_mm_on_event(b->mm, &ev);
	tp_gw_poll(b->gw, t);
	tp_simex_take_orders(b->sx, b->ring);
}

static uint32_t submit(struct bt *b, uint64_t t, uint8_t side, uint32_t qty, uint32_t px,
		       uint8_t tif)
{
	struct tp_order o = { .locate = 1, .side = side, .qty = qty, .price = px, .tif = tif };
	uint32_t urn;
	ck_assert_int_eq(tp_gw_submit(b->gw, &o, t, &urn, NULL), TP_GW_SENT);
	tp_simex_take_orders(b->sx, b->ring);
	return urn;
}

static void expect(const struct bt *b, uint32_t i, uint8_t type, uint32_t urn, uint8_t side,
		   uint32_t qty, uint32_t px, uint64_t ts)
{
	ck_assert_uint_lt(i, b->nlog);
	const struct tp_exec_report *r = &b->log[i];
	ck_assert_uint_eq(r->type, type);
	ck_assert_uint_eq(r->user_ref_num, urn);
	ck_assert_uint_eq(r->side, side);
	ck_assert_uint_eq(r->qty, qty);
	ck_assert_uint_eq(r->price, px);
	ck_assert_uint_eq(r->ts_ns, ts);
	ck_assert_uint_eq(r->locate, 1);
}

START_TEST(test_scripted_fills_and_pnl)
{
	struct bt b;
	bt_up(&b);
	mkt(&b, TP_EV_ADD, 1000, 100000, 500, 100200, 300, 0, 0);
	ck_assert_uint_eq(submit(&b, 1000, 'B', 200, 100200, 0), 1); /* crosses the ask */
	ck_assert_uint_eq(submit(&b, 1000, 'S', 100, 100400, 0), 2); /* passive */
	ck_assert_uint_eq(submit(&b, 1000, 'B', 100, 100300, 0), 3); /* crosses, 100 left shown */
	mkt(&b, TP_EV_ADD, 1099, 100000, 550, 100200, 300, 0, 0);    /* nothing has arrived */
	ck_assert_uint_eq(b.nlog, 0);
	/* Arrive at 1100, before the event of that time, against ask 100200 x 300. */
	mkt(&b, TP_EV_ADD, 1100, 100000, 600, 100200, 300, 0, 0);
	ck_assert_uint_eq(b.nlog, 2);
	expect(&b, 0, 'E', 1, 'B', 200, 100200, 1100);
	expect(&b, 1, 'E', 3, 'B', 100, 100200, 1100);
	/* A trade above the resting sell at 100400 fills 60 of it, at its own price. */
	mkt(&b, TP_EV_TRADE, 2000, 0, 0, 0, 0, 100500, 60);
	expect(&b, 2, 'E', 2, 'S', 60, 100400, 2000);
	/* A print AT its price is not through it. */
	mkt(&b, TP_EV_EXECUTE, 3000, 100000, 600, 100200, 250, 100400, 50);
	ck_assert_uint_eq(b.nlog, 3);
	/* Through by one: the remaining 40 (not the whole print). */
	mkt(&b, TP_EV_EXECUTE, 3100, 100000, 600, 100200, 200, 100401, 1000);
	expect(&b, 3, 'E', 2, 'S', 40, 100400, 3100);
	/* A resting buy, then its cancel. */
	uint32_t u4 = submit(&b, 3200, 'B', 50, 99000, 0);
	ck_assert_uint_eq(u4, 4);
	ck_assert_int_eq(tp_gw_cancel(b.gw, u4, 3250), TP_GW_SENT);
	tp_simex_take_orders(b.sx, b.ring);
	mkt(&b, TP_EV_ADD, 3300, 100000, 650, 100200, 200, 0, 0); /* order arrives, rests */
	ck_assert_uint_eq(b.nlog, 4);
	mkt(&b, TP_EV_ADD, 3400, 100000, 650, 100200, 200, 0, 0); /* cancel arrives (3350) */
	expect(&b, 4, 'C', 4, 'B', 50, 0, 3350);
	/* IOC buy of 100 with 30 shown at 100500: 30 trade, 70 are cancelled. */
	mkt(&b, TP_EV_ADD, 3500, 100300, 100, 100500, 30, 0, 0);
	ck_assert_uint_eq(submit(&b, 3500, 'B', 100, 100500, '3'), 5);
	mkt(&b, TP_EV_ADD, 3600, 100300, 100, 100500, 30, 0, 0);
	ck_assert_uint_eq(b.nlog, 7);
	expect(&b, 5, 'E', 5, 'B', 30, 100500, 3600);
	expect(&b, 6, 'C', 5, 'B', 70, 0, 3600);

	/* The account, by hand:
	 *   buy 300 @ 100200: cash -30,060,000, basis 30,060,000, position 300
	 *   sell 60 @ 100400: cash -24,036,000, basis -= 30,060,000*60/300 -> 24,048,000
	 *   sell 40 @ 100400: cash -20,020,000, basis -= 24,048,000*40/240 -> 20,040,000
	 *   buy 30 @ 100500:  cash -23,035,000, basis 23,055,000, position 230
	 *   realized = cash + basis = 20,000 (100 sold 200 above the 100200 average)
	 *   mark = (100300 + 100500) / 2 = 100400; unrealized = 230 * 100400 - 23,055,000
	 *        = 37,000; total = cash + 230 * 100400 = 57,000 */
	struct tp_simex_position p;
	ck_assert_int_eq(tp_simex_position(b.sx, 1, &p), 0);
	ck_assert_int_eq(p.position, 230);
	ck_assert_int_eq(p.cash, -23035000);
	ck_assert_int_eq(p.basis, 23055000);
	ck_assert_int_eq(p.realized, 20000);
	ck_assert_uint_eq(p.mark, 100400);
	ck_assert_int_eq(p.unrealized, 37000);
	ck_assert_uint_eq(p.fills, 5);
	ck_assert_uint_eq(p.fill_qty, 430);

	struct tp_bt_report rep;
	tp_simex_report(b.sx, b.gw, &rep);
	ck_assert_uint_eq(rep.orders_sent, 5);
	ck_assert_uint_eq(rep.cancels_sent, 1);
	ck_assert_uint_eq(rep.rejected, 0);
	ck_assert_uint_eq(rep.fills, 5);
	ck_assert_uint_eq(rep.fill_qty, 430);
	ck_assert_int_eq(rep.realized, 20000);
	ck_assert_int_eq(rep.unrealized, 37000);
	ck_assert_int_eq(rep.pnl, 57000);
	ck_assert_int_eq(rep.cash, -23035000);
	ck_assert_uint_eq(rep.nsymbols, 1);
	ck_assert_str_eq(rep.sym[0].symbol, "AAA");
	ck_assert_int_eq(rep.sym[0].position, 230);

	/* Gateway and risk guard agree with the exchange: nothing working, same position. */
	struct tp_gw_stats gs;
	tp_gw_stats(b.gw, &gs);
	ck_assert_uint_eq(gs.working, 0);
	ck_assert_uint_eq(gs.fills, 5);
	ck_assert_uint_eq(gs.cancel_acks, 2);
	ck_assert_int_eq(tp_risk_position(b.risk, 1), 230);
	ck_assert_uint_eq(tp_risk_working(b.risk, 1, 'B'), 0);
	ck_assert_uint_eq(tp_risk_working(b.risk, 1, 'S'), 0);
	struct tp_simex_stats ss;
	tp_simex_stats(b.sx, &ss);
	ck_assert_uint_eq(ss.orders_in, 5);
	ck_assert_uint_eq(ss.cancels_in, 1);
	ck_assert_uint_eq(ss.aggressive_fills, 3);
	ck_assert_uint_eq(ss.passive_fills, 2);
	ck_assert_uint_eq(ss.reports_lost, 0);
	ck_assert_uint_eq(ss.cancel_misses, 0);
	bt_down(&b);
}
END_TEST

START_TEST(test_short_then_flip_long)
{
	struct bt b;
	bt_up(&b);
	mkt(&b, TP_EV_ADD, 1000, 100000, 1000, 100100, 1000, 0, 0);
	submit(&b, 1000, 'S', 100, 100000, 0); /* hits the bid: short 100 @ 100000 */
	mkt(&b, TP_EV_ADD, 1100, 99900, 1000, 100000, 1000, 0, 0);
	submit(&b, 1100, 'B', 150, 100000, 0); /* lifts the ask: covers 100, long 50 @ 100000 */
	mkt(&b, TP_EV_ADD, 1200, 100100, 1000, 100300, 1000, 0, 0);
	ck_assert_uint_eq(b.nlog, 2);
	expect(&b, 0, 'E', 1, 'S', 100, 100000, 1100);
	expect(&b, 1, 'E', 2, 'B', 150, 100000, 1200);
	/* cash = +10,000,000 - 15,000,000 = -5,000,000; the short closes flat (basis
	 * -10,000,000 removed whole), the 50 long cost 5,000,000: realized 0;
	 * mark 100200: unrealized = 50 * 100200 - 5,000,000 = 10,000. */
	struct tp_simex_position p;
	tp_simex_position(b.sx, 1, &p);
	ck_assert_int_eq(p.position, 50);
	ck_assert_int_eq(p.cash, -5000000);
	ck_assert_int_eq(p.basis, 5000000);
	ck_assert_int_eq(p.realized, 0);
	ck_assert_int_eq(p.unrealized, 10000);
	bt_down(&b);
}
END_TEST

START_TEST(test_market_maker_backtest_with_halt)
{
	struct bt b;
	bt_up(&b);
	char err[128];
	uint16_t locs[1] = { 1 };
	struct tp_mm_params mp = { .gw = b.gw, .locates = locs, .nlocates = 1, .size = 100,
		.offset_ticks = 1, .tick = 100 };
	b.mm = tp_mm_create(&mp, err, sizeof(err));
	ck_assert_ptr_nonnull(b.mm);

	/* Quotes one tick outside the BBO: bid 99900 (urn 1), ask 100300 (urn 2). */
	mkt(&b, TP_EV_ADD, 1000, 100000, 500, 100200, 500, 0, 0);
	uint32_t urn, px, left;
	ck_assert_int_eq(tp_mm_quote(b.mm, 1, 'B', &urn, &px, &left), 1);
	ck_assert_uint_eq(urn, 1);
	ck_assert_uint_eq(px, 99900);
	ck_assert_int_eq(tp_mm_quote(b.mm, 1, 'S', &urn, &px, &left), 1);
	ck_assert_uint_eq(urn, 2);
	ck_assert_uint_eq(px, 100300);
	mkt(&b, TP_EV_ADD, 1100, 100000, 500, 100200, 500, 0, 0); /* both arrive and rest */
	/* The bid moves up: requote the bid only (cancel 1, new bid 100000 = urn 3). */
	mkt(&b, TP_EV_ADD, 1200, 100100, 500, 100200, 500, 0, 0);
	ck_assert_int_eq(tp_mm_quote(b.mm, 1, 'B', &urn, &px, &left), 1);
	ck_assert_uint_eq(urn, 3);
	ck_assert_uint_eq(px, 100000);
	/* At 1300 the cancel of 1 and the new bid arrive; then a trade at 100400 goes through
	 * our ask at 100300: sold 100. */
	mkt(&b, TP_EV_TRADE, 1300, 0, 0, 0, 0, 100400, 150);
	ck_assert_uint_eq(b.nlog, 2);
	expect(&b, 0, 'C', 1, 'B', 100, 0, 1300);
	expect(&b, 1, 'E', 2, 'S', 100, 100300, 1300);
	ck_assert_int_eq(tp_mm_quote(b.mm, 1, 'S', NULL, NULL, NULL), 0);
	/* The next book update puts the ask back (urn 4). */
	mkt(&b, TP_EV_ADD, 1400, 100100, 500, 100200, 500, 0, 0);
	ck_assert_int_eq(tp_mm_quote(b.mm, 1, 'S', &urn, &px, NULL), 1);
	ck_assert_uint_eq(urn, 4);
	ck_assert_uint_eq(px, 100300);
	/* An execution below our 100000 bid buys 40 of it. */
	mkt(&b, TP_EV_EXECUTE, 1500, 100100, 400, 100200, 500, 99999, 40);
	expect(&b, 2, 'E', 3, 'B', 40, 100000, 1500);
	ck_assert_int_eq(tp_mm_quote(b.mm, 1, 'B', &urn, &px, &left), 1);
	ck_assert_uint_eq(left, 60);

	/* sold 100 @ 100300, bought 40 @ 100000: position -60, cash 6,030,000, basis
	 * -10,030,000 + 4,012,000 = -6,018,000, realized 12,000; mark (100100+100200)/2 =
	 * 100150, unrealized = -60 * 100150 + 6,018,000 = 9,000. */
	struct tp_bt_report rep;
	tp_simex_report(b.sx, b.gw, &rep);
	ck_assert_int_eq(rep.sym[0].position, -60);
	ck_assert_int_eq(rep.cash, 6030000);
	ck_assert_int_eq(rep.realized, 12000);
	ck_assert_int_eq(rep.unrealized, 9000);
	ck_assert_int_eq(rep.pnl, 21000);
	ck_assert_uint_eq(rep.orders_sent, 4);
	ck_assert_uint_eq(rep.fills, 2);
	ck_assert_uint_eq(rep.fill_qty, 140);

	/* A rule halts everything: the next poll cancels the two live quotes (3 and 4). */
	ck_assert_int_eq(tp_ks_halt(b.ks, TP_KS_GLOBAL, 0, TP_KS_R_RULE_BASE + 1, "cep", 1550), 0);
	mkt(&b, TP_EV_ADD, 1600, 100100, 400, 100200, 500, 0, 0);
	mkt(&b, TP_EV_ADD, 1700, 100100, 400, 100200, 500, 0, 0);
	ck_assert_uint_eq(b.nlog, 5);
	expect(&b, 3, 'C', 3, 'B', 60, 0, 1700);
	expect(&b, 4, 'C', 4, 'S', 100, 0, 1700);
	struct tp_gw_stats gs;
	tp_gw_stats(b.gw, &gs);
	ck_assert_uint_eq(gs.working, 0);
	ck_assert_uint_eq(gs.mass_cancels, 1);
	ck_assert_uint_eq(gs.mass_cancel_orders, 2);
	/* The market maker keeps trying, and is refused. */
	ck_assert_uint_eq(gs.blocked_by_halt, 2);
	struct tp_mm_stats ms;
	tp_mm_stats(b.mm, &ms);
	ck_assert_uint_eq(ms.quotes_sent, 4);
	ck_assert_uint_eq(ms.cancels_sent, 1);
	ck_assert_uint_eq(ms.refused, 2);
	ck_assert_uint_eq(ms.fills, 2);
	ck_assert_uint_eq(ms.fill_qty, 140);
	bt_down(&b);
}
END_TEST

START_TEST(test_deterministic)
{
	/* The same script twice gives byte-identical reports. */
	static struct tp_exec_report first[2048];
	uint32_t nfirst = 0;
	for (int run = 0; run < 2; run++) {
		struct bt b;
		bt_up(&b);
		char err[128];
		uint16_t locs[1] = { 1 };
		struct tp_mm_params mp = { .gw = b.gw, .locates = locs, .nlocates = 1, .size = 10,
			.offset_ticks = 0, .tick = 100 };
		b.mm = tp_mm_create(&mp, err, sizeof(err));
		uint32_t bid = 100000;
		for (uint64_t t = 1000; t < 6000; t += 50) {
			bid = (uint32_t)(bid + ((t / 50) % 3 == 0 ? 100 : 0) - ((t / 50) % 5 == 0 ? 100 : 0));
			mkt(&b, TP_EV_ADD, t, bid, 100, bid + 200, 100, 0, 0);
			if ((t / 50) % 4 == 0)
				mkt(&b, TP_EV_TRADE, t + 10, 0, 0, 0, 0, (t / 50) % 8 ? bid - 1 : bid + 201, 7);
		}
		if (run == 0) {
			memcpy(first, b.log, sizeof(first));
			nfirst = b.nlog;
			uint32_t fills = 0;
			for (uint32_t i = 0; i < nfirst; i++)
				fills += first[i].type == 'E';
			ck_assert_uint_gt(fills, 4);
			ck_assert_uint_gt(nfirst - fills, 4);
		} else {
			ck_assert_uint_eq(b.nlog, nfirst);
			ck_assert_int_eq(memcmp(first, b.log, nfirst * sizeof(first[0])), 0);
		}
		bt_down(&b);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("simex");
	TCase *tc = tcase_create("simex");
	tcase_add_test(tc, test_scripted_fills_and_pnl);
	tcase_add_test(tc, test_short_then_flip_long);
	tcase_add_test(tc, test_market_maker_backtest_with_halt);
	tcase_add_test(tc, test_deterministic);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
