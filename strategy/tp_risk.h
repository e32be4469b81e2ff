/* Pre-trade risk guard, run in line on every order (SEC 15c3-5 and the FIA's list of
 * pre-trade controls): order size, order notional, a price collar around the market, a
 * position limit that counts working orders, a credit limit over working and filled
 * notional, an order-rate throttle, duplicate-order detection, a limit on repeated
 * executions and a stale-market-data check.
 *
 * Fail closed: every limit has an explicit `set` bit, and an order meeting a limit that was
 * never set is rejected (TP_RISK_R_UNCONFIGURED). To switch a check off, set it to a value
 * that never binds, so the choice is written down.
 *
 * Time is the caller's clock, market time in replay (tp_event.exch_ts_ns), so a backtest
 * gives the same answers however fast it runs.
 *
 * When in doubt, halt: repeated breaches of a reason (configurable: N rejects within a
 * window) and any internal inconsistency (a fill or cancel for more than is working, a
 * counter that would overflow) halt through the kill-switch. The guard holds only a
 * tp_ks_halter: it can halt, never resume.
 *
 * Memory: per-symbol state for all 65536 locates and every window is allocated at create;
 * nothing allocates afterwards. One thread owns a tp_risk (the CEP+risk lcore). */
#ifndef TP_RISK_H
#define TP_RISK_H

#include <stdint.h>

#include "tp_event.h"
#include "tp_ks_halter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An order as the strategy asks for it. Prices are in feed units (ITCH: 1/10000 USD), which
 * are also OUCH 5.0's (4 implied decimals). */
struct tp_order {
	uint16_t locate;
	uint8_t side;   /* 'B' or 'S' */
	uint8_t tif;    /* OUCH Time In Force; 0 = the gateway's default */
	uint32_t qty;
	uint32_t price;
};

enum tp_risk_reason {
	TP_RISK_OK = 0,
	TP_RISK_R_BAD_ORDER,      /* side not B/S, zero quantity or price */
	TP_RISK_R_UNCONFIGURED,   /* a limit this order meets was never set: fail closed */
	TP_RISK_R_STALE_DATA,     /* no book update for the symbol within stale_ns, or the
	                             feed flagged its book stale */
	TP_RISK_R_MAX_QTY,
	TP_RISK_R_MAX_NOTIONAL,
	TP_RISK_R_PRICE_COLLAR,   /* too far through the market (or the reference price) */
	TP_RISK_R_NO_REFERENCE,   /* the collar has nothing to measure against */
	TP_RISK_R_POSITION,       /* position + working orders would pass the limit */
	TP_RISK_R_CREDIT,         /* working + filled notional would pass the limit */
	TP_RISK_R_DUPLICATE,      /* same symbol/side/price/qty within dup_window_ns */
	TP_RISK_R_RATE,           /* more than rate_max_orders within rate_window_ns */
	TP_RISK_R_REPEATED_EXEC,  /* more than max_fills fills within fills_window_ns */
	TP_RISK_R_CAPACITY,       /* more orders inside the duplicate window than it can hold
	                             (4096): unable to tell, so refused */
	TP_RISK_R_INTERNAL,       /* inconsistent state: the guard halted */
	TP_RISK_R_COUNT
};

/* Bits of tp_risk_limits.set, one per limit. */
#define TP_RISK_L_MAX_QTY       (1u << 0)
#define TP_RISK_L_MAX_NOTIONAL  (1u << 1)
#define TP_RISK_L_COLLAR        (1u << 2)
#define TP_RISK_L_POSITION      (1u << 3)
#define TP_RISK_L_CREDIT        (1u << 4)
#define TP_RISK_L_RATE          (1u << 5)
#define TP_RISK_L_DUPLICATE     (1u << 6)
#define TP_RISK_L_REPEATED_EXEC (1u << 7)
#define TP_RISK_L_STALE         (1u << 8)
#define TP_RISK_L_ALL           0x1ffu

#define TP_RISK_MAX_RATE 65536u     /* largest rate_max_orders */
#define TP_RISK_MAX_FILLS 65536u    /* largest max_fills */
#define TP_RISK_MAX_ESCALATE 64u    /* largest escalation count */

struct tp_risk_escalation {
	uint32_t count;      /* halt after this many rejects of the reason within window; 0 = never */
	uint64_t window_ns;
};

