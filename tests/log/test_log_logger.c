/* The producer side and the logger thread: reserve/commit round trips, rotation through the
 * thread, back-pressure that loses nothing, live drops counted exactly, the logger's own
 * records, and recovery after kill -9 (everything up to the last flush is there, in order,
 * with nothing before it missing). */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "log_test_util.h"
#include "tp_logger.h"
#include "tp_logreader.h"

#define PF (TP_LOG_PROD_NO_HUGE)

static struct tp_logger_cfg logger_cfg(const char *dir, uint64_t seg_bytes)
{
	struct tp_logger_cfg c;
	memset(&c, 0, sizeof(c));
	c.w = lt_cfg(dir, seg_bytes);
	return c;
}

static struct tp_logger *start(const struct tp_logger_cfg *c, struct tp_log_prod **p, unsigned n)
{
	char err[256];
	struct tp_logger *lg = tp_logger_start(c, p, n, err, sizeof(err));
	ck_assert_msg(lg != NULL, "logger: %s", err);
	return lg;
}

static struct tp_log_reader *open_reader(const char *dir)
{
	struct tp_log_reader *rd;
	char err[512];
	ck_assert_msg(tp_log_reader_open(&rd, &dir, 1, 0, err, sizeof(err)) == 0, "%s", err);
	return rd;
}

static struct tp_event mk_event(uint64_t i)
{
	struct tp_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = TP_EV_ADD;
	ev.msg_type = 'A';
	ev.side = (i & 1) ? 'S' : 'B';
	ev.stock_locate = (uint16_t)(1 + i % 100);
	ev.feed_id = 1;
	ev.exch_ts_ns = 34200000000000ull + i * 10;
	ev.rx_tsc = i + 5;
	ev.seq = i;
	ev.order_ref = i ^ 0x5555u;
	ev.price = (uint32_t)(1000000 + i % 777);
	ev.qty = (uint32_t)(i % 1000 + 1);
	return ev;
}

static void check_ev(const struct tp_log_slot *r, uint64_t i)
{
	struct tp_event ev = mk_event(i);
	ck_assert_uint_eq(r->hdr.type, TP_LOG_EVENT);
	ck_assert_uint_eq(r->hdr.len, 96);
	ck_assert_uint_eq(r->hdr.exch_ns, ev.exch_ts_ns);
	ck_assert_msg(memcmp(&r->u.event, &ev, 64) == 0, "event %llu", (unsigned long long)i);
}

