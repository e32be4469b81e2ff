/* Tests of tickpipe-gen: runs the built binary (path in $TP_GEN) into a temporary directory
 * and reads what it wrote with a small parser of its own (libpcap for the file, hand-written
 * Ethernet/IPv4/UDP, MoldUDP64 and ITCH 5.0 walking) -- never with feeds/, which is what the
 * generator exists to test. */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define ITCH_T0 34200000000000ull
#define LINE_A_IP 0xe9360c6fu   /* 233.54.12.111 */
#define LINE_B_IP 0xe9360c70u   /* 233.54.12.112 */
#define FEED_PORT 26477

/* ---- small helpers ----------------------------------------------------------------------- */

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t be_n(const uint8_t *p, int n)
{
	uint64_t v = 0;
	for (int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static char *read_all(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *b = malloc((size_t)n + 1);
	ck_assert(b != NULL);
	ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
	b[n] = 0;
	fclose(f);
	if (len)
		*len = (size_t)n;
	return b;
}

static int file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	ck_assert(d != NULL);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* ---- temporary directories and runs of the binary ---------------------------------------- */

struct tdir {
	char out[256];    /* where the generator writes */
	char logs[256];   /* its stdout / stderr, kept apart so `out` can be listed */
};

static void tdir_make(struct tdir *t)
{
	const char *base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	snprintf(t->out, sizeof(t->out), "%s/tp-gen-out-XXXXXX", base);
	snprintf(t->logs, sizeof(t->logs), "%s/tp-gen-log-XXXXXX", base);
	ck_assert(mkdtemp(t->out) != NULL);
	ck_assert(mkdtemp(t->logs) != NULL);
}

static void rm_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	char p[512];
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}

static void tdir_free(struct tdir *t)
{
	rm_dir(t->out);
	rm_dir(t->logs);
}

static const char *gen_path(void)
{
	const char *g = getenv("TP_GEN");
	ck_assert_msg(g && *g, "TP_GEN must name the tickpipe-gen binary");
	return g;
}

/* Starts the generator with `args` (space-separated, "%O" replaced by the output dir). */
static pid_t spawn_gen(const struct tdir *t, const char *fmt, va_list ap)
{
	char line[2048], expanded[4096];
	vsnprintf(line, sizeof(line), fmt, ap);
	size_t k = 0;
	for (const char *s = line; *s && k + 300 < sizeof(expanded); s++) {
		if (s[0] == '%' && s[1] == 'O') {
			k += (size_t)snprintf(expanded + k, sizeof(expanded) - k, "%s", t->out);
			s++;
		} else {
			expanded[k++] = *s;
		}
	}
	expanded[k] = 0;
	char *argv[64];
	int argc = 0;
	argv[argc++] = (char *)gen_path();
	for (char *tok = strtok(expanded, " "); tok && argc < 63; tok = strtok(NULL, " "))
		argv[argc++] = tok;
	argv[argc] = NULL;

	char so[300], se[300];
	snprintf(so, sizeof(so), "%s/stdout", t->logs);
	snprintf(se, sizeof(se), "%s/stderr", t->logs);
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int fo = open(so, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(se, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0)
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Runs the generator and returns its exit status (or 128 + signal). */
static int run_gen(const struct tdir *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pid_t pid = spawn_gen(t, fmt, ap);
	va_end(ap);
	int st;
	ck_assert(waitpid(pid, &st, 0) == pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *log_text(const struct tdir *t, const char *which)
{
	char p[300];
	snprintf(p, sizeof(p), "%s/%s", t->logs, which);
	return read_all(p, NULL);
}

/* Success is exit 0 and a silent stderr (progress only goes to a terminal; this also catches
 * sanitizer reports that do not change the exit status). */
static void assert_ok_run(const struct tdir *t, int rc)
{
	char *e = log_text(t, "stderr");
	ck_assert_msg(rc == 0 && e[0] == 0, "tickpipe-gen exit %d: %s", rc, e);
	free(e);
}

/* ---- the manifest (a JSON object we know the shape of) ----------------------------------- */

static const char *jfind(const char *from, const char *key)
{
	char pat[96];
	snprintf(pat, sizeof(pat), "\"%s\": ", key);
	const char *p = from ? strstr(from, pat) : NULL;
	ck_assert_msg(p != NULL, "manifest key %s not found", key);
	return p + strlen(pat);
}

static uint64_t ju64(const char *from, const char *key)
{
	const char *p = jfind(from, key);
	char *end;
	unsigned long long v = strtoull(p, &end, 10);
	ck_assert_msg(end != p, "manifest key %s is not a number", key);
	return v;
}

/* ---- pcap files -------------------------------------------------------------------------- */

struct frm {
	uint64_t t_ns;
	uint32_t len;
	uint8_t *d;
};

struct cap {
	size_t n, cap;
	struct frm *f;
};

static void cap_load(struct cap *c, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	memset(c, 0, sizeof(*c));
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, err);
	ck_assert_msg(p != NULL, "libpcap cannot read %s: %s", path, err);
	ck_assert_int_eq(pcap_datalink(p), DLT_EN10MB);
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;
	while ((rc = pcap_next_ex(p, &h, &d)) == 1) {
		if (c->n == c->cap) {
			c->cap = c->cap ? c->cap * 2 : 1024;
			c->f = realloc(c->f, c->cap * sizeof(*c->f));
			ck_assert(c->f != NULL);
		}
		ck_assert_uint_eq(h->caplen, h->len);
		struct frm *f = &c->f[c->n++];
		f->t_ns = (uint64_t)h->ts.tv_sec * 1000000000ull + (uint64_t)h->ts.tv_usec;
		f->len = h->caplen;
		f->d = malloc(h->caplen);
		ck_assert(f->d != NULL);
		memcpy(f->d, d, h->caplen);
	}
	ck_assert_int_eq(rc, PCAP_ERROR_BREAK);   /* clean end of file */
	pcap_close(p);
}

static void cap_free(struct cap *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->f[i].d);
	free(c->f);
	memset(c, 0, sizeof(*c));
}

struct fview {
	int vlan;            /* -1: untagged */
	uint16_t ethertype;
	int ipv4;
	uint8_t proto;
	uint32_t dst_ip;
	uint16_t dst_port;
	const uint8_t *payload;
	size_t plen;
};

static uint16_t csum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void parse_frame(const struct frm *f, struct fview *v)
{
	memset(v, 0, sizeof(*v));
	v->vlan = -1;
	ck_assert_uint_ge(f->len, 60);                 /* padded to the Ethernet minimum */
	size_t off = 12;
	uint16_t et = be16(f->d + off);
	if (et == 0x8100) {
		v->vlan = be16(f->d + off + 2) & 0x0fff;
		off += 4;
		et = be16(f->d + off);
	}
	off += 2;
	v->ethertype = et;
	if (et != 0x0800)
		return;
	const uint8_t *ip = f->d + off;
	ck_assert_uint_eq(ip[0], 0x45);
	ck_assert_uint_eq(csum(ip, 20), 0);              /* header checksum is right */
	ck_assert_uint_le(off + be16(ip + 2), f->len);
	v->ipv4 = 1;
	v->proto = ip[9];
	v->dst_ip = be32(ip + 16);
	if (v->proto != 17)
		return;
	const uint8_t *u = ip + 20;
	v->dst_port = be16(u + 2);
	uint16_t ulen = be16(u + 4);
	ck_assert_uint_ge(ulen, 8);
	ck_assert_uint_eq(be16(ip + 2), 20u + ulen);
	v->payload = u + 8;
	v->plen = ulen - 8u;
}

enum { MOLD_OK = 0, MOLD_SHORT, MOLD_PAST_END, MOLD_BAD_COUNT };

/* Whole-packet check: every block inside the payload and exactly `count` of them. */
static int mold_check(const uint8_t *p, size_t n, uint64_t *seq, unsigned *count)
{
	if (n < 20)
		return MOLD_SHORT;
	unsigned c = be16(p + 18), k = 0;
	size_t off = 20;
	while (off < n) {
		if (n - off < 2)
			return MOLD_PAST_END;
		size_t l = be16(p + off);
		if (l > n - off - 2)
			return MOLD_PAST_END;
		off += 2 + l;
		k++;
	}
	if (k != c)
		return MOLD_BAD_COUNT;
	*seq = be_n(p + 10, 8);
	*count = c;
	return MOLD_OK;
}

/* ---- an ITCH 5.0 session checker of its own ----------------------------------------------- */

static const char itch_types[] = "SRHYLVWKJhAFECXDUPQBINO";
static const uint8_t itch_lens[] = {12, 39, 25, 20, 26, 35, 12, 28, 35, 21, 36, 40,
				    31, 36, 23, 19, 35, 44, 40, 19, 50, 20, 48};

static size_t itch_len(uint8_t t)
{
	const char *p = t ? strchr(itch_types, t) : NULL;
	return p ? itch_lens[p - itch_types] : 0;
}

#define OT_CAP (1u << 20)

struct ord {
	uint64_t ref;        /* 0 empty, UINT64_MAX tombstone */
	uint32_t price, shares;
	uint16_t locate;
	uint8_t side;
};

struct chk {
	uint64_t counts[256];
	uint64_t total;
	uint64_t unknown_types;
	uint64_t errors;
	char first_error[256];
	uint64_t last_ts;
	struct ord *ot;
	uint64_t ot_used;
	char (*sym)[9];      /* by locate, from R */
};

static void chk_init(struct chk *c)
{
	memset(c, 0, sizeof(*c));
	c->ot = calloc(OT_CAP, sizeof(*c->ot));
	c->sym = calloc(65536, sizeof(*c->sym));
	ck_assert(c->ot && c->sym);
}

static void chk_free(struct chk *c)
{
	free(c->ot);
	free(c->sym);
}

static void chk_err(struct chk *c, const char *fmt, ...)
{
	if (!c->errors++) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->first_error, sizeof(c->first_error), fmt, ap);
		va_end(ap);
	}
}

static struct ord *ot_find(struct chk *c, uint64_t ref)
{
	for (uint64_t h = (ref * 0x9e3779b97f4a7c15ull) >> 44;; h = (h + 1) & (OT_CAP - 1)) {
		struct ord *o = &c->ot[h];
		if (o->ref == 0)
			return NULL;
		if (o->ref == ref)
			return o;
	}
}

static struct ord *ot_insert(struct chk *c, uint64_t ref)
{
	ck_assert_uint_lt(++c->ot_used, OT_CAP / 2);
	for (uint64_t h = (ref * 0x9e3779b97f4a7c15ull) >> 44;; h = (h + 1) & (OT_CAP - 1)) {
		struct ord *o = &c->ot[h];
		if (o->ref == 0 || o->ref == UINT64_MAX) {
			o->ref = ref;
			return o;
		}
	}
}

static void sym_of(const uint8_t *p, char out[9])
{
	memcpy(out, p, 8);
	out[8] = 0;
	for (int i = 7; i >= 0 && out[i] == ' '; i--)
		out[i] = 0;
}

static void chk_add(struct chk *c, uint64_t seq, const uint8_t *m, uint16_t locate)
{
	uint64_t ref = be_n(m + 11, 8);
	char s[9];
	sym_of(m + 24, s);
	if (strcmp(s, c->sym[locate]) != 0)
		chk_err(c, "seq %llu: add for %s under locate %u (%s)", (unsigned long long)seq, s,
			locate, c->sym[locate]);
	if (ref == 0 || ot_find(c, ref))
		chk_err(c, "seq %llu: add reuses ref %llu", (unsigned long long)seq,
			(unsigned long long)ref);
	if (m[19] != 'B' && m[19] != 'S')
		chk_err(c, "seq %llu: side %c", (unsigned long long)seq, m[19]);
	struct ord *o = ot_insert(c, ref);
	o->side = m[19];
	o->shares = be32(m + 20);
	o->price = be32(m + 32);
	o->locate = locate;
	if (!o->shares || !o->price)
		chk_err(c, "seq %llu: empty add", (unsigned long long)seq);
}

/* The order a message names must be live, on the same stock. */
static struct ord *chk_live(struct chk *c, uint64_t seq, uint64_t ref, uint16_t locate)
{
	struct ord *o = ot_find(c, ref);
	if (!o) {
		chk_err(c, "seq %llu: ref %llu is not live", (unsigned long long)seq,
			(unsigned long long)ref);
		return NULL;
	}
	if (o->locate != locate)
		chk_err(c, "seq %llu: ref %llu is on locate %u, not %u", (unsigned long long)seq,
			(unsigned long long)ref, o->locate, locate);
	return o;
}

static void chk_reduce(struct chk *c, uint64_t seq, struct ord *o, uint32_t qty, int partial)
{
	if (qty == 0 || qty > o->shares || (partial && qty == o->shares))
		chk_err(c, "seq %llu: takes %u of %u shares", (unsigned long long)seq, qty,
			o->shares);
	else
		o->shares -= qty;
	if (o->shares == 0)
		o->ref = UINT64_MAX;
}

static void chk_msg(struct chk *c, uint64_t seq, const uint8_t *m, size_t len)
{
	size_t want = itch_len(m[0]);
	if (!want) {
		c->unknown_types++;
		return;
	}
	if (len != want) {
		chk_err(c, "seq %llu: type %c of %zu bytes", (unsigned long long)seq, m[0], len);
		return;
	}
	c->counts[m[0]]++;
	c->total++;
	uint16_t locate = be16(m + 1);
	uint64_t ts = be_n(m + 5, 6);
	if (ts < c->last_ts || ts < ITCH_T0)
		chk_err(c, "seq %llu: timestamp %llu goes back", (unsigned long long)seq,
			(unsigned long long)ts);
	c->last_ts = ts;
	struct ord *o;
	switch (m[0]) {
	case 'R':
		sym_of(m + 11, c->sym[locate]);
		break;
	case 'A':
	case 'F':
		chk_add(c, seq, m, locate);
		break;
	case 'E':
	case 'C':
		if ((o = chk_live(c, seq, be_n(m + 11, 8), locate)))
			chk_reduce(c, seq, o, be32(m + 19), 0);
		break;
	case 'X':
		if ((o = chk_live(c, seq, be_n(m + 11, 8), locate)))
			chk_reduce(c, seq, o, be32(m + 19), 1);
		break;
	case 'D':
		if ((o = chk_live(c, seq, be_n(m + 11, 8), locate)))
			o->ref = UINT64_MAX;
		break;
	case 'U':
		if ((o = chk_live(c, seq, be_n(m + 11, 8), locate))) {
			struct ord old = *o;
			o->ref = UINT64_MAX;
			uint64_t nref = be_n(m + 19, 8);
			if (ot_find(c, nref))
				chk_err(c, "seq %llu: replace reuses ref", (unsigned long long)seq);
			struct ord *n = ot_insert(c, nref);
			n->locate = old.locate;
			n->side = old.side;
			n->shares = be32(m + 27);
			n->price = be32(m + 31);
		}
		break;
	default:
		break;
	}
}

struct book {
	uint32_t bid_px, bid_qty, ask_px, ask_qty, bid_levels, ask_levels;
};

static int ord_cmp(const void *a, const void *b)
{
	const struct ord *x = a, *y = b;
	if (x->locate != y->locate)
		return x->locate < y->locate ? -1 : 1;
	if (x->side != y->side)
		return x->side < y->side ? -1 : 1;
	if (x->price != y->price)
		return x->price < y->price ? -1 : 1;
	return 0;
}

/* Final books by locate (1-based array of `n` + 1) from the live orders. */
static struct book *chk_books(struct chk *c, unsigned n)
{
	struct book *b = calloc(n + 1, sizeof(*b));
	struct ord *live = malloc(OT_CAP / 2 * sizeof(*live));
	ck_assert(b && live);
	size_t k = 0;
	for (size_t i = 0; i < OT_CAP; i++)
		if (c->ot[i].ref && c->ot[i].ref != UINT64_MAX)
			live[k++] = c->ot[i];
	qsort(live, k, sizeof(*live), ord_cmp);
	for (size_t i = 0; i < k; i++) {
		struct ord *o = &live[i];
		ck_assert_uint_le(o->locate, n);
		struct book *x = &b[o->locate];
		int new_level = i == 0 || ord_cmp(&live[i - 1], o) != 0;
		if (o->side == 'B') {
			x->bid_levels += new_level;
			if (o->price > x->bid_px) {
				x->bid_px = o->price;
				x->bid_qty = 0;
			}
			if (o->price == x->bid_px)
				x->bid_qty += o->shares;
		} else {
			x->ask_levels += new_level;
			if (x->ask_px == 0 || o->price < x->ask_px) {
				x->ask_px = o->price;
				x->ask_qty = 0;
			}
			if (o->price == x->ask_px)
				x->ask_qty += o->shares;
		}
	}
	free(live);
	return b;
}

static void assert_clean(const struct chk *c)
{
	ck_assert_msg(c->errors == 0, "%llu errors, first: %s", (unsigned long long)c->errors,
		      c->first_error);
}

/* Per-type counts and books of the checker equal the manifest's (`counts_key` is "messages"
 * or the delivered object). */
static void assert_matches_manifest(struct chk *c, const char *json, const char *counts_from,
				    int books)
{
	for (const char *t = itch_types; *t; t++) {
		char k[2] = {*t, 0};
		ck_assert_msg(c->counts[(uint8_t)*t] == ju64(counts_from, k),
			      "type %c: read %llu, manifest %llu", *t,
			      (unsigned long long)c->counts[(uint8_t)*t],
			      (unsigned long long)ju64(counts_from, k));
	}
	if (!books)
		return;
	unsigned n = (unsigned)ju64(json, "stocks");
	struct book *b = chk_books(c, n);
	const char *syms = jfind(json, "symbols");
	const char *bk = jfind(json, "books");
	for (unsigned loc = 1; loc <= n; loc++) {
		ck_assert_uint_eq(ju64(syms, c->sym[loc]), loc);
		const char *p = jfind(bk, c->sym[loc]);
		struct book m;
		ck_assert_int_eq(sscanf(p, "{\"bid\": [%u, %u], \"ask\": [%u, %u], \"bid_levels\": %u, "
					"\"ask_levels\": %u}", &m.bid_px, &m.bid_qty, &m.ask_px,
					&m.ask_qty, &m.bid_levels, &m.ask_levels), 6);
		ck_assert_msg(memcmp(&m, &b[loc], sizeof(m)) == 0,
			      "%s: manifest bid %u x %u ask %u x %u (%u/%u levels), read bid %u x %u "
			      "ask %u x %u (%u/%u)", c->sym[loc], m.bid_px, m.bid_qty, m.ask_px,
			      m.ask_qty, m.bid_levels, m.ask_levels, b[loc].bid_px, b[loc].bid_qty,
			      b[loc].ask_px, b[loc].ask_qty, b[loc].bid_levels, b[loc].ask_levels);
		if (m.bid_px && m.ask_px)
			ck_assert_uint_lt(m.bid_px, m.ask_px);      /* never crossed */
	}
	free(b);
}

static void assert_all_types(const struct chk *c)
{
	for (const char *t = itch_types; *t; t++)
		ck_assert_msg(c->counts[(uint8_t)*t] > 0, "no message of type %c", *t);
}

/* ---- a pcap read as MoldUDP64 lines -------------------------------------------------------- */

struct pline {
	uint64_t packets;         /* valid Mold packets */
	uint64_t bad[4];          /* by mold_check result */
	uint64_t descents;        /* packets whose sequence is below the previous packet's */
	uint64_t last_seq;
	uint64_t unknown_msgs;
	uint64_t *unknown_seqs;
	size_t n_unknown;
};

struct pread {
	struct cap cap;
	struct pline line[2];
	uint64_t max_seq;
	const uint8_t **msg;      /* by sequence: first copy seen */
	uint16_t *len;
	uint8_t *seen;            /* by sequence: bit per line */
	uint64_t non_udp[3];      /* ARP, TCP, ICMP */
	uint64_t other;
	int vlan_all;             /* the VLAN of every frame, -1 untagged, -2 mixed */
	int vlan_first;
};

static void pread_load(struct pread *r, const char *path)
{
	memset(r, 0, sizeof(*r));
	cap_load(&r->cap, path);
	size_t cap_seq = 1 << 16;
	r->msg = calloc(cap_seq, sizeof(*r->msg));
	r->len = calloc(cap_seq, sizeof(*r->len));
	r->seen = calloc(cap_seq, 1);
	ck_assert(r->msg && r->len && r->seen);
	uint64_t prev_t = 0;
	for (size_t i = 0; i < r->cap.n; i++) {
		const struct frm *f = &r->cap.f[i];
		ck_assert_uint_ge(f->t_ns, prev_t);                 /* record times never go back */
		prev_t = f->t_ns;
		struct fview v;
		parse_frame(f, &v);
		if (i == 0)
			r->vlan_all = v.vlan;
		else if (r->vlan_all != v.vlan)
			r->vlan_all = -2;
		if (v.ethertype == 0x0806) {
			r->non_udp[0]++;
			continue;
		}
		if (v.ipv4 && v.proto == 6) {
			r->non_udp[1]++;
			continue;
		}
		if (v.ipv4 && v.proto == 1) {
			r->non_udp[2]++;
			continue;
		}
		if (!v.ipv4 || v.proto != 17 || v.dst_port != FEED_PORT ||
		    (v.dst_ip != LINE_A_IP && v.dst_ip != LINE_B_IP)) {
			r->other++;
			continue;
		}
		unsigned li = v.dst_ip == LINE_B_IP;
		struct pline *l = &r->line[li];
		uint64_t seq;
		unsigned count;
		int rc = mold_check(v.payload, v.plen, &seq, &count);
		if (rc != MOLD_OK) {
			l->bad[rc]++;
			continue;
		}
		ck_assert_uint_le(v.plen, 1400);
		ck_assert_int_eq(memcmp(v.payload, "TPGEN00001", 10), 0);
		ck_assert_uint_ge(seq, 1);
		l->packets++;
		if (l->packets > 1 && seq < l->last_seq)
			l->descents++;
		l->last_seq = seq;
		const uint8_t *p = v.payload + 20;
		for (unsigned k = 0; k < count; k++, seq++) {
			uint16_t ml = be16(p);
			const uint8_t *m = p + 2;
			p += 2 + ml;
			while (seq >= cap_seq) {
				size_t nc = cap_seq * 2;
				r->msg = realloc(r->msg, nc * sizeof(*r->msg));
				r->len = realloc(r->len, nc * sizeof(*r->len));
				r->seen = realloc(r->seen, nc);
				ck_assert(r->msg && r->len && r->seen);
				memset(r->msg + cap_seq, 0, (nc - cap_seq) * sizeof(*r->msg));
				memset(r->len + cap_seq, 0, (nc - cap_seq) * sizeof(*r->len));
				memset(r->seen + cap_seq, 0, nc - cap_seq);
				cap_seq = nc;
			}
			if (!itch_len(m[0])) {
				l->unknown_msgs++;
				l->unknown_seqs = realloc(l->unknown_seqs,
							  (l->n_unknown + 1) * sizeof(uint64_t));
				l->unknown_seqs[l->n_unknown++] = seq;
			}
			if (!r->msg[seq]) {
				r->msg[seq] = m;
				r->len[seq] = ml;
			} else {
				/* Every copy of a sequence number is the same message. */
				ck_assert_uint_eq(r->len[seq], ml);
				ck_assert_int_eq(memcmp(r->msg[seq], m, ml), 0);
			}
			r->seen[seq] |= (uint8_t)(1u << li);
			if (seq > r->max_seq)
				r->max_seq = seq;
		}
	}
}

static void pread_free(struct pread *r)
{
	cap_free(&r->cap);
	free(r->msg);
	free(r->len);
	free(r->seen);
	free(r->line[0].unknown_seqs);
	free(r->line[1].unknown_seqs);
}

/* Feeds every sequence number present, in order, to the checker; returns the missing count. */
static uint64_t pread_check(struct pread *r, struct chk *c)
{
	uint64_t missing = 0;
	for (uint64_t s = 1; s <= r->max_seq; s++) {
		if (!r->msg[s]) {
			missing++;
			continue;
		}
		chk_msg(c, s, r->msg[s], r->len[s]);
	}
	return missing;
}

static uint64_t pread_both(const struct pread *r)
{
	uint64_t n = 0;
	for (uint64_t s = 1; s <= r->max_seq; s++)
		n += r->seen[s] == 3;
	return n;
}

/* ---- tests ------------------------------------------------------------------------------- */

START_TEST(help_exits_zero)
{
	struct tdir t;
	tdir_make(&t);
	ck_assert_int_eq(run_gen(&t, "--help"), 0);
	char *o = log_text(&t, "stdout");
	char *e = log_text(&t, "stderr");
	ck_assert_ptr_nonnull(strstr(o, "Usage: tickpipe-gen"));
	ck_assert_ptr_nonnull(strstr(o, "--shock"));
	ck_assert_str_eq(e, "");
	free(o);
	free(e);
	tdir_free(&t);
}
END_TEST

static const char *const bad_args[] = {
	"",
	"--stocks 8",
	"-o %O/x.pcap --stocks 0",
	"-o %O/x.pcap --stocks 10001",
	"-o %O/x.pcap --stocks abc",
	"-o %O/x.pcap --messages -5",
	"-o %O/x.pcap --messages 83",
	"-o %O/x.pcap --messages",
	"-o %O/x.pcap --rate 0",
	"-o %O/x.pcap --rate 1 --messages 100000",
	"-o %O/x.pcap --format pcapng",
	"-o %O/x.pcap --bogus",
	"-o %O/x.pcap -q",
	"-o %O/x.pcap --gzip",
	"-o %O/x.bin --format binfile --dup-b",
	"-o %O/x.bin --format binfile --vlan 3",
	"-o %O/x.pcap --loss-b 0.1",
	"-o %O/x.pcap --loss-a 1",
	"-o %O/x.pcap --reorder 1.5",
	"-o %O/x.pcap --dst 233.54.12:26477",
	"-o %O/x.pcap --dst 233.54.12.111:0",
	"-o %O/x.pcap --dst-b 233.54.12.111",
	"-o %O/x.pcap --vlan 4095",
	"-o %O/x.pcap --session TOOLONGSESSION",
	"-o %O/x.pcap --session BAD\"NAME",
	"-o %O/x.pcap --gap 200000",
	"-o %O/x.pcap --shock ZZZZ:10:5000",
	"-o %O/x.pcap --shock AAAB:0:5000",
	"-o %O/x.pcap --shock AAAB:10:1",
	"-o %O/x.pcap --shock AAAB:10",
	"-o %O/x.pcap --manifest %O/x.pcap",
	"-o %O/x.pcap stray",
};

START_TEST(bad_arguments_exit_2)
{
	struct tdir t;
	tdir_make(&t);
	const char *args = bad_args[_i];
	ck_assert_int_eq(run_gen(&t, "%s", args), 2);
	char *e = log_text(&t, "stderr");
	size_t n = strlen(e);
	ck_assert_msg(n > 1 && e[n - 1] == '\n' && strchr(e, '\n') == e + n - 1,
		      "'%s': stderr is not one line: [%s]", args, e);
	ck_assert_msg(strncmp(e, "tickpipe-gen: ", 14) == 0, "'%s': [%s]", args, e);
	ck_assert_int_eq(dir_entries(t.out), 0);   /* nothing written, not even a .tmp */
	free(e);
	tdir_free(&t);
}
END_TEST

START_TEST(failing_run_leaves_no_file)
{
	struct tdir t;
	tdir_make(&t);
	/* The output directory does not exist. */
	ck_assert_int_eq(run_gen(&t, "-o %O/nodir/x.pcap --messages 5000"), 1);
	char *e = log_text(&t, "stderr");
	ck_assert_ptr_eq(strchr(e, '\n'), e + strlen(e) - 1);
	free(e);
	ck_assert_int_eq(dir_entries(t.out), 0);
	/* The output could be written but not the manifest: neither may stay. */
	ck_assert_int_eq(run_gen(&t, "-o %O/x.pcap --messages 5000 --manifest %O/nodir/m.json"), 1);
	ck_assert_int_eq(dir_entries(t.out), 0);
	ck_assert_int_eq(run_gen(&t, "-o %O/x.itch --format binfile --messages 5000 "
				 "--manifest %O/nodir/m.json"), 1);
	ck_assert_int_eq(dir_entries(t.out), 0);
	tdir_free(&t);
}
END_TEST

static void spawn_and_kill(const struct tdir *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	pid_t pid = spawn_gen(t, fmt, ap);
	va_end(ap);
	struct timespec ts = {0, 150 * 1000 * 1000};
	nanosleep(&ts, NULL);
	kill(pid, SIGTERM);
	int st;
	ck_assert(waitpid(pid, &st, 0) == pid);
	char p[300];
	snprintf(p, sizeof(p), "%s/big.pcap.tmp", t->out);
	ck_assert(!file_exists(p));
	snprintf(p, sizeof(p), "%s/big.json.tmp", t->out);
	ck_assert(!file_exists(p));
	if (WIFSIGNALED(st)) {
		ck_assert_int_eq(WTERMSIG(st), SIGTERM);
		ck_assert_int_eq(dir_entries(t->out), 0);
	}
}

START_TEST(interrupted_run_leaves_no_file)
{
	struct tdir t;
	tdir_make(&t);
	/* Long enough (30M messages) that the signal lands mid-run on any machine. */
	spawn_and_kill(&t, "-o %O/big.pcap --manifest %O/big.json --messages 30000000 "
		       "--stocks 50");
	tdir_free(&t);
}
END_TEST

START_TEST(same_seed_same_bytes)
{
	struct tdir t;
	tdir_make(&t);
	const char *common = "--messages 20000 --stocks 12 --dup-b --loss-a 0.05 --reorder 0.05 "
			     "--malformed 4 --non-udp 3";
	assert_ok_run(&t, run_gen(&t, "-o %O/a.pcap --manifest %O/a.json --seed 7 %s", common));
	assert_ok_run(&t, run_gen(&t, "-o %O/b.pcap --manifest %O/b.json --seed 7 %s", common));
	assert_ok_run(&t, run_gen(&t, "-o %O/c.pcap --seed 8 %s", common));
	char pa[300], pb[300], pc[300];
	size_t na, nb, nc;
	snprintf(pa, sizeof(pa), "%s/a.pcap", t.out);
	snprintf(pb, sizeof(pb), "%s/b.pcap", t.out);
	snprintf(pc, sizeof(pc), "%s/c.pcap", t.out);
	char *a = read_all(pa, &na), *b = read_all(pb, &nb), *c = read_all(pc, &nc);
	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(memcmp(a, b, na), 0);
	ck_assert(na != nc || memcmp(a, c, na) != 0);
	/* nanosecond pcap magic, little-endian */
	ck_assert_uint_eq((uint8_t)a[0], 0x4d);
	ck_assert_uint_eq((uint8_t)a[1], 0x3c);
	ck_assert_uint_eq((uint8_t)a[2], 0xb2);
	ck_assert_uint_eq((uint8_t)a[3], 0xa1);
	free(a);
	free(b);
	free(c);
	snprintf(pa, sizeof(pa), "%s/a.json", t.out);
	snprintf(pb, sizeof(pb), "%s/b.json", t.out);
	a = read_all(pa, &na);
	b = read_all(pb, &nb);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);

	assert_ok_run(&t, run_gen(&t, "-o %O/a.itch --format binfile --seed 7 --messages 20000"));
	assert_ok_run(&t, run_gen(&t, "-o %O/b.itch --format binfile --seed 7 --messages 20000"));
	snprintf(pa, sizeof(pa), "%s/a.itch", t.out);
	snprintf(pb, sizeof(pb), "%s/b.itch", t.out);
	a = read_all(pa, &na);
	b = read_all(pb, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert_int_eq(memcmp(a, b, na), 0);
	free(a);
	free(b);
	tdir_free(&t);
}
END_TEST

static char *manifest(const struct tdir *t, const char *name)
{
	char p[300];
	snprintf(p, sizeof(p), "%s/%s", t->out, name);
	return read_all(p, NULL);
}

static char *out_path(const struct tdir *t, const char *name)
{
	static char p[300];
	snprintf(p, sizeof(p), "%s/%s", t->out, name);
	return p;
}

START_TEST(pcap_session_is_exact)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/s.pcap --manifest %O/s.json --messages 20000 --seed 3"));
	char *j = manifest(&t, "s.json");
	struct pread r;
	pread_load(&r, out_path(&t, "s.pcap"));
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	assert_clean(&c);
	ck_assert_uint_eq(c.total, 20000);
	ck_assert_uint_eq(ju64(j, "messages_total"), 20000);
	ck_assert_uint_eq(ju64(j, "last_seq"), 20000);
	ck_assert_uint_eq(r.max_seq, 20000);
	assert_matches_manifest(&c, j, jfind(j, "messages"), 1);
	assert_all_types(&c);
	/* One line, in order, contiguous from 1, nothing else in the file. */
	ck_assert_uint_eq(r.line[1].packets, 0);
	ck_assert_uint_eq(r.line[0].descents, 0);
	ck_assert_uint_eq(r.line[0].packets, ju64(jfind(jfind(j, "lines"), "A"), "packets"));
	ck_assert_uint_eq(r.line[0].packets, ju64(j, "packets"));
	ck_assert_uint_eq(r.cap.n, ju64(j, "frames"));
	ck_assert_uint_eq(r.other + r.non_udp[0] + r.non_udp[1] + r.non_udp[2], 0);
	ck_assert_int_eq(r.vlan_all, -1);
	/* Session shape: opens with S O, S S; closes with S M, S E, S C. */
	ck_assert_uint_eq(r.msg[1][0], 'S');
	ck_assert_uint_eq(r.msg[1][11], 'O');
	ck_assert_uint_eq(r.msg[20000][0], 'S');
	ck_assert_uint_eq(r.msg[20000][11], 'C');
	ck_assert_uint_eq(r.msg[19999][11], 'E');
	ck_assert_uint_eq(r.msg[19998][11], 'M');
	/* Pcap record time = capture epoch + ITCH time of the packet's last message. */
	struct fview v;
	parse_frame(&r.cap.f[0], &v);
	unsigned count = be16(v.payload + 18);
	ck_assert_uint_eq(r.cap.f[0].t_ns, ju64(j, "capture_epoch_ns") + be_n(r.msg[count] + 5, 6));
	chk_free(&c);
	pread_free(&r);
	free(j);
	tdir_free(&t);
}
END_TEST

