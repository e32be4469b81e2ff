/* Segment writer. See tp_logwriter.h. */
#include "tp_logwriter.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tp_logclock.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

#define DEFAULT_SEGMENT_BYTES (64ull << 20)
#define DEFAULT_BUF_BYTES (1u << 20)

struct tp_log_writer {
	struct tp_log_writer_cfg cfg; /* dir points at dir_copy */
	char *dir_copy;
	int dirfd;
	int fd;                /* current segment, -1 after an error until the next one opens */
	uint64_t run_id;
	uint64_t tsc_hz;
	uint32_t segno;        /* of the current segment (or the last one, when fd < 0) */
	int have_segment;      /* segment 0 has been created */
	uint32_t next_flags;   /* TP_LOG_SEGF_* for the next segment */
	uint64_t seg_off;      /* bytes of the current segment already written */
	uint64_t seg_size;     /* seg_off + buffered: the size the segment is heading for */
	uint8_t *buf;
	uint32_t buf_len, buf_cap;
	uint64_t buf_records;
	uint64_t next_seq;
	uint64_t unflushed;    /* record bytes appended since the last flush */
	uint64_t last_flush_ns;
	uint64_t fill_tsc;     /* for records that come without a TSC, 0 = none */
	int err;               /* first error, negative errno */
	char errmsg[256];
	char seg_name[96];
	struct tp_log_writer_stats st;
};