/* Every record type through reserve/commit and the helpers, read back exactly. */
START_TEST(roundtrip_through_logger)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p = tp_log_prod_create("rt", 7, 64, TP_LOG_REPLAY, PF);
	ck_assert_ptr_nonnull(p);
	struct tp_logger_cfg c = logger_cfg(dir, 0);
	struct tp_logger *lg = start(&c, &p, 1);
	ck_assert_str_eq(tp_logger_first_segment(lg), LT_SEG0);
	tp_log_prod_clock(p, 777); /* the burst's TSC: every record below carries it */

	struct tp_event ev = mk_event(42);
	ck_assert_int_eq(tp_log_event(p, &ev), 0);
	struct tp_log_slot *s = tp_log_reserve(p, TP_LOG_ALERT);
	ck_assert_ptr_nonnull(s);
	s->hdr.exch_ns = 7;
	s->u.alert = (struct tp_log_alert){.rule = 1, .stock_locate = 2, .feed_id = 3,
					   .event_seq = 4, .value = -5, .limit = 6, .name = "r"};
	tp_log_commit(p);
	s = tp_log_reserve(p, TP_LOG_HALT);
	s->u.halt = (struct tp_log_halt){.state = TP_LOG_HALT_HALTED, .scope = TP_LOG_SCOPE_GLOBAL,
					 .rule = 9, .epoch = 1, .source = "ops:alice"};
	tp_log_commit(p);
	s = tp_log_reserve(p, TP_LOG_ORDER);
	s->u.order = (struct tp_log_order){.client_id = 11, .stock_locate = 2, .side = 'B',
					   .action = 'N', .price = 100, .qty = 10, .strategy = 1};
	tp_log_commit(p);
	s = tp_log_reserve(p, TP_LOG_FILL);
	s->u.fill = (struct tp_log_fill){.client_id = 11, .match_id = 12, .stock_locate = 2,
					 .side = 'B', .liquidity = 'A', .price = 100, .qty = 4,
					 .leaves = 6};
	tp_log_commit(p);
	s = tp_log_reserve(p, TP_LOG_REJECT);
	s->u.reject = (struct tp_log_reject){.client_id = 13, .source = 'R', .reason = 3,
					     .text = "limit"};
	tp_log_commit(p);
	s = tp_log_reserve(p, TP_LOG_STATS);
	s->u.stats = (struct tp_log_stats){.source = 2, .count = 2, .counters = {8, 9}};
	tp_log_commit(p);
	ck_assert_int_eq(tp_log_audit(p, 1000, 1001, 4242, "halt", "--all", 0), 0);
	ck_assert_int_eq(tp_log_note(p, 99, "a note"), 0);
	ck_assert_int_eq(tp_log_symbol(p, 98, 2, 1, "MSFT    "), 0);
	ck_assert_int_eq(tp_log_symbol(p, 97, 3, 1, "GE"), 0);
	/* longer than the payload: cut at 96 bytes */
	char long_note[200];
	memset(long_note, 'x', sizeof(long_note) - 1);
	long_note[sizeof(long_note) - 1] = '\0';
	ck_assert_int_eq(tp_log_note(p, 0, long_note), 0);

	struct tp_logger_stats st;
	ck_assert_int_eq(tp_logger_stop(lg, &st), 0);
	ck_assert_uint_eq(st.records, 12);
	ck_assert_uint_eq(st.drops, 0);
	ck_assert_uint_eq(st.bad_slots, 0);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_uint_eq(st.durable_seq, 12);

	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	static const uint8_t types[12] = {
		TP_LOG_EVENT, TP_LOG_ALERT, TP_LOG_HALT, TP_LOG_ORDER, TP_LOG_FILL,
		TP_LOG_REJECT, TP_LOG_STATS, TP_LOG_AUDIT, TP_LOG_NOTE, TP_LOG_SYMBOL,
		TP_LOG_SYMBOL, TP_LOG_NOTE};
	for (unsigned i = 0; i < 12; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		ck_assert_uint_eq(r.hdr.seq, i);
		ck_assert_uint_eq(r.hdr.type, types[i]);
		ck_assert_uint_eq(r.hdr.producer, 7);
		ck_assert_uint_eq(r.hdr.tsc, 777);
		switch (i) {
		case 0: check_ev(&r, 42); break;
		case 1:
			ck_assert_uint_eq(r.hdr.exch_ns, 7);
			ck_assert_int_eq(r.u.alert.value, -5);
			ck_assert_str_eq(r.u.alert.name, "r");
			break;
		case 2:
			ck_assert_uint_eq(r.hdr.exch_ns, 0); /* reserve clears it */
			ck_assert_str_eq(r.u.halt.source, "ops:alice");
			break;
		case 3: ck_assert_uint_eq(r.u.order.client_id, 11); break;
		case 4: ck_assert_uint_eq(r.u.fill.leaves, 6); break;
		case 5: ck_assert_str_eq(r.u.reject.text, "limit"); break;
		case 6:
			ck_assert_uint_eq(r.u.stats.count, 2);
			ck_assert_uint_eq(r.u.stats.counters[1], 9);
			break;
		case 7:
			ck_assert_uint_eq(r.u.audit.uid, 1000);
			ck_assert_uint_eq(r.u.audit.gid, 1001);
			ck_assert_int_eq(r.u.audit.pid, 4242);
			ck_assert_int_eq(r.u.audit.result, 0);
			ck_assert_str_eq(r.u.audit.command, "halt");
			ck_assert_str_eq(r.u.audit.args, "--all");
			break;
		case 8:
			ck_assert_uint_eq(r.hdr.len, 32 + 6);
			ck_assert_uint_eq(r.hdr.exch_ns, 99);
			ck_assert_int_eq(memcmp(r.u.note, "a note", 6), 0);
			ck_assert_uint_eq((uint8_t)r.u.note[6], 0); /* reader zeroes the rest */
			break;
		case 9:
			ck_assert_uint_eq(r.u.symbol.stock_locate, 2);
			ck_assert_int_eq(memcmp(r.u.symbol.symbol, "MSFT    ", 8), 0);
			break;
		case 10:
			ck_assert_uint_eq(r.u.symbol.stock_locate, 3);
			ck_assert_int_eq(memcmp(r.u.symbol.symbol, "GE\0\0\0\0\0\0", 8), 0);
			break;
		case 11:
			ck_assert_uint_eq(r.hdr.len, 128);
			ck_assert_uint_eq((uint8_t)r.u.note[95], 'x');
			break;
		}
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	tp_log_reader_close(rd);
	tp_log_prod_free(p);
	lt_rmdir(dir);
}
END_TEST

