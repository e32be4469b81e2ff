/* The gateway: the exact OUCH bytes it puts on the egress ring, orders refused while halted
 * (before the risk guard is even asked), the mass cancel (exactly the working orders of the
 * halted scope, exactly once per halt epoch, completed across a full ring), reports keeping
 * the working orders and the risk guard in step, and trading again after an operator resume. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tp_gateway.h"
#include "tp_killswitch.h"

#define T0 34200000000000ull /* 09:30 in ns since midnight */

struct rig {
	struct tp_killswitch *ks;
	struct tp_risk *risk;
	struct tp_ring *ring;
	struct tp_gw *gw;
};

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

static void book(struct tp_risk *r, uint16_t loc, uint32_t bid, uint32_t ask)
{
	struct tp_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = TP_EV_ADD;
	ev.stock_locate = loc;
	ev.exch_ts_ns = T0;
	ev.bid_px = bid;
	ev.ask_px = ask;
	ev.bid_qty = ev.ask_qty = 100;
	tp_risk_on_event(r, &ev);
}

static void rig_up(struct rig *g, uint32_t ring_cap, const struct tp_risk_limits *lim)
{
	char err[128];
	g->ks = tp_ks_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(g->ks);
	struct tp_risk_limits l = lim ? *lim : loose();
	g->risk = tp_risk_create(&l, tp_ks_halter_of(g->ks), err, sizeof(err));
	ck_assert_ptr_nonnull(g->risk);
	g->ring = tp_ring_create("egress", ring_cap, TP_GW_SLOT_SIZE, TP_RING_F_NO_HUGE);
	ck_assert_ptr_nonnull(g->ring);
	struct tp_gw_params p = { .halter = tp_ks_halter_of(g->ks), .risk = g->risk,
		.egress = g->ring, .max_orders = 64 };
	g->gw = tp_gw_create(&p, err, sizeof(err));
	ck_assert_msg(g->gw != NULL, "%s", err);
	const char *names[] = { "", "AAA", "BBB", "CCC" };
	for (uint16_t l = 1; l <= 3; l++) {
		ck_assert_int_eq(tp_gw_set_symbol(g->gw, l, names[l]), 0);
		book(g->risk, l, 100000, 100100);
	}
}

static void rig_down(struct rig *g)
{
	tp_gw_free(g->gw);
	tp_ring_free(g->ring);
	tp_risk_free(g->risk);
	tp_ks_free(g->ks);
}

static uint32_t put(struct rig *g, uint16_t loc, uint8_t side, uint32_t qty, uint32_t px)
{
	struct tp_order o = { .locate = loc, .side = side, .qty = qty, .price = px };
	uint32_t urn = 0;
	enum tp_risk_reason why;
	ck_assert_int_eq(tp_gw_submit(g->gw, &o, T0 + 1, &urn, &why), TP_GW_SENT);
	ck_assert_int_eq(why, TP_RISK_OK);
	return urn;
}

/* Dequeues everything; returns how many slots. */
static uint32_t drain(struct rig *g, struct tp_gw_slot *out, uint32_t max)
{
	uint32_t n = 0;
	struct tp_gw_slot s;
	while (tp_ring_dequeue(g->ring, &s) == 0) {
		if (n < max)
			out[n] = s;
		n++;
	}
	return n;
}

/* The UserRefNums of the cancels among the slots, as a bit set (urns < 64). */
static uint64_t cancel_set(const struct tp_gw_slot *s, uint32_t n)
{
	uint64_t set = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct tp_ouch_msg m;
		ck_assert_int_eq(tp_ouch_decode(s[i].msg, s[i].len, &m), 0);
		ck_assert_uint_eq(m.type, 'X');
		ck_assert_uint_eq(s[i].type, 'X');
		ck_assert_uint_eq(m.u.cancel.qty, 0);
		ck_assert_uint_lt(m.u.cancel.user_ref_num, 64);
		ck_assert_uint_eq(set & (1ull << m.u.cancel.user_ref_num), 0); /* once each */
		set |= 1ull << m.u.cancel.user_ref_num;
	}
	return set;
}

#define B(u) (1ull << (u))

