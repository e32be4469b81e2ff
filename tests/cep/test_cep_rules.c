/* Each built-in kind at its exact threshold and not before, the action taken through a real
 * kill-switch (alert vs halt symbol vs halt all), one halt per scope until an operator
 * resumes it, alert rate limits, the alert record's fields, the alert ring's bound, and the
 * engine's refusals at create. */
#include "cep_util.h"

/* The audit's newest record (the kill-switch records who halted and why). */
static struct tp_ks_audit_rec last_audit(struct tp_killswitch *ks)
{
	struct tp_ks_audit_iter it;
	struct tp_ks_audit_rec r, last;
	int n = 0;
	tp_ks_audit_begin(ks, &it);
	while (tp_ks_audit_next(ks, &it, &r)) {
		last = r;
		n++;
	}
	ck_assert_int_gt(n, 0);
	return last;
}

/* price_move -> halt_symbol: exactly the stock that moved, reason = base + rule id, who =
 * "cep:<name>", and no second halt while it stays halted. */
START_TEST(price_move_halts_symbol)
{
	struct tp_killswitch *ks = ks_new();
	struct tp_cep_rule_def d[2];
	def_parse(&d[0], "rate", "kind=msg_rate;window=1s;threshold=1000000");
	def_parse(&d[1], "shock", "kind=price_move;window=1ms;threshold=500");
	ck_assert_uint_eq(d[1].action, TP_CEP_HALT_SYMBOL);
	struct tp_cep *c = cep_new(d, 2, ks, 64);
	ck_assert_uint_eq(TRADE(c, 42, T0, 100, 100000, 10), 0);
	ck_assert_uint_eq(TRADE(c, 43, T0 + 1, 101, 100000, 10), 0);
	ck_assert_uint_eq(TRADE(c, 42, T0 + 500 * US, 102, 105000, 10), 0); /* 500 bps: not > */
	ck_assert(!tp_ks_blocked(ks, 42));
	ck_assert_uint_eq(TRADE(c, 42, T0 + 900 * US, 103, 105001, 10), 1);
	ck_assert(symbol_halted(ks, 42));
	ck_assert(tp_ks_blocked(ks, 42));
	ck_assert(!tp_ks_blocked(ks, 43));
	ck_assert(!global_halted(ks));
	uint64_t w = tp_ks_word(ks, TP_KS_SYMBOL, 42);
	ck_assert_uint_eq(tp_ks_word_reason(w), TP_KS_R_RULE_BASE + 1);
	struct tp_ks_audit_rec ar = last_audit(ks);
	ck_assert_str_eq(ar.who, "cep:shock");
	ck_assert_uint_eq(ar.locate, 42);
	ck_assert_uint_eq(ar.reason, TP_KS_R_RULE_BASE + 1);
	ck_assert_uint_eq(ar.ts_ns, T0 + 900 * US);

	struct tp_cep_alert a = one_alert(c);
	ck_assert_str_eq(a.rule, "shock");
	ck_assert_uint_eq(a.rule_id, 1);
	ck_assert_uint_eq(a.kind, TP_CEP_PRICE_MOVE);
	ck_assert_uint_eq(a.action, TP_CEP_HALT_SYMBOL);
	ck_assert_uint_eq(a.locate, 42);
	ck_assert_uint_eq(a.feed_id, 1);
	ck_assert_uint_eq(a.exch_ts_ns, T0 + 900 * US);
	ck_assert_uint_eq(a.seq, 103);
	ck_assert(a.value == 5001.0 * 10000.0 / 100000.0);
	ck_assert_int_eq(a.threshold, 500);

	/* Still moving, still halted: no new halt, no new record. */
	ck_assert_uint_eq(TRADE(c, 42, T0 + 950 * US, 104, 120000, 10), 0);
	ck_assert_uint_eq(TRADE(c, 42, T0 + 960 * US, 105, 130000, 10), 0);
	ck_assert_uint_eq(tp_cep_alerts_pending(c), 0);
	struct tp_cep_rule_stats s = rstats(c, 1);
	ck_assert_str_eq(s.name, "shock");
	ck_assert_uint_eq(s.fired, 1);
	ck_assert_uint_eq(s.halts, 1);
	ck_assert_uint_eq(s.suppressed, 2);
	ck_assert_uint_eq(s.halt_errors, 0);
	ck_assert_uint_eq(rstats(c, 0).fired, 0);
	struct tp_ks_status ks_st;
	tp_ks_status(ks, &ks_st);
	ck_assert_uint_eq(ks_st.halts, 1);
	ck_assert_uint_eq(ks_st.halts_repeated, 0);

	/* The operator resumes: the rule is re-armed and halts again on the next breach. */
	ks_resume(ks, TP_KS_SYMBOL, 42);
	ck_assert(!tp_ks_blocked(ks, 42));
	ck_assert_uint_eq(TRADE(c, 42, T0 + 970 * US, 106, 130001, 10), 1);
	ck_assert(symbol_halted(ks, 42));
	ck_assert_uint_eq(one_alert(c).seq, 106);
	ck_assert_uint_eq(rstats(c, 1).halts, 2);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* A symbol halted by someone else first: the rule still records its own halt once. */
START_TEST(halt_symbol_already_halted)
{
	struct tp_killswitch *ks = ks_new();
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 9, TP_KS_R_TEST, "test", 1), 0);
	struct tp_cep *c = cep_one("kind=price_move;window=1s;threshold=100", ks);
	TRADE(c, 9, T0, 1, 10000, 1);
	ck_assert_uint_eq(TRADE(c, 9, T0 + 1, 2, 20000, 1), 1);
	ck_assert_uint_eq(TRADE(c, 9, T0 + 2, 3, 30000, 1), 0);
	ck_assert_uint_eq(rstats(c, 0).halts, 1);
	/* The first halt's reason stays. */
	ck_assert_uint_eq(tp_ks_word_reason(tp_ks_word(ks, TP_KS_SYMBOL, 9)), TP_KS_R_TEST);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* An alert rule never touches the kill-switch. */
