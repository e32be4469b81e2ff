/* Simulated exchange for backtests: takes the gateway's OUCH messages off the egress ring,
 * delays them by a configured latency in market time, and fills them against the replayed
 * market:
 *  - An order arriving while it crosses the opposite best price (buy >= ask, sell <= bid)
 *    trades at that best price, up to the quantity shown there (less what our earlier orders
 *    already took at that price). Only the top of book is taken; what is left rests at its
 *    limit, or is cancelled for IOC ('3').
 *  - A resting order fills when a later print (execution or trade) goes through its price:
 *    a buy when a print is strictly below its limit, a sell strictly above. It fills at its
 *    own limit, up to the printed quantity, shared among our resting orders in arrival order.
 *  - A Cancel Order reduces the order to the requested size (0 = all) and is confirmed.
 * Orders are processed before a market event with the same timestamp. The BBO comes from the
 * events themselves (tp_event carries it after every update).
 *
 * It keeps the account the strategy would see: per symbol position, cash, realized P&L (by
 * average cost) and unrealized P&L marked to the mid (or the last print when a side is
 * empty). Money is in price units times shares (ITCH: 1/10000 USD). realized = cash + cost
 * basis, unrealized = position * mark - cost basis, so realized + unrealized = cash +
 * position * mark exactly.
 *
 * Deterministic: the same events and orders give the same fills, whatever the speed.
 *
 * A backtest turn, all on one thread:
 *     tp_simex_on_event(sx, ev);           // orders due by ev's time, then ev itself
 *     n = tp_simex_reports(sx, rep, max);  // fills/cancels: to tp_gw_on_report, tp_mm_on_report
 *     tp_risk_on_event(risk, ev); tp_mm_on_event(mm, ev); tp_gw_poll(gw, ev->exch_ts_ns);
 *     tp_simex_take_orders(sx, egress);    // what the strategy sent during this turn
 */
#ifndef TP_SIMEX_H
#define TP_SIMEX_H

#include <stdint.h>

#include "tp_event.h"
#include "tp_gateway.h"
#include "tp_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TP_SIMEX_MAX_SYMBOLS 64u
#define TP_BT_MAX_SYMBOLS TP_SIMEX_MAX_SYMBOLS

struct tp_simex_params {
	uint64_t latency_ns;    /* order entry latency, market time */
	uint32_t max_orders;    /* in flight + resting at once (default 4096) */
	uint32_t max_reports;   /* unread reports held (default 4096); drain every turn */
};

struct tp_simex_stats {
	uint64_t orders_in, cancels_in;
	uint64_t malformed;          /* slots that did not decode */
	uint64_t rejected;           /* unknown symbol, full book: reported 'J' */
	uint64_t cancel_misses;      /* cancel of an order no longer resting */
	uint64_t fills, fill_qty;
	uint64_t aggressive_fills, passive_fills;
	uint64_t reports_lost;       /* report queue full: must stay 0 (drain every turn) */
};

struct tp_simex_position {
	int64_t position;
	int64_t cash;
	int64_t basis;          /* cost of the open position (negative when short) */
	int64_t realized;
	int64_t unrealized;
	uint64_t fills, fill_qty;
	uint32_t mark;
};

struct tp_bt_symbol {
	uint16_t locate;
	char symbol[9];
	int64_t position, cash, realized, unrealized;
	uint64_t fills, fill_qty;
	uint32_t mark;
};

/* The backtest's result: the gateway's counters and the exchange's account. */
struct tp_bt_report {
	uint64_t orders_sent, cancels_sent, blocked_by_halt;
	uint64_t rejected, rejected_by[TP_RISK_R_COUNT];
	uint64_t fills, fill_qty;
	int64_t cash, realized, unrealized, pnl;
	uint32_t nsymbols;
	struct tp_bt_symbol sym[TP_BT_MAX_SYMBOLS];
};

struct tp_simex;

struct tp_simex *tp_simex_create(const struct tp_simex_params *p, char *err, unsigned errlen);
void tp_simex_free(struct tp_simex *sx);

/* The OUCH symbol of a locate (as the gateway names it). 0, or -1 when full or empty. */
int tp_simex_add_symbol(struct tp_simex *sx, uint16_t locate, const char *symbol);

/* Consumes every slot on the egress ring; returns how many. */
uint32_t tp_simex_take_orders(struct tp_simex *sx, struct tp_ring *egress);
/* Market time moves to now_ns: orders due by then arrive and match the current book. */
void tp_simex_advance(struct tp_simex *sx, uint64_t now_ns);
/* tp_simex_advance to the event's time, then the event: BBO, prints, passive fills, marks. */
void tp_simex_on_event(struct tp_simex *sx, const struct tp_event *ev);
/* Takes up to max reports, oldest first. */
uint32_t tp_simex_reports(struct tp_simex *sx, struct tp_exec_report *out, uint32_t max);

void tp_simex_stats(const struct tp_simex *sx, struct tp_simex_stats *out);
int tp_simex_position(const struct tp_simex *sx, uint16_t locate, struct tp_simex_position *out);
/* gw may be NULL (the gateway's counters are then 0). */
void tp_simex_report(const struct tp_simex *sx, const struct tp_gw *gw, struct tp_bt_report *out);

#ifdef __cplusplus
}
#endif

#endif /* TP_SIMEX_H */
