/* Rule text: durations and times of day, every key of every kind, the defaults, and each kind
 * of mistake with the exact message the operator will read. Also the shipped
 * strategy/rules.ini.sample: every section parses, one rule per built-in kind, and an engine
 * accepts them. */
#include <ctype.h>

#include "cep_util.h"

#ifndef TP_RULES_SAMPLE
#error "TP_RULES_SAMPLE must name strategy/rules.ini.sample"
#endif

START_TEST(durations)
{
	static const struct { const char *s; uint64_t ns; } ok[] = {
		{ "0", 0 },          { "100ns", 100 },      { "250us", 250000 },
		{ "10ms", 10000000 }, { "1s", SEC },         { "5m", 300 * SEC },
		{ "2min", 120 * SEC }, { "2h", 7200 * SEC }, { "18446744073709551615ns", UINT64_MAX },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t v = 1;
		ck_assert_msg(tp_cep_parse_duration(ok[i].s, &v) == 0, "%s", ok[i].s);
		ck_assert_uint_eq(v, ok[i].ns);
	}
	static const char *const bad[] = { "", "abc", "10", "1.5ms", "10 ms", "-1s", "ms", "1sec",
					   "18446744073709551616ns", "18446744073709551615us",
					   "1S" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 7;
		ck_assert_msg(tp_cep_parse_duration(bad[i], &v) == -1, "'%s' accepted", bad[i]);
		ck_assert_uint_eq(v, 7);
	}
	ck_assert_int_eq(tp_cep_parse_duration(NULL, NULL), -1);
}
END_TEST

START_TEST(times_of_day)
{
	static const struct { const char *s; uint64_t ns; } ok[] = {
		{ "09:30", (9 * 3600 + 1800) * SEC },
		{ "16:00:00", 16 * 3600 * SEC },
		{ "09:30:00.5", (9 * 3600 + 1800) * SEC + 500 * MS },
		{ "00:00:00.000000001", 1 },
		{ "23:59:59.999999999", 86400 * SEC - 1 },
		{ "24:00", 86400 * SEC },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		uint64_t v = 1;
		ck_assert_msg(tp_cep_parse_time_of_day(ok[i].s, &v) == 0, "%s", ok[i].s);
		ck_assert_uint_eq(v, ok[i].ns);
	}
	static const char *const bad[] = { "9:30", "24:01", "12:60", "12:00:60", "12:00:00.",
					   "12:00:00.1234567891", "12:00 ", "", "1200", "24:00:00.1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint64_t v = 7;
		ck_assert_msg(tp_cep_parse_time_of_day(bad[i], &v) == -1, "'%s' accepted", bad[i]);
	}
}
END_TEST

