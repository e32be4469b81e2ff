/* MoldUDP64 framing: header fields, heartbeat, end of session, every malformed shape, and the
 * retransmission request bytes. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "mold_testutil.h"
#include "tp_mold.h"

/* The first packet of Multiple.Packets.pcap (UDP payload): one 'D' message at 14764496. */
static const uint8_t real_pkt[] = {
	'0', '0', '0', '0', '1', '0', '0', '5', '9', 'B',
	0x00, 0x00, 0x00, 0x00, 0x00, 0xe1, 0x49, 0xd0,
	0x00, 0x01,
	0x00, 0x13,
	0x44, 0x0a, 0xb1, 0x00, 0x00, 0x1f, 0x1a, 0xcf, 0x4c, 0x4e, 0xb7, 0x00, 0x00, 0x00, 0x00,
	0x01, 0x66, 0x5d, 0x6a,
};

START_TEST(header_real_packet)
{
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(real_pkt, sizeof(real_pkt), &p), TP_MOLD_OK);
	ck_assert_int_eq(memcmp(p.session, "000010059B", 10), 0);
	ck_assert_uint_eq(p.seq, 14764496u);
	ck_assert_uint_eq(p.count, 1);
	ck_assert_int_eq(p.kind, TP_MOLD_DATA);
	ck_assert_ptr_eq(p.blocks, real_pkt + 20);
	ck_assert_uint_eq(p.blocks_len, 21);
	ck_assert(tp_mold_same_session(&p, (const uint8_t *)"000010059B"));
	ck_assert(!tp_mold_same_session(&p, (const uint8_t *)"000010059C"));

	struct tp_mold_iter it;
	const uint8_t *m;
	uint16_t l;
	tp_mold_iter_init(&it, &p);
	ck_assert(tp_mold_iter_next(&it, &m, &l));
	ck_assert_uint_eq(l, 19);
	ck_assert_ptr_eq(m, real_pkt + 22);
	ck_assert_uint_eq(m[0], 'D');
	ck_assert(!tp_mold_iter_next(&it, &m, &l));
}
END_TEST

START_TEST(header_built_packet_iterates_exactly)
{
	uint8_t buf[2048];
	size_t n = tu_pkt(buf, 1000, 7);
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_OK);
	ck_assert_uint_eq(p.seq, 1000);
	ck_assert_uint_eq(p.count, 7);
	struct tp_mold_iter it;
	const uint8_t *m;
	uint16_t l;
	unsigned k = 0;
	tp_mold_iter_init(&it, &p);
	while (tp_mold_iter_next(&it, &m, &l)) {
		ck_assert(tu_msg_ok(m, l, 1000 + k));
		k++;
	}
	ck_assert_uint_eq(k, 7);
}
END_TEST

START_TEST(zero_length_messages)
{
	uint8_t buf[64];
	size_t n = tu_hb(buf, 5, 3);
	memset(buf + n, 0, 6); /* three blocks of length 0 */
	n += 6;
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_OK);
	ck_assert_uint_eq(p.count, 3);
	struct tp_mold_iter it;
	const uint8_t *m;
	uint16_t l = 99;
	unsigned k = 0;
	tp_mold_iter_init(&it, &p);
	while (tp_mold_iter_next(&it, &m, &l)) {
		ck_assert_uint_eq(l, 0);
		k++;
	}
	ck_assert_uint_eq(k, 3);
}
END_TEST

START_TEST(heartbeat)
{
	uint8_t buf[32];
	size_t n = tu_hb(buf, 42, 0);
	ck_assert_uint_eq(n, 20);
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_OK);
	ck_assert_int_eq(p.kind, TP_MOLD_HEARTBEAT);
	ck_assert_uint_eq(p.seq, 42);
	ck_assert_uint_eq(p.count, 0);
	ck_assert_uint_eq(p.blocks_len, 0);
	buf[20] = 0;
	ck_assert_int_eq(tp_mold_parse(buf, 21, &p), TP_MOLD_ERR_TRAILING);
}
END_TEST

START_TEST(end_of_session)
{
	uint8_t buf[32];
	size_t n = tu_hb(buf, 77, 0xFFFF);
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_OK);
	ck_assert_int_eq(p.kind, TP_MOLD_END_SESSION);
	ck_assert_uint_eq(p.seq, 77);
	ck_assert_uint_eq(p.count, 0); /* no messages, whatever the wire says */
	buf[20] = buf[21] = 0;
	ck_assert_int_eq(tp_mold_parse(buf, 22, &p), TP_MOLD_ERR_TRAILING);
}
END_TEST

START_TEST(truncated_header)
{
	struct tp_mold_pkt p;
	for (size_t len = 0; len < 20; len++)
		ck_assert_int_eq(tp_mold_parse(real_pkt, len, &p), TP_MOLD_ERR_SHORT_HEADER);
}
END_TEST

START_TEST(every_truncation_of_a_packet_is_rejected)
{
	uint8_t buf[2048];
	size_t n = tu_pkt(buf, 1, 4);
	struct tp_mold_pkt p;
	/* Cut anywhere inside the blocks: at a block boundary the count is too large, anywhere
	 * else a block runs past the end. */
	size_t bound[5];
	size_t off = 20;
	for (int i = 0; i < 4; i++) {
		bound[i] = off;
		off += 2 + tp_be16(buf + off);
	}
	bound[4] = off;
	ck_assert_uint_eq(off, n);
	for (size_t len = 20; len < n; len++) {
		int at_boundary = 0;
		for (int i = 0; i < 4; i++)
			at_boundary |= len == bound[i];
		ck_assert_int_eq(tp_mold_parse(buf, len, &p),
				 at_boundary ? TP_MOLD_ERR_COUNT_OVER : TP_MOLD_ERR_BLOCK_PAST_END);
	}
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_OK);
}
END_TEST

