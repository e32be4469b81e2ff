/* Rule definitions from text: the dataplane reads the INI with rte_cfgfile and hands over
 * each [rule.NAME] section as key=value strings. Every error names the rule, the key and the
 * reason, because the person reading it is editing a file at start-up, not debugging. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tp_cep.h"

#define NS_PER_S 1000000000ull

enum val_type { V_KIND, V_ACTION, V_GROUP, V_MODE, V_UINT, V_EVENTS, V_PRICE, V_AGG, V_OP,
		V_INT64, V_DURATION, V_BOOL, V_TOD, V_FEED };

struct key_info {
	const char *key;
	uint32_t field;     /* TP_CEP_F_*, 0 for kind */
	enum val_type type;
	const char *expect; /* what a good value looks like, for the message */
};

static const struct key_info keys_tab[] = {
	{ "kind", 0, V_KIND,
	  "one of window, price_move, msg_rate, crossed_book, feed_silent, seq_gap, overflow" },
	{ "action", TP_CEP_F_ACTION, V_ACTION, "one of alert, halt_symbol, halt_all" },
	{ "group", TP_CEP_F_GROUP, V_GROUP, "one of symbol, feed, all" },
	{ "window", TP_CEP_F_WINDOW, V_DURATION, "a duration (e.g. 250us, 10ms, 1s, 5m)" },
	{ "mode", TP_CEP_F_MODE, V_MODE, "sliding or tumbling" },
	{ "buckets", TP_CEP_F_BUCKETS, V_UINT, "a power of two from 1 to 64" },
	{ "events", TP_CEP_F_EVENTS, V_EVENTS,
	  "a comma-separated list of add, execute, cancel, delete, replace, trade, status, gap, all" },
	{ "price", TP_CEP_F_PRICE, V_PRICE, "one of trade, mid, event" },
	{ "agg", TP_CEP_F_AGG, V_AGG,
	  "one of count, sum_qty, first, last, min, max, vwap, move_bps" },
	{ "op", TP_CEP_F_OP, V_OP, "one of >, >=, <, <= (or gt, ge, lt, le)" },
	{ "threshold", TP_CEP_F_THRESHOLD, V_INT64, "a whole number >= 0" },
	{ "duration", TP_CEP_F_DURATION, V_DURATION, "a duration (e.g. 250us, 10ms, 1s, 5m)" },
	{ "locked", TP_CEP_F_LOCKED, V_BOOL, "true or false" },
	{ "open", TP_CEP_F_OPEN, V_TOD, "a time of day HH:MM[:SS[.fraction]]" },
	{ "close", TP_CEP_F_CLOSE, V_TOD, "a time of day HH:MM[:SS[.fraction]] up to 24:00" },
	{ "feed", TP_CEP_F_FEED, V_FEED, "a feed id 0..65535, or any" },
	{ "skip_stale", TP_CEP_F_SKIP_STALE, V_BOOL, "true or false" },
	{ "alert_interval", TP_CEP_F_ALERT_INTERVAL, V_DURATION,
	  "a duration (e.g. 0, 500ms, 1s, 1m)" },
};
#define NKEYS (sizeof(keys_tab) / sizeof(keys_tab[0]))

/* Leading and trailing blanks are not part of a value (rte_cfgfile keeps some of them).
 * NULL when the rest does not fit `buf`: nothing is parsed from a truncated value. */
static const char *trim(const char *s, char *buf, size_t len)
{
	if (!s)
		return "";
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (n >= len)
		return NULL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return buf;
}

/* Whole decimal number, digits only (an optional '+'), at most max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	if (*s == '+')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (max - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

int tp_cep_parse_duration(const char *s, uint64_t *ns)
{
	if (!s || !ns)
		return -1;
	const char *p = s;
	uint64_t v = 0;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	uint64_t mult;
	if (*p == '\0')
		mult = v == 0 ? 1 : 0; /* a bare number is ambiguous unless it is 0 */
	else if (!strcmp(p, "ns"))
		mult = 1;
	else if (!strcmp(p, "us"))
		mult = 1000;
	else if (!strcmp(p, "ms"))
		mult = 1000000;
	else if (!strcmp(p, "s"))
		mult = NS_PER_S;
	else if (!strcmp(p, "m") || !strcmp(p, "min"))
		mult = 60 * NS_PER_S;
	else if (!strcmp(p, "h"))
		mult = 3600 * NS_PER_S;
	else
		return -1;
	if (mult == 0 || (v && v > UINT64_MAX / mult))
		return -1;
	*ns = v * mult;
	return 0;
}

static int two_digits(const char *p, unsigned max, unsigned *out)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	*out = (unsigned)(p[0] - '0') * 10 + (unsigned)(p[1] - '0');
	return *out <= max ? 0 : -1;
}

