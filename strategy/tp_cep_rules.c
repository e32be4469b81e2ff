/* The built-in rule kinds: what each one reads, its defaults, what makes a definition of it
 * valid, and how it maps onto the shapes the engine runs (tp_cep.c knows only windows,
 * crossed-book timers, silence timers, gap and overflow reports).
 *
 * Defaults here are the ones strategy/rules.ini.sample documents; change both together. */
#include <stdio.h>
#include <string.h>

#include "tp_cep.h"

#define NS_PER_S 1000000000ull
#define DAY_NS (86400ull * NS_PER_S)

#define F_WINDOWED                                                                          \
	(TP_CEP_F_ACTION | TP_CEP_F_GROUP | TP_CEP_F_WINDOW | TP_CEP_F_MODE | TP_CEP_F_BUCKETS | \
	 TP_CEP_F_OP | TP_CEP_F_THRESHOLD | TP_CEP_F_FEED | TP_CEP_F_SKIP_STALE |             \
	 TP_CEP_F_ALERT_INTERVAL)

struct kind_info {
	const char *name;
	uint32_t fields;
	uint32_t required;
	uint8_t action;   /* default action */
};

static const struct kind_info kinds[TP_CEP_KIND_END] = {
	[TP_CEP_WINDOW] = { "window", F_WINDOWED | TP_CEP_F_EVENTS | TP_CEP_F_PRICE | TP_CEP_F_AGG,
			    TP_CEP_F_WINDOW | TP_CEP_F_AGG | TP_CEP_F_THRESHOLD, TP_CEP_ALERT },
	[TP_CEP_PRICE_MOVE] = { "price_move", F_WINDOWED | TP_CEP_F_PRICE,
				TP_CEP_F_WINDOW | TP_CEP_F_THRESHOLD, TP_CEP_HALT_SYMBOL },
	[TP_CEP_MSG_RATE] = { "msg_rate", F_WINDOWED | TP_CEP_F_EVENTS,
			      TP_CEP_F_WINDOW | TP_CEP_F_THRESHOLD, TP_CEP_ALERT },
	[TP_CEP_CROSSED_BOOK] = { "crossed_book",
				  TP_CEP_F_ACTION | TP_CEP_F_DURATION | TP_CEP_F_LOCKED |
					  TP_CEP_F_FEED | TP_CEP_F_SKIP_STALE |
					  TP_CEP_F_ALERT_INTERVAL,
				  TP_CEP_F_DURATION, TP_CEP_ALERT },
	[TP_CEP_FEED_SILENT] = { "feed_silent",
				 TP_CEP_F_ACTION | TP_CEP_F_DURATION | TP_CEP_F_OPEN |
					 TP_CEP_F_CLOSE | TP_CEP_F_FEED | TP_CEP_F_ALERT_INTERVAL,
				 TP_CEP_F_DURATION, TP_CEP_ALERT },
	[TP_CEP_SEQ_GAP] = { "seq_gap",
			     TP_CEP_F_ACTION | TP_CEP_F_OP | TP_CEP_F_THRESHOLD | TP_CEP_F_FEED |
				     TP_CEP_F_ALERT_INTERVAL,
			     0, TP_CEP_HALT_ALL },
	[TP_CEP_OVERFLOW] = { "overflow",
			      TP_CEP_F_ACTION | TP_CEP_F_OP | TP_CEP_F_THRESHOLD |
				      TP_CEP_F_ALERT_INTERVAL,
			      0, TP_CEP_HALT_ALL },
};

static const char *const action_names[TP_CEP_ACTION_END] = {
	[TP_CEP_ALERT] = "alert", [TP_CEP_HALT_SYMBOL] = "halt_symbol",
	[TP_CEP_HALT_ALL] = "halt_all" };
static const char *const group_names[TP_CEP_GROUP_END] = {
	[TP_CEP_BY_SYMBOL] = "symbol", [TP_CEP_BY_FEED] = "feed", [TP_CEP_BY_ALL] = "all" };
static const char *const agg_names[TP_CEP_AGG_END] = {
	[TP_CEP_COUNT] = "count", [TP_CEP_SUM_QTY] = "sum_qty", [TP_CEP_FIRST] = "first",
	[TP_CEP_LAST] = "last",   [TP_CEP_MIN] = "min",         [TP_CEP_MAX] = "max",
	[TP_CEP_VWAP] = "vwap",   [TP_CEP_MOVE_BPS] = "move_bps" };
static const char *const op_names[TP_CEP_OP_END] = {
	[TP_CEP_GT] = ">", [TP_CEP_GE] = ">=", [TP_CEP_LT] = "<", [TP_CEP_LE] = "<=" };
