/* Windows and aggregates: tumbling vs sliding with exact counts at the bucket and window
 * edges, every aggregate exact after inserts and expiries, grouping by symbol, feed and all,
 * the event and feed filters, and what happens when the symbol pool runs out. */
#include "cep_util.h"

/* Tumbling: [k*W, (k+1)*W). The 4th event inside one window breaks count > 3; the last
 * nanosecond still belongs to it, the next starts empty. */
START_TEST(tumbling_count_exact)
{
	struct tp_cep *c = cep_one("kind=window;agg=count;mode=tumbling;window=1ms;threshold=3;"
				   "events=all;alert_interval=0", NULL);
	ck_assert_uint_eq(ADD(c, 7, 1, T0, 1), 0);
	ck_assert_uint_eq(ADD(c, 7, 1, T0 + 100 * US, 2), 0);
	ck_assert_uint_eq(ADD(c, 7, 1, T0 + 200 * US, 3), 0);
	ck_assert(value_of(c, 0, 7) == 3.0);
	ck_assert_uint_eq(tp_cep_alerts_pending(c), 0);
	ck_assert_uint_eq(ADD(c, 7, 1, T0 + MS - 1, 4), 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert_uint_eq(a.seq, 4);
	ck_assert_uint_eq(a.exch_ts_ns, T0 + MS - 1);
	ck_assert(a.value == 4.0);
	ck_assert_int_eq(a.threshold, 3);
	ck_assert_uint_eq(a.locate, 7);
	ck_assert_uint_eq(a.kind, TP_CEP_WINDOW);
	ck_assert_uint_eq(a.action, TP_CEP_ALERT);
	ck_assert_str_eq(a.rule, "r");
	/* The boundary: a new window, empty before this event. */
	ck_assert_uint_eq(ADD(c, 7, 1, T0 + MS, 5), 0);
	ck_assert(value_of(c, 0, 7) == 1.0);
	ck_assert_uint_eq(ADD(c, 7, 1, T0 + MS + 1, 6), 0);
	ck_assert_uint_eq(ADD(c, 7, 1, T0 + 2 * MS - 1, 7), 0);
	ck_assert(value_of(c, 0, 7) == 3.0);
	/* Skipping windows entirely starts from empty too. */
	ck_assert_uint_eq(ADD(c, 7, 1, T0 + 10 * MS + 5, 8), 0);
	ck_assert(value_of(c, 0, 7) == 1.0);
	tp_cep_free(c);
}
END_TEST

/* Sliding with 4 buckets of 250us: the window is the current bucket and the 3 before. */
START_TEST(sliding_count_buckets)
{
	struct tp_cep *c = cep_one("kind=window;agg=count;window=1ms;buckets=4;threshold=1000",
				   NULL);
	ADD(c, 1, 1, T0, 1);                /* bucket k   */
	ADD(c, 1, 1, T0 + 250 * US, 2);     /* k+1 */
	ADD(c, 1, 1, T0 + 500 * US, 3);     /* k+2 */
	ADD(c, 1, 1, T0 + 750 * US, 4);     /* k+3 */
	ck_assert(value_of(c, 0, 1) == 4.0);
	ADD(c, 1, 1, T0 + MS, 5);           /* k+4: k leaves */
	ck_assert(value_of(c, 0, 1) == 4.0);
	ADD(c, 1, 1, T0 + MS + 250 * US - 1, 6); /* still k+4 */
	ck_assert(value_of(c, 0, 1) == 5.0);
	ADD(c, 1, 1, T0 + MS + 250 * US, 7);     /* k+5: k+1 leaves */
	ck_assert(value_of(c, 0, 1) == 5.0);
	ADD(c, 1, 1, T0 + 2 * MS, 8);       /* k+8: k+2..k+4 leave, k+5 stays */
	ck_assert(value_of(c, 0, 1) == 2.0);
	ADD(c, 1, 1, T0 + 3 * MS, 9);       /* k+12: everything left */
	ck_assert(value_of(c, 0, 1) == 1.0);
	tp_cep_free(c);
}
END_TEST

/* The documented edge with the default 64 buckets: an event of age W never counts, one of
 * age <= (B-1) * w always does. W = 1ms, w = 15625ns. */
START_TEST(sliding_edge_default_buckets)
{
	struct tp_cep *c = cep_one("kind=window;agg=count;window=1ms;threshold=1000", NULL);
	ADD(c, 1, 1, T0, 1);
	ADD(c, 1, 1, T0 + MS - 1, 2); /* age W-1: counted */
	ck_assert(value_of(c, 0, 1) == 2.0);
	ADD(c, 1, 1, T0 + MS, 3);     /* age W: the first is out */
	ck_assert(value_of(c, 0, 1) == 2.0);
	tp_cep_free(c);

	c = cep_one("kind=window;agg=count;window=1ms;threshold=1000", NULL);
	const uint64_t w = 15625;
	ADD(c, 1, 1, T0 + w - 1, 1);              /* last ns of bucket k */
	ADD(c, 1, 1, T0 + w - 1 + 63 * w, 2);     /* age (B-1)*w: counted */
	ck_assert(value_of(c, 0, 1) == 2.0);
	ADD(c, 1, 1, T0 + 64 * w, 3);             /* bucket k+64: age 63*w+1, out */
	ck_assert(value_of(c, 0, 1) == 2.0);
	tp_cep_free(c);

	/* W not a multiple of B: w = floor(W/B), the window is never longer than W. */
	c = cep_one("kind=window;agg=count;window=100us;buckets=64;threshold=1000", NULL);
	ADD(c, 1, 1, T0, 1);
	ADD(c, 1, 1, T0 + 64 * 1562, 2); /* age B * w = 99968ns, under W yet out */
	ck_assert(value_of(c, 0, 1) == 1.0);
	ADD(c, 1, 1, T0 + 64 * 1562 + 63 * 1562, 3); /* age (B-1) * w: in, wherever t falls */
	ck_assert(value_of(c, 0, 1) == 2.0);
	/* Age exactly W, from the start of a 1563ns-aligned stretch (where rounding w up would
	 * still count it): out. */
	const uint64_t e = 1563ull * 23040000000ull; /* 10:00:11.52 */
	ADD(c, 1, 1, e, 4);
	ADD(c, 1, 1, e + 100 * US, 5);
	ck_assert(value_of(c, 0, 1) == 1.0);
	tp_cep_free(c);
}
END_TEST

/* The same stream through tumbling and sliding windows of the same length. */
START_TEST(tumbling_vs_sliding)
{
	struct tp_cep_rule_def d[2];
	def_parse(&d[0], "tum", "kind=msg_rate;mode=tumbling;window=1ms;threshold=3;alert_interval=0");
	def_parse(&d[1], "sli", "kind=msg_rate;window=1ms;buckets=4;threshold=3;alert_interval=0");
	struct tp_cep *c = cep_new(d, 2, NULL, 16);
	/* Two events at the end of one tumbling window, two at the start of the next. */
	ck_assert_uint_eq(ADD(c, 3, 1, T0 + 800 * US, 1), 0);
	ck_assert_uint_eq(ADD(c, 3, 1, T0 + 900 * US, 2), 0);
	ck_assert_uint_eq(ADD(c, 3, 1, T0 + MS + 100 * US, 3), 0);
	ck_assert_uint_eq(ADD(c, 3, 1, T0 + MS + 200 * US, 4), 1); /* sliding sees 4 */
	struct tp_cep_alert a = one_alert(c);
	ck_assert_str_eq(a.rule, "sli");
	ck_assert_uint_eq(a.rule_id, 1);
	ck_assert_uint_eq(a.seq, 4);
	ck_assert(value_of(c, 0, 3) == 2.0);
	ck_assert(value_of(c, 1, 3) == 4.0);
	ck_assert_uint_eq(rstats(c, 0).fired, 0);
	ck_assert_uint_eq(rstats(c, 1).fired, 1);
	tp_cep_free(c);
}
END_TEST

START_TEST(sum_qty_exact)
{
	struct tp_cep *c = cep_one("kind=window;agg=sum_qty;events=execute,trade;window=1ms;"
				   "buckets=4;threshold=356;alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 2, T0, 1, 100, 100), 0);
	ck_assert_uint_eq(TRADE(c, 2, T0 + 10, 2, 100, 250), 0);
	ck_assert(value_of(c, 0, 2) == 350.0);
	ck_assert_uint_eq(ADD(c, 2, 1, T0 + 20, 3), 0); /* an add is not selected */
	ck_assert(value_of(c, 0, 2) == 350.0);
	ck_assert_uint_eq(TRADE(c, 2, T0 + 30, 4, 100, 6), 0);  /* 356: not > 356 */
	ck_assert_uint_eq(TRADE(c, 2, T0 + 40, 5, 100, 1), 1);  /* 357 */
	ck_assert(one_alert(c).value == 357.0);
	ck_assert_uint_eq(TRADE(c, 2, T0 + 300 * US, 6, 100, 1000), 1);
	ck_assert(one_alert(c).value == 1357.0);
	/* k+4 expires bucket k (357), keeps k+1 (1000). */
	ck_assert_uint_eq(TRADE(c, 2, T0 + MS, 7, 100, 2), 1);
	ck_assert(one_alert(c).value == 1002.0);
	tp_cep_free(c);
}
END_TEST

/* first/last/min/max through inserts and expiries. Buckets of 250us. */
START_TEST(price_aggs_exact)
{
	struct tp_cep_rule_def d[4];
	def_parse(&d[0], "first", "kind=window;agg=first;window=1ms;buckets=4;threshold=999999");
	def_parse(&d[1], "last", "kind=window;agg=last;window=1ms;buckets=4;threshold=999999");
	def_parse(&d[2], "min", "kind=window;agg=min;window=1ms;buckets=4;threshold=999999");
	def_parse(&d[3], "max", "kind=window;agg=max;window=1ms;buckets=4;threshold=999999");
	struct tp_cep *c = cep_new(d, 4, NULL, 16);
	double e[][4] = {
		{ 100, 100, 100, 100 }, { 100, 90, 90, 100 }, { 100, 120, 90, 120 },
		{ 100, 110, 90, 120 },  { 120, 105, 105, 120 }, { 110, 130, 105, 130 },
		{ 110, 95, 95, 130 },   { 80, 80, 80, 80 },
	};
	/* Buckets: k = [T0, T0+250us), k+1, ... Check all four after each event. */
	const uint64_t ts[] = { T0, T0 + 100 * US, T0 + 300 * US, T0 + 600 * US, T0 + MS,
				T0 + 1300 * US, T0 + 1400 * US, T0 + 5 * MS };
	const uint32_t px[] = { 100, 90, 120, 110, 105, 130, 95, 80 };
	for (unsigned i = 0; i < 8; i++) {
		ck_assert_uint_eq(TRADE(c, 5, ts[i], i + 1, px[i], 1), 0);
		for (unsigned r = 0; r < 4; r++)
			ck_assert_msg(value_of(c, r, 5) == e[i][r], "event %u rule %u: %g want %g", i,
				      r, value_of(c, r, 5), e[i][r]);
	}
	/* Events without a price (adds here) do not enter trade-price windows. */
	ADD(c, 5, 1, T0 + 5 * MS + 1, 9);
	ck_assert(value_of(c, 1, 5) == 80.0);
	/* A broken trade ('B') has price 0 and is skipped as well. */
	TRADE(c, 5, T0 + 5 * MS + 2, 10, 0, 0);
	ck_assert(value_of(c, 1, 5) == 80.0);
	tp_cep_free(c);
}
END_TEST

/* max > X and min < X fire on the event that makes them so. */
START_TEST(min_max_thresholds)
{
	struct tp_cep_rule_def d[2];
	def_parse(&d[0], "hi", "kind=window;agg=max;window=1s;threshold=200;alert_interval=0");
	def_parse(&d[1], "lo", "kind=window;agg=min;window=1s;op=<;threshold=50;alert_interval=0");
	struct tp_cep *c = cep_new(d, 2, NULL, 16);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 100, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 1, 2, 200, 1), 0); /* max 200: not > 200 */
	ck_assert_uint_eq(TRADE(c, 1, T0 + 2, 3, 50, 1), 0);  /* min 50: not < 50 */
	ck_assert_uint_eq(TRADE(c, 1, T0 + 3, 4, 201, 1), 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert_str_eq(a.rule, "hi");
	ck_assert(a.value == 201.0);
	ck_assert_uint_eq(a.op, TP_CEP_GT);
	/* Both hold now: max stays 201 and min drops to 49; one record per rule. */
	ck_assert_uint_eq(TRADE(c, 1, T0 + 4, 5, 49, 1), 2);
	struct tp_cep_alert b[2];
	ck_assert_uint_eq(tp_cep_alerts_drain(c, b, 2), 2);
	ck_assert_str_eq(b[0].rule, "hi");
	ck_assert(b[0].value == 201.0);
	ck_assert_str_eq(b[1].rule, "lo");
	ck_assert(b[1].value == 49.0);
	ck_assert_uint_eq(b[1].op, TP_CEP_LT);
	tp_cep_free(c);
}
END_TEST

START_TEST(vwap_exact)
{
	struct tp_cep *c = cep_one("kind=window;agg=vwap;window=1ms;buckets=4;threshold=174;"
				   "alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 100, 10), 0);
	ck_assert(value_of(c, 0, 1) == 100.0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 300 * US, 2, 200, 30), 1); /* 7000 / 40 = 175 */
	ck_assert(one_alert(c).value == 175.0);
	/* k leaves: only (200, 30) remains. */
	ck_assert_uint_eq(TRADE(c, 1, T0 + MS, 3, 300, 10), 1); /* (6000+3000)/40 = 225 */
	ck_assert(one_alert(c).value == 225.0);
	tp_cep_free(c);

	/* The comparison is exact: vwap 101 is not > 101 but is >= 101; 101.5 is > 101. */
	c = cep_one("kind=window;agg=vwap;window=1s;threshold=101;alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 100, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 1, 2, 102, 1), 0);
	ck_assert(value_of(c, 0, 1) == 101.0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 2, 3, 104, 2), 1); /* 410 / 4 = 102.5 */
	tp_cep_free(c);
	c = cep_one("kind=window;agg=vwap;window=1s;op=>=;threshold=101;alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 100, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 1, 2, 102, 1), 1);
	ck_assert(one_alert(c).value == 101.0);
	tp_cep_free(c);
	c = cep_one("kind=window;agg=vwap;window=1s;threshold=101;alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 101, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 1, 2, 102, 1), 1);
	ck_assert(one_alert(c).value == 101.5);
	tp_cep_free(c);

	/* Large prices and quantities: no overflow in sum(price * qty). */
	c = cep_one("kind=window;agg=vwap;window=1s;threshold=4000000000;alert_interval=0", NULL);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_uint_eq(TRADE(c, 1, T0 + i, i + 1, 4000000000u, 4000000000u), 0);
	ck_assert(value_of(c, 0, 1) == 4000000000.0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 9, 9, 4000000001u, 4000000000u), 1);
	tp_cep_free(c);
}
END_TEST

/* price_move: |last - first| * 10000 / first against X bps, up and down, '>' and '>='. */
START_TEST(move_bps_exact)
{
	struct tp_cep *c = cep_one("kind=price_move;window=1s;threshold=100;action=alert;"
				   "alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 10000, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 1, 2, 10100, 1), 0); /* exactly 100 bps */
	ck_assert(value_of(c, 0, 1) == 100.0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 2, 3, 9900, 1), 0);  /* exactly 100 bps down */
	ck_assert_uint_eq(TRADE(c, 1, T0 + 3, 4, 10101, 1), 1); /* 101 bps */
	struct tp_cep_alert a = one_alert(c);
	ck_assert(a.value == 101.0);
	ck_assert_int_eq(a.threshold, 100);
	ck_assert_uint_eq(a.seq, 4);
	ck_assert_uint_eq(a.kind, TP_CEP_PRICE_MOVE);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 4, 5, 9899, 1), 1);  /* 101 bps down */
	ck_assert(one_alert(c).value == 101.0);
	tp_cep_free(c);

	c = cep_one("kind=price_move;window=1s;op=>=;threshold=100;action=alert;"
		    "alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 10000, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 1, 2, 10099, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 2, 3, 10100, 1), 1);
	tp_cep_free(c);

	/* Fractional bps compare exactly: 3 units on 30000 = 1 bps; 4 = 1.333 bps. */
	c = cep_one("kind=price_move;window=1s;threshold=1;action=alert;alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 30000, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 1, 2, 30003, 1), 0);
	ck_assert_uint_eq(TRADE(c, 1, T0 + 2, 3, 30004, 1), 1);
	ck_assert(one_alert(c).value == 4.0 * 10000.0 / 30000.0);
	tp_cep_free(c);
}
END_TEST

/* The move is measured from the window's first: once the first trade has left the window a
 * big but slow move does not count. */
START_TEST(move_bps_window_edge)
{
	struct tp_cep *c = cep_one("kind=price_move;window=1ms;threshold=500;action=alert;"
				   "alert_interval=0", NULL);
	ck_assert_uint_eq(TRADE(c, 1, T0, 1, 10000, 1), 0);
	/* +10% exactly one window later: the first is out, this is the only trade. */
	ck_assert_uint_eq(TRADE(c, 1, T0 + MS, 2, 11000, 1), 0);
	ck_assert(value_of(c, 0, 1) == 0.0);
	/* +10% one ns inside the window from the next first: fires. */
	ck_assert_uint_eq(TRADE(c, 1, T0 + 2 * MS - 1, 3, 12100, 1), 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert(a.value == 1000.0);
	ck_assert_uint_eq(a.seq, 3);
	tp_cep_free(c);
}
END_TEST

/* price = mid: (bid + ask) / 2 from every event with a two-sided book. */
START_TEST(move_bps_mid)
{
	struct tp_cep *c = cep_one("kind=price_move;price=mid;window=1s;threshold=100;"
				   "action=alert;alert_interval=0", NULL);
	ck_assert_uint_eq(BOOK(c, 1, T0, 1, 9900, 10100), 0);      /* mid 10000 */
	ck_assert_uint_eq(BOOK(c, 1, T0 + 1, 2, 20000, 0), 0);     /* one-sided: ignored */
	ck_assert_uint_eq(BOOK(c, 1, T0 + 2, 3, 10000, 10200), 0); /* mid 10100: 100 bps */
	ck_assert(value_of(c, 0, 1) == 100.0);
	ck_assert_uint_eq(BOOK(c, 1, T0 + 3, 4, 10002, 10200), 1); /* mid 10101 */
	ck_assert_uint_eq(one_alert(c).seq, 4);
	/* A trade without book fields does not move the mid. */
	ck_assert_uint_eq(TRADE(c, 1, T0 + 4, 5, 50000, 1), 0);
	ck_assert(value_of(c, 0, 1) == 101.0);
	tp_cep_free(c);
}
END_TEST

/* Grouping: per symbol the two stocks are separate windows, per feed one, per all one
 * across feeds. */
START_TEST(grouping)
{
	struct tp_cep_rule_def d[3];
	def_parse(&d[0], "sym", "kind=msg_rate;group=symbol;window=1s;threshold=3;alert_interval=0");
	def_parse(&d[1], "feed", "kind=msg_rate;group=feed;window=1s;threshold=5;alert_interval=0");
	def_parse(&d[2], "all", "kind=msg_rate;group=all;window=1s;threshold=7;alert_interval=0");
	struct tp_cep *c = cep_new(d, 3, NULL, 16);
	for (unsigned i = 0; i < 5; i++)
		ck_assert_uint_eq(ADD(c, (uint16_t)(10 + i % 2), 1, T0 + i, i + 1), 0);
	/* 6th event: feed 1 has 6 > 5; stock 11 has 3. */
	ck_assert_uint_eq(ADD(c, 11, 1, T0 + 5, 6), 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert_str_eq(a.rule, "feed");
	ck_assert_uint_eq(a.feed_id, 1);
	ck_assert(value_of(c, 0, 10) == 3.0);
	ck_assert(value_of(c, 0, 11) == 3.0);
	ck_assert(value_of(c, 1, 1) == 6.0);
	ck_assert(value_of(c, 2, 0) == 6.0);
	/* Feed 2: its own feed window; the global one counts it. */
	ck_assert_uint_eq(ADD(c, 12, 2, T0 + 6, 1), 0);
	ck_assert(value_of(c, 1, 2) == 1.0);
	ck_assert(value_of(c, 2, 0) == 7.0);
	ck_assert_uint_eq(ADD(c, 12, 2, T0 + 7, 2), 1); /* all: 8 > 7 */
	a = one_alert(c);
	ck_assert_str_eq(a.rule, "all");
	ck_assert_uint_eq(a.locate, 12);
	double v;
	ck_assert_int_eq(tp_cep_value(c, 1, 3, &v), -2); /* feed 3 never seen */
	ck_assert_int_eq(tp_cep_value(c, 0, 99, &v), -2);
	ck_assert_int_eq(tp_cep_value(c, 5, 1, &v), -1);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.symbols, 3);
	ck_assert_uint_eq(st.feeds, 2);
	ck_assert_uint_eq(st.events, 8);
	tp_cep_free(c);
}
END_TEST

START_TEST(event_and_feed_filters)
{
	struct tp_cep_rule_def d[2];
	def_parse(&d[0], "adds", "kind=msg_rate;events=add;window=1s;threshold=100");
	def_parse(&d[1], "f2", "kind=msg_rate;feed=2;window=1s;threshold=100");
	struct tp_cep *c = cep_new(d, 2, NULL, 16);
	ADD(c, 1, 1, T0, 1);
	feed_ev(c, TP_EV_CANCEL, 1, 1, T0 + 1, 2, 100, 1, 0, 0);
	ADD(c, 1, 2, T0 + 2, 3);
	feed_ev(c, TP_EV_DELETE, 1, 2, T0 + 3, 4, 100, 1, 0, 0);
	ck_assert(value_of(c, 0, 1) == 2.0);
	ck_assert(value_of(c, 1, 1) == 2.0);
	/* GAP is not part of "all"; no kind outside the enum is counted. */
	feed_ev(c, TP_EV_GAP, 1, 2, 0, 5, 0, 3, 0, 0);
	feed_ev(c, 77, 1, 2, T0 + 4, 6, 0, 3, 0, 0);
	ck_assert(value_of(c, 1, 1) == 2.0);
	tp_cep_free(c);
}
END_TEST

/* Exchange time going backwards inside a group: counted as late, kept in the newest bucket,
 * the window never moves back. */
START_TEST(late_events)
{
	struct tp_cep *c = cep_one("kind=msg_rate;window=1ms;buckets=4;threshold=100", NULL);
	ADD(c, 1, 1, T0 + MS, 1);
	ADD(c, 1, 1, T0 + 10, 2);           /* older than the newest bucket */
	ck_assert(value_of(c, 0, 1) == 2.0);
	ADD(c, 1, 1, T0 + 1250 * US, 3);    /* next bucket: both still inside */
	ck_assert(value_of(c, 0, 1) == 3.0);
	ADD(c, 1, 1, T0 + 2 * MS, 4);       /* bucket k+8: k+4 (both) leaves */
	ck_assert(value_of(c, 0, 1) == 2.0);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.late, 1);
	ck_assert_uint_eq(st.now_ns, T0 + 2 * MS);
	tp_cep_free(c);
}
END_TEST

/* A full symbol pool: new locates skip the symbol rules and are counted. */
START_TEST(groups_full)
{
	struct tp_cep_rule_def d;
	def_parse(&d, "r", "kind=msg_rate;window=1s;threshold=0;alert_interval=0");
	struct tp_cep *c = cep_new(&d, 1, NULL, 2);
	ck_assert_uint_eq(ADD(c, 100, 1, T0, 1), 1);
	ck_assert_uint_eq(ADD(c, 200, 1, T0, 2), 1);
	ck_assert_uint_eq(ADD(c, 300, 1, T0, 3), 0);
	ck_assert_uint_eq(ADD(c, 300, 1, T0, 4), 0);
	ck_assert_uint_eq(ADD(c, 100, 1, T0 + 1, 5), 1);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.groups_full, 2);
	ck_assert_uint_eq(st.symbols, 2);
	double v;
	ck_assert_int_eq(tp_cep_value(c, 0, 300, &v), -2);
	tp_cep_free(c);
}
END_TEST

/* Every locate 0..65535 with max_groups 65535: the last one is refused, the rest tracked. */
START_TEST(all_locates)
{
	struct tp_cep_rule_def d;
	def_parse(&d, "r", "kind=msg_rate;mode=tumbling;window=1s;threshold=1");
	struct tp_cep *c = cep_new(&d, 1, NULL, TP_CEP_MAX_GROUPS);
	for (uint32_t l = 0; l < 65536; l++)
		ADD(c, (uint16_t)l, 1, T0, l);
	for (uint32_t l = 0; l < 65536; l++)
		ADD(c, (uint16_t)l, 1, T0 + 1, l);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.symbols, 65535);
	ck_assert_uint_eq(st.groups_full, 2);
	ck_assert(value_of(c, 0, 65534) == 2.0);
	/* Every tracked locate fired once on its 2nd event; the ring kept the first 4096. */
	ck_assert_uint_eq(st.alerts, TP_CEP_ALERT_CAP);
	ck_assert_uint_eq(st.alerts_dropped, 65535 - TP_CEP_ALERT_CAP);
	ck_assert_uint_eq(rstats(c, 0).fired, 65535);
	tp_cep_free(c);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cep-window");
	TCase *t = tcase_create("window");
	tcase_add_test(t, tumbling_count_exact);
	tcase_add_test(t, sliding_count_buckets);
	tcase_add_test(t, sliding_edge_default_buckets);
	tcase_add_test(t, tumbling_vs_sliding);
	tcase_add_test(t, sum_qty_exact);
	tcase_add_test(t, price_aggs_exact);
	tcase_add_test(t, min_max_thresholds);
	tcase_add_test(t, vwap_exact);
	tcase_add_test(t, move_bps_exact);
	tcase_add_test(t, move_bps_window_edge);
	tcase_add_test(t, move_bps_mid);
	tcase_add_test(t, grouping);
	tcase_add_test(t, event_and_feed_filters);
	tcase_add_test(t, late_events);
	tcase_add_test(t, groups_full);
	tcase_add_test(t, all_locates);
	suite_add_tcase(s, t);
	return s;
}

RUN_SUITE(suite)