/* Reads a BinaryFILE (plain or gzip) into the checker; returns the messages, concatenated as
 * [len][msg] exactly as in the file. */
static char *binfile_check(const char *path, struct chk *c, size_t *nbytes)
{
	gzFile gz = gzopen(path, "rb");
	ck_assert(gz != NULL);
	size_t cap = 1 << 20, n = 0;
	char *buf = malloc(cap);
	int k;
	while ((k = gzread(gz, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)k;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
			ck_assert(buf != NULL);
		}
	}
	ck_assert_int_eq(k, 0);
	gzclose(gz);
	size_t off = 0;
	uint64_t seq = 1;
	while (off < n) {
		ck_assert_uint_ge(n - off, 2);
		uint16_t l = be16((uint8_t *)buf + off);
		ck_assert_uint_ge(n - off - 2, l);
		chk_msg(c, seq++, (uint8_t *)buf + off + 2, l);
		off += 2u + l;
	}
	*nbytes = n;
	return buf;
}

START_TEST(binfile_matches_pcap)
{
	struct tdir t;
	tdir_make(&t);
	const char *a = "--messages 15000 --stocks 6 --seed 11";
	assert_ok_run(&t, run_gen(&t, "-o %O/s.itch --format binfile --manifest %O/b.json %s", a));
	assert_ok_run(&t, run_gen(&t, "-o %O/s.itch.gz --format binfile --gzip %s", a));
	assert_ok_run(&t, run_gen(&t, "-o %O/s.pcap --manifest %O/p.json %s", a));
	char *jb = manifest(&t, "b.json");
	char *jp = manifest(&t, "p.json");
	struct chk c1, c2, c3;
	chk_init(&c1);
	chk_init(&c2);
	chk_init(&c3);
	size_t n1, n2;
	char *b1 = binfile_check(out_path(&t, "s.itch"), &c1, &n1);
	char *b2 = binfile_check(out_path(&t, "s.itch.gz"), &c2, &n2);
	assert_clean(&c1);
	assert_clean(&c2);
	ck_assert_uint_eq(c1.total, 15000);
	assert_matches_manifest(&c1, jb, jfind(jb, "messages"), 1);
	assert_all_types(&c1);
	ck_assert_uint_eq(n1, n2);
	ck_assert_int_eq(memcmp(b1, b2, n1), 0);
	/* The pcap carries exactly the same messages, in sequence order. */
	struct pread r;
	pread_load(&r, out_path(&t, "s.pcap"));
	ck_assert_uint_eq(pread_check(&r, &c3), 0);
	size_t off = 0;
	for (uint64_t s = 1; s <= r.max_seq; s++) {
		ck_assert_uint_eq(be16((uint8_t *)b1 + off), r.len[s]);
		ck_assert_int_eq(memcmp(b1 + off + 2, r.msg[s], r.len[s]), 0);
		off += 2u + r.len[s];
	}
	ck_assert_uint_eq(off, n1);
	/* Same generated session, so the same counts and books in both manifests. */
	const char *mb = jfind(jb, "messages"), *mp = jfind(jp, "messages");
	ck_assert_int_eq(strncmp(mb, mp, (size_t)(strchr(mb, '}') - mb)), 0);
	ck_assert_str_eq(jfind(jb, "books"), jfind(jp, "books"));
	pread_free(&r);
	free(b1);
	free(b2);
	free(jb);
	free(jp);
	chk_free(&c1);
	chk_free(&c2);
	chk_free(&c3);
	tdir_free(&t);
}
END_TEST

