/* tp_feed end to end inside feeds/: bytes in, exact statistics, events and books out.
 * Expected books of the RITCH day were computed by a separate, deliberately naive model
 * (a dictionary of orders replayed in Python), not by this code. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tp_binfile.h"
#include "tp_book.h"
#include "tp_feed.h"
#include "tp_itch.h"
#include "tp_mold.h"
#include "tp_netparse.h"
#include "tp_pcapread.h"

#ifndef TP_SHARED_DATA
#error "TP_SHARED_DATA must name ../shared/data"
#endif

static struct tp_feed *mk_feed(void)
{
	struct tp_feed_params p = { .feed_id = 7, .max_orders = 1u << 16 };
	struct tp_feed *f = tp_feed_create(&p);
	ck_assert_ptr_nonnull(f);
	return f;
}

static uint16_t locate_of(const struct tp_feed *f, const char *sym)
{
	for (uint32_t l = 0; l < 65536; l++) {
		const char *s = tp_feed_symbol(f, (uint16_t)l);
		if (s && strcmp(s, sym) == 0)
			return (uint16_t)l;
	}
	ck_abort_msg("symbol %s not in the stock directory", sym);
	return 0;
}

static void assert_book(const struct tp_feed *f, const char *sym, uint32_t bpx, uint64_t bq,
			uint32_t apx, uint64_t aq, uint32_t blv, uint32_t alv)
{
	uint16_t loc = locate_of(f, sym);
	struct tp_book_bbo b;
	tp_book_bbo(tp_feed_book(f), loc, &b);
	ck_assert_uint_eq(b.bid_px, bpx);
	ck_assert_uint_eq(b.bid_qty, bq);
	ck_assert_uint_eq(b.ask_px, apx);
	ck_assert_uint_eq(b.ask_qty, aq);
	ck_assert_uint_eq(tp_book_level_count(tp_feed_book(f), loc, 'B'), blv);
	ck_assert_uint_eq(tp_book_level_count(tp_feed_book(f), loc, 'S'), alv);
}

START_TEST(ritch_binaryfile_day)
{
	struct tp_binfile *bf;
	char err[256];
	ck_assert_int_eq(tp_binfile_open(TP_SHARED_DATA "/itch-binaryfile/ex20101224.TEST_ITCH_50.gz",
					 &bf, err, sizeof(err)), 0);
	struct tp_feed *f = mk_feed();
	struct tp_sink sink;
	tp_sink_init(&sink, NULL, 1);
	const uint8_t *msg;
	uint32_t len;
	uint64_t seq = 0;
	int rc;
	while ((rc = tp_binfile_next(bf, &msg, &len)) == 1)
		tp_feed_rx_itch(f, msg, len, ++seq, &sink);
	ck_assert_int_eq(rc, 0);
	const struct tp_feed_stats *st = tp_feed_stats(f);
	ck_assert_uint_eq(st->messages_total, 12012);
	const char *types = "SRHAFEXDUP";
	const uint64_t want[] = { 6, 3, 3, 4997, 3, 198, 45, 1745, 12, 5000 };
	for (int i = 0; types[i]; i++)
		ck_assert_uint_eq(st->msgs[(uint8_t)types[i]], want[i]);
	ck_assert_uint_eq(st->malformed, 0);
	ck_assert_uint_eq(st->unknown_refs, 117);
	/* one event per message except the 117 that named unknown orders */
	ck_assert_uint_eq(sink.emitted, 12012 - 117);
	assert_book(f, "ALC", 270600, 100, 205400, 100, 226, 245);
	assert_book(f, "BOB", 69667, 100, 53417, 100, 169, 174);
	assert_book(f, "CHAR", 256500, 30, 195750, 5, 173, 168);
	tp_binfile_close(bf);
	tp_feed_free(f);
}
END_TEST

