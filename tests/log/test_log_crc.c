/* CRC32C: the published check values (RFC 3720 appendix B.4 and the "123456789" check), both
 * backends, chaining, and every alignment and length the record path can hit. */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "tp_crc32c.h"

struct vec {
	const char *name;
	uint8_t data[64];
	size_t len;
	uint32_t crc;
};

static struct vec vecs[8];
static unsigned nvecs;

static void build_vectors(void)
{
	nvecs = 0;
	struct vec *v = &vecs[nvecs++];
	v->name = "123456789";
	memcpy(v->data, "123456789", 9);
	v->len = 9;
	v->crc = 0xE3069283u;

	v = &vecs[nvecs++];
	v->name = "32 x 0x00";
	memset(v->data, 0, 32);
	v->len = 32;
	v->crc = 0x8A9136AAu;

	v = &vecs[nvecs++];
	v->name = "32 x 0xff";
	memset(v->data, 0xff, 32);
	v->len = 32;
	v->crc = 0x62A8AB43u;

	v = &vecs[nvecs++];
	v->name = "0x00..0x1f";
	for (int i = 0; i < 32; i++)
		v->data[i] = (uint8_t)i;
	v->len = 32;
	v->crc = 0x46DD794Eu;

	v = &vecs[nvecs++];
	v->name = "0x1f..0x00";
	for (int i = 0; i < 32; i++)
		v->data[i] = (uint8_t)(31 - i);
	v->len = 32;
	v->crc = 0x113FDB5Cu;

	v = &vecs[nvecs++];
	v->name = "a";
	v->data[0] = 'a';
	v->len = 1;
	v->crc = 0xC1D04330u;

	v = &vecs[nvecs++];
	v->name = "quick brown fox";
	memcpy(v->data, "The quick brown fox jumps over the lazy dog", 43);
	v->len = 43;
	v->crc = 0x22620404u;

	v = &vecs[nvecs++];
	v->name = "empty";
	v->len = 0;
	v->crc = 0;
}

START_TEST(known_vectors)
{
	build_vectors();
	for (unsigned i = 0; i < nvecs; i++) {
		const struct vec *v = &vecs[i];
		ck_assert_msg(tp_crc32c(0, v->data, v->len) == v->crc, "%s: got 0x%08x want 0x%08x",
			      v->name, tp_crc32c(0, v->data, v->len), v->crc);
		ck_assert_msg(tp_crc32c_sw(0, v->data, v->len) == v->crc, "sw %s", v->name);
		if (tp_crc32c_hw_available())
			ck_assert_msg(tp_crc32c_hw(0, v->data, v->len) == v->crc, "hw %s", v->name);
	}
}
END_TEST

/* Chaining: any split of the input gives the one-shot value. */
START_TEST(chaining)
{
	const char *s = "The quick brown fox jumps over the lazy dog";
	size_t n = strlen(s);
	for (size_t k = 0; k <= n; k++) {
		uint32_t c = tp_crc32c(tp_crc32c(0, s, k), s + k, n - k);
		ck_assert_uint_eq(c, 0x22620404u);
		c = tp_crc32c_sw(tp_crc32c_sw(0, s, k), s + k, n - k);
		ck_assert_uint_eq(c, 0x22620404u);
	}
}
END_TEST

/* Both backends agree on every start alignment and every length up to two slots, over
 * bytes that are not a pattern either could special-case. */
START_TEST(backends_agree)
{
	static uint8_t buf[300];
	uint32_t x = 2463534242u;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		buf[i] = (uint8_t)x;
	}
	for (size_t off = 0; off < 8; off++)
		for (size_t len = 0; len + off <= 264; len++) {
			uint32_t sw = tp_crc32c_sw(0, buf + off, len);
			ck_assert_uint_eq(tp_crc32c(0, buf + off, len), sw);
			if (tp_crc32c_hw_available())
				ck_assert_uint_eq(tp_crc32c_hw(0, buf + off, len), sw);
		}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log-crc");
	TCase *tc = tcase_create("crc32c");
	tcase_add_test(tc, known_vectors);
	tcase_add_test(tc, chaining);
	tcase_add_test(tc, backends_agree);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
