/* CEP: rules over exchange-time windows of the event stream, evaluated on the CEP + risk
 * lcore, that alert or halt through the kill-switch microseconds after the breaking event.
 *
 * Time. Every window, duration and rate limit runs on EXCHANGE time (tp_event.exch_ts_ns),
 * never the wall clock, so a replay decides exactly what the live run decided, however fast
 * it ran. The engine keeps `now` = the latest exchange time seen (events, ticks, overflow
 * reports); it never goes backwards. TP_EV_GAP events carry no exchange time: they are taken
 * to happen at `now`.
 *
 * Memory. Everything is allocated by tp_cep_create(): per-group state for symbols (a pool of
 * max_groups, a slot handed out on a locate's first event and kept for the day), for feeds
 * (TP_CEP_MAX_FEEDS) and one global group, plus a bounded alert ring. Nothing on the event
 * path allocates, locks or makes a system call; when the symbol pool is exhausted the events
 * of the new locates skip the symbol rules and are counted (tp_cep_stats.groups_full).
 *
 * Windows. A window rule keeps B sub-buckets (B a power of two, 1..64) of width
 * w = floor(W / B) per group, in a ring. Tumbling windows are B = 1: the window is
 * [k*W, (k+1)*W) of exchange time and starts empty at each boundary. Sliding windows hold the
 * current bucket and the B - 1 before it. The precision trade-off, exactly: at time t an
 * event of age a = t - ts
 *   - is never counted when a >= B * w (so never when a >= W: "just outside" stays out),
 *   - is always counted when a <= (B - 1) * w,
 *   - in between it depends on where t falls inside its bucket.
 * So the sliding window's effective length lies in ((B-1)*w, B*w]; with B = 64 the edge is
 * blurred by 1/64 of W. The alternative, a per-group ring of events, is exact but unbounded
 * for a busy symbol or needs a cap that silently truncates; buckets keep memory fixed per
 * group (a header line plus B small cells) and the work per event O(1) amortised.
 * Aggregates: count, sum of quantity, first/last/min/max price, VWAP, and price move in bps
 * (|last - first| * 10000 / first, the first being the first price of the oldest live
 * bucket). Count and sums are kept as running totals (bucket contents subtracted when a
 * bucket expires); min/max and first are recomputed from the live buckets only when buckets
 * expire (at most once per bucket width per group), so the common event costs a few adds.
 * An event older than its group's newest bucket (exchange time going backwards within a
 * group: rare, e.g. two feeds in one group) is added to the newest bucket and counted
 * (tp_cep_stats.late).
 *
 * Evaluation. After each update the rule compares its aggregate with its threshold
 * (`value OP threshold`, OP one of > >= < <=, all in exact integer arithmetic: VWAP and the
 * move in bps are compared by cross-multiplication, never by a rounded quotient). When the
 * comparison holds the rule fires:
 *   - alert: one alert record, at most one per rule and group per alert_interval of
 *     exchange time (the rest are counted as suppressed);
 *   - halt_symbol: tp_ks_halter_halt(SYMBOL, locate, TP_KS_R_RULE_BASE + rule id,
 *     "cep:<name>", exchange ts), then the record. One halt per symbol per rule: while the
 *     symbol's kill-switch word stays halted the rule does not fire again for it; once the
 *     ops console has resumed it the rule is re-armed. A rule can only halt: the halter
 *     handle it gets cannot resume.
 *   - halt_all: the same on the global scope, one halt per rule until resumed.
 *
 * Built-in kinds (tp_cep_rules.c; defaults in strategy/rules.ini.sample):
 *   window        the general form: events filter, group, window, aggregate, OP, threshold
 *   price_move    move_bps of trade prices (TP_EV_EXECUTE, TP_EV_TRADE) or of the mid
 *                 ((bid + ask) / 2, rounded down to a feed unit, from events whose book has
 *                 both sides) per symbol > X bps within W -> halt_symbol
 *   msg_rate      count of events per window > N -> alert
 *   crossed_book  bid_px >= ask_px (or > with locked = false), both non-zero, lasting longer
 *                 than T (now - start > T) -> alert or halt_symbol. Checked on the symbol's
 *                 own events and on tp_cep_tick (the book only changes with its events).
 *   feed_silent   no event on a feed for longer than T of exchange time while the session
 *                 is open ([open, close) as times of day; silence counts from open at the
 *                 earliest) -> alert. Checked on every event of ANY feed and on
 *                 tp_cep_tick; one firing per silence episode. A feed is known from its
 *                 first event.
 *   seq_gap       a TP_EV_GAP event (qty = messages missing) with qty > threshold (default
 *                 0) -> halt_all
 *   overflow      tp_cep_on_overflow(drops) with drops > threshold (default 0) -> halt_all
 *
 * One thread owns an engine; nothing here is synchronised. */
