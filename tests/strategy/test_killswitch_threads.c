/* The kill-switch across threads (also run under ThreadSanitizer, suite 'concurrency').
 *
 * Order checkers spin on tp_ks_blocked while another thread halts. The halting thread sets a
 * `done` flag (release) after tp_ks_halt returns; a checker that saw `done` (acquire) before
 * checking must be blocked: no order may be accepted after the halter signalled completion.
 * Then racing halters: exactly one wins per scope, one epoch, one audit record. */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "tp_killswitch.h"

#define CHECKERS 3
#define AFTER_DONE 20000 /* checks each checker makes after seeing done */

struct shared {
	struct tp_killswitch *ks;
	enum tp_ks_scope scope;
	uint16_t halted_locate;  /* checked: must block after done */
	uint16_t other_locate;   /* checked: must never block in a symbol halt */
	_Atomic int started;
	_Atomic int done;
};

struct checker {
	struct shared *sh;
	uint64_t accepted_after_done;
	uint64_t other_blocked;
	uint64_t accepted_before;
	uint64_t checks;
};

static void *checker_main(void *arg)
{
	struct checker *c = arg;
	struct shared *sh = c->sh;
	/* relaxed: a start count, nothing is published through it */
	atomic_fetch_add_explicit(&sh->started, 1, memory_order_relaxed);
	uint64_t after = 0;
	while (after < AFTER_DONE) {
		/* acquire pairs with the halter's release store of done: the halt is visible */
		int d = atomic_load_explicit(&sh->done, memory_order_acquire);
		int b = tp_ks_blocked(sh->ks, sh->halted_locate);
		if (sh->scope == TP_KS_SYMBOL && tp_ks_blocked(sh->ks, sh->other_locate))
			c->other_blocked++;
		c->checks++;
		if (d) {
			after++;
			if (!b)
				c->accepted_after_done++;
		} else if (!b) {
			c->accepted_before++;
		}
	}
	return NULL;
}

static void run_halt_race(enum tp_ks_scope scope)
{
	char err[128];
	struct shared sh = { .scope = scope, .halted_locate = 42, .other_locate = 43 };
	sh.ks = tp_ks_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(sh.ks);
	pthread_t th[CHECKERS];
	struct checker c[CHECKERS] = { 0 };
	for (int i = 0; i < CHECKERS; i++) {
		c[i].sh = &sh;
		ck_assert_int_eq(pthread_create(&th[i], NULL, checker_main, &c[i]), 0);
	}
	/* relaxed: only a rendezvous so the halt lands while they spin */
	while (atomic_load_explicit(&sh.started, memory_order_relaxed) < CHECKERS)
		;
	for (volatile int spin = 0; spin < 100000; spin++)
		;
	ck_assert_int_eq(tp_ks_halt(sh.ks, scope, 42, TP_KS_R_TEST, "halter", 1), 0);
	/* release pairs with the checkers' acquire load of done */
	atomic_store_explicit(&sh.done, 1, memory_order_release);
	uint64_t total = 0;
	for (int i = 0; i < CHECKERS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		ck_assert_uint_eq(c[i].accepted_after_done, 0);
		ck_assert_uint_eq(c[i].other_blocked, 0);
		total += c[i].checks;
	}
	ck_assert_uint_ge(total, (uint64_t)CHECKERS * AFTER_DONE);
	tp_ks_free(sh.ks);
}

START_TEST(test_global_halt_seen_by_all_checkers) { run_halt_race(TP_KS_GLOBAL); }
END_TEST

START_TEST(test_symbol_halt_seen_by_all_checkers) { run_halt_race(TP_KS_SYMBOL); }
END_TEST

#define HALTERS 4
#define ROUNDS 200

struct halter_arg {
	struct tp_killswitch *ks;
	_Atomic int *go;
	int wins;
	int id;
};

static void *halter_main(void *arg)
{
	struct halter_arg *a = arg;
	char who[16] = "halter-0";
	who[7] = (char)('0' + a->id);
	for (int r = 0; r < ROUNDS; r++) {
		/* acquire: pairs with the main thread's release of go; the round's symbol is fresh */
		while (atomic_load_explicit(a->go, memory_order_acquire) <= r)
			;
		if (tp_ks_halt(a->ks, TP_KS_SYMBOL, (uint16_t)(1000 + r), TP_KS_R_TEST, who,
			       (uint64_t)r) == 0)
			a->wins++;
	}
	return NULL;
}

