/* OUCH 5.0 Enter Order and Cancel Order, byte for byte against hand-computed examples, and
 * the decoder (round trips, and refusing what does not add up). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "tp_ouch.h"

static struct tp_ouch_enter base(void)
{
	struct tp_ouch_enter m;
	memset(&m, 0, sizeof(m));
	m.user_ref_num = 1;
	m.side = 'B';
	m.qty = 100;
	tp_ouch_alpha(m.symbol, 8, "AAPL");
	m.price = 1502500; /* $150.25 with 4 implied decimals */
	m.tif = '0';
	m.display = 'Y';
	m.capacity = 'P';
	m.ise = 'N';
	m.cross_type = 'N';
	tp_ouch_alpha(m.clordid, 14, "TP0000000001");
	return m;
}

START_TEST(test_enter_exact)
{
	/* 1502500 = 22 * 65536 + 60708 = 0x0016_ED24 */
	static const uint8_t want[47] = {
		'O',                                     /* 0  type */
		0x00, 0x00, 0x00, 0x01,                  /* 1  UserRefNum 1 */
		'B',                                     /* 5  side */
		0x00, 0x00, 0x00, 0x64,                  /* 6  quantity 100 */
		'A', 'A', 'P', 'L', ' ', ' ', ' ', ' ',  /* 10 symbol */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x16, 0xED, 0x24, /* 18 price 150.2500 */
		'0',                                     /* 26 TIF day */
		'Y',                                     /* 27 display */
		'P',                                     /* 28 capacity */
		'N',                                     /* 29 ISE */
		'N',                                     /* 30 cross type */
		'T', 'P', '0', '0', '0', '0', '0', '0', '0', '0', '0', '1', ' ', ' ', /* 31 ClOrdID */
		0x00, 0x00,                              /* 45 appendage length */
	};
	struct tp_ouch_enter m = base();
	uint8_t buf[128];
	memset(buf, 0xee, sizeof(buf));
	ck_assert_uint_eq(tp_ouch_encode_enter(buf, sizeof(buf), &m), 47);
	ck_assert_int_eq(memcmp(buf, want, 47), 0);
	ck_assert_uint_eq(buf[47], 0xee); /* nothing written past the message */
	/* Exactly enough room, and one byte short. */
	ck_assert_uint_eq(tp_ouch_encode_enter(buf, 47, &m), 47);
	ck_assert_uint_eq(tp_ouch_encode_enter(buf, 46, &m), 0);
}
END_TEST

START_TEST(test_enter_with_appendages_exact)
{
	struct tp_ouch_enter m = base();
	m.user_ref_num = 0x01020304;
	m.side = 'S';
	m.qty = 1000000;                 /* 0x000F4240 */
	tp_ouch_alpha(m.symbol, 8, "BRK.A   TOO-LONG");
	m.price = 4294967297ull;         /* 0x00000001_00000001: the high word matters */
	m.tif = '3';
	m.display = 'N';
	m.capacity = 'A';
	m.ise = 'Y';
	m.cross_type = 'O';
	tp_ouch_alpha(m.clordid, 14, "ABCDEFGHIJKLMNOPQ");
	ck_assert_int_eq(tp_ouch_add_tag(&m, TP_OUCH_TAG_FIRM, "ABCD", 4), 0);
	ck_assert_int_eq(tp_ouch_add_tag_u32(&m, TP_OUCH_TAG_MIN_QTY, 300), 0);
	static const uint8_t want[59] = {
		'O', 0x01, 0x02, 0x03, 0x04, 'S', 0x00, 0x0F, 0x42, 0x40,
		'B', 'R', 'K', '.', 'A', ' ', ' ', ' ',
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
		'3', 'N', 'A', 'Y', 'O',
		'A', 'B', 'C', 'D', 'E', 'F', 'G', 'H', 'I', 'J', 'K', 'L', 'M', 'N',
		0x00, 0x0C,                      /* 12 bytes of appendages */
		0x05, 0x02, 'A', 'B', 'C', 'D',  /* Firm: length 5 = tag + 4 */
		0x05, 0x03, 0x00, 0x00, 0x01, 0x2C, /* MinQty 300 */
	};
	uint8_t buf[128];
	ck_assert_uint_eq(tp_ouch_encode_enter(buf, sizeof(buf), &m), 59);
	ck_assert_int_eq(memcmp(buf, want, 59), 0);

	struct tp_ouch_msg d;
	ck_assert_int_eq(tp_ouch_decode(buf, 59, &d), 0);
	ck_assert_uint_eq(d.type, 'O');
	ck_assert_uint_eq(d.u.enter.user_ref_num, 0x01020304);
	ck_assert_uint_eq(d.u.enter.side, 'S');
	ck_assert_uint_eq(d.u.enter.qty, 1000000);
	ck_assert_int_eq(memcmp(d.u.enter.symbol, "BRK.A   ", 8), 0);
	ck_assert_uint_eq(d.u.enter.price, 4294967297ull);
	ck_assert_uint_eq(d.u.enter.tif, '3');
	ck_assert_uint_eq(d.u.enter.display, 'N');
	ck_assert_uint_eq(d.u.enter.capacity, 'A');
	ck_assert_uint_eq(d.u.enter.ise, 'Y');
	ck_assert_uint_eq(d.u.enter.cross_type, 'O');
	ck_assert_int_eq(memcmp(d.u.enter.clordid, "ABCDEFGHIJKLMN", 14), 0);
	ck_assert_uint_eq(d.u.enter.appendage_len, 12);
	ck_assert_int_eq(memcmp(d.u.enter.appendage, want + 47, 12), 0);
	/* Re-encoding the decoded message gives the same bytes. */
	uint8_t again[128];
	ck_assert_uint_eq(tp_ouch_encode_enter(again, sizeof(again), &d.u.enter), 59);
	ck_assert_int_eq(memcmp(again, want, 59), 0);
}
END_TEST