START_TEST(alert_does_not_halt)
{
	struct tp_killswitch *ks = ks_new();
	struct tp_cep *c = cep_one("kind=price_move;window=1s;threshold=100;action=alert", ks);
	TRADE(c, 9, T0, 1, 10000, 1);
	ck_assert_uint_eq(TRADE(c, 9, T0 + 1, 2, 20000, 1), 1);
	ck_assert(!tp_ks_blocked(ks, 9));
	struct tp_ks_status st;
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(st.halts, 0);
	ck_assert_uint_eq(rstats(c, 0).halts, 0);
	ck_assert_uint_eq(one_alert(c).action, TP_CEP_ALERT);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* msg_rate -> alert, at most one per rule and group per alert_interval of exchange time. */
START_TEST(msg_rate_rate_limited)
{
	struct tp_cep *c = cep_one("kind=msg_rate;window=10ms;threshold=2;alert_interval=1ms", NULL);
	ck_assert_uint_eq(ADD(c, 1, 1, T0, 1), 0);
	ck_assert_uint_eq(ADD(c, 1, 1, T0 + 100 * US, 2), 0);
	ck_assert_uint_eq(ADD(c, 1, 1, T0 + 200 * US, 3), 1); /* 3 > 2 */
	struct tp_cep_alert a = one_alert(c);
	ck_assert_uint_eq(a.seq, 3);
	ck_assert(a.value == 3.0);
	ck_assert_int_eq(a.threshold, 2);
	/* Another group is limited on its own. */
	ck_assert_uint_eq(ADD(c, 2, 1, T0 + 210 * US, 4), 0);
	ck_assert_uint_eq(ADD(c, 2, 1, T0 + 220 * US, 5), 0);
	ck_assert_uint_eq(ADD(c, 2, 1, T0 + 230 * US, 6), 1);
	one_alert(c);
	/* Stock 1: suppressed until T0 + 200us + 1ms, allowed from then on. */
	ck_assert_uint_eq(ADD(c, 1, 1, T0 + 300 * US, 7), 0);
	ck_assert_uint_eq(ADD(c, 1, 1, T0 + 1200 * US - 1, 8), 0);
	ck_assert_uint_eq(ADD(c, 1, 1, T0 + 1200 * US, 9), 1);
	a = one_alert(c);
	ck_assert_uint_eq(a.seq, 9);
	ck_assert(a.value == 6.0);
	struct tp_cep_rule_stats s = rstats(c, 0);
	ck_assert_uint_eq(s.fired, 3);
	ck_assert_uint_eq(s.suppressed, 2);
	tp_cep_free(c);
}
END_TEST

/* crossed_book: bid >= ask with both sides, for longer than T, on the stock's own events. */
START_TEST(crossed_book_threshold)
{
	struct tp_cep *c = cep_one("kind=crossed_book;duration=1ms;alert_interval=0", NULL);
	ck_assert_uint_eq(BOOK(c, 4, T0 - 1, 1, 10000, 10100), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0, 2, 10000, 10000), 0);           /* locked: starts */
	ck_assert_uint_eq(BOOK(c, 4, T0 + 500 * US, 3, 10001, 10000), 0); /* crossed: same episode */
	ck_assert_uint_eq(BOOK(c, 4, T0 + MS, 4, 10001, 10000), 0);       /* exactly T: not > */
	ck_assert_uint_eq(BOOK(c, 4, T0 + MS + 1, 5, 10001, 10000), 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert_uint_eq(a.kind, TP_CEP_CROSSED_BOOK);
	ck_assert_uint_eq(a.seq, 5);
	ck_assert_uint_eq(a.locate, 4);
	ck_assert(a.value == (double)(MS + 1));
	ck_assert_int_eq(a.threshold, (int64_t)MS);
	/* Uncrossed resets; one-sided books are never crossed. */
	ck_assert_uint_eq(BOOK(c, 4, T0 + 2 * MS, 6, 9999, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 3 * MS, 7, 10001, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 4 * MS, 8, 10001, 0), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 5 * MS, 9, 10001, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 6 * MS, 10, 10001, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 6 * MS + 1, 11, 10001, 10000), 1);
	ck_assert_uint_eq(one_alert(c).seq, 11);
	tp_cep_free(c);

	/* locked = false: bid == ask does not count. */
	c = cep_one("kind=crossed_book;duration=1ms;locked=false;alert_interval=0", NULL);
	ck_assert_uint_eq(BOOK(c, 4, T0, 1, 10000, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 2 * MS, 2, 10000, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 3 * MS, 3, 10001, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 4, T0 + 4 * MS + 1, 4, 10001, 10000), 1);
	tp_cep_free(c);
}
END_TEST

