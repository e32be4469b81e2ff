/* A/B arbitration: duplicates, loss filled from the other line, overlaps, unrecoverable gaps,
 * the time and packet bounds (exactly at the threshold, not before), heartbeats, end of
 * session, malformed and foreign packets. Every message a test sees is checked against the
 * sequence number it carries. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mold_testutil.h"
#include "tp_arb.h"

/* What came out of the arbiter, in order. */
struct ev {
	int kind;
	uint64_t seq, count;
	unsigned line;
};

struct log {
	struct ev ev[1 << 16];
	unsigned n;
	unsigned bad_content; /* messages whose bytes do not match their sequence */
};

static struct log lg;

static void drain(struct tp_arb *a)
{
	struct tp_arb_item it;
	enum tp_arb_kind k;
	while ((k = tp_arb_next(a, &it)) != TP_ARB_NONE) {
		ck_assert_uint_lt(lg.n, 1u << 16);
		lg.ev[lg.n++] = (struct ev){ k, it.seq, it.count, it.line };
		if (k == TP_ARB_MSG && !tu_msg_ok(it.msg, it.len, it.seq))
			lg.bad_content++;
	}
}

/* Pushes a packet of `count` messages from `seq`, built in a scratch buffer that is wiped
 * right after the call and the drain: a waiting packet must have been copied. */
static enum tp_arb_push_rc push(struct tp_arb *a, uint64_t seq, uint16_t count, unsigned line,
				uint64_t now)
{
	uint8_t *buf = malloc(4096);
	size_t n = tu_pkt(buf, seq, count);
	enum tp_arb_push_rc rc = tp_arb_push(a, buf, n, line, now);
	drain(a);
	memset(buf, 0xEE, 4096);
	free(buf);
	return rc;
}

static enum tp_arb_push_rc push_raw(struct tp_arb *a, const uint8_t *b, size_t n, unsigned line,
				    uint64_t now)
{
	enum tp_arb_push_rc rc = tp_arb_push(a, b, n, line, now);
	drain(a);
	return rc;
}

static enum tp_arb_push_rc push_hb(struct tp_arb *a, uint64_t next, uint16_t count,
				   unsigned line, uint64_t now)
{
	uint8_t b[32];
	size_t n = tu_hb(b, next, count);
	return push_raw(a, b, n, line, now);
}

static void tick(struct tp_arb *a, uint64_t now)
{
	tp_arb_tick(a, now);
	drain(a);
}

static void finish(struct tp_arb *a)
{
	tp_arb_finish(a);
	drain(a);
}

static struct tp_arb *mk(uint32_t max_pkts, uint64_t window)
{
	struct tp_arb_params p = { .max_pkts = max_pkts, .window_ns = window };
	struct tp_arb *a = tp_arb_create(&p);
	ck_assert_ptr_nonnull(a);
	memset(&lg, 0, sizeof(lg));
	return a;
}

/* Events from_ev.. are messages lo..hi, in order, no gap. */
static void assert_range(unsigned from_ev, uint64_t lo, uint64_t hi)
{
	ck_assert_uint_ge(lg.n - from_ev, hi - lo + 1);
	for (uint64_t s = lo; s <= hi; s++) {
		const struct ev *e = &lg.ev[from_ev + (s - lo)];
		ck_assert_int_eq(e->kind, TP_ARB_MSG);
		ck_assert_uint_eq(e->seq, s);
	}
	ck_assert_uint_eq(lg.bad_content, 0);
}

/* The log from from_ev on is exactly messages lo..hi. */
static void assert_msgs(unsigned from_ev, uint64_t lo, uint64_t hi)
{
	ck_assert_uint_eq(lg.n - from_ev, hi - lo + 1);
	assert_range(from_ev, lo, hi);
}

static void assert_ev(unsigned i, int kind, uint64_t seq, uint64_t count)
{
	ck_assert_uint_lt(i, lg.n);
	ck_assert_int_eq(lg.ev[i].kind, kind);
	ck_assert_uint_eq(lg.ev[i].seq, seq);
	ck_assert_uint_eq(lg.ev[i].count, count);
}

START_TEST(in_order_single_line)
{
	struct tp_arb *a = mk(0, 0);
	for (uint64_t s = 1; s <= 30; s += 3)
		ck_assert_int_eq(push(a, s, 3, 0, s * 10), TP_ARB_IN_ORDER);
	finish(a);
	assert_msgs(0, 1, 30);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->packets, 10);
	ck_assert_uint_eq(st->packets_line[0], 10);
	ck_assert_uint_eq(st->messages, 30);
	ck_assert_uint_eq(st->duplicates, 0);
	ck_assert_uint_eq(st->gap_events, 0);
	ck_assert_uint_eq(st->reorder_waits, 0);
	ck_assert_uint_eq(tp_arb_expected(a), 31);
	ck_assert_int_eq(memcmp(tp_arb_session(a), TU_SESSION, 10), 0);
	tp_arb_free(a);
}
END_TEST

