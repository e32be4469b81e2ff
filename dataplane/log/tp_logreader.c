/* Log reader. See tp_logreader.h for what is a torn tail and what is corruption. */
#include "tp_logreader.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_BUF (1u << 20)
#define LOOP 2 /* internal: state changed, parse again */

struct seg {
	char *path;
	uint64_t run_id;
	uint32_t segno;
	int headless; /* shorter than a segment header when found */
	struct tp_log_seg_hdr hdr;
};

/* A directory to rescan in follow mode: every new segment, or only those of one run. */
struct watch {
	char *dir;
	int any_run;
	uint64_t run_id;
};

struct tp_log_reader {
	unsigned flags;
	struct seg *segs;
	unsigned nsegs, cap_segs;
	struct watch *watches;
	unsigned nwatch;
	unsigned cur;           /* segment being read, or the next to open when fd < 0 */
	int fd;
	uint8_t *buf;
	size_t cap, pos, end;   /* unparsed bytes are buf[pos, end) */
	uint64_t base_off;      /* file offset of buf[0] */
	unsigned nsegs_at_read; /* segments known when read(2) last ran */
	int have_prev;          /* a segment was opened before the current one */
	uint64_t prev_run;
	uint32_t prev_segno;
	uint64_t expect_seq;
	int err;
	char errmsg[512];
	struct tp_log_pos last;
	struct tp_log_pos torn_pos;
	uint64_t torn_bytes_last;
	struct tp_log_reader_stats st;
};

static int key_cmp(const struct seg *a, const struct seg *b)
{
	if (a->run_id != b->run_id)
		return a->run_id < b->run_id ? -1 : 1;
	return (a->segno > b->segno) - (a->segno < b->segno);
}

static int seg_qcmp(const void *a, const void *b) { return key_cmp(a, b); }

static void errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void errf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

/* Sets the sticky error, positioned at `off` of the current segment. */
static int fail(struct tp_log_reader *rd, int e, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(struct tp_log_reader *rd, int e, uint64_t off, const char *fmt, ...)
{
	const struct seg *s = rd->cur < rd->nsegs ? &rd->segs[rd->cur] : NULL;
	rd->last.path = s ? s->path : NULL;
	rd->last.segno = s ? s->segno : 0;
	rd->last.offset = off;
	int n = snprintf(rd->errmsg, sizeof(rd->errmsg), "%s: offset %llu: ",
			 s ? s->path : "?", (unsigned long long)off);
	if (n > 0 && (size_t)n < sizeof(rd->errmsg)) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(rd->errmsg + n, sizeof(rd->errmsg) - (size_t)n, fmt, ap);
		va_end(ap);
	}
	rd->err = e;
	return e;
}

static ssize_t read_full(int fd, void *buf, size_t len, uint64_t off)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(fd, (uint8_t *)buf + got, len - got, (off_t)(off + got));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

static int hdr_valid(const struct tp_log_seg_hdr *h)
{
	return memcmp(h->magic, TP_LOG_SEG_MAGIC, sizeof(h->magic)) == 0 &&
	       h->version == TP_LOG_FORMAT_VERSION && h->hdr_size == TP_LOG_SEG_HDR_SIZE &&
	       h->crc == tp_log_seg_hdr_crc(h);
}

static const char *base_name(const char *path)
{
	const char *b = strrchr(path, '/');
	return b ? b + 1 : path;
}

/* Reads the header of one segment file into *s. 0, or a negative errno with err set. */
static int probe(const char *path, struct seg *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int e = errno;
		errf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	ssize_t n = read_full(fd, &s->hdr, sizeof(s->hdr), 0);
	int e = errno;
	close(fd);
	if (n < 0) {
		errf(err, errlen, "%s: %s", path, strerror(e));
		return -e;
	}
	if ((size_t)n < sizeof(s->hdr)) {
		/* too short for a header: placed by its name, judged when reached */
		if (tp_log_seg_parse_name(base_name(path), &s->run_id, &s->segno) != 0) {
			errf(err, errlen, "%s: not a tickpipe log segment (%zd bytes)", path, n);
			return -EBADMSG;
		}
		s->headless = 1;
	} else if (!hdr_valid(&s->hdr)) {
		errf(err, errlen, "%s: offset 0: bad segment header (magic, version or CRC)",
		     path);
		return -EBADMSG;
	} else {
		s->run_id = s->hdr.run_id;
		s->segno = s->hdr.segno;
	}
	s->path = strdup(path);
	if (!s->path) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	return 0;
}

