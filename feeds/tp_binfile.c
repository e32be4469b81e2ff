/* BinaryFILE reader: framing only. Which lengths are valid comes from tp_itch_msg_len(); the
 * fields are left to tp_itch_decode(). */
#include "tp_binfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tp_itch.h"

/* zlib's own input buffer: larger than its 8 KiB default so a refill of our 1 MiB buffer
 * costs a handful of read() calls rather than a hundred. */
#define TP_BINFILE_GZBUF (256u * 1024u)

/* Bytes that always hold a whole message (prefix + longest ITCH message): while at least
 * this much is buffered, next() needs no bounds check beyond the one at its top. */
#define WHOLE_MSG (2u + TP_ITCH_MAX_MSG_LEN)

struct tp_binfile {
	const uint8_t *p;     /* next unread byte */
	const uint8_t *end;   /* end of the bytes available */
	gzFile gz;            /* NULL when reading memory */
	uint8_t *buf;         /* TP_BINFILE_BUF_SIZE bytes (files only) */
	int src_done;         /* the source will give nothing more */
	int src_err;          /* why the source ended early: 0 or a TP_BINFILE_E_* */
	int status;           /* sticky negative result once reading failed */
	int size_known;       /* st.file_size is the real size (not a pipe) */
	struct tp_binfile_stats st;
	char src_errstr[96];  /* zlib's words for src_err */
	char errstr[192];
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Slides the unread tail to the front of the buffer and reads until at least `need` bytes
 * are available, the buffer is full or the source ends. Returns the bytes available. The
 * tail is at most one prefix plus 65535 bytes, so the move is small next to the read. */
static size_t refill(struct tp_binfile *bf, size_t need)
{
	size_t have = (size_t)(bf->end - bf->p);
	if (bf->src_done)
		return have;
	if (have && bf->p != bf->buf)
		memmove(bf->buf, bf->p, have);
	bf->p = bf->buf;
	while (have < need || have < WHOLE_MSG) {
		int n = gzread(bf->gz, bf->buf + have, (unsigned)(TP_BINFILE_BUF_SIZE - have));
		int errnum = Z_OK;
		if (n > 0) {
			have += (size_t)n;
			if (have == TP_BINFILE_BUF_SIZE)
				break;
			continue;
		}
		bf->src_done = 1;
		const char *why = gzerror(bf->gz, &errnum);
		if (n < 0 || (errnum != Z_OK && errnum != Z_BUF_ERROR)) {
			bf->src_err = TP_BINFILE_E_IO;
			snprintf(bf->src_errstr, sizeof bf->src_errstr, "%s",
				 errnum == Z_ERRNO ? strerror(errno) : why);
		} else if (errnum == Z_BUF_ERROR) {
			/* zlib's way of saying the gzip stream stops before its end. */
			bf->src_err = TP_BINFILE_E_TRUNCATED;
			snprintf(bf->src_errstr, sizeof bf->src_errstr, "%s", why);
		}
		break;
	}
	bf->end = bf->buf + have;
	z_off_t off = gzoffset(bf->gz);
	if (off >= 0)
		bf->st.file_pos = (uint64_t)off;
	return have;
}

/* Input ends inside a message that needs `need` bytes where `have` remain. */
static int torn(struct tp_binfile *bf, size_t need, size_t have)
{
	bf->st.malformed++;
	if (bf->src_err == TP_BINFILE_E_IO) {
		bf->status = TP_BINFILE_E_IO;
		snprintf(bf->errstr, sizeof bf->errstr, "read error near byte %llu: %s",
			 (unsigned long long)bf->st.bytes, bf->src_errstr);
	} else {
		bf->status = TP_BINFILE_E_TRUNCATED;
		snprintf(bf->errstr, sizeof bf->errstr,
			 "truncated message at byte %llu: %zu bytes left, %zu needed%s%s",
			 (unsigned long long)bf->st.bytes, have, need,
			 bf->src_err ? "; " : "", bf->src_err ? bf->src_errstr : "");
	}
	return bf->status;
}

/* No byte left: a clean end, unless the source itself ended early. */
static int end_of_input(struct tp_binfile *bf)
{
	if (!bf->src_err)
		return 0;
	bf->status = bf->src_err;
	snprintf(bf->errstr, sizeof bf->errstr, "%s after byte %llu: %s",
		 bf->src_err == TP_BINFILE_E_IO ? "read error" : "compressed stream cut",
		 (unsigned long long)bf->st.bytes, bf->src_errstr);
	return bf->status;
}

int tp_binfile_next(struct tp_binfile *bf, const uint8_t **msg, uint32_t *len)
{
	if (bf->status)
		return bf->status;
	for (;;) {
		const uint8_t *p = bf->p;
		size_t avail = (size_t)(bf->end - p);
		if (avail < WHOLE_MSG) {
			avail = refill(bf, WHOLE_MSG);
			p = bf->p;
			if (avail < 3)
				return avail == 0 ? end_of_input(bf) : torn(bf, 3, avail);
		}
		uint32_t plen = tp_be16(p);
		uint32_t slen = tp_itch_msg_len(p[2]);
		if (slen != 0 && (plen == 0 || plen == slen)) {
			/* Short only at the very end: otherwise WHOLE_MSG bytes are here. */
			if (avail < 2 + slen)
				return torn(bf, 2 + slen, avail);
			*msg = p + 2;
			*len = slen;
			bf->p = p + 2 + slen;
			bf->st.bytes += 2 + slen;
			bf->st.messages++;
			return 1;
		}
		if (plen == 0) {
			bf->st.malformed++;
			bf->status = TP_BINFILE_E_UNSYNC;
			snprintf(bf->errstr, sizeof bf->errstr,
				 "unknown message type 0x%02x with zero length prefix at byte %llu: "
				 "cannot find the next message", p[2],
				 (unsigned long long)bf->st.bytes);
			return bf->status;
		}
		/* Wrong length for the type, or unknown type: trust the prefix to stay in step. */
		size_t skip = 2 + (size_t)plen;
		if (avail < skip) {
			avail = refill(bf, skip);
			p = bf->p;
			if (avail < skip)
				return torn(bf, skip, avail);
		}
		bf->p = p + skip;
		bf->st.bytes += skip;
		bf->st.malformed++;
	}
}

static struct tp_binfile *alloc_reader(int with_buffer, char *err, size_t errlen)
{
	struct tp_binfile *bf = calloc(1, sizeof *bf);
	if (bf && with_buffer) {
		bf->buf = malloc(TP_BINFILE_BUF_SIZE);
		if (!bf->buf) {
			free(bf);
			bf = NULL;
		}
	}
	if (!bf)
		set_err(err, errlen, "out of memory for the BinaryFILE reader");
	return bf;
}

int tp_binfile_open(const char *path, struct tp_binfile **out, char *err, size_t errlen)
{
	*out = NULL;
	/* open() and fstat() ourselves rather than gzopen(path): errno and the file size are
	 * then ours to report, and a directory is refused before zlib tries to read it. */
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat sb;
	if (fstat(fd, &sb) != 0) {
		set_err(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		set_err(err, errlen, "%s: is a directory", path);
		close(fd);
		return -1;
	}
	struct tp_binfile *bf = alloc_reader(1, err, errlen);
	if (!bf) {
		close(fd);
		return -1;
	}
	bf->gz = gzdopen(fd, "rb");
	if (!bf->gz) {
		set_err(err, errlen, "%s: cannot start zlib reader", path);
		close(fd);
		free(bf->buf);
		free(bf);
		return -1;
	}
	gzbuffer(bf->gz, TP_BINFILE_GZBUF);
	bf->p = bf->end = bf->buf;
	bf->size_known = S_ISREG(sb.st_mode);
	bf->st.file_size = bf->size_known ? (uint64_t)sb.st_size : 0;
	*out = bf;
	return 0;
}

int tp_binfile_open_mem(const uint8_t *buf, size_t len, struct tp_binfile **out, char *err,
			size_t errlen)
{
	*out = NULL;
	if (!buf && len) {
		set_err(err, errlen, "no buffer given for %zu bytes", len);
		return -1;
	}
	struct tp_binfile *bf = alloc_reader(0, err, errlen);
	if (!bf)
		return -1;
	/* Everything is already "read": refill() never runs, so the caller's bytes are never
	 * moved or written. */
	static const uint8_t none[1];
	bf->p = len ? buf : none; /* no arithmetic on a NULL buffer */
	bf->end = bf->p + len;
	bf->size_known = 1;
	bf->src_done = 1;
	bf->st.file_size = len;
	bf->st.file_pos = len;
	*out = bf;
	return 0;
}

const struct tp_binfile_stats *tp_binfile_get_stats(const struct tp_binfile *bf)
{
	return &bf->st;
}

double tp_binfile_progress(const struct tp_binfile *bf)
{
	if (!bf->size_known)
		return -1.0;
	if (bf->st.file_size == 0)
		return 1.0;
	/* Memory input is all "read" from the start: what was consumed is the progress. */
	uint64_t done = bf->gz ? bf->st.file_pos : bf->st.bytes;
	double f = (double)done / (double)bf->st.file_size;
	return f > 1.0 ? 1.0 : f;
}

const char *tp_binfile_errstr(const struct tp_binfile *bf)
{
	return bf->errstr;
}

void tp_binfile_close(struct tp_binfile *bf)
{
	if (!bf)
		return;
	if (bf->gz)
		gzclose(bf->gz);
	free(bf->buf);
	free(bf);
}
