/* Kill-switch: the words, the audit log, the state file and the operator credential.
 * The design and the rules of who may do what are in tp_killswitch.h. */
#include "tp_killswitch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define KS_MAX_UIDS 16
#define KS_FILE_MAGIC "tickpipe-killswitch 1"
#define KS_FILE_MAX (16u << 20) /* a full file (every symbol halted) is under 3 MiB */

_Static_assert((TP_KS_AUDIT_CAP & (TP_KS_AUDIT_CAP - 1)) == 0, "audit capacity: power of 2");

/* One audit slot. seq is the slot's turn (Vyukov's bounded queue): pos when free for the
 * writer of position pos, pos + 1 once that record is complete, pos + CAP once consumed. */
struct ks_audit_slot {
	_Atomic uint64_t seq;
	struct tp_ks_audit_rec rec;
};

struct tp_ks_operator {
	const struct tp_killswitch *ks;
	uint64_t secret;
	uint32_t uid;
	int32_t pid;
	char label[TP_KS_WHO_LEN];
};

struct tp_ks_priv {
	/* Written by halters on any thread: their own line. */
	struct {
		_Atomic uint64_t halts;
		_Atomic uint64_t halts_repeated;
		_Atomic uint64_t audit_dropped;
		_Atomic uint32_t symbols_halted;
	} hot __attribute__((aligned(TP_KS_LINE)));
	_Atomic uint64_t audit_head __attribute__((aligned(TP_KS_LINE)));
	_Atomic uint64_t audit_tail __attribute__((aligned(TP_KS_LINE)));

	/* Control thread only. */
	char *state_path;
	uint64_t secret;
	uint32_t uids[KS_MAX_UIDS];
	unsigned nuids;
	int loaded_corrupt;
	int persisted_once;
	uint64_t persisted_changes;
	_Atomic uint64_t resumes;          /* atomic only so status may be read anywhere */
	_Atomic uint64_t resumes_refused;

	struct ks_audit_slot audit[TP_KS_AUDIT_CAP];
};