START_TEST(omi_capture_with_gap)
{
	char err[256];
	struct tp_pcapread *r = tp_pcapread_open(TP_SHARED_DATA "/itch-moldudp64/Multiple.Packets.pcap",
						 err, sizeof(err));
	ck_assert_msg(r != NULL, "%s", err);
	struct tp_feed *f = mk_feed();
	struct tp_sink sink;
	tp_sink_init(&sink, NULL, 1);
	struct tp_pcap_frame fr;
	while (tp_pcapread_next(r, &fr) == 1) {
		struct tp_net_udp u;
		ck_assert_int_eq(tp_netparse(fr.data, fr.caplen, &u), TP_NET_OK);
		tp_feed_rx_mold(f, u.payload, u.payload_len, 0, fr.ts_ns, 0, &sink);
	}
	tp_feed_finish(f, &sink);
	const struct tp_feed_stats *st = tp_feed_stats(f);
	ck_assert_uint_eq(st->messages_total, 39);
	ck_assert_uint_eq(st->msgs['D'], 1);
	/* The data README says A x33, F x5; the packet itself holds 36 A and 2 F (counted
	 * by hand from the bytes, and by tests/mold against the raw blocks). */
	ck_assert_uint_eq(st->msgs['A'], 36);
	ck_assert_uint_eq(st->msgs['F'], 2);
	ck_assert_uint_eq(st->gap_events, 1);
	ck_assert_uint_eq(st->messages_missing, 19009117ull - 14764497ull);
	ck_assert_uint_eq(st->duplicates, 0);
	ck_assert_uint_eq(st->malformed, 0);
	ck_assert_uint_eq(st->unknown_refs, 1); /* the D names an order added before the capture */
	ck_assert(tp_feed_is_stale(f, 6514));
	ck_assert_uint_eq(tp_book_order_count(tp_feed_book(f)), 38);
	tp_pcapread_close(r);
	tp_feed_free(f);
}
END_TEST

/* ---- hand-built session on two lines, events read back from a real ring ---- */

static size_t put_add(uint8_t *p, uint64_t ref, char side, uint32_t qty, uint32_t px)
{
	memset(p, 0, 36);
	p[0] = 'A';
	tp_put_be16(p + 1, 5);            /* stock locate */
	p[10] = 42;                            /* timestamp 42 ns (low byte of 6) */
	tp_put_be64(p + 11, ref);
	p[19] = (uint8_t)side;
	p[20] = (uint8_t)(qty >> 24); p[21] = (uint8_t)(qty >> 16);
	p[22] = (uint8_t)(qty >> 8);  p[23] = (uint8_t)qty;
	memcpy(p + 24, "ZZZ     ", 8);
	p[32] = (uint8_t)(px >> 24); p[33] = (uint8_t)(px >> 16);
	p[34] = (uint8_t)(px >> 8);  p[35] = (uint8_t)px;
	return 36;
}

static size_t put_exec(uint8_t *p, uint64_t ref, uint32_t qty)
{
	memset(p, 0, 31);
	p[0] = 'E';
	tp_put_be16(p + 1, 5);
	tp_put_be64(p + 11, ref);
	p[19] = (uint8_t)(qty >> 24); p[20] = (uint8_t)(qty >> 16);
	p[21] = (uint8_t)(qty >> 8);  p[22] = (uint8_t)qty;
	return 31;
}

/* One MoldUDP64 packet holding the given messages. */
static size_t mold_pkt(uint8_t *out, uint64_t seq, uint8_t msgs[][64], const size_t *lens, int n)
{
	memcpy(out, "TESTSESS01", 10);
	tp_put_be64(out + 10, seq);
	tp_put_be16(out + 18, (uint16_t)n);
	size_t off = 20;
	for (int i = 0; i < n; i++) {
		tp_put_be16(out + off, (uint16_t)lens[i]);
		memcpy(out + off + 2, msgs[i], lens[i]);
		off += 2 + lens[i];
	}
	return off;
}

