/* BinaryFILE reader: the shared RITCH sample (counted independently: 12,012 messages), and
 * hand-built streams for every length rule, torn tails, empty and missing files, gzip and
 * plain files, memory input, and a stream several times the 1 MiB buffer. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tp_binfile.h"
#include "tp_itch.h"

#ifndef TP_SHARED_DATA
#error "TP_SHARED_DATA must name the shared data directory"
#endif
#define SAMPLE TP_SHARED_DATA "/itch-binaryfile/ex20101224.TEST_ITCH_50.gz"

/* ---- scratch files ------------------------------------------------------------------- */

static char tmpdir[256];
static char tmpfiles[8][300];
static int ntmp;

static void setup(void)
{
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/tp_binfile_XXXXXX", base && *base ? base : "/tmp");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ntmp = 0;
}

static void teardown(void)
{
	for (int i = 0; i < ntmp; i++)
		unlink(tmpfiles[i]);
	rmdir(tmpdir);
}

/* Writes `n` bytes to a new scratch file, gzip-compressed when `gz`; returns its path. */
static const char *write_tmp(const void *data, size_t n, int gz)
{
	ck_assert_int_lt(ntmp, 8);
	char *path = tmpfiles[ntmp];
	snprintf(path, sizeof tmpfiles[0], "%s/f%d%s", tmpdir, ntmp, gz ? ".gz" : ".bin");
	ntmp++;
	if (gz) {
		gzFile g = gzopen(path, "wb1");
		ck_assert_ptr_nonnull(g);
		if (n)
			ck_assert_int_eq(gzwrite(g, data, (unsigned)n), (int)n);
		ck_assert_int_eq(gzclose(g), Z_OK);
	} else {
		FILE *f = fopen(path, "wb");
		ck_assert_ptr_nonnull(f);
		if (n)
			ck_assert_uint_eq(fwrite(data, 1, n, f), n);
		ck_assert_int_eq(fclose(f), 0);
	}
	return path;
}

static uint8_t *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long sz = ftell(f);
	ck_assert_int_ge(sz, 0);
	rewind(f);
	uint8_t *b = malloc((size_t)sz + 1);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*len = (size_t)sz;
	return b;
}

/* The three ways to read the same bytes. */
enum src { SRC_MEM, SRC_PLAIN, SRC_GZ };

static struct tp_binfile *open_src(enum src s, const uint8_t *data, size_t n)
{
	struct tp_binfile *bf = NULL;
	char err[256] = "";
	int rc = s == SRC_MEM ? tp_binfile_open_mem(data, n, &bf, err, sizeof err)
			      : tp_binfile_open(write_tmp(data, n, s == SRC_GZ), &bf, err, sizeof err);
	ck_assert_msg(rc == 0, "open failed: %s", err);
	ck_assert_ptr_nonnull(bf);
	return bf;
}

/* ---- building streams by hand --------------------------------------------------------- */

struct stream {
	uint8_t b[4096];
	size_t n;
};

static void put_prefix(struct stream *s, uint16_t prefix)
{
	s->b[s->n++] = (uint8_t)(prefix >> 8);
	s->b[s->n++] = (uint8_t)prefix;
}