/* Every kind with only its required keys gets the documented defaults. */
START_TEST(defaults_per_kind)
{
	struct tp_cep_rule_def d;
	def_parse(&d, "w", "kind=window;window=1s;agg=vwap;threshold=7");
	ck_assert_uint_eq(d.kind, TP_CEP_WINDOW);
	ck_assert_uint_eq(d.action, TP_CEP_ALERT);
	ck_assert_uint_eq(d.group, TP_CEP_BY_SYMBOL);
	ck_assert_uint_eq(d.mode, TP_CEP_SLIDING);
	ck_assert_uint_eq(d.buckets, 64);
	ck_assert_uint_eq(d.agg, TP_CEP_VWAP);
	ck_assert_uint_eq(d.op, TP_CEP_GT);
	ck_assert_uint_eq(d.price, TP_CEP_PX_TRADE);
	ck_assert_uint_eq(d.events, TP_CEP_EV_ALL);
	ck_assert_int_eq(d.feed, -1);
	ck_assert_uint_eq(d.window_ns, SEC);
	ck_assert_int_eq(d.threshold, 7);
	ck_assert_uint_eq(d.alert_interval_ns, SEC);
	ck_assert_uint_eq(d.skip_stale, 0);
	ck_assert_str_eq(d.name, "w");

	def_parse(&d, "p", "kind=price_move;window=500ms;threshold=250");
	ck_assert_uint_eq(d.action, TP_CEP_HALT_SYMBOL);
	ck_assert_uint_eq(d.agg, TP_CEP_MOVE_BPS);
	struct tp_cep_rule_def n;
	tp_cep_rule_normalize(&d, &n);
	ck_assert_uint_eq(n.events, TP_CEP_EV_TRADES);
	def_parse(&d, "p", "kind=price_move;window=500ms;threshold=250;price=mid");
	tp_cep_rule_normalize(&d, &n);
	ck_assert_uint_eq(n.events, TP_CEP_EV_ALL);

	def_parse(&d, "m", "kind=msg_rate;window=100ms;threshold=5000");
	ck_assert_uint_eq(d.action, TP_CEP_ALERT);
	ck_assert_uint_eq(d.agg, TP_CEP_COUNT);

	def_parse(&d, "x", "kind=crossed_book;duration=250ms");
	ck_assert_uint_eq(d.action, TP_CEP_ALERT);
	ck_assert_uint_eq(d.locked, 1);
	ck_assert_uint_eq(d.duration_ns, 250 * MS);
	tp_cep_rule_normalize(&d, &n);
	ck_assert_uint_eq(n.group, TP_CEP_BY_SYMBOL);

	def_parse(&d, "s", "kind=feed_silent;duration=5s");
	ck_assert_uint_eq(d.action, TP_CEP_ALERT);
	ck_assert_uint_eq(d.open_ns, (9 * 3600 + 1800) * SEC);
	ck_assert_uint_eq(d.close_ns, 16 * 3600 * SEC);
	tp_cep_rule_normalize(&d, &n);
	ck_assert_uint_eq(n.group, TP_CEP_BY_FEED);

	def_parse(&d, "g", "kind=seq_gap");
	ck_assert_uint_eq(d.action, TP_CEP_HALT_ALL);
	ck_assert_int_eq(d.threshold, 0);
	def_parse(&d, "o", "kind=overflow");
	ck_assert_uint_eq(d.action, TP_CEP_HALT_ALL);
	tp_cep_rule_normalize(&d, &n);
	ck_assert_uint_eq(n.group, TP_CEP_BY_ALL);
}
END_TEST

/* Every key, with blanks around keys and values as an INI reader may leave them. */
START_TEST(all_keys)
{
	struct tp_cep_rule_def d;
	def_parse(&d, "Rule-1.x",
		  " kind = window ; action= halt_all ;group =feed;window=250us;mode=tumbling;"
		  "buckets=1;events=add, execute ,trade;price=event;agg=max;op=>=;threshold=+42;"
		  "feed=3;skip_stale=yes;alert_interval=0");
	ck_assert_uint_eq(d.action, TP_CEP_HALT_ALL);
	ck_assert_uint_eq(d.group, TP_CEP_BY_FEED);
	ck_assert_uint_eq(d.window_ns, 250 * US);
	ck_assert_uint_eq(d.mode, TP_CEP_TUMBLING);
	ck_assert_uint_eq(d.buckets, 1);
	ck_assert_uint_eq(d.events, TP_CEP_EV(TP_EV_ADD) | TP_CEP_EV(TP_EV_EXECUTE) |
					    TP_CEP_EV(TP_EV_TRADE));
	ck_assert_uint_eq(d.price, TP_CEP_PX_EVENT);
	ck_assert_uint_eq(d.agg, TP_CEP_MAX);
	ck_assert_uint_eq(d.op, TP_CEP_GE);
	ck_assert_int_eq(d.threshold, 42);
	ck_assert_int_eq(d.feed, 3);
	ck_assert_uint_eq(d.skip_stale, 1);
	ck_assert_uint_eq(d.alert_interval_ns, 0);
	ck_assert_str_eq(d.name, "Rule-1.x");

	def_parse(&d, "x", "kind=crossed_book;duration=1ms;locked=off;feed=any");
	ck_assert_uint_eq(d.locked, 0);
	ck_assert_int_eq(d.feed, -1);
	def_parse(&d, "s", "kind=feed_silent;duration=1s;open=04:00;close=20:00:00.5");
	ck_assert_uint_eq(d.open_ns, 4 * 3600 * SEC);
	ck_assert_uint_eq(d.close_ns, 20 * 3600 * SEC + 500 * MS);
	def_parse(&d, "t", "kind=msg_rate;window=1s;threshold=1;op=lt;events=gap,status");
	ck_assert_uint_eq(d.op, TP_CEP_LT);
	ck_assert_uint_eq(d.events, TP_CEP_EV(TP_EV_GAP) | TP_CEP_EV(TP_EV_STATUS));
	/* Tumbling windows have one bucket whatever the default said. */
	def_parse(&d, "u", "kind=msg_rate;window=1s;threshold=1;mode=tumbling");
	struct tp_cep_rule_def n;
	tp_cep_rule_normalize(&d, &n);
	ck_assert_uint_eq(n.buckets, 1);
}
END_TEST