START_TEST(all_types_in_small_sessions)
{
	static const char *const cases[] = {
		"--stocks 8 --messages 84",      /* the minimum for 8 stocks */
		"--stocks 1 --messages 35",      /* the minimum for 1 stock */
		"--stocks 500 --messages 10000",
		"--stocks 1400 --messages 10000",
	};
	struct tdir t;
	tdir_make(&t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_ok_run(&t, run_gen(&t, "-o %O/s.itch --format binfile --manifest %O/s.json %s",
					  cases[i]));
		char *j = manifest(&t, "s.json");
		struct chk c;
		chk_init(&c);
		size_t n;
		free(binfile_check(out_path(&t, "s.itch"), &c, &n));
		assert_clean(&c);
		ck_assert_uint_eq(c.total, ju64(j, "messages_total"));
		assert_matches_manifest(&c, j, jfind(j, "messages"), 1);
		assert_all_types(&c);
		chk_free(&c);
		free(j);
	}
	tdir_free(&t);
}
END_TEST

START_TEST(dup_b_copies_every_packet)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/d.pcap --manifest %O/d.json --messages 20000 --dup-b"));
	char *j = manifest(&t, "d.json");
	struct cap cap;
	cap_load(&cap, out_path(&t, "d.pcap"));
	/* Payloads of line A and of line B, in order: the same list. */
	const uint8_t **pa = calloc(cap.n, sizeof(*pa)), **pb = calloc(cap.n, sizeof(*pb));
	size_t *la = calloc(cap.n, sizeof(*la)), *lb = calloc(cap.n, sizeof(*lb));
	size_t na = 0, nb = 0;
	for (size_t i = 0; i < cap.n; i++) {
		struct fview v;
		parse_frame(&cap.f[i], &v);
		ck_assert_uint_eq(v.proto, 17);
		ck_assert_uint_eq(v.dst_port, FEED_PORT);
		if (v.dst_ip == LINE_A_IP) {
			pa[na] = v.payload;
			la[na++] = v.plen;
		} else {
			ck_assert_uint_eq(v.dst_ip, LINE_B_IP);
			pb[nb] = v.payload;
			lb[nb++] = v.plen;
		}
	}
	ck_assert_uint_eq(na, nb);
	ck_assert_uint_eq(na + nb, cap.n);
	for (size_t i = 0; i < na; i++) {
		ck_assert_uint_eq(la[i], lb[i]);
		ck_assert_int_eq(memcmp(pa[i], pb[i], la[i]), 0);
	}
	struct pread r;
	pread_load(&r, out_path(&t, "d.pcap"));
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	assert_clean(&c);
	ck_assert_uint_eq(pread_both(&r), 20000);
	ck_assert_uint_eq(ju64(jfind(j, "anomalies"), "duplicates"), 20000);
	ck_assert_uint_eq(ju64(jfind(jfind(j, "lines"), "B"), "packets"), nb);
	ck_assert_uint_eq(r.line[0].descents + r.line[1].descents, 0);
	pread_free(&r);
	chk_free(&c);
	cap_free(&cap);
	free(pa);
	free(pb);
	free(la);
	free(lb);
	free(j);
	tdir_free(&t);
}
END_TEST