START_TEST(arbitrated_events_in_a_ring)
{
	struct tp_ring *ring = tp_ring_create("ev", 64, sizeof(struct tp_event), TP_RING_F_NO_HUGE);
	ck_assert_ptr_nonnull(ring);
	struct tp_feed *f = mk_feed();
	struct tp_sink sink;
	tp_sink_init(&sink, ring, 1);

	uint8_t m[3][64], pkt[3][256];
	size_t l[3], pl[3];
	l[0] = put_add(m[0], 100, 'B', 300, 1000000);   /* seq 1 */
	l[1] = put_add(m[1], 101, 'S', 200, 1010000);   /* seq 2 */
	pl[0] = mold_pkt(pkt[0], 1, m, l, 2);
	l[0] = put_exec(m[0], 100, 120);                 /* seq 3 */
	pl[1] = mold_pkt(pkt[1], 3, m, l, 1);
	l[0] = put_add(m[0], 102, 'B', 50, 1000000);    /* seq 4 */
	pl[2] = mold_pkt(pkt[2], 4, m, l, 1);

	/* A loses packet 2 and delivers 3 early; B fills the hole; then B repeats everything */
	tp_feed_rx_mold(f, pkt[0], (uint32_t)pl[0], 0, 1000, 11, &sink);
	tp_feed_rx_mold(f, pkt[2], (uint32_t)pl[2], 0, 2000, 12, &sink);
	tp_feed_rx_mold(f, pkt[1], (uint32_t)pl[1], 1, 3000, 13, &sink);
	for (int i = 0; i < 3; i++)
		tp_feed_rx_mold(f, pkt[i], (uint32_t)pl[i], 1, 4000, 14, &sink);
	tp_feed_finish(f, &sink);
	tp_sink_flush(&sink);

	const struct tp_feed_stats *st = tp_feed_stats(f);
	ck_assert_uint_eq(st->messages_total, 4);
	ck_assert_uint_eq(st->duplicates, 4);
	ck_assert_uint_eq(st->gap_events, 0);
	ck_assert_uint_eq(tp_ring_used(ring), 4);

	struct tp_event ev[4];
	ck_assert_uint_eq(tp_ring_dequeue_burst(ring, ev, 4), 4);
	ck_assert_uint_eq(ev[0].kind, TP_EV_ADD);
	ck_assert_uint_eq(ev[0].seq, 1);
	ck_assert_uint_eq(ev[0].feed_id, 7);
	ck_assert_uint_eq(ev[0].stock_locate, 5);
	ck_assert_uint_eq(ev[0].exch_ts_ns, 42);
	ck_assert_uint_eq(ev[0].rx_tsc, 11);
	ck_assert_uint_eq(ev[0].order_ref, 100);
	ck_assert_uint_eq(ev[0].bid_px, 1000000);
	ck_assert_uint_eq(ev[0].bid_qty, 300);
	ck_assert_uint_eq(ev[0].ask_px, 0);
	ck_assert_uint_eq(ev[1].ask_px, 1010000);
	ck_assert_uint_eq(ev[1].ask_qty, 200);
	/* the execution carries the resting order's side and price, and the book after it */
	ck_assert_uint_eq(ev[2].kind, TP_EV_EXECUTE);
	ck_assert_uint_eq(ev[2].seq, 3);
	ck_assert_uint_eq(ev[2].rx_tsc, 13);
	ck_assert_uint_eq(ev[2].side, 'B');
	ck_assert_uint_eq(ev[2].price, 1000000);
	ck_assert_uint_eq(ev[2].qty, 120);
	ck_assert_uint_eq(ev[2].bid_qty, 180);
	/* seq 4 waited for the hole and came out after it, with the level aggregated */
	ck_assert_uint_eq(ev[3].seq, 4);
	ck_assert_uint_eq(ev[3].bid_qty, 230);
	ck_assert_uint_eq(ev[3].flags, 0);
	ck_assert(!tp_feed_is_stale(f, 5));
	tp_feed_free(f);
	tp_ring_free(ring);
}
END_TEST

/* ---- the burst and look-ahead entry points give exactly what one-at-a-time gives ---- */

#define RITCH_MSGS 12012

/* The RITCH day copied out of the reader (its pointers last one call), one slot a message. */
static uint8_t ritch_buf[RITCH_MSGS][TP_ITCH_MAX_MSG_LEN];
static const uint8_t *ritch_msg[RITCH_MSGS];
static uint32_t ritch_len[RITCH_MSGS];