static const char *const price_names[TP_CEP_PX_END] = {
	[TP_CEP_PX_TRADE] = "trade", [TP_CEP_PX_MID] = "mid", [TP_CEP_PX_EVENT] = "event" };

#define NAME_OF(tab, i) (((i) > 0 && (unsigned)(i) < sizeof(tab) / sizeof(tab[0])) ? tab[i] : NULL)

const char *tp_cep_kind_name(int kind)
{
	return (kind > 0 && kind < TP_CEP_KIND_END) ? kinds[kind].name : NULL;
}
const char *tp_cep_action_name(int a) { return NAME_OF(action_names, a); }
const char *tp_cep_group_name(int g) { return NAME_OF(group_names, g); }
const char *tp_cep_agg_name(int a) { return NAME_OF(agg_names, a); }
const char *tp_cep_op_name(int o) { return NAME_OF(op_names, o); }
const char *tp_cep_price_name(int p) { return NAME_OF(price_names, p); }

uint32_t tp_cep_kind_fields(int kind)
{
	return (kind > 0 && kind < TP_CEP_KIND_END) ? kinds[kind].fields : 0;
}

uint32_t tp_cep_kind_required(int kind)
{
	return (kind > 0 && kind < TP_CEP_KIND_END) ? kinds[kind].required : 0;
}

static int name_ok(const char *name)
{
	if (!name || !*name)
		return 0;
	size_t n = 0;
	for (const char *p = name; *p; p++, n++) {
		char ch = *p;
		if (n + 1 >= TP_CEP_NAME_MAX)
			return 0;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		      ch == '_' || ch == '-' || ch == '.'))
			return 0;
	}
	return 1;
}

int tp_cep_rule_defaults(struct tp_cep_rule_def *d, int kind, const char *name)
{
	if (!d || kind <= 0 || kind >= TP_CEP_KIND_END || !name_ok(name))
		return -1;
	memset(d, 0, sizeof(*d));
	memcpy(d->name, name, strlen(name) + 1);
	d->kind = (uint8_t)kind;
	d->action = kinds[kind].action;
	d->group = TP_CEP_BY_SYMBOL;
	d->mode = TP_CEP_SLIDING;
	d->buckets = TP_CEP_MAX_BUCKETS;
	d->op = TP_CEP_GT;
	d->price = TP_CEP_PX_TRADE;
	d->locked = 1;
	d->events = TP_CEP_EV_ALL;
	d->feed = -1;
	d->open_ns = (9ull * 3600 + 30 * 60) * NS_PER_S;
	d->close_ns = 16ull * 3600 * NS_PER_S;
	d->alert_interval_ns = NS_PER_S;
	if (kind == TP_CEP_MSG_RATE)
		d->agg = TP_CEP_COUNT;
	if (kind == TP_CEP_PRICE_MOVE)
		d->agg = TP_CEP_MOVE_BPS;
	return 0;
}

static int is_price_agg(int agg)
{
	return agg == TP_CEP_FIRST || agg == TP_CEP_LAST || agg == TP_CEP_MIN || agg == TP_CEP_MAX ||
	       agg == TP_CEP_VWAP || agg == TP_CEP_MOVE_BPS;
}

static int is_windowed(int kind)
{
	return kind == TP_CEP_WINDOW || kind == TP_CEP_PRICE_MOVE || kind == TP_CEP_MSG_RATE;
}

void tp_cep_rule_normalize(const struct tp_cep_rule_def *in, struct tp_cep_rule_def *out)
{
	*out = *in;
	switch (in->kind) {
	case TP_CEP_PRICE_MOVE:
		out->agg = TP_CEP_MOVE_BPS;
		out->events = in->price == TP_CEP_PX_TRADE ? TP_CEP_EV_TRADES : TP_CEP_EV_ALL;
		break;
	case TP_CEP_MSG_RATE:
		out->agg = TP_CEP_COUNT;
		break;
	case TP_CEP_WINDOW:
		if (is_price_agg(in->agg) && in->price == TP_CEP_PX_TRADE)
			out->events &= TP_CEP_EV_TRADES;
		break;
	case TP_CEP_CROSSED_BOOK:
		out->group = TP_CEP_BY_SYMBOL;
		out->events = TP_CEP_EV_ALL;
		break;
	case TP_CEP_FEED_SILENT:
		/* Any arrival proves the feed alive, a gap report included. */
		out->group = TP_CEP_BY_FEED;
		out->events = TP_CEP_EV_ALL | TP_CEP_EV(TP_EV_GAP);
		break;
	case TP_CEP_SEQ_GAP:
		out->group = TP_CEP_BY_FEED;
		out->events = TP_CEP_EV(TP_EV_GAP);
		break;
	case TP_CEP_OVERFLOW:
		out->group = TP_CEP_BY_ALL;
		out->events = 0;
		break;
	default:
		break;
	}
	if (is_windowed(in->kind)) {
		if (in->mode == TP_CEP_TUMBLING)
			out->buckets = 1;
		if (!is_price_agg(out->agg))
			out->price = 0;
	} else {
		out->mode = 0;
		out->buckets = 0;
		out->agg = 0;
		out->window_ns = 0;
	}
}

