/* Two threads move sequence numbers through the ring; the consumer checks that every number
 * arrives once and in order. Small rings keep both sides hitting full and empty constantly,
 * which is where a wrong memory order or a stale cached index shows up. Also built under
 * ThreadSanitizer (suite 'concurrency').
 *
 * Usage: test_ring_threads [ITEMS]   (default 100000000 for the single-op mode) */
#include <check.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "tp_ring.h"

static uint64_t g_items = 100000000ull;

enum mode { M_SINGLE, M_BURST, M_ZEROCOPY };

struct run {
	struct tp_ring *r;
	enum mode mode;
	uint64_t items;
	uint64_t received;
	uint64_t errors;
	uint64_t first_bad_got, first_bad_want;
};

static void *producer(void *arg)
{
	struct run *x = arg;
	uint64_t next = 0, buf[37];
	while (next < x->items) {
		switch (x->mode) {
		case M_SINGLE:
			if (tp_ring_enqueue(x->r, &next) == 0)
				next++;
			break;
		case M_BURST: {
			/* odd burst size so bursts straddle the wrap at varying offsets */
			uint32_t n = (uint32_t)(x->items - next < 37 ? x->items - next : 37);
			for (uint32_t k = 0; k < n; k++)
				buf[k] = next + k;
			next += tp_ring_enqueue_burst(x->r, buf, n);
			break;
		}
		case M_ZEROCOPY: {
			uint32_t want = (uint32_t)(x->items - next < 16 ? x->items - next : 16);
			uint32_t got = tp_ring_reserve(x->r, want);
			for (uint32_t k = 0; k < got; k++) {
				uint64_t *slot = tp_ring_reserved_slot(x->r, k);
				slot[0] = next + k;
				slot[1] = ~(next + k); /* 16-byte elements: both words must match */
			}
			tp_ring_commit(x->r, got);
			next += got;
			break;
		}
		}
	}
	return NULL;
}

static void check_value(struct run *x, uint64_t got)
{
	if (got != x->received && x->errors++ == 0) {
		x->first_bad_got = got;
		x->first_bad_want = x->received;
	}
	x->received++;
}

static void *consumer(void *arg)
{
	struct run *x = arg;
	uint64_t buf[41];
	while (x->received < x->items) {
		switch (x->mode) {
		case M_SINGLE: {
			uint64_t v;
			if (tp_ring_dequeue(x->r, &v) == 0)
				check_value(x, v);
			break;
		}
		case M_BURST: {
			uint32_t n = tp_ring_dequeue_burst(x->r, buf, 41);
			for (uint32_t k = 0; k < n; k++)
				check_value(x, buf[k]);
			break;
		}
		case M_ZEROCOPY: {
			uint32_t n = tp_ring_peek(x->r, 13);
			for (uint32_t k = 0; k < n; k++) {
				const uint64_t *slot = tp_ring_peeked_slot(x->r, k);
				if (slot[1] != ~slot[0])
					x->errors++;
				check_value(x, slot[0]);
			}
			tp_ring_release(x->r, n);
			break;
		}
		}
	}
	return NULL;
}

static void run_mode(enum mode mode, uint32_t cap, uint32_t esize, uint64_t items)
{
	struct tp_ring *r = tp_ring_create("mt", cap, esize, TP_RING_F_NO_HUGE);
	ck_assert_ptr_nonnull(r);
	/* start near the top of the index range so the run crosses the 2^32 wrap */
	ck_assert_int_eq(tp_ring_set_start_index(r, UINT32_MAX - 1000), 0);
	struct run x = { .r = r, .mode = mode, .items = items };
	pthread_t p, c;
	ck_assert_int_eq(pthread_create(&c, NULL, consumer, &x), 0);
	ck_assert_int_eq(pthread_create(&p, NULL, producer, &x), 0);
	pthread_join(p, NULL);
	pthread_join(c, NULL);
	ck_assert_msg(x.errors == 0, "%llu errors; first: got %llu, wanted %llu",
		      (unsigned long long)x.errors, (unsigned long long)x.first_bad_got,
		      (unsigned long long)x.first_bad_want);
	ck_assert_uint_eq(x.received, items);
	ck_assert(tp_ring_empty(r));
	char err[160];
	ck_assert_msg(tp_ring_validate(r, err, sizeof(err)) == 0, "%s", err);
	tp_ring_free(r);
}

START_TEST(single_ops_in_order)
{
	run_mode(M_SINGLE, 1024, 8, g_items);
}
END_TEST

START_TEST(bursts_in_order)
{
	run_mode(M_BURST, 256, 8, g_items / 4);
}
END_TEST

START_TEST(zero_copy_in_order)
{
	run_mode(M_ZEROCOPY, 64, 16, g_items / 10);
}
END_TEST

int main(int argc, char **argv)
{
	if (argc > 1)
		g_items = strtoull(argv[1], NULL, 10);
	printf("moving %llu sequence numbers (single ops), %llu (bursts), %llu (zero copy)\n",
	       (unsigned long long)g_items, (unsigned long long)g_items / 4,
	       (unsigned long long)g_items / 10);
	Suite *s = suite_create("ring-threads");
	TCase *tc = tcase_create("spsc");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, single_ops_in_order);
	tcase_add_test(tc, bursts_in_order);
	tcase_add_test(tc, zero_copy_in_order);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