/* A book that stays crossed with no event of its own is caught by tp_cep_tick, with the
 * seq of the event that left it crossed; halt_symbol through the kill-switch. */
START_TEST(crossed_book_tick_halt)
{
	struct tp_killswitch *ks = ks_new();
	struct tp_cep *c = cep_one("kind=crossed_book;duration=1ms;action=halt_symbol", ks);
	ck_assert_uint_eq(BOOK(c, 6, T0, 10, 10001, 10000), 0);
	ck_assert_uint_eq(BOOK(c, 7, T0, 11, 10000, 10001), 0);
	ck_assert_uint_eq(tp_cep_tick(c, T0 + MS), 0);
	ck_assert(!tp_ks_blocked(ks, 6));
	ck_assert_uint_eq(tp_cep_tick(c, T0 + MS + 1), 1);
	ck_assert(symbol_halted(ks, 6));
	ck_assert(!tp_ks_blocked(ks, 7));
	struct tp_cep_alert a = one_alert(c);
	ck_assert_uint_eq(a.seq, 10);
	ck_assert_uint_eq(a.locate, 6);
	ck_assert_uint_eq(a.exch_ts_ns, T0 + MS + 1);
	ck_assert_uint_eq(a.action, TP_CEP_HALT_SYMBOL);
	/* No re-fire while halted, on ticks or events. */
	ck_assert_uint_eq(tp_cep_tick(c, T0 + 5 * MS), 0);
	ck_assert_uint_eq(BOOK(c, 6, T0 + 6 * MS, 12, 10001, 10000), 0);
	ck_assert_uint_eq(rstats(c, 0).halts, 1);
	/* A tick earlier than now does not move the clock back. */
	ck_assert_uint_eq(tp_cep_tick(c, T0), 0);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.now_ns, T0 + 6 * MS);
	ck_assert_uint_eq(st.ticks, 4);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* feed_silent: no event on a feed for longer than T, noticed on an event of another feed,
 * once per silence; the feed's next event re-arms it. */