static void put_bytes(struct stream *s, const void *p, size_t n)
{
	ck_assert_uint_le(s->n + n, sizeof s->b);
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

/* Messages written out by hand: an Add Order (36), a Delete (19), a System Event (12). */
static const uint8_t MSG_A[36] = {
	'A', 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 'B', 0x00, 0x00, 0x00, 0x64,
	'A', 'L', 'C', ' ', ' ', ' ', ' ', ' ', 0x00, 0x01, 0x86, 0xA0,
};
static const uint8_t MSG_D[19] = {
	'D', 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
};
static const uint8_t MSG_S[12] = {
	'S', 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 'C',
};

static void expect_msg(struct tp_binfile *bf, const uint8_t *want, uint32_t n)
{
	const uint8_t *m = NULL;
	uint32_t len = 0;
	ck_assert_int_eq(tp_binfile_next(bf, &m, &len), 1);
	ck_assert_uint_eq(len, n);
	ck_assert_mem_eq(m, want, n);
}

static void expect_end(struct tp_binfile *bf, int rc)
{
	const uint8_t *m;
	uint32_t len;
	ck_assert_int_eq(tp_binfile_next(bf, &m, &len), rc);
	/* Sticky: asking again gives the same answer. */
	ck_assert_int_eq(tp_binfile_next(bf, &m, &len), rc);
	if (rc < 0)
		ck_assert_str_ne(tp_binfile_errstr(bf), "");
	else
		ck_assert_str_eq(tp_binfile_errstr(bf), "");
}

static void expect_stats(struct tp_binfile *bf, uint64_t msgs, uint64_t malformed,
			 uint64_t bytes)
{
	const struct tp_binfile_stats *st = tp_binfile_get_stats(bf);
	ck_assert_uint_eq(st->messages, msgs);
	ck_assert_uint_eq(st->malformed, malformed);
	ck_assert_uint_eq(st->bytes, bytes);
}

/* ---- the shared sample ---------------------------------------------------------------- */

static void check_sample(struct tp_binfile *bf, uint64_t file_size)
{
	uint64_t per_type[256] = { 0 };
	char sym[3][9];
	uint16_t locate[3];
	struct tp_itch_msg r[3];
	int nr = 0;
	const uint8_t *m;
	uint32_t len;
	int rc;
	while ((rc = tp_binfile_next(bf, &m, &len)) == 1) {
		struct tp_itch_msg d;
		ck_assert_int_eq(tp_itch_decode(m, len, &d), TP_ITCH_OK);
		per_type[m[0]]++;
		if (m[0] == 'R') {
			ck_assert_int_lt(nr, 3);
			r[nr] = d;
			tp_itch_alpha(sym[nr], sizeof sym[nr], d.u.stock_dir.stock, 8);
			locate[nr] = d.stock_locate;
			nr++;
		}
	}
	ck_assert_int_eq(rc, 0);
	expect_end(bf, 0);

	/* As documented by RITCH and re-counted in shared/data/README.md. */
	ck_assert_uint_eq(per_type['S'], 6);
	ck_assert_uint_eq(per_type['R'], 3);
	ck_assert_uint_eq(per_type['H'], 3);
	ck_assert_uint_eq(per_type['A'], 4997);
	ck_assert_uint_eq(per_type['F'], 3);
	ck_assert_uint_eq(per_type['E'], 198);
	ck_assert_uint_eq(per_type['X'], 45);
	ck_assert_uint_eq(per_type['D'], 1745);
	ck_assert_uint_eq(per_type['U'], 12);
	ck_assert_uint_eq(per_type['P'], 5000);
	uint64_t total = 0;
	for (int t = 0; t < 256; t++)
		total += per_type[t];
	ck_assert_uint_eq(total, 12012);
	/* 12,012 zero prefixes and the messages: 465,048 bytes uncompressed. */
	expect_stats(bf, 12012, 0, 465048);
	ck_assert_uint_eq(tp_binfile_get_stats(bf)->file_size, file_size);
	ck_assert(tp_binfile_progress(bf) == 1.0);

	ck_assert_int_eq(nr, 3);
	ck_assert_str_eq(sym[0], "ALC");
	ck_assert_str_eq(sym[1], "BOB");
	ck_assert_str_eq(sym[2], "CHAR");
	ck_assert_uint_eq(locate[0], 1);
	ck_assert_uint_eq(locate[1], 2);
	ck_assert_uint_eq(locate[2], 3);
	ck_assert_int_eq(r[0].u.stock_dir.market_category, 'N');
	ck_assert_int_eq(r[1].u.stock_dir.market_category, 'S');
	ck_assert_int_eq(r[2].u.stock_dir.market_category, 'P');
	for (int i = 0; i < 3; i++) {
		const struct tp_itch_stock_dir *d = &r[i].u.stock_dir;
		ck_assert_uint_eq(d->round_lot_size, 100);
		ck_assert_int_eq(d->financial_status, 'N');
		ck_assert_int_eq(d->issue_classification, 'A');
		ck_assert_mem_eq(d->issue_subtype, "Z ", 2);
		ck_assert_int_eq(d->authenticity, 'P');
		ck_assert_int_eq(d->luld_ref_price_tier, '2');
		ck_assert_uint_eq(d->etp_leverage_factor, 0);
	}
}

START_TEST(t_sample_gz)
{
	struct tp_binfile *bf;
	char err[256];
	ck_assert_msg(tp_binfile_open(SAMPLE, &bf, err, sizeof err) == 0, "%s", err);
	ck_assert(tp_binfile_progress(bf) == 0.0);
	check_sample(bf, 159965);
	tp_binfile_close(bf);
}
END_TEST

/* The same day uncompressed, read from a plain file and from memory. */
START_TEST(t_sample_plain_and_mem)
{
	gzFile g = gzopen(SAMPLE, "rb");
	ck_assert_ptr_nonnull(g);
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	ck_assert_ptr_nonnull(buf);
	int k;
	while ((k = gzread(g, buf + n, (unsigned)(cap - n))) > 0)
		n += (size_t)k;
	ck_assert_int_eq(k, 0);
	gzclose(g);
	ck_assert_uint_eq(n, 465048);

	struct tp_binfile *bf = open_src(SRC_PLAIN, buf, n);
	check_sample(bf, 465048);
	tp_binfile_close(bf);

	bf = open_src(SRC_MEM, buf, n);
	check_sample(bf, 465048);
	tp_binfile_close(bf);
	free(buf);
}
END_TEST

/* ---- length rules --------------------------------------------------------------------- */

START_TEST(t_exact_prefix)
{
	struct stream s = { .n = 0 };
	put_prefix(&s, 36);
	put_bytes(&s, MSG_A, 36);
	put_prefix(&s, 19);
	put_bytes(&s, MSG_D, 19);
	put_prefix(&s, 0);           /* zero and exact prefixes may mix */
	put_bytes(&s, MSG_S, 12);
	put_prefix(&s, 12);
	put_bytes(&s, MSG_S, 12);
	struct tp_binfile *bf = open_src((enum src)_i, s.b, s.n);
	expect_msg(bf, MSG_A, 36);
	expect_msg(bf, MSG_D, 19);
	expect_msg(bf, MSG_S, 12);
	expect_msg(bf, MSG_S, 12);
	expect_end(bf, 0);
	expect_stats(bf, 4, 0, 2 + 36 + 2 + 19 + 2 + 12 + 2 + 12);
	tp_binfile_close(bf);
}
END_TEST

/* A non-zero prefix that disagrees with the type is skipped by the prefix, and the next
 * message is found where the writer put it. */
START_TEST(t_wrong_prefix)
{
	struct stream s = { .n = 0 };
	put_prefix(&s, 36);
	put_bytes(&s, MSG_A, 36);
	/* An 'A' claiming 19 bytes: the writer put the next frame 19 bytes on, and that is
	 * where the reader must look for it. */
	put_prefix(&s, 19);
	put_bytes(&s, MSG_A, 19);
	put_prefix(&s, 0);
	put_bytes(&s, MSG_D, 19);
	/* A 'D' claiming 36 bytes (the length of another type): skipped whole. */
	put_prefix(&s, 36);
	put_bytes(&s, MSG_A, 36);
	((uint8_t *)s.b)[s.n - 36] = 'D';
	/* One byte claimed, one given. */
	put_prefix(&s, 1);
	put_bytes(&s, "S", 1);
	/* Unknown type with a length: skipped by it. */
	put_prefix(&s, 5);
	put_bytes(&s, "Zabcd", 5);
	put_prefix(&s, 12);
	put_bytes(&s, MSG_S, 12);
	struct tp_binfile *bf = open_src((enum src)_i, s.b, s.n);
	expect_msg(bf, MSG_A, 36);
	expect_msg(bf, MSG_D, 19);
	expect_stats(bf, 2, 1, 38 + 21 + 21);
	expect_msg(bf, MSG_S, 12);
	expect_end(bf, 0);
	expect_stats(bf, 3, 4, s.n);
	tp_binfile_close(bf);
}
END_TEST

/* Zero prefix and an unknown type: nothing says where the next message starts. */
START_TEST(t_unsync)
{
	struct stream s = { .n = 0 };
	put_prefix(&s, 0);
	put_bytes(&s, MSG_D, 19);
	put_prefix(&s, 0);
	put_bytes(&s, "T\0\0\0\0\0\0\0\0\0\0\0", 12);
	put_prefix(&s, 0);
	put_bytes(&s, MSG_S, 12);
	struct tp_binfile *bf = open_src((enum src)_i, s.b, s.n);
	expect_msg(bf, MSG_D, 19);
	expect_end(bf, TP_BINFILE_E_UNSYNC);
	expect_stats(bf, 1, 1, 21);
	ck_assert_ptr_nonnull(strstr(tp_binfile_errstr(bf), "0x54"));
	tp_binfile_close(bf);
}
END_TEST

/* Input that stops inside a message, at every kind of place. */
START_TEST(t_truncated)
{
	static const size_t cut_at[] = {
		1,      /* half a prefix */
		2,      /* a prefix alone */
		3,      /* prefix and type */
		2 + 35, /* one byte short of a whole add (zero prefix) */
	};
	for (size_t c = 0; c < sizeof cut_at / sizeof cut_at[0]; c++) {
		struct stream s = { .n = 0 };
		put_prefix(&s, 0);
		put_bytes(&s, MSG_S, 12);
		size_t whole = s.n;
		put_prefix(&s, 0);
		put_bytes(&s, MSG_A, 36);
		s.n = whole + cut_at[c];
		struct tp_binfile *bf = open_src((enum src)_i, s.b, s.n);
		expect_msg(bf, MSG_S, 12);
		expect_end(bf, TP_BINFILE_E_TRUNCATED);
		expect_stats(bf, 1, 1, whole);
		tp_binfile_close(bf);
	}
	/* An exact non-zero prefix whose message is cut. */
	struct stream s = { .n = 0 };
	put_prefix(&s, 19);
	put_bytes(&s, MSG_D, 10);
	struct tp_binfile *bf = open_src((enum src)_i, s.b, s.n);
	expect_end(bf, TP_BINFILE_E_TRUNCATED);
	expect_stats(bf, 0, 1, 0);
	tp_binfile_close(bf);
	/* A wrong prefix that reaches past the end. */
	s.n = 0;
	put_prefix(&s, 12);
	put_bytes(&s, MSG_S, 12);
	put_prefix(&s, 1000);
	put_bytes(&s, MSG_A, 36);
	bf = open_src((enum src)_i, s.b, s.n);
	expect_msg(bf, MSG_S, 12);
	expect_end(bf, TP_BINFILE_E_TRUNCATED);
	expect_stats(bf, 1, 1, 14);
	tp_binfile_close(bf);
}
END_TEST

START_TEST(t_empty)
{
	struct tp_binfile *bf = open_src((enum src)_i, (const uint8_t *)"", 0);
	expect_end(bf, 0);
	expect_stats(bf, 0, 0, 0);
	if (_i != SRC_GZ)
		ck_assert_uint_eq(tp_binfile_get_stats(bf)->file_size, 0);
	ck_assert(tp_binfile_progress(bf) == 1.0);
	tp_binfile_close(bf);

	char err[64];
	ck_assert_int_eq(tp_binfile_open_mem(NULL, 0, &bf, err, sizeof err), 0);
	expect_end(bf, 0);
	tp_binfile_close(bf);
}
END_TEST

START_TEST(t_missing_and_dir)
{
	struct tp_binfile *bf = (struct tp_binfile *)1;
	char err[256] = "";
	char path[320];
	snprintf(path, sizeof path, "%s/no-such-day.gz", tmpdir);
	ck_assert_int_eq(tp_binfile_open(path, &bf, err, sizeof err), -1);
	ck_assert_ptr_null(bf);
	ck_assert_ptr_nonnull(strstr(err, path));
	ck_assert_ptr_nonnull(strstr(err, strerror(ENOENT)));

	ck_assert_int_eq(tp_binfile_open(tmpdir, &bf, err, sizeof err), -1);
	ck_assert_ptr_null(bf);
	ck_assert_ptr_nonnull(strstr(err, "is a directory"));

	/* A NULL buffer with a length is refused, not read. */
	ck_assert_int_eq(tp_binfile_open_mem(NULL, 10, &bf, err, sizeof err), -1);
	ck_assert_ptr_null(bf);
	tp_binfile_close(NULL);
}
END_TEST

/* ---- a stream several times the buffer ----------------------------------------------- */

static const char big_types[] = "ADEPIS";

/* Message i of the big stream: type from the cycle, header and body from i. */
static uint32_t big_msg(uint8_t *out, uint64_t i)
{
	static const uint32_t lens[] = { 36, 19, 31, 44, 50, 12 };
	uint32_t n = lens[i % 6];
	out[0] = (uint8_t)big_types[i % 6];
	out[1] = (uint8_t)(i >> 8);
	out[2] = (uint8_t)i;
	out[3] = (uint8_t)(i >> 24);
	out[4] = (uint8_t)(i >> 16);
	for (int k = 0; k < 6; k++)
		out[5 + k] = (uint8_t)(i >> (8 * (5 - k)));
	for (uint32_t k = 11; k < n; k++)
		out[k] = (uint8_t)(i * 31 + k);
	return n;
}

#define BIG_N 150000u

struct big {
	uint8_t *b;
	size_t n;
	uint64_t junk;
};

/* Mixed prefixes (zero, exact), and every 997th message preceded by a frame with a wrong
 * prefix: mostly 300 bytes, every third one 65535 bytes, so skips straddle refills. */
static struct big make_big(void)
{
	struct big g = { .b = malloc(16u << 20) };
	ck_assert_ptr_nonnull(g.b);
	uint8_t m[64];
	for (uint64_t i = 0; i < BIG_N; i++) {
		if (i % 997 == 0) {
			uint16_t plen = g.junk % 3 == 0 ? 65535 : 300;
			g.b[g.n++] = (uint8_t)(plen >> 8);
			g.b[g.n++] = (uint8_t)plen;
			memset(g.b + g.n, (int)(g.junk & 0xff), plen);
			g.b[g.n] = g.junk % 2 ? 'A' : 'z';
			g.n += plen;
			g.junk++;
		}
		uint32_t n = big_msg(m, i);
		uint16_t plen = i % 2 ? (uint16_t)n : 0;
		g.b[g.n++] = (uint8_t)(plen >> 8);
		g.b[g.n++] = (uint8_t)plen;
		memcpy(g.b + g.n, m, n);
		g.n += n;
	}
	ck_assert_uint_le(g.n, 16u << 20);
	return g;
}

static void read_big(struct tp_binfile *bf, const struct big *g)
{
	uint8_t want[64];
	for (uint64_t i = 0; i < BIG_N; i++) {
		uint32_t n = big_msg(want, i);
		const uint8_t *m;
		uint32_t len;
		int rc = tp_binfile_next(bf, &m, &len);
		ck_assert_msg(rc == 1, "message %llu: rc %d (%s)", (unsigned long long)i, rc,
			      tp_binfile_errstr(bf));
		ck_assert_uint_eq(len, n);
		ck_assert_msg(memcmp(m, want, n) == 0, "message %llu differs",
			      (unsigned long long)i);
	}
	expect_end(bf, 0);
	expect_stats(bf, BIG_N, g->junk, g->n);
}

START_TEST(t_big_stream)
{
	struct big g = make_big();
	ck_assert_uint_gt(g.n, 4u * TP_BINFILE_BUF_SIZE);
	ck_assert_uint_eq(g.junk, (BIG_N + 996) / 997);
	struct tp_binfile *bf = open_src((enum src)_i, g.b, g.n);
	read_big(bf, &g);
	ck_assert(tp_binfile_progress(bf) == 1.0);
	tp_binfile_close(bf);
	free(g.b);
}
END_TEST

/* A gzip file cut in the middle: what was there is delivered, then the cut is reported. */
START_TEST(t_gz_cut)
{
	struct big g = make_big();
	const char *full = write_tmp(g.b, g.n, 1);
	size_t zn;
	uint8_t *z = read_whole(full, &zn);
	const char *half = write_tmp(z, zn / 2, 0);
	struct tp_binfile *bf;
	char err[256];
	ck_assert_int_eq(tp_binfile_open(half, &bf, err, sizeof err), 0);
	const uint8_t *m;
	uint32_t len;
	int rc;
	uint8_t want[64];
	uint64_t i = 0;
	while ((rc = tp_binfile_next(bf, &m, &len)) == 1) {
		uint32_t n = big_msg(want, i);
		ck_assert_uint_eq(len, n);
		ck_assert_int_eq(memcmp(m, want, n), 0);
		i++;
	}
	ck_assert_int_eq(rc, TP_BINFILE_E_TRUNCATED);
	ck_assert_uint_gt(i, BIG_N / 4);
	ck_assert_uint_lt(i, BIG_N);
	ck_assert_uint_eq(tp_binfile_get_stats(bf)->messages, i);
	tp_binfile_close(bf);
	free(z);
	free(g.b);
}
END_TEST

/* A gzip file whose CRC is wrong: zlib reports corrupt data, and so do we. */
START_TEST(t_gz_corrupt)
{
	struct stream s = { .n = 0 };
	for (int i = 0; i < 20; i++) {
		put_prefix(&s, 0);
		put_bytes(&s, MSG_A, 36);
	}
	const char *good = write_tmp(s.b, s.n, 1);
	size_t zn;
	uint8_t *z = read_whole(good, &zn);
	z[zn - 8] ^= 0xFF; /* the CRC-32 in the trailer */
	const char *bad = write_tmp(z, zn, 0);
	struct tp_binfile *bf;
	char err[256];
	ck_assert_int_eq(tp_binfile_open(bad, &bf, err, sizeof err), 0);
	const uint8_t *m;
	uint32_t len;
	int rc;
	while ((rc = tp_binfile_next(bf, &m, &len)) == 1)
		;
	ck_assert_int_eq(rc, TP_BINFILE_E_IO);
	ck_assert_str_ne(tp_binfile_errstr(bf), "");
	tp_binfile_close(bf);
	free(z);
}
END_TEST

static Suite *binfile_suite(void)
{
	Suite *s = suite_create("binfile");
	TCase *tc = tcase_create("sample");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, t_sample_gz);
	tcase_add_test(tc, t_sample_plain_and_mem);
	suite_add_tcase(s, tc);

	/* Each stream test runs over memory, a plain file and a gzip file (_i = enum src). */
	TCase *tr = tcase_create("rules");
	tcase_add_checked_fixture(tr, setup, teardown);
	tcase_set_timeout(tr, 120);
	tcase_add_loop_test(tr, t_exact_prefix, SRC_MEM, SRC_GZ + 1);
	tcase_add_loop_test(tr, t_wrong_prefix, SRC_MEM, SRC_GZ + 1);
	tcase_add_loop_test(tr, t_unsync, SRC_MEM, SRC_GZ + 1);
	tcase_add_loop_test(tr, t_truncated, SRC_MEM, SRC_GZ + 1);
	tcase_add_loop_test(tr, t_empty, SRC_MEM, SRC_GZ + 1);
	tcase_add_test(tr, t_missing_and_dir);
	suite_add_tcase(s, tr);

	TCase *tb = tcase_create("big");
	tcase_add_checked_fixture(tb, setup, teardown);
	tcase_set_timeout(tb, 300);
	tcase_add_loop_test(tb, t_big_stream, SRC_MEM, SRC_GZ + 1);
	tcase_add_test(tb, t_gz_cut);
	tcase_add_test(tb, t_gz_corrupt);
	suite_add_tcase(s, tb);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(binfile_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