START_TEST(test_cancel_exact)
{
	uint8_t buf[16];
	memset(buf, 0xee, sizeof(buf));
	ck_assert_uint_eq(tp_ouch_encode_cancel(buf, sizeof(buf), 7, 0), 9);
	static const uint8_t want[9] = { 'X', 0, 0, 0, 7, 0, 0, 0, 0 };
	ck_assert_int_eq(memcmp(buf, want, 9), 0);
	ck_assert_uint_eq(buf[9], 0xee);
	ck_assert_uint_eq(tp_ouch_encode_cancel(buf, sizeof(buf), 0xDEADBEEF, 250), 9);
	static const uint8_t want2[9] = { 'X', 0xDE, 0xAD, 0xBE, 0xEF, 0x00, 0x00, 0x00, 0xFA };
	ck_assert_int_eq(memcmp(buf, want2, 9), 0);
	ck_assert_uint_eq(tp_ouch_encode_cancel(buf, 8, 1, 0), 0);
	struct tp_ouch_msg d;
	ck_assert_int_eq(tp_ouch_decode(buf, 9, &d), 0);
	ck_assert_uint_eq(d.type, 'X');
	ck_assert_uint_eq(d.u.cancel.user_ref_num, 0xDEADBEEF);
	ck_assert_uint_eq(d.u.cancel.qty, 250);
}
END_TEST

START_TEST(test_decode_refuses)
{
	struct tp_ouch_enter m = base();
	uint8_t buf[128];
	struct tp_ouch_msg d;
	size_t n = tp_ouch_encode_enter(buf, sizeof(buf), &m);
	ck_assert_int_eq(tp_ouch_decode(buf, n, &d), 0);
	ck_assert_int_eq(tp_ouch_decode(buf, n - 1, &d), -1);  /* short */
	ck_assert_int_eq(tp_ouch_decode(buf, n + 1, &d), -1);  /* trailing byte */
	ck_assert_int_eq(tp_ouch_decode(buf, 0, &d), -1);
	buf[0] = 'Q';
	ck_assert_int_eq(tp_ouch_decode(buf, n, &d), -1);      /* unknown type */
	buf[0] = 'O';
	/* Appendage length says 3, and 3 bytes follow, but the element claims 5. */
	buf[46] = 3;
	buf[47] = 5;
	buf[48] = 2;
	buf[49] = 'A';
	ck_assert_int_eq(tp_ouch_decode(buf, 50, &d), -1);
	/* A zero-length element (no tag) is refused too. */
	buf[47] = 0;
	ck_assert_int_eq(tp_ouch_decode(buf, 50, &d), -1);
	/* A well-formed single element: length 2 = tag + 1 byte. */
	buf[47] = 2;
	ck_assert_int_eq(tp_ouch_decode(buf, 50, &d), 0);
	ck_assert_uint_eq(d.u.enter.appendage_len, 3);
	ck_assert_uint_eq(tp_ouch_encode_cancel(buf, sizeof(buf), 1, 0), 9);
	ck_assert_int_eq(tp_ouch_decode(buf, 8, &d), -1);
	ck_assert_int_eq(tp_ouch_decode(buf, 10, &d), -1);
}
END_TEST

START_TEST(test_appendage_bounds)
{
	struct tp_ouch_enter m = base();
	/* 64 bytes of room: ten 4-byte values take 6 each = 60, the eleventh does not fit. */
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(tp_ouch_add_tag_u32(&m, TP_OUCH_TAG_MAX_FLOOR, (uint32_t)i), 0);
	ck_assert_uint_eq(m.appendage_len, 60);
	ck_assert_int_eq(tp_ouch_add_tag_u32(&m, TP_OUCH_TAG_MAX_FLOOR, 1), -1);
	ck_assert_int_eq(tp_ouch_add_tag(&m, 9, "ab", 2), 0); /* exactly 64 */
	ck_assert_uint_eq(m.appendage_len, 64);
	uint8_t buf[128];
	ck_assert_uint_eq(tp_ouch_encode_enter(buf, sizeof(buf), &m), 47 + 64);
	struct tp_ouch_msg d;
	ck_assert_int_eq(tp_ouch_decode(buf, 47 + 64, &d), 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ouch");
	TCase *tc = tcase_create("ouch");
	tcase_add_test(tc, test_enter_exact);
	tcase_add_test(tc, test_enter_with_appendages_exact);
	tcase_add_test(tc, test_cancel_exact);
	tcase_add_test(tc, test_decode_refuses);
	tcase_add_test(tc, test_appendage_bounds);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