#ifndef TP_CEP_H
#define TP_CEP_H

#include <stddef.h>
#include <stdint.h>

#include "tp_event.h"
#include "tp_ks_halter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A rule name, NUL included: "cep:" + name must fit the kill-switch's `who` (32). */
#define TP_CEP_NAME_MAX 28
#define TP_CEP_MAX_RULES 64
#define TP_CEP_MAX_FEEDS 64          /* feed groups (distinct feed_id values) */
#define TP_CEP_MAX_GROUPS 65535u     /* symbol groups */
#define TP_CEP_MAX_BUCKETS 64
#define TP_CEP_ALERT_CAP 4096u       /* alert records held until drained (power of two) */

enum tp_cep_kind {
	TP_CEP_WINDOW = 1,
	TP_CEP_PRICE_MOVE,
	TP_CEP_MSG_RATE,
	TP_CEP_CROSSED_BOOK,
	TP_CEP_FEED_SILENT,
	TP_CEP_SEQ_GAP,
	TP_CEP_OVERFLOW,
	TP_CEP_KIND_END
};

enum tp_cep_action { TP_CEP_ALERT = 1, TP_CEP_HALT_SYMBOL, TP_CEP_HALT_ALL, TP_CEP_ACTION_END };

enum tp_cep_group { TP_CEP_BY_SYMBOL = 1, TP_CEP_BY_FEED, TP_CEP_BY_ALL, TP_CEP_GROUP_END };

enum tp_cep_mode { TP_CEP_SLIDING = 1, TP_CEP_TUMBLING, TP_CEP_MODE_END };

enum tp_cep_agg {
	TP_CEP_COUNT = 1,  /* events in the window */
	TP_CEP_SUM_QTY,    /* sum of tp_event.qty */
	TP_CEP_FIRST,      /* first price of the oldest live bucket */
	TP_CEP_LAST,       /* price of the latest event */
	TP_CEP_MIN,
	TP_CEP_MAX,
	TP_CEP_VWAP,       /* sum(price * qty) / sum(qty), feed price units */
	TP_CEP_MOVE_BPS,   /* |last - first| * 10000 / first */
	TP_CEP_AGG_END
};

enum tp_cep_op { TP_CEP_GT = 1, TP_CEP_GE, TP_CEP_LT, TP_CEP_LE, TP_CEP_OP_END };

/* Where a price aggregate takes its prices from. */
enum tp_cep_price {
	TP_CEP_PX_TRADE = 1, /* TP_EV_EXECUTE and TP_EV_TRADE with a non-zero price */
	TP_CEP_PX_MID,       /* (bid_px + ask_px) / 2 of events whose book has both sides */
	TP_CEP_PX_EVENT,     /* tp_event.price of any selected event, when non-zero */
	TP_CEP_PX_END
};

/* Event kinds as bits for tp_cep_rule_def.events. */
#define TP_CEP_EV(k) (1u << (k))
#define TP_CEP_EV_ALL                                                                   \
	(TP_CEP_EV(TP_EV_ADD) | TP_CEP_EV(TP_EV_EXECUTE) | TP_CEP_EV(TP_EV_CANCEL) |      \
	 TP_CEP_EV(TP_EV_DELETE) | TP_CEP_EV(TP_EV_REPLACE) | TP_CEP_EV(TP_EV_TRADE) |    \
	 TP_CEP_EV(TP_EV_STATUS))
#define TP_CEP_EV_TRADES (TP_CEP_EV(TP_EV_EXECUTE) | TP_CEP_EV(TP_EV_TRADE))

/* A rule as configured. tp_cep_rule_defaults() fills one for a kind; tp_cep_rule_parse()
 * builds one from key=value strings; tp_cep_rule_check() validates one. Fields a kind does
 * not use are ignored. */
