/* NASDAQ BinaryFILE output: each message preceded by its length as a 2-byte big-endian
 * integer, optionally gzip-compressed (zlib level 1: the files are large and written often). */
#ifndef TP_GEN_BINFILE_OUT_H
#define TP_GEN_BINFILE_OUT_H

#include <stddef.h>
#include <stdint.h>

struct tp_gen_binfile;

/* Creates/truncates `path`. NULL on error (errno set). */
struct tp_gen_binfile *tp_gen_binfile_open(const char *path, int gzip);
/* The message sink (a tp_gen_sink_fn): ctx is the tp_gen_binfile. Returns 0 or -1. */
int tp_gen_binfile_message(void *ctx, const uint8_t *msg, size_t len, uint64_t index,
			   uint64_t ts_ns);
/* Flushes and closes; returns 0, or -1 when anything failed since the open. Frees `b`. */
int tp_gen_binfile_close(struct tp_gen_binfile *b);

#endif
