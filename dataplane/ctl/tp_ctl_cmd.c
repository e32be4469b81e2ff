/* The commands of the control socket (list and reply shapes in tp_ctl_proto.h). Each runs on
 * the control thread with the peer's credentials at hand; each either fills the reply
 * object and leaves r->result at TP_CTL_DONE, or sets another result and a one-line reason
 * in r->detail (the server then replies with that instead). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tp_ctl_internal.h"
#include "tp_killswitch.h"

#define STATUS_MAX_SYMBOLS 1000 /* halted symbols listed in status; the count is always exact */

static void fail(struct ctl_req *r, int result, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fail(struct ctl_req *r, int result, const char *fmt, ...)
{
	r->result = result;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static void done(struct ctl_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void done(struct ctl_req *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->detail, sizeof(r->detail), fmt, ap);
	va_end(ap);
}

static const struct tp_ctl_provider *prov(const struct ctl_req *r)
{
	return &r->srv->cfg.provider;
}

/* Runs a provider's *_json callback into the scratch buffer and, when it wrote well-formed
 * JSON, puts it under `key`. Otherwise the key gets null and key_error says why: a broken
 * provider must never make a reply unreadable. Returns the callback's verdict. */
static int provider_value(struct ctl_req *r, const char *key, int rc, int have)
{
	struct tp_ctl_server *s = r->srv;
	char ekey[64];
	snprintf(ekey, sizeof(ekey), "%s_error", key);
	tp_jw_key(r->w, key);
	if (!have) {
		tp_jw_null(r->w);
		return -1;
	}
	s->scratch[TP_CTL_MAX_REPLY - 1] = '\0';
	size_t n = strnlen(s->scratch, TP_CTL_MAX_REPLY);
	if (rc != 0) {
		tp_jw_null(r->w);
		tp_jw_key(r->w, ekey);
		if (tp_ctl_text_ok((const uint8_t *)s->scratch, n))
			tp_jw_strn(r->w, s->scratch, n);
		else
			tp_jw_str(r->w, "the dataplane could not answer");
		return -1;
	}
	struct tp_jr_doc d;
	char why[128];
	if (tp_jr_parse(&d, s->scratch, n, NULL, 0, why, sizeof(why)) != 0) {
		tp_jw_null(r->w);
		tp_jw_key(r->w, ekey);
		tp_jw_str(r->w, why);
		return -1;
	}
	tp_jw_raw(r->w, s->scratch, n);
	return 0;
}

static void ks_scope_json(struct ctl_req *r, uint64_t w)
{
	tp_jw_key(r->w, "halted");
	tp_jw_bool(r->w, tp_ks_word_halted(w));
	tp_jw_key(r->w, "reason");
	tp_jw_str(r->w, tp_ks_reason_name(tp_ks_word_reason(w)));
	tp_jw_key(r->w, "reason_code");
	tp_jw_u64(r->w, tp_ks_word_reason(w));
	tp_jw_key(r->w, "epoch");
	tp_jw_u64(r->w, tp_ks_word_epoch(w));
}

static void symbol_name(struct ctl_req *r, uint16_t locate)
{
	char name[64];
	if (prov(r)->locate_symbol &&
	    prov(r)->locate_symbol(prov(r)->ctx, locate, name, sizeof(name)) == 0) {
		name[sizeof(name) - 1] = '\0';
		size_t n = strlen(name);
		while (n && name[n - 1] == ' ') /* ITCH pads symbols with blanks */
			n--;
		if (tp_ctl_text_ok((const uint8_t *)name, n)) {
			tp_jw_strn(r->w, name, n);
			return;
		}
	}
	tp_jw_null(r->w);
}

static void status_killswitch(struct ctl_req *r)
{
	struct tp_killswitch *ks = r->srv->cfg.ks;
	tp_jw_key(r->w, "killswitch");
	tp_jw_obj_begin(r->w);
	tp_jw_key(r->w, "global");
	tp_jw_obj_begin(r->w);
	uint64_t g = tp_ks_word(ks, TP_KS_GLOBAL, 0);
	ks_scope_json(r, g);
	tp_jw_obj_end(r->w);
	tp_jw_key(r->w, "symbols");
	tp_jw_arr_begin(r->w);
	unsigned halted = 0;
	for (uint32_t loc = 0; loc < TP_KS_NSYMBOLS; loc++) {
		uint64_t w = tp_ks_word(ks, TP_KS_SYMBOL, (uint16_t)loc);
		if (!tp_ks_word_halted(w))
			continue;
		if (++halted > STATUS_MAX_SYMBOLS)
			continue;
		tp_jw_obj_begin(r->w);
		tp_jw_key(r->w, "locate");
		tp_jw_u64(r->w, loc);
		tp_jw_key(r->w, "symbol");
		symbol_name(r, (uint16_t)loc);
		ks_scope_json(r, w);
		tp_jw_obj_end(r->w);
	}
	tp_jw_arr_end(r->w);
	tp_jw_key(r->w, "symbols_halted");
	tp_jw_u64(r->w, halted);
	tp_jw_key(r->w, "symbols_truncated");
	tp_jw_bool(r->w, halted > STATUS_MAX_SYMBOLS);
	tp_jw_key(r->w, "blocked_all");
	tp_jw_bool(r->w, tp_ks_word_halted(g));
	tp_jw_key(r->w, "loaded_corrupt");
	tp_jw_bool(r->w, tp_ks_loaded_corrupt(ks));
	tp_jw_key(r->w, "persist");
	tp_jw_obj_begin(r->w);
	tp_jw_key(r->w, "ok");
	tp_jw_bool(r->w, r->srv->persist_ok);
	tp_jw_key(r->w, "error");
	tp_jw_str(r->w, r->srv->persist_ok ? NULL : r->srv->persist_err);
	tp_jw_obj_end(r->w);
	tp_jw_obj_end(r->w);
}

static void cmd_status(struct ctl_req *r)
{
	if (r->argc != 1) {
		fail(r, TP_CTL_USAGE, "usage: status");
		return;
	}
	status_killswitch(r);
	const struct tp_ctl_provider *p = prov(r);
	int rc = p->status_json ? p->status_json(p->ctx, r->srv->scratch, TP_CTL_MAX_REPLY) : -1;
	provider_value(r, "dataplane", rc, p->status_json != NULL);
	uint64_t g = tp_ks_word(r->srv->cfg.ks, TP_KS_GLOBAL, 0);
	done(r, "global %s", tp_ks_word_halted(g) ? "halted" : "running");
}

static void cmd_stats(struct ctl_req *r)
{
	if (r->argc != 1) {
		fail(r, TP_CTL_USAGE, "usage: stats");
		return;
	}
	struct tp_ctl_server_stats cs;
	tp_ctl_server_get_stats(r->srv, &cs);
	struct tp_jw *w = r->w;
	tp_jw_key(w, "ctl");
	tp_jw_obj_begin(w);
#define U(name, v)                                                                           \
	do {                                                                                 \
		tp_jw_key(w, name);                                                          \
		tp_jw_u64(w, v);                                                             \
	} while (0)
	U("accepted", cs.accepted);
	U("rejected_full", cs.rejected_full);
	U("open", cs.open);
	U("requests", cs.requests);
	U("done", cs.done);
	U("refused", cs.refused);
	U("bad", cs.bad);
	U("errors", cs.errors);
	U("disconnects_mid_request", cs.disconnects_mid_request);
	U("idle_timeouts", cs.idle_timeouts);
	U("persist_failures", cs.persist_failures);
	tp_jw_obj_end(w);
	struct tp_ks_status ks;
	tp_ks_status(r->srv->cfg.ks, &ks);
	tp_jw_key(w, "killswitch");
	tp_jw_obj_begin(w);
	U("changes", ks.changes);
	U("halts", ks.halts);
	U("halts_repeated", ks.halts_repeated);
	U("resumes", ks.resumes);
	U("resumes_refused", ks.resumes_refused);
	U("audit_dropped", ks.audit_dropped);
	U("symbols_halted", ks.symbols_halted);
	tp_jw_key(w, "global_halted");
	tp_jw_bool(w, ks.global_halted);
#undef U
	tp_jw_obj_end(w);
	const struct tp_ctl_provider *p = prov(r);
	int rc = p->stats_json ? p->stats_json(p->ctx, r->srv->scratch, TP_CTL_MAX_REPLY) : -1;
	provider_value(r, "dataplane", rc, p->stats_json != NULL);
	done(r, "stats");
}

/* Whole decimal in [lo, hi]. */
static int parse_uint(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (!*s || strlen(s) > 10)
		return -1;
	unsigned long v = 0;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void cmd_book(struct ctl_req *r)
{
	if (r->argc < 2 || r->argc > 3) {
		fail(r, TP_CTL_USAGE, "usage: book SYMBOL [DEPTH]");
		return;
	}
	unsigned long depth = TP_CTL_BOOK_DEFAULT_DEPTH;
	if (r->argc == 3 && parse_uint(r->argv[2], 1, TP_CTL_BOOK_MAX_DEPTH, &depth) != 0) {
		fail(r, TP_CTL_USAGE, "book: depth must be a number from 1 to %u",
		     TP_CTL_BOOK_MAX_DEPTH);
		return;
	}
	const struct tp_ctl_provider *p = prov(r);
	if (!p->book_json) {
		fail(r, TP_CTL_UNAVAILABLE, "book: no order books in this instance");
		return;
	}
	char *buf = r->srv->scratch;
	int rc = p->book_json(p->ctx, r->argv[1], (unsigned)depth, buf, TP_CTL_MAX_REPLY);
	buf[TP_CTL_MAX_REPLY - 1] = '\0';
	if (rc != 0) {
		fail(r, rc == -1 ? TP_CTL_USAGE : TP_CTL_UNAVAILABLE, "book: %.200s", buf);
		return;
	}
	struct tp_jr_doc d;
	char why[128];
	size_t n = strlen(buf);
	if (tp_jr_parse(&d, buf, n, NULL, 0, why, sizeof(why)) != 0) {
		fail(r, TP_CTL_ERROR, "book: the dataplane wrote %s", why);
		return;
	}
	tp_jw_key(r->w, "book");
	tp_jw_raw(r->w, buf, n);
	done(r, "book %s depth %lu", r->argv[1], depth);
}

/* Options shared by kill and resume. */
struct scope_opts {
	enum tp_ks_scope scope;
	uint16_t locate;
	const char *symbol;   /* as given, or NULL */
	const char *reason;   /* NULL when not given */
	int confirm;
};

static int parse_scope_opts(struct ctl_req *r, int allow_confirm, struct scope_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->scope = TP_KS_GLOBAL;
	int have_locate = 0;
	const char *verb = r->argv[0];
	for (int i = 1; i < r->argc; i++) {
		const char *a = r->argv[i];
		int last = i + 1 == r->argc;
		if (!strcmp(a, "--symbol") || !strcmp(a, "--locate") || !strcmp(a, "--reason")) {
			if (last) {
				fail(r, TP_CTL_USAGE, "%s: %s needs a value", verb, a);
				return -1;
			}
			const char *v = r->argv[++i];
			if (!strcmp(a, "--reason")) {
				o->reason = v;
			} else if (o->symbol || have_locate) {
				fail(r, TP_CTL_USAGE, "%s: one --symbol or --locate at most", verb);
				return -1;
			} else if (!strcmp(a, "--symbol")) {
				o->symbol = v;
			} else {
				unsigned long loc;
				if (parse_uint(v, 0, TP_KS_NSYMBOLS - 1, &loc) != 0) {
					fail(r, TP_CTL_USAGE, "%s: --locate must be 0 to %u", verb,
					     TP_KS_NSYMBOLS - 1);
					return -1;
				}
				o->locate = (uint16_t)loc;
				have_locate = 1;
			}
		} else if (allow_confirm && !strcmp(a, "--confirm")) {
			o->confirm = 1;
		} else {
			fail(r, TP_CTL_USAGE, "%s: unknown argument '%.60s'", verb, a);
			return -1;
		}
	}
	if (o->symbol) {
		const struct tp_ctl_provider *p = prov(r);
		if (!p->symbol_locate || p->symbol_locate(p->ctx, o->symbol, &o->locate) != 0) {
			fail(r, TP_CTL_USAGE, "%s: unknown symbol '%.40s'%s", verb, o->symbol,
			     p->symbol_locate ? "" : " (no symbol directory: use --locate)");
			return -1;
		}
	}
	if (o->symbol || have_locate)
		o->scope = TP_KS_SYMBOL;
	return 0;
}

static void scope_json(struct ctl_req *r, const struct scope_opts *o, uint64_t word)
{
	tp_jw_key(r->w, "scope");
	tp_jw_str(r->w, o->scope == TP_KS_GLOBAL ? "GLOBAL" : "SYMBOL");
	tp_jw_key(r->w, "symbol");
	if (o->scope == TP_KS_GLOBAL)
		tp_jw_null(r->w);
	else if (o->symbol)
		tp_jw_str(r->w, o->symbol);
	else
		symbol_name(r, o->locate);
	tp_jw_key(r->w, "locate");
	if (o->scope == TP_KS_GLOBAL)
		tp_jw_null(r->w);
	else
		tp_jw_u64(r->w, o->locate);
	tp_jw_key(r->w, "epoch");
	tp_jw_u64(r->w, tp_ks_word_epoch(word));
}

static const char *scope_label(const struct scope_opts *o, char *buf, size_t cap)
{
	if (o->scope == TP_KS_GLOBAL)
		return "GLOBAL";
	if (o->symbol)
		snprintf(buf, cap, "%.40s (locate %u)", o->symbol, (unsigned)o->locate);
	else
		snprintf(buf, cap, "locate %u", (unsigned)o->locate);
	return buf;
}

static void cmd_kill(struct ctl_req *r)
{
	struct scope_opts o;
	if (parse_scope_opts(r, 0, &o) != 0)
		return;
	struct tp_killswitch *ks = r->srv->cfg.ks;
	char who[TP_KS_WHO_LEN];
	snprintf(who, sizeof(who), "ctl:uid=%u", (unsigned)r->uid);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	int rc = tp_ks_halter_halt(tp_ks_halter_of(ks), o.scope, o.locate, TP_KS_R_OPERATOR, who,
				   now);
	uint64_t word = tp_ks_word(ks, o.scope, o.locate);
	tp_jw_key(r->w, "action");
	tp_jw_str(r->w, rc == 0 ? "halted" : "already-halted");
	scope_json(r, &o, word);
	tp_jw_key(r->w, "reason");
	tp_jw_str(r->w, o.reason ? o.reason : "");
	tp_jw_key(r->w, "persist");
	tp_jw_str(r->w, rc == 0 ? "pending" : "unchanged");
	char lbl[80];
	done(r, "%s %s epoch %u", rc == 0 ? "halted" : "already halted",
	     scope_label(&o, lbl, sizeof(lbl)), (unsigned)tp_ks_word_epoch(word));
	r->persist_after = rc == 0;
}

static void cmd_resume(struct ctl_req *r)
{
	struct scope_opts o;
	if (parse_scope_opts(r, 1, &o) != 0)
		return;
	struct tp_killswitch *ks = r->srv->cfg.ks;
	char err[256];
	struct tp_ks_operator *op = tp_ks_operator_from_socket(ks, r->fd, "ctl", err, sizeof(err));
	if (!op) {
		fail(r, TP_CTL_REFUSED, "resume refused: %s", err);
		return;
	}
	const char *reason = o.reason ? o.reason : "";
	ctl_ks_lock(r->srv); /* resume persists */
	int rc = tp_ks_resume(ks, op, o.scope, o.locate, reason, o.confirm, err, sizeof(err));
	ctl_ks_unlock(r->srv);
	tp_ks_operator_free(op);
	if (rc < 0) {
		fail(r, TP_CTL_REFUSED, "%s", err);
		return;
	}
	uint64_t word = tp_ks_word(ks, o.scope, o.locate);
	tp_jw_key(r->w, "action");
	tp_jw_str(r->w, rc == 1 ? "not-halted" : "resumed");
	scope_json(r, &o, word);
	tp_jw_key(r->w, "reason_truncated");
	tp_jw_bool(r->w, strlen(reason) >= TP_KS_NOTE_LEN);
	tp_jw_key(r->w, "persisted");
	tp_jw_bool(r->w, rc == 0);
	if (rc == 2) {
		tp_jw_key(r->w, "warning");
		tp_jw_str(r->w, err);
		r->srv->persist_ok = 0;
		snprintf(r->srv->persist_err, sizeof(r->srv->persist_err), "%s", err);
		atomic_fetch_add_explicit(&r->srv->st.persist_failures, 1, memory_order_relaxed);
	} else if (rc == 0) {
		r->srv->persist_ok = 1;
		r->srv->persist_err[0] = '\0';
	}
	char lbl[80];
	done(r, "%s %s epoch %u%s", rc == 1 ? "not halted:" : "resumed",
	     scope_label(&o, lbl, sizeof(lbl)), (unsigned)tp_ks_word_epoch(word),
	     rc == 2 ? " (not persisted)" : "");
}

static const char *const commands[] = {
	"ping", "help", "status", "stats", "book SYMBOL [DEPTH]",
	"kill [--symbol S | --locate N] --reason TEXT",
	"resume [--symbol S | --locate N] --reason TEXT --confirm",
};

static void cmd_help(struct ctl_req *r)
{
	tp_jw_key(r->w, "commands");
	tp_jw_arr_begin(r->w);
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		tp_jw_str(r->w, commands[i]);
	tp_jw_arr_end(r->w);
	done(r, "help");
}

static void cmd_ping(struct ctl_req *r)
{
	tp_jw_key(r->w, "pong");
	tp_jw_bool(r->w, 1);
	done(r, "pong");
}

void tp_ctl_cmd_run(struct ctl_req *r)
{
	const char *v = r->argv[0];
	if (!strcmp(v, "kill"))
		cmd_kill(r);
	else if (!strcmp(v, "resume"))
		cmd_resume(r);
	else if (!strcmp(v, "status"))
		cmd_status(r);
	else if (!strcmp(v, "stats"))
		cmd_stats(r);
	else if (!strcmp(v, "book"))
		cmd_book(r);
	else if (!strcmp(v, "ping"))
		cmd_ping(r);
	else if (!strcmp(v, "help"))
		cmd_help(r);
	else
		fail(r, TP_CTL_USAGE, "unknown command '%.40s' (try help)", v);
}