struct tp_cep_rule_def {
	char name[TP_CEP_NAME_MAX];
	uint8_t kind;          /* enum tp_cep_kind */
	uint8_t action;        /* enum tp_cep_action */
	uint8_t group;         /* enum tp_cep_group */
	uint8_t mode;          /* enum tp_cep_mode */
	uint8_t buckets;       /* sliding: power of two 1..64; tumbling: 1 */
	uint8_t agg;           /* enum tp_cep_agg */
	uint8_t op;            /* enum tp_cep_op */
	uint8_t price;         /* enum tp_cep_price */
	uint8_t locked;        /* crossed_book: bid == ask counts too */
	uint8_t skip_stale;    /* ignore events flagged TP_EVF_BOOK_STALE */
	uint32_t events;       /* TP_CEP_EV bits of the event kinds that enter the window */
	int32_t feed;          /* only events of this feed_id; -1 = every feed */
	uint64_t window_ns;    /* window length W */
	uint64_t duration_ns;  /* crossed_book, feed_silent: T */
	uint64_t open_ns;      /* feed_silent: session open, ns since midnight */
	uint64_t close_ns;     /* feed_silent: session close (exclusive) */
	uint64_t alert_interval_ns; /* alerts per rule and group at most once per this */
	int64_t threshold;     /* >= 0, in the aggregate's unit (bps for move_bps) */
};

/* One firing, as the dataplane drains it. */
struct tp_cep_alert {
	uint64_t exch_ts_ns;   /* exchange time of the firing */
	uint64_t seq;          /* seq of the breaking event (gap: first missing; 0 on tick/overflow) */
	double value;          /* the aggregate (bps for move_bps, ns for durations, drops) */
	int64_t threshold;     /* what it was compared with (ns for durations) */
	uint16_t rule_id;      /* index in the definitions given to tp_cep_create */
	uint16_t locate;       /* the symbol (0 for feed and global groups) */
	uint16_t feed_id;      /* the event's feed (the silent feed for feed_silent) */
	uint8_t kind;          /* enum tp_cep_kind */
	uint8_t action;        /* enum tp_cep_action taken */
	uint8_t op;            /* enum tp_cep_op */
	uint8_t reserved[3];   /* zero: records compare and log byte for byte */
	char rule[TP_CEP_NAME_MAX];
};
_Static_assert(sizeof(struct tp_cep_alert) == 72, "alert records have no hidden padding");

struct tp_cep_rule_stats {
	char name[TP_CEP_NAME_MAX];
	uint8_t kind, action;
	uint64_t fired;        /* firings recorded (alerts and halts) */
	uint64_t halts;        /* halts requested from the kill-switch */
	uint64_t halt_errors;  /* halt calls that reported an error */
	uint64_t suppressed;   /* comparisons that held but were rate-limited or already halted */
};

struct tp_cep_stats {
	uint64_t events;
	uint64_t ticks;
	uint64_t late;         /* events older than their group's newest bucket */
	uint64_t groups_full;  /* events whose symbol or feed found no free group slot */
	uint64_t alerts;       /* alert records written */
	uint64_t alerts_dropped; /* records lost to a full alert ring (halts still happened) */
	uint64_t overflow_reports, overflow_drops;
	uint32_t symbols, feeds; /* groups in use */
	uint64_t now_ns;
};

/* ---- the kinds (tp_cep_rules.c) ---- */

/* Fields of tp_cep_rule_def a kind reads (its config keys), as bits. */
enum {
	TP_CEP_F_ACTION = 1u << 0,
	TP_CEP_F_GROUP = 1u << 1,
	TP_CEP_F_WINDOW = 1u << 2,
	TP_CEP_F_MODE = 1u << 3,
	TP_CEP_F_BUCKETS = 1u << 4,
	TP_CEP_F_EVENTS = 1u << 5,
	TP_CEP_F_PRICE = 1u << 6,
	TP_CEP_F_AGG = 1u << 7,
	TP_CEP_F_OP = 1u << 8,
	TP_CEP_F_THRESHOLD = 1u << 9,
	TP_CEP_F_DURATION = 1u << 10,
	TP_CEP_F_LOCKED = 1u << 11,
	TP_CEP_F_OPEN = 1u << 12,
	TP_CEP_F_CLOSE = 1u << 13,
	TP_CEP_F_FEED = 1u << 14,
	TP_CEP_F_SKIP_STALE = 1u << 15,
	TP_CEP_F_ALERT_INTERVAL = 1u << 16,
};
/* Fields the kind uses / that a config must give (0 for an unknown kind). */
uint32_t tp_cep_kind_fields(int kind);
uint32_t tp_cep_kind_required(int kind);

