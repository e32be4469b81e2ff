/* libFuzzer target: the BinaryFILE reader over arbitrary bytes (memory input), each
 * delivered message then decoded. Checks the reader's promises as well as memory safety:
 * a delivered message always has its type's exact length and decodes; the counters add up;
 * the reader never consumes more than it was given; a negative result is sticky. */
#include <stddef.h>
#include <stdint.h>

#include "tp_binfile.h"
#include "tp_itch.h"

#define REQUIRE(c) do { if (!(c)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tp_binfile *bf;
	char err[128];
	REQUIRE(tp_binfile_open_mem(data, size, &bf, err, sizeof err) == 0);
	const uint8_t *m;
	uint32_t len;
	int rc;
	uint64_t n = 0;
	while ((rc = tp_binfile_next(bf, &m, &len)) == 1) {
		REQUIRE(m >= data && m + len <= data + size);
		REQUIRE(len == tp_itch_msg_len(m[0]));
		struct tp_itch_msg d;
		REQUIRE(tp_itch_decode(m, len, &d) == TP_ITCH_OK);
		n++;
	}
	const struct tp_binfile_stats *st = tp_binfile_get_stats(bf);
	REQUIRE(st->messages == n);
	REQUIRE(st->bytes <= size);
	REQUIRE(st->messages * 3 + st->malformed * 2 <= size + 2);
	if (rc == 0) {
		REQUIRE(st->bytes == size);
	} else {
		REQUIRE(rc == TP_BINFILE_E_TRUNCATED || rc == TP_BINFILE_E_UNSYNC);
		REQUIRE(st->malformed > 0);
		REQUIRE(tp_binfile_next(bf, &m, &len) == rc);
		REQUIRE(tp_binfile_errstr(bf)[0] != '\0');
	}
	double p = tp_binfile_progress(bf);
	REQUIRE(p >= 0.0 && p <= 1.0);
	tp_binfile_close(bf);
	return 0;
}