START_TEST(rotation_through_logger)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p = tp_log_prod_create("rot", 1, 16, TP_LOG_REPLAY, PF);
	struct tp_logger_cfg c = logger_cfg(dir, 64 + 10 * 96);
	struct tp_logger *lg = start(&c, &p, 1);
	for (uint64_t i = 0; i < 95; i++) {
		struct tp_event ev = mk_event(i);
		ck_assert_int_eq(tp_log_event(p, &ev), 0);
	}
	struct tp_logger_stats st;
	ck_assert_int_eq(tp_logger_stop(lg, &st), 0);
	ck_assert_uint_eq(st.segments, 10);
	ck_assert_uint_eq(st.records, 95);
	ck_assert_uint_eq(st.bytes, 95 * 96);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	ck_assert_uint_eq(nf, 10);
	lt_free_list(files, nf);
	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	for (uint64_t i = 0; i < 95; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		ck_assert_uint_eq(r.hdr.seq, i);
		check_ev(&r, i);
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	tp_log_reader_close(rd);
	tp_log_prod_free(p);
	lt_rmdir(dir);
}
END_TEST

/* Where hdr.tsc comes from: the producer's burst clock, its own rdtsc per record
 * (STAMP_TSC), or, for records without either, the logger's drain round; a deterministic run
 * leaves them at 0. */
START_TEST(tsc_sources)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p[2];
	p[0] = tp_log_prod_create("clk", 1, 64, TP_LOG_REPLAY, PF);
	p[1] = tp_log_prod_create("tsc", 2, 64, TP_LOG_REPLAY, PF | TP_LOG_PROD_STAMP_TSC);
	struct tp_logger_cfg c;
	memset(&c, 0, sizeof(c));
	c.w.dir = dir; /* a real run: real clocks */
	c.w.no_sync = 1;
	uint64_t before = tp_log_tsc();
	char err[256];
	struct tp_logger *lg = tp_logger_start(&c, p, 2, err, sizeof(err));
	ck_assert_msg(lg != NULL, "%s", err);
	struct tp_event ev = mk_event(1);
	tp_log_prod_clock(p[0], 12345);
	ck_assert_int_eq(tp_log_event(p[0], &ev), 0); /* 12345 */
	tp_log_prod_clock(p[0], 0);
	ck_assert_int_eq(tp_log_event(p[0], &ev), 0); /* the logger's round */
	ck_assert_int_eq(tp_log_event(p[1], &ev), 0); /* its own rdtsc */
	ck_assert_int_eq(tp_logger_stop(lg, NULL), 0);
	uint64_t after = tp_log_tsc();

	struct tp_log_reader *rd = open_reader(dir);
	/* r[0], r[1]: producer 1's in its order; r[2]: producer 2's (rounds may interleave
	 * the two producers either way) */
	struct tp_log_slot r[3], x;
	unsigned n1 = 0;
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &x), 1);
		if (x.hdr.producer == 1)
			r[n1++] = x;
		else
			r[2] = x;
	}
	ck_assert_uint_eq(n1, 2);
	ck_assert_uint_eq(r[0].hdr.tsc, 12345);
	ck_assert_uint_ge(r[1].hdr.tsc, before);
	ck_assert_uint_le(r[1].hdr.tsc, after);
	ck_assert_uint_eq(r[2].hdr.producer, 2);
	ck_assert_uint_ge(r[2].hdr.tsc, before);
	ck_assert_uint_le(r[2].hdr.tsc, after);
	/* and the wall time of a real run is the real time, give or take */
	uint64_t wall = tp_log_wall_ns(tp_log_reader_seg(rd), r[2].hdr.tsc);
	uint64_t now = tp_log_clock_ns(CLOCK_REALTIME);
	ck_assert_uint_le(wall, now);
	ck_assert_uint_gt(wall, now - 600ull * 1000000000ull);
	tp_log_reader_close(rd);

	/* deterministic run, no clock, no stamping: 0 */
	char *dir2 = lt_mkdtemp();
	struct tp_logger_cfg c2 = logger_cfg(dir2, 0);
	lg = start(&c2, &p[0], 1);
	ck_assert_int_eq(tp_log_event(p[0], &ev), 0);
	ck_assert_int_eq(tp_logger_stop(lg, NULL), 0);
	rd = open_reader(dir2);
	ck_assert_int_eq(tp_log_reader_next(rd, &r[0]), 1);
	ck_assert_uint_eq(r[0].hdr.tsc, 0);
	tp_log_reader_close(rd);
	tp_log_prod_free(p[0]);
	tp_log_prod_free(p[1]);
	lt_rmdir(dir2);
	lt_rmdir(dir);
}
END_TEST

