/* Both allocation paths of the ring: hugepages through libhugetlbfs, and ordinary pages.
 * tools/test reserves hugepages when it can and says so in TP_EXPECT_HUGE=1, so the hugepage
 * path is asserted (not merely tolerated) wherever the machine allows it. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp_hugemem.h"
#include "tp_ring.h"

static void exercise(struct tp_ring *r)
{
	/* touch every slot through the API: the memory is really usable */
	uint32_t cap = tp_ring_capacity(r);
	for (uint32_t round = 0; round < 3; round++) {
		for (uint64_t i = 0; i < cap; i++) {
			uint64_t e[8] = { i, i, i, i, i, i, i, i }; /* one 64-byte element */
			ck_assert_int_eq(tp_ring_enqueue(r, e), 0);
		}
		for (uint64_t i = 0; i < cap; i++) {
			uint64_t v[8];
			ck_assert_int_eq(tp_ring_dequeue(r, v), 0);
			ck_assert_uint_eq(v[0], i);
		}
	}
	char err[160];
	ck_assert_msg(tp_ring_validate(r, err, sizeof(err)) == 0, "%s", err);
}

START_TEST(forced_fallback_by_flag)
{
	struct tp_ring *r = tp_ring_create("f", 1u << 16, 64, TP_RING_F_NO_HUGE);
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(tp_ring_mem_kind(r), TP_RING_MEM_NORMAL);
	ck_assert_str_eq(tp_ring_mem_name(tp_ring_mem_kind(r)), "normal pages");
	exercise(r);
	tp_ring_free(r);
}
END_TEST

START_TEST(forced_fallback_by_env)
{
	setenv("TP_NO_HUGE", "1", 1);
	struct tp_ring *r = tp_ring_create("e", 1u << 16, 64, 0);
	unsetenv("TP_NO_HUGE");
	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(tp_ring_mem_kind(r), TP_RING_MEM_NORMAL);
	exercise(r);
	tp_ring_free(r);
}
END_TEST

START_TEST(hugepages_when_available)
{
	const char *expect = getenv("TP_EXPECT_HUGE");
	int avail = tp_hugemem_available();
	if (expect && strcmp(expect, "1") == 0)
		ck_assert_msg(avail, "TP_EXPECT_HUGE=1 but no hugepages are usable");
	struct tp_ring *r = tp_ring_create("h", 1u << 16, 64, 0);
	ck_assert_ptr_nonnull(r);
	/* the ring says which memory it got, and it is the one the machine offers */
	ck_assert_int_eq(tp_ring_mem_kind(r), avail ? TP_RING_MEM_HUGE : TP_RING_MEM_NORMAL);
	exercise(r);
	tp_ring_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring-memory");
	TCase *tc = tcase_create("alloc");
	tcase_add_test(tc, forced_fallback_by_flag);
	tcase_add_test(tc, forced_fallback_by_env);
	tcase_add_test(tc, hugepages_when_available);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK); /* setenv must reach the code under test */
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