START_TEST(b_identical_to_a)
{
	struct tp_arb *a = mk(0, 0);
	uint64_t t = 1000;
	for (uint64_t s = 1; s <= 30; s += 3) {
		ck_assert_int_eq(push(a, s, 3, 0, t++), TP_ARB_IN_ORDER);
		ck_assert_int_eq(push(a, s, 3, 1, t++), TP_ARB_DUPLICATE);
	}
	/* And B ahead of A for a while. */
	for (uint64_t s = 31; s <= 60; s += 3) {
		ck_assert_int_eq(push(a, s, 3, 1, t++), TP_ARB_IN_ORDER);
		ck_assert_int_eq(push(a, s, 3, 0, t++), TP_ARB_DUPLICATE);
	}
	finish(a);
	assert_msgs(0, 1, 60);
	for (unsigned i = 0; i < 60; i++)
		ck_assert_uint_eq(lg.ev[i].line, i < 30 ? 0 : 1);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->packets, 40);
	ck_assert_uint_eq(st->packets_line[0], 20);
	ck_assert_uint_eq(st->packets_line[1], 20);
	ck_assert_uint_eq(st->messages, 60);
	ck_assert_uint_eq(st->duplicates, 60);
	ck_assert_uint_eq(st->gap_events, 0);
	ck_assert_uint_eq(st->messages_missing, 0);
	ck_assert_uint_eq(st->malformed, 0);
	tp_arb_free(a);
}
END_TEST

/* Packets P1..P6 = seq 1,4,7,10,13,16, three messages each. */
#define P(i) ((uint64_t)(3 * (i) - 2))

START_TEST(loss_on_a_filled_by_b)
{
	struct tp_arb *a = mk(0, 0);
	uint64_t t = 0;
	ck_assert_int_eq(push(a, P(1), 3, 0, t += 100), TP_ARB_IN_ORDER);
	ck_assert_int_eq(push(a, P(2), 3, 0, t += 100), TP_ARB_IN_ORDER);
	ck_assert_int_eq(push(a, P(1), 3, 1, t += 100), TP_ARB_DUPLICATE);
	/* A lost P3. */
	ck_assert_int_eq(push(a, P(4), 3, 0, t += 100), TP_ARB_BUFFERED);
	ck_assert_int_eq(push(a, P(2), 3, 1, t += 100), TP_ARB_DUPLICATE);
	ck_assert_int_eq(push(a, P(5), 3, 0, t += 100), TP_ARB_BUFFERED);
	ck_assert_uint_eq(tp_arb_waiting(a), 2);
	uint64_t hs, hc;
	ck_assert(tp_arb_front_hole(a, &hs, &hc));
	ck_assert_uint_eq(hs, 7);
	ck_assert_uint_eq(hc, 3);
	ck_assert_uint_eq(lg.n, 6);
	ck_assert_int_eq(push(a, P(3), 3, 1, t += 100), TP_ARB_IN_ORDER);
	ck_assert_uint_eq(lg.n, 15);
	ck_assert_uint_eq(tp_arb_waiting(a), 0);
	ck_assert(!tp_arb_front_hole(a, &hs, &hc));
	ck_assert_int_eq(push(a, P(6), 3, 0, t += 100), TP_ARB_IN_ORDER);
	ck_assert_int_eq(push(a, P(4), 3, 1, t += 100), TP_ARB_DUPLICATE);
	ck_assert_int_eq(push(a, P(5), 3, 1, t += 100), TP_ARB_DUPLICATE);
	ck_assert_int_eq(push(a, P(6), 3, 1, t += 100), TP_ARB_DUPLICATE);
	finish(a);
	assert_msgs(0, 1, 18);
	/* Messages 7..9 came from B, the rest from A. */
	for (unsigned i = 0; i < 18; i++)
		ck_assert_uint_eq(lg.ev[i].line, (i >= 6 && i < 9) ? 1 : 0);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->messages, 18);
	ck_assert_uint_eq(st->duplicates, 15);
	ck_assert_uint_eq(st->reorder_waits, 2);
	ck_assert_uint_eq(st->reorder_filled, 2);
	ck_assert_uint_eq(st->gap_events, 0);
	ck_assert_uint_eq(st->messages_missing, 0);
	tp_arb_free(a);
}
END_TEST