static struct tp_ks_operator *op_of(struct tp_killswitch *ks, int sv[2])
{
	char err[128];
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct tp_ks_operator *op = tp_ks_operator_from_socket(ks, sv[0], "desk", err, sizeof(err));
	ck_assert_msg(op != NULL, "%s", err);
	return op;
}

START_TEST(test_enter_bytes_on_ring)
{
	struct rig g;
	rig_up(&g, 16, NULL);
	struct tp_order o = { .locate = 2, .side = 'S', .qty = 300, .price = 100100, .tif = '3' };
	uint32_t urn;
	ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0 + 5, &urn, NULL), TP_GW_SENT);
	ck_assert_uint_eq(urn, 1);
	struct tp_gw_slot s[4];
	ck_assert_uint_eq(drain(&g, s, 4), 1);
	static const uint8_t want[47] = {
		'O', 0, 0, 0, 1, 'S', 0, 0, 0x01, 0x2C,        /* urn 1, sell 300 */
		'B', 'B', 'B', ' ', ' ', ' ', ' ', ' ',
		0, 0, 0, 0, 0, 0x01, 0x87, 0x04,              /* 100100 = 0x0001_8704 */
		'3', 'Y', 'P', 'N', 'N',                       /* IOC from the order, defaults */
		'T', 'P', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1', ' ', ' ',
		0, 0,
	};
	ck_assert_uint_eq(s[0].len, 47);
	ck_assert_uint_eq(s[0].type, 'O');
	ck_assert_uint_eq(s[0].ts_ns, T0 + 5);
	ck_assert_int_eq(memcmp(s[0].msg, want, 47), 0);

	/* The next order gets the next UserRefNum. */
	ck_assert_uint_eq(put(&g, 1, 'B', 1, 100000), 2);
	/* No symbol, no order. */
	struct tp_order o9 = { .locate = 9, .side = 'B', .qty = 1, .price = 100000 };
	ck_assert_int_eq(tp_gw_submit(g.gw, &o9, T0, NULL, NULL), TP_GW_NO_SYMBOL);
	struct tp_gw_stats st;
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.orders_sent, 2);
	ck_assert_uint_eq(st.working, 2);
	ck_assert_uint_eq(st.no_symbol, 1);
	rig_down(&g);
}
END_TEST

START_TEST(test_firm_appendage)
{
	char err[128];
	struct rig g;
	rig_up(&g, 16, NULL);
	tp_gw_free(g.gw);
	struct tp_gw_params p = { .halter = tp_ks_halter_of(g.ks), .risk = g.risk,
		.egress = g.ring, .first_user_ref = 1000, .capacity = 'A', .firm = "FIRM" };
	g.gw = tp_gw_create(&p, err, sizeof(err));
	ck_assert_int_eq(tp_gw_set_symbol(g.gw, 1, "AAA"), 0);
	ck_assert_uint_eq(put(&g, 1, 'B', 1, 100000), 1000);
	struct tp_gw_slot s[2];
	ck_assert_uint_eq(drain(&g, s, 2), 1);
	ck_assert_uint_eq(s[0].len, 53);
	static const uint8_t tail[8] = { 0, 6, 5, 2, 'F', 'I', 'R', 'M' };
	ck_assert_int_eq(memcmp(s[0].msg + 45, tail, 8), 0);
	ck_assert_uint_eq(s[0].msg[28], 'A');
	ck_assert_int_eq(memcmp(s[0].msg + 31, "TP0000001000  ", 14), 0);
	rig_down(&g);
}
END_TEST

START_TEST(test_refused_while_halted)
{
	struct rig g;
	rig_up(&g, 16, NULL);
	ck_assert_int_eq(tp_ks_halt(g.ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "t", T0), 0);
	for (uint16_t l = 1; l <= 3; l++) {
		struct tp_order o = { .locate = l, .side = 'B', .qty = 1, .price = 100000 };
		ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0, NULL, NULL), TP_GW_BLOCKED);
	}
	struct tp_gw_stats st;
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.blocked_by_halt, 3);
	ck_assert_uint_eq(st.orders_sent, 0);
	struct tp_risk_stats rs;
	tp_risk_stats(g.risk, &rs);
	ck_assert_uint_eq(rs.checked, 0); /* the kill-switch comes before the risk guard */
	ck_assert_uint_eq(tp_ring_used(g.ring), 0);
	rig_down(&g);
}
END_TEST