START_TEST(vlan_tag_on_every_frame)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/v.pcap --manifest %O/v.json --messages 5000 --vlan 123 "
				  "--dup-b --non-udp 3 --malformed 4"));
	char *j = manifest(&t, "v.json");
	struct pread r;
	pread_load(&r, out_path(&t, "v.pcap"));
	ck_assert_int_eq(r.vlan_all, 123);
	ck_assert_uint_eq(ju64(jfind(j, "anomalies"), "vlan"), 123);
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	assert_clean(&c);
	ck_assert_uint_eq(c.total, 5000);
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}
END_TEST

START_TEST(loss_with_b_loses_nothing)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/l.pcap --manifest %O/l.json --messages 30000 --dup-b "
				  "--loss-a 0.3 --loss-b 0.3 --seed 5"));
	char *j = manifest(&t, "l.json");
	struct pread r;
	pread_load(&r, out_path(&t, "l.pcap"));
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	assert_clean(&c);
	ck_assert_uint_eq(c.total, 30000);
	const char *an = jfind(j, "anomalies");
	const char *la = jfind(jfind(j, "lines"), "A"), *lb = jfind(jfind(j, "lines"), "B");
	uint64_t built = ju64(j, "packets");
	ck_assert_uint_eq(r.line[0].packets, ju64(la, "packets"));
	ck_assert_uint_eq(r.line[1].packets, ju64(lb, "packets"));
	ck_assert_uint_eq(r.line[0].packets + ju64(la, "dropped_loss"), built);
	ck_assert_uint_eq(r.line[1].packets + ju64(lb, "dropped_loss"), built);
	ck_assert_uint_gt(ju64(la, "dropped_loss"), 0);
	ck_assert_uint_gt(ju64(lb, "dropped_loss"), 0);
	ck_assert_uint_eq(pread_both(&r), ju64(an, "duplicates"));
	ck_assert_uint_eq(ju64(an, "messages_lost"), 0);
	assert_matches_manifest(&c, j, jfind(jfind(j, "delivered"), "messages"), 1);
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}
END_TEST