START_TEST(loss_on_b_filled_by_a_with_reordering)
{
	struct tp_arb *a = mk(0, 0);
	uint64_t t = 0;
	/* B leads and lost P3; A lags and delivers its packets out of order (P5 before P4,
	 * P3 last). */
	ck_assert_int_eq(push(a, P(1), 3, 1, t += 50), TP_ARB_IN_ORDER);
	ck_assert_int_eq(push(a, P(2), 3, 1, t += 50), TP_ARB_IN_ORDER);
	ck_assert_int_eq(push(a, P(5), 3, 1, t += 50), TP_ARB_BUFFERED);
	ck_assert_int_eq(push(a, P(4), 3, 1, t += 50), TP_ARB_BUFFERED);
	ck_assert_int_eq(push(a, P(1), 3, 0, t += 50), TP_ARB_DUPLICATE);
	ck_assert_int_eq(push(a, P(6), 3, 1, t += 50), TP_ARB_BUFFERED);
	ck_assert_int_eq(push(a, P(2), 3, 0, t += 50), TP_ARB_DUPLICATE);
	ck_assert_int_eq(push(a, P(5), 3, 0, t += 50), TP_ARB_DUPLICATE); /* already waiting */
	ck_assert_int_eq(push(a, P(4), 3, 0, t += 50), TP_ARB_DUPLICATE);
	ck_assert_uint_eq(tp_arb_waiting(a), 3);
	ck_assert_int_eq(push(a, P(3), 3, 0, t += 50), TP_ARB_IN_ORDER);
	ck_assert_int_eq(push(a, P(6), 3, 0, t += 50), TP_ARB_DUPLICATE);
	finish(a);
	assert_msgs(0, 1, 18);
	for (unsigned i = 0; i < 18; i++)
		ck_assert_uint_eq(lg.ev[i].line, (i >= 6 && i < 9) ? 0 : 1);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->messages, 18);
	ck_assert_uint_eq(st->duplicates, 15);
	ck_assert_uint_eq(st->reorder_waits, 3);
	ck_assert_uint_eq(st->reorder_filled, 3);
	ck_assert_uint_eq(st->gap_events, 0);
	tp_arb_free(a);
}
END_TEST

START_TEST(overlapping_packets)
{
	struct tp_arb *a = mk(0, 0);
	ck_assert_int_eq(push(a, 1, 5, 0, 10), TP_ARB_IN_ORDER);     /* 1..5 */
	ck_assert_int_eq(push(a, 3, 6, 1, 20), TP_ARB_IN_ORDER);     /* 3..8: 3,4,5 seen */
	ck_assert_int_eq(push(a, 12, 3, 0, 30), TP_ARB_BUFFERED);    /* 12..14 */
	ck_assert_int_eq(push(a, 7, 6, 1, 40), TP_ARB_IN_ORDER);     /* 7..12: 7,8 seen */
	/* 12 was delivered from B; the waiting 12..14 gives 13,14 only. */
	ck_assert_int_eq(push(a, 13, 2, 1, 50), TP_ARB_DUPLICATE);
	finish(a);
	assert_msgs(0, 1, 14);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->messages, 14);
	ck_assert_uint_eq(st->duplicates, 3 + 2 + 1 + 2);
	ck_assert_uint_eq(st->reorder_filled, 1);
	ck_assert_uint_eq(st->gap_events, 0);
	for (unsigned i = 0; i < 14; i++)
		ck_assert_uint_eq(lg.ev[i].line, (i < 5 || i >= 12) ? 0 : 1);
	tp_arb_free(a);
}
END_TEST

START_TEST(unrecoverable_gap)
{
	struct tp_arb *a = mk(0, 1000);
	/* 7..9 lost on both lines. */
	push(a, 1, 3, 0, 100);
	push(a, 1, 3, 1, 110);
	push(a, 4, 3, 0, 200);
	push(a, 4, 3, 1, 210);
	ck_assert_int_eq(push(a, 10, 3, 0, 300), TP_ARB_BUFFERED);
	ck_assert_int_eq(push(a, 10, 3, 1, 310), TP_ARB_DUPLICATE);
	ck_assert_int_eq(push(a, 13, 2, 0, 400), TP_ARB_BUFFERED);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	tick(a, 1300);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	tick(a, 1301);
	ck_assert_uint_eq(tp_arb_waiting(a), 0);
	/* 1..6, the gap, then 10..14. */
	assert_range(0, 1, 6);
	ck_assert_uint_eq(lg.n, 6 + 1 + 5);
	assert_ev(6, TP_ARB_GAP, 7, 3);
	for (unsigned i = 0; i < 5; i++)
		assert_ev(7 + i, TP_ARB_MSG, 10 + i, 1);
	/* The lost packet turns up late: nothing is delivered twice or out of order. */
	ck_assert_int_eq(push(a, 7, 3, 1, 1400), TP_ARB_DUPLICATE);
	finish(a);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->gap_events, 1);
	ck_assert_uint_eq(st->gaps_by_time, 1);
	ck_assert_uint_eq(st->messages_missing, 3);
	ck_assert_uint_eq(st->messages, 11);
	ck_assert_uint_eq(st->duplicates, 3 + 3 + 3 + 3);
	ck_assert_uint_eq(tp_arb_expected(a), 15);
	tp_arb_free(a);
}
END_TEST