START_TEST(feed_silent_on_events)
{
	struct tp_cep *c = cep_one("kind=feed_silent;duration=1s;alert_interval=0", NULL);
	ck_assert_uint_eq(ADD(c, 1, 1, T0, 1), 0);
	ck_assert_uint_eq(ADD(c, 1, 2, T0 + 500 * MS, 2), 0);
	ck_assert_uint_eq(ADD(c, 1, 2, T0 + SEC, 3), 0);      /* feed 1 silent exactly 1s */
	ck_assert_uint_eq(ADD(c, 1, 2, T0 + SEC + 1, 4), 1);  /* longer than 1s */
	struct tp_cep_alert a = one_alert(c);
	ck_assert_uint_eq(a.kind, TP_CEP_FEED_SILENT);
	ck_assert_uint_eq(a.feed_id, 1);
	ck_assert_uint_eq(a.seq, 4);
	ck_assert_uint_eq(a.exch_ts_ns, T0 + SEC + 1);
	ck_assert(a.value == (double)(SEC + 1));
	ck_assert_int_eq(a.threshold, (int64_t)SEC);
	/* Once per silence. Feed 2 went quiet at T0+1s+1: 1s later it is silent too. */
	ck_assert_uint_eq(tp_cep_tick(c, T0 + 2 * SEC), 0);
	ck_assert_uint_eq(tp_cep_tick(c, T0 + 2 * SEC + 1), 0);
	ck_assert_uint_eq(tp_cep_tick(c, T0 + 2 * SEC + 2), 1);
	a = one_alert(c);
	ck_assert_uint_eq(a.feed_id, 2);
	ck_assert_uint_eq(a.seq, 0);
	/* Feed 1 speaks: its own event ends (and reports) nothing more; re-armed. */
	ck_assert_uint_eq(ADD(c, 1, 1, T0 + 3 * SEC, 5), 0);
	ck_assert_uint_eq(tp_cep_tick(c, T0 + 4 * SEC), 0);
	ck_assert_uint_eq(tp_cep_tick(c, T0 + 4 * SEC + 1), 1);
	ck_assert_uint_eq(one_alert(c).feed_id, 1);
	tp_cep_free(c);
}
END_TEST