START_TEST(test_mass_cancel_once_per_epoch)
{
	struct rig g;
	rig_up(&g, 64, NULL);
	ck_assert_uint_eq(put(&g, 1, 'B', 10, 100000), 1);
	ck_assert_uint_eq(put(&g, 1, 'S', 10, 100100), 2);
	ck_assert_uint_eq(put(&g, 2, 'B', 20, 100000), 3);
	ck_assert_uint_eq(put(&g, 2, 'S', 20, 100100), 4);
	ck_assert_uint_eq(put(&g, 3, 'B', 30, 100000), 5);
	struct tp_gw_slot s[64];
	ck_assert_uint_eq(drain(&g, s, 64), 5);
	tp_gw_poll(g.gw, T0 + 2);
	ck_assert_uint_eq(tp_ring_used(g.ring), 0); /* nothing halted, nothing sent */

	/* Symbol 2 halts: its two orders and only those. */
	ck_assert_int_eq(tp_ks_halt(g.ks, TP_KS_SYMBOL, 2, TP_KS_R_RULE_BASE, "cep", T0 + 3), 0);
	tp_gw_poll(g.gw, T0 + 4);
	uint32_t n = drain(&g, s, 64);
	ck_assert_uint_eq(n, 2);
	ck_assert_uint_eq(cancel_set(s, n), B(3) | B(4));
	ck_assert_uint_eq(s[0].ts_ns, T0 + 4);
	/* Once: more polls and a blocked order send nothing more. */
	tp_gw_poll(g.gw, T0 + 5);
	tp_gw_poll(g.gw, T0 + 6);
	struct tp_order o2 = { .locate = 2, .side = 'B', .qty = 1, .price = 100000 };
	ck_assert_int_eq(tp_gw_submit(g.gw, &o2, T0 + 7, NULL, NULL), TP_GW_BLOCKED);
	ck_assert_uint_eq(drain(&g, s, 64), 0);
	/* Other symbols still trade. */
	ck_assert_uint_eq(put(&g, 1, 'B', 11, 100000), 6);
	ck_assert_uint_eq(drain(&g, s, 64), 1);

	/* Global halt: every working order without a cancel out (3 and 4 have theirs). */
	ck_assert_int_eq(tp_ks_halt(g.ks, TP_KS_GLOBAL, 0, TP_KS_R_INTERNAL, "x", T0 + 8), 0);
	tp_gw_poll(g.gw, T0 + 9);
	n = drain(&g, s, 64);
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(cancel_set(s, n), B(1) | B(2) | B(5) | B(6));
	tp_gw_poll(g.gw, T0 + 10);
	ck_assert_uint_eq(drain(&g, s, 64), 0);

	struct tp_gw_stats st;
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.mass_cancels, 2);
	ck_assert_uint_eq(st.mass_cancel_orders, 6);
	ck_assert_uint_eq(st.cancels_sent, 6);
	ck_assert_uint_eq(st.halts_seen, 2);
	ck_assert_uint_eq(st.blocked_by_halt, 1);
	ck_assert_uint_eq(st.working, 6); /* until the exchange confirms */
	ck_assert_uint_eq(tp_gw_sightings(g.gw), 2);
	struct tp_gw_sighting h;
	ck_assert_int_eq(tp_gw_sighting(g.gw, 0, &h), 0);
	ck_assert_uint_eq(h.scope, TP_KS_GLOBAL);
	ck_assert_uint_eq(h.epoch, 1);
	ck_assert_uint_eq(h.reason, TP_KS_R_INTERNAL);
	ck_assert_uint_eq(h.now_ns, T0 + 9);
	ck_assert_int_eq(tp_gw_sighting(g.gw, 1, &h), 0);
	ck_assert_uint_eq(h.scope, TP_KS_SYMBOL);
	ck_assert_uint_eq(h.locate, 2);
	ck_assert_uint_eq(h.reason, TP_KS_R_RULE_BASE);
	ck_assert_uint_eq(h.now_ns, T0 + 4);
	ck_assert_int_eq(tp_gw_sighting(g.gw, 2, &h), -1);

	/* The exchange confirms the cancels: nothing works, the risk guard agrees. */
	const uint32_t qty[7] = { 0, 10, 10, 20, 20, 30, 11 };
	for (uint32_t u = 1; u <= 6; u++) {
		struct tp_order o;
		ck_assert_int_eq(tp_gw_order(g.gw, u, &o, NULL), 1);
		struct tp_exec_report r = { .type = 'C', .side = o.side, .locate = o.locate,
			.user_ref_num = u, .qty = qty[u], .ts_ns = T0 + 20 };
		ck_assert_int_eq(tp_gw_on_report(g.gw, &r), 0);
	}
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.working, 0);
	ck_assert_uint_eq(st.cancel_acks, 6);
	for (uint16_t l = 1; l <= 3; l++) {
		ck_assert_uint_eq(tp_risk_working(g.risk, l, 'B'), 0);
		ck_assert_uint_eq(tp_risk_working(g.risk, l, 'S'), 0);
	}
	rig_down(&g);
}
END_TEST

