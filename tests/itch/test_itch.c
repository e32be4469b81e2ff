/* ITCH 5.0 decoder: every message type decoded field by field from bytes written out by
 * hand here (not produced by any encoder of ours), boundary values, and rejected input.
 * Each message is copied into a heap block of exactly its length before decoding, so under
 * AddressSanitizer a read past the end fails the test. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp_itch.h"

/* Lengths from the specification, typed in again rather than taken from tp_itch. */
static const struct {
	char type;
	uint32_t len;
} spec_len[] = {
	{ 'S', 12 }, { 'R', 39 }, { 'H', 25 }, { 'Y', 20 }, { 'L', 26 }, { 'V', 35 },
	{ 'W', 12 }, { 'K', 28 }, { 'J', 35 }, { 'h', 21 }, { 'A', 36 }, { 'F', 40 },
	{ 'E', 31 }, { 'C', 36 }, { 'X', 23 }, { 'D', 19 }, { 'U', 35 }, { 'P', 44 },
	{ 'Q', 40 }, { 'B', 19 }, { 'I', 50 }, { 'N', 20 }, { 'O', 48 },
};
#define NSPEC (sizeof spec_len / sizeof spec_len[0])

static int decode_exact(const uint8_t *src, size_t n, struct tp_itch_msg *m)
{
	uint8_t *copy = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(copy);
	memcpy(copy, src, n);
	int rc = tp_itch_decode(copy, (uint32_t)n, m);
	free(copy);
	return rc;
}

static void decode_ok(const uint8_t *src, size_t n, struct tp_itch_msg *m)
{
	/* Garbage in the struct first: the decoder must write every field it reports. */
	memset(m, 0xA5, sizeof *m);
	ck_assert_int_eq(decode_exact(src, n, m), TP_ITCH_OK);
}

static void check_hdr(const struct tp_itch_msg *m, char type, uint16_t locate,
		      uint16_t tracking, uint64_t ts)
{
	ck_assert_uint_eq(m->type, (uint8_t)type);
	ck_assert_uint_eq(m->stock_locate, locate);
	ck_assert_uint_eq(m->tracking_number, tracking);
	ck_assert_uint_eq(m->timestamp_ns, ts);
}

/* ---- one test per type ------------------------------------------------------------- */

START_TEST(t_system_event)
{
	static const uint8_t b[12] = {
		'S', 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0A, 0x2F, 0x6B, 0x1C, 'O',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'S', 0, 1, 0x00000A2F6B1CULL);
	ck_assert_int_eq(m.u.sys_event.event_code, 'O');
}
END_TEST

START_TEST(t_stock_directory)
{
	static const uint8_t b[39] = {
		'R', 0x00, 0x07, 0x00, 0x02, 0x00, 0x00, 0x0B, 0x00, 0x00, 0x01,
		'A', 'A', 'P', 'L', ' ', ' ', ' ', ' ',  /* stock */
		'Q', 'D',                                /* market category, financial status */
		0x00, 0x00, 0x00, 0x64,                  /* round lot 100 */
		'Y', 'C', 'A', 'B',                      /* lots only, class, subtype "AB" */
		'P', 'T', 'I', '2', 'E',                 /* auth, SSTI, IPO, LULD tier, ETP */
		0x00, 0x00, 0x00, 0x03,                  /* ETP leverage 3 */
		'V',                                     /* inverse */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'R', 7, 2, 0x00000B000001ULL);
	const struct tp_itch_stock_dir *r = &m.u.stock_dir;
	ck_assert_mem_eq(r->stock, "AAPL    ", 8);
	ck_assert_int_eq(r->market_category, 'Q');
	ck_assert_int_eq(r->financial_status, 'D');
	ck_assert_uint_eq(r->round_lot_size, 100);
	ck_assert_int_eq(r->round_lots_only, 'Y');
	ck_assert_int_eq(r->issue_classification, 'C');
	ck_assert_mem_eq(r->issue_subtype, "AB", 2);
	ck_assert_int_eq(r->authenticity, 'P');
	ck_assert_int_eq(r->short_sale_threshold, 'T');
	ck_assert_int_eq(r->ipo_flag, 'I');
	ck_assert_int_eq(r->luld_ref_price_tier, '2');
	ck_assert_int_eq(r->etp_flag, 'E');
	ck_assert_uint_eq(r->etp_leverage_factor, 3);
	ck_assert_int_eq(r->inverse_indicator, 'V');
}
END_TEST