/* Replay mode with the smallest ring: the producer waits, nothing is lost. */
START_TEST(backpressure_loses_nothing)
{
	char *dir = lt_mkdtemp();
	const uint64_t n = 50000;
	struct tp_log_prod *p = tp_log_prod_create("bp", 1, 2, TP_LOG_REPLAY, PF);
	ck_assert_ptr_nonnull(p);
	struct tp_logger_cfg c = logger_cfg(dir, 1 << 20);
	c.idle_us = 1;
	struct tp_logger *lg = start(&c, &p, 1);
	for (uint64_t i = 0; i < n; i++) {
		struct tp_event ev = mk_event(i);
		ck_assert_int_eq(tp_log_event(p, &ev), 0);
	}
	struct tp_logger_stats st;
	ck_assert_int_eq(tp_logger_stop(lg, &st), 0);
	ck_assert_uint_eq(tp_log_prod_drops(p), 0);
	ck_assert_uint_eq(st.drops, 0);
	ck_assert_uint_eq(st.records, n);
	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	uint64_t got = 0;
	while (tp_log_reader_next(rd, &r) == 1) {
		ck_assert_uint_eq(r.hdr.seq, got);
		check_ev(&r, got);
		got++;
	}
	ck_assert_uint_eq(got, n);
	ck_assert_str_eq(tp_log_reader_error(rd), "");
	tp_log_reader_close(rd);
	tp_log_prod_free(p);
	lt_rmdir(dir);
}
END_TEST

/* Live mode: a full ring drops, the count is exact, and the logger writes it as a record
 * right after the records that made it in. */