START_TEST(test_racing_halters_one_winner)
{
	char err[128];
	struct tp_killswitch *ks = tp_ks_create(NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(ks);
	_Atomic int go = 0;
	pthread_t th[HALTERS];
	struct halter_arg a[HALTERS];
	for (int i = 0; i < HALTERS; i++) {
		a[i] = (struct halter_arg){ .ks = ks, .go = &go, .id = i };
		ck_assert_int_eq(pthread_create(&th[i], NULL, halter_main, &a[i]), 0);
	}
	/* release: pairs with the halters' acquire; each round starts all of them at once */
	for (int r = 1; r <= ROUNDS; r++)
		atomic_store_explicit(&go, r, memory_order_release);
	int wins = 0;
	for (int i = 0; i < HALTERS; i++) {
		ck_assert_int_eq(pthread_join(th[i], NULL), 0);
		wins += a[i].wins;
	}
	ck_assert_int_eq(wins, ROUNDS);
	for (int r = 0; r < ROUNDS; r++)
		ck_assert_uint_eq(tp_ks_word(ks, TP_KS_SYMBOL, (uint16_t)(1000 + r)),
				  tp_ks_word_pack(1, TP_KS_R_TEST, 1));
	struct tp_ks_status st;
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(st.halts, ROUNDS);
	ck_assert_uint_eq(st.halts_repeated, (HALTERS - 1) * ROUNDS);
	ck_assert_uint_eq(st.changes, ROUNDS);
	/* One complete audit record per symbol, every position filled exactly once. */
	struct tp_ks_audit_iter it;
	struct tp_ks_audit_rec rec;
	uint8_t seen[ROUNDS] = { 0 };
	int n = 0;
	tp_ks_audit_begin(ks, &it);
	while (tp_ks_audit_next(ks, &it, &rec)) {
		ck_assert_uint_eq(rec.seq, (uint64_t)n);
		ck_assert_uint_ge(rec.locate, 1000);
		ck_assert_uint_lt(rec.locate, 1000 + ROUNDS);
		ck_assert_uint_eq(rec.ts_ns, rec.locate - 1000u);
		ck_assert_uint_eq(rec.epoch, 1);
		ck_assert_int_eq(rec.who[7] >= '0' && rec.who[7] < '0' + HALTERS, 1);
		ck_assert_uint_eq(seen[rec.locate - 1000], 0);
		seen[rec.locate - 1000] = 1;
		n++;
	}
	ck_assert_int_eq(n, ROUNDS);
	tp_ks_free(ks);
}
END_TEST

/* The logger drains the audit log while halters write it. */
struct drain_arg {
	struct tp_killswitch *ks;
	_Atomic int *stop;
	uint64_t got;
};

static void *drain_main(void *arg)
{
	struct drain_arg *d = arg;
	struct tp_ks_audit_rec r;
	for (;;) {
		/* acquire: pairs with the main thread's release of stop, after the halts */
		int stop = atomic_load_explicit(d->stop, memory_order_acquire);
		struct tp_ks_audit_iter it;
		tp_ks_audit_begin(d->ks, &it);
		while (tp_ks_audit_next(d->ks, &it, &r)) {
			if (r.seq != d->got)
				return (void *)1;
			d->got++;
		}
		tp_ks_audit_consume(d->ks, &it);
		if (stop)
			return NULL;
	}
}

START_TEST(test_audit_drained_concurrently)
{
	char err[128];
	struct tp_killswitch *ks = tp_ks_create(NULL, err, sizeof(err));
	_Atomic int stop = 0;
	struct drain_arg d = { .ks = ks, .stop = &stop };
	pthread_t th;
	ck_assert_int_eq(pthread_create(&th, NULL, drain_main, &d), 0);
	/* More records than the log holds: the drainer must keep up, or drops are counted. */
	for (uint32_t l = 0; l < 3 * TP_KS_AUDIT_CAP; l++)
		tp_ks_halt(ks, TP_KS_SYMBOL, (uint16_t)l, TP_KS_R_TEST, "h", l);
	/* release: pairs with the drainer's acquire; all halts are done */
	atomic_store_explicit(&stop, 1, memory_order_release);
	void *rv;
	ck_assert_int_eq(pthread_join(th, &rv), 0);
	ck_assert_ptr_null(rv);
	struct tp_ks_status st;
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(d.got + st.audit_dropped, 3 * TP_KS_AUDIT_CAP);
	tp_ks_free(ks);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("killswitch-threads");
	TCase *tc = tcase_create("threads");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_global_halt_seen_by_all_checkers);
	tcase_add_test(tc, test_symbol_halt_seen_by_all_checkers);
	tcase_add_test(tc, test_racing_halters_one_winner);
	tcase_add_test(tc, test_audit_drained_concurrently);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