START_TEST(t_trading_action)
{
	static const uint8_t b[25] = {
		'H', 0x12, 0x34, 0xAB, 0xCD, 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC,
		'Z', 'V', 'Z', 'Z', 'T', ' ', ' ', ' ',
		'H', 'x', 'L', 'U', 'D', 'P',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'H', 0x1234, 0xABCD, 0x123456789ABCULL);
	ck_assert_mem_eq(m.u.trading_action.stock, "ZVZZT   ", 8);
	ck_assert_int_eq(m.u.trading_action.trading_state, 'H');
	ck_assert_int_eq(m.u.trading_action.reserved, 'x');
	ck_assert_mem_eq(m.u.trading_action.reason, "LUDP", 4);
}
END_TEST

START_TEST(t_reg_sho)
{
	static const uint8_t b[20] = {
		'Y', 0x00, 0x09, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05,
		'M', 'S', 'F', 'T', ' ', ' ', ' ', ' ', '1',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'Y', 9, 3, 5);
	ck_assert_mem_eq(m.u.reg_sho.stock, "MSFT    ", 8);
	ck_assert_int_eq(m.u.reg_sho.reg_sho_action, '1');
}
END_TEST

START_TEST(t_mp_position)
{
	static const uint8_t b[26] = {
		'L', 0x01, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
		'G', 'S', 'C', 'O',
		'I', 'B', 'M', ' ', ' ', ' ', ' ', ' ',
		'Y', 'N', 'A',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'L', 0x0100, 0x0010, 0x000100000000ULL);
	ck_assert_mem_eq(m.u.mp_position.mpid, "GSCO", 4);
	ck_assert_mem_eq(m.u.mp_position.stock, "IBM     ", 8);
	ck_assert_int_eq(m.u.mp_position.primary_market_maker, 'Y');
	ck_assert_int_eq(m.u.mp_position.market_maker_mode, 'N');
	ck_assert_int_eq(m.u.mp_position.market_participant_state, 'A');
}
END_TEST

START_TEST(t_mwcb_decline)
{
	static const uint8_t b[35] = {
		'V', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,
		0x00, 0x00, 0x00, 0x5A, 0xCD, 0xCF, 0xBC, 0x00,  /* 390000000000 = $3900 */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  /* max Price(8) */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'V', 0, 0, 42);
	ck_assert_uint_eq(m.u.mwcb_decline.level1, 390000000000ULL);
	ck_assert_uint_eq(m.u.mwcb_decline.level2, 0x0102030405060708ULL);
	ck_assert_uint_eq(m.u.mwcb_decline.level3, UINT64_MAX);
}
END_TEST

START_TEST(t_mwcb_status)
{
	static const uint8_t b[12] = {
		'W', 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, '2',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'W', 0, 7, 256);
	ck_assert_int_eq(m.u.mwcb_status.breached_level, '2');
}
END_TEST

START_TEST(t_ipo_update)
{
	static const uint8_t b[28] = {
		'K', 0x00, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		'R', 'I', 'V', 'N', ' ', ' ', ' ', ' ',
		0x00, 0x00, 0x8C, 0xA0,    /* 36000 s = 10:00:00 */
		'A',
		0x00, 0x0F, 0x42, 0x40,    /* 1000000 = $100.0000 */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'K', 12, 0, 256);
	ck_assert_mem_eq(m.u.ipo_update.stock, "RIVN    ", 8);
	ck_assert_uint_eq(m.u.ipo_update.release_time, 36000);
	ck_assert_int_eq(m.u.ipo_update.release_qualifier, 'A');
	ck_assert_uint_eq(m.u.ipo_update.ipo_price, 1000000);
}
END_TEST