START_TEST(loss_without_b_is_counted)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/l.pcap --manifest %O/l.json --messages 20000 "
				  "--loss-a 0.1 --seed 9"));
	char *j = manifest(&t, "l.json");
	struct pread r;
	pread_load(&r, out_path(&t, "l.pcap"));
	struct chk c;
	chk_init(&c);
	/* Holes inside, plus whatever was dropped at the very end. */
	uint64_t missing = pread_check(&r, &c) + (20000 - r.max_seq);
	uint64_t lost = ju64(jfind(j, "anomalies"), "messages_lost");
	ck_assert_uint_gt(lost, 0);
	ck_assert_uint_eq(missing, lost);
	ck_assert_uint_gt(c.errors, 0);   /* orders whose add was lost: the checker sees them */
	ck_assert_uint_eq(c.total, 20000 - lost);
	ck_assert_uint_eq(ju64(jfind(j, "delivered"), "messages_total"), 20000 - lost);
	/* Books are the generator's whole-stream books: not comparable after a loss. */
	assert_matches_manifest(&c, j, jfind(jfind(j, "delivered"), "messages"), 0);
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}
END_TEST

START_TEST(gap_is_exact_and_on_every_line)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/g.pcap --manifest %O/g.json --messages 20000 --dup-b "
				  "--loss-a 0.1 --gap 777"));
	char *j = manifest(&t, "g.json");
	struct pread r;
	pread_load(&r, out_path(&t, "g.pcap"));
	const char *an = jfind(j, "anomalies");
	uint64_t first = ju64(jfind(an, "gap"), "first_seq");
	ck_assert_uint_eq(ju64(jfind(an, "gap"), "messages"), 777);
	ck_assert_uint_eq(ju64(an, "messages_lost"), 777);
	for (uint64_t s = 1; s <= r.max_seq; s++) {
		int in_gap = s >= first && s < first + 777;
		ck_assert_msg((r.msg[s] == NULL) == in_gap, "seq %llu present=%d", (unsigned long long)s,
			      r.msg[s] != NULL);
	}
	ck_assert_uint_eq(r.max_seq, 20000);
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 777);
	assert_matches_manifest(&c, j, jfind(jfind(j, "delivered"), "messages"), 0);
	ck_assert_uint_gt(ju64(jfind(jfind(j, "lines"), "A"), "dropped_gap"), 0);
	ck_assert_uint_eq(ju64(jfind(jfind(j, "lines"), "A"), "dropped_gap"),
			  ju64(jfind(jfind(j, "lines"), "B"), "dropped_gap"));
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}
END_TEST