static void load_ritch(void)
{
	struct tp_binfile *bf;
	char err[256];
	ck_assert_int_eq(tp_binfile_open(TP_SHARED_DATA "/itch-binaryfile/ex20101224.TEST_ITCH_50.gz",
					 &bf, err, sizeof(err)), 0);
	const uint8_t *msg;
	uint32_t len, n = 0;
	while (tp_binfile_next(bf, &msg, &len) == 1) {
		ck_assert_uint_lt(n, RITCH_MSGS);
		ck_assert_uint_le(len, TP_ITCH_MAX_MSG_LEN);
		memcpy(ritch_buf[n], msg, len);
		ritch_msg[n] = ritch_buf[n];
		ritch_len[n] = len;
		n++;
	}
	ck_assert_uint_eq(n, RITCH_MSGS);
	tp_binfile_close(bf);
}

enum feed_way { ONE_BY_ONE, BURSTS, AHEAD, MOLD, N_WAYS };

/* MOLD: the day in MoldUDP64 packets of at most 1400 bytes, each sent on line A and then
 * again on line B (all duplicates), so the arbiter hands out runs of messages that the
 * feed pulls ahead of itself. */
static void run_ritch_mold(struct tp_feed *f, struct tp_sink *sink)
{
	static uint8_t pkt[1400];
	uint32_t i = 0;
	while (i < RITCH_MSGS) {
		memcpy(pkt, "RITCHDAY01", 10);
		tp_put_be64(pkt + 10, i + 1);
		size_t off = 20;
		uint16_t cnt = 0;
		while (i < RITCH_MSGS && off + 2 + ritch_len[i] <= sizeof(pkt)) {
			tp_put_be16(pkt + off, (uint16_t)ritch_len[i]);
			memcpy(pkt + off + 2, ritch_msg[i], ritch_len[i]);
			off += 2 + ritch_len[i];
			cnt++;
			i++;
		}
		tp_put_be16(pkt + 18, cnt);
		tp_feed_rx_mold(f, pkt, (uint32_t)off, 0, i, 0, sink);
		tp_feed_rx_mold(f, pkt, (uint32_t)off, 1, i, 0, sink);
	}
	tp_feed_finish(f, sink);
}

/* Runs the day through a fresh feed one way; the events land in `ev` (returns how many). */
static uint32_t run_ritch(enum feed_way way, struct tp_event *ev, uint32_t max,
			  struct tp_feed **out)
{
	struct tp_ring *ring = tp_ring_create("ev", 16384, sizeof(struct tp_event),
					      TP_RING_F_NO_HUGE);
	ck_assert_ptr_nonnull(ring);
	struct tp_feed *f = mk_feed();
	struct tp_sink sink;
	tp_sink_init(&sink, ring, 1);
	if (way == ONE_BY_ONE) {
		for (uint32_t i = 0; i < RITCH_MSGS; i++)
			tp_feed_rx_itch(f, ritch_msg[i], ritch_len[i], i + 1, &sink);
	} else if (way == BURSTS) {
		/* Sizes below, at and around the look-ahead distance, and an empty burst. */
		static const uint32_t sizes[] = { 1, 7, 8, 9, 0, 64, 3, 100, 16 };
		uint32_t i = 0, k = 0;
		while (i < RITCH_MSGS) {
			uint32_t n = sizes[k++ % (sizeof(sizes) / sizeof(sizes[0]))];
			if (n > RITCH_MSGS - i)
				n = RITCH_MSGS - i;
			tp_feed_rx_itch_burst(f, &ritch_msg[i], &ritch_len[i], n, i + 1, &sink);
			i += n;
		}
	} else if (way == MOLD) {
		run_ritch_mold(f, &sink);
	} else {
		for (uint32_t i = 0; i < RITCH_MSGS; i++) {
			if (i + 8 < RITCH_MSGS)
				tp_feed_prefetch_itch(f, ritch_msg[i + 8], ritch_len[i + 8]);
			tp_feed_rx_itch(f, ritch_msg[i], ritch_len[i], i + 1, &sink);
		}
	}
	tp_sink_flush(&sink);
	uint32_t n = tp_ring_dequeue_burst(ring, ev, max);
	ck_assert(tp_ring_empty(ring));
	tp_ring_free(ring);
	*out = f;
	return n;
}