START_TEST(t_luld_collar)
{
	static const uint8_t b[35] = {
		'J', 0x00, 0x0D, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,
		'G', 'M', 'E', ' ', ' ', ' ', ' ', ' ',
		0x00, 0x01, 0x86, 0xA0,    /* ref 100000 */
		0x00, 0x01, 0xAD, 0xB0,    /* upper 110000 */
		0x00, 0x01, 0x5F, 0x90,    /* lower 90000 */
		0x00, 0x00, 0x00, 0x02,    /* extension 2 */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'J', 13, 1, 9);
	ck_assert_mem_eq(m.u.luld_collar.stock, "GME     ", 8);
	ck_assert_uint_eq(m.u.luld_collar.ref_price, 100000);
	ck_assert_uint_eq(m.u.luld_collar.upper_price, 110000);
	ck_assert_uint_eq(m.u.luld_collar.lower_price, 90000);
	ck_assert_uint_eq(m.u.luld_collar.extension, 2);
}
END_TEST

START_TEST(t_op_halt)
{
	static const uint8_t b[21] = {
		'h', 0x00, 0x0E, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A,
		'T', 'S', 'L', 'A', ' ', ' ', ' ', ' ', 'Q', 'H',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'h', 14, 2, 10);
	ck_assert_mem_eq(m.u.op_halt.stock, "TSLA    ", 8);
	ck_assert_int_eq(m.u.op_halt.market_code, 'Q');
	ck_assert_int_eq(m.u.op_halt.halt_action, 'H');
}
END_TEST

START_TEST(t_add_order)
{
	static const uint8_t b[36] = {
		'A', 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x29, 0x5B, 0x2F, 0x4C,
		0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF,  /* order ref */
		'B',
		0x00, 0x00, 0x01, 0x2C,                          /* 300 shares */
		'A', 'L', 'C', ' ', ' ', ' ', ' ', ' ',
		0x00, 0x12, 0xD6, 0x87,                          /* 1234567 = $123.4567 */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'A', 1, 0, 0x0000295B2F4CULL);
	ck_assert_uint_eq(m.u.add.order_ref, 0x0123456789ABCDEFULL);
	ck_assert_int_eq(m.u.add.side, 'B');
	ck_assert_uint_eq(m.u.add.shares, 300);
	ck_assert_mem_eq(m.u.add.stock, "ALC     ", 8);
	ck_assert_uint_eq(m.u.add.price, 1234567);
}
END_TEST

/* Every numeric field at its maximum: 48-bit timestamp, 64-bit ref, 32-bit shares/price. */
START_TEST(t_add_order_max)
{
	static const uint8_t b[36] = {
		'A', 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
		'S',
		0xFF, 0xFF, 0xFF, 0xFF,
		'Z', 'Z', 'Z', 'Z', 'Z', 'Z', 'Z', 'Z',
		0xFF, 0xFF, 0xFF, 0xFF,
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'A', 0xFFFF, 0xFFFF, 0xFFFFFFFFFFFFULL);
	ck_assert_uint_eq(m.u.add.order_ref, UINT64_MAX);
	ck_assert_int_eq(m.u.add.side, 'S');
	ck_assert_uint_eq(m.u.add.shares, 0xFFFFFFFFu);
	ck_assert_mem_eq(m.u.add.stock, "ZZZZZZZZ", 8);
	ck_assert_uint_eq(m.u.add.price, 0xFFFFFFFFu);
}
END_TEST

/* Timestamp bytes must be combined in order: only the lowest byte set, then the highest. */
START_TEST(t_timestamp_bytes)
{
	uint8_t b[19] = { 'D', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01 };
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	ck_assert_uint_eq(m.timestamp_ns, 1);
	b[10] = 0;
	b[5] = 0x80;
	decode_ok(b, sizeof b, &m);
	ck_assert_uint_eq(m.timestamp_ns, 0x800000000000ULL);
	ck_assert_uint_eq(m.u.del.order_ref, 0);
}
END_TEST