START_TEST(reorder_swaps_adjacent_packets)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/r.pcap --manifest %O/r.json --messages 30000 --dup-b "
				  "--reorder 0.25"));
	char *j = manifest(&t, "r.json");
	struct pread r;
	pread_load(&r, out_path(&t, "r.pcap"));
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	assert_clean(&c);
	uint64_t ra = ju64(jfind(jfind(j, "lines"), "A"), "reordered");
	uint64_t rb = ju64(jfind(jfind(j, "lines"), "B"), "reordered");
	ck_assert_uint_gt(ra, 0);
	ck_assert_uint_gt(rb, 0);
	ck_assert_uint_eq(r.line[0].descents, ra);
	ck_assert_uint_eq(r.line[1].descents, rb);
	ck_assert_uint_eq(pread_both(&r), 30000);
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}
END_TEST

static void check_malformed(const char *extra, int dup)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/m.pcap --manifest %O/m.json --messages 20000 "
				  "--malformed 10 %s", extra));
	char *j = manifest(&t, "m.json");
	struct pread r;
	pread_load(&r, out_path(&t, "m.pcap"));
	const char *mf = jfind(jfind(j, "anomalies"), "malformed");
	/* 10 in turn: truncated x3, block past end x3, count lies x2, unknown type x2. */
	ck_assert_uint_eq(ju64(mf, "packets"), 10);
	ck_assert_uint_eq(ju64(mf, "truncated"), 3);
	ck_assert_uint_eq(ju64(mf, "block_past_end"), 3);
	ck_assert_uint_eq(ju64(mf, "count_lies"), 2);
	ck_assert_uint_eq(ju64(mf, "unknown_type"), 2);
	ck_assert_uint_eq(r.line[0].bad[MOLD_SHORT], 3);
	ck_assert_uint_eq(r.line[0].bad[MOLD_PAST_END], 3);
	ck_assert_uint_eq(r.line[0].bad[MOLD_BAD_COUNT], 2);
	ck_assert_uint_eq(r.line[0].unknown_msgs, 2);
	ck_assert_uint_eq(ju64(jfind(jfind(j, "lines"), "A"), "malformed"), 8);
	/* Line B stays clean. */
	for (int k = 0; k < 4; k++)
		ck_assert_uint_eq(r.line[1].bad[k], 0);
	ck_assert_uint_eq(r.line[1].unknown_msgs, 0);
	/* The unknown-type messages take the sequence numbers the manifest lists. */
	char want[128];
	snprintf(want, sizeof(want), "[%llu, %llu]",
		 (unsigned long long)r.line[0].unknown_seqs[0],
		 (unsigned long long)r.line[0].unknown_seqs[1]);
	ck_assert_int_eq(strncmp(jfind(mf, "unknown_type_seqs"), want, strlen(want)), 0);
	/* Nothing is missing: the known messages are all there, around the two unknown. */
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	assert_clean(&c);
	ck_assert_uint_eq(c.unknown_types, 2);
	ck_assert_uint_eq(c.total, 20000);
	ck_assert_uint_eq(r.max_seq, 20002);
	ck_assert_uint_eq(ju64(j, "last_seq"), 20002);
	assert_matches_manifest(&c, j, jfind(j, "messages"), 1);
	if (dup)
		ck_assert_uint_eq(pread_both(&r), 20000);
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}

