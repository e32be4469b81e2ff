/* Single-thread semantics of the SPSC ring: every edge of the API, with exact contents. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp_ring.h"

static struct tp_ring *mk(uint32_t cap, uint32_t esize)
{
	struct tp_ring *r = tp_ring_create("t", cap, esize, TP_RING_F_NO_HUGE);
	ck_assert_ptr_nonnull(r);
	return r;
}

static void assert_valid(const struct tp_ring *r)
{
	char err[160] = "";
	ck_assert_msg(tp_ring_validate(r, err, sizeof(err)) == 0, "validate: %s", err);
}

START_TEST(create_rejects_bad_sizes)
{
	ck_assert_ptr_null(tp_ring_create("x", 0, 8, TP_RING_F_NO_HUGE));
	ck_assert_ptr_null(tp_ring_create("x", 1, 8, TP_RING_F_NO_HUGE));
	ck_assert_ptr_null(tp_ring_create("x", 12, 8, TP_RING_F_NO_HUGE));
	ck_assert_ptr_null(tp_ring_create("x", 16, 4, TP_RING_F_NO_HUGE));
	ck_assert_ptr_null(tp_ring_create("x", 16, 12, TP_RING_F_NO_HUGE));
	ck_assert_ptr_null(tp_ring_create("x", 16, 264, TP_RING_F_NO_HUGE));
	ck_assert_ptr_null(tp_ring_create("x", TP_RING_MAX_CAPACITY * 2u, 8, TP_RING_F_NO_HUGE));
	struct tp_ring *r = mk(16, 256);
	ck_assert_uint_eq(tp_ring_capacity(r), 16);
	ck_assert_uint_eq(tp_ring_elem_size(r), 256);
	assert_valid(r);
	tp_ring_free(r);
}
END_TEST

START_TEST(full_and_empty)
{
	struct tp_ring *r = mk(8, 8);
	uint64_t v;
	ck_assert(tp_ring_empty(r));
	ck_assert_int_eq(tp_ring_dequeue(r, &v), -ENOENT);
	for (uint64_t i = 0; i < 8; i++) {
		ck_assert_int_eq(tp_ring_enqueue(r, &i), 0);
		ck_assert_uint_eq(tp_ring_used(r), i + 1);
	}
	ck_assert(tp_ring_full(r));
	ck_assert_uint_eq(tp_ring_free_count(r), 0);
	uint64_t extra = 99;
	ck_assert_int_eq(tp_ring_enqueue(r, &extra), -ENOBUFS);
	assert_valid(r);
	for (uint64_t i = 0; i < 8; i++) {
		ck_assert_int_eq(tp_ring_dequeue(r, &v), 0);
		ck_assert_uint_eq(v, i);
	}
	ck_assert_int_eq(tp_ring_dequeue(r, &v), -ENOENT);
	ck_assert(tp_ring_empty(r));
	assert_valid(r);
	tp_ring_free(r);
}
END_TEST

START_TEST(wrap_around_keeps_order)
{
	struct tp_ring *r = mk(8, 16);
	uint64_t next_in = 0, next_out = 0;
	/* 5 in, 3 out, repeatedly: the window slides over the end of the slot array many times */
	for (int round = 0; round < 100; round++) {
		for (int k = 0; k < 5 && tp_ring_free_count(r); k++) {
			uint64_t e[2] = { next_in, ~next_in };
			ck_assert_int_eq(tp_ring_enqueue(r, e), 0);
			next_in++;
		}
		for (int k = 0; k < 3; k++) {
			uint64_t e[2];
			if (tp_ring_dequeue(r, e) != 0)
				break;
			ck_assert_uint_eq(e[0], next_out);
			ck_assert_uint_eq(e[1], ~next_out);
			next_out++;
		}
		assert_valid(r);
	}
	uint64_t e[2];
	while (tp_ring_dequeue(r, e) == 0) {
		ck_assert_uint_eq(e[0], next_out);
		next_out++;
	}
	ck_assert_uint_eq(next_in, next_out);
	ck_assert_uint_gt(next_in, 200);
	tp_ring_free(r);
}
END_TEST

START_TEST(index_overflow)
{
	struct tp_ring *r = mk(16, 8);
	ck_assert_int_eq(tp_ring_set_start_index(r, UINT32_MAX - 5), 0);
	assert_valid(r);
	uint64_t in[40], out[40];
	for (int i = 0; i < 40; i++)
		in[i] = 1000 + (uint64_t)i;
	/* fill across the 2^32 boundary, check used count and contents at every step */
	ck_assert_uint_eq(tp_ring_enqueue_burst(r, in, 16), 16);
	ck_assert(tp_ring_full(r));
	ck_assert_uint_eq(tp_ring_used(r), 16);
	assert_valid(r);
	ck_assert_uint_eq(tp_ring_dequeue_burst(r, out, 10), 10);
	ck_assert_uint_eq(tp_ring_enqueue_burst(r, in + 16, 24), 10);
	ck_assert_uint_eq(tp_ring_dequeue_burst(r, out + 10, 40), 16);
	for (int i = 0; i < 26; i++)
		ck_assert_uint_eq(out[i], 1000 + (uint64_t)i);
	ck_assert(tp_ring_empty(r));
	ck_assert_uint_eq(atomic_load(&r->prod.head), (uint32_t)(UINT32_MAX - 5 + 26));
	assert_valid(r);
	/* moving the start is refused while elements are queued */
	ck_assert_int_eq(tp_ring_enqueue(r, in), 0);
	ck_assert_int_eq(tp_ring_set_start_index(r, 0), -EBUSY);
	tp_ring_free(r);
}
END_TEST

