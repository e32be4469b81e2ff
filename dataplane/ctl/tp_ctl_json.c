/* JSON writer and reader for the control path (see tp_ctl_json.h). */
#include "tp_ctl_json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writer ------------------------------------------------------------------------- */

void tp_jw_init(struct tp_jw *w, char *buf, size_t cap)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap;
	if (cap)
		buf[0] = '\0';
	else
		w->overflow = 1;
}

static void jw_put(struct tp_jw *w, const char *s, size_t n)
{
	if (w->overflow)
		return;
	if (n >= w->cap - w->len) {
		w->overflow = 1;
		return;
	}
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void jw_fmt(struct tp_jw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void jw_fmt(struct tp_jw *w, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp)) {
		w->overflow = 1;
		return;
	}
	jw_put(w, tmp, (size_t)n);
}

/* Before any value or key: the comma, unless this is the first thing in its container or
 * the value that follows a key. */
static void jw_sep(struct tp_jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (w->nonempty[w->depth - 1])
			jw_put(w, ",", 1);
		w->nonempty[w->depth - 1] = 1;
	}
}

static void jw_open(struct tp_jw *w, char c)
{
	jw_sep(w);
	jw_put(w, &c, 1);
	if (w->depth == TP_JW_MAX_DEPTH) {
		w->overflow = 1;
		return;
	}
	w->nonempty[w->depth++] = 0;
}

static void jw_close(struct tp_jw *w, char c)
{
	if (w->depth > 0)
		w->depth--;
	w->after_key = 0;
	jw_put(w, &c, 1);
}

void tp_jw_obj_begin(struct tp_jw *w) { jw_open(w, '{'); }
void tp_jw_obj_end(struct tp_jw *w) { jw_close(w, '}'); }
void tp_jw_arr_begin(struct tp_jw *w) { jw_open(w, '['); }
void tp_jw_arr_end(struct tp_jw *w) { jw_close(w, ']'); }

static void jw_quoted(struct tp_jw *w, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	jw_put(w, "\"", 1);
	size_t run = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f)
			continue;
		jw_put(w, s + run, i - run);
		run = i + 1;
		char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			jw_put(w, esc, 2);
		} else if (c == '\n') {
			jw_put(w, "\\n", 2);
		} else if (c == '\t') {
			jw_put(w, "\\t", 2);
		} else {
			jw_put(w, esc, 6);
		}
	}
	jw_put(w, s + run, n - run);
	jw_put(w, "\"", 1);
}

void tp_jw_key(struct tp_jw *w, const char *key)
{
	jw_sep(w);
	jw_quoted(w, key, strlen(key));
	jw_put(w, ":", 1);
	w->after_key = 1;
}

void tp_jw_strn(struct tp_jw *w, const char *s, size_t n)
{
	jw_sep(w);
	jw_quoted(w, s, n);
}

void tp_jw_str(struct tp_jw *w, const char *s)
{
	if (!s) {
		tp_jw_null(w);
		return;
	}
	tp_jw_strn(w, s, strlen(s));
}

void tp_jw_u64(struct tp_jw *w, uint64_t v)
{
	jw_sep(w);
	jw_fmt(w, "%" PRIu64, v);
}

void tp_jw_i64(struct tp_jw *w, int64_t v)
{
	jw_sep(w);
	jw_fmt(w, "%" PRId64, v);
}

void tp_jw_f64(struct tp_jw *w, double v)
{
	jw_sep(w);
	if (!isfinite(v))
		jw_put(w, "null", 4);
	else
		jw_fmt(w, "%.3f", v);
}

void tp_jw_bool(struct tp_jw *w, int v)
{
	jw_sep(w);
	if (v)
		jw_put(w, "true", 4);
	else
		jw_put(w, "false", 5);
}

void tp_jw_null(struct tp_jw *w)
{
	jw_sep(w);
	jw_put(w, "null", 4);
}

void tp_jw_raw(struct tp_jw *w, const char *json, size_t n)
{
	jw_sep(w);
	jw_put(w, json, n);
}

/* ---- reader ------------------------------------------------------------------------- */

struct jp {
	const char *s;
	size_t len, pos;
	struct tp_jr_node *n;
	uint32_t cap, used;
	char *err;
	size_t errlen;
};

