/* The segment writer: appends records to the segment files of one run, with a write buffer,
 * rotation by size and the flush policy. Single-threaded; the logger thread owns one, and
 * tests and tools can drive one directly to produce a log with no thread at all.
 *
 * Durability: a record is "flushed" once it has been write(2)n and, unless no_sync is set,
 * fdatasync()ed. A crash (kill -9, or a power cut when syncing) loses at most the records
 * appended after the last flush, and leaves at worst a torn record at the end of the last
 * segment, which the reader reports and skips.
 *
 * A new segment is written as a hidden temporary file and renamed into place with its header
 * complete, so a reader never sees a half-made header; the previous segment is synced
 * before its successor appears, so only the last segment of a run can have a torn tail.
 */
#ifndef TP_LOGWRITER_H
#define TP_LOGWRITER_H

#include <stddef.h>
#include <stdint.h>

#include "tp_logfmt.h"

struct tp_log_writer_cfg {
	const char *dir;        /* where the segments go; created (one level) if missing */
	uint64_t segment_bytes; /* rotate before a segment would exceed this (header included);
				 * 0 = 64 MiB; at least header + one full slot */
	uint32_t buf_bytes;     /* write buffer; 0 = 1 MiB; at least one full slot */
	/* Flush policy, whichever comes first; both 0 = flush after every batch. */
	uint32_t flush_ms;      /* flush records older than this at the end of a batch */
	uint64_t flush_bytes;   /* flush once this many bytes are unflushed */
	int no_sync;            /* 1: a flush is write(2) only: survives a process crash, not a
				 * power cut (benchmarks, tmpfs) */
	/* Deterministic run (tests, reproducible tools): when fixed_run_id != 0 it is the run id
	 * and every segment's created_ns, with fixed_tsc / fixed_tsc_hz as the TSC anchor. */
	uint64_t fixed_run_id;
	uint64_t fixed_tsc;
	uint64_t fixed_tsc_hz;
};

struct tp_log_writer_stats {
	uint64_t records;      /* appended (including any later lost) */
	uint64_t bytes;        /* record bytes appended */
	uint64_t flushes;      /* flush points (write + sync) */
	uint64_t segments;     /* segment files created */
	uint64_t write_errors; /* failed write/sync/open calls */
	uint64_t lost;         /* records discarded because of those errors */
	uint64_t durable_seq;  /* every record with seq below this is flushed (or counted lost) */
};

struct tp_log_writer;

/* Opens segment 0 of a new run. Returns NULL with a one-line reason in err on failure. */
struct tp_log_writer *tp_log_writer_open(const struct tp_log_writer_cfg *cfg, char *err,
					 size_t errlen);

/* Appends one record (hdr.type, hdr.len, hdr.producer, hdr.exch_ns, hdr.tsc and the payload
 * are taken from s; seq and crc are assigned here). Returns 0; -EINVAL (nothing written) if
 * type and len are not a valid pair; or a negative errno from a failed write, in which case
 * the buffered records are counted lost and the next append starts a new segment. */
int tp_log_writer_append(struct tp_log_writer *w, const struct tp_log_slot *s);

/* From now on, records appended with hdr.tsc == 0 are written with this TSC instead (0 =
 * leave them at 0). The logger sets it once per drain round. */
void tp_log_writer_set_fill_tsc(struct tp_log_writer *w, uint64_t tsc);

/* Builds and appends a record from parts: plen payload bytes. */
int tp_log_writer_append_rec(struct tp_log_writer *w, unsigned type, unsigned producer,
			     uint64_t exch_ns, uint64_t tsc, const void *payload, uint32_t plen);

/* End of a batch of appends at monotonic time now_ns: applies the time and every-batch
 * parts of the flush policy. Returns 0 or a negative errno. */
int tp_log_writer_batch_end(struct tp_log_writer *w, uint64_t now_ns);

/* Writes and syncs everything appended so far. Returns 0 or a negative errno. */
int tp_log_writer_flush(struct tp_log_writer *w);

void tp_log_writer_get_stats(const struct tp_log_writer *w, struct tp_log_writer_stats *st);
uint64_t tp_log_writer_run_id(const struct tp_log_writer *w);
/* Base name of the current segment (valid until the next append). */
const char *tp_log_writer_segment(const struct tp_log_writer *w);
/* First error as a one-line message, "" when none. */
const char *tp_log_writer_error(const struct tp_log_writer *w);

/* Flushes, closes and frees. Returns 0, or the first error the writer met (negative errno). */
int tp_log_writer_close(struct tp_log_writer *w, struct tp_log_writer_stats *st);

#endif /* TP_LOGWRITER_H */