START_TEST(t_add_order_mpid)
{
	static const uint8_t b[40] = {
		'F', 0x00, 0x02, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x39,  /* ref 12345 */
		'S',
		0x00, 0x00, 0x27, 0x10,                          /* 10000 shares */
		'B', 'O', 'B', ' ', ' ', ' ', ' ', ' ',
		0x00, 0x00, 0x27, 0x0F,                          /* 9999 = $0.9999 */
		'N', 'I', 'T', 'E',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'F', 2, 5, 0x1000);
	ck_assert_uint_eq(m.u.add_mpid.add.order_ref, 12345);
	ck_assert_int_eq(m.u.add_mpid.add.side, 'S');
	ck_assert_uint_eq(m.u.add_mpid.add.shares, 10000);
	ck_assert_mem_eq(m.u.add_mpid.add.stock, "BOB     ", 8);
	ck_assert_uint_eq(m.u.add_mpid.add.price, 9999);
	ck_assert_mem_eq(m.u.add_mpid.attribution, "NITE", 4);
	/* The documented shortcut: F readable through u.add. */
	ck_assert_uint_eq(m.u.add.order_ref, 12345);
	ck_assert_uint_eq(m.u.add.price, 9999);
}
END_TEST

START_TEST(t_order_executed)
{
	static const uint8_t b[31] = {
		'E', 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x30, 0x39,  /* ref 12345 */
		0x00, 0x00, 0x00, 0x32,                          /* 50 shares */
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02,  /* match */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'E', 3, 0, 100);
	ck_assert_uint_eq(m.u.exec.order_ref, 12345);
	ck_assert_uint_eq(m.u.exec.shares, 50);
	ck_assert_uint_eq(m.u.exec.match_number, 0x0000000100000002ULL);
}
END_TEST

START_TEST(t_order_executed_price)
{
	static const uint8_t b[36] = {
		'C', 0x00, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x65,
		0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE,  /* ref max-1 */
		0x00, 0x00, 0x00, 0x07,                          /* 7 shares */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  /* match 9 */
		'N',
		0xFF, 0xFF, 0xFF, 0xFF,                          /* max price */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'C', 3, 1, 101);
	ck_assert_uint_eq(m.u.exec_price.exec.order_ref, UINT64_MAX - 1);
	ck_assert_uint_eq(m.u.exec_price.exec.shares, 7);
	ck_assert_uint_eq(m.u.exec_price.exec.match_number, 9);
	ck_assert_int_eq(m.u.exec_price.printable, 'N');
	ck_assert_uint_eq(m.u.exec_price.price, 0xFFFFFFFFu);
	ck_assert_uint_eq(m.u.exec.shares, 7);
}
END_TEST

START_TEST(t_order_cancel)
{
	static const uint8_t b[23] = {
		'X', 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x66,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2A,  /* ref 42 */
		0x00, 0x01, 0x00, 0x00,                          /* 65536 shares */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'X', 4, 0, 102);
	ck_assert_uint_eq(m.u.cancel.order_ref, 42);
	ck_assert_uint_eq(m.u.cancel.shares, 65536);
}
END_TEST

START_TEST(t_order_delete)
{
	static const uint8_t b[19] = {
		'D', 0x00, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x67,
		0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'D', 5, 0, 103);
	ck_assert_uint_eq(m.u.del.order_ref, 0x8000000000000001ULL);
}
END_TEST

START_TEST(t_order_replace)
{
	static const uint8_t b[35] = {
		'U', 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0A,  /* orig 10 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0B,  /* new 11 */
		0x00, 0x00, 0x00, 0xC8,                          /* 200 shares */
		0x00, 0x01, 0x86, 0xA1,                          /* 100001 */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'U', 6, 0, 104);
	ck_assert_uint_eq(m.u.replace.orig_order_ref, 10);
	ck_assert_uint_eq(m.u.replace.new_order_ref, 11);
	ck_assert_uint_eq(m.u.replace.shares, 200);
	ck_assert_uint_eq(m.u.replace.price, 100001);
}
END_TEST