START_TEST(live_drops_counted_exactly)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p = tp_log_prod_create("live", 3, 8, TP_LOG_LIVE, PF);
	unsigned failed = 0;
	/* no logger yet: 8 fit, 12 drop */
	for (uint64_t i = 0; i < 20; i++) {
		struct tp_event ev = mk_event(i);
		failed += tp_log_event(p, &ev) == -ENOBUFS;
	}
	ck_assert_uint_eq(failed, 12);
	ck_assert_uint_eq(tp_log_prod_drops(p), 12);
	ck_assert_ptr_null(tp_log_reserve(p, TP_LOG_NOTE));
	ck_assert_uint_eq(tp_log_prod_drops(p), 13);

	struct tp_logger_cfg c = logger_cfg(dir, 0);
	struct tp_logger *lg = start(&c, &p, 1);
	/* wait (no time limit: the test's own timeout is the limit) for the 8 + the drop record */
	struct tp_logger_stats st;
	do {
		struct timespec d = {0, 1000000};
		nanosleep(&d, NULL);
		tp_logger_get_stats(lg, &st);
	} while (st.records < 9);
	for (uint64_t i = 100; i < 103; i++) {
		struct tp_event ev = mk_event(i);
		ck_assert_int_eq(tp_log_event(p, &ev), 0);
	}
	ck_assert_int_eq(tp_logger_stop(lg, &st), 0);
	ck_assert_uint_eq(st.drops, 13);
	ck_assert_uint_eq(st.records, 12);

	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	for (uint64_t i = 0; i < 8; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		check_ev(&r, i);
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
	ck_assert_uint_eq(r.hdr.type, TP_LOG_DROP);
	ck_assert_uint_eq(r.hdr.producer, TP_LOG_PRODUCER_LOGGER);
	ck_assert_uint_eq(r.hdr.tsc, 0); /* a deterministic run: the logger stamps no TSC */
	ck_assert_uint_eq(r.u.drop.producer, 3);
	ck_assert_uint_eq(r.u.drop.total, 13);
	ck_assert_uint_eq(r.u.drop.since_last, 13);
	for (uint64_t i = 100; i < 103; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		check_ev(&r, i);
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	tp_log_reader_close(rd);
	tp_log_prod_free(p);
	lt_rmdir(dir);
}
END_TEST

/* After the logger stopped, a replay producer facing a full ring gives up (a drop) instead
 * of waiting forever. */
START_TEST(replay_gives_up_after_stop)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p = tp_log_prod_create("late", 1, 2, TP_LOG_REPLAY, PF);
	struct tp_logger_cfg c = logger_cfg(dir, 0);
	struct tp_logger *lg = start(&c, &p, 1);
	ck_assert_int_eq(tp_logger_stop(lg, NULL), 0);
	struct tp_event ev = mk_event(0);
	ck_assert_int_eq(tp_log_event(p, &ev), 0);
	ck_assert_int_eq(tp_log_event(p, &ev), 0);
	ck_assert_int_eq(tp_log_event(p, &ev), -ENOBUFS);
	ck_assert_uint_eq(tp_log_prod_drops(p), 1);
	tp_log_prod_free(p);
	lt_rmdir(dir);
}
END_TEST

/* A slot no valid record fits (a producer bug) is counted and skipped, not written. */
START_TEST(bad_slot_skipped)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p = tp_log_prod_create("bad", 1, 8, TP_LOG_REPLAY, PF);
	struct tp_log_slot *s = tp_log_reserve(p, 200);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(s->hdr.len, 0);
	tp_log_commit(p);
	s = tp_log_reserve(p, TP_LOG_ORDER);
	s->hdr.len = 90; /* wrong for an order */
	tp_log_commit(p);
	struct tp_event ev = mk_event(5);
	ck_assert_int_eq(tp_log_event(p, &ev), 0);
	struct tp_logger_cfg c = logger_cfg(dir, 0);
	struct tp_logger *lg = start(&c, &p, 1);
	struct tp_logger_stats st;
	ck_assert_int_eq(tp_logger_stop(lg, &st), 0);
	ck_assert_uint_eq(st.bad_slots, 2);
	ck_assert_uint_eq(st.records, 1);
	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
	ck_assert_uint_eq(r.hdr.seq, 0);
	check_ev(&r, 5);
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	tp_log_reader_close(rd);
	tp_log_prod_free(p);
	lt_rmdir(dir);
}
END_TEST

/* Round-robin in bursts: with every ring filled before the start, the order on disk is
 * exactly `burst` from each ring in turn. */