START_TEST(test_blocked_order_triggers_mass_cancel)
{
	struct rig g;
	rig_up(&g, 64, NULL);
	put(&g, 1, 'B', 10, 100000);
	put(&g, 2, 'B', 10, 100000);
	struct tp_gw_slot s[8];
	drain(&g, s, 8);
	tp_ks_halt(g.ks, TP_KS_SYMBOL, 1, TP_KS_R_TEST, "t", T0);
	/* No poll: the blocked order itself notices and cancels the symbol's orders. */
	struct tp_order o = { .locate = 1, .side = 'S', .qty = 1, .price = 100100 };
	ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0 + 1, NULL, NULL), TP_GW_BLOCKED);
	uint32_t n = drain(&g, s, 8);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(cancel_set(s, n), B(1));
	tp_gw_poll(g.gw, T0 + 2);
	ck_assert_uint_eq(drain(&g, s, 8), 0);
	rig_down(&g);
}
END_TEST

START_TEST(test_mass_cancel_survives_full_ring)
{
	struct rig g;
	rig_up(&g, 8, NULL);
	struct tp_gw_slot s[16];
	for (int i = 0; i < 6; i++)
		put(&g, 3, 'B', (uint32_t)(10 + i), 100000);
	drain(&g, s, 16);
	/* Leave room for two. */
	for (int i = 0; i < 6; i++)
		put(&g, 1, 'B', (uint32_t)(100 + i), 100000);
	/* urns 1..6 on symbol 3, 7..12 on symbol 1 (in the ring, unread) */
	tp_ks_halt(g.ks, TP_KS_SYMBOL, 3, TP_KS_R_TEST, "t", T0);
	tp_gw_poll(g.gw, T0 + 1);
	tp_gw_poll(g.gw, T0 + 2); /* still full: nothing more, nothing twice */
	uint32_t n = drain(&g, s, 16);
	ck_assert_uint_eq(n, 8);
	uint64_t first = cancel_set(s + 6, 2);
	tp_gw_poll(g.gw, T0 + 3); /* room again: the rest */
	n = drain(&g, s, 16);
	ck_assert_uint_eq(n, 4);
	uint64_t rest = cancel_set(s, 4);
	ck_assert_uint_eq(first & rest, 0);
	ck_assert_uint_eq(first | rest, B(1) | B(2) | B(3) | B(4) | B(5) | B(6));
	tp_gw_poll(g.gw, T0 + 4);
	ck_assert_uint_eq(drain(&g, s, 16), 0);
	struct tp_gw_stats st;
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.mass_cancels, 1);
	ck_assert_uint_eq(st.mass_cancel_orders, 6);
	ck_assert_uint_ge(st.ring_full, 1);
	rig_down(&g);
}
END_TEST