#define FAIL(...)                                          \
	do {                                               \
		if (err && errlen)                         \
			snprintf(err, errlen, __VA_ARGS__); \
		return -1;                                 \
	} while (0)

int tp_cep_rule_check(const struct tp_cep_rule_def *d, char *err, size_t errlen)
{
	if (!d)
		FAIL("no rule definition");
	if (!name_ok(d->name))
		FAIL("rule name '%.*s' must be 1..%d characters of A-Z a-z 0-9 _ . -",
		     TP_CEP_NAME_MAX, d->name, TP_CEP_NAME_MAX - 1);
	const char *n = d->name;
	if (d->kind <= 0 || d->kind >= TP_CEP_KIND_END)
		FAIL("rule.%s: unknown kind %d", n, d->kind);
	if (d->action <= 0 || d->action >= TP_CEP_ACTION_END)
		FAIL("rule.%s: unknown action %d", n, d->action);
	if (d->op <= 0 || d->op >= TP_CEP_OP_END)
		FAIL("rule.%s: unknown op %d", n, d->op);
	if (d->threshold < 0)
		FAIL("rule.%s: threshold must be >= 0", n);
	if (d->feed < -1 || d->feed > 65535)
		FAIL("rule.%s: feed must be a feed id 0..65535 (or -1 for every feed)", n);
	if (d->alert_interval_ns > DAY_NS)
		FAIL("rule.%s: alert_interval must be at most 24h", n);

	struct tp_cep_rule_def x;
	tp_cep_rule_normalize(d, &x);
	if (is_windowed(d->kind)) {
		if (x.group <= 0 || x.group >= TP_CEP_GROUP_END)
			FAIL("rule.%s: unknown group %d", n, x.group);
		if (x.mode != TP_CEP_SLIDING && x.mode != TP_CEP_TUMBLING)
			FAIL("rule.%s: unknown mode %d", n, x.mode);
		if (x.buckets < 1 || x.buckets > TP_CEP_MAX_BUCKETS || (x.buckets & (x.buckets - 1)))
			FAIL("rule.%s: buckets must be a power of two from 1 to %d", n,
			     TP_CEP_MAX_BUCKETS);
		if (x.window_ns == 0 || x.window_ns > DAY_NS)
			FAIL("rule.%s: window must be from 1ns to 24h", n);
		if (x.window_ns < x.buckets)
			FAIL("rule.%s: window %lluns is shorter than its %u buckets (1ns each at least)",
			     n, (unsigned long long)x.window_ns, x.buckets);
		if (x.agg <= 0 || x.agg >= TP_CEP_AGG_END)
			FAIL("rule.%s: unknown aggregate %d", n, x.agg);
		if (is_price_agg(x.agg) && (x.price <= 0 || x.price >= TP_CEP_PX_END))
			FAIL("rule.%s: unknown price source %d", n, x.price);
		if (x.agg == TP_CEP_VWAP && x.price == TP_CEP_PX_MID)
			FAIL("rule.%s: vwap needs quantities: price must be trade or event, not mid", n);
		if (d->events & ~(TP_CEP_EV_ALL | TP_CEP_EV(TP_EV_GAP)))
			FAIL("rule.%s: events names an unknown event kind", n);
		if (x.events == 0)
			FAIL("rule.%s: no event kind left to count (events%s)", n,
			     x.price == TP_CEP_PX_TRADE && is_price_agg(x.agg)
				     ? " with price = trade keeps only execute and trade"
				     : " is empty");
	}
	if (x.action == TP_CEP_HALT_SYMBOL && x.group != TP_CEP_BY_SYMBOL)
		FAIL("rule.%s: action halt_symbol needs group = symbol (this rule groups by %s)", n,
		     tp_cep_group_name(x.group));
	if (d->kind == TP_CEP_CROSSED_BOOK || d->kind == TP_CEP_FEED_SILENT) {
		if (d->duration_ns == 0 || d->duration_ns > DAY_NS)
			FAIL("rule.%s: duration must be from 1ns to 24h", n);
	}
	if (d->kind == TP_CEP_FEED_SILENT && !(d->open_ns < d->close_ns && d->close_ns <= DAY_NS))
		FAIL("rule.%s: the session must open before it closes, within the day (open < close <= 24:00)",
		     n);
	return 0;
}
