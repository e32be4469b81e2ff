/* Field tables and the three output formats. See fields.h. */
#include "fields.h"

#include <inttypes.h>
#include <stddef.h>
#include <string.h>
#include <time.h>

enum kind {
	K_U8, K_U16, K_U32, K_U64, K_I32, K_I64,
	K_CHAR,     /* one byte shown as a character, 0 = empty */
	K_STR,      /* NUL-padded text of `size` bytes, trailing NULs and spaces trimmed */
	K_ENUM,     /* u8 shown by name */
	K_COUNTERS, /* the stats counters, as many as its count field says */
	K_NOTE,     /* the whole payload as text, length from the header */
};

struct field {
	const char *name;
	uint8_t kind;
	uint16_t off;
	uint16_t size;
	const char *const *names; /* K_ENUM: name of each value */
	unsigned nnames;
};

static const char *const ev_kinds[] = {"none",    "add",   "execute", "cancel", "delete",
				       "replace", "trade", "status",  "gap"};
static const char *const halt_states[] = {"none", "halted", "resumed"};
static const char *const halt_scopes[] = {"global", "symbol"};

#define F(T, f, k) {#f, k, offsetof(struct T, f), sizeof(((struct T *)0)->f), NULL, 0}
#define FN(T, f, n, k) {n, k, offsetof(struct T, f), sizeof(((struct T *)0)->f), NULL, 0}
#define FE(T, f, tbl)                                                                     \
	{#f, K_ENUM, offsetof(struct T, f), 1, tbl, sizeof(tbl) / sizeof(tbl[0])}
#define END {NULL, 0, 0, 0, NULL, 0}

static const struct field f_event[] = {
	FE(tp_log_event, kind, ev_kinds), F(tp_log_event, msg_type, K_CHAR),
	F(tp_log_event, side, K_CHAR), F(tp_log_event, flags, K_U8),
	F(tp_log_event, stock_locate, K_U16), F(tp_log_event, feed_id, K_U16),
	F(tp_log_event, exch_ts_ns, K_U64), F(tp_log_event, rx_tsc, K_U64),
	F(tp_log_event, seq, K_U64), F(tp_log_event, order_ref, K_U64),
	F(tp_log_event, price, K_U32), F(tp_log_event, qty, K_U32),
	F(tp_log_event, bid_px, K_U32), F(tp_log_event, bid_qty, K_U32),
	F(tp_log_event, ask_px, K_U32), F(tp_log_event, ask_qty, K_U32), END,
};
static const struct field f_alert[] = {
	F(tp_log_alert, rule, K_U32), F(tp_log_alert, stock_locate, K_U16),
	F(tp_log_alert, feed_id, K_U16), F(tp_log_alert, event_seq, K_U64),
	F(tp_log_alert, value, K_I64), F(tp_log_alert, limit, K_I64),
	F(tp_log_alert, name, K_STR), END,
};
static const struct field f_halt[] = {
	FE(tp_log_halt, state, halt_states), FE(tp_log_halt, scope, halt_scopes),
	F(tp_log_halt, stock_locate, K_U16), F(tp_log_halt, rule, K_U32),
	F(tp_log_halt, epoch, K_U32), F(tp_log_halt, reason, K_U32),
	F(tp_log_halt, event_seq, K_U64), F(tp_log_halt, trigger_tsc, K_U64),
	F(tp_log_halt, source, K_STR), END,
};
static const struct field f_order[] = {
	F(tp_log_order, client_id, K_U64), F(tp_log_order, order_ref, K_U64),
	F(tp_log_order, stock_locate, K_U16), F(tp_log_order, side, K_CHAR),
	F(tp_log_order, action, K_CHAR), F(tp_log_order, price, K_U32),
	F(tp_log_order, qty, K_U32), F(tp_log_order, strategy, K_U32), END,
};
static const struct field f_fill[] = {
	F(tp_log_fill, client_id, K_U64), F(tp_log_fill, match_id, K_U64),
	F(tp_log_fill, stock_locate, K_U16), F(tp_log_fill, side, K_CHAR),
	F(tp_log_fill, liquidity, K_CHAR), F(tp_log_fill, price, K_U32),
	F(tp_log_fill, qty, K_U32), F(tp_log_fill, leaves, K_U32), END,
};
static const struct field f_reject[] = {
	F(tp_log_reject, client_id, K_U64), F(tp_log_reject, stock_locate, K_U16),
	F(tp_log_reject, side, K_CHAR), F(tp_log_reject, source, K_CHAR),
	F(tp_log_reject, reason, K_U32), F(tp_log_reject, price, K_U32),
	F(tp_log_reject, qty, K_U32), F(tp_log_reject, text, K_STR), END,
};
static const struct field f_stats[] = {
	F(tp_log_stats, source, K_U16), F(tp_log_stats, count, K_U16),
	F(tp_log_stats, interval_ms, K_U32), F(tp_log_stats, counters, K_COUNTERS), END,
};
static const struct field f_audit[] = {
	F(tp_log_audit, uid, K_U32), F(tp_log_audit, gid, K_U32), F(tp_log_audit, pid, K_I32),
	F(tp_log_audit, result, K_I32), F(tp_log_audit, command, K_STR),
	F(tp_log_audit, args, K_STR), END,
};
static const struct field f_note[] = {
	{"text", K_NOTE, 0, TP_LOG_MAX_PAYLOAD, NULL, 0}, END,
};
/* "drop_producer", not "producer": that name is the record header's */
static const struct field f_drop[] = {
	FN(tp_log_drop, producer, "drop_producer", K_U32), F(tp_log_drop, total, K_U64),
	F(tp_log_drop, since_last, K_U64), END,
};
static const struct field f_symbol[] = {
	F(tp_log_symbol, stock_locate, K_U16), F(tp_log_symbol, feed_id, K_U16),
	F(tp_log_symbol, symbol, K_STR), END,
};

static const struct field *const tables[TP_LOG_NTYPES] = {
	[TP_LOG_EVENT] = f_event, [TP_LOG_ALERT] = f_alert,   [TP_LOG_HALT] = f_halt,
	[TP_LOG_ORDER] = f_order, [TP_LOG_FILL] = f_fill,     [TP_LOG_REJECT] = f_reject,
	[TP_LOG_STATS] = f_stats, [TP_LOG_AUDIT] = f_audit,   [TP_LOG_NOTE] = f_note,
	[TP_LOG_DROP] = f_drop,   [TP_LOG_SYMBOL] = f_symbol,
};

static const struct field *table_of(unsigned type)
{
	return type < TP_LOG_NTYPES ? tables[type] : NULL;
}

int lc_record_locate(const struct tp_log_slot *r, uint16_t *locate)
{
	const struct field *t = table_of(r->hdr.type);
	for (; t && t->name; t++)
		if (strcmp(t->name, "stock_locate") == 0) {
			memcpy(locate, r->u.raw + t->off, sizeof(*locate));
			return 1;
		}
	return 0;
}

/* ---- values ------------------------------------------------------------------------- */

static uint64_t load_u(const uint8_t *p, unsigned size)
{
	uint8_t v8;
	uint16_t v16;
	uint32_t v32;
	uint64_t v64 = 0;
	switch (size) {
	case 1: memcpy(&v8, p, 1); return v8;
	case 2: memcpy(&v16, p, 2); return v16;
	case 4: memcpy(&v32, p, 4); return v32;
	default: memcpy(&v64, p, 8); return v64;
	}
}

static int64_t load_i(const uint8_t *p, unsigned size)
{
	int32_t v32;
	int64_t v64;
	if (size == 4) {
		memcpy(&v32, p, 4);
		return v32;
	}
	memcpy(&v64, p, 8);
	return v64;
}

/* The text of a K_STR / K_NOTE field: pointer and trimmed length. */
static size_t str_len(const uint8_t *p, size_t size, int trim_spaces)
{
	size_t n = strnlen((const char *)p, size);
	while (trim_spaces && n && p[n - 1] == ' ')
		n--;
	return n;
}

enum quoting { Q_TEXT, Q_JSON, Q_CSV };

static void put_str(FILE *out, const uint8_t *p, size_t n, enum quoting q)
{
	if (q == Q_CSV) {
		int needs = 0;
		for (size_t i = 0; i < n; i++)
			needs |= p[i] == ',' || p[i] == '"' || p[i] == '\n' || p[i] == '\r';
		if (!needs) {
			fwrite(p, 1, n, out);
			return;
		}
	}
	fputc('"', out);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = p[i];
		if (q == Q_CSV) {
			if (c == '"')
				fputc('"', out);
			fputc(c, out);
		} else if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
		} else if (c < 0x20 || c >= 0x7f) {
			if (q == Q_JSON)
				fprintf(out, "\\u%04x", c);
			else
				fprintf(out, "\\x%02x", c);
		} else {
			fputc(c, out);
		}
	}
	fputc('"', out);
}

