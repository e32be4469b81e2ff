/* The slow-path logger thread: drains the producers' rings round-robin in bursts into the
 * segment writer, applies the flush policy, rotates, and writes what it counts (drops,
 * optionally its own stats) as records of its own.
 *
 * It is an ordinary pthread, for a housekeeping core, never a polling one: when every ring
 * is empty it sleeps idle_us. Signals are blocked in it, so they reach the process's own
 * handlers.
 *
 * Shutdown is staged like DPDK's examples: stop the producers first, then tp_logger_stop,
 * which drains every ring to empty, flushes, syncs and joins before it returns.
 */
#ifndef TP_LOGGER_H
#define TP_LOGGER_H

#include <stddef.h>
#include <stdint.h>

#include "tp_logprod.h"
#include "tp_logwriter.h"

struct tp_logger_cfg {
	struct tp_log_writer_cfg w; /* directory, segment size, flush policy */
	uint32_t burst;             /* most slots taken from one ring per visit; 0 = 256 */
	uint32_t idle_us;           /* sleep when every ring is empty; 0 = 100 */
	uint32_t stats_ms;          /* write a TP_LOG_STATS record this often; 0 = never */
	int pin;                    /* nonzero: pin the thread to CPU `cpu` */
	int cpu;
};

struct tp_logger_stats {
	uint64_t records;      /* records written, the logger's own included */
	uint64_t bytes;        /* record bytes written */
	uint64_t flushes;      /* flush points (write + sync) */
	uint64_t segments;     /* segment files created */
	uint64_t drops;        /* records live producers could not enqueue, all producers */
	uint64_t bad_slots;    /* slots with an impossible type/length, skipped (a producer bug) */
	uint64_t write_errors; /* failed write/sync/create calls */
	uint64_t lost;         /* records discarded because of write errors */
	uint64_t durable_seq;  /* every record with seq below this is flushed to disk */
};

struct tp_logger;

/* Opens the first segment and starts the thread over n producers (n >= 1, at most 254, ids
 * unique, not 255). Returns NULL with a one-line reason in err on failure. */
struct tp_logger *tp_logger_start(const struct tp_logger_cfg *cfg,
				  struct tp_log_prod *const prods[], unsigned n, char *err,
				  size_t errlen);

/* A snapshot of the counters, from any thread, while the logger runs. */
void tp_logger_get_stats(const struct tp_logger *lg, struct tp_logger_stats *st);

/* Base name of the run's first segment file, e.g. for a startup message. */
const char *tp_logger_first_segment(const struct tp_logger *lg);

/* Drains everything, flushes, stops the thread and frees the logger; the producers are
 * marked closed (a replay producer still waiting gives up and counts a drop) but not freed.
 * Fills st (may be NULL) and returns 0, or the first write error as a negative errno. */
int tp_logger_stop(struct tp_logger *lg, struct tp_logger_stats *st);

#endif /* TP_LOGGER_H */