static int jp_fail(struct jp *p, const char *what)
{
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "invalid JSON at byte %zu: %s", p->pos, what);
	return -1;
}

static void jp_ws(struct jp *p)
{
	while (p->pos < p->len) {
		char c = p->s[p->pos];
		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		p->pos++;
	}
}

/* Claims a node; with no node array only counts. */
static int jp_node(struct jp *p, uint8_t type, size_t start, uint32_t *idx)
{
	if (p->used == UINT32_MAX || (p->n && p->used == p->cap))
		return jp_fail(p, "too many values");
	*idx = p->used++;
	if (p->n) {
		struct tp_jr_node *x = &p->n[*idx];
		x->type = type;
		x->start = (uint32_t)start;
		x->len = 0;
		x->count = 0;
		x->next = 0;
	}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* At the opening quote. Leaves pos after the closing one; start/len span the inside. */
static int jp_string(struct jp *p, size_t *start, size_t *len)
{
	p->pos++;
	*start = p->pos;
	while (p->pos < p->len) {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c == '"') {
			*len = p->pos - *start;
			p->pos++;
			return 0;
		}
		if (c < 0x20)
			return jp_fail(p, "control character in string");
		if (c == '\\') {
			if (p->pos + 1 >= p->len)
				return jp_fail(p, "unterminated escape");
			char e = p->s[p->pos + 1];
			if (e == 'u') {
				if (p->len - p->pos < 6)
					return jp_fail(p, "short \\u escape");
				for (int k = 2; k < 6; k++)
					if (hexval(p->s[p->pos + (size_t)k]) < 0)
						return jp_fail(p, "bad \\u escape");
				p->pos += 6;
				continue;
			}
			if (!strchr("\"\\/bfnrt", e) || e == 0)
				return jp_fail(p, "bad escape");
			p->pos += 2;
			continue;
		}
		p->pos++;
	}
	return jp_fail(p, "unterminated string");
}

static int isdig(char c) { return c >= '0' && c <= '9'; }

static int jp_number(struct jp *p)
{
	size_t i = p->pos;
	if (i < p->len && p->s[i] == '-')
		i++;
	if (i >= p->len || !isdig(p->s[i]))
		return jp_fail(p, "bad number");
	if (p->s[i] == '0')
		i++;
	else
		while (i < p->len && isdig(p->s[i]))
			i++;
	if (i < p->len && p->s[i] == '.') {
		i++;
		if (i >= p->len || !isdig(p->s[i]))
			return jp_fail(p, "bad fraction");
		while (i < p->len && isdig(p->s[i]))
			i++;
	}
	if (i < p->len && (p->s[i] == 'e' || p->s[i] == 'E')) {
		i++;
		if (i < p->len && (p->s[i] == '+' || p->s[i] == '-'))
			i++;
		if (i >= p->len || !isdig(p->s[i]))
			return jp_fail(p, "bad exponent");
		while (i < p->len && isdig(p->s[i]))
			i++;
	}
	p->pos = i;
	return 0;
}

static int jp_lit(struct jp *p, const char *lit)
{
	size_t n = strlen(lit);
	if (p->len - p->pos < n || memcmp(p->s + p->pos, lit, n) != 0)
		return jp_fail(p, "unexpected character");
	p->pos += n;
	return 0;
}

