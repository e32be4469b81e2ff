/* Record filters and the stock directory. See filter.h. */
#include "filter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

void lc_filter_init(struct lc_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->any_type = 1;
}

int lc_filter_types(struct lc_filter *f, const char *list, char *err, size_t errlen)
{
	f->any_type = 0;
	const char *p = list;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		char one[32];
		if (n == 0 || n >= sizeof(one)) {
			snprintf(err, errlen, "--type: bad list '%s'", list);
			return -1;
		}
		memcpy(one, p, n);
		one[n] = '\0';
		unsigned t = tp_log_type_from_name(one);
		if (t == 0) {
			snprintf(err, errlen, "--type: unknown record type '%s'", one);
			return -1;
		}
		f->types[t] = 1;
		if (!c)
			return 0;
		p = c + 1;
	}
}

/* A symbol as the feed wrote it (NUL- or space-padded) into a trimmed C string. */
static void trim_symbol(char out[9], const char *in, size_t size)
{
	size_t n = strnlen(in, size < 8 ? size : 8);
	while (n && in[n - 1] == ' ')
		n--;
	memcpy(out, in, n);
	out[n] = '\0';
}

int lc_filter_symbol(struct lc_filter *f, const char *arg, char *err, size_t errlen)
{
	f->by_symbol = 1;
	if (*arg >= '0' && *arg <= '9') {
		char *end;
		unsigned long v = strtoul(arg, &end, 10);
		if (*end || v > 65535) {
			snprintf(err, errlen, "--symbol: bad stock locate '%s' (0..65535)", arg);
			return -1;
		}
		f->symbol_is_locate = 1;
		f->locate = (uint16_t)v;
		return 0;
	}
	if (*arg == '\0' || strlen(arg) > 8) {
		snprintf(err, errlen, "--symbol: '%s' is not a symbol (1..8 characters)", arg);
		return -1;
	}
	trim_symbol(f->name, arg, strlen(arg));
	return 0;
}

int lc_parse_time(const char *s, uint64_t *ns)
{
	if (!strchr(s, ':')) {
		if (*s < '0' || *s > '9')
			return -1;
		char *end;
		unsigned long long v = strtoull(s, &end, 10);
		if (*end)
			return -1;
		*ns = v;
		return 0;
	}
	unsigned h, m, sec;
	int used = 0;
	if (sscanf(s, "%2u:%2u:%2u%n", &h, &m, &sec, &used) != 3 || h > 23 || m > 59 || sec > 59)
		return -1;
	if (used != 8)
		return -1; /* exactly HH:MM:SS */
	uint64_t frac = 0;
	const char *p = s + used;
	if (*p == '.') {
		int digits = 0;
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits == 9)
				return -1;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		if (digits == 0)
			return -1;
		for (; digits < 9; digits++)
			frac *= 10;
	}
	if (*p)
		return -1;
	*ns = ((uint64_t)h * 3600 + m * 60 + sec) * 1000000000u + frac;
	return 0;
}

void lc_filter_learn(struct lc_filter *f, const struct tp_log_slot *r)
{
	if (r->hdr.type == TP_LOG_SYMBOL)
		trim_symbol(f->symbols[r->u.symbol.stock_locate], r->u.symbol.symbol,
			    sizeof(r->u.symbol.symbol));
}

const char *lc_filter_symbol_of(const struct lc_filter *f, const struct tp_log_slot *r)
{
	uint16_t loc;
	if (!lc_record_locate(r, &loc) || f->symbols[loc][0] == '\0')
		return NULL;
	return f->symbols[loc];
}

int lc_filter_match(const struct lc_filter *f, const struct tp_log_slot *r)
{
	if (!f->any_type && !f->types[r->hdr.type])
		return 0;
	if (f->by_time &&
	    (r->hdr.exch_ns == 0 || r->hdr.exch_ns < f->since || r->hdr.exch_ns > f->until))
		return 0;
	if (f->by_symbol) {
		uint16_t loc;
		if (!lc_record_locate(r, &loc))
			return 0;
		if (f->symbol_is_locate)
			return loc == f->locate;
		return strcmp(f->symbols[loc], f->name) == 0;
	}
	return 1;
}
