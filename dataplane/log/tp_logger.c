/* The logger thread. See tp_logger.h. */
#include "tp_logger.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BURST 256u
#define DEFAULT_IDLE_US 100u

/* Counters the thread publishes after every round, for tp_logger_get_stats. */
struct pub_stats {
	_Atomic uint64_t v[9];
};
enum { P_RECORDS, P_BYTES, P_FLUSHES, P_SEGMENTS, P_DROPS, P_BAD, P_WERR, P_LOST, P_DURABLE };

struct tp_logger {
	struct tp_logger_cfg cfg;
	struct tp_log_writer *w;
	struct tp_log_prod **prods;
	uint64_t *drops_seen; /* per producer: the total already written as a drop record */
	unsigned n;
	pthread_t thr;
	_Atomic int stop;
	/* owned by the thread while it runs */
	uint64_t drops;
	uint64_t bad_slots;
	char first_segment[96];
	struct pub_stats pub;
};

/* The logger's own records carry the round's TSC through the writer's fill-in. */
static void own_record(struct tp_logger *lg, unsigned type, const void *payload, uint32_t len)
{
	tp_log_writer_append_rec(lg->w, type, TP_LOG_PRODUCER_LOGGER, 0, 0, payload, len);
}

static uint32_t drain(struct tp_logger *lg, unsigned i)
{
	struct tp_log_prod *p = lg->prods[i];
	struct tp_ring *r = p->ring;
	uint32_t n = tp_ring_peek(r, lg->cfg.burst);
	for (uint32_t k = 0; k < n; k++) {
		const struct tp_log_slot *s = tp_ring_peeked_slot(r, k);
		if (tp_log_writer_append(lg->w, s) == -EINVAL)
			lg->bad_slots++;
	}
	if (n)
		tp_ring_release(r, n);

	/* Drops after the records drained above: the record lands near the gap it explains. */
	uint64_t d = tp_log_prod_drops(p);
	if (d != lg->drops_seen[i]) {
		struct tp_log_drop rec = {.producer = p->id,
					  .total = d,
					  .since_last = d - lg->drops_seen[i]};
		lg->drops += d - lg->drops_seen[i];
		lg->drops_seen[i] = d;
		own_record(lg, TP_LOG_DROP, &rec, sizeof(rec));
	}
	return n;
}

static void stats_record(struct tp_logger *lg)
{
	struct tp_log_writer_stats ws;
	tp_log_writer_get_stats(lg->w, &ws);
	struct tp_log_stats rec;
	memset(&rec, 0, sizeof(rec));
	rec.source = TP_LOG_STATS_LOGGER;
	rec.count = TP_LOG_LSTAT_COUNT;
	rec.interval_ms = 0; /* cumulative */
	rec.counters[TP_LOG_LSTAT_RECORDS] = ws.records;
	rec.counters[TP_LOG_LSTAT_BYTES] = ws.bytes;
	rec.counters[TP_LOG_LSTAT_FLUSHES] = ws.flushes;
	rec.counters[TP_LOG_LSTAT_SEGMENTS] = ws.segments;
	rec.counters[TP_LOG_LSTAT_DROPS] = lg->drops;
	rec.counters[TP_LOG_LSTAT_BAD_SLOTS] = lg->bad_slots;
	rec.counters[TP_LOG_LSTAT_WRITE_ERRORS] = ws.write_errors;
	own_record(lg, TP_LOG_STATS, &rec, sizeof(rec));
}

static void publish(struct tp_logger *lg)
{
	struct tp_log_writer_stats ws;
	tp_log_writer_get_stats(lg->w, &ws);
	const uint64_t v[9] = {
		[P_RECORDS] = ws.records,   [P_BYTES] = ws.bytes,      [P_FLUSHES] = ws.flushes,
		[P_SEGMENTS] = ws.segments, [P_DROPS] = lg->drops,     [P_BAD] = lg->bad_slots,
		[P_WERR] = ws.write_errors, [P_LOST] = ws.lost,        [P_DURABLE] = ws.durable_seq,
	};
	/* relaxed: monitoring counters; nothing else is read through them */
	for (int k = 0; k < 9; k++)
		atomic_store_explicit(&lg->pub.v[k], v[k], memory_order_relaxed);
}

static void *run(void *arg)
{
	struct tp_logger *lg = arg;
	uint64_t stats_ns = (uint64_t)lg->cfg.stats_ms * 1000000u;
	uint64_t next_stats = tp_log_clock_ns(CLOCK_MONOTONIC) + stats_ns;
	struct timespec idle = {0, (long)lg->cfg.idle_us * 1000};

	for (;;) {
		/* acquire pairs with the release store in tp_logger_stop: whatever the producers
		 * committed before stop was asked for is visible to the round below, so an empty
		 * round after seeing stop means everything is drained. */
		int stopping = atomic_load_explicit(&lg->stop, memory_order_acquire);
		/* One TSC per round for the records that came without one; none in a deterministic
		 * run, so that its log is reproducible byte for byte. */
		if (!lg->cfg.w.fixed_run_id)
			tp_log_writer_set_fill_tsc(lg->w, tp_log_tsc());
		uint32_t got = 0;
		for (unsigned i = 0; i < lg->n; i++)
			got += drain(lg, i);
		uint64_t now = tp_log_clock_ns(CLOCK_MONOTONIC);
		if (stats_ns && now >= next_stats) {
			stats_record(lg);
			next_stats = now + stats_ns;
		}
		tp_log_writer_batch_end(lg->w, now);
		publish(lg);
		if (got == 0) {
			if (stopping)
				break;
			nanosleep(&idle, NULL);
		}
	}
	if (stats_ns)
		stats_record(lg);
	tp_log_writer_flush(lg->w);
	publish(lg);
	return NULL;
}