int tp_cep_parse_time_of_day(const char *s, uint64_t *ns)
{
	if (!s || !ns)
		return -1;
	unsigned h, m, sec = 0;
	uint64_t frac = 0;
	if (two_digits(s, 24, &h) || s[2] != ':' || two_digits(s + 3, 59, &m))
		return -1;
	const char *p = s + 5;
	if (*p == ':') {
		if (two_digits(p + 1, 59, &sec))
			return -1;
		p += 3;
		if (*p == '.') {
			p++;
			unsigned digits = 0;
			uint64_t scale = 100000000;
			if (*p < '0' || *p > '9')
				return -1;
			for (; *p >= '0' && *p <= '9'; p++, digits++) {
				if (digits == 9)
					return -1;
				frac += (uint64_t)(*p - '0') * scale;
				scale /= 10;
			}
		}
	}
	if (*p)
		return -1;
	if (h == 24 && (m || sec || frac))
		return -1;
	*ns = ((uint64_t)h * 3600 + m * 60 + sec) * NS_PER_S + frac;
	return 0;
}

static int parse_bool(const char *v, uint8_t *out)
{
	if (!strcasecmp(v, "true") || !strcasecmp(v, "yes") || !strcasecmp(v, "on") || !strcmp(v, "1"))
		*out = 1;
	else if (!strcasecmp(v, "false") || !strcasecmp(v, "no") || !strcasecmp(v, "off") ||
		 !strcmp(v, "0"))
		*out = 0;
	else
		return -1;
	return 0;
}

/* Index in a name table (entries 1..n-1), or -1. */
static int lookup(const char *v, const char *(*name_of)(int), int end)
{
	for (int i = 1; i < end; i++) {
		const char *n = name_of(i);
		if (n && !strcasecmp(v, n))
			return i;
	}
	return -1;
}

static int parse_events(const char *v, uint32_t *out)
{
	static const struct { const char *name; uint32_t bits; } ev[] = {
		{ "add", TP_CEP_EV(TP_EV_ADD) },         { "execute", TP_CEP_EV(TP_EV_EXECUTE) },
		{ "cancel", TP_CEP_EV(TP_EV_CANCEL) },   { "delete", TP_CEP_EV(TP_EV_DELETE) },
		{ "replace", TP_CEP_EV(TP_EV_REPLACE) }, { "trade", TP_CEP_EV(TP_EV_TRADE) },
		{ "status", TP_CEP_EV(TP_EV_STATUS) },   { "gap", TP_CEP_EV(TP_EV_GAP) },
		{ "all", TP_CEP_EV_ALL },
	};
	uint32_t bits = 0;
	const char *p = v;
	for (;;) {
		while (*p == ' ' || *p == '\t')
			p++;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ' && *e != '\t')
			e++;
		size_t len = (size_t)(e - p);
		size_t i;
		for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++)
			if (strlen(ev[i].name) == len && !strncasecmp(p, ev[i].name, len))
				break;
		if (len == 0 || i == sizeof(ev) / sizeof(ev[0]))
			return -1;
		bits |= ev[i].bits;
		while (*e == ' ' || *e == '\t')
			e++;
		if (*e == '\0')
			break;
		if (*e != ',')
			return -1;
		p = e + 1;
	}
	*out = bits;
	return 0;
}

static int parse_op(const char *v)
{
	static const struct { const char *a, *b; int op; } ops[] = {
		{ ">", "gt", TP_CEP_GT }, { ">=", "ge", TP_CEP_GE },
		{ "<", "lt", TP_CEP_LT }, { "<=", "le", TP_CEP_LE } };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(v, ops[i].a) || !strcasecmp(v, ops[i].b))
			return ops[i].op;
	return -1;
}

/* Applies one value to d. 0, or -1 when the value does not parse. */
static int apply(struct tp_cep_rule_def *d, const struct key_info *k, const char *v)
{
	uint64_t u;
	int i;
	switch (k->type) {
	case V_KIND:
		return lookup(v, tp_cep_kind_name, TP_CEP_KIND_END) < 0 ? -1 : 0;
	case V_ACTION:
		if ((i = lookup(v, tp_cep_action_name, TP_CEP_ACTION_END)) < 0)
			return -1;
		d->action = (uint8_t)i;
		return 0;
	case V_GROUP:
		if ((i = lookup(v, tp_cep_group_name, TP_CEP_GROUP_END)) < 0)
			return -1;
		d->group = (uint8_t)i;
		return 0;
	case V_MODE:
		if (!strcasecmp(v, "sliding"))
			d->mode = TP_CEP_SLIDING;
		else if (!strcasecmp(v, "tumbling"))
			d->mode = TP_CEP_TUMBLING;
		else
			return -1;
		return 0;
	case V_UINT: /* buckets */
		if (parse_u64(v, TP_CEP_MAX_BUCKETS, &u) || u == 0 || (u & (u - 1)))
			return -1;
		d->buckets = (uint8_t)u;
		return 0;
	case V_EVENTS:
		return parse_events(v, &d->events);
	case V_PRICE:
		if ((i = lookup(v, tp_cep_price_name, TP_CEP_PX_END)) < 0)
			return -1;
		d->price = (uint8_t)i;
		return 0;
	case V_AGG:
		if ((i = lookup(v, tp_cep_agg_name, TP_CEP_AGG_END)) < 0)
			return -1;
		d->agg = (uint8_t)i;
		return 0;
	case V_OP:
		if ((i = parse_op(v)) < 0)
			return -1;
		d->op = (uint8_t)i;
		return 0;
	case V_INT64:
		if (parse_u64(v, INT64_MAX, &u))
			return -1;
		d->threshold = (int64_t)u;
		return 0;
	case V_DURATION:
		if (tp_cep_parse_duration(v, &u))
			return -1;
		if (k->field == TP_CEP_F_WINDOW)
			d->window_ns = u;
		else if (k->field == TP_CEP_F_DURATION)
			d->duration_ns = u;
		else
			d->alert_interval_ns = u;
		return 0;
	case V_BOOL:
		return parse_bool(v, k->field == TP_CEP_F_LOCKED ? &d->locked : &d->skip_stale);
	case V_TOD:
		if (tp_cep_parse_time_of_day(v, &u))
			return -1;
		if (k->field == TP_CEP_F_OPEN)
			d->open_ns = u;
		else
			d->close_ns = u;
		return 0;
	case V_FEED:
		if (!strcasecmp(v, "any")) {
			d->feed = -1;
			return 0;
		}
		if (parse_u64(v, 65535, &u))
			return -1;
		d->feed = (int32_t)u;
		return 0;
	}
	return -1;
}