START_TEST(block_length_past_end)
{
	uint8_t buf[2048];
	size_t n = tu_pkt(buf, 1, 2);
	/* Second block claims one byte more than there is. */
	size_t second = 20 + 2 + tp_be16(buf + 20);
	tp_put_be16(buf + second, (uint16_t)(tp_be16(buf + second) + 1));
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_ERR_BLOCK_PAST_END);
	/* First block claims 0xFFFF. */
	n = tu_pkt(buf, 1, 2);
	tp_put_be16(buf + 20, 0xFFFF);
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_ERR_BLOCK_PAST_END);
	/* Length field itself cut in half. */
	n = tu_pkt(buf, 1, 1);
	buf[n] = 0;
	tp_put_be16(buf + 18, 2);
	ck_assert_int_eq(tp_mold_parse(buf, n + 1, &p), TP_MOLD_ERR_BLOCK_PAST_END);
}
END_TEST

START_TEST(count_larger_than_blocks)
{
	uint8_t buf[2048];
	size_t n = tu_pkt(buf, 1, 3);
	tp_put_be16(buf + 18, 4);
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_ERR_COUNT_OVER);
	/* The whole header says 0xFFFE messages and holds 3. */
	tp_put_be16(buf + 18, 0xFFFE);
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_ERR_COUNT_OVER);
	/* A data count with no blocks at all. */
	ck_assert_int_eq(tp_mold_parse(buf, 20, &p), TP_MOLD_ERR_COUNT_OVER);
}
END_TEST

START_TEST(count_smaller_than_blocks)
{
	uint8_t buf[2048];
	size_t n = tu_pkt(buf, 1, 3);
	tp_put_be16(buf + 18, 2);
	struct tp_mold_pkt p;
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_ERR_TRAILING);
	/* A single stray byte after the blocks. */
	n = tu_pkt(buf, 1, 3);
	buf[n] = 'x';
	ck_assert_int_eq(tp_mold_parse(buf, n + 1, &p), TP_MOLD_ERR_TRAILING);
	/* Heartbeat count with blocks behind it. */
	n = tu_pkt(buf, 1, 3);
	tp_put_be16(buf + 18, 0);
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_ERR_TRAILING);
}
END_TEST

START_TEST(sequence_overflow)
{
	uint8_t buf[2048];
	size_t n = tu_pkt(buf, 1, 2);
	struct tp_mold_pkt p;
	tp_put_be64(buf + 10, UINT64_MAX - 1); /* last message would be 2^64 */
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_ERR_SEQ_OVERFLOW);
	tp_put_be64(buf + 10, UINT64_MAX - 2); /* last message UINT64_MAX - 1: fine */
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_OK);
	/* A heartbeat may announce any sequence. */
	n = tu_hb(buf, UINT64_MAX, 0);
	ck_assert_int_eq(tp_mold_parse(buf, n, &p), TP_MOLD_OK);
}
END_TEST

START_TEST(request_bytes)
{
	uint8_t out[32];
	memset(out, 0xAA, sizeof(out));
	size_t n = tp_mold_build_request(out, sizeof(out), (const uint8_t *)"000010059B", 10,
					 14764497u, 0xFFFF);
	static const uint8_t want[20] = {
		'0', '0', '0', '0', '1', '0', '0', '5', '9', 'B',
		0x00, 0x00, 0x00, 0x00, 0x00, 0xE1, 0x49, 0xD1,
		0xFF, 0xFF,
	};
	ck_assert_uint_eq(n, 20);
	ck_assert_int_eq(memcmp(out, want, 20), 0);
	ck_assert_uint_eq(out[20], 0xAA); /* nothing written past the packet */

	n = tp_mold_build_request(out, sizeof(out), (const uint8_t *)"ABC", 3,
				  0x0102030405060708ull, 0x0A0B);
	static const uint8_t want2[20] = {
		'A', 'B', 'C', ' ', ' ', ' ', ' ', ' ', ' ', ' ',
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0x0A, 0x0B,
	};
	ck_assert_uint_eq(n, 20);
	ck_assert_int_eq(memcmp(out, want2, 20), 0);

	ck_assert_uint_eq(tp_mold_build_request(out, 19, (const uint8_t *)"ABC", 3, 1, 1), 0);
	ck_assert_uint_eq(tp_mold_build_request(out, 20, (const uint8_t *)"ABC", 3, 1, 0), 0);
}
END_TEST

START_TEST(strerror_names)
{
	for (int rc = 0; rc < TP_MOLD_ERR__COUNT; rc++)
		ck_assert_str_ne(tp_mold_strerror((enum tp_mold_rc)rc), "unknown");
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mold");
	TCase *tc = tcase_create("framing");
	tcase_add_test(tc, header_real_packet);
	tcase_add_test(tc, header_built_packet_iterates_exactly);
	tcase_add_test(tc, zero_length_messages);
	tcase_add_test(tc, heartbeat);
	tcase_add_test(tc, end_of_session);
	tcase_add_test(tc, truncated_header);
	tcase_add_test(tc, every_truncation_of_a_packet_is_rejected);
	tcase_add_test(tc, block_length_past_end);
	tcase_add_test(tc, count_larger_than_blocks);
	tcase_add_test(tc, count_smaller_than_blocks);
	tcase_add_test(tc, sequence_overflow);
	tcase_add_test(tc, request_bytes);
	tcase_add_test(tc, strerror_names);
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