/* One field's value. Text and JSON quote strings; CSV only when it must. */
static void put_value(FILE *out, const struct field *f, const struct tp_log_slot *r,
		      enum quoting q)
{
	const uint8_t *p = r->u.raw + f->off;
	switch (f->kind) {
	case K_U8: case K_U16: case K_U32: case K_U64:
		fprintf(out, "%" PRIu64, load_u(p, f->size));
		break;
	case K_I32: case K_I64:
		fprintf(out, "%" PRId64, load_i(p, f->size));
		break;
	case K_CHAR: {
		/* text shows a plain character bare, and none as "-"; CSV none as empty */
		uint8_t c = p[0];
		if (q == Q_TEXT && c > 0x20 && c < 0x7f && c != '"' && c != '\\')
			fputc(c, out);
		else if (q == Q_TEXT && c == 0)
			fputc('-', out);
		else if (!(q == Q_CSV && c == 0))
			put_str(out, &c, c ? 1 : 0, q);
		break;
	}
	case K_STR:
		put_str(out, p, str_len(p, f->size, 1), q);
		break;
	case K_NOTE:
		put_str(out, p, r->hdr.len - TP_LOG_REC_HDR_SIZE, q);
		break;
	case K_ENUM: {
		uint8_t v = p[0];
		if (v < f->nnames) {
			const char *s = f->names[v];
			put_str(out, (const uint8_t *)s, strlen(s), q == Q_TEXT ? Q_CSV : q);
		} else {
			fprintf(out, "%u", v);
		}
		break;
	}
	case K_COUNTERS: {
		unsigned n = r->u.stats.count;
		if (n > TP_LOG_STATS_MAX)
			n = TP_LOG_STATS_MAX;
		fputs(q == Q_CSV ? "" : "[", out);
		for (unsigned i = 0; i < n; i++)
			fprintf(out, "%s%" PRIu64, i ? (q == Q_JSON ? "," : " ") : "",
				r->u.stats.counters[i]);
		fputs(q == Q_CSV ? "" : "]", out);
		break;
	}
	}
}