START_TEST(t_trade)
{
	static const uint8_t b[44] = {
		'P', 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x69,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  /* ref 0 (hidden order) */
		'B',
		0x00, 0x00, 0x03, 0xE8,                          /* 1000 shares */
		'C', 'H', 'A', 'R', ' ', ' ', ' ', ' ',
		0x00, 0x00, 0xC3, 0x50,                          /* 50000 = $5.0000 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,  /* match 256 */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'P', 7, 0, 105);
	ck_assert_uint_eq(m.u.trade.order_ref, 0);
	ck_assert_int_eq(m.u.trade.side, 'B');
	ck_assert_uint_eq(m.u.trade.shares, 1000);
	ck_assert_mem_eq(m.u.trade.stock, "CHAR    ", 8);
	ck_assert_uint_eq(m.u.trade.price, 50000);
	ck_assert_uint_eq(m.u.trade.match_number, 256);
}
END_TEST

START_TEST(t_cross_trade)
{
	static const uint8_t b[40] = {
		'Q', 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6A,
		0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  /* 2^32 shares */
		'S', 'P', 'Y', ' ', ' ', ' ', ' ', ' ',
		0x00, 0x3D, 0x09, 0x00,                          /* 4000000 = $400 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03,  /* match 3 */
		'O',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'Q', 8, 0, 106);
	ck_assert_uint_eq(m.u.cross_trade.shares, 0x100000000ULL);
	ck_assert_mem_eq(m.u.cross_trade.stock, "SPY     ", 8);
	ck_assert_uint_eq(m.u.cross_trade.cross_price, 4000000);
	ck_assert_uint_eq(m.u.cross_trade.match_number, 3);
	ck_assert_int_eq(m.u.cross_trade.cross_type, 'O');
}
END_TEST

START_TEST(t_broken_trade)
{
	static const uint8_t b[19] = {
		'B', 0x00, 0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6B,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'B', 9, 0, 107);
	ck_assert_uint_eq(m.u.broken_trade.match_number, 256);
}
END_TEST

START_TEST(t_noii)
{
	static const uint8_t b[50] = {
		'I', 0x00, 0x0A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6C,
		0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x86, 0xA0,  /* paired 100000 */
		0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x13, 0x88,  /* imbalance 5000 */
		'B',
		'Q', 'Q', 'Q', ' ', ' ', ' ', ' ', ' ',
		0x00, 0x00, 0x00, 0x01,                          /* far 1 */
		0x00, 0x00, 0x00, 0x02,                          /* near 2 */
		0x00, 0x00, 0x00, 0x03,                          /* current ref 3 */
		'C', 'L',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'I', 10, 0, 108);
	ck_assert_uint_eq(m.u.noii.paired_shares, 100000);
	ck_assert_uint_eq(m.u.noii.imbalance_shares, 5000);
	ck_assert_int_eq(m.u.noii.imbalance_direction, 'B');
	ck_assert_mem_eq(m.u.noii.stock, "QQQ     ", 8);
	ck_assert_uint_eq(m.u.noii.far_price, 1);
	ck_assert_uint_eq(m.u.noii.near_price, 2);
	ck_assert_uint_eq(m.u.noii.current_ref_price, 3);
	ck_assert_int_eq(m.u.noii.cross_type, 'C');
	ck_assert_int_eq(m.u.noii.price_variation, 'L');
}
END_TEST

START_TEST(t_rpii)
{
	static const uint8_t b[20] = {
		'N', 0x00, 0x0B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6D,
		'I', 'W', 'M', ' ', ' ', ' ', ' ', ' ', 'A',
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'N', 11, 0, 109);
	ck_assert_mem_eq(m.u.rpii.stock, "IWM     ", 8);
	ck_assert_int_eq(m.u.rpii.interest_flag, 'A');
}
END_TEST