START_TEST(test_resume_then_trade_then_halt_again)
{
	struct rig g;
	rig_up(&g, 64, NULL);
	struct tp_gw_slot s[16];
	put(&g, 1, 'B', 10, 100000); /* urn 1 */
	drain(&g, s, 16);
	tp_ks_halt(g.ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "t", T0);
	tp_gw_poll(g.gw, T0);
	ck_assert_uint_eq(cancel_set(s, drain(&g, s, 16)), B(1));
	struct tp_order o = { .locate = 1, .side = 'B', .qty = 5, .price = 100000 };
	ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0, NULL, NULL), TP_GW_BLOCKED);

	int sv[2];
	char err[128];
	struct tp_ks_operator *op = op_of(g.ks, sv);
	ck_assert_int_eq(tp_ks_resume(g.ks, op, TP_KS_GLOBAL, 0, "reviewed", 1, err, sizeof(err)),
			 0);
	tp_gw_poll(g.gw, T0 + 1);
	ck_assert_uint_eq(drain(&g, s, 16), 0); /* a resume cancels nothing */
	uint32_t urn;
	ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0 + 2, &urn, NULL), TP_GW_SENT);
	ck_assert_uint_eq(urn, 2);
	drain(&g, s, 16);

	/* A new halt epoch: a new mass cancel, of the order placed since (1 has its cancel). */
	tp_ks_halt(g.ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "t", T0 + 3);
	ck_assert_uint_eq(tp_ks_word_epoch(tp_ks_word(g.ks, TP_KS_GLOBAL, 0)), 3);
	tp_gw_poll(g.gw, T0 + 4);
	ck_assert_uint_eq(cancel_set(s, drain(&g, s, 16)), B(2));
	struct tp_gw_stats st;
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.mass_cancels, 2);
	ck_assert_uint_eq(st.halts_seen, 2);
	tp_ks_operator_free(op);
	close(sv[0]);
	close(sv[1]);
	rig_down(&g);
}
END_TEST

START_TEST(test_reports_and_risk_in_step)
{
	struct rig g;
	struct tp_risk_limits l = loose();
	l.max_position = 100;
	rig_up(&g, 64, &l);
	struct tp_gw_slot s[16];
	uint32_t u1 = put(&g, 1, 'B', 60, 100000);
	drain(&g, s, 16);
	/* 60 working + 41 would pass 100. */
	struct tp_order o = { .locate = 1, .side = 'B', .qty = 41, .price = 99900 };
	enum tp_risk_reason why;
	ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0, NULL, &why), TP_GW_REJECTED);
	ck_assert_int_eq(why, TP_RISK_R_POSITION);
	/* Partial fill 25 at a better price, then the rest is cancelled. */
	struct tp_exec_report r = { .type = 'E', .side = 'B', .locate = 1, .user_ref_num = u1,
		.qty = 25, .price = 99950, .ts_ns = T0 + 10 };
	ck_assert_int_eq(tp_gw_on_report(g.gw, &r), 0);
	struct tp_order left;
	int cs;
	ck_assert_int_eq(tp_gw_order(g.gw, u1, &left, &cs), 1);
	ck_assert_uint_eq(left.qty, 35);
	ck_assert_int_eq(cs, 0);
	ck_assert_int_eq(tp_risk_position(g.risk, 1), 25);
	ck_assert_uint_eq(tp_risk_working(g.risk, 1, 'B'), 35);
	ck_assert_int_eq(tp_gw_cancel(g.gw, u1, T0 + 11), TP_GW_SENT);
	ck_assert_int_eq(tp_gw_cancel(g.gw, u1, T0 + 12), TP_GW_PENDING);
	ck_assert_uint_eq(cancel_set(s, drain(&g, s, 16)), B(u1));
	r = (struct tp_exec_report){ .type = 'C', .side = 'B', .locate = 1, .user_ref_num = u1,
		.qty = 35, .ts_ns = T0 + 13 };
	ck_assert_int_eq(tp_gw_on_report(g.gw, &r), 0);
	ck_assert_int_eq(tp_gw_order(g.gw, u1, NULL, NULL), 0);
	ck_assert_int_eq(tp_gw_cancel(g.gw, u1, T0 + 14), TP_GW_UNKNOWN);
	ck_assert_uint_eq(tp_risk_working(g.risk, 1, 'B'), 0);
	struct tp_gw_stats st;
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.fills, 1);
	ck_assert_uint_eq(st.fill_qty, 25);
	ck_assert_uint_eq(st.rejected, 1);
	ck_assert_uint_eq(st.rejected_by[TP_RISK_R_POSITION], 1);
	ck_assert_int_eq(tp_ks_blocked(g.ks, 1), 0);

	/* A report for an order we do not have: the books disagree, so trading halts. */
	r.user_ref_num = 999;
	ck_assert_int_eq(tp_gw_on_report(g.gw, &r), -1);
	ck_assert_uint_eq(tp_ks_word(g.ks, TP_KS_GLOBAL, 0), tp_ks_word_pack(1, TP_KS_R_INTERNAL, 1));
	tp_gw_stats(g.gw, &st);
	ck_assert_uint_eq(st.bad_reports, 1);
	rig_down(&g);
}
END_TEST

