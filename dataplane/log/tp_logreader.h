/* Reading a log: records in order across the segments of one or more runs, every CRC
 * verified, every seq and segment number checked for continuity.
 *
 * What counts as what, per run (segments sharing a run id):
 *  - torn tail: the end of the LAST segment of a run holds a record that is incomplete
 *    (shorter than its header or its declared length), or ends exactly at end of file with a
 *    bad CRC, or is all zero bytes to the end (a file system that extended the file but lost
 *    the data). It is what a crash leaves; it is counted (bytes discarded), never returned,
 *    and reading goes on with the next run.
 *  - corruption: anything else that does not verify: a bad CRC with data after it, a bad
 *    length, a seq out of order, a missing segment, a bad segment header, an incomplete
 *    record at the end of a segment that has a successor. tp_log_reader_next returns
 *    -EBADMSG and the message names the segment file and the byte offset.
 *
 * Follow mode (TP_LOG_RD_FOLLOW) is tail -f: at the end of the newest segment next() returns
 * -EAGAIN instead of 0; call again later. Directories given are rescanned for new segments
 * (the next one of the run after a rotation, or a new run); a file given is followed into
 * the later segments of its own run. A tail that looks torn is waited on while it is the
 * newest data, and judged once a later segment exists.
 */
#ifndef TP_LOGREADER_H
#define TP_LOGREADER_H

#include <stddef.h>
#include <stdint.h>

#include "tp_logfmt.h"

#define TP_LOG_RD_FOLLOW 0x1u

struct tp_log_reader_stats {
	uint64_t records;                 /* returned */
	uint64_t by_type[TP_LOG_NTYPES];  /* returned, per known type */
	uint64_t other_types;             /* returned with a type this version does not know */
	uint32_t segments;                /* segment files opened so far */
	uint32_t runs;                    /* runs started so far */
	uint32_t torn_tails;              /* torn tails skipped */
	uint64_t torn_bytes;              /* bytes they held */
	uint64_t lost_records;            /* seq gaps the writer declared (records it lost to I/O
					   * errors) */
};

struct tp_log_pos {
	const char *path;  /* segment file, NULL before the first */
	uint32_t segno;
	uint64_t offset;   /* byte offset in that file */
};

struct tp_log_reader;

/* Opens a reader over paths (directories of segments and/or segment files, in any order:
 * segments are ordered by run and number). Returns 0, or a negative errno with a one-line
 * reason in err: -ENOENT nothing to read (no segments, outside follow mode), -EBADMSG a bad
 * segment header, another errno when a path cannot be read. */
int tp_log_reader_open(struct tp_log_reader **out, const char *const paths[], unsigned n,
		       unsigned flags, char *err, size_t errlen);

/* Next record into *rec (the header fields and hdr.len bytes of payload; the rest of the
 * slot zeroed). Returns 1 for a record, 0 at the end of the log, -EAGAIN in follow mode when
 * there is nothing new yet, -EBADMSG on corruption, another negative errno on an I/O error.
 * Errors are sticky: later calls return the same. */
int tp_log_reader_next(struct tp_log_reader *rd, struct tp_log_slot *rec);

/* One-line description of the error, "" when none. */
const char *tp_log_reader_error(const struct tp_log_reader *rd);

/* Where the last record returned starts, or where the error was found. */
void tp_log_reader_pos(const struct tp_log_reader *rd, struct tp_log_pos *pos);

/* Header of the segment the last record came from (for wall time: tp_log_wall_ns). */
const struct tp_log_seg_hdr *tp_log_reader_seg(const struct tp_log_reader *rd);

void tp_log_reader_get_stats(const struct tp_log_reader *rd, struct tp_log_reader_stats *st);

/* Where the most recent torn tail started and how many bytes it held; 0 when none. */
uint64_t tp_log_reader_torn(const struct tp_log_reader *rd, struct tp_log_pos *pos);

void tp_log_reader_close(struct tp_log_reader *rd);

#endif /* TP_LOGREADER_H */