static void set_err(struct tp_log_writer *w, int e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(struct tp_log_writer *w, int e, const char *fmt, ...)
{
	w->st.write_errors++;
	if (w->err)
		return; /* keep the first: later ones are usually its consequences */
	w->err = e;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(w->errmsg, sizeof(w->errmsg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(w->errmsg))
		snprintf(w->errmsg + n, sizeof(w->errmsg) - (size_t)n, ": %s", strerror(-e));
}

static int pwrite_all(int fd, const void *buf, size_t len, uint64_t off)
{
	const uint8_t *p = buf;
	while (len) {
		ssize_t n = pwrite(fd, p, len, (off_t)off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		p += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int rename_noreplace(int dirfd, const char *from, const char *to)
{
	if (renameat2(dirfd, from, dirfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -errno;
	/* file systems without RENAME_NOREPLACE: link refuses to replace too */
	if (linkat(dirfd, from, dirfd, to, 0) != 0)
		return -errno;
	unlinkat(dirfd, from, 0);
	return 0;
}

/* Creates segment `segno`: header into a hidden temporary, synced, renamed into place.
 * Returns 0, -EEXIST when the name is taken (segment 0: the caller picks another run id),
 * or another negative errno. */
static int open_segment(struct tp_log_writer *w, uint32_t segno)
{
	char name[96], tmp[112];
	if (tp_log_seg_name(name, sizeof(name), w->run_id, segno) < 0)
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), ".%s.tmp", name);

	struct tp_log_seg_hdr h;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, TP_LOG_SEG_MAGIC, sizeof(h.magic));
	h.version = TP_LOG_FORMAT_VERSION;
	h.hdr_size = TP_LOG_SEG_HDR_SIZE;
	h.segno = segno;
	h.run_id = w->run_id;
	if (w->cfg.fixed_run_id) {
		h.created_ns = w->cfg.fixed_run_id;
		h.created_tsc = w->cfg.fixed_tsc;
	} else {
		/* TSC read right after the wall clock: the pair is one anchor point */
		h.created_ns = tp_log_clock_ns(CLOCK_REALTIME);
		h.created_tsc = tp_log_tsc();
	}
	h.tsc_hz = w->tsc_hz;
	h.first_seq = w->next_seq;
	h.flags = w->next_flags;
	h.crc = tp_log_seg_hdr_crc(&h);

	int fd = openat(w->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	int rc = pwrite_all(fd, &h, sizeof(h), 0);
	if (rc == 0 && !w->cfg.no_sync && fdatasync(fd) != 0)
		rc = -errno;
	if (rc == 0)
		rc = rename_noreplace(w->dirfd, tmp, name);
	if (rc != 0) {
		close(fd);
		unlinkat(w->dirfd, tmp, 0);
		return rc;
	}
	/* the directory entry too, or a power cut could lose the whole segment */
	if (!w->cfg.no_sync)
		fsync(w->dirfd);
	w->fd = fd;
	w->segno = segno;
	w->have_segment = 1;
	w->next_flags = 0;
	w->seg_off = w->seg_size = sizeof(h);
	memcpy(w->seg_name, name, sizeof(name));
	w->st.segments++;
	return 0;
}

/* Discards the buffered records after a failure: counted lost, their seqs become a gap the
 * next segment declares. */
static void lose_buffer(struct tp_log_writer *w)
{
	w->st.lost += w->buf_records;
	w->buf_len = 0;
	w->buf_records = 0;
	w->seg_size = w->seg_off;
	w->next_flags |= TP_LOG_SEGF_AFTER_LOSS;
}

/* Abandons the current segment after a write error: cut back to the last whole record so it
 * stays readable, and start a new segment at the next append. */
static void abandon_segment(struct tp_log_writer *w)
{
	if (w->fd >= 0) {
		if (ftruncate(w->fd, (off_t)w->seg_off) != 0)
			w->st.write_errors++;
		close(w->fd);
		w->fd = -1;
	}
	lose_buffer(w);
}

/* write(2)s the buffer. */
static int write_out(struct tp_log_writer *w)
{
	if (w->buf_len == 0)
		return 0;
	if (w->fd < 0) {
		lose_buffer(w);
		return w->err ? w->err : -EIO;
	}
	int rc = pwrite_all(w->fd, w->buf, w->buf_len, w->seg_off);
	if (rc != 0) {
		set_err(w, rc, "write %s", w->seg_name);
		abandon_segment(w);
		return rc;
	}
	w->seg_off += w->buf_len;
	w->buf_len = 0;
	w->buf_records = 0;
	return 0;
}

static int sync_segment(struct tp_log_writer *w)
{
	if (w->cfg.no_sync || w->fd < 0)
		return 0;
	if (fdatasync(w->fd) != 0) {
		int rc = -errno;
		set_err(w, rc, "fdatasync %s", w->seg_name);
		return rc;
	}
	return 0;
}

int tp_log_writer_flush(struct tp_log_writer *w)
{
	int rc = write_out(w);
	if (rc == 0)
		rc = sync_segment(w);
	w->st.flushes++;
	w->st.durable_seq = w->next_seq;
	w->unflushed = 0;
	w->last_flush_ns = tp_log_clock_ns(CLOCK_MONOTONIC);
	return rc;
}

/* Closes the full segment (written and synced first, so no later segment exists beside a
 * torn one) and opens the next. */
static int rotate(struct tp_log_writer *w)
{
	int rc = tp_log_writer_flush(w);
	if (w->fd >= 0) {
		close(w->fd);
		w->fd = -1;
	}
	int orc = open_segment(w, w->segno + 1);
	if (orc != 0) {
		set_err(w, orc, "create segment %u", w->segno + 1);
		return orc;
	}
	return rc;
}

int tp_log_writer_append(struct tp_log_writer *w, const struct tp_log_slot *s)
{
	uint32_t len = s->hdr.len;
	if (!tp_log_len_valid(s->hdr.type, len))
		return -EINVAL;
	int rc = 0;
	if (w->fd < 0) {
		/* after an error: try a fresh segment; if that fails too, this record is lost */
		rc = open_segment(w, w->have_segment ? w->segno + 1 : 0);
		if (rc != 0) {
			set_err(w, rc, "create segment %u", w->segno + 1);
			w->st.records++;
			w->st.lost++;
			w->next_seq++;
			w->next_flags |= TP_LOG_SEGF_AFTER_LOSS;
			return rc;
		}
	}
	/* a segment always takes at least one record, whatever the size limit */
	if (w->seg_size + len > w->cfg.segment_bytes && w->seg_size > TP_LOG_SEG_HDR_SIZE) {
		rc = rotate(w);
		if (w->fd < 0)
			return tp_log_writer_append(w, s); /* counts the loss or opens the next */
	}
	if (w->buf_len + len > w->buf_cap) {
		int wrc = write_out(w);
		if (wrc != 0)
			return tp_log_writer_append(w, s);
	}

	uint8_t *d = w->buf + w->buf_len;
	memcpy(d, s, len);
	memcpy(d + offsetof(struct tp_log_hdr, seq), &w->next_seq, sizeof(w->next_seq));
	if (s->hdr.tsc == 0 && w->fill_tsc)
		memcpy(d + offsetof(struct tp_log_hdr, tsc), &w->fill_tsc, sizeof(w->fill_tsc));
	uint32_t crc = tp_log_rec_crc(d, len);
	memcpy(d + offsetof(struct tp_log_hdr, crc), &crc, sizeof(crc));
	w->buf_len += len;
	w->buf_records++;
	w->seg_size += len;
	w->next_seq++;
	w->unflushed += len;
	w->st.records++;
	w->st.bytes += len;

	if (w->cfg.flush_bytes && w->unflushed >= w->cfg.flush_bytes) {
		int frc = tp_log_writer_flush(w);
		if (rc == 0)
			rc = frc;
	}
	return rc;
}

void tp_log_writer_set_fill_tsc(struct tp_log_writer *w, uint64_t tsc)
{
	w->fill_tsc = tsc;
}

int tp_log_writer_append_rec(struct tp_log_writer *w, unsigned type, unsigned producer,
			     uint64_t exch_ns, uint64_t tsc, const void *payload, uint32_t plen)
{
	if (plen > TP_LOG_MAX_PAYLOAD)
		return -EINVAL;
	struct tp_log_slot s;
	memset(&s, 0, sizeof(s));
	s.hdr.len = (uint16_t)(TP_LOG_REC_HDR_SIZE + plen);
	s.hdr.type = (uint8_t)type;
	s.hdr.producer = (uint8_t)producer;
	s.hdr.exch_ns = exch_ns;
	s.hdr.tsc = tsc;
	if (plen)
		memcpy(s.u.raw, payload, plen);
	return tp_log_writer_append(w, &s);
}

int tp_log_writer_batch_end(struct tp_log_writer *w, uint64_t now_ns)
{
	if (w->unflushed == 0 && w->buf_len == 0)
		return 0;
	int every_batch = w->cfg.flush_ms == 0 && w->cfg.flush_bytes == 0;
	if (every_batch || (w->cfg.flush_ms &&
			    now_ns - w->last_flush_ns >= (uint64_t)w->cfg.flush_ms * 1000000u))
		return tp_log_writer_flush(w);
	return 0;
}

void tp_log_writer_get_stats(const struct tp_log_writer *w, struct tp_log_writer_stats *st)
{
	*st = w->st;
}

uint64_t tp_log_writer_run_id(const struct tp_log_writer *w) { return w->run_id; }
const char *tp_log_writer_segment(const struct tp_log_writer *w) { return w->seg_name; }
const char *tp_log_writer_error(const struct tp_log_writer *w) { return w->errmsg; }

static int open_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && mkdir(dir, 0755) == 0)
		fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return fd;
}

struct tp_log_writer *tp_log_writer_open(const struct tp_log_writer_cfg *cfg, char *err,
					 size_t errlen)
{
	if (!cfg->dir || !*cfg->dir) {
		snprintf(err, errlen, "no log directory given");
		return NULL;
	}
	struct tp_log_writer *w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	w->cfg = *cfg;
	w->fd = -1;
	w->dirfd = -1;
	if (!w->cfg.segment_bytes)
		w->cfg.segment_bytes = DEFAULT_SEGMENT_BYTES;
	if (w->cfg.segment_bytes < TP_LOG_SEG_HDR_SIZE + TP_LOG_SLOT_SIZE)
		w->cfg.segment_bytes = TP_LOG_SEG_HDR_SIZE + TP_LOG_SLOT_SIZE;
	if (!w->cfg.buf_bytes)
		w->cfg.buf_bytes = DEFAULT_BUF_BYTES;
	if (w->cfg.buf_bytes < TP_LOG_SLOT_SIZE)
		w->cfg.buf_bytes = TP_LOG_SLOT_SIZE;
	w->buf_cap = w->cfg.buf_bytes;
	w->dir_copy = strdup(cfg->dir);
	w->buf = malloc(w->buf_cap);
	if (!w->dir_copy || !w->buf) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	w->cfg.dir = w->dir_copy;
	w->dirfd = open_dir(w->dir_copy);
	if (w->dirfd < 0) {
		snprintf(err, errlen, "log directory %s: %s", w->dir_copy, strerror(errno));
		goto fail;
	}
	if (cfg->fixed_run_id) {
		w->run_id = cfg->fixed_run_id;
		w->tsc_hz = cfg->fixed_tsc_hz;
	} else {
		w->run_id = tp_log_clock_ns(CLOCK_REALTIME);
		w->tsc_hz = tp_log_tsc_hz();
	}
	int rc;
	/* Two runs started in the same nanosecond in one directory: the second moves on by a
	 * nanosecond rather than share (or overwrite) the first one's names. */
	for (int tries = 0;; tries++) {
		rc = open_segment(w, 0);
		if (rc != -EEXIST || cfg->fixed_run_id || tries == 1000)
			break;
		w->run_id++;
	}
	if (rc != 0) {
		snprintf(err, errlen, "create first segment in %s: %s", w->dir_copy,
			 strerror(-rc));
		goto fail;
	}
	w->last_flush_ns = tp_log_clock_ns(CLOCK_MONOTONIC);
	return w;
fail:
	if (w->dirfd >= 0)
		close(w->dirfd);
	free(w->buf);
	free(w->dir_copy);
	free(w);
	return NULL;
}

int tp_log_writer_close(struct tp_log_writer *w, struct tp_log_writer_stats *st)
{
	tp_log_writer_flush(w);
	if (w->fd >= 0 && close(w->fd) != 0)
		set_err(w, -errno, "close %s", w->seg_name);
	int rc = w->err;
	if (st)
		*st = w->st;
	close(w->dirfd);
	free(w->buf);
	free(w->dir_copy);
	free(w);
	return rc;
}