START_TEST(t_dlcr)
{
	static const uint8_t b[48] = {
		'O', 0x00, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x6E,
		'S', 'P', 'O', 'T', ' ', ' ', ' ', ' ',
		'Y',
		0x00, 0x01, 0x00, 0x00,                          /* min 65536 */
		0x00, 0x02, 0x00, 0x00,                          /* max 131072 */
		0x00, 0x01, 0x80, 0x00,                          /* near price 98304 */
		0x00, 0x00, 0x1E, 0x8F, 0x1C, 0x10, 0x80, 0x00,  /* near time 33600000000000 */
		0x00, 0x00, 0xF0, 0x00,                          /* lower 61440 */
		0x00, 0x03, 0x00, 0x00,                          /* upper 196608 */
	};
	struct tp_itch_msg m;
	decode_ok(b, sizeof b, &m);
	check_hdr(&m, 'O', 12, 0, 110);
	ck_assert_mem_eq(m.u.dlcr.stock, "SPOT    ", 8);
	ck_assert_int_eq(m.u.dlcr.open_eligibility, 'Y');
	ck_assert_uint_eq(m.u.dlcr.min_allowable_price, 65536);
	ck_assert_uint_eq(m.u.dlcr.max_allowable_price, 131072);
	ck_assert_uint_eq(m.u.dlcr.near_exec_price, 98304);
	ck_assert_uint_eq(m.u.dlcr.near_exec_time, 33600000000000ULL);
	ck_assert_uint_eq(m.u.dlcr.lower_price_collar, 61440);
	ck_assert_uint_eq(m.u.dlcr.upper_price_collar, 196608);
}
END_TEST

/* ---- lengths and rejects -------------------------------------------------------------- */

START_TEST(t_length_table)
{
	int known[256] = { 0 };
	for (size_t i = 0; i < NSPEC; i++) {
		uint8_t t = (uint8_t)spec_len[i].type;
		ck_assert_uint_eq(tp_itch_msg_len(t), spec_len[i].len);
		known[t] = 1;
	}
	unsigned unknown = 0;
	for (unsigned t = 0; t < 256; t++) {
		if (!known[t]) {
			ck_assert_uint_eq(tp_itch_msg_len((uint8_t)t), 0);
			unknown++;
		}
	}
	ck_assert_uint_eq(unknown, 256 - 23);
	ck_assert_uint_eq(strlen(TP_ITCH_TYPES), 23);
	ck_assert_uint_eq(TP_ITCH_MAX_MSG_LEN, 50);
}
END_TEST

/* One short and one long for each type; and one byte (type alone). */
START_TEST(t_wrong_length)
{
	uint8_t buf[64];
	memset(buf, 0, sizeof buf);
	struct tp_itch_msg m;
	for (size_t i = 0; i < NSPEC; i++) {
		buf[0] = (uint8_t)spec_len[i].type;
		uint32_t n = spec_len[i].len;
		ck_assert_int_eq(decode_exact(buf, n - 1, &m), TP_ITCH_E_LENGTH);
		ck_assert_int_eq(decode_exact(buf, n + 1, &m), TP_ITCH_E_LENGTH);
		ck_assert_int_eq(decode_exact(buf, 1, &m), TP_ITCH_E_LENGTH);
		ck_assert_int_eq(decode_exact(buf, n, &m), TP_ITCH_OK);
		ck_assert_uint_eq(m.type, buf[0]);
	}
}
END_TEST

START_TEST(t_unknown_type)
{
	uint8_t buf[64];
	memset(buf, 0, sizeof buf);
	struct tp_itch_msg m;
	unsigned rejected = 0;
	for (unsigned t = 0; t < 256; t++) {
		if (t != 0 && strchr(TP_ITCH_TYPES, (int)t))
			continue;
		buf[0] = (uint8_t)t;
		/* Whatever the length, an unknown type is reported as such. */
		for (uint32_t n = 1; n <= sizeof buf; n += 7)
			ck_assert_int_eq(decode_exact(buf, n, &m), TP_ITCH_E_UNKNOWN_TYPE);
		rejected++;
	}
	ck_assert_uint_eq(rejected, 233);
	/* ITCH 4.1 and lower-case look-alikes are not 5.0 types. */
	buf[0] = 'T';
	ck_assert_int_eq(decode_exact(buf, 5, &m), TP_ITCH_E_UNKNOWN_TYPE);
	buf[0] = 'a';
	ck_assert_int_eq(decode_exact(buf, 36, &m), TP_ITCH_E_UNKNOWN_TYPE);
}
END_TEST