START_TEST(burst_and_lookahead_match_one_by_one)
{
	load_ritch();
	static struct tp_event ev[N_WAYS][16384];
	struct tp_feed *f[N_WAYS];
	uint32_t n[N_WAYS];
	for (int w = 0; w < N_WAYS; w++)
		n[w] = run_ritch((enum feed_way)w, ev[w], 16384, &f[w]);
	ck_assert_uint_eq(n[0], RITCH_MSGS - 117);
	for (int w = 1; w < N_WAYS; w++) {
		ck_assert_uint_eq(n[w], n[0]);
		for (uint32_t i = 0; i < n[0]; i++)
			ck_assert_msg(memcmp(&ev[w][i], &ev[0][i], sizeof(struct tp_event)) == 0,
				      "way %d: event %u differs", w, i);
		const struct tp_feed_stats *a = tp_feed_stats(f[0]), *b = tp_feed_stats(f[w]);
		ck_assert_uint_eq(b->messages_total, RITCH_MSGS);
		ck_assert_uint_eq(b->unknown_refs, 117);
		ck_assert_int_eq(memcmp(a->msgs, b->msgs, sizeof(a->msgs)), 0);
		ck_assert_uint_eq(tp_book_order_count(tp_feed_book(f[w])),
				  tp_book_order_count(tp_feed_book(f[0])));
		assert_book(f[w], "ALC", 270600, 100, 205400, 100, 226, 245);
		assert_book(f[w], "BOB", 69667, 100, 53417, 100, 169, 174);
		assert_book(f[w], "CHAR", 256500, 30, 195750, 5, 173, 168);
		char why[256] = "";
		ck_assert_msg(tp_book_validate(tp_feed_book(f[w]), why, sizeof(why)) == 0, "%s", why);
	}
	ck_assert_uint_eq(tp_feed_stats(f[MOLD])->duplicates, RITCH_MSGS);
	ck_assert_uint_eq(tp_feed_stats(f[MOLD])->gap_events, 0);
	for (int w = 0; w < N_WAYS; w++)
		tp_feed_free(f[w]);
}
END_TEST

/* The prefetch hint reads only msg[0, len) and changes nothing, whatever the bytes. */
START_TEST(prefetch_hint_on_junk)
{
	struct tp_feed *f = mk_feed();
	static const uint8_t del[19] = { 'D', 0, 5 };
	uint8_t big[64];
	memset(big, 0xff, sizeof(big));
	big[0] = 'U';
	tp_feed_prefetch_itch(f, NULL, 0);
	tp_feed_prefetch_itch(f, del, 18);         /* one byte short of the reference */
	tp_feed_prefetch_itch(f, del, 19);         /* an order the book does not hold */
	tp_feed_prefetch_itch(f, big, sizeof(big)); /* the largest reference there is */
	big[0] = 'z';
	tp_feed_prefetch_itch(f, big, sizeof(big)); /* not an ITCH type */
	const struct tp_feed_stats *st = tp_feed_stats(f);
	ck_assert_uint_eq(st->messages_total, 0);
	ck_assert_uint_eq(st->unknown_refs, 0);
	ck_assert_uint_eq(tp_book_order_count(tp_feed_book(f)), 0);
	tp_feed_rx_itch_burst(f, NULL, NULL, 0, 1, NULL); /* an empty burst touches nothing */
	ck_assert_uint_eq(tp_feed_stats(f)->messages_total, 0);
	tp_feed_free(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("feed");
	TCase *tc = tcase_create("feed");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, ritch_binaryfile_day);
	tcase_add_test(tc, omi_capture_with_gap);
	tcase_add_test(tc, arbitrated_events_in_a_ring);
	tcase_add_test(tc, burst_and_lookahead_match_one_by_one);
	tcase_add_test(tc, prefetch_hint_on_junk);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