static int push_seg(struct tp_log_reader *rd, const struct seg *s)
{
	for (unsigned i = 0; i < rd->nsegs; i++)
		if (key_cmp(&rd->segs[i], s) == 0)
			return 0; /* the same segment named twice (a file and its directory) */
	if (rd->nsegs == rd->cap_segs) {
		unsigned nc = rd->cap_segs ? rd->cap_segs * 2 : 16;
		struct seg *ns = realloc(rd->segs, nc * sizeof(*ns));
		if (!ns)
			return -ENOMEM;
		rd->segs = ns;
		rd->cap_segs = nc;
	}
	rd->segs[rd->nsegs++] = *s;
	return 1;
}

static int is_seg_name(const char *name)
{
	size_t n = strlen(name), pl = strlen(TP_LOG_SEG_PREFIX), sl = strlen(TP_LOG_SEG_SUFFIX);
	return n > pl + sl && memcmp(name, TP_LOG_SEG_PREFIX, pl) == 0 &&
	       strcmp(name + n - sl, TP_LOG_SEG_SUFFIX) == 0;
}

/* Adds the segments of dir. With `after` set, only those ordered after it (follow mode:
 * what appeared since), and with run_only only that run's. Returns the number added or a
 * negative errno. */
static int scan_dir(struct tp_log_reader *rd, const char *dir, const struct seg *after,
		    int any_run, uint64_t run_only, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	if (!d) {
		int e = errno;
		errf(err, errlen, "%s: %s", dir, strerror(e));
		return -e;
	}
	int added = 0, rc = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!is_seg_name(de->d_name))
			continue;
		struct seg key;
		/* the name says where it goes: skip known and earlier ones without opening them */
		if (tp_log_seg_parse_name(de->d_name, &key.run_id, &key.segno) == 0) {
			if (after && key_cmp(&key, after) <= 0)
				continue;
			if (!any_run && key.run_id != run_only)
				continue;
			int known = 0;
			for (unsigned i = 0; i < rd->nsegs && !known; i++)
				known = key_cmp(&rd->segs[i], &key) == 0;
			if (known)
				continue;
		}
		size_t len = strlen(dir) + 1 + strlen(de->d_name) + 1;
		char *path = malloc(len);
		if (!path) {
			rc = -ENOMEM;
			break;
		}
		snprintf(path, len, "%s/%s", dir, de->d_name);
		struct seg s;
		rc = probe(path, &s, err, errlen);
		free(path);
		if (rc != 0)
			break;
		if ((after && key_cmp(&s, after) <= 0) || (!any_run && s.run_id != run_only)) {
			free(s.path);
			continue;
		}
		rc = push_seg(rd, &s);
		if (rc < 0) {
			free(s.path);
			break;
		}
		if (rc == 0)
			free(s.path);
		added += rc;
		rc = 0;
	}
	closedir(d);
	return rc < 0 ? rc : added;
}

static int add_watch(struct tp_log_reader *rd, const char *dir, int any_run, uint64_t run_id)
{
	struct watch *nw = realloc(rd->watches, (rd->nwatch + 1) * sizeof(*nw));
	if (!nw)
		return -ENOMEM;
	rd->watches = nw;
	nw[rd->nwatch].dir = strdup(dir);
	if (!nw[rd->nwatch].dir)
		return -ENOMEM;
	nw[rd->nwatch].any_run = any_run;
	nw[rd->nwatch].run_id = run_id;
	rd->nwatch++;
	return 0;
}