START_TEST(round_robin_bursts)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p[3];
	for (unsigned k = 0; k < 3; k++) {
		p[k] = tp_log_prod_create("rr", (uint8_t)(k + 1), 1024, TP_LOG_REPLAY, PF);
		for (uint64_t i = 0; i < 1000; i++) {
			struct tp_event ev = mk_event(k * 10000 + i);
			ck_assert_int_eq(tp_log_event(p[k], &ev), 0);
		}
	}
	struct tp_logger_cfg c = logger_cfg(dir, 0);
	c.burst = 256;
	struct tp_logger *lg = start(&c, p, 3);
	ck_assert_int_eq(tp_logger_stop(lg, NULL), 0);
	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	uint64_t next[3] = {0, 0, 0};
	for (unsigned round = 0; round < 4; round++)
		for (unsigned k = 0; k < 3; k++) {
			uint64_t take = round < 3 ? 256 : 1000 - 3 * 256;
			for (uint64_t j = 0; j < take; j++) {
				ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
				ck_assert_uint_eq(r.hdr.producer, k + 1);
				check_ev(&r, k * 10000 + next[k]++);
			}
		}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	tp_log_reader_close(rd);
	for (unsigned k = 0; k < 3; k++)
		tp_log_prod_free(p[k]);
	lt_rmdir(dir);
}
END_TEST

/* With stats_ms set, the last record is the logger's final stats record, exact. */
START_TEST(final_stats_record)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p = tp_log_prod_create("st", 1, 64, TP_LOG_REPLAY, PF);
	struct tp_logger_cfg c = logger_cfg(dir, 0);
	c.stats_ms = 3600000; /* only the final one within this test */
	struct tp_logger *lg = start(&c, &p, 1);
	for (uint64_t i = 0; i < 50; i++) {
		struct tp_event ev = mk_event(i);
		ck_assert_int_eq(tp_log_event(p, &ev), 0);
	}
	struct tp_logger_stats st;
	ck_assert_int_eq(tp_logger_stop(lg, &st), 0);
	ck_assert_uint_eq(st.records, 51);
	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	for (uint64_t i = 0; i < 50; i++)
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
	ck_assert_uint_eq(r.hdr.type, TP_LOG_STATS);
	ck_assert_uint_eq(r.hdr.producer, TP_LOG_PRODUCER_LOGGER);
	ck_assert_uint_eq(r.u.stats.source, TP_LOG_STATS_LOGGER);
	ck_assert_uint_eq(r.u.stats.count, TP_LOG_LSTAT_COUNT);
	ck_assert_uint_eq(r.u.stats.counters[TP_LOG_LSTAT_RECORDS], 50);
	ck_assert_uint_eq(r.u.stats.counters[TP_LOG_LSTAT_BYTES], 50 * 96);
	ck_assert_uint_eq(r.u.stats.counters[TP_LOG_LSTAT_SEGMENTS], 1);
	ck_assert_uint_eq(r.u.stats.counters[TP_LOG_LSTAT_DROPS], 0);
	ck_assert_uint_eq(r.u.stats.counters[TP_LOG_LSTAT_BAD_SLOTS], 0);
	ck_assert_uint_eq(r.u.stats.counters[TP_LOG_LSTAT_WRITE_ERRORS], 0);
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	tp_log_reader_close(rd);
	tp_log_prod_free(p);
	lt_rmdir(dir);
}
END_TEST

START_TEST(start_errors)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p[2];
	p[0] = tp_log_prod_create("a", 1, 8, TP_LOG_REPLAY, PF);
	p[1] = tp_log_prod_create("b", 1, 8, TP_LOG_REPLAY, PF);
	struct tp_logger_cfg c = logger_cfg(dir, 0);
	char err[256];
	ck_assert_ptr_null(tp_logger_start(&c, p, 0, err, sizeof(err)));
	ck_assert_str_eq(err, "logger needs 1..254 producers, got 0");
	ck_assert_ptr_null(tp_logger_start(&c, p, 2, err, sizeof(err)));
	ck_assert_str_eq(err, "producers 0 and 1 share id 1");
	tp_log_prod_free(p[1]);
	p[1] = tp_log_prod_create("c", 255, 8, TP_LOG_REPLAY, PF);
	ck_assert_ptr_null(tp_logger_start(&c, p, 2, err, sizeof(err)));
	ck_assert_str_eq(err, "producer 1: missing or uses the logger's id 255");
	ck_assert_ptr_null(tp_log_prod_create("d", 1, 6, TP_LOG_REPLAY, PF)); /* not a power of 2 */
	ck_assert_ptr_null(tp_log_prod_create("e", 1, 8, (enum tp_log_mode)7, PF));
	tp_log_prod_free(p[0]);
	tp_log_prod_free(p[1]);
	lt_rmdir(dir);
}
END_TEST

