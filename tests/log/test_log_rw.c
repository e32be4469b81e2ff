/* The segment writer and the reader, with no threads: round trips of every record type,
 * rotation, the flush policy, corruption (error naming segment and offset), torn tails, and
 * follow mode across rotations and runs. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log_test_util.h"
#include "tp_logclock.h"
#include "tp_logreader.h"
#include "tp_logwriter.h"

#define EV_LEN 96 /* 32-byte header + 64-byte event */
#define SEG10 (TP_LOG_SEG_HDR_SIZE + 10 * EV_LEN) /* segment size holding exactly 10 events */

/* Writes n events lt_event(0..n-1) with the given segment size; returns the writer stats. */
static struct tp_log_writer_stats write_events(const char *dir, uint64_t seg_bytes, unsigned n)
{
	struct tp_log_writer_cfg c = lt_cfg(dir, seg_bytes);
	struct tp_log_writer *w = lt_open(&c);
	for (unsigned i = 0; i < n; i++) {
		struct tp_log_slot s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	struct tp_log_writer_stats st;
	ck_assert_int_eq(tp_log_writer_close(w, &st), 0);
	return st;
}

static struct tp_log_reader *open_reader(const char *path, unsigned flags)
{
	struct tp_log_reader *rd;
	char err[512];
	int rc = tp_log_reader_open(&rd, &path, 1, flags, err, sizeof(err));
	ck_assert_msg(rc == 0, "reader: %s", err);
	return rd;
}

/* Checks a record is lt_event(i) with log seq i, byte for byte. */
static void check_event(const struct tp_log_slot *r, uint64_t i)
{
	struct tp_log_slot want = lt_event(i);
	ck_assert_uint_eq(r->hdr.seq, i);
	ck_assert_uint_eq(r->hdr.type, TP_LOG_EVENT);
	ck_assert_uint_eq(r->hdr.len, EV_LEN);
	ck_assert_uint_eq(r->hdr.producer, 1);
	ck_assert_uint_eq(r->hdr.exch_ns, want.hdr.exch_ns);
	ck_assert_uint_eq(r->hdr.tsc, want.hdr.tsc);
	ck_assert_uint_eq(r->hdr.crc, tp_log_rec_crc(r, r->hdr.len));
	ck_assert_msg(memcmp(&r->u, &want.u, sizeof(r->u)) == 0, "payload of record %llu",
		      (unsigned long long)i);
}

/* Reads events until the end or an error; checks each; returns the count and the code. */
static unsigned read_events(struct tp_log_reader *rd, int *rc_out)
{
	struct tp_log_slot r;
	unsigned n = 0;
	int rc;
	while ((rc = tp_log_reader_next(rd, &r)) == 1)
		check_event(&r, n++);
	*rc_out = rc;
	return n;
}

/* ---- round trips -------------------------------------------------------------------- */

static void fill_all_types(struct tp_log_slot *v, unsigned *n)
{
	unsigned k = 0;
	memset(v, 0, 16 * sizeof(*v));
#define NEXT(T, plen)                                                                     \
	(v[k].hdr.type = (T), v[k].hdr.len = (uint16_t)(TP_LOG_REC_HDR_SIZE + (plen)),      \
	 v[k].hdr.producer = (uint8_t)(10 + k), v[k].hdr.exch_ns = 34200000000000ull + k,   \
	 v[k].hdr.tsc = LT_TSC0 + 1000 * k, &v[k++].u)
	*NEXT(TP_LOG_EVENT, 64) = (union tp_log_payload){.event = {
		.kind = TP_EV_REPLACE, .msg_type = 'U', .side = 'S', .flags = 3,
		.stock_locate = 65535, .feed_id = 7, .exch_ts_ns = UINT64_MAX - 1,
		.rx_tsc = 0x0123456789abcdefull, .seq = 1ull << 63, .order_ref = 987654321,
		.price = UINT32_MAX, .qty = 1, .bid_px = 2, .bid_qty = 3, .ask_px = 4, .ask_qty = 5}};
	*NEXT(TP_LOG_ALERT, 56) = (union tp_log_payload){.alert = {
		.rule = 17, .stock_locate = 9, .feed_id = 1, .event_seq = 55, .value = INT64_MIN,
		.limit = INT64_MAX, .name = "spread-blowout-rule-24ch"}};
	*NEXT(TP_LOG_HALT, 56) = (union tp_log_payload){.halt = {
		.state = TP_LOG_HALT_HALTED, .scope = TP_LOG_SCOPE_SYMBOL, .stock_locate = 9,
		.rule = 17, .epoch = 4, .reason = 2, .event_seq = 55, .trigger_tsc = 999,
		.source = "rule:spread"}};
	*NEXT(TP_LOG_ORDER, 32) = (union tp_log_payload){.order = {
		.client_id = 1, .order_ref = 2, .stock_locate = 9, .side = 'B', .action = 'N',
		.price = 1500000, .qty = 100, .strategy = 3}};
	*NEXT(TP_LOG_FILL, 32) = (union tp_log_payload){.fill = {
		.client_id = 1, .match_id = 77, .stock_locate = 9, .side = 'B', .liquidity = 'R',
		.price = 1499900, .qty = 40, .leaves = 60}};
	*NEXT(TP_LOG_REJECT, 48) = (union tp_log_payload){.reject = {
		.client_id = 5, .stock_locate = 9, .side = 'S', .source = 'K', .reason = 1,
		.price = 10, .qty = 20, .text = "halted"}};
	union tp_log_payload *p = NEXT(TP_LOG_STATS, 96);
	p->stats.source = 42;
	p->stats.count = TP_LOG_STATS_MAX;
	p->stats.interval_ms = 1000;
	for (int i = 0; i < TP_LOG_STATS_MAX; i++)
		p->stats.counters[i] = (uint64_t)i * 1000003u;
	*NEXT(TP_LOG_AUDIT, 96) = (union tp_log_payload){.audit = {
		.uid = 1000, .gid = 100, .pid = -1, .result = -13, .command = "resume",
		.args = "--scope global --reason ops-desk-confirmed-by-phone"}};
	p = NEXT(TP_LOG_NOTE, 0); /* empty note */
	p = NEXT(TP_LOG_NOTE, 11);
	memcpy(p->note, "hello world", 11);
	p = NEXT(TP_LOG_NOTE, 96); /* full slot, no terminator */
	for (int i = 0; i < 96; i++)
		p->note[i] = (char)('a' + i % 26);
	*NEXT(TP_LOG_DROP, 24) = (union tp_log_payload){.drop = {
		.producer = 3, .total = 1000, .since_last = 10}};
	*NEXT(TP_LOG_SYMBOL, 16) = (union tp_log_payload){.symbol = {
		.stock_locate = 9, .feed_id = 1, .symbol = "AAPL    "}};
#undef NEXT
	*n = k;
}

START_TEST(roundtrip_every_type)
{
	char *dir = lt_mkdtemp();
	struct tp_log_slot v[16];
	unsigned n;
	fill_all_types(v, &n);
	ck_assert_uint_eq(n, 13);
	/* every type this version knows is in the set */
	for (unsigned t = 1; t < TP_LOG_NTYPES; t++) {
		int found = 0;
		for (unsigned i = 0; i < n; i++)
			found |= v[i].hdr.type == t;
		ck_assert_msg(found, "type %u missing from the round trip", t);
	}

	struct tp_log_writer_cfg c = lt_cfg(dir, 0);
	struct tp_log_writer *w = lt_open(&c);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(tp_log_writer_append(w, &v[i]), 0);
	struct tp_log_writer_stats ws;
	ck_assert_int_eq(tp_log_writer_close(w, &ws), 0);
	ck_assert_uint_eq(ws.records, n);
	ck_assert_uint_eq(ws.segments, 1);
	ck_assert_uint_eq(ws.durable_seq, n);

	struct tp_log_reader *rd = open_reader(dir, 0);
	struct tp_log_slot r;
	for (unsigned i = 0; i < n; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		ck_assert_uint_eq(r.hdr.seq, i);
		ck_assert_uint_eq(r.hdr.type, v[i].hdr.type);
		ck_assert_uint_eq(r.hdr.len, v[i].hdr.len);
		ck_assert_uint_eq(r.hdr.producer, v[i].hdr.producer);
		ck_assert_uint_eq(r.hdr.exch_ns, v[i].hdr.exch_ns);
		ck_assert_uint_eq(r.hdr.tsc, v[i].hdr.tsc);
		ck_assert_uint_eq(r.hdr.crc, tp_log_rec_crc(&r, r.hdr.len));
		/* the payload exactly, and nothing after it (a short note leaves zeros) */
		ck_assert_msg(memcmp(&r.u, &v[i].u, sizeof(r.u)) == 0, "record %u payload", i);
		const struct tp_log_seg_hdr *sh = tp_log_reader_seg(rd);
		ck_assert_ptr_nonnull(sh);
		/* 1 GHz anchored at LT_TSC0: record i's wall time is run + 1000 i ns */
		ck_assert_uint_eq(tp_log_wall_ns(sh, r.hdr.tsc), LT_RUN_ID + 1000ull * i);
	}
	/* a few fields by name, so a layout slip cannot cancel out in the memcmp */
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_eq(st.records, n);
	ck_assert_uint_eq(st.by_type[TP_LOG_NOTE], 3);
	ck_assert_uint_eq(st.by_type[TP_LOG_EVENT], 1);
	ck_assert_uint_eq(st.segments, 1);
	ck_assert_uint_eq(st.runs, 1);
	ck_assert_uint_eq(st.torn_tails, 0);
	tp_log_reader_close(rd);

	/* the event and the audit record field by field */
	rd = open_reader(dir, 0);
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
	ck_assert_uint_eq(r.u.event.kind, TP_EV_REPLACE);
	ck_assert_uint_eq(r.u.event.stock_locate, 65535);
	ck_assert_uint_eq(r.u.event.exch_ts_ns, UINT64_MAX - 1);
	ck_assert_uint_eq(r.u.event.rx_tsc, 0x0123456789abcdefull);
	ck_assert_uint_eq(r.u.event.seq, 1ull << 63);
	ck_assert_uint_eq(r.u.event.price, UINT32_MAX);
	ck_assert_uint_eq(r.u.event.ask_qty, 5);
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
	ck_assert_uint_eq(r.hdr.type, TP_LOG_AUDIT);
	ck_assert_uint_eq(r.u.audit.uid, 1000);
	ck_assert_uint_eq(r.u.audit.gid, 100);
	ck_assert_int_eq(r.u.audit.pid, -1);
	ck_assert_int_eq(r.u.audit.result, -13);
	ck_assert_str_eq(r.u.audit.command, "resume");
	ck_assert_int_eq(memcmp(r.u.audit.args, "--scope global --reason ops-desk-confirmed-by-phone",
				51), 0);
	tp_log_reader_close(rd);
	lt_rmdir(dir);
}
END_TEST

START_TEST(writer_rejects_invalid_slots)
{
	char *dir = lt_mkdtemp();
	struct tp_log_writer_cfg c = lt_cfg(dir, 0);
	struct tp_log_writer *w = lt_open(&c);
	struct tp_log_slot s = lt_event(0);
	s.hdr.len = 50;
	ck_assert_int_eq(tp_log_writer_append(w, &s), -EINVAL);
	s.hdr.type = 0;
	s.hdr.len = 96;
	ck_assert_int_eq(tp_log_writer_append(w, &s), -EINVAL);
	s.hdr.type = TP_LOG_NTYPES;
	ck_assert_int_eq(tp_log_writer_append(w, &s), -EINVAL);
	s.hdr.type = TP_LOG_NOTE;
	s.hdr.len = 129;
	ck_assert_int_eq(tp_log_writer_append(w, &s), -EINVAL);
	s.hdr.len = 31;
	ck_assert_int_eq(tp_log_writer_append(w, &s), -EINVAL);
	s.hdr.len = 32;
	ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	struct tp_log_writer_stats ws;
	ck_assert_int_eq(tp_log_writer_close(w, &ws), 0);
	ck_assert_uint_eq(ws.records, 1);
	ck_assert_uint_eq(ws.bytes, 32);
	lt_rmdir(dir);
}
END_TEST

/* ---- names, clocks ------------------------------------------------------------------ */

START_TEST(segment_names)
{
	char buf[96];
	ck_assert_int_eq(tp_log_seg_name(buf, sizeof(buf), LT_RUN_ID, 0), (int)strlen(LT_SEG0));
	ck_assert_str_eq(buf, LT_SEG0);
	ck_assert_int_gt(tp_log_seg_name(buf, sizeof(buf), 1700000000123456789ull, 1234567), 0);
	ck_assert_str_eq(buf, "tickpipe-20231114T221320.123456789Z-1234567.tplog");
	uint64_t run;
	uint32_t seg;
	ck_assert_int_eq(tp_log_seg_parse_name(buf, &run, &seg), 0);
	ck_assert_uint_eq(run, 1700000000123456789ull);
	ck_assert_uint_eq(seg, 1234567);
	ck_assert_int_eq(tp_log_seg_parse_name(LT_SEG0, &run, &seg), 0);
	ck_assert_uint_eq(run, LT_RUN_ID);
	ck_assert_uint_eq(seg, 0);
	ck_assert_int_eq(tp_log_seg_parse_name("tickpipe-20231114T221320.000000000Z-000000.tplogx",
					       &run, &seg), -1);
	ck_assert_int_eq(tp_log_seg_parse_name("tickpipe-2023.tplog", &run, &seg), -1);
	ck_assert_int_eq(tp_log_seg_parse_name("other-20231114T221320.000000000Z-000000.tplog",
					       &run, &seg), -1);
	ck_assert_int_eq(tp_log_seg_name(buf, 20, LT_RUN_ID, 0), -1);

	ck_assert_str_eq(tp_log_type_name(TP_LOG_EVENT), "event");
	ck_assert_str_eq(tp_log_type_name(TP_LOG_SYMBOL), "symbol");
	ck_assert_ptr_null(tp_log_type_name(0));
	ck_assert_ptr_null(tp_log_type_name(TP_LOG_NTYPES));
	ck_assert_uint_eq(tp_log_type_from_name("HALT"), TP_LOG_HALT);
	ck_assert_uint_eq(tp_log_type_from_name("audit"), TP_LOG_AUDIT);
	ck_assert_uint_eq(tp_log_type_from_name("9"), TP_LOG_NOTE);
	ck_assert_uint_eq(tp_log_type_from_name("0"), 0);
	ck_assert_uint_eq(tp_log_type_from_name("256"), 0);
	ck_assert_uint_eq(tp_log_type_from_name("events"), 0);
}
END_TEST

START_TEST(wall_time)
{
	struct tp_log_seg_hdr h;
	memset(&h, 0, sizeof(h));
	h.created_ns = 1700000000000000000ull;
	h.created_tsc = 3000000000ull;
	h.tsc_hz = 3000000000ull; /* 3 GHz */
	ck_assert_uint_eq(tp_log_wall_ns(&h, 3000000000ull), 1700000000000000000ull);
	ck_assert_uint_eq(tp_log_wall_ns(&h, 6000000000ull), 1700000001000000000ull);
	/* before the anchor: a record reserved before its segment was created */
	ck_assert_uint_eq(tp_log_wall_ns(&h, 2999997000ull), 1699999999999999000ull);
	/* ten hours of ticks: needs more than 64 bits in the middle */
	ck_assert_uint_eq(tp_log_wall_ns(&h, 3000000000ull + 108000000000000ull),
			  1700036000000000000ull);
	ck_assert_uint_eq(tp_log_wall_ns(&h, 0), 0);
	h.tsc_hz = 0;
	ck_assert_uint_eq(tp_log_wall_ns(&h, 6000000000ull), 0);
	ck_assert_uint_eq(tp_log_wall_ns(NULL, 6000000000ull), 0);
	/* the calibrated TSC rate is plausible: 100 MHz .. 10 GHz */
	uint64_t hz = tp_log_tsc_hz();
	ck_assert_uint_gt(hz, 100000000ull);
	ck_assert_uint_lt(hz, 10000000000ull);
}
END_TEST

/* ---- rotation ----------------------------------------------------------------------- */

START_TEST(rotation_exact)
{
	char *dir = lt_mkdtemp();
	struct tp_log_writer_stats ws = write_events(dir, SEG10, 95);
	ck_assert_uint_eq(ws.segments, 10);
	ck_assert_uint_eq(ws.records, 95);
	ck_assert_uint_eq(ws.bytes, 95 * EV_LEN);

	unsigned nf;
	char **files = lt_list(dir, &nf);
	ck_assert_uint_eq(nf, 10);
	for (unsigned i = 0; i < nf; i++) {
		char want[96];
		snprintf(want, sizeof(want), "%s/tickpipe-20231114T221320.000000000Z-%06u.tplog", dir,
			 i);
		ck_assert_str_eq(files[i], want);
		ck_assert_int_eq(lt_size(files[i]), i < 9 ? SEG10 : TP_LOG_SEG_HDR_SIZE + 5 * EV_LEN);
		struct tp_log_seg_hdr h;
		FILE *f = fopen(files[i], "rb");
		ck_assert_uint_eq(fread(&h, sizeof(h), 1, f), 1);
		fclose(f);
		ck_assert_int_eq(memcmp(h.magic, "TPLOGSEG", 8), 0);
		ck_assert_uint_eq(h.version, 1);
		ck_assert_uint_eq(h.hdr_size, 64);
		ck_assert_uint_eq(h.segno, i);
		ck_assert_uint_eq(h.run_id, LT_RUN_ID);
		ck_assert_uint_eq(h.created_ns, LT_RUN_ID);
		ck_assert_uint_eq(h.created_tsc, LT_TSC0);
		ck_assert_uint_eq(h.tsc_hz, LT_TSC_HZ);
		ck_assert_uint_eq(h.first_seq, 10 * i);
		ck_assert_uint_eq(h.flags, 0);
		ck_assert_uint_eq(h.crc, tp_log_seg_hdr_crc(&h));
	}

	/* in order across segments, whether given the directory or the files out of order */
	struct tp_log_reader *rd = open_reader(dir, 0);
	int rc;
	ck_assert_uint_eq(read_events(rd, &rc), 95);
	ck_assert_int_eq(rc, 0);
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_eq(st.segments, 10);
	ck_assert_uint_eq(st.runs, 1);
	ck_assert_uint_eq(st.torn_tails, 0);
	tp_log_reader_close(rd);

	const char *rev[10];
	for (unsigned i = 0; i < 10; i++)
		rev[i] = files[9 - i];
	char err[256];
	ck_assert_int_eq(tp_log_reader_open(&rd, rev, 10, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(read_events(rd, &rc), 95);
	ck_assert_int_eq(rc, 0);
	tp_log_reader_close(rd);

	/* a directory and a file in it: the file is not read twice */
	const char *both[2] = {files[3], dir};
	ck_assert_int_eq(tp_log_reader_open(&rd, both, 2, 0, err, sizeof(err)), 0);
	ck_assert_uint_eq(read_events(rd, &rc), 95);
	ck_assert_int_eq(rc, 0);
	tp_log_reader_close(rd);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

/* A limit that is not a whole number of records: each segment takes what fits. */
START_TEST(rotation_uneven_limit)
{
	char *dir = lt_mkdtemp();
	/* (1000 - 64) / 96 = 9 records per segment; 95 records = 10 x 9 + 5 */
	struct tp_log_writer_stats ws = write_events(dir, 1000, 95);
	ck_assert_uint_eq(ws.segments, 11);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	ck_assert_uint_eq(nf, 11);
	for (unsigned i = 0; i < nf; i++)
		ck_assert_int_eq(lt_size(files[i]), TP_LOG_SEG_HDR_SIZE + (i < 10 ? 9 : 5) * EV_LEN);
	lt_free_list(files, nf);
	/* below the minimum (header + one full slot) the limit is raised to it */
	char *dir2 = lt_mkdtemp();
	ws = write_events(dir2, 1, 4);
	ck_assert_uint_eq(ws.segments, 4);
	lt_rmdir(dir2);
	lt_rmdir(dir);
}
END_TEST

/* ---- flush policy ------------------------------------------------------------------- */

static unsigned count_readable(const char *dir)
{
	struct tp_log_reader *rd = open_reader(dir, 0);
	struct tp_log_slot r;
	unsigned n = 0;
	int rc;
	while ((rc = tp_log_reader_next(rd, &r)) == 1)
		n++;
	ck_assert_int_eq(rc, 0);
	tp_log_reader_close(rd);
	return n;
}

START_TEST(flush_policy)
{
	char *dir = lt_mkdtemp();
	struct tp_log_writer_stats ws;

	/* by size: every 10 records' worth of bytes */
	struct tp_log_writer_cfg c = lt_cfg(dir, 0);
	c.flush_bytes = 10 * EV_LEN;
	c.flush_ms = 0;
	struct tp_log_writer *w = lt_open(&c);
	for (unsigned i = 0; i < 25; i++) {
		struct tp_log_slot s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	tp_log_writer_get_stats(w, &ws);
	ck_assert_uint_eq(ws.flushes, 2);
	ck_assert_uint_eq(ws.durable_seq, 20);
	ck_assert_uint_eq(count_readable(dir), 20); /* the other 5 sit in the buffer */
	ck_assert_int_eq(tp_log_writer_close(w, &ws), 0);
	ck_assert_uint_eq(ws.durable_seq, 25);
	ck_assert_uint_eq(count_readable(dir), 25);
	lt_rmdir(dir);

	/* every batch: both 0 */
	dir = lt_mkdtemp();
	c = lt_cfg(dir, 0);
	w = lt_open(&c);
	for (unsigned i = 0; i < 3; i++) {
		struct tp_log_slot s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_uint_eq(count_readable(dir), 0);
	uint64_t now = tp_log_clock_ns(CLOCK_MONOTONIC);
	ck_assert_int_eq(tp_log_writer_batch_end(w, now), 0);
	tp_log_writer_get_stats(w, &ws);
	ck_assert_uint_eq(ws.flushes, 1);
	ck_assert_uint_eq(ws.durable_seq, 3);
	ck_assert_uint_eq(count_readable(dir), 3);
	ck_assert_int_eq(tp_log_writer_batch_end(w, now), 0); /* nothing new: no flush */
	tp_log_writer_get_stats(w, &ws);
	ck_assert_uint_eq(ws.flushes, 1);
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	lt_rmdir(dir);

	/* by time: not before flush_ms has passed since the last flush, then yes */
	dir = lt_mkdtemp();
	c = lt_cfg(dir, 0);
	c.flush_ms = 60000;
	w = lt_open(&c);
	struct tp_log_slot s = lt_event(0);
	ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	now = tp_log_clock_ns(CLOCK_MONOTONIC);
	ck_assert_int_eq(tp_log_writer_batch_end(w, now), 0);
	tp_log_writer_get_stats(w, &ws);
	ck_assert_uint_eq(ws.flushes, 0);
	ck_assert_int_eq(tp_log_writer_batch_end(w, now + 61000000000ull), 0);
	tp_log_writer_get_stats(w, &ws);
	ck_assert_uint_eq(ws.flushes, 1);
	ck_assert_uint_eq(ws.durable_seq, 1);
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	lt_rmdir(dir);

	/* a small write buffer reaches the file as it fills, flush or not */
	dir = lt_mkdtemp();
	c = lt_cfg(dir, 0);
	c.buf_bytes = 4 * EV_LEN;
	c.flush_ms = 60000;
	w = lt_open(&c);
	for (unsigned i = 0; i < 10; i++) {
		s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_uint_eq(count_readable(dir), 8);
	tp_log_writer_get_stats(w, &ws);
	ck_assert_uint_eq(ws.flushes, 0);
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	lt_rmdir(dir);
}
END_TEST

START_TEST(writer_open_errors)
{
	char *dir = lt_mkdtemp();
	char sub[600], err[256];
	/* one missing level is created */
	snprintf(sub, sizeof(sub), "%s/new", dir);
	struct tp_log_writer_cfg c = lt_cfg(sub, 0);
	struct tp_log_writer *w = lt_open(&c);
	ck_assert_str_eq(tp_log_writer_segment(w), LT_SEG0);
	ck_assert_uint_eq(tp_log_writer_run_id(w), LT_RUN_ID);
	ck_assert_str_eq(tp_log_writer_error(w), "");
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	/* the same fixed run again: refused, never overwritten */
	ck_assert_ptr_null(tp_log_writer_open(&c, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "File exists"));
	char p[700];
	snprintf(p, sizeof(p), "%s/%s", sub, LT_SEG0);
	ck_assert_int_eq(unlink(p), 0);
	ck_assert_int_eq(rmdir(sub), 0);
	/* two missing levels are not */
	snprintf(sub, sizeof(sub), "%s/a/b", dir);
	c.dir = sub;
	ck_assert_ptr_null(tp_log_writer_open(&c, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "No such file or directory"));
	c.dir = "";
	ck_assert_ptr_null(tp_log_writer_open(&c, err, sizeof(err)));
	ck_assert_str_eq(err, "no log directory given");
	lt_rmdir(dir);
}
END_TEST

/* ---- corruption --------------------------------------------------------------------- */

/* Opens dir, reads events until an error, checks there were `good` before it. */
static struct tp_log_reader *read_to_error(const char *dir, unsigned good, int want_rc)
{
	struct tp_log_reader *rd = open_reader(dir, 0);
	int rc;
	ck_assert_uint_eq(read_events(rd, &rc), good);
	ck_assert_int_eq(rc, want_rc);
	return rd;
}

START_TEST(corruption_crc_mid_segment)
{
	char *dir = lt_mkdtemp();
	write_events(dir, SEG10, 30);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	ck_assert_uint_eq(nf, 3);
	/* a payload byte of record 5 of segment 1 */
	long long rec_off = TP_LOG_SEG_HDR_SIZE + 5 * EV_LEN;
	lt_flip(files[1], rec_off + 50);
	struct tp_log_reader *rd = read_to_error(dir, 15, -EBADMSG);
	struct tp_log_pos pos;
	tp_log_reader_pos(rd, &pos);
	ck_assert_str_eq(pos.path, files[1]);
	ck_assert_uint_eq(pos.segno, 1);
	ck_assert_uint_eq(pos.offset, 544);
	char want[700];
	snprintf(want, sizeof(want), "%s: offset 544: CRC mismatch (stored 0x", files[1]);
	ck_assert_msg(strncmp(tp_log_reader_error(rd), want, strlen(want)) == 0, "got: %s",
		      tp_log_reader_error(rd));
	/* sticky */
	struct tp_log_slot r;
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EBADMSG);
	tp_log_reader_close(rd);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

/* In the last segment too: a bad record with good ones after it is not a tail. */
START_TEST(corruption_crc_last_segment)
{
	char *dir = lt_mkdtemp();
	write_events(dir, SEG10, 25);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	lt_flip(files[2], TP_LOG_SEG_HDR_SIZE + 2 * EV_LEN + 40);
	struct tp_log_reader *rd = read_to_error(dir, 22, -EBADMSG);
	struct tp_log_pos pos;
	tp_log_reader_pos(rd, &pos);
	ck_assert_str_eq(pos.path, files[2]);
	ck_assert_uint_eq(pos.offset, TP_LOG_SEG_HDR_SIZE + 2 * EV_LEN);
	tp_log_reader_close(rd);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

START_TEST(corruption_bad_length)
{
	char *dir = lt_mkdtemp();
	write_events(dir, SEG10, 25);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	/* the high byte of record 3's length: 96 becomes 0x4060 */
	lt_flip(files[0], TP_LOG_SEG_HDR_SIZE + 3 * EV_LEN + 5);
	struct tp_log_reader *rd = read_to_error(dir, 3, -EBADMSG);
	char want[700];
	snprintf(want, sizeof(want), "%s: offset 352: bad record header (type 1, length 16480)",
		 files[0]);
	ck_assert_str_eq(tp_log_reader_error(rd), want);
	tp_log_reader_close(rd);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

START_TEST(corruption_segment_header)
{
	char *dir = lt_mkdtemp();
	write_events(dir, SEG10, 25);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	lt_flip(files[1], 20);
	struct tp_log_reader *rd;
	char err[700], want[700];
	const char *p = dir;
	ck_assert_int_eq(tp_log_reader_open(&rd, &p, 1, 0, err, sizeof(err)), -EBADMSG);
	snprintf(want, sizeof(want), "%s: offset 0: bad segment header (magic, version or CRC)",
		 files[1]);
	ck_assert_str_eq(err, want);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

START_TEST(corruption_missing_segment)
{
	char *dir = lt_mkdtemp();
	write_events(dir, SEG10, 25);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	ck_assert_int_eq(unlink(files[1]), 0);
	struct tp_log_reader *rd = read_to_error(dir, 10, -EBADMSG);
	char want[700];
	snprintf(want, sizeof(want), "%s: offset 0: segment 2 follows segment 0: 1 missing",
		 files[2]);
	ck_assert_str_eq(tp_log_reader_error(rd), want);
	tp_log_reader_close(rd);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

/* A segment that has a successor must end on a record boundary: a cut there is damage, not
 * a crash (the writer syncs a segment before it creates the next). */
START_TEST(corruption_truncated_inner_segment)
{
	char *dir = lt_mkdtemp();
	write_events(dir, SEG10, 25);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	lt_truncate(files[1], TP_LOG_SEG_HDR_SIZE + 7 * EV_LEN + 50);
	struct tp_log_reader *rd = read_to_error(dir, 17, -EBADMSG);
	char want[700];
	snprintf(want, sizeof(want),
		 "%s: offset 736: incomplete record, in a segment that has a successor", files[1]);
	ck_assert_str_eq(tp_log_reader_error(rd), want);
	tp_log_reader_close(rd);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

/* ---- torn tails --------------------------------------------------------------------- */

/* Cuts or damages the end of the last of 3 segments (10, 10, 5 events) and expects `good`
 * records then a clean end with one torn tail of `bytes` at `off`. */
static void expect_torn(const char *dir, const char *last, unsigned good, uint64_t off,
			uint64_t bytes)
{
	struct tp_log_reader *rd = open_reader(dir, 0);
	int rc;
	ck_assert_uint_eq(read_events(rd, &rc), good);
	ck_assert_int_eq(rc, 0);
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_eq(st.torn_tails, 1);
	ck_assert_uint_eq(st.torn_bytes, bytes);
	struct tp_log_pos pos;
	ck_assert_uint_eq(tp_log_reader_torn(rd, &pos), bytes);
	ck_assert_str_eq(pos.path, last);
	ck_assert_uint_eq(pos.offset, off);
	ck_assert_str_eq(tp_log_reader_error(rd), "");
	tp_log_reader_close(rd);
}

START_TEST(torn_tail_variants)
{
	const uint64_t rec4 = TP_LOG_SEG_HDR_SIZE + 4 * EV_LEN; /* last record of segment 2 */
	for (int variant = 0; variant < 5; variant++) {
		char *dir = lt_mkdtemp();
		write_events(dir, SEG10, 25);
		unsigned nf;
		char **files = lt_list(dir, &nf);
		ck_assert_uint_eq(nf, 3);
		switch (variant) {
		case 0: /* cut inside the payload */
			lt_truncate(files[2], (long long)rec4 + 50);
			expect_torn(dir, files[2], 24, rec4, 50);
			break;
		case 1: /* cut inside the header */
			lt_truncate(files[2], (long long)rec4 + 20);
			expect_torn(dir, files[2], 24, rec4, 20);
			break;
		case 2: /* the last record whole in size but not in content */
			lt_flip(files[2], (long long)rec4 + 70);
			expect_torn(dir, files[2], 24, rec4, EV_LEN);
			break;
		case 3: { /* zero fill after the last record */
			static const uint8_t zeros[4096];
			lt_append(files[2], zeros, sizeof(zeros));
			expect_torn(dir, files[2], 25, rec4 + EV_LEN, sizeof(zeros));
			break;
		}
		case 4: { /* a segment too short for its header: created, then the crash */
			char p[700];
			snprintf(p, sizeof(p), "%s/tickpipe-20231114T221320.000000000Z-000003.tplog",
				 dir);
			FILE *f = fopen(p, "wb");
			fwrite("TPLOGSEG\1", 1, 9, f);
			fclose(f);
			expect_torn(dir, p, 25, 0, 9);
			break;
		}
		}
		lt_free_list(files, nf);
		lt_rmdir(dir);
	}
}
END_TEST

/* A crashed run followed by a new run in the same directory: the first run's tail is torn,
 * the second is read in full after it. */
START_TEST(torn_tail_then_next_run)
{
	char *dir = lt_mkdtemp();
	write_events(dir, SEG10, 15);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	lt_truncate(files[1], TP_LOG_SEG_HDR_SIZE + 2 * EV_LEN + 33);
	lt_free_list(files, nf);

	struct tp_log_writer_cfg c = lt_cfg(dir, SEG10);
	c.fixed_run_id = LT_RUN_ID + 1;
	struct tp_log_writer *w = lt_open(&c);
	for (unsigned i = 0; i < 12; i++) {
		struct tp_log_slot s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);

	struct tp_log_reader *rd = open_reader(dir, 0);
	struct tp_log_slot r;
	for (unsigned i = 0; i < 12; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		check_event(&r, i);
	}
	for (unsigned i = 0; i < 12; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		check_event(&r, i);
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), 0);
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_eq(st.runs, 2);
	ck_assert_uint_eq(st.segments, 4);
	ck_assert_uint_eq(st.torn_tails, 1);
	ck_assert_uint_eq(st.torn_bytes, 33);
	tp_log_reader_close(rd);
	lt_rmdir(dir);
}
END_TEST

START_TEST(reader_open_errors)
{
	char *dir = lt_mkdtemp();
	struct tp_log_reader *rd;
	char err[1024], want[1024];
	const char *p = dir;
	ck_assert_int_eq(tp_log_reader_open(&rd, &p, 1, 0, err, sizeof(err)), -ENOENT);
	ck_assert_str_eq(err, "no tickpipe log segments (tickpipe-*.tplog) found");
	/* follow mode waits for them instead */
	ck_assert_int_eq(tp_log_reader_open(&rd, &p, 1, TP_LOG_RD_FOLLOW, err, sizeof(err)), 0);
	struct tp_log_slot r;
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);
	tp_log_reader_close(rd);
	char missing[700];
	snprintf(missing, sizeof(missing), "%s/nope", dir);
	p = missing;
	ck_assert_int_eq(tp_log_reader_open(&rd, &p, 1, 0, err, sizeof(err)), -ENOENT);
	snprintf(want, sizeof(want), "%s: No such file or directory", missing);
	ck_assert_str_eq(err, want);
	/* a file that is no segment */
	FILE *f = fopen(missing, "wb");
	fputs("hello", f);
	fclose(f);
	ck_assert_int_eq(tp_log_reader_open(&rd, &p, 1, 0, err, sizeof(err)), -EBADMSG);
	snprintf(want, sizeof(want), "%s: not a tickpipe log segment (5 bytes)", missing);
	ck_assert_str_eq(err, want);
	unlink(missing);
	lt_rmdir(dir);
}
END_TEST

/* ---- follow mode -------------------------------------------------------------------- */

START_TEST(follow_rotation_and_new_run)
{
	char *dir = lt_mkdtemp();
	struct tp_log_writer_cfg c = lt_cfg(dir, SEG10);
	struct tp_log_writer *w = lt_open(&c);
	struct tp_log_reader *rd = open_reader(dir, TP_LOG_RD_FOLLOW);
	struct tp_log_slot r, s;
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);

	/* in small steps, across two rotations: each step is visible once flushed */
	unsigned written = 0, got = 0;
	for (unsigned step = 0; step < 5; step++) {
		for (unsigned k = 0; k < 5; k++) {
			s = lt_event(written++);
			ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
		}
		ck_assert_int_eq(tp_log_writer_flush(w), 0);
		while (got < written) {
			ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
			check_event(&r, got++);
		}
		ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);
	}
	/* a record that is half written: waited on, not judged */
	s = lt_event(written);
	ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	unsigned nf;
	char **files = lt_list(dir, &nf);
	ck_assert_uint_eq(nf, 3);
	lt_truncate(files[2], lt_size(files[2]) - 40);
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_eq(st.torn_tails, 0);

	/* the writer died; a new run starts: the old tail is now torn and reading moves on */
	c.fixed_run_id = LT_RUN_ID + 5;
	w = lt_open(&c);
	for (unsigned i = 0; i < 3; i++) {
		s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_int_eq(tp_log_writer_flush(w), 0);
	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		check_event(&r, i);
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_eq(st.torn_tails, 1);
	ck_assert_uint_eq(st.torn_bytes, EV_LEN - 40);
	ck_assert_uint_eq(st.runs, 2);
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	tp_log_reader_close(rd);
	lt_free_list(files, nf);
	lt_rmdir(dir);
}
END_TEST

/* Following one segment file: its run's later segments are picked up, other runs not. */
START_TEST(follow_file_stays_in_its_run)
{
	char *dir = lt_mkdtemp();
	struct tp_log_writer_cfg c = lt_cfg(dir, SEG10);
	struct tp_log_writer *w = lt_open(&c);
	struct tp_log_slot r, s;
	for (unsigned i = 0; i < 4; i++) {
		s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_int_eq(tp_log_writer_flush(w), 0);
	char seg0[700];
	snprintf(seg0, sizeof(seg0), "%s/%s", dir, LT_SEG0);
	struct tp_log_reader *rd = open_reader(seg0, TP_LOG_RD_FOLLOW);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		check_event(&r, i);
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);
	for (unsigned i = 4; i < 23; i++) {
		s = lt_event(i);
		ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	}
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);
	/* another run in the same directory */
	c.fixed_run_id = LT_RUN_ID + 9;
	w = lt_open(&c);
	s = lt_event(0);
	ck_assert_int_eq(tp_log_writer_append(w, &s), 0);
	ck_assert_int_eq(tp_log_writer_close(w, NULL), 0);

	for (unsigned i = 4; i < 23; i++) {
		ck_assert_int_eq(tp_log_reader_next(rd, &r), 1);
		check_event(&r, i);
	}
	ck_assert_int_eq(tp_log_reader_next(rd, &r), -EAGAIN);
	struct tp_log_reader_stats st;
	tp_log_reader_get_stats(rd, &st);
	ck_assert_uint_eq(st.segments, 3);
	ck_assert_uint_eq(st.runs, 1);
	tp_log_reader_close(rd);
	lt_rmdir(dir);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log-rw");
	TCase *tc = tcase_create("format");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, roundtrip_every_type);
	tcase_add_test(tc, writer_rejects_invalid_slots);
	tcase_add_test(tc, segment_names);
	tcase_add_test(tc, wall_time);
	tcase_add_test(tc, rotation_exact);
	tcase_add_test(tc, rotation_uneven_limit);
	tcase_add_test(tc, flush_policy);
	tcase_add_test(tc, writer_open_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("damage");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, corruption_crc_mid_segment);
	tcase_add_test(tc, corruption_crc_last_segment);
	tcase_add_test(tc, corruption_bad_length);
	tcase_add_test(tc, corruption_segment_header);
	tcase_add_test(tc, corruption_missing_segment);
	tcase_add_test(tc, corruption_truncated_inner_segment);
	tcase_add_test(tc, torn_tail_variants);
	tcase_add_test(tc, torn_tail_then_next_run);
	tcase_add_test(tc, reader_open_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("follow");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, follow_rotation_and_new_run);
	tcase_add_test(tc, follow_file_stays_in_its_run);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