START_TEST(time_bound_exactly_at_threshold)
{
	struct tp_arb *a = mk(0, 1000);
	push(a, 1, 2, 0, 0);
	ck_assert_int_eq(push(a, 5, 2, 0, 100), TP_ARB_BUFFERED);
	/* Waited exactly the window: not yet, neither on a push nor on a tick. */
	ck_assert_int_eq(push(a, 1, 2, 1, 1100), TP_ARB_DUPLICATE);
	tick(a, 1100);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	ck_assert_uint_eq(tp_arb_waiting(a), 1);
	ck_assert_uint_eq(lg.n, 2);
	/* One nanosecond more, found by a push. */
	ck_assert_int_eq(push(a, 1, 2, 1, 1101), TP_ARB_DUPLICATE);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->messages_missing, 2);
	ck_assert_uint_eq(lg.n, 5);
	assert_ev(2, TP_ARB_GAP, 3, 2);
	assert_ev(3, TP_ARB_MSG, 5, 1);
	assert_ev(4, TP_ARB_MSG, 6, 1);

	/* Same through a tick; and a clock that steps back never counts as waiting. */
	ck_assert_int_eq(push(a, 9, 1, 0, 5000), TP_ARB_BUFFERED);
	tick(a, 4000);
	tick(a, 6000);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 1);
	tick(a, 6001);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 2);
	assert_ev(5, TP_ARB_GAP, 7, 2);
	assert_ev(6, TP_ARB_MSG, 9, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->gaps_by_time, 2);
	ck_assert_uint_eq(tp_arb_stats(a)->messages_missing, 4);
	tp_arb_free(a);
}
END_TEST

START_TEST(time_bound_gives_up_every_hole_below_the_late_packet)
{
	struct tp_arb *a = mk(0, 1000);
	push(a, 1, 4, 0, 0);                               /* expected 5 */
	ck_assert_int_eq(push(a, 10, 1, 0, 0), TP_ARB_BUFFERED);  /* hole 5..9 */
	ck_assert_int_eq(push(a, 7, 1, 1, 500), TP_ARB_BUFFERED); /* splits it: 5..6, 8..9 */
	tick(a, 1001); /* packet 10 waited too long; packet 7 did not, but is below it */
	ck_assert_uint_eq(lg.n, 4 + 4);
	assert_ev(4, TP_ARB_GAP, 5, 2);
	assert_ev(5, TP_ARB_MSG, 7, 1);
	assert_ev(6, TP_ARB_GAP, 8, 2);
	assert_ev(7, TP_ARB_MSG, 10, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 2);
	ck_assert_uint_eq(tp_arb_stats(a)->messages_missing, 4);
	tp_arb_free(a);
}
END_TEST

START_TEST(packet_bound_exactly_at_threshold)
{
	struct tp_arb *a = mk(4, 1000000);
	push(a, 1, 1, 0, 0);
	/* 2 lost; 3..6 fill the four slots: no gap yet. */
	for (uint64_t s = 3; s <= 6; s++)
		ck_assert_int_eq(push(a, s, 1, 0, s), TP_ARB_BUFFERED);
	ck_assert_uint_eq(tp_arb_waiting(a), 4);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	ck_assert_uint_eq(lg.n, 1);
	/* The fifth waiting packet does not fit: hole 2 is given up. */
	ck_assert_int_eq(push(a, 7, 1, 0, 7), TP_ARB_IN_ORDER);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->gaps_by_space, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->messages_missing, 1);
	ck_assert_uint_eq(tp_arb_waiting(a), 0);
	assert_ev(1, TP_ARB_GAP, 2, 1);
	for (unsigned i = 0; i < 5; i++)
		assert_ev(2 + i, TP_ARB_MSG, 3 + i, 1);
	ck_assert_uint_eq(lg.n, 7);

	/* Full again with 10..13 (8, 9 lost); then 9 arrives, the lowest of all: only hole 8
	 * is given up, and 9 is delivered with 10..13 behind it. */
	for (uint64_t s = 10; s <= 13; s++)
		ck_assert_int_eq(push(a, s, 1, 0, 100 + s), TP_ARB_BUFFERED);
	ck_assert_int_eq(push(a, 9, 1, 1, 200), TP_ARB_IN_ORDER);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 2);
	assert_ev(7, TP_ARB_GAP, 8, 1);
	for (unsigned i = 0; i < 5; i++)
		assert_ev(8 + i, TP_ARB_MSG, 9 + i, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->messages_missing, 2);
	finish(a);
	ck_assert_uint_eq(tp_arb_stats(a)->messages, 11);
	tp_arb_free(a);
}
END_TEST