START_TEST(malformed_on_line_a_only)
{
	check_malformed("--dup-b", 1);
	check_malformed("", 0);
}
END_TEST

START_TEST(non_udp_frames_counted)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/n.pcap --manifest %O/n.json --messages 10000 "
				  "--non-udp 7"));
	char *j = manifest(&t, "n.json");
	struct pread r;
	pread_load(&r, out_path(&t, "n.pcap"));
	const char *nu = jfind(jfind(j, "anomalies"), "non_udp");
	ck_assert_uint_eq(ju64(nu, "frames"), 7);
	ck_assert_uint_eq(r.non_udp[0], 3);
	ck_assert_uint_eq(r.non_udp[1], 2);
	ck_assert_uint_eq(r.non_udp[2], 2);
	ck_assert_uint_eq(ju64(nu, "arp"), 3);
	ck_assert_uint_eq(ju64(nu, "tcp"), 2);
	ck_assert_uint_eq(ju64(nu, "icmp"), 2);
	ck_assert_uint_eq(r.cap.n, r.line[0].packets + 7);
	ck_assert_uint_eq(r.cap.n, ju64(j, "frames"));
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	ck_assert_uint_eq(c.total, 10000);
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}
END_TEST

START_TEST(shock_moves_prices)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/k.pcap --manifest %O/k.json --messages 20000 "
				  "--shock AAAC:10:12000 --malformed 8"));
	char *j = manifest(&t, "k.json");
	struct pread r;
	pread_load(&r, out_path(&t, "k.pcap"));
	struct chk c;
	chk_init(&c);
	ck_assert_uint_eq(pread_check(&r, &c), 0);
	assert_clean(&c);
	assert_matches_manifest(&c, j, jfind(j, "messages"), 1);
	const char *sh = jfind(jfind(j, "anomalies"), "shock");
	uint64_t seq = ju64(sh, "first_seq");
	uint32_t before = (uint32_t)ju64(sh, "price_before");
	uint32_t after = (uint32_t)ju64(sh, "price_after");
	ck_assert_uint_eq(ju64(sh, "at_index"), 12000);
	ck_assert_uint_eq(ju64(sh, "locate"), 3);
	ck_assert_uint_ge(seq, 12001);    /* later by the unknown-type packets before it */
	/* 10% up, in whole cents. */
	ck_assert_uint_eq(after % 100, 0);
	ck_assert_uint_le(after, before + before / 10 + 100);
	ck_assert_uint_ge(after + 100, before + before / 10);
	/* The print at the old price, then the first print at the new one. */
	const uint8_t *p0 = r.msg[seq - 1], *p1 = r.msg[seq];
	if (itch_len(p0[0]) == 0)          /* an unknown-type message may sit between */
		p0 = r.msg[seq - 2];
	ck_assert_uint_eq(p0[0], 'P');
	ck_assert_uint_eq(p1[0], 'P');
	ck_assert_uint_eq(be16(p0 + 1), 3);
	ck_assert_uint_eq(be16(p1 + 1), 3);
	ck_assert_uint_eq(be32(p0 + 32), before);
	ck_assert_uint_eq(be32(p1 + 32), after);
	ck_assert_uint_eq(be_n(p1 + 5, 6), ju64(sh, "exchange_ts_ns"));
	ck_assert_uint_lt(be_n(p1 + 5, 6) - be_n(p0 + 5, 6), 1000000);   /* within 1 ms */
	/* From there on every quote and trade of AAAC is nearer the new price than the old. */
	for (uint64_t s = seq; s <= r.max_seq; s++) {
		const uint8_t *m = r.msg[s];
		if (!itch_len(m[0]) || be16(m + 1) != 3)
			continue;
		uint32_t px = 0;
		if (m[0] == 'A' || m[0] == 'F' || m[0] == 'P')
			px = be32(m + 32);
		else if (m[0] == 'U')
			px = be32(m + 31);
		if (px)
			ck_assert_msg(px > before + (after - before) / 2,
				      "seq %llu: %c at %u, shock %u -> %u", (unsigned long long)s,
				      m[0], px, before, after);
	}
	pread_free(&r);
	chk_free(&c);
	free(j);
	tdir_free(&t);
}
END_TEST

