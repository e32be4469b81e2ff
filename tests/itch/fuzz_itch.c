/* libFuzzer target: tp_itch_decode() over arbitrary bytes. Besides "no crash, no UB, no
 * read past the end" (ASan/UBSan), it checks that the result agrees with the length table,
 * so a decoder that accepted a wrong length would trap here. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "tp_itch.h"

#define REQUIRE(c) do { if (!(c)) __builtin_trap(); } while (0)

static void check_one(const uint8_t *p, uint32_t len)
{
	struct tp_itch_msg m;
	int rc = tp_itch_decode(p, len, &m);
	if (len == 0) {
		REQUIRE(rc == TP_ITCH_E_EMPTY);
		return;
	}
	uint32_t want = tp_itch_msg_len(p[0]);
	REQUIRE(tp_itch_type_name(p[0]) != NULL);
	if (want == 0) {
		REQUIRE(rc == TP_ITCH_E_UNKNOWN_TYPE);
	} else if (want != len) {
		REQUIRE(rc == TP_ITCH_E_LENGTH);
	} else {
		REQUIRE(rc == TP_ITCH_OK);
		REQUIRE(m.type == p[0]);
		REQUIRE(m.stock_locate == (uint16_t)(p[1] << 8 | p[2]));
		REQUIRE(m.timestamp_ns < (1ULL << 48));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t len = size > UINT32_MAX ? UINT32_MAX : (uint32_t)size;
	check_one(data, len);
	/* The input read as back-to-back messages, each decoded at its exact length. */
	size_t off = 0;
	while (off < size) {
		uint32_t n = tp_itch_msg_len(data[off]);
		if (n == 0 || n > size - off)
			break;
		check_one(data + off, n);
		off += n;
	}
	char sym[9];
	if (size >= 8)
		REQUIRE(tp_itch_alpha(sym, sizeof sym, (const char *)data, 8) <= 8);
	return 0;
}
