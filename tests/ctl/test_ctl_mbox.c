/* The mailbox that lets the control thread run a function on a polling thread: every post
 * runs exactly once, on the owner, with its writes visible to the poster; a post the owner
 * never picks up is withdrawn and never runs; once the owner has left its loop the post
 * runs on the caller. Also in suite 'concurrency' (ThreadSanitizer). */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "tp_ctl_mbox.h"

struct owner {
	struct tp_ctl_mbox mb;
	_Atomic int stop;
	int done;             /* release-stored when the owner left its loop */
	uint64_t owned;       /* written only by whoever runs the posted function */
	pthread_t self;
	uint64_t served;
};

struct job {
	struct owner *o;
	uint64_t add;
	uint64_t seen;        /* the owner's value after the add: read back by the poster */
	int on_owner;
};

static void job_fn(void *p)
{
	struct job *j = p;
	j->o->owned += j->add;
	j->seen = j->o->owned;
	j->on_owner = pthread_equal(pthread_self(), j->o->self);
}

static void *owner_main(void *p)
{
	struct owner *o = p;
	while (!atomic_load_explicit(&o->stop, memory_order_relaxed)) {
		o->served += (uint64_t)tp_ctl_mbox_serve(&o->mb);
		for (volatile int i = 0; i < 50; i++) /* the rest of a poll loop */
			;
	}
	__atomic_store_n(&o->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

START_TEST(test_each_post_runs_once_on_the_owner)
{
	struct owner o = { 0 };
	tp_ctl_mbox_init(&o.mb);
	ck_assert_int_eq(pthread_create(&o.self, NULL, owner_main, &o), 0);
	uint64_t sum = 0;
	for (uint64_t i = 1; i <= 20000; i++) {
		struct job j = { .o = &o, .add = i };
		ck_assert_int_eq(tp_ctl_mbox_call(&o.mb, job_fn, &j, 10000000000ull, &o.done), 0);
		sum += i;
		ck_assert_uint_eq(j.seen, sum);
		ck_assert_int_eq(j.on_owner, 1);
	}
	atomic_store(&o.stop, 1);
	pthread_join(o.self, NULL);
	ck_assert_uint_eq(o.owned, sum);
	ck_assert_uint_eq(o.served, 20000);
}
END_TEST

START_TEST(test_unserved_post_withdrawn)
{
	struct owner o = { 0 };
	tp_ctl_mbox_init(&o.mb);
	o.self = pthread_self();
	struct job j = { .o = &o, .add = 5 };
	/* nobody serves and the owner is not done: times out, fn never runs */
	ck_assert_int_eq(tp_ctl_mbox_call(&o.mb, job_fn, &j, 1000000, &o.done), -1);
	ck_assert_uint_eq(o.owned, 0);
	ck_assert_int_eq(tp_ctl_mbox_serve(&o.mb), 0); /* and a late owner finds nothing */
	ck_assert_uint_eq(o.owned, 0);
	/* without a done flag too */
	ck_assert_int_eq(tp_ctl_mbox_call(&o.mb, job_fn, &j, 1000000, NULL), -1);
	ck_assert_uint_eq(o.owned, 0);
}
END_TEST

START_TEST(test_owner_gone_runs_here)
{
	struct owner o = { 0 };
	tp_ctl_mbox_init(&o.mb);
	ck_assert_int_eq(pthread_create(&o.self, NULL, owner_main, &o), 0);
	atomic_store(&o.stop, 1);
	pthread_join(o.self, NULL);
	struct job j = { .o = &o, .add = 7 };
	ck_assert_int_eq(tp_ctl_mbox_call(&o.mb, job_fn, &j, 10000000000ull, &o.done), 0);
	ck_assert_uint_eq(o.owned, 7);
	ck_assert_int_eq(j.on_owner, 0);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl-mbox");
	TCase *tc = tcase_create("mbox");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, test_each_post_runs_once_on_the_owner);
	tcase_add_test(tc, test_unserved_post_withdrawn);
	tcase_add_test(tc, test_owner_gone_runs_here);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