START_TEST(packet_bound_keeps_the_newcomer_when_it_fits_after_the_drain)
{
	struct tp_arb *a = mk(2, 1000000);
	push(a, 1, 1, 0, 0);
	push(a, 3, 1, 0, 1);  /* hole 2 */
	push(a, 5, 1, 0, 2);  /* hole 4 */
	/* 7 needs a slot: hole 2 goes, 3 drains, 7 takes the freed slot behind hole 6. */
	ck_assert_int_eq(push(a, 7, 1, 0, 3), TP_ARB_BUFFERED);
	ck_assert_uint_eq(tp_arb_waiting(a), 2);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 1);
	ck_assert_int_eq(push(a, 4, 1, 1, 4), TP_ARB_IN_ORDER); /* B fills hole 4 */
	ck_assert_int_eq(push(a, 6, 1, 1, 5), TP_ARB_IN_ORDER); /* and hole 6 */
	finish(a);
	ck_assert_uint_eq(lg.n, 7);
	assert_ev(0, TP_ARB_MSG, 1, 1);
	assert_ev(1, TP_ARB_GAP, 2, 1);
	for (unsigned i = 0; i < 5; i++)
		assert_ev(2 + i, TP_ARB_MSG, 3 + i, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->reorder_filled, 2);
	tp_arb_free(a);
}
END_TEST

START_TEST(oversize_packet_forces_a_gap)
{
	struct tp_arb_params p = { .max_pkt_bytes = 64 };
	struct tp_arb *a = tp_arb_create(&p);
	memset(&lg, 0, sizeof(lg));
	push(a, 1, 1, 0, 0);
	ck_assert_int_eq(push(a, 4, 2, 0, 1), TP_ARB_BUFFERED);  /* 20 + 2*11ish bytes: fits */
	ck_assert_int_eq(push(a, 10, 8, 0, 2), TP_ARB_IN_ORDER); /* > 64 bytes */
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->oversize, 1);
	ck_assert_uint_eq(st->gap_events, 2);
	ck_assert_uint_eq(st->messages_missing, 2 + 4);
	assert_ev(1, TP_ARB_GAP, 2, 2);
	assert_ev(2, TP_ARB_MSG, 4, 1);
	assert_ev(3, TP_ARB_MSG, 5, 1);
	assert_ev(4, TP_ARB_GAP, 6, 4);
	for (unsigned i = 0; i < 8; i++)
		assert_ev(5 + i, TP_ARB_MSG, 10 + i, 1);
	ck_assert_uint_eq(lg.bad_content, 0);
	tp_arb_free(a);
}
END_TEST

START_TEST(finish_declares_every_remaining_hole)
{
	struct tp_arb *a = mk(0, 0);
	push(a, 1, 2, 0, 0);
	push(a, 10, 2, 0, 1);
	push(a, 5, 1, 1, 2);
	push(a, 20, 1, 0, 3);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	finish(a);
	ck_assert_uint_eq(lg.n, 9);
	assert_ev(2, TP_ARB_GAP, 3, 2);
	assert_ev(3, TP_ARB_MSG, 5, 1);
	assert_ev(4, TP_ARB_GAP, 6, 4);
	assert_ev(5, TP_ARB_MSG, 10, 1);
	assert_ev(6, TP_ARB_MSG, 11, 1);
	assert_ev(7, TP_ARB_GAP, 12, 8);
	assert_ev(8, TP_ARB_MSG, 20, 1);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->gap_events, 3);
	ck_assert_uint_eq(st->gaps_at_finish, 3);
	ck_assert_uint_eq(st->messages_missing, 14);
	ck_assert_uint_eq(tp_arb_expected(a), 21);
	tp_arb_free(a);
}
END_TEST