/* A feed's own event after a long silence reports that silence (checked before the update). */
START_TEST(feed_silent_own_event)
{
	struct tp_cep *c = cep_one("kind=feed_silent;duration=1s;alert_interval=0", NULL);
	ck_assert_uint_eq(ADD(c, 1, 3, T0, 1), 0);
	ck_assert_uint_eq(ADD(c, 1, 3, T0 + SEC, 2), 0);
	ck_assert_uint_eq(ADD(c, 1, 3, T0 + 2 * SEC + 1, 3), 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert_uint_eq(a.feed_id, 3);
	ck_assert_uint_eq(a.seq, 3);
	ck_assert(a.value == (double)(SEC + 1));
	tp_cep_free(c);
}
END_TEST

/* The session: silence counts from open at the earliest, and nothing fires after close. */
START_TEST(feed_silent_session)
{
	struct tp_cep *c = cep_one("kind=feed_silent;duration=1s;open=09:30;close=16:00;"
				   "alert_interval=0", NULL);
	const uint64_t open = (9 * 3600 + 30 * 60) * SEC, close = 16 * 3600 * SEC;
	ck_assert_uint_eq(ADD(c, 1, 1, open - 600 * SEC, 1), 0);
	ck_assert_uint_eq(tp_cep_tick(c, open - SEC), 0);
	ck_assert_uint_eq(tp_cep_tick(c, open + SEC), 0);
	ck_assert_uint_eq(tp_cep_tick(c, open + SEC + 1), 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert(a.value == (double)(SEC + 1));
	tp_cep_free(c);

	c = cep_one("kind=feed_silent;duration=1s;open=09:30;close=16:00", NULL);
	ck_assert_uint_eq(ADD(c, 1, 1, close - 500 * MS, 1), 0);
	ck_assert_uint_eq(tp_cep_tick(c, close), 0);
	ck_assert_uint_eq(tp_cep_tick(c, close + 10 * SEC), 0);
	ck_assert_uint_eq(rstats(c, 0).fired, 0);
	tp_cep_free(c);
}
END_TEST

/* feed_silent with halt_all: the global scope. */
START_TEST(feed_silent_halt_all)
{
	struct tp_killswitch *ks = ks_new();
	struct tp_cep *c = cep_one("kind=feed_silent;duration=100ms;action=halt_all", ks);
	ADD(c, 1, 1, T0, 1);
	ck_assert_uint_eq(tp_cep_tick(c, T0 + 100 * MS + 1), 1);
	ck_assert(global_halted(ks));
	ck_assert(tp_ks_blocked(ks, 1234));
	ck_assert_uint_eq(tp_ks_word_reason(tp_ks_word(ks, TP_KS_GLOBAL, 0)), TP_KS_R_RULE_BASE);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* seq_gap: a TP_EV_GAP with more than `threshold` missing halts everything, once until
 * resumed; the record names the first missing seq and the exchange time of the last event. */
START_TEST(seq_gap_halts_all)
{
	struct tp_killswitch *ks = ks_new();
	struct tp_cep *c = cep_one("kind=seq_gap;threshold=5", ks);
	ck_assert_uint_eq(ADD(c, 1, 1, T0, 1), 0);
	ck_assert_uint_eq(feed_ev(c, TP_EV_GAP, 0, 1, 0, 1000, 0, 5, 0, 0), 0); /* 5: not > 5 */
	ck_assert(!global_halted(ks));
	ck_assert_uint_eq(feed_ev(c, TP_EV_GAP, 0, 1, 0, 2000, 0, 6, 0, 0), 1);
	ck_assert(global_halted(ks));
	ck_assert(tp_ks_blocked(ks, 1));
	ck_assert(tp_ks_blocked(ks, 65535));
	struct tp_cep_alert a = one_alert(c);
	ck_assert_uint_eq(a.kind, TP_CEP_SEQ_GAP);
	ck_assert_uint_eq(a.action, TP_CEP_HALT_ALL);
	ck_assert_uint_eq(a.seq, 2000);
	ck_assert_uint_eq(a.exch_ts_ns, T0);
	ck_assert_uint_eq(a.feed_id, 1);
	ck_assert(a.value == 6.0);
	ck_assert_int_eq(a.threshold, 5);
	ck_assert_str_eq(last_audit(ks).who, "cep:r");
	/* Another gap, on another feed too: still halted, nothing new. */
	ck_assert_uint_eq(feed_ev(c, TP_EV_GAP, 0, 2, 0, 3000, 0, 100, 0, 0), 0);
	ck_assert_uint_eq(rstats(c, 0).halts, 1);
	ck_assert_uint_eq(rstats(c, 0).suppressed, 1);
	ks_resume(ks, TP_KS_GLOBAL, 0);
	ck_assert_uint_eq(feed_ev(c, TP_EV_GAP, 0, 2, 0, 4000, 0, 100, 0, 0), 1);
	ck_assert(global_halted(ks));
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* seq_gap as an alert, per feed with the feed filter. */
START_TEST(seq_gap_alert_feed_filter)
{
	struct tp_cep *c = cep_one("kind=seq_gap;action=alert;feed=2;alert_interval=0", NULL);
	ck_assert_uint_eq(feed_ev(c, TP_EV_GAP, 0, 1, 0, 10, 0, 1, 0, 0), 0);
	ck_assert_uint_eq(feed_ev(c, TP_EV_GAP, 0, 2, 0, 20, 0, 1, 0, 0), 1);
	ck_assert_uint_eq(one_alert(c).seq, 20);
	tp_cep_free(c);
}
END_TEST

/* overflow: drops > threshold halts everything. */
START_TEST(overflow_halts_all)
{
	struct tp_killswitch *ks = ks_new();
	struct tp_cep_rule_def d[2];
	def_parse(&d[0], "gap", "kind=seq_gap");
	def_parse(&d[1], "ovf", "kind=overflow");
	struct tp_cep *c = cep_new(d, 2, ks, 16);
	ck_assert_uint_eq(tp_cep_on_overflow(c, 0, T0), 0);
	ck_assert(!global_halted(ks));
	ck_assert_uint_eq(tp_cep_on_overflow(c, 3, T0 + 5), 1);
	ck_assert(global_halted(ks));
	ck_assert_uint_eq(tp_ks_word_reason(tp_ks_word(ks, TP_KS_GLOBAL, 0)), TP_KS_R_RULE_BASE + 1);
	struct tp_cep_alert a = one_alert(c);
	ck_assert_str_eq(a.rule, "ovf");
	ck_assert_uint_eq(a.kind, TP_CEP_OVERFLOW);
	ck_assert(a.value == 3.0);
	ck_assert_uint_eq(a.exch_ts_ns, T0 + 5);
	ck_assert_uint_eq(a.seq, 0);
	ck_assert_uint_eq(tp_cep_on_overflow(c, 7, T0 + 6), 0);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.overflow_reports, 3);
	ck_assert_uint_eq(st.overflow_drops, 10);
	/* The gap rule halting all as well is its own first halt (already halted: kept). */
	ck_assert_uint_eq(feed_ev(c, TP_EV_GAP, 0, 1, 0, 9, 0, 1, 0, 0), 1);
	ck_assert_uint_eq(rstats(c, 0).halts, 1);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* overflow as a rate-limited alert with a threshold. */
START_TEST(overflow_alert)
{
	struct tp_cep *c = cep_one("kind=overflow;action=alert;threshold=100;alert_interval=1s",
				   NULL);
	ck_assert_uint_eq(tp_cep_on_overflow(c, 100, T0), 0);
	ck_assert_uint_eq(tp_cep_on_overflow(c, 101, T0), 1);
	ck_assert_uint_eq(tp_cep_on_overflow(c, 101, T0 + SEC - 1), 0);
	ck_assert_uint_eq(tp_cep_on_overflow(c, 101, T0 + SEC), 1);
	tp_cep_free(c);
}
END_TEST

/* skip_stale leaves events of books flagged stale out. */
START_TEST(skip_stale)
{
	struct tp_cep *c = cep_one("kind=crossed_book;duration=1ms;skip_stale=true;"
				   "alert_interval=0", NULL);
	struct tp_event e = ev_mk(TP_EV_ADD, 1, 1, T0, 1, 1, 1, 10001, 10000);
	e.flags = TP_EVF_BOOK_STALE;
	ck_assert_uint_eq(tp_cep_on_event(c, &e), 0);
	e.exch_ts_ns = T0 + 2 * MS;
	ck_assert_uint_eq(tp_cep_on_event(c, &e), 0);
	e.flags = 0;
	ck_assert_uint_eq(tp_cep_on_event(c, &e), 0); /* the episode starts now */
	tp_cep_free(c);
}
END_TEST

/* The alert ring is bounded: records past its capacity are counted as dropped, halts still
 * happen, draining makes room again. */
START_TEST(alert_ring_bound)
{
	struct tp_killswitch *ks = ks_new();
	struct tp_cep_rule_def d[2];
	def_parse(&d[0], "all", "kind=msg_rate;window=1s;threshold=0;alert_interval=0");
	def_parse(&d[1], "pm", "kind=price_move;window=1s;threshold=100");
	struct tp_cep *c = cep_new(d, 2, ks, 16);
	for (unsigned i = 0; i < TP_CEP_ALERT_CAP + 10; i++)
		ck_assert_uint_eq(ADD(c, 1, 1, T0 + i, i), 1);
	TRADE(c, 2, T0 + SEC - 2, 1, 10000, 1);
	ck_assert_uint_eq(TRADE(c, 2, T0 + SEC - 1, 2, 20000, 1), 2);
	ck_assert(symbol_halted(ks, 2));
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	ck_assert_uint_eq(st.alerts, TP_CEP_ALERT_CAP);
	ck_assert_uint_eq(st.alerts_dropped, 10 + 3);
	ck_assert_uint_eq(tp_cep_alerts_pending(c), TP_CEP_ALERT_CAP);
	static struct tp_cep_alert out[TP_CEP_ALERT_CAP + 1];
	ck_assert_uint_eq(tp_cep_alerts_drain(c, out, 100), 100);
	ck_assert_uint_eq(out[0].seq, 0);
	ck_assert_uint_eq(out[99].seq, 99);
	ck_assert_uint_eq(tp_cep_alerts_drain(c, out, TP_CEP_ALERT_CAP + 1), TP_CEP_ALERT_CAP - 100);
	ck_assert_uint_eq(out[TP_CEP_ALERT_CAP - 101].seq, TP_CEP_ALERT_CAP - 1);
	ck_assert_uint_eq(ADD(c, 1, 1, T0 + SEC, 7), 1);
	ck_assert_uint_eq(one_alert(c).seq, 7);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

/* Refusals at create, each with its reason. */
START_TEST(create_errors)
{
	char err[256];
	struct tp_cep_rule_def d[2];
	def_parse(&d[0], "a", "kind=price_move;window=1s;threshold=100");
	ck_assert_ptr_null(tp_cep_create(d, 1, NULL, 16, err, sizeof(err)));
	ck_assert_str_eq(err, "rule.a: action halt_symbol needs a kill-switch, and none was given");
	def_parse(&d[0], "a", "kind=msg_rate;window=1s;threshold=100");
	def_parse(&d[1], "a", "kind=seq_gap;action=alert");
	ck_assert_ptr_null(tp_cep_create(d, 2, NULL, 16, err, sizeof(err)));
	ck_assert_str_eq(err, "rule.a: defined twice");
	ck_assert_ptr_null(tp_cep_create(d, 1, NULL, 0, err, sizeof(err)));
	ck_assert_str_eq(err, "cep: max_groups 0 must be 1..65535");
	ck_assert_ptr_null(tp_cep_create(d, 1, NULL, 65536, err, sizeof(err)));
	ck_assert_ptr_null(tp_cep_create(d, TP_CEP_MAX_RULES + 1, NULL, 16, err, sizeof(err)));
	ck_assert_str_eq(err, "cep: 65 rules, at most 64");
	/* A definition built by hand is checked like a parsed one. */
	d[0].buckets = 48;
	ck_assert_ptr_null(tp_cep_create(d, 1, NULL, 16, err, sizeof(err)));
	ck_assert_str_eq(err, "rule.a: buckets must be a power of two from 1 to 64");
	/* No rules at all is a valid, idle engine. */
	struct tp_cep *c = tp_cep_create(NULL, 0, NULL, 1, err, sizeof(err));
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(tp_cep_rule_count(c), 0);
	ck_assert_uint_eq(ADD(c, 1, 1, T0, 1), 0);
	ck_assert_uint_eq(tp_cep_tick(c, T0 + SEC), 0);
	ck_assert_uint_eq(tp_cep_on_overflow(c, 5, T0), 0);
	struct tp_cep_rule_stats s;
	ck_assert_int_eq(tp_cep_rule_stats(c, 0, &s), -1);
	tp_cep_free(c);
	tp_cep_free(NULL);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cep-rules");
	TCase *t = tcase_create("rules");
	tcase_add_test(t, price_move_halts_symbol);
	tcase_add_test(t, halt_symbol_already_halted);
	tcase_add_test(t, alert_does_not_halt);
	tcase_add_test(t, msg_rate_rate_limited);
	tcase_add_test(t, crossed_book_threshold);
	tcase_add_test(t, crossed_book_tick_halt);
	tcase_add_test(t, feed_silent_on_events);
	tcase_add_test(t, feed_silent_own_event);
	tcase_add_test(t, feed_silent_session);
	tcase_add_test(t, feed_silent_halt_all);
	tcase_add_test(t, seq_gap_halts_all);
	tcase_add_test(t, seq_gap_alert_feed_filter);
	tcase_add_test(t, overflow_halts_all);
	tcase_add_test(t, overflow_alert);
	tcase_add_test(t, skip_stale);
	tcase_add_test(t, alert_ring_bound);
	tcase_add_test(t, create_errors);
	suite_add_tcase(s, t);
	return s;
}

RUN_SUITE(suite)