START_TEST(other_destinations_and_session)
{
	struct tdir t;
	tdir_make(&t);
	assert_ok_run(&t, run_gen(&t, "-o %O/o.pcap --manifest %O/o.json --messages 3000 --dup-b "
				  "--dst 10.1.2.3:1234 --dst-b 10.1.2.4:1235 --session ABC "
				  "--max-per-packet 3"));
	char *j = manifest(&t, "o.json");
	struct cap cap;
	cap_load(&cap, out_path(&t, "o.pcap"));
	uint64_t msgs = 0;
	for (size_t i = 0; i < cap.n; i++) {
		struct fview v;
		parse_frame(&cap.f[i], &v);
		ck_assert_uint_eq(v.proto, 17);
		ck_assert(v.dst_ip == 0x0a010203u || v.dst_ip == 0x0a010204u);
		ck_assert_uint_eq(v.dst_port, v.dst_ip == 0x0a010203u ? 1234 : 1235);
		ck_assert_int_eq(memcmp(v.payload, "ABC       ", 10), 0);
		uint64_t seq;
		unsigned count;
		ck_assert_int_eq(mold_check(v.payload, v.plen, &seq, &count), MOLD_OK);
		ck_assert_uint_le(count, 3);
		msgs += count;
	}
	ck_assert_uint_eq(msgs, 6000);
	ck_assert_int_eq(strncmp(jfind(j, "session"), "\"ABC       \"", 12), 0);
	ck_assert_int_eq(strncmp(jfind(jfind(j, "lines"), "dst"), "\"10.1.2.3:1234\"", 15), 0);
	cap_free(&cap);
	free(j);
	tdir_free(&t);
}
END_TEST

static Suite *gen_suite(void)
{
	Suite *s = suite_create("gen");
	TCase *tc = tcase_create("cli");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, help_exits_zero);
	tcase_add_loop_test(tc, bad_arguments_exit_2, 0,
			    (int)(sizeof(bad_args) / sizeof(bad_args[0])));
	tcase_add_test(tc, failing_run_leaves_no_file);
	tcase_add_test(tc, interrupted_run_leaves_no_file);
	suite_add_tcase(s, tc);
	tc = tcase_create("output");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, same_seed_same_bytes);
	tcase_add_test(tc, pcap_session_is_exact);
	tcase_add_test(tc, binfile_matches_pcap);
	tcase_add_test(tc, all_types_in_small_sessions);
	tcase_add_test(tc, other_destinations_and_session);
	suite_add_tcase(s, tc);
	tc = tcase_create("anomalies");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, dup_b_copies_every_packet);
	tcase_add_test(tc, vlan_tag_on_every_frame);
	tcase_add_test(tc, loss_with_b_loses_nothing);
	tcase_add_test(tc, loss_without_b_is_counted);
	tcase_add_test(tc, gap_is_exact_and_on_every_line);
	tcase_add_test(tc, reorder_swaps_adjacent_packets);
	tcase_add_test(tc, malformed_on_line_a_only);
	tcase_add_test(tc, non_udp_frames_counted);
	tcase_add_test(tc, shock_moves_prices);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(gen_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