START_TEST(malformed_on_one_line_loses_nothing)
{
	struct tp_arb *a = mk(0, 0);
	uint8_t b[4096];
	uint64_t t = 0;
	for (uint64_t i = 1; i <= 6; i++) {
		size_t n = tu_pkt(b, P(i), 3);
		/* A's copy of P2 and P4 is broken (cut short / count lies); B's is fine. */
		if (i == 2)
			push_raw(a, b, n - 1, 0, t += 10);
		else if (i == 4) {
			tp_put_be16(b + 18, 2);
			push_raw(a, b, n, 0, t += 10);
			n = tu_pkt(b, P(i), 3);
		} else
			push_raw(a, b, n, 0, t += 10);
		/* B: its P5 is truncated inside the header. */
		push_raw(a, b, i == 5 ? 15 : n, 1, t += 10);
	}
	finish(a);
	assert_msgs(0, 1, 18);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->packets, 12);
	ck_assert_uint_eq(st->malformed, 3);
	ck_assert_uint_eq(st->malformed_rc[TP_MOLD_ERR_BLOCK_PAST_END], 1);
	ck_assert_uint_eq(st->malformed_rc[TP_MOLD_ERR_TRAILING], 1);
	ck_assert_uint_eq(st->malformed_rc[TP_MOLD_ERR_SHORT_HEADER], 1);
	ck_assert_uint_eq(st->gap_events, 0);
	ck_assert_uint_eq(st->messages_missing, 0);
	ck_assert_uint_eq(st->duplicates, 3 * 3); /* P1, P3, P6 twice; P2, P4 from B, P5 from A */
	ck_assert_uint_eq(st->messages, 18);
	tp_arb_free(a);
}
END_TEST

START_TEST(malformed_then_filled_from_other_line_later)
{
	struct tp_arb *a = mk(0, 1000);
	uint8_t b[4096];
	push(a, 1, 3, 0, 0);
	size_t n = tu_pkt(b, 4, 3);
	push_raw(a, b, n - 2, 0, 10);                      /* A's 4..6: broken */
	ck_assert_int_eq(push(a, 7, 3, 0, 20), TP_ARB_BUFFERED);
	ck_assert_int_eq(push(a, 4, 3, 1, 900), TP_ARB_IN_ORDER); /* B, in time */
	finish(a);
	assert_msgs(0, 1, 9);
	ck_assert_uint_eq(tp_arb_stats(a)->malformed, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	tp_arb_free(a);
}
END_TEST

START_TEST(heartbeats)
{
	struct tp_arb *a = mk(0, 1000);
	/* A heartbeat first sets the expected sequence. */
	ck_assert_int_eq(push_hb(a, 5, 0, 0, 0), TP_ARB_IN_ORDER);
	ck_assert_uint_eq(tp_arb_expected(a), 5);
	push(a, 5, 3, 0, 10);                               /* 5..7 */
	ck_assert_int_eq(push_hb(a, 8, 0, 1, 20), TP_ARB_IN_ORDER); /* nothing missing */
	ck_assert_int_eq(push_hb(a, 6, 0, 1, 25), TP_ARB_IN_ORDER); /* stale: harmless */
	/* A heartbeat announcing 11 reveals that 8..10 exist and were not seen. */
	ck_assert_int_eq(push_hb(a, 11, 0, 0, 30), TP_ARB_BUFFERED);
	ck_assert_int_eq(push_hb(a, 11, 0, 1, 31), TP_ARB_DUPLICATE); /* same news */
	uint64_t hs, hc;
	ck_assert(tp_arb_front_hole(a, &hs, &hc));
	ck_assert_uint_eq(hs, 8);
	ck_assert_uint_eq(hc, 3);
	/* The other line fills it in time: no gap. */
	ck_assert_int_eq(push(a, 8, 3, 1, 500), TP_ARB_IN_ORDER);
	ck_assert_uint_eq(tp_arb_waiting(a), 0);
	/* This time nobody fills 11..12. */
	ck_assert_int_eq(push_hb(a, 13, 0, 0, 2000), TP_ARB_BUFFERED);
	tick(a, 3000);
	ck_assert_uint_eq(tp_arb_stats(a)->gap_events, 0);
	tick(a, 3001);
	/* 5..10, then the gap 11..12. */
	assert_range(0, 5, 10);
	ck_assert_uint_eq(lg.n, 7);
	assert_ev(6, TP_ARB_GAP, 11, 2);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->heartbeats, 6);
	ck_assert_uint_eq(st->gap_events, 1);
	ck_assert_uint_eq(st->messages_missing, 2);
	ck_assert_uint_eq(st->duplicates, 0);
	ck_assert_uint_eq(st->reorder_filled, 1);
	ck_assert_uint_eq(tp_arb_expected(a), 13);
	tp_arb_free(a);
}
END_TEST