struct tp_logger *tp_logger_start(const struct tp_logger_cfg *cfg,
				  struct tp_log_prod *const prods[], unsigned n, char *err,
				  size_t errlen)
{
	if (n == 0 || n > 254) {
		snprintf(err, errlen, "logger needs 1..254 producers, got %u", n);
		return NULL;
	}
	for (unsigned i = 0; i < n; i++) {
		if (!prods[i] || prods[i]->id == TP_LOG_PRODUCER_LOGGER) {
			snprintf(err, errlen, "producer %u: missing or uses the logger's id 255", i);
			return NULL;
		}
		for (unsigned j = 0; j < i; j++)
			if (prods[j]->id == prods[i]->id) {
				snprintf(err, errlen, "producers %u and %u share id %u", j, i,
					 prods[i]->id);
				return NULL;
			}
	}
	struct tp_logger *lg = calloc(1, sizeof(*lg));
	if (lg) {
		lg->prods = calloc(n, sizeof(*lg->prods));
		lg->drops_seen = calloc(n, sizeof(*lg->drops_seen));
	}
	if (!lg || !lg->prods || !lg->drops_seen) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	lg->cfg = *cfg;
	if (!lg->cfg.burst)
		lg->cfg.burst = DEFAULT_BURST;
	if (!lg->cfg.idle_us)
		lg->cfg.idle_us = DEFAULT_IDLE_US;
	if (lg->cfg.idle_us >= 1000000u)
		lg->cfg.idle_us = 999999u;
	lg->n = n;
	memcpy(lg->prods, prods, n * sizeof(*prods));
	/* drops_seen starts at 0: drops from before the start (a producer used before the
	 * logger ran) get a record too */
	atomic_init(&lg->stop, 0);
	for (int k = 0; k < 9; k++)
		atomic_init(&lg->pub.v[k], 0);

	lg->w = tp_log_writer_open(&cfg->w, err, errlen);
	if (!lg->w)
		goto fail;
	snprintf(lg->first_segment, sizeof(lg->first_segment), "%s", tp_log_writer_segment(lg->w));
	publish(lg);

	/* all signals blocked in the thread: they belong to the process's own handlers */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int rc = pthread_create(&lg->thr, NULL, run, lg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "logger thread: %s", strerror(rc));
		tp_log_writer_close(lg->w, NULL);
		goto fail;
	}
	pthread_setname_np(lg->thr, "tp-logger");
	if (cfg->pin) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(cfg->cpu, &set);
		/* best effort: an unpinned logger still works */
		pthread_setaffinity_np(lg->thr, sizeof(set), &set);
	}
	return lg;
fail:
	if (lg) {
		free(lg->prods);
		free(lg->drops_seen);
		free(lg);
	}
	return NULL;
}

void tp_logger_get_stats(const struct tp_logger *lg, struct tp_logger_stats *st)
{
	uint64_t v[9];
	for (int k = 0; k < 9; k++)
		v[k] = atomic_load_explicit(&lg->pub.v[k], memory_order_relaxed);
	st->records = v[P_RECORDS];
	st->bytes = v[P_BYTES];
	st->flushes = v[P_FLUSHES];
	st->segments = v[P_SEGMENTS];
	st->drops = v[P_DROPS];
	st->bad_slots = v[P_BAD];
	st->write_errors = v[P_WERR];
	st->lost = v[P_LOST];
	st->durable_seq = v[P_DURABLE];
}

const char *tp_logger_first_segment(const struct tp_logger *lg) { return lg->first_segment; }

int tp_logger_stop(struct tp_logger *lg, struct tp_logger_stats *st)
{
	/* release pairs with the thread's acquire load of stop (see run) */
	atomic_store_explicit(&lg->stop, 1, memory_order_release);
	pthread_join(lg->thr, NULL);
	for (unsigned i = 0; i < lg->n; i++)
		/* release pairs with the acquire load in tp_log__full: a producer that sees it
		 * knows nobody will drain its ring again */
		atomic_store_explicit(&lg->prods[i]->closed, 1, memory_order_release);
	if (st)
		tp_logger_get_stats(lg, st);
	int rc = tp_log_writer_close(lg->w, NULL);
	free(lg->prods);
	free(lg->drops_seen);
	free(lg);
	return rc;
}