START_TEST(burst_and_bulk_edges)
{
	struct tp_ring *r = mk(8, 8);
	uint64_t in[10] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9 }, out[10] = { 0 };
	ck_assert_uint_eq(tp_ring_enqueue_burst(r, in, 0), 0);
	ck_assert_uint_eq(tp_ring_enqueue_bulk(r, in, 0), 0);
	ck_assert_uint_eq(tp_ring_enqueue_bulk(r, in, 9), 0);  /* more than capacity: none */
	ck_assert(tp_ring_empty(r));
	ck_assert_uint_eq(tp_ring_enqueue_bulk(r, in, 6), 6);
	ck_assert_uint_eq(tp_ring_enqueue_bulk(r, in + 6, 3), 0); /* 2 free: all or nothing */
	ck_assert_uint_eq(tp_ring_used(r), 6);
	ck_assert_uint_eq(tp_ring_enqueue_burst(r, in + 6, 3), 2); /* as many as fit */
	ck_assert(tp_ring_full(r));
	ck_assert_uint_eq(tp_ring_enqueue_burst(r, in + 8, 2), 0);
	ck_assert_uint_eq(tp_ring_dequeue_bulk(r, out, 9), 0);
	ck_assert_uint_eq(tp_ring_used(r), 8);
	ck_assert_uint_eq(tp_ring_dequeue_bulk(r, out, 3), 3);
	ck_assert_uint_eq(tp_ring_dequeue_burst(r, out + 3, 10), 5);
	ck_assert_uint_eq(tp_ring_dequeue_burst(r, out + 8, 10), 0);
	ck_assert_uint_eq(tp_ring_dequeue_bulk(r, out + 8, 1), 0);
	for (int i = 0; i < 8; i++)
		ck_assert_uint_eq(out[i], (uint64_t)i);
	assert_valid(r);
	tp_ring_free(r);
}
END_TEST

START_TEST(reserve_commit_and_peek_release)
{
	struct tp_ring *r = mk(8, 64);
	ck_assert_uint_eq(tp_ring_reserve(r, 5), 5);
	for (uint32_t k = 0; k < 5; k++)
		memset(tp_ring_reserved_slot(r, k), 'a' + (int)k, 64);
	ck_assert(tp_ring_empty(r)); /* nothing is visible before commit */
	ck_assert_uint_eq(tp_ring_peek(r, 8), 0);
	tp_ring_commit(r, 3); /* commit fewer than reserved */
	ck_assert_uint_eq(tp_ring_used(r), 3);
	ck_assert_uint_eq(tp_ring_reserve(r, 8), 5); /* only 5 free */
	for (uint32_t k = 0; k < 5; k++)
		memset(tp_ring_reserved_slot(r, k), 'A' + (int)k, 64);
	tp_ring_commit(r, 5);
	ck_assert(tp_ring_full(r));
	ck_assert_uint_eq(tp_ring_reserve(r, 1), 0);

	ck_assert_uint_eq(tp_ring_peek(r, 2), 2);
	const uint8_t *s0 = tp_ring_peeked_slot(r, 0), *s1 = tp_ring_peeked_slot(r, 1);
	ck_assert_uint_eq(s0[0], 'a');
	ck_assert_uint_eq(s0[63], 'a');
	ck_assert_uint_eq(s1[0], 'b');
	tp_ring_release(r, 1);
	ck_assert_uint_eq(tp_ring_used(r), 7);
	/* peeked slots are readable in place, across the wrap of the slot array */
	ck_assert_uint_eq(tp_ring_peek(r, 10), 7);
	const char want[] = "bcABCDE";
	for (uint32_t k = 0; k < 7; k++)
		ck_assert_uint_eq(((const uint8_t *)tp_ring_peeked_slot(r, k))[10], (uint8_t)want[k]);
	tp_ring_release(r, 7);
	ck_assert(tp_ring_empty(r));
	/* the wrap: reserved slots now start at index 8 = slot 0 */
	ck_assert_uint_eq(tp_ring_reserve(r, 8), 8);
	ck_assert_ptr_eq(tp_ring_reserved_slot(r, 0), r->cfg.slots);
	assert_valid(r);
	tp_ring_free(r);
}
END_TEST

START_TEST(validate_catches_corruption)
{
	struct tp_ring *r = mk(8, 8);
	char err[160];
	atomic_store(&r->prod.head, 9); /* 9 used in a ring of 8 */
	ck_assert_int_eq(tp_ring_validate(r, err, sizeof(err)), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "exceeds capacity"));
	atomic_store(&r->prod.head, 0);
	r->cfg.mask = 3;
	ck_assert_int_eq(tp_ring_validate(r, err, sizeof(err)), -EINVAL);
	r->cfg.mask = 7;
	ck_assert_int_eq(tp_ring_validate(r, err, sizeof(err)), 0);
	tp_ring_free(r);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("semantics");
	tcase_add_test(tc, create_rejects_bad_sizes);
	tcase_add_test(tc, full_and_empty);
	tcase_add_test(tc, wrap_around_keeps_order);
	tcase_add_test(tc, index_overflow);
	tcase_add_test(tc, burst_and_bulk_edges);
	tcase_add_test(tc, reserve_commit_and_peek_release);
	tcase_add_test(tc, validate_catches_corruption);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