START_TEST(end_of_session_packets)
{
	struct tp_arb *a = mk(0, 1000);
	push(a, 1, 3, 0, 0);
	ck_assert(!tp_arb_ended(a));
	/* End of session announcing 6: 4..5 still owed. */
	ck_assert_int_eq(push_hb(a, 6, 0xFFFF, 0, 10), TP_ARB_BUFFERED);
	ck_assert_int_eq(push_hb(a, 6, 0xFFFF, 1, 11), TP_ARB_DUPLICATE);
	ck_assert(tp_arb_ended(a));
	finish(a);
	ck_assert_uint_eq(lg.n, 4);
	assert_ev(3, TP_ARB_GAP, 4, 2);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->end_of_session, 2);
	ck_assert_uint_eq(st->heartbeats, 0);
	ck_assert_uint_eq(st->gap_events, 1);
	ck_assert_uint_eq(st->messages_missing, 2);
	tp_arb_free(a);
}
END_TEST

START_TEST(foreign_session_and_bad_line)
{
	struct tp_arb *a = mk(0, 0);
	uint8_t b[4096];
	push(a, 1, 2, 0, 0);
	size_t n = tu_pkt_s(b, "OTHERSESS1", 3, 2);
	ck_assert_int_eq(push_raw(a, b, n, 1, 1), TP_ARB_FOREIGN);
	n = tu_pkt(b, 3, 2);
	ck_assert_int_eq(push_raw(a, b, n, 2, 2), TP_ARB_MALFORMED);
	ck_assert_int_eq(push_raw(a, b, n, 1, 3), TP_ARB_IN_ORDER);
	finish(a);
	assert_msgs(0, 1, 4);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	ck_assert_uint_eq(st->packets, 4);
	ck_assert_uint_eq(st->malformed, 2);
	ck_assert_uint_eq(st->foreign, 1);
	tp_arb_free(a);
}
END_TEST

START_TEST(pinned_session_and_start_seq)
{
	struct tp_arb_params p = { .session = (const uint8_t *)TU_SESSION, .start_seq = 1 };
	struct tp_arb *a = tp_arb_create(&p);
	memset(&lg, 0, sizeof(lg));
	uint8_t b[4096];
	size_t n = tu_pkt_s(b, "OTHERSESS1", 1, 2);
	ck_assert_int_eq(push_raw(a, b, n, 0, 0), TP_ARB_FOREIGN);
	/* Message 1 is owed from the start: the first packet seen does not excuse it. */
	ck_assert_int_eq(push(a, 2, 2, 0, 1), TP_ARB_BUFFERED);
	finish(a);
	ck_assert_uint_eq(lg.n, 3);
	assert_ev(0, TP_ARB_GAP, 1, 1);
	ck_assert_uint_eq(tp_arb_stats(a)->foreign, 1);
	tp_arb_free(a);
}
END_TEST

START_TEST(front_hole_builds_a_request)
{
	struct tp_arb *a = mk(0, 0);
	push(a, 1, 3, 0, 0);
	push(a, 9, 1, 0, 1);
	uint64_t hs, hc;
	ck_assert(tp_arb_front_hole(a, &hs, &hc));
	uint8_t req[20];
	ck_assert_uint_eq(tp_mold_build_request(req, sizeof(req), tp_arb_session(a), 10, hs,
						(uint16_t)hc), 20);
	static const uint8_t want[20] = { 'T', 'E', 'S', 'T', 'S', 'E', 'S', 'S', '0', '1',
					  0, 0, 0, 0, 0, 0, 0, 4, 0, 5 };
	ck_assert_int_eq(memcmp(req, want, 20), 0);
	tp_arb_free(a);
}
END_TEST

START_TEST(undrained_output_is_discarded_not_corrupted)
{
	struct tp_arb *a = mk(0, 0);
	uint8_t b[4096];
	size_t n = tu_pkt(b, 1, 3);
	tp_arb_push(a, b, n, 0, 0);
	/* Not drained: the next push starts afresh. */
	n = tu_pkt(b, 4, 2);
	tp_arb_push(a, b, n, 0, 1);
	drain(a);
	assert_msgs(0, 4, 5);
	ck_assert_uint_eq(tp_arb_stats(a)->messages, 5);
	tp_arb_free(a);
}
END_TEST