void lc_fmt_daytime(char *buf, size_t len, uint64_t ns)
{
	uint64_t s = ns / 1000000000u;
	snprintf(buf, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64 ".%09" PRIu64, s / 3600,
		 s / 60 % 60, s % 60, ns % 1000000000u);
}

static void fmt_wall(char *buf, size_t len, uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000u);
	struct tm tm;
	if (ns == 0 || !gmtime_r(&secs, &tm)) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned)(ns % 1000000000u));
}

/* ---- CSV columns -------------------------------------------------------------------- */

#define MAX_COLS 96
static const char *csv_cols[MAX_COLS];
static unsigned ncsv_cols;

/* The union of every type's field names, in type order, plus the derived "symbol". */
static void csv_build(void)
{
	if (ncsv_cols)
		return;
	for (unsigned t = 1; t < TP_LOG_NTYPES; t++)
		for (const struct field *f = table_of(t); f && f->name; f++) {
			unsigned i = 0;
			while (i < ncsv_cols && strcmp(csv_cols[i], f->name) != 0)
				i++;
			if (i == ncsv_cols && ncsv_cols < MAX_COLS)
				csv_cols[ncsv_cols++] = f->name;
		}
}

void lc_csv_header(FILE *out)
{
	csv_build();
	fputs("rec,type,producer,exch_ns,tsc,wall_ns", out);
	for (unsigned i = 0; i < ncsv_cols; i++)
		fprintf(out, ",%s", csv_cols[i]);
	fputc('\n', out);
}

