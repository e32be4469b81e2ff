/* Producer threads and the logger thread at once: in replay mode every record of every
 * producer arrives, in its producer's order; in live mode what was accepted arrives in order
 * and what was refused is exactly what the drop records add up to. Small rings keep the
 * producers hitting full and the logger hitting empty. Also built under ThreadSanitizer
 * (suite 'concurrency'), with a thread reading the live stats meanwhile.
 *
 * Usage: test_log_threads [RECORDS_PER_PRODUCER]   (default 50000) */
#include <check.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log_test_util.h"
#include "tp_logger.h"
#include "tp_logreader.h"

#define NPROD 2
static uint64_t g_n = 50000;

struct prod_arg {
	struct tp_log_prod *p;
	uint64_t base;
	uint64_t sent;
};

static void *producer(void *arg)
{
	struct prod_arg *a = arg;
	for (uint64_t i = 0; i < g_n; i++) {
		struct tp_event ev;
		memset(&ev, 0, sizeof(ev));
		ev.kind = TP_EV_TRADE;
		ev.seq = i;
		ev.order_ref = a->base + i;
		ev.exch_ts_ns = i + 1;
		if (tp_log_event(a->p, &ev) == 0)
			a->sent++;
	}
	return NULL;
}

struct monitor_arg {
	struct tp_logger *lg;
	atomic_int stop;
	uint64_t max_records;
	int went_back; /* checked after the join: Check asserts belong on the test's thread */
};

static void *monitor(void *arg)
{
	struct monitor_arg *m = arg;
	while (!atomic_load(&m->stop)) {
		struct tp_logger_stats st;
		tp_logger_get_stats(m->lg, &st);
		if (st.records < m->max_records)
			m->went_back = 1;
		m->max_records = st.records;
	}
	return NULL;
}

static void run(enum tp_log_mode mode, uint32_t ring)
{
	char *dir = lt_mkdtemp();
	struct tp_log_prod *p[NPROD];
	struct prod_arg a[NPROD];
	for (unsigned k = 0; k < NPROD; k++) {
		p[k] = tp_log_prod_create("thr", (uint8_t)(k + 1), ring, mode, TP_LOG_PROD_NO_HUGE);
		ck_assert_ptr_nonnull(p[k]);
		a[k] = (struct prod_arg){.p = p[k], .base = (uint64_t)k << 40};
	}
	struct tp_logger_cfg c;
	memset(&c, 0, sizeof(c));
	c.w = lt_cfg(dir, 256 << 10);
	c.w.flush_bytes = 64 << 10;
	c.burst = 32;
	char err[256];
	struct tp_logger *lg = tp_logger_start(&c, p, NPROD, err, sizeof(err));
	ck_assert_msg(lg != NULL, "%s", err);
	struct monitor_arg m = {.lg = lg};
	atomic_init(&m.stop, 0);
	pthread_t mt, pt[NPROD];
	ck_assert_int_eq(pthread_create(&mt, NULL, monitor, &m), 0);
	for (unsigned k = 0; k < NPROD; k++)
		ck_assert_int_eq(pthread_create(&pt[k], NULL, producer, &a[k]), 0);
	for (unsigned k = 0; k < NPROD; k++)
		pthread_join(pt[k], NULL);
	/* staged shutdown: producers are done, the monitor lets go of the logger, then the
	 * logger drains and stops (and is freed) */
	atomic_store(&m.stop, 1);
	pthread_join(mt, NULL);
	struct tp_logger_stats st;
	ck_assert_int_eq(tp_logger_stop(lg, &st), 0);
	ck_assert_int_eq(m.went_back, 0);

	uint64_t sent = 0, dropped = 0;
	for (unsigned k = 0; k < NPROD; k++) {
		if (mode == TP_LOG_REPLAY)
			ck_assert_uint_eq(a[k].sent, g_n);
		ck_assert_uint_eq(a[k].sent + tp_log_prod_drops(p[k]), g_n);
		sent += a[k].sent;
		dropped += tp_log_prod_drops(p[k]);
	}
	ck_assert_uint_eq(st.drops, dropped);
	ck_assert_uint_eq(sent + dropped, NPROD * g_n);

	struct tp_log_reader *rd;
	const char *path = dir;
	ck_assert_int_eq(tp_log_reader_open(&rd, &path, 1, 0, err, sizeof(err)), 0);
	struct tp_log_slot r;
	uint64_t got[NPROD] = {0}, next_min[NPROD] = {0}, drop_sum[NPROD] = {0};
	uint64_t drop_total[NPROD] = {0}, seq = 0;
	int rc;
	while ((rc = tp_log_reader_next(rd, &r)) == 1) {
		ck_assert_uint_eq(r.hdr.seq, seq++);
		if (r.hdr.type == TP_LOG_DROP) {
			unsigned k = r.u.drop.producer - 1;
			ck_assert_uint_lt(k, NPROD);
			drop_sum[k] += r.u.drop.since_last;
			ck_assert_uint_eq(r.u.drop.total, drop_sum[k]);
			drop_total[k] = r.u.drop.total;
			continue;
		}
		ck_assert_uint_eq(r.hdr.type, TP_LOG_EVENT);
		unsigned k = r.hdr.producer - 1;
		ck_assert_uint_lt(k, NPROD);
		ck_assert_uint_eq(r.u.event.order_ref, a[k].base + r.u.event.seq);
		ck_assert_uint_eq(r.hdr.exch_ns, r.u.event.seq + 1);
		if (mode == TP_LOG_REPLAY)
			ck_assert_uint_eq(r.u.event.seq, got[k]); /* all, in order */
		else
			ck_assert_uint_ge(r.u.event.seq, next_min[k]); /* in order, with holes */
		next_min[k] = r.u.event.seq + 1;
		got[k]++;
	}
	ck_assert_msg(rc == 0, "reader: %s", tp_log_reader_error(rd));
	for (unsigned k = 0; k < NPROD; k++) {
		ck_assert_uint_eq(got[k], a[k].sent);
		ck_assert_uint_eq(drop_total[k], tp_log_prod_drops(p[k]));
	}
	ck_assert_uint_eq(st.records, seq);
	tp_log_reader_close(rd);
	for (unsigned k = 0; k < NPROD; k++)
		tp_log_prod_free(p[k]);
	lt_rmdir(dir);
}

START_TEST(replay_threads_lose_nothing) { run(TP_LOG_REPLAY, 16); }
END_TEST

START_TEST(live_threads_count_drops) { run(TP_LOG_LIVE, 16); }
END_TEST

int main(int argc, char **argv)
{
	if (argc > 1)
		g_n = strtoull(argv[1], NULL, 10);
	Suite *s = suite_create("log-threads");
	TCase *tc = tcase_create("threads");
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, replay_threads_lose_nothing);
	tcase_add_test(tc, live_threads_count_drops);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