START_TEST(bad_params)
{
	struct tp_arb_params p = { .max_pkts = 70000 };
	ck_assert_ptr_null(tp_arb_create(&p));
	p = (struct tp_arb_params){ .max_pkt_bytes = 19 };
	ck_assert_ptr_null(tp_arb_create(&p));
	struct tp_arb *a = tp_arb_create(NULL);
	ck_assert_ptr_nonnull(a);
	tp_arb_free(a);
	tp_arb_free(NULL);
}
END_TEST

/* A long deterministic mix of loss, delay and duplication on two lines, checked through the
 * accounting identities rather than case by case. */
START_TEST(long_mixed_stream_accounting)
{
	struct tp_arb *a = mk(8, 5000);
	uint32_t rng = 12345;
#define RND() (rng = rng * 1103515245u + 12345u, (rng >> 16) & 0x7FFF)
	uint64_t seq = 1, t = 0, received = 0;
	struct { uint64_t seq; uint16_t cnt; uint64_t due; int live; } late[16] = { 0 };
	for (int i = 0; i < 3000; i++) {
		uint16_t cnt = (uint16_t)(1 + RND() % 4);
		t += 100;
		for (unsigned line = 0; line < 2; line++) {
			unsigned r = RND() % 100;
			if (r < 8)
				continue; /* lost on this line */
			if (r < 16) { /* delayed on this line */
				for (int k = 0; k < 16; k++)
					if (!late[k].live) {
						late[k].seq = seq;
						late[k].cnt = cnt;
						late[k].due = t + 100 * (1 + RND() % 12);
						late[k].live = 1;
						break;
					}
				continue;
			}
			push(a, seq, cnt, line, t);
			received += cnt;
		}
		for (int k = 0; k < 16; k++)
			if (late[k].live && late[k].due <= t) {
				push(a, late[k].seq, late[k].cnt, k & 1, t);
				received += late[k].cnt;
				late[k].live = 0;
			}
		seq += cnt;
	}
	finish(a);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	/* Every message received was delivered once or counted duplicate. */
	ck_assert_uint_eq(st->messages + st->duplicates, received);
	/* Every sequence number was delivered or declared missing, in order. */
	uint64_t next = 1, msgs = 0, gaps = 0, missing = 0;
	for (unsigned i = 0; i < lg.n; i++) {
		ck_assert_uint_eq(lg.ev[i].seq, next);
		next += lg.ev[i].count;
		if (lg.ev[i].kind == TP_ARB_MSG)
			msgs++;
		else {
			gaps++;
			missing += lg.ev[i].count;
		}
	}
	ck_assert_uint_eq(lg.bad_content, 0);
	ck_assert_uint_eq(msgs, st->messages);
	ck_assert_uint_eq(gaps, st->gap_events);
	ck_assert_uint_eq(missing, st->messages_missing);
	ck_assert_uint_le(next, seq);
	ck_assert_uint_gt(st->reorder_filled, 0);
	ck_assert_uint_gt(st->gap_events, 0);
	tp_arb_free(a);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("arb");
	TCase *tc = tcase_create("arb");
	tcase_add_test(tc, in_order_single_line);
	tcase_add_test(tc, b_identical_to_a);
	tcase_add_test(tc, loss_on_a_filled_by_b);
	tcase_add_test(tc, loss_on_b_filled_by_a_with_reordering);
	tcase_add_test(tc, overlapping_packets);
	tcase_add_test(tc, unrecoverable_gap);
	tcase_add_test(tc, time_bound_exactly_at_threshold);
	tcase_add_test(tc, time_bound_gives_up_every_hole_below_the_late_packet);
	tcase_add_test(tc, packet_bound_exactly_at_threshold);
	tcase_add_test(tc, packet_bound_keeps_the_newcomer_when_it_fits_after_the_drain);
	tcase_add_test(tc, oversize_packet_forces_a_gap);
	tcase_add_test(tc, finish_declares_every_remaining_hole);
	tcase_add_test(tc, malformed_on_one_line_loses_nothing);
	tcase_add_test(tc, malformed_then_filled_from_other_line_later);
	tcase_add_test(tc, heartbeats);
	tcase_add_test(tc, end_of_session_packets);
	tcase_add_test(tc, foreign_session_and_bad_line);
	tcase_add_test(tc, pinned_session_and_start_seq);
	tcase_add_test(tc, front_hole_builds_a_request);
	tcase_add_test(tc, undrained_output_is_discarded_not_corrupted);
	tcase_add_test(tc, bad_params);
	tcase_add_test(tc, long_mixed_stream_accounting);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