int tp_log_reader_open(struct tp_log_reader **out, const char *const paths[], unsigned n,
		       unsigned flags, char *err, size_t errlen)
{
	*out = NULL;
	struct tp_log_reader *rd = calloc(1, sizeof(*rd));
	if (!rd) {
		errf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rd->flags = flags;
	rd->fd = -1;
	rd->cap = READ_BUF;
	rd->buf = malloc(rd->cap);
	int rc = rd->buf ? 0 : -ENOMEM;
	if (rc)
		errf(err, errlen, "out of memory");
	for (unsigned i = 0; i < n && rc == 0; i++) {
		struct stat sb;
		if (stat(paths[i], &sb) != 0) {
			rc = -errno;
			errf(err, errlen, "%s: %s", paths[i], strerror(errno));
		} else if (S_ISDIR(sb.st_mode)) {
			rc = scan_dir(rd, paths[i], NULL, 1, 0, err, errlen);
			if (rc >= 0 && (flags & TP_LOG_RD_FOLLOW))
				rc = add_watch(rd, paths[i], 1, 0);
			rc = rc < 0 ? rc : 0;
		} else {
			struct seg s;
			rc = probe(paths[i], &s, err, errlen);
			if (rc == 0) {
				rc = push_seg(rd, &s);
				if (rc <= 0)
					free(s.path);
				rc = rc < 0 ? rc : 0;
			}
			if (rc == 0 && (flags & TP_LOG_RD_FOLLOW)) {
				/* follow the file's run into the segments that come after it */
				char *dir = strdup(paths[i]);
				if (!dir)
					rc = -ENOMEM;
				else {
					char *slash = strrchr(dir, '/');
					if (slash)
						*(slash == dir ? slash + 1 : slash) = '\0';
					rc = add_watch(rd, slash ? dir : ".", 0, s.run_id);
					free(dir);
				}
			}
		}
	}
	if (rc == 0 && rd->nsegs == 0 && !(flags & TP_LOG_RD_FOLLOW)) {
		rc = -ENOENT;
		errf(err, errlen, "no tickpipe log segments (%s*%s) found", TP_LOG_SEG_PREFIX,
		     TP_LOG_SEG_SUFFIX);
	}
	if (rc != 0) {
		tp_log_reader_close(rd);
		return rc;
	}
	if (rd->nsegs > 1) /* (qsort of a NULL array is undefined even for 0 elements) */
		qsort(rd->segs, rd->nsegs, sizeof(*rd->segs), seg_qcmp);
	*out = rd;
	return 0;
}

void tp_log_reader_close(struct tp_log_reader *rd)
{
	if (!rd)
		return;
	if (rd->fd >= 0)
		close(rd->fd);
	for (unsigned i = 0; i < rd->nsegs; i++)
		free(rd->segs[i].path);
	for (unsigned i = 0; i < rd->nwatch; i++)
		free(rd->watches[i].dir);
	free(rd->segs);
	free(rd->watches);
	free(rd->buf);
	free(rd);
}

/* Follow mode: looks for segments that appeared after the current one. Returns how many. */
static int rescan(struct tp_log_reader *rd)
{
	const struct seg *cur = rd->cur < rd->nsegs ? &rd->segs[rd->cur]
			      : rd->nsegs ? &rd->segs[rd->nsegs - 1] : NULL;
	struct seg after = cur ? *cur : (struct seg){0};
	unsigned before = rd->nsegs;
	for (unsigned i = 0; i < rd->nwatch; i++) {
		char ignored[256];
		/* a directory that vanished or a file being replaced: nothing new this time */
		scan_dir(rd, rd->watches[i].dir, cur ? &after : NULL, rd->watches[i].any_run,
			 rd->watches[i].run_id, ignored, sizeof(ignored));
	}
	if (rd->nsegs > before) {
		unsigned from = cur ? rd->cur + (rd->cur < before ? 1 : 0) : 0;
		if (from > rd->nsegs)
			from = rd->nsegs;
		qsort(rd->segs + from, rd->nsegs - from, sizeof(*rd->segs), seg_qcmp);
	}
	return (int)(rd->nsegs - before);
}

/* Makes at least `need` unparsed bytes available if the file has them. 0 or -errno. */
static int fill(struct tp_log_reader *rd, size_t need)
{
	while (rd->end - rd->pos < need) {
		if (rd->cap - rd->end < need || rd->pos > rd->cap / 2) {
			memmove(rd->buf, rd->buf + rd->pos, rd->end - rd->pos);
			rd->base_off += rd->pos;
			rd->end -= rd->pos;
			rd->pos = 0;
		}
		rd->nsegs_at_read = rd->nsegs;
		ssize_t n = read(rd->fd, rd->buf + rd->end, rd->cap - rd->end);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			return 0;
		rd->end += (size_t)n;
	}
	return 0;
}

static int last_of_run(const struct tp_log_reader *rd)
{
	return rd->cur + 1 >= rd->nsegs || rd->segs[rd->cur + 1].run_id != rd->segs[rd->cur].run_id;
}

/* Are bytes [off, EOF) of the open segment all zero? 1, 0, or -errno. */
static int zeros_to_eof(struct tp_log_reader *rd, uint64_t off)
{
	uint8_t chunk[4096];
	rd->nsegs_at_read = rd->nsegs; /* this reads to the end: it is the last read */
	for (;;) {
		ssize_t n = read_full(rd->fd, chunk, sizeof(chunk), off);
		if (n < 0)
			return -errno;
		for (ssize_t i = 0; i < n; i++)
			if (chunk[i])
				return 0;
		if ((size_t)n < sizeof(chunk))
			return 1;
		off += (uint64_t)n;
	}
}

static void close_seg(struct tp_log_reader *rd)
{
	if (rd->fd >= 0)
		close(rd->fd);
	rd->fd = -1;
	rd->cur++;
}

/* Follow mode at the end of the data we have: 1 = the end is final (a later segment was
 * known before the last read, so nothing more will be appended here), LOOP = a later segment
 * just appeared (read once more before judging), -EAGAIN = wait. Outside follow mode the end
 * is always final. */
static int end_is_final(struct tp_log_reader *rd)
{
	if (!(rd->flags & TP_LOG_RD_FOLLOW) || rd->cur + 1 < rd->nsegs_at_read)
		return 1;
	/* Every caller reaches here right after a read that set nsegs_at_read, so LOOP makes
	 * the next step read again with the later segment known: its answer is then final. */
	if (rd->cur + 1 < rd->nsegs || rescan(rd) > 0)
		return LOOP;
	return -EAGAIN;
}

/* The data of the current segment ends at `off` with something that is not a whole record
 * (what: a reason for the error message). Torn tail or corruption, see tp_logreader.h. */
static int bad_end(struct tp_log_reader *rd, uint64_t off, const char *what)
{
	int f = end_is_final(rd);
	if (f != 1)
		return f;
	if (!last_of_run(rd))
		return fail(rd, -EBADMSG, off, "%s, in a segment that has a successor", what);
	struct stat sb;
	if (fstat(rd->fd, &sb) != 0)
		return fail(rd, -errno, off, "fstat: %s", strerror(errno));
	uint64_t bytes = (uint64_t)sb.st_size > off ? (uint64_t)sb.st_size - off : 0;
	rd->st.torn_tails++;
	rd->st.torn_bytes += bytes;
	rd->torn_pos.path = rd->segs[rd->cur].path;
	rd->torn_pos.segno = rd->segs[rd->cur].segno;
	rd->torn_pos.offset = off;
	rd->torn_bytes_last = bytes;
	close_seg(rd);
	return LOOP;
}

/* Opens segment rd->cur and checks it continues the previous one. 0 or an error. */
static int open_seg(struct tp_log_reader *rd)
{
	struct seg *s = &rd->segs[rd->cur];
	rd->fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (rd->fd < 0)
		return fail(rd, -errno, 0, "open: %s", strerror(errno));
	rd->pos = rd->end = 0;
	rd->base_off = 0;
	rd->st.segments++;
	int same_run = rd->have_prev && rd->prev_run == s->run_id;
	if (!same_run)
		rd->st.runs++;
	if (s->headless) {
		/* no header at all: only acceptable as the torn tail of a run */
		rd->have_prev = 0;
		return 0;
	}
	/* re-read: the file may have been replaced since it was probed */
	struct tp_log_seg_hdr h;
	ssize_t n = read_full(rd->fd, &h, sizeof(h), 0);
	if (n != (ssize_t)sizeof(h) || !hdr_valid(&h) || h.run_id != s->run_id ||
	    h.segno != s->segno)
		return fail(rd, -EBADMSG, 0, "bad segment header (magic, version or CRC)");
	s->hdr = h;
	if (same_run) {
		if (h.segno != rd->prev_segno + 1)
			return fail(rd, -EBADMSG, 0, "segment %u follows segment %u: %u missing",
				    h.segno, rd->prev_segno, rd->prev_segno + 1);
		if (h.first_seq != rd->expect_seq) {
			if (!(h.flags & TP_LOG_SEGF_AFTER_LOSS) || h.first_seq < rd->expect_seq)
				return fail(rd, -EBADMSG, 0,
					    "segment starts at record %llu, expected %llu",
					    (unsigned long long)h.first_seq,
					    (unsigned long long)rd->expect_seq);
			rd->st.lost_records += h.first_seq - rd->expect_seq;
		}
	}
	rd->expect_seq = h.first_seq;
	rd->have_prev = 1;
	rd->prev_run = s->run_id;
	rd->prev_segno = s->segno;
	rd->pos = rd->end = 0;
	rd->base_off = sizeof(h);
	if (lseek(rd->fd, (off_t)sizeof(h), SEEK_SET) < 0)
		return fail(rd, -errno, 0, "lseek: %s", strerror(errno));
	return 0;
}

/* One step: 1 = record in *rec, 0 = end, LOOP = go again, or a negative code. */
static int step(struct tp_log_reader *rd, struct tp_log_slot *rec)
{
	if (rd->fd < 0) {
		if (rd->cur >= rd->nsegs) {
			if (!(rd->flags & TP_LOG_RD_FOLLOW))
				return 0;
			return rescan(rd) > 0 ? LOOP : -EAGAIN;
		}
		int rc = open_seg(rd);
		if (rc)
			return rc;
	}
	if (rd->segs[rd->cur].headless) {
		rd->nsegs_at_read = rd->nsegs; /* its size was just looked at: that is the read */
		return bad_end(rd, 0, "segment shorter than its header");
	}

	int rc = fill(rd, TP_LOG_REC_HDR_SIZE);
	if (rc)
		return fail(rd, rc, rd->base_off + rd->pos, "read: %s", strerror(-rc));
	uint64_t off = rd->base_off + rd->pos;
	size_t avail = rd->end - rd->pos;
	if (avail == 0) {
		int f = end_is_final(rd);
		if (f != 1)
			return f;
		close_seg(rd); /* clean end of a segment */
		return LOOP;
	}
	if (avail < TP_LOG_REC_HDR_SIZE)
		return bad_end(rd, off, "incomplete record header");

	struct tp_log_hdr h;
	memcpy(&h, rd->buf + rd->pos, sizeof(h));
	int known = tp_log_type_len(h.type) != 0;
	int len_ok = known ? tp_log_len_valid(h.type, h.len)
			   : (h.len >= TP_LOG_REC_HDR_SIZE && h.len <= TP_LOG_SLOT_SIZE);
	if (!len_ok) {
		/* garbage, unless it is zero fill to the end of the file */
		int z = zeros_to_eof(rd, off);
		if (z < 0)
			return fail(rd, z, off, "read: %s", strerror(-z));
		if (!z)
			return fail(rd, -EBADMSG, off, "bad record header (type %u, length %u)",
				    h.type, h.len);
		return bad_end(rd, off, "zero bytes where a record should be");
	}
	rc = fill(rd, (size_t)h.len + 1); /* one more byte: is this record the last? */
	if (rc)
		return fail(rd, rc, off, "read: %s", strerror(-rc));
	avail = rd->end - rd->pos;
	if (avail < h.len)
		return bad_end(rd, off, "incomplete record");
	uint32_t crc = tp_log_rec_crc(rd->buf + rd->pos, h.len);
	if (crc != h.crc) {
		if (avail > h.len)
			return fail(rd, -EBADMSG, off, "CRC mismatch (stored 0x%08x, computed 0x%08x)",
				    h.crc, crc);
		return bad_end(rd, off, "CRC mismatch in the last record");
	}
	if (h.seq != rd->expect_seq)
		return fail(rd, -EBADMSG, off, "record seq %llu, expected %llu",
			    (unsigned long long)h.seq, (unsigned long long)rd->expect_seq);

	memcpy(rec, rd->buf + rd->pos, h.len);
	memset((uint8_t *)rec + h.len, 0, sizeof(*rec) - h.len);
	rd->pos += h.len;
	rd->expect_seq++;
	rd->last.path = rd->segs[rd->cur].path;
	rd->last.segno = rd->segs[rd->cur].segno;
	rd->last.offset = off;
	rd->st.records++;
	if (known)
		rd->st.by_type[h.type]++;
	else
		rd->st.other_types++;
	return 1;
}

int tp_log_reader_next(struct tp_log_reader *rd, struct tp_log_slot *rec)
{
	if (rd->err)
		return rd->err;
	for (;;) {
		int rc = step(rd, rec);
		if (rc != LOOP)
			return rc;
	}
}

const char *tp_log_reader_error(const struct tp_log_reader *rd) { return rd->errmsg; }

void tp_log_reader_pos(const struct tp_log_reader *rd, struct tp_log_pos *pos)
{
	*pos = rd->last;
}

const struct tp_log_seg_hdr *tp_log_reader_seg(const struct tp_log_reader *rd)
{
	if (!rd->last.path)
		return NULL;
	/* the segment of the last record: the current one, unless it was just closed */
	for (unsigned i = rd->cur < rd->nsegs ? rd->cur + 1 : rd->nsegs; i-- > 0;)
		if (rd->segs[i].path == rd->last.path)
			return rd->segs[i].headless ? NULL : &rd->segs[i].hdr;
	return NULL;
}

void tp_log_reader_get_stats(const struct tp_log_reader *rd, struct tp_log_reader_stats *st)
{
	*st = rd->st;
}

uint64_t tp_log_reader_torn(const struct tp_log_reader *rd, struct tp_log_pos *pos)
{
	if (pos)
		*pos = rd->torn_pos;
	return rd->st.torn_tails ? rd->torn_bytes_last : 0;
}