#define FAIL(...)                                          \
	do {                                               \
		if (err && errlen)                         \
			snprintf(err, errlen, __VA_ARGS__); \
		return -1;                                 \
	} while (0)

int tp_cep_rule_parse(struct tp_cep_rule_def *out, const char *name, const char *const *keys,
		      const char *const *values, int n, char *err, size_t errlen)
{
	char kb[64], vb[256];
	if (!out || !name || n < 0 || (n > 0 && (!keys || !values)))
		FAIL("rule: bad arguments");
	/* A placeholder kind only to validate the name with the same rule as everywhere. */
	struct tp_cep_rule_def d;
	if (tp_cep_rule_defaults(&d, TP_CEP_WINDOW, name) != 0)
		FAIL("rule.%.40s: the name must be 1..%d characters of A-Z a-z 0-9 _ . -", name,
		     TP_CEP_NAME_MAX - 1);

	int kind_at = -1;
	for (int i = 0; i < n; i++) {
		const char *k = trim(keys[i], kb, sizeof(kb));
		if (!k)
			FAIL("rule.%s: key '%.20s...' is too long", name, keys[i] + strspn(keys[i], " \t"));
		if (!trim(values[i], vb, sizeof(vb)))
			FAIL("rule.%s: key '%s': the value is longer than %zu characters", name, k,
			     sizeof(vb) - 1);
		if (!strcmp(k, "kind")) {
			if (kind_at >= 0)
				FAIL("rule.%s: key 'kind' given twice", name);
			kind_at = i;
		}
	}
	if (kind_at < 0)
		FAIL("rule.%s: missing required key 'kind' (%s)", name, keys_tab[0].expect);
	const char *kv = trim(values[kind_at], vb, sizeof(vb));
	int kind = lookup(kv, tp_cep_kind_name, TP_CEP_KIND_END);
	if (kind < 0)
		FAIL("rule.%s: key 'kind': unknown kind '%s' (expected %s)", name, kv,
		     keys_tab[0].expect);
	tp_cep_rule_defaults(&d, kind, name);

	uint32_t fields = tp_cep_kind_fields(kind), seen = 0;
	for (int i = 0; i < n; i++) {
		const char *k = trim(keys[i], kb, sizeof(kb));
		const char *v = trim(values[i], vb, sizeof(vb));
		size_t j;
		for (j = 0; j < NKEYS; j++)
			if (!strcmp(k, keys_tab[j].key))
				break;
		if (j == NKEYS)
			FAIL("rule.%s: unknown key '%s'", name, k);
		const struct key_info *ki = &keys_tab[j];
		if (ki->type == V_KIND)
			continue;
		if (!(fields & ki->field))
			FAIL("rule.%s: key '%s' does not apply to kind %s", name, k,
			     tp_cep_kind_name(kind));
		if (seen & ki->field)
			FAIL("rule.%s: key '%s' given twice", name, k);
		seen |= ki->field;
		if (apply(&d, ki, v) != 0)
			FAIL("rule.%s: key '%s': '%s' is not %s", name, k, v, ki->expect);
	}
	uint32_t missing = tp_cep_kind_required(kind) & ~seen;
	if (missing) {
		for (size_t j = 0; j < NKEYS; j++)
			if (keys_tab[j].field & missing)
				FAIL("rule.%s: missing required key '%s' (kind %s needs %s)", name,
				     keys_tab[j].key, tp_cep_kind_name(kind), keys_tab[j].expect);
	}
	if ((seen & TP_CEP_F_BUCKETS) && d.mode == TP_CEP_TUMBLING && d.buckets != 1)
		FAIL("rule.%s: key 'buckets': a tumbling window has 1 bucket (buckets are for "
		     "mode = sliding)",
		     name);
	if (tp_cep_rule_check(&d, err, errlen) != 0)
		return -1;
	*out = d;
	return 0;
}
