/* BinaryFILE writer (see binfile_out.h). Messages go through a buffer of our own so that
 * stdio and zlib see large writes. */
#include "binfile_out.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define BUF_LEN (1u << 18)

struct tp_gen_binfile {
	FILE *f;
	gzFile gz;
	int err;
	size_t n;
	uint8_t buf[BUF_LEN];
};

struct tp_gen_binfile *tp_gen_binfile_open(const char *path, int gzip)
{
	struct tp_gen_binfile *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	if (gzip)
		b->gz = gzopen(path, "wb1");
	else
		b->f = fopen(path, "wb");
	if (!b->gz && !b->f) {
		free(b);
		return NULL;
	}
	return b;
}

static void drain(struct tp_gen_binfile *b)
{
	if (!b->n || b->err)
		return;
	if (b->gz) {
		if (gzwrite(b->gz, b->buf, (unsigned)b->n) != (int)b->n)
			b->err = -1;
	} else if (fwrite(b->buf, 1, b->n, b->f) != b->n) {
		b->err = -1;
	}
	b->n = 0;
}

int tp_gen_binfile_message(void *ctx, const uint8_t *msg, size_t len, uint64_t index,
			   uint64_t ts_ns)
{
	(void)index;
	(void)ts_ns;
	struct tp_gen_binfile *b = ctx;
	if (b->n + 2 + len > BUF_LEN)
		drain(b);
	b->buf[b->n] = (uint8_t)(len >> 8);
	b->buf[b->n + 1] = (uint8_t)len;
	for (size_t i = 0; i < len; i++)
		b->buf[b->n + 2 + i] = msg[i];
	b->n += 2 + len;
	return b->err;
}

int tp_gen_binfile_close(struct tp_gen_binfile *b)
{
	drain(b);
	int err = b->err;
	if (b->gz) {
		if (gzclose(b->gz) != Z_OK)
			err = -1;
	} else if (fclose(b->f) != 0) {
		err = -1;
	}
	free(b);
	return err;
}