START_TEST(test_overfill_halts)
{
	struct rig g;
	rig_up(&g, 64, NULL);
	uint32_t u = put(&g, 2, 'S', 10, 100100);
	struct tp_exec_report r = { .type = 'E', .side = 'S', .locate = 2, .user_ref_num = u,
		.qty = 11, .price = 100100, .ts_ns = T0 };
	ck_assert_int_eq(tp_gw_on_report(g.gw, &r), -1);
	ck_assert_int_eq(tp_ks_blocked(g.ks, 2), 1);
	/* The order is gone (the exchange says it is done), 10 shares counted. */
	ck_assert_int_eq(tp_gw_order(g.gw, u, NULL, NULL), 0);
	ck_assert_int_eq(tp_risk_position(g.risk, 2), -10);
	rig_down(&g);
}
END_TEST

START_TEST(test_table_full_and_ring_full)
{
	char err[128];
	struct rig g;
	rig_up(&g, 4, NULL);
	struct tp_gw_slot s[8];
	for (int i = 0; i < 4; i++)
		put(&g, 1, 'B', (uint32_t)(1 + i), 100000);
	struct tp_order o = { .locate = 1, .side = 'B', .qty = 9, .price = 100000 };
	ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0, NULL, NULL), TP_GW_RING_FULL);
	drain(&g, s, 8);
	struct tp_risk_stats rs;
	tp_risk_stats(g.risk, &rs);
	ck_assert_uint_eq(rs.accepted, 4); /* the refused one was not committed */
	tp_gw_free(g.gw);
	struct tp_gw_params p = { .halter = tp_ks_halter_of(g.ks), .risk = g.risk,
		.egress = g.ring, .max_orders = 2 };
	g.gw = tp_gw_create(&p, err, sizeof(err));
	tp_gw_set_symbol(g.gw, 1, "AAA");
	put(&g, 1, 'B', 20, 100000);
	put(&g, 1, 'B', 21, 100000);
	ck_assert_int_eq(tp_gw_submit(g.gw, &o, T0, NULL, NULL), TP_GW_FULL);
	/* Wrong element size: refused at create. */
	struct tp_ring *bad = tp_ring_create("bad", 4, 64, TP_RING_F_NO_HUGE);
	p.egress = bad;
	ck_assert_ptr_null(tp_gw_create(&p, err, sizeof(err)));
	tp_ring_free(bad);
	rig_down(&g);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("gateway");
	TCase *tc = tcase_create("gateway");
	tcase_add_test(tc, test_enter_bytes_on_ring);
	tcase_add_test(tc, test_firm_appendage);
	tcase_add_test(tc, test_refused_while_halted);
	tcase_add_test(tc, test_mass_cancel_once_per_epoch);
	tcase_add_test(tc, test_blocked_order_triggers_mass_cancel);
	tcase_add_test(tc, test_mass_cancel_survives_full_ring);
	tcase_add_test(tc, test_resume_then_trade_then_halt_again);
	tcase_add_test(tc, test_reports_and_risk_in_step);
	tcase_add_test(tc, test_overfill_halts);
	tcase_add_test(tc, test_table_full_and_ring_full);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