START_TEST(t_empty)
{
	struct tp_itch_msg m;
	ck_assert_int_eq(tp_itch_decode(NULL, 0, &m), TP_ITCH_E_EMPTY);
	static const uint8_t one[1] = { 'A' };
	ck_assert_int_eq(tp_itch_decode(one, 0, &m), TP_ITCH_E_EMPTY);
}
END_TEST

START_TEST(t_type_names)
{
	ck_assert_str_eq(tp_itch_type_name('A'), "Add Order");
	ck_assert_str_eq(tp_itch_type_name('h'), "Operational Halt");
	ck_assert_str_eq(tp_itch_type_name('O'), "Direct Listing Capital Raise");
	ck_assert_str_eq(tp_itch_type_name('T'), "Unknown");
	ck_assert_str_eq(tp_itch_type_name(0), "Unknown");
	for (size_t i = 0; i < NSPEC; i++)
		ck_assert_str_ne(tp_itch_type_name((uint8_t)spec_len[i].type), "Unknown");
}
END_TEST

START_TEST(t_alpha)
{
	char out[9];
	ck_assert_uint_eq(tp_itch_alpha(out, sizeof out, "ALC     ", 8), 3);
	ck_assert_str_eq(out, "ALC");
	ck_assert_uint_eq(tp_itch_alpha(out, sizeof out, "ABCDEFGH", 8), 8);
	ck_assert_str_eq(out, "ABCDEFGH");
	ck_assert_uint_eq(tp_itch_alpha(out, sizeof out, "        ", 8), 0);
	ck_assert_str_eq(out, "");
	ck_assert_uint_eq(tp_itch_alpha(out, sizeof out, "BRK A\0\0\0", 8), 5);
	ck_assert_str_eq(out, "BRK A");
	char small[4];
	ck_assert_uint_eq(tp_itch_alpha(small, sizeof small, "CHAR    ", 8), 3);
	ck_assert_str_eq(small, "CHA");
}
END_TEST

static Suite *itch_suite(void)
{
	Suite *s = suite_create("itch");
	TCase *tc = tcase_create("types");
	tcase_add_test(tc, t_system_event);
	tcase_add_test(tc, t_stock_directory);
	tcase_add_test(tc, t_trading_action);
	tcase_add_test(tc, t_reg_sho);
	tcase_add_test(tc, t_mp_position);
	tcase_add_test(tc, t_mwcb_decline);
	tcase_add_test(tc, t_mwcb_status);
	tcase_add_test(tc, t_ipo_update);
	tcase_add_test(tc, t_luld_collar);
	tcase_add_test(tc, t_op_halt);
	tcase_add_test(tc, t_add_order);
	tcase_add_test(tc, t_add_order_max);
	tcase_add_test(tc, t_timestamp_bytes);
	tcase_add_test(tc, t_add_order_mpid);
	tcase_add_test(tc, t_order_executed);
	tcase_add_test(tc, t_order_executed_price);
	tcase_add_test(tc, t_order_cancel);
	tcase_add_test(tc, t_order_delete);
	tcase_add_test(tc, t_order_replace);
	tcase_add_test(tc, t_trade);
	tcase_add_test(tc, t_cross_trade);
	tcase_add_test(tc, t_broken_trade);
	tcase_add_test(tc, t_noii);
	tcase_add_test(tc, t_rpii);
	tcase_add_test(tc, t_dlcr);
	suite_add_tcase(s, tc);

	TCase *tr = tcase_create("rejects");
	tcase_add_test(tr, t_length_table);
	tcase_add_test(tr, t_wrong_length);
	tcase_add_test(tr, t_unknown_type);
	tcase_add_test(tr, t_empty);
	suite_add_tcase(s, tr);

	TCase *th = tcase_create("helpers");
	tcase_add_test(th, t_type_names);
	tcase_add_test(th, t_alpha);
	suite_add_tcase(s, th);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(itch_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
