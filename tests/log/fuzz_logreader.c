/* libFuzzer target for the log reader: arbitrary bytes as a two-segment log. The first two
 * input bytes choose where the rest is split between segment 0 and segment 1 of one run, so
 * the fuzzer reaches the checks between segments (numbering, seq continuity, torn vs corrupt)
 * as well as those within one. The reader must never crash, loop or read out of bounds; and
 * whatever it returns must be a record that verifies. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tp_logreader.h"

static char g_dir[256];
static char g_seg[2][512];

static void cleanup(void)
{
	unlink(g_seg[0]);
	unlink(g_seg[1]);
	rmdir(g_dir);
}

static void setup(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(g_dir, sizeof(g_dir), "%s/fuzz_logreader-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(g_dir))
		abort();
	for (unsigned i = 0; i < 2; i++) {
		char name[96];
		tp_log_seg_name(name, sizeof(name), 1700000000000000000ull, i);
		snprintf(g_seg[i], sizeof(g_seg[i]), "%s/%s", g_dir, name);
	}
	atexit(cleanup);
}

static void put_file(const char *path, const uint8_t *data, size_t len, int present)
{
	if (!present) {
		unlink(path);
		return;
	}
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || (len && write(fd, data, len) != (ssize_t)len))
		abort();
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!g_dir[0])
		setup();
	size_t split = 0;
	if (size >= 2) {
		split = (size_t)data[0] | (size_t)data[1] << 8;
		data += 2;
		size -= 2;
	}
	if (split > size)
		split = size;
	put_file(g_seg[0], data, split, 1);
	put_file(g_seg[1], data + split, size - split, split < size);

	struct tp_log_reader *rd;
	char err[512];
	const char *path = g_dir;
	if (tp_log_reader_open(&rd, &path, 1, 0, err, sizeof(err)) != 0)
		return 0;
	struct tp_log_slot r;
	uint64_t n = 0;
	int rc;
	while ((rc = tp_log_reader_next(rd, &r)) == 1) {
		/* every record returned verifies and consumed at least a header's worth of input */
		if (r.hdr.len < TP_LOG_REC_HDR_SIZE || r.hdr.len > TP_LOG_SLOT_SIZE ||
		    r.hdr.crc != tp_log_rec_crc(&r, r.hdr.len))
			abort();
		if (++n * TP_LOG_REC_HDR_SIZE > size)
			abort();
	}
	if (rc != 0 && rc != -EBADMSG)
		abort(); /* only corruption is an expected error here */
	if (rc == -EBADMSG && tp_log_reader_error(rd)[0] == '\0')
		abort();
	tp_log_reader_close(rd);
	return 0;
}