static void ks_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ks_err(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Bounded copy that always terminates and never reads past the source's NUL. */
static void ks_copy(char *dst, size_t cap, const char *src)
{
	size_t i = 0;
	if (src)
		for (; i + 1 < cap && src[i]; i++)
			dst[i] = src[i];
	dst[i] = '\0';
}

static struct tp_ks_word *ks_word(struct tp_killswitch *ks, enum tp_ks_scope scope,
				  uint16_t locate)
{
	return scope == TP_KS_SYMBOL ? &ks->kw.sym[locate] : &ks->kw.global;
}

/* ---- audit log ---------------------------------------------------------------------- */

/* Multi-producer, no allocation, no syscall: claims a position, fills the slot, publishes
 * it. A full log drops the record (counted): the halt itself must never wait for a reader. */
static void ks_audit(struct tp_killswitch *ks, enum tp_ks_scope scope, uint16_t locate,
		     uint16_t reason, uint64_t word_after, int old_halted, const char *who,
		     const char *note, uint64_t ts_ns)
{
	struct tp_ks_priv *p = ks->priv;
	/* relaxed: the CAS below decides; a stale view only costs a retry */
	uint64_t pos = atomic_load_explicit(&p->audit_head, memory_order_relaxed);
	struct ks_audit_slot *s;
	for (;;) {
		s = &p->audit[pos & (TP_KS_AUDIT_CAP - 1)];
		/* acquire pairs with the consumer's release in tp_ks_audit_consume: its reads of
		 * the slot's previous record are complete before we overwrite it. */
		uint64_t seq = atomic_load_explicit(&s->seq, memory_order_acquire);
		int64_t diff = (int64_t)(seq - pos);
		if (diff == 0) {
			/* relaxed: the claim only orders against other claimers via the CAS itself;
			 * the record's publication is the release store of seq below. */
			if (atomic_compare_exchange_weak_explicit(&p->audit_head, &pos, pos + 1,
								  memory_order_relaxed,
								  memory_order_relaxed))
				break;
		} else if (diff < 0) {
			/* relaxed: a statistic */
			atomic_fetch_add_explicit(&p->hot.audit_dropped, 1, memory_order_relaxed);
			return;
		} else {
			/* relaxed: another writer took pos; retry from the current head */
			pos = atomic_load_explicit(&p->audit_head, memory_order_relaxed);
		}
	}
	struct tp_ks_audit_rec *r = &s->rec;
	r->seq = pos;
	r->ts_ns = ts_ns;
	r->epoch = tp_ks_word_epoch(word_after);
	r->locate = scope == TP_KS_SYMBOL ? locate : 0;
	r->reason = reason;
	r->scope = (uint8_t)scope;
	r->old_halted = (uint8_t)(old_halted != 0);
	r->new_halted = (uint8_t)tp_ks_word_halted(word_after);
	ks_copy(r->who, sizeof(r->who), who);
	ks_copy(r->note, sizeof(r->note), note);
	/* release pairs with the reader's acquire in tp_ks_audit_next: the record is complete
	 * before the slot says so. */
	atomic_store_explicit(&s->seq, pos + 1, memory_order_release);
}

void tp_ks_audit_begin(const struct tp_killswitch *ks, struct tp_ks_audit_iter *it)
{
	/* acquire: pairs with tp_ks_audit_consume's release when another thread consumed last */
	it->pos = atomic_load_explicit((_Atomic uint64_t *)&ks->priv->audit_tail,
				       memory_order_acquire);
}

int tp_ks_audit_next(const struct tp_killswitch *ks, struct tp_ks_audit_iter *it,
		     struct tp_ks_audit_rec *out)
{
	const struct ks_audit_slot *s = &ks->priv->audit[it->pos & (TP_KS_AUDIT_CAP - 1)];
	/* acquire pairs with the writer's release store of seq: the record is complete */
	uint64_t seq = atomic_load_explicit((_Atomic uint64_t *)&s->seq, memory_order_acquire);
	if (seq != it->pos + 1)
		return 0;
	*out = s->rec;
	it->pos++;
	return 1;
}

void tp_ks_audit_consume(struct tp_killswitch *ks, const struct tp_ks_audit_iter *it)
{
	struct tp_ks_priv *p = ks->priv;
	/* relaxed: only the consumer writes the tail */
	uint64_t t = atomic_load_explicit(&p->audit_tail, memory_order_relaxed);
	for (; t < it->pos; t++)
		/* release pairs with the writer's acquire load of seq: our copy of the record is
		 * done before the slot is handed back. */
		atomic_store_explicit(&p->audit[t & (TP_KS_AUDIT_CAP - 1)].seq,
				      t + TP_KS_AUDIT_CAP, memory_order_release);
	/* release: pairs with tp_ks_audit_begin's acquire */
	atomic_store_explicit(&p->audit_tail, t, memory_order_release);
}

/* ---- halt --------------------------------------------------------------------------- */

static void ks_note_change(struct tp_killswitch *ks)
{
	/* release pairs with tp_ks_words_changes' acquire: the changed word (stored before)
	 * is visible to whoever sees the new count. */
	atomic_fetch_add_explicit(&ks->kw.changes.w, 1, memory_order_release);
}

int tp_ks_halt(struct tp_killswitch *ks, enum tp_ks_scope scope, uint16_t locate,
	       uint16_t reason, const char *who, uint64_t ts_ns)
{
	/* A scope we do not know is a bug in the caller: when in doubt, halt everything. */
	if (scope != TP_KS_GLOBAL && scope != TP_KS_SYMBOL)
		scope = TP_KS_GLOBAL;
	struct tp_ks_word *x = ks_word(ks, scope, locate);
	/* relaxed: only a first guess, the CAS below validates it */
	uint64_t old = atomic_load_explicit(&x->w, memory_order_relaxed), nw;
	for (;;) {
		if (tp_ks_word_halted(old)) {
			/* relaxed: a statistic */
			atomic_fetch_add_explicit(&ks->priv->hot.halts_repeated, 1,
						  memory_order_relaxed);
			return 1;
		}
		nw = tp_ks_word_pack(1, reason, tp_ks_word_epoch(old) + 1);
		/* release pairs with the order checkers' acquire loads (tp_ks_words_blocked):
		 * once they see the halt they also see everything this stage did before it.
		 * relaxed on failure: we only look at the fresh value and loop. */
		if (atomic_compare_exchange_weak_explicit(&x->w, &old, nw, memory_order_release,
							  memory_order_relaxed))
			break;
	}
	if (scope == TP_KS_SYMBOL)
		/* relaxed: a statistic */
		atomic_fetch_add_explicit(&ks->priv->hot.symbols_halted, 1, memory_order_relaxed);
	/* relaxed: a statistic */
	atomic_fetch_add_explicit(&ks->priv->hot.halts, 1, memory_order_relaxed);
	ks_audit(ks, scope, locate, reason, nw, 0, who, "", ts_ns);
	ks_note_change(ks);
	return 0;
}

int tp_ks_halter_halt(struct tp_ks_halter *h, enum tp_ks_scope scope, uint16_t locate,
		      uint16_t reason, const char *who, uint64_t ts_ns)
{
	return tp_ks_halt(h->ks, scope, locate, reason, who, ts_ns);
}

struct tp_ks_halter *tp_ks_halter_of(struct tp_killswitch *ks) { return &ks->halter; }
const struct tp_ks_words *tp_ks_words_of(const struct tp_killswitch *ks) { return &ks->kw; }
const struct tp_ks_words *tp_ks_halter_words(const struct tp_ks_halter *h) { return h->kw; }

/* ---- state file --------------------------------------------------------------------- */

static uint64_t ks_fnv1a(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < n; i++) {
		h ^= (uint8_t)s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/* Whole-token decimal in [0, max]; -1 on anything else (sign, blank, junk, overflow). */
static int ks_num(const char *s, size_t n, uint64_t max, uint64_t *out)
{
	if (n == 0 || n > 20)
		return -1;
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		uint64_t d = (uint64_t)(s[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

/* Splits one line into at most `max` space-separated tokens; returns the count, or -1 when
 * there are more, or doubled/edge blanks (the writer never makes them). */
static int ks_tokens(const char *line, size_t n, const char **tok, size_t *len, int max)
{
	int k = 0;
	size_t i = 0;
	if (n == 0)
		return -1;
	while (i <= n) {
		size_t j = i;
		while (j < n && line[j] != ' ')
			j++;
		if (j == i || k == max)
			return -1;
		tok[k] = line + i;
		len[k] = j - i;
		k++;
		if (j == n)
			break;
		i = j + 1;
	}
	return k;
}

static int ks_tok_is(const char *t, size_t n, const char *want)
{
	return strlen(want) == n && memcmp(t, want, n) == 0;
}

/* Parses the state file and applies it. Every symbol line that parses is applied even when
 * the file as a whole turns out corrupt: extra halts are the safe side. Returns 0, or -1
 * with the reason in why. */
static int ks_load_text(struct tp_killswitch *ks, const char *buf, size_t n, char *why,
			size_t whylen)
{
	size_t pos = 0, lineno = 0;
	uint64_t nsym = 0;
	int have_global = 0, have_end = 0;
	while (pos < n) {
		const char *line = buf + pos;
		const char *nl = memchr(line, '\n', n - pos);
		if (!nl) {
			ks_err(why, whylen, "line %zu: no end of line (truncated file?)", lineno + 1);
			return -1;
		}
		size_t len = (size_t)(nl - line);
		lineno++;
		if (have_end) {
			ks_err(why, whylen, "line %zu: text after the end line", lineno);
			return -1;
		}
		const char *tok[6];
		size_t tl[6];
		int nt = ks_tokens(line, len, tok, tl, 6);
		uint64_t a, b, c;
		if (lineno == 1) {
			if (len != strlen(KS_FILE_MAGIC) || memcmp(line, KS_FILE_MAGIC, len)) {
				ks_err(why, whylen, "line 1: not a kill-switch state file");
				return -1;
			}
		} else if (lineno == 2) {
			int halted;
			if (nt != 4 || !ks_tok_is(tok[0], tl[0], "global") ||
			    ks_num(tok[2], tl[2], UINT16_MAX, &b) ||
			    ks_num(tok[3], tl[3], UINT32_MAX, &c)) {
				ks_err(why, whylen, "line 2: bad global line");
				return -1;
			}
			if (ks_tok_is(tok[1], tl[1], "halted"))
				halted = 1;
			else if (ks_tok_is(tok[1], tl[1], "running"))
				halted = 0;
			else {
				ks_err(why, whylen, "line 2: global state neither halted nor running");
				return -1;
			}
			uint64_t w = tp_ks_word_pack(halted, (uint16_t)b, (uint32_t)c);
			/* relaxed: no other thread can see the kill-switch before create returns */
			atomic_store_explicit(&ks->kw.global.w, w, memory_order_relaxed);
			if (halted)
				ks_audit(ks, TP_KS_GLOBAL, 0, (uint16_t)b, w, 0, "restore",
					 "halted in the state file", 0);
			have_global = 1;
		} else if (nt == 5 && ks_tok_is(tok[0], tl[0], "symbol")) {
			if (ks_num(tok[1], tl[1], UINT16_MAX, &a) ||
			    !ks_tok_is(tok[2], tl[2], "halted") ||
			    ks_num(tok[3], tl[3], UINT16_MAX, &b) ||
			    ks_num(tok[4], tl[4], UINT32_MAX, &c)) {
				ks_err(why, whylen, "line %zu: bad symbol line", lineno);
				return -1;
			}
			struct tp_ks_word *x = &ks->kw.sym[a];
			/* relaxed: not yet shared, as above */
			if (!tp_ks_word_halted(atomic_load_explicit(&x->w, memory_order_relaxed))) {
				uint64_t w = tp_ks_word_pack(1, (uint16_t)b, (uint32_t)c);
				/* relaxed: not yet shared */
				atomic_store_explicit(&x->w, w, memory_order_relaxed);
				/* relaxed: a statistic */
				atomic_fetch_add_explicit(&ks->priv->hot.symbols_halted, 1,
							  memory_order_relaxed);
				ks_audit(ks, TP_KS_SYMBOL, (uint16_t)a, (uint16_t)b, w, 0, "restore",
					 "halted in the state file", 0);
			}
			nsym++;
		} else if (nt == 3 && ks_tok_is(tok[0], tl[0], "end")) {
			if (ks_num(tok[1], tl[1], TP_KS_NSYMBOLS, &a) || a != nsym) {
				ks_err(why, whylen, "line %zu: symbol count does not match", lineno);
				return -1;
			}
			char want[17];
			snprintf(want, sizeof(want), "%016llx",
				 (unsigned long long)ks_fnv1a(buf, pos));
			if (!ks_tok_is(tok[2], tl[2], want)) {
				ks_err(why, whylen, "line %zu: checksum does not match", lineno);
				return -1;
			}
			have_end = 1;
		} else {
			ks_err(why, whylen, "line %zu: not understood", lineno);
			return -1;
		}
		pos += len + 1;
	}
	if (!have_global || !have_end) {
		ks_err(why, whylen, "%s", n == 0 ? "empty file" : "no end line (truncated file?)");
		return -1;
	}
	return 0;
}

/* Reads the state file. 1 = no file (first start), 0 = loaded, -1 = corrupt or unreadable
 * (why says which). */
static int ks_load(struct tp_killswitch *ks, const char *path, char *why, size_t whylen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 1;
		ks_err(why, whylen, "cannot open: %s", strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)KS_FILE_MAX) {
		ks_err(why, whylen, "not a regular file of at most %u bytes", KS_FILE_MAX);
		close(fd);
		return -1;
	}
	size_t n = (size_t)st.st_size, got = 0;
	char *buf = malloc(n + 1);
	if (!buf) {
		ks_err(why, whylen, "out of memory reading it");
		close(fd);
		return -1;
	}
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	close(fd);
	int rc = got == n ? ks_load_text(ks, buf, n, why, whylen) : -1;
	if (got != n)
		ks_err(why, whylen, "short read");
	free(buf);
	return rc;
}

struct ks_buf {
	char *p;
	size_t len, cap;
	int oom;
};

static void ks_put(struct ks_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void ks_put(struct ks_buf *b, const char *fmt, ...)
{
	if (b->oom)
		return;
	for (;;) {
		va_list ap;
		va_start(ap, fmt);
		int w = vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (w < 0) {
			b->oom = 1;
			return;
		}
		if ((size_t)w < b->cap - b->len) {
			b->len += (size_t)w;
			return;
		}
		size_t ncap = b->cap * 2;
		char *np = realloc(b->p, ncap);
		if (!np) {
			b->oom = 1;
			return;
		}
		b->p = np;
		b->cap = ncap;
	}
}

static int ks_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* fsync of the directory holding path, so the rename itself is durable. */
static int ks_sync_dir(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	if (!slash)
		ks_copy(dir, sizeof(dir), ".");
	else if (slash == path)
		ks_copy(dir, sizeof(dir), "/");
	else {
		size_t n = (size_t)(slash - path);
		if (n >= sizeof(dir))
			return -1;
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	close(fd);
	return rc;
}

int tp_ks_persist(struct tp_killswitch *ks, char *err, size_t errlen)
{
	struct tp_ks_priv *p = ks->priv;
	if (!p->state_path)
		return 0;
	/* Read the change count first: a change racing with the snapshot makes the next
	 * persist_if_changed write again rather than be forgotten. */
	uint64_t changes = tp_ks_words_changes(&ks->kw);
	struct ks_buf b = { malloc(4096), 0, 4096, 0 };
	if (!b.p) {
		ks_err(err, errlen, "out of memory");
		return -1;
	}
	uint64_t g = tp_ks_words_load(&ks->kw, TP_KS_GLOBAL, 0);
	ks_put(&b, "%s\n", KS_FILE_MAGIC);
	ks_put(&b, "global %s %u %u\n", tp_ks_word_halted(g) ? "halted" : "running",
	       (unsigned)tp_ks_word_reason(g), (unsigned)tp_ks_word_epoch(g));
	unsigned nsym = 0;
	for (uint32_t l = 0; l < TP_KS_NSYMBOLS; l++) {
		uint64_t w = tp_ks_words_load(&ks->kw, TP_KS_SYMBOL, (uint16_t)l);
		if (!tp_ks_word_halted(w))
			continue;
		ks_put(&b, "symbol %u halted %u %u\n", (unsigned)l, (unsigned)tp_ks_word_reason(w),
		       (unsigned)tp_ks_word_epoch(w));
		nsym++;
	}
	if (!b.oom) {
		unsigned long long h = (unsigned long long)ks_fnv1a(b.p, b.len);
		ks_put(&b, "end %u %016llx\n", nsym, h);
	}
	if (b.oom) {
		free(b.p);
		ks_err(err, errlen, "out of memory");
		return -1;
	}

	size_t plen = strlen(p->state_path);
	char *tmp = malloc(plen + 5);
	if (!tmp) {
		free(b.p);
		ks_err(err, errlen, "out of memory");
		return -1;
	}
	memcpy(tmp, p->state_path, plen);
	memcpy(tmp + plen, ".tmp", 5);
	int rc = -1;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		ks_err(err, errlen, "%s: %s", tmp, strerror(errno));
	} else if (ks_write_all(fd, b.p, b.len) != 0 || fsync(fd) != 0) {
		ks_err(err, errlen, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
	} else if (close(fd) != 0) {
		ks_err(err, errlen, "%s: %s", tmp, strerror(errno));
		unlink(tmp);
	} else if (rename(tmp, p->state_path) != 0) {
		ks_err(err, errlen, "rename to %s: %s", p->state_path, strerror(errno));
		unlink(tmp);
	} else if (ks_sync_dir(p->state_path) != 0) {
		ks_err(err, errlen, "fsync of the directory of %s: %s", p->state_path,
		       strerror(errno));
	} else {
		rc = 0;
		p->persisted_once = 1;
		p->persisted_changes = changes;
	}
	free(tmp);
	free(b.p);
	return rc;
}

int tp_ks_persist_if_changed(struct tp_killswitch *ks, char *err, size_t errlen)
{
	struct tp_ks_priv *p = ks->priv;
	if (!p->state_path ||
	    (p->persisted_once && tp_ks_words_changes(&ks->kw) == p->persisted_changes))
		return 1;
	return tp_ks_persist(ks, err, errlen);
}

/* ---- create / free ------------------------------------------------------------------ */

struct tp_killswitch *tp_ks_create(const char *state_path, char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	struct tp_killswitch *ks = aligned_alloc(TP_KS_LINE, sizeof(*ks));
	struct tp_ks_priv *p = aligned_alloc(TP_KS_LINE, sizeof(*p));
	struct tp_ks_word *sym = aligned_alloc(TP_KS_LINE, TP_KS_NSYMBOLS * sizeof(*sym));
	if (!ks || !p || !sym) {
		free(ks);
		free(p);
		free(sym);
		ks_err(err, errlen, "out of memory");
		return NULL;
	}
	memset(ks, 0, sizeof(*ks));
	memset(p, 0, sizeof(*p));
	memset(sym, 0, TP_KS_NSYMBOLS * sizeof(*sym));
	ks->kw.sym = sym;
	ks->halter.kw = &ks->kw;
	ks->halter.ks = ks;
	ks->priv = p;
	/* relaxed throughout create: nothing is shared until we return */
	atomic_store_explicit(&ks->kw.global.w, 0, memory_order_relaxed);
	atomic_store_explicit(&ks->kw.changes.w, 0, memory_order_relaxed);
	for (uint32_t i = 0; i < TP_KS_NSYMBOLS; i++)
		atomic_store_explicit(&sym[i].w, 0, memory_order_relaxed);
	for (uint32_t i = 0; i < TP_KS_AUDIT_CAP; i++)
		atomic_store_explicit(&p->audit[i].seq, i, memory_order_relaxed);

	if (getrandom(&p->secret, sizeof(p->secret), GRND_NONBLOCK) != sizeof(p->secret)) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		p->secret = ((uint64_t)ts.tv_nsec << 32) ^ (uint64_t)ts.tv_sec ^
			    (uint64_t)(uintptr_t)p ^ ((uint64_t)getpid() << 17);
	}
	p->uids[0] = 0;
	p->nuids = 1;
	if (geteuid() != 0)
		p->uids[p->nuids++] = (uint32_t)geteuid();

	if (state_path) {
		p->state_path = strdup(state_path);
		if (!p->state_path) {
			tp_ks_free(ks);
			ks_err(err, errlen, "out of memory");
			return NULL;
		}
		char why[160];
		why[0] = '\0';
		if (ks_load(ks, state_path, why, sizeof(why)) < 0) {
			p->loaded_corrupt = 1;
			struct tp_ks_word *g = &ks->kw.global;
			/* relaxed: not yet shared */
			uint64_t old = atomic_load_explicit(&g->w, memory_order_relaxed);
			uint64_t w = tp_ks_word_pack(1, TP_KS_R_CORRUPT_STATE,
						     tp_ks_word_epoch(old) + 1);
			/* relaxed: not yet shared */
			atomic_store_explicit(&g->w, w, memory_order_relaxed);
			ks_audit(ks, TP_KS_GLOBAL, 0, TP_KS_R_CORRUPT_STATE, w,
				 tp_ks_word_halted(old), "restore", why, 0);
			ks_err(err, errlen, "kill-switch state file %s: %s: halted globally",
			       state_path, why);
		}
	}
	return ks;
}

void tp_ks_free(struct tp_killswitch *ks)
{
	if (!ks)
		return;
	free(ks->priv->state_path);
	free(ks->kw.sym);
	free(ks->priv);
	free(ks);
}

int tp_ks_loaded_corrupt(const struct tp_killswitch *ks) { return ks->priv->loaded_corrupt; }

/* ---- operator and resume ------------------------------------------------------------ */

int tp_ks_allow_uids(struct tp_killswitch *ks, const uint32_t *uids, unsigned n)
{
	if (n > KS_MAX_UIDS || (n && !uids))
		return -1;
	memcpy(ks->priv->uids, uids, n * sizeof(*uids));
	ks->priv->nuids = n;
	return 0;
}

static int ks_uid_allowed(const struct tp_ks_priv *p, uint32_t uid)
{
	for (unsigned i = 0; i < p->nuids; i++)
		if (p->uids[i] == uid)
			return 1;
	return 0;
}

struct tp_ks_operator *tp_ks_operator_from_socket(struct tp_killswitch *ks, int fd,
						  const char *name, char *err, size_t errlen)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) != 0 || len != sizeof(cr)) {
		ks_err(err, errlen, "cannot identify the peer: %s", strerror(errno));
		return NULL;
	}
	if (!ks_uid_allowed(ks->priv, (uint32_t)cr.uid)) {
		ks_err(err, errlen, "uid %u is not an operator of this instance", (unsigned)cr.uid);
		return NULL;
	}
	struct tp_ks_operator *op = calloc(1, sizeof(*op));
	if (!op) {
		ks_err(err, errlen, "out of memory");
		return NULL;
	}
	op->ks = ks;
	op->secret = ks->priv->secret;
	op->uid = (uint32_t)cr.uid;
	op->pid = (int32_t)cr.pid;
	snprintf(op->label, sizeof(op->label), "%.12s uid=%u pid=%d", name ? name : "ops",
		 (unsigned)op->uid, (int)op->pid);
	return op;
}

void tp_ks_operator_free(struct tp_ks_operator *op) { free(op); }

static int ks_blank(const char *s)
{
	if (!s)
		return 1;
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return 0;
	return 1;
}

static int ks_refuse(struct tp_killswitch *ks, char *err, size_t errlen, const char *why)
{
	/* relaxed: a statistic */
	atomic_fetch_add_explicit(&ks->priv->resumes_refused, 1, memory_order_relaxed);
	ks_err(err, errlen, "resume refused: %s", why);
	return -1;
}

int tp_ks_resume(struct tp_killswitch *ks, const struct tp_ks_operator *op,
		 enum tp_ks_scope scope, uint16_t locate, const char *reason, int confirm,
		 char *err, size_t errlen)
{
	if (err && errlen)
		err[0] = '\0';
	if (!op)
		return ks_refuse(ks, err, errlen, "no operator credential");
	if (op->ks != ks || op->secret != ks->priv->secret)
		return ks_refuse(ks, err, errlen, "operator credential not issued by this instance");
	if (!ks_uid_allowed(ks->priv, op->uid))
		return ks_refuse(ks, err, errlen, "operator no longer allowed");
	if (ks_blank(reason))
		return ks_refuse(ks, err, errlen, "a reason is required");
	if (!confirm)
		return ks_refuse(ks, err, errlen, "not confirmed");
	if (scope != TP_KS_GLOBAL && scope != TP_KS_SYMBOL)
		return ks_refuse(ks, err, errlen, "unknown scope");

	struct tp_ks_word *x = ks_word(ks, scope, locate);
	/* relaxed: a first guess, validated by the CAS */
	uint64_t old = atomic_load_explicit(&x->w, memory_order_relaxed), nw;
	for (;;) {
		if (!tp_ks_word_halted(old)) {
			ks_err(err, errlen, "not halted");
			return 1;
		}
		nw = tp_ks_word_pack(0, TP_KS_R_OPERATOR, tp_ks_word_epoch(old) + 1);
		/* release pairs with the readers' acquire: whoever sees "running" also sees the
		 * control thread's work before the resume. relaxed on failure: we loop. */
		if (atomic_compare_exchange_weak_explicit(&x->w, &old, nw, memory_order_release,
							  memory_order_relaxed))
			break;
	}
	if (scope == TP_KS_SYMBOL)
		/* relaxed: a statistic */
		atomic_fetch_sub_explicit(&ks->priv->hot.symbols_halted, 1, memory_order_relaxed);
	/* relaxed: a statistic */
	atomic_fetch_add_explicit(&ks->priv->resumes, 1, memory_order_relaxed);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ks_audit(ks, scope, locate, TP_KS_R_OPERATOR, nw, 1, op->label, reason,
		 (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec);
	ks_note_change(ks);
	char perr[200];
	if (tp_ks_persist(ks, perr, sizeof(perr)) != 0) {
		ks_err(err, errlen, "resumed, but not persisted: %s", perr);
		return 2;
	}
	return 0;
}

/* ---- status ------------------------------------------------------------------------- */

void tp_ks_status(const struct tp_killswitch *ks, struct tp_ks_status *o)
{
	struct tp_ks_priv *p = ks->priv;
	/* relaxed loads: statistics, no ordering with anything else needed */
	o->changes = tp_ks_words_changes(&ks->kw);
	o->halts = atomic_load_explicit(&p->hot.halts, memory_order_relaxed);
	o->halts_repeated = atomic_load_explicit(&p->hot.halts_repeated, memory_order_relaxed);
	o->resumes = atomic_load_explicit(&p->resumes, memory_order_relaxed);
	o->resumes_refused = atomic_load_explicit(&p->resumes_refused, memory_order_relaxed);
	o->audit_dropped = atomic_load_explicit(&p->hot.audit_dropped, memory_order_relaxed);
	o->symbols_halted = atomic_load_explicit(&p->hot.symbols_halted, memory_order_relaxed);
	o->global_halted = tp_ks_word_halted(tp_ks_words_load(&ks->kw, TP_KS_GLOBAL, 0));
}

const char *tp_ks_reason_name(uint16_t reason)
{
	switch (reason) {
	case TP_KS_R_NONE: return "none";
	case TP_KS_R_OPERATOR: return "operator";
	case TP_KS_R_CORRUPT_STATE: return "corrupt-state";
	case TP_KS_R_INTERNAL: return "internal-error";
	case TP_KS_R_RISK: return "risk";
	case TP_KS_R_STALE_DATA: return "stale-data";
	case TP_KS_R_TEST: return "test";
	default: return reason >= TP_KS_R_RULE_BASE ? "rule" : "unknown";
	}
}