/* ---- kill -9 ------------------------------------------------------------------------ */

#define KILL_AFTER 100000u /* durable records the parent waits for before the kill */

static void child_writer(const char *dir, int wfd)
{
	struct tp_log_prod *p = tp_log_prod_create("k9", 1, 4096, TP_LOG_REPLAY, PF);
	struct tp_logger_cfg c;
	memset(&c, 0, sizeof(c));
	c.w.dir = dir;
	c.w.segment_bytes = 1 << 20;   /* rotations during the run, too */
	c.w.flush_ms = 2;
	c.w.flush_bytes = 256 << 10;
	char err[256];
	struct tp_logger *lg = tp_logger_start(&c, &p, 1, err, sizeof(err));
	if (!lg)
		_exit(3);
	struct tp_logger_stats st;
	for (uint64_t i = 0;; i++) {
		if (i < 4000000) {
			struct tp_event ev = mk_event(i);
			if (tp_log_event(p, &ev) != 0)
				_exit(4);
		} else {
			struct timespec d = {0, 1000000};
			nanosleep(&d, NULL);
		}
		if ((i & 1023) == 0) {
			/* what is durable now: the parent's lower bound for what must survive */
			tp_logger_get_stats(lg, &st);
			if (write(wfd, &st.durable_seq, sizeof(st.durable_seq)) != sizeof(st.durable_seq))
				_exit(5);
		}
	}
}

START_TEST(kill9_keeps_everything_flushed)
{
	char *dir = lt_mkdtemp();
	int pfd[2];
	ck_assert_int_eq(pipe(pfd), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(pfd[0]);
		child_writer(dir, pfd[1]);
	}
	close(pfd[1]);
	uint64_t v, reported = 0;
	while (reported < KILL_AFTER) {
		ssize_t n = read(pfd[0], &v, sizeof(v));
		ck_assert_msg(n == sizeof(v), "child stopped reporting (read %zd)", n);
		ck_assert_uint_ge(v, reported);
		reported = v;
	}
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	/* everything it reported before it died counts: drain the pipe */
	while (read(pfd[0], &v, sizeof(v)) == sizeof(v)) {
		ck_assert_uint_ge(v, reported);
		reported = v;
	}
	close(pfd[0]);

	/* a contiguous prefix 0..K-1 of what was written, K >= what was reported durable */
	struct tp_log_reader *rd = open_reader(dir);
	struct tp_log_slot r;
	uint64_t k = 0;
	int rc;
	while ((rc = tp_log_reader_next(rd, &r)) == 1) {
		ck_assert_uint_eq(r.hdr.seq, k);
		check_ev(&r, k);
		k++;
	}
	ck_assert_msg(rc == 0, "reader: %s", tp_log_reader_error(rd));
	ck_assert_uint_ge(k, reported);
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_le(st.torn_tails, 1);
	ck_assert_uint_eq(st.runs, 1);
	tp_log_reader_close(rd);
	lt_rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log-logger");
	TCase *tc = tcase_create("logger");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, roundtrip_through_logger);
	tcase_add_test(tc, rotation_through_logger);
	tcase_add_test(tc, tsc_sources);
	tcase_add_test(tc, backpressure_loses_nothing);
	tcase_add_test(tc, live_drops_counted_exactly);
	tcase_add_test(tc, replay_gives_up_after_stop);
	tcase_add_test(tc, bad_slot_skipped);
	tcase_add_test(tc, round_robin_bursts);
	tcase_add_test(tc, final_stats_record);
	tcase_add_test(tc, start_errors);
	tcase_add_test(tc, kill9_keeps_everything_flushed);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