/* ---- records ------------------------------------------------------------------------ */

void lc_print(FILE *out, enum lc_format fmt, const struct tp_log_slot *r,
	      const struct lc_ctx *ctx)
{
	const struct tp_log_hdr *h = &r->hdr;
	const struct field *t = table_of(h->type);
	const char *tname = tp_log_type_name(h->type);
	char tbuf[16];
	if (!tname) {
		snprintf(tbuf, sizeof(tbuf), "type%u", h->type);
		tname = tbuf;
	}
	uint64_t wall = tp_log_wall_ns(ctx->seg, h->tsc);
	int derived_symbol = ctx->symbol && h->type != TP_LOG_SYMBOL;

	if (fmt == LC_TEXT) {
		char day[32], wbuf[48];
		if (h->exch_ns)
			lc_fmt_daytime(day, sizeof(day), h->exch_ns);
		else
			snprintf(day, sizeof(day), "-");
		fmt_wall(wbuf, sizeof(wbuf), wall);
		fprintf(out, "%" PRIu64 " %s %s %s p%u", h->seq, day, wbuf, tname, h->producer);
		for (const struct field *f = t; f && f->name; f++) {
			fprintf(out, " %s=", f->name);
			put_value(out, f, r, Q_TEXT);
		}
		if (derived_symbol) {
			fputs(" symbol=", out);
			put_str(out, (const uint8_t *)ctx->symbol, strlen(ctx->symbol), Q_TEXT);
		}
		if (!t) {
			fputs(" payload=", out);
			for (unsigned i = TP_LOG_REC_HDR_SIZE; i < h->len; i++)
				fprintf(out, "%02x", r->u.raw[i - TP_LOG_REC_HDR_SIZE]);
		}
		fputc('\n', out);
		return;
	}

	if (fmt == LC_JSON) {
		fprintf(out,
			"{\"rec\":%" PRIu64 ",\"type\":\"%s\",\"producer\":%u,\"exch_ns\":%" PRIu64
			",\"tsc\":%" PRIu64 ",\"wall_ns\":%" PRIu64,
			h->seq, tname, h->producer, h->exch_ns, h->tsc, wall);
		for (const struct field *f = t; f && f->name; f++) {
			fprintf(out, ",\"%s\":", f->name);
			put_value(out, f, r, Q_JSON);
		}
		if (derived_symbol) {
			fputs(",\"symbol\":", out);
			put_str(out, (const uint8_t *)ctx->symbol, strlen(ctx->symbol), Q_JSON);
		}
		if (!t) {
			fputs(",\"payload\":\"", out);
			for (unsigned i = TP_LOG_REC_HDR_SIZE; i < h->len; i++)
				fprintf(out, "%02x", r->u.raw[i - TP_LOG_REC_HDR_SIZE]);
			fputc('"', out);
		}
		fputs("}\n", out);
		return;
	}

	csv_build();
	fprintf(out, "%" PRIu64 ",%s,%u,%" PRIu64 ",%" PRIu64 ",%" PRIu64, h->seq, tname,
		h->producer, h->exch_ns, h->tsc, wall);
	for (unsigned i = 0; i < ncsv_cols; i++) {
		fputc(',', out);
		const struct field *f = t;
		while (f && f->name && strcmp(f->name, csv_cols[i]) != 0)
			f++;
		if (f && f->name)
			put_value(out, f, r, Q_CSV);
		else if (derived_symbol && strcmp(csv_cols[i], "symbol") == 0)
			put_str(out, (const uint8_t *)ctx->symbol, strlen(ctx->symbol), Q_CSV);
	}
	fputc('\n', out);
}