struct tp_risk_limits {
	uint32_t set;                 /* TP_RISK_L_* bits of the limits below that are set */
	uint32_t max_order_qty;       /* shares per order */
	uint64_t max_order_notional;  /* price * qty per order, in price units * shares */
	uint32_t collar_bps;          /* buy: price <= ask * (1 + bps/10^4); sell: price >=
	                                 bid * (1 - bps/10^4); reference price when that side
	                                 is empty. At most 10000. */
	uint32_t max_position;        /* per symbol, shares: long and short, working included */
	uint64_t max_gross_notional;  /* credit: all working + all filled notional */
	uint32_t rate_max_orders;     /* orders accepted ... */
	uint64_t rate_window_ns;      /* ... per sliding window */
	uint64_t dup_window_ns;       /* same symbol/side/price/qty inside this window */
	uint32_t max_fills;           /* fills allowed ... */
	uint64_t fills_window_ns;     /* ... per sliding window */
	uint64_t stale_ns;            /* longest time since the symbol's last book update */

	struct tp_risk_escalation escalate[TP_RISK_R_COUNT]; /* by reason */
	int escalate_symbol_scope;    /* 1: escalation halts the order's symbol; 0: global */
};

struct tp_risk_stats {
	uint64_t checked;
	uint64_t accepted;            /* orders committed */
	uint64_t rejects[TP_RISK_R_COUNT];
	uint64_t escalations;         /* halts requested by escalation */
	uint64_t internal_errors;
	uint64_t fills;
	uint64_t gross_used;          /* working + filled notional now */
};

struct tp_risk;

/* NULL when limits are out of range (err says which) or memory is short. A limit whose set
 * bit is clear is not an error here: orders meet it and are rejected. `halter` may be NULL
 * only in tests that want no halts (escalations and internal errors are then only counted). */
struct tp_risk *tp_risk_create(const struct tp_risk_limits *lim, struct tp_ks_halter *halter,
			       char *err, unsigned errlen);
void tp_risk_free(struct tp_risk *r);

/* ---- market data (every event) ---- */

/* Takes the BBO after each book update, the print of executions and trades (the last price
 * backs the collar when a side is empty) and the feed's stale flag (TP_EVF_BOOK_STALE: the
 * symbol is refused until an update arrives without it). */
void tp_risk_on_event(struct tp_risk *r, const struct tp_event *ev);
/* Reference price for the collar when the book side is empty (e.g. the previous close). */
void tp_risk_set_ref_price(struct tp_risk *r, uint16_t locate, uint32_t price);

/* ---- orders ---- */

/* Checks one order at time now_ns. TP_RISK_OK, or the first reason it fails; a failure is
 * counted and may escalate to a halt. Changes nothing else: call tp_risk_commit once the
 * order has really gone out. */
enum tp_risk_reason tp_risk_check(struct tp_risk *r, const struct tp_order *o, uint64_t now_ns);
/* The order was sent: counts it as working, in the rate window and the duplicate table. */
void tp_risk_commit(struct tp_risk *r, const struct tp_order *o, uint64_t now_ns);

/* Working quantity left the book without a fill (cancel acknowledged, order expired or
 * rejected by the exchange). `price` is the order's. Returns 0, or -1 on an inconsistency
 * (more than was working): counted, halted, state clamped. */
int tp_risk_on_cancel(struct tp_risk *r, uint16_t locate, uint8_t side, uint32_t price,
		      uint32_t qty, uint64_t now_ns);
/* An execution of qty at exec_price of a working order with limit `price`. Moves working to
 * position and filled notional; enters the repeated-execution window. Returns 0 or -1 as
 * above. */
int tp_risk_on_fill(struct tp_risk *r, uint16_t locate, uint8_t side, uint32_t price,
		    uint32_t exec_price, uint32_t qty, uint64_t now_ns);

/* The guard found something it cannot explain (e.g. the gateway's books disagree with it):
 * counts it and halts globally (reason TP_KS_R_INTERNAL). */
void tp_risk_internal_error(struct tp_risk *r, const char *who, uint64_t now_ns);

/* ---- views ---- */

void tp_risk_stats(const struct tp_risk *r, struct tp_risk_stats *out);
int64_t tp_risk_position(const struct tp_risk *r, uint16_t locate);
uint64_t tp_risk_working(const struct tp_risk *r, uint16_t locate, uint8_t side);
const char *tp_risk_reason_name(enum tp_risk_reason why);
/* Fills a limits struct with every limit unset and no escalation: a starting point. */
void tp_risk_limits_init(struct tp_risk_limits *lim);

#ifdef __cplusplus
}
#endif

#endif /* TP_RISK_H */