/* Each mistake, and the message that names the key and the reason. */
START_TEST(errors)
{
	static const struct { const char *spec, *msg; } cases[] = {
		{ "window=1s", "rule.r: missing required key 'kind' (one of window, price_move, "
			       "msg_rate, crossed_book, feed_silent, seq_gap, overflow)" },
		{ "kind=pricemove", "rule.r: key 'kind': unknown kind 'pricemove' (expected one of "
				    "window, price_move, msg_rate, crossed_book, feed_silent, seq_gap, "
				    "overflow)" },
		{ "kind=msg_rate;kind=msg_rate", "rule.r: key 'kind' given twice" },
		{ "kind=msg_rate;window=1s;threshold=5;colour=red", "rule.r: unknown key 'colour'" },
		{ "kind=msg_rate;window=1s;threshold=abc",
		  "rule.r: key 'threshold': 'abc' is not a whole number >= 0" },
		{ "kind=msg_rate;window=1s;threshold=-5",
		  "rule.r: key 'threshold': '-5' is not a whole number >= 0" },
		{ "kind=msg_rate;window=1s;threshold=99999999999999999999",
		  "rule.r: key 'threshold': '99999999999999999999' is not a whole number >= 0" },
		{ "kind=msg_rate;window=1s;threshold=",
		  "rule.r: key 'threshold': '' is not a whole number >= 0" },
		{ "kind=msg_rate;window=10;threshold=5",
		  "rule.r: key 'window': '10' is not a duration (e.g. 250us, 10ms, 1s, 5m)" },
		{ "kind=msg_rate;threshold=5",
		  "rule.r: missing required key 'window' (kind msg_rate needs a duration (e.g. "
		  "250us, 10ms, 1s, 5m))" },
		{ "kind=window;window=1s;threshold=5",
		  "rule.r: missing required key 'agg' (kind window needs one of count, sum_qty, "
		  "first, last, min, max, vwap, move_bps)" },
		{ "kind=crossed_book", "rule.r: missing required key 'duration' (kind crossed_book "
				       "needs a duration (e.g. 250us, 10ms, 1s, 5m))" },
		{ "kind=msg_rate;window=1s;threshold=5;locked=true",
		  "rule.r: key 'locked' does not apply to kind msg_rate" },
		{ "kind=price_move;window=1s;threshold=5;agg=count",
		  "rule.r: key 'agg' does not apply to kind price_move" },
		{ "kind=overflow;feed=1", "rule.r: key 'feed' does not apply to kind overflow" },
		{ "kind=msg_rate;window=1s;threshold=5;window=2s", "rule.r: key 'window' given twice" },
		{ "kind=msg_rate;window=1s;threshold=5;action=panic",
		  "rule.r: key 'action': 'panic' is not one of alert, halt_symbol, halt_all" },
		{ "kind=msg_rate;window=1s;threshold=5;buckets=48",
		  "rule.r: key 'buckets': '48' is not a power of two from 1 to 64" },
		{ "kind=msg_rate;window=1s;threshold=5;buckets=128",
		  "rule.r: key 'buckets': '128' is not a power of two from 1 to 64" },
		{ "kind=msg_rate;window=1s;threshold=5;mode=tumbling;buckets=4",
		  "rule.r: key 'buckets': a tumbling window has 1 bucket (buckets are for mode = "
		  "sliding)" },
		{ "kind=msg_rate;window=1s;threshold=5;events=add,,trade",
		  "rule.r: key 'events': 'add,,trade' is not a comma-separated list of add, "
		  "execute, cancel, delete, replace, trade, status, gap, all" },
		{ "kind=msg_rate;window=1s;threshold=5;group=feed;action=halt_symbol",
		  "rule.r: action halt_symbol needs group = symbol (this rule groups by feed)" },
		{ "kind=seq_gap;action=halt_symbol",
		  "rule.r: action halt_symbol needs group = symbol (this rule groups by feed)" },
		{ "kind=window;window=1s;threshold=5;agg=vwap;price=mid",
		  "rule.r: vwap needs quantities: price must be trade or event, not mid" },
		{ "kind=window;window=1s;threshold=5;agg=max;events=add",
		  "rule.r: no event kind left to count (events with price = trade keeps only "
		  "execute and trade)" },
		{ "kind=msg_rate;window=25h;threshold=5", "rule.r: window must be from 1ns to 24h" },
		{ "kind=msg_rate;window=0;threshold=5", "rule.r: window must be from 1ns to 24h" },
		{ "kind=msg_rate;window=10ns;threshold=5",
		  "rule.r: window 10ns is shorter than its 64 buckets (1ns each at least)" },
		{ "kind=crossed_book;duration=0", "rule.r: duration must be from 1ns to 24h" },
		{ "kind=feed_silent;duration=1s;open=16:00;close=09:30",
		  "rule.r: the session must open before it closes, within the day (open < close "
		  "<= 24:00)" },
		{ "kind=feed_silent;duration=1s;open=9:30",
		  "rule.r: key 'open': '9:30' is not a time of day HH:MM[:SS[.fraction]]" },
		{ "kind=crossed_book;duration=1s;feed=70000",
		  "rule.r: key 'feed': '70000' is not a feed id 0..65535, or any" },
		{ "kind=crossed_book;duration=1s;locked=maybe",
		  "rule.r: key 'locked': 'maybe' is not true or false" },
		{ "kind=msg_rate;window=1s;threshold=5;op=!=",
		  "rule.r: key 'op': '!=' is not one of >, >=, <, <= (or gt, ge, lt, le)" },
		{ "kind=msg_rate;window=1s;threshold=5;alert_interval=2d",
		  "rule.r: key 'alert_interval': '2d' is not a duration (e.g. 0, 500ms, 1s, 1m)" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *e = parse_err("r", cases[i].spec);
		ck_assert_msg(!strcmp(e, cases[i].msg), "spec '%s':\n got  '%s'\n want '%s'",
			      cases[i].spec, e, cases[i].msg);
	}
}
END_TEST

START_TEST(name_and_value_errors)
{
	char err[256];
	struct tp_cep_rule_def d;
	const char *k[] = { "kind", "window", "threshold" };
	const char *v[] = { "msg_rate", "1s", "5" };
	ck_assert_int_eq(tp_cep_rule_parse(&d, "bad name", k, v, 3, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule.bad name: the name must be 1..27 characters of A-Z a-z 0-9 _ . -");
	ck_assert_int_eq(tp_cep_rule_parse(&d, "", k, v, 3, err, sizeof(err)), -1);
	ck_assert_int_eq(tp_cep_rule_parse(&d, "a234567890123456789012345678", k, v, 3, err,
					   sizeof(err)), -1);
	ck_assert_int_eq(tp_cep_rule_parse(&d, "a23456789012345678901234567", k, v, 3, err,
					   sizeof(err)), 0);
	ck_assert_str_eq(d.name, "a23456789012345678901234567");
	char longv[400];
	memset(longv, '1', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	const char *v2[] = { "msg_rate", "1s", longv };
	ck_assert_int_eq(tp_cep_rule_parse(&d, "r", k, v2, 3, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "rule.r: key 'threshold': the value is longer than 255 characters");
	/* A short error buffer truncates, never overflows. */
	char small[8];
	ck_assert_int_eq(tp_cep_rule_parse(&d, "r", k, v2, 3, small, sizeof(small)), -1);
	ck_assert_str_eq(small, "rule.r:");
	/* Names of every enum, and NULL past the end. */
	ck_assert_str_eq(tp_cep_kind_name(TP_CEP_OVERFLOW), "overflow");
	ck_assert_ptr_null(tp_cep_kind_name(TP_CEP_KIND_END));
	ck_assert_ptr_null(tp_cep_kind_name(0));
	ck_assert_str_eq(tp_cep_action_name(TP_CEP_HALT_SYMBOL), "halt_symbol");
	ck_assert_str_eq(tp_cep_agg_name(TP_CEP_MOVE_BPS), "move_bps");
	ck_assert_str_eq(tp_cep_op_name(TP_CEP_LE), "<=");
	ck_assert_str_eq(tp_cep_group_name(TP_CEP_BY_ALL), "all");
	ck_assert_str_eq(tp_cep_price_name(TP_CEP_PX_MID), "mid");
	ck_assert_ptr_null(tp_cep_op_name(99));
	ck_assert_int_eq(tp_cep_rule_defaults(&d, 99, "x"), -1);
	ck_assert_int_eq(tp_cep_rule_defaults(&d, TP_CEP_WINDOW, "x y"), -1);
}
END_TEST

/* ---- the shipped sample ---- */

struct ini_rule {
	char name[64];
	char keys[32][64];
	char vals[32][256];
	int n;
};

/* The little INI reading the dataplane does with rte_cfgfile: [section], key = value, and
 * lines starting with # or ; are comments. */
static int read_sample(struct ini_rule *rules, int max)
{
	FILE *f = fopen(TP_RULES_SAMPLE, "r");
	ck_assert_msg(f != NULL, "cannot open %s", TP_RULES_SAMPLE);
	char line[512];
	int n = -1, lineno = 0;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		char *p = line;
		while (isspace((unsigned char)*p))
			p++;
		size_t len = strlen(p);
		while (len && isspace((unsigned char)p[len - 1]))
			p[--len] = '\0';
		if (!*p || *p == '#' || *p == ';')
			continue;
		if (*p == '[') {
			ck_assert_msg(p[len - 1] == ']', "line %d: bad section", lineno);
			p[len - 1] = '\0';
			ck_assert_msg(!strncmp(p + 1, "rule.", 5), "line %d: section [%s] is not "
				      "[rule.NAME]", lineno, p + 1);
			n++;
			ck_assert_int_lt(n, max);
			snprintf(rules[n].name, sizeof(rules[n].name), "%s", p + 6);
			rules[n].n = 0;
			continue;
		}
		ck_assert_msg(n >= 0, "line %d: key outside a section", lineno);
		char *eq = strchr(p, '=');
		ck_assert_msg(eq != NULL, "line %d: no '='", lineno);
		*eq = '\0';
		struct ini_rule *r = &rules[n];
		ck_assert_int_lt(r->n, 32);
		snprintf(r->keys[r->n], sizeof(r->keys[0]), "%s", p);
		snprintf(r->vals[r->n], sizeof(r->vals[0]), "%s", eq + 1);
		r->n++;
	}
	fclose(f);
	return n + 1;
}

START_TEST(shipped_sample)
{
	static struct ini_rule ini[TP_CEP_MAX_RULES];
	struct tp_cep_rule_def defs[TP_CEP_MAX_RULES];
	int n = read_sample(ini, TP_CEP_MAX_RULES);
	unsigned kinds_seen = 0;
	for (int i = 0; i < n; i++) {
		const char *k[32], *v[32];
		for (int j = 0; j < ini[i].n; j++) {
			k[j] = ini[i].keys[j];
			v[j] = ini[i].vals[j];
		}
		char err[256] = "";
		ck_assert_msg(tp_cep_rule_parse(&defs[i], ini[i].name, k, v, ini[i].n, err,
						sizeof(err)) == 0, "rules.ini.sample: %s", err);
		kinds_seen |= 1u << defs[i].kind;
	}
	/* One default per built-in kind (window is the general form, shown commented out). */
	ck_assert_int_eq(n, 6);
	for (int kind = TP_CEP_PRICE_MOVE; kind <= TP_CEP_OVERFLOW; kind++)
		ck_assert_msg(kinds_seen & (1u << kind), "no %s rule", tp_cep_kind_name(kind));
	struct tp_killswitch *ks = ks_new();
	struct tp_cep *c = cep_new(defs, (unsigned)n, ks, 8192);
	ck_assert_uint_eq(tp_cep_rule_count(c), 6);
	tp_cep_free(c);
	tp_ks_free(ks);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cep-config");
	TCase *t = tcase_create("config");
	tcase_add_test(t, durations);
	tcase_add_test(t, times_of_day);
	tcase_add_test(t, defaults_per_kind);
	tcase_add_test(t, all_keys);
	tcase_add_test(t, errors);
	tcase_add_test(t, name_and_value_errors);
	tcase_add_test(t, shipped_sample);
	suite_add_tcase(s, t);
	return s;
}

RUN_SUITE(suite)