static int jp_value(struct jp *p, int depth)
{
	jp_ws(p);
	if (p->pos >= p->len)
		return jp_fail(p, "value expected");
	if (depth > TP_JR_MAX_DEPTH)
		return jp_fail(p, "nested too deeply");
	char c = p->s[p->pos];
	size_t start = p->pos;
	uint32_t idx;
	if (c == '{' || c == '[') {
		int obj = c == '{';
		if (jp_node(p, obj ? TP_JR_OBJ : TP_JR_ARR, start, &idx) != 0)
			return -1;
		p->pos++;
		uint32_t count = 0;
		jp_ws(p);
		if (p->pos < p->len && p->s[p->pos] == (obj ? '}' : ']')) {
			p->pos++;
		} else {
			for (;;) {
				if (obj) {
					jp_ws(p);
					if (p->pos >= p->len || p->s[p->pos] != '"')
						return jp_fail(p, "member name expected");
					size_t ks, kl;
					uint32_t kidx;
					if (jp_node(p, TP_JR_STR, p->pos + 1, &kidx) != 0 ||
					    jp_string(p, &ks, &kl) != 0)
						return -1;
					if (p->n) {
						p->n[kidx].len = (uint32_t)kl;
						p->n[kidx].next = p->used;
					}
					jp_ws(p);
					if (p->pos >= p->len || p->s[p->pos] != ':')
						return jp_fail(p, "':' expected");
					p->pos++;
				}
				if (jp_value(p, depth + 1) != 0)
					return -1;
				count++;
				jp_ws(p);
				if (p->pos >= p->len)
					return jp_fail(p, "unterminated container");
				char d = p->s[p->pos++];
				if (d == ',')
					continue;
				if (d == (obj ? '}' : ']'))
					break;
				return jp_fail(p, obj ? "',' or '}' expected" : "',' or ']' expected");
			}
		}
		if (p->n) {
			p->n[idx].count = count;
			p->n[idx].len = (uint32_t)(p->pos - start);
			p->n[idx].next = p->used;
		}
		return 0;
	}
	uint8_t type;
	size_t vstart = start, vlen;
	if (c == '"') {
		if (jp_string(p, &vstart, &vlen) != 0)
			return -1;
		type = TP_JR_STR;
	} else {
		int rc;
		if (c == 't') {
			rc = jp_lit(p, "true");
			type = TP_JR_BOOL;
		} else if (c == 'f') {
			rc = jp_lit(p, "false");
			type = TP_JR_BOOL;
		} else if (c == 'n') {
			rc = jp_lit(p, "null");
			type = TP_JR_NULL;
		} else {
			rc = jp_number(p);
			type = TP_JR_NUM;
		}
		if (rc != 0)
			return -1;
		vlen = p->pos - start;
	}
	if (jp_node(p, type, vstart, &idx) != 0)
		return -1;
	if (p->n) {
		p->n[idx].len = (uint32_t)vlen;
		p->n[idx].next = p->used;
	}
	return 0;
}

int tp_jr_parse(struct tp_jr_doc *doc, const char *text, size_t len,
		  struct tp_jr_node *nodes, uint32_t cap, char *err, size_t errlen)
{
	struct jp p = { .s = text, .len = len, .n = nodes, .cap = cap, .err = err,
			.errlen = errlen };
	doc->text = text;
	doc->len = len;
	doc->n = nodes;
	doc->count = 0;
	if (len > UINT32_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "JSON text too large");
		return -1;
	}
	if (jp_value(&p, 1) != 0)
		return -1;
	jp_ws(&p);
	if (p.pos != len)
		return jp_fail(&p, "text after the value");
	doc->count = p.used;
	return 0;
}

int tp_jr_child(const struct tp_jr_doc *d, int idx)
{
	if (idx < 0 || (d->n[idx].type != TP_JR_ARR && d->n[idx].type != TP_JR_OBJ) ||
	    d->n[idx].count == 0)
		return -1;
	return idx + 1;
}

/* Decodes the escaped string span into buf (truncated, NUL-terminated); full length. */
static size_t unescape(const char *s, size_t n, char *buf, size_t cap)
{
	size_t out = 0;
#define EMIT(ch)                                                                             \
	do {                                                                                 \
		if (out + 1 < cap)                                                           \
			buf[out] = (char)(ch);                                               \
		out++;                                                                       \
	} while (0)
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c != '\\') {
			EMIT(c);
			continue;
		}
		char e = s[++i];
		switch (e) {
		case 'b': EMIT('\b'); break;
		case 'f': EMIT('\f'); break;
		case 'n': EMIT('\n'); break;
		case 'r': EMIT('\r'); break;
		case 't': EMIT('\t'); break;
		case 'u': {
			uint32_t cp = 0;
			for (int k = 1; k <= 4; k++)
				cp = cp << 4 | (uint32_t)hexval(s[i + (size_t)k]);
			i += 4;
			/* A surrogate pair makes one code point; a lone half becomes U+FFFD. */
			if (cp >= 0xd800 && cp <= 0xdbff && i + 2 < n && s[i + 1] == '\\' &&
			    s[i + 2] == 'u') {
				uint32_t lo = 0;
				for (int k = 3; k <= 6; k++)
					lo = lo << 4 | (uint32_t)hexval(s[i + (size_t)k]);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd;
			if (cp < 0x80) {
				EMIT(cp);
			} else if (cp < 0x800) {
				EMIT(0xc0 | cp >> 6);
				EMIT(0x80 | (cp & 0x3f));
			} else if (cp < 0x10000) {
				EMIT(0xe0 | cp >> 12);
				EMIT(0x80 | ((cp >> 6) & 0x3f));
				EMIT(0x80 | (cp & 0x3f));
			} else {
				EMIT(0xf0 | cp >> 18);
				EMIT(0x80 | ((cp >> 12) & 0x3f));
				EMIT(0x80 | ((cp >> 6) & 0x3f));
				EMIT(0x80 | (cp & 0x3f));
			}
			break;
		}
		default: EMIT(e); break; /* " \ / */
		}
	}
