/* Helpers shared by the log tests: scratch directories, the segment files in one, byte
 * surgery on a file, and a deterministic writer configuration. Header-only (static), one
 * copy per test program. */
#ifndef LOG_TEST_UTIL_H
#define LOG_TEST_UTIL_H

#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tp_logfmt.h"
#include "tp_logwriter.h"

/* A fixed run: 2023-11-14T22:13:20Z, TSC anchor 1000 at 1 GHz (a tick is a ns). */
#define LT_RUN_ID 1700000000000000000ull
#define LT_TSC0 1000ull
#define LT_TSC_HZ 1000000000ull
#define LT_SEG0 "tickpipe-20231114T221320.000000000Z-000000.tplog"

static inline char *lt_mkdtemp(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof(tmpl), "%s/tplogtest-XXXXXX", base && *base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	ck_assert_msg(d != NULL, "mkdtemp failed");
	return strdup(d);
}

/* Removes a scratch directory and the files in it (no subdirectories are made). */
static inline void lt_rmdir(char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
				continue;
			char p[1024];
			snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
			unlink(p);
		}
		closedir(d);
	}
	rmdir(dir);
	free(dir);
}

static int lt__cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Full paths of the files in dir, sorted by name; *n of them. Free with lt_free_list. */
static inline char **lt_list(const char *dir, unsigned *n)
{
	char **v = NULL;
	*n = 0;
	DIR *d = opendir(dir);
	ck_assert(d != NULL);
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		v = realloc(v, (*n + 1) * sizeof(*v));
		size_t len = strlen(dir) + strlen(de->d_name) + 2;
		v[*n] = malloc(len);
		snprintf(v[*n], len, "%s/%s", dir, de->d_name);
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(v, *n, sizeof(*v), lt__cmp);
	return v;
}

static inline void lt_free_list(char **v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static inline long long lt_size(const char *path)
{
	struct stat sb;
	ck_assert_msg(stat(path, &sb) == 0, "stat %s", path);
	return (long long)sb.st_size;
}

static inline void lt_flip(const char *path, long long off)
{
	int fd = open(path, O_RDWR);
	ck_assert(fd >= 0);
	unsigned char b;
	ck_assert_int_eq(pread(fd, &b, 1, off), 1);
	b ^= 0x40;
	ck_assert_int_eq(pwrite(fd, &b, 1, off), 1);
	close(fd);
}

static inline void lt_truncate(const char *path, long long size)
{
	ck_assert_int_eq(truncate(path, size), 0);
}

static inline void lt_append(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND);
	ck_assert(fd >= 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static inline struct tp_log_writer_cfg lt_cfg(const char *dir, uint64_t segment_bytes)
{
	struct tp_log_writer_cfg c;
	memset(&c, 0, sizeof(c));
	c.dir = dir;
	c.segment_bytes = segment_bytes;
	c.no_sync = 1; /* the tests check order and content, not power-cut durability */
	c.fixed_run_id = LT_RUN_ID;
	c.fixed_tsc = LT_TSC0;
	c.fixed_tsc_hz = LT_TSC_HZ;
	return c;
}

static inline struct tp_log_writer *lt_open(const struct tp_log_writer_cfg *c)
{
	char err[256];
	struct tp_log_writer *w = tp_log_writer_open(c, err, sizeof(err));
	ck_assert_msg(w != NULL, "writer: %s", err);
	return w;
}

/* An event record whose fields all derive from i, so a reader can check every byte. */
static inline struct tp_log_slot lt_event(uint64_t i)
{
	struct tp_log_slot s;
	memset(&s, 0, sizeof(s));
	s.hdr.len = (uint16_t)tp_log_type_len(TP_LOG_EVENT);
	s.hdr.type = TP_LOG_EVENT;
	s.hdr.producer = 1;
	s.hdr.exch_ns = 34200000000000ull + i;
	s.hdr.tsc = LT_TSC0 + i;
	struct tp_log_event *e = &s.u.event;
	e->kind = 1 + (uint8_t)(i % 8);
	e->msg_type = 'A';
	e->side = (i & 1) ? 'S' : 'B';
	e->stock_locate = (uint16_t)(1 + i % 50);
	e->feed_id = 2;
	e->exch_ts_ns = s.hdr.exch_ns;
	e->rx_tsc = i * 3;
	e->seq = i + 1;
	e->order_ref = i * 7 + 11;
	e->price = (uint32_t)(100000 + i);
	e->qty = (uint32_t)(i % 1000);
	e->bid_px = 1;
	e->bid_qty = 2;
	e->ask_px = 3;
	e->ask_qty = 4;
	return s;
}

#endif
