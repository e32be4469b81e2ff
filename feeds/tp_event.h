/* The normalized market-data event: what every feed decoder produces and every downstream
 * stage consumes. One cache line, so one ring slot is one line and a burst of events is a
 * run of whole lines. */
#ifndef TP_EVENT_H
#define TP_EVENT_H

#include <stdint.h>

enum tp_event_kind {
	TP_EV_NONE = 0,
	TP_EV_ADD,          /* A, F: order added to the book */
	TP_EV_EXECUTE,      /* E, C: order executed (qty = executed shares, price = exec price) */
	TP_EV_CANCEL,       /* X: part of an order cancelled (qty = cancelled shares) */
	TP_EV_DELETE,       /* D: order removed */
	TP_EV_REPLACE,      /* U: order replaced (order_ref = new ref) */
	TP_EV_TRADE,        /* P, Q, B: trade that does not touch the book */
	TP_EV_STATUS,       /* S, H, Y, L, V, W, K, J, h, I, N, O, R: state and reference data */
	TP_EV_GAP,          /* sequence gap declared: seq = first missing, qty = missing count */
};

/* tp_event.flags */
#define TP_EVF_BOOK_STALE 0x01u /* the book of this stock may miss updates (unfilled gap) */
#define TP_EVF_REPLAY     0x02u /* produced by a replay, not a live port */

struct tp_event {
	uint8_t kind;          /* enum tp_event_kind */
	uint8_t msg_type;      /* feed message type, ITCH: the type letter */
	uint8_t side;          /* 'B', 'S', or 0 */
	uint8_t flags;         /* TP_EVF_* */
	uint16_t stock_locate; /* feed's instrument id; symbol via the feed's stock directory */
	uint16_t feed_id;      /* which configured feed (session) produced it */
	uint64_t exch_ts_ns;   /* exchange time: ns since midnight for ITCH */
	uint64_t rx_tsc;       /* TSC at RX of the carrying packet (0 in pure file replay) */
	uint64_t seq;          /* transport sequence number of the message (MoldUDP64) */
	uint64_t order_ref;    /* order reference number, 0 when not applicable */
	uint32_t price;        /* feed units: ITCH = 1/10000 USD */
	uint32_t qty;
	/* Top of book of this stock after the update; 0/0 when a side is empty. */
	uint32_t bid_px;
	uint32_t bid_qty;
	uint32_t ask_px;
	uint32_t ask_qty;
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct tp_event) == 64, "tp_event must be exactly one cache line");

#endif