#undef EMIT
	if (cap)
		buf[out < cap ? out : cap - 1] = '\0';
	return out;
}

long tp_jr_str(const struct tp_jr_doc *d, int idx, char *buf, size_t cap)
{
	if (idx < 0 || d->n[idx].type != TP_JR_STR) {
		if (cap)
			buf[0] = '\0';
		return -1;
	}
	const struct tp_jr_node *x = &d->n[idx];
	return (long)unescape(d->text + x->start, x->len, buf, cap);
}

int tp_jr_str_eq(const struct tp_jr_doc *d, int idx, const char *s)
{
	if (idx < 0 || d->n[idx].type != TP_JR_STR)
		return 0;
	const struct tp_jr_node *x = &d->n[idx];
	const char *t = d->text + x->start;
	size_t n = strlen(s);
	if (!memchr(t, '\\', x->len))
		return x->len == n && memcmp(t, s, n) == 0;
	char tmp[256];
	size_t full = unescape(t, x->len, tmp, sizeof(tmp));
	return full == n && full < sizeof(tmp) && memcmp(tmp, s, n) == 0;
}

int tp_jr_find(const struct tp_jr_doc *d, int obj, const char *key)
{
	if (obj < 0 || d->n[obj].type != TP_JR_OBJ)
		return -1;
	int k = obj + 1;
	for (uint32_t i = 0; i < d->n[obj].count; i++) {
		int v = k + 1;
		if (tp_jr_str_eq(d, k, key))
			return v;
		k = (int)d->n[v].next;
	}
	return -1;
}

int tp_jr_path(const struct tp_jr_doc *d, int idx, const char *path)
{
	char part[128];
	while (idx >= 0 && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(part))
			return -1;
		memcpy(part, path, n);
		part[n] = '\0';
		idx = tp_jr_find(d, idx, part);
		path += n;
		if (*path == '.')
			path++;
	}
	return idx;
}

/* Copies a number's text so strto* stop at its end. */
static int numtext(const struct tp_jr_doc *d, int idx, char *buf, size_t cap)
{
	if (idx < 0 || d->n[idx].type != TP_JR_NUM || d->n[idx].len >= cap)
		return -1;
	memcpy(buf, d->text + d->n[idx].start, d->n[idx].len);
	buf[d->n[idx].len] = '\0';
	return 0;
}

int tp_jr_u64(const struct tp_jr_doc *d, int idx, uint64_t *out)
{
	char t[64];
	if (numtext(d, idx, t, sizeof(t)) != 0 || t[0] == '-' || strpbrk(t, ".eE"))
		return -1;
	errno = 0;
	unsigned long long v = strtoull(t, NULL, 10);
	if (errno)
		return -1;
	*out = v;
	return 0;
}

int tp_jr_i64(const struct tp_jr_doc *d, int idx, int64_t *out)
{
	char t[64];
	if (numtext(d, idx, t, sizeof(t)) != 0 || strpbrk(t, ".eE"))
		return -1;
	errno = 0;
	long long v = strtoll(t, NULL, 10);
	if (errno)
		return -1;
	*out = v;
	return 0;
}

int tp_jr_f64(const struct tp_jr_doc *d, int idx, double *out)
{
	char t[64];
	if (numtext(d, idx, t, sizeof(t)) != 0)
		return -1;
	*out = strtod(t, NULL);
	return 0;
}

int tp_jr_bool(const struct tp_jr_doc *d, int idx, int *out)
{
	if (idx < 0 || d->n[idx].type != TP_JR_BOOL)
		return -1;
	*out = d->text[d->n[idx].start] == 't';
	return 0;
}