/* Fills every field with the defaults of `kind` (see rules.ini.sample); name is copied.
 * 0, or -1 for an unknown kind or a name that is empty, too long, or not [A-Za-z0-9_.-]. */
int tp_cep_rule_defaults(struct tp_cep_rule_def *d, int kind, const char *name);

/* Validates a definition however it was built. 0, or -1 with a reason in err. */
int tp_cep_rule_check(const struct tp_cep_rule_def *d, char *err, size_t errlen);

/* What the engine runs: the definition with the kind's implied fields filled in (price_move
 * -> agg move_bps and the events its price source needs, msg_rate -> agg count, fixed
 * groups, tumbling -> 1 bucket). Call after tp_cep_rule_check. */
void tp_cep_rule_normalize(const struct tp_cep_rule_def *in, struct tp_cep_rule_def *out);

const char *tp_cep_kind_name(int kind);
const char *tp_cep_action_name(int action);
const char *tp_cep_group_name(int group);
const char *tp_cep_agg_name(int agg);
const char *tp_cep_op_name(int op);
const char *tp_cep_price_name(int price);

/* ---- configuration text (tp_cep_config.c) ---- */

/* One [rule.NAME] section: n key=value pairs. Starts from the defaults of `kind` (a required
 * key), applies the others in order and checks the result. 0, or -1 with a message naming
 * the rule, the key and the reason in err ("rule.x: key 'window': 'abc' is not a duration
 * (e.g. 250us, 10ms, 1s, 5m)"). Unknown keys, keys that do not apply to the kind, repeated
 * keys, bad values and missing required keys are errors. */
int tp_cep_rule_parse(struct tp_cep_rule_def *out, const char *name, const char *const *keys,
		      const char *const *values, int n, char *err, size_t errlen);

/* "250us", "10ms", "1s", "5m", "100ns", "0": 0 or -1. */
int tp_cep_parse_duration(const char *s, uint64_t *ns);
/* "HH:MM", "HH:MM:SS", "HH:MM:SS.fraction" (up to 24:00): ns since midnight; 0 or -1. */
int tp_cep_parse_time_of_day(const char *s, uint64_t *ns);

/* ---- engine (tp_cep.c) ---- */

struct tp_cep;

/* Checks and compiles ndefs rules and allocates every group's state. halter may be NULL
 * only when no rule halts. max_groups: symbols tracked at once (1..65535). NULL with a
 * reason in err. */
struct tp_cep *tp_cep_create(const struct tp_cep_rule_def *defs, unsigned ndefs,
			     struct tp_ks_halter *halter, uint32_t max_groups, char *err,
			     size_t errlen);
void tp_cep_free(struct tp_cep *c);

/* Hot path. Returns the number of firings (alert records and halts) the event caused. */
unsigned tp_cep_on_event(struct tp_cep *c, const struct tp_event *ev);
/* The same for n events in order (what the lcore calls on each burst it dequeues). */
unsigned tp_cep_on_burst(struct tp_cep *c, const struct tp_event *ev, unsigned n);
/* Advances `now` (exchange time) without an event: silence and crossed-book durations. */
unsigned tp_cep_tick(struct tp_cep *c, uint64_t now_ns);
/* The dataplane lost `drops` events to a full ring (since its last report). */
unsigned tp_cep_on_overflow(struct tp_cep *c, uint64_t drops, uint64_t ts_ns);

/* Oldest first; returns how many were written (at most max). */
unsigned tp_cep_alerts_drain(struct tp_cep *c, struct tp_cep_alert *out, unsigned max);
unsigned tp_cep_alerts_pending(const struct tp_cep *c);

unsigned tp_cep_rule_count(const struct tp_cep *c);
/* 0, or -1 for a rule index out of range. */
int tp_cep_rule_stats(const struct tp_cep *c, unsigned rule, struct tp_cep_rule_stats *out);
void tp_cep_stats(const struct tp_cep *c, struct tp_cep_stats *out);

/* The current aggregate of a window rule (window, price_move, msg_rate) for one group (key =
 * locate, feed_id, or ignored for group all), as of that group's latest event. 0 and the
 * value, or -1 (not a window rule), -2 (group never seen), -3 (window empty, or VWAP of no
 * quantity). */
int tp_cep_value(const struct tp_cep *c, unsigned rule, uint16_t key, double *value);

#ifdef __cplusplus
}
#endif

#endif /* TP_CEP_H */
