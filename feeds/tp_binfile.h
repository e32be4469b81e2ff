/* Streaming reader for NASDAQ historical BinaryFILE days: each ITCH message is preceded by
 * a 2-byte big-endian length. Reads plain or gzip-compressed files (zlib reads plain files
 * transparently) through one 1 MiB buffer refilled as it drains, so a day of any size runs
 * in constant memory; or reads a buffer already in memory, without copying.
 *
 * Length rules, per message:
 *  - prefix 0: the length comes from the message type. Some published files (the RITCH
 *    sample among them) carry only zero prefixes.
 *  - prefix equal to the type's ITCH 5.0 length: the message is delivered.
 *  - any other non-zero prefix (wrong length, or an unknown type): the message is counted
 *    malformed and skipped by its prefix, which keeps the reader in step with the writer.
 *  - prefix 0 and an unknown type: counted malformed, and reading stops with
 *    TP_BINFILE_E_UNSYNC. Without a length there is no way to find the next message: ITCH
 *    has no sync marker, and any byte that happens to be a type letter would be taken for
 *    a message start, so guessing would deliver garbage that looks valid.
 *
 * A tp_binfile belongs to one thread. tp_binfile_next() makes no system call and no
 * allocation except when the buffer runs dry (once per MiB). */
#ifndef TP_BINFILE_H
#define TP_BINFILE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_BINFILE_BUF_SIZE (1u << 20)

/* tp_binfile_next() results besides 1 (message) and 0 (clean end). Once one is returned,
 * every later call returns it again. */
#define TP_BINFILE_E_TRUNCATED -1 /* input ends inside a message, or the gzip stream is cut */
#define TP_BINFILE_E_UNSYNC    -2 /* zero prefix and unknown type: the next message cannot
				     be found */
#define TP_BINFILE_E_IO        -3 /* read error or corrupt compressed data */

struct tp_binfile;

struct tp_binfile_stats {
	uint64_t messages;  /* messages delivered */
	uint64_t malformed; /* messages skipped or rejected (bad length, unknown type) */
	uint64_t bytes;     /* uncompressed stream bytes consumed: prefixes, messages, skips */
	uint64_t file_size; /* size of the input as stored (compressed size for .gz), 0 when
			       unknown (a pipe) */
	uint64_t file_pos;  /* stored bytes read so far; updated at each refill */
};

/* Opens a BinaryFILE, plain or gzip. Returns 0, or -1 with a one-line reason in `err`
 * (missing, unreadable, a directory, out of memory). */
int tp_binfile_open(const char *path, struct tp_binfile **out, char *err, size_t errlen);

/* Reads `len` bytes of plain (uncompressed) BinaryFILE data at `buf`, which must outlive the
 * reader. Messages point into `buf`. Returns 0, or -1 with a reason in `err`. */
int tp_binfile_open_mem(const uint8_t *buf, size_t len, struct tp_binfile **out, char *err,
			size_t errlen);

/* Next message: 1 with *msg / *len set (len is the type's ITCH length; the bytes stay valid
 * until the next call), 0 at a clean end of input, or a negative TP_BINFILE_E_*. */
int tp_binfile_next(struct tp_binfile *bf, const uint8_t **msg, uint32_t *len);

const struct tp_binfile_stats *tp_binfile_get_stats(const struct tp_binfile *bf);

/* Share of the stored input read so far, 0.0 .. 1.0; -1.0 when the size is unknown. */
double tp_binfile_progress(const struct tp_binfile *bf);

/* Why the last negative result happened ("" if none): one line, with the byte offset. */
const char *tp_binfile_errstr(const struct tp_binfile *bf);

void tp_binfile_close(struct tp_binfile *bf);

#ifdef __cplusplus
}
#endif

#endif
