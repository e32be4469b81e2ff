/* The order gateway: the one door every order goes through.
 *
 *   order ─► kill-switch word (acquire) ─► risk guard ─► OUCH 5.0 encode ─► egress tp_ring
 *
 * The kill-switch is read first, on every order, so a halt stops new orders at once. When
 * the gateway sees a halt it has not handled yet (a scope whose word says halted with an
 * epoch it has not acted on), it sends a Cancel Order for every working order of that scope
 * that has no cancel out yet: exactly once per halt epoch. It looks on every blocked order
 * and on every tp_gw_poll(); the poll notices changes through the kill-switch's change
 * counter, so an idle poll costs two atomic loads. The first time it sees each halt epoch
 * it records the TSC and the caller's clock (the tick-to-halt benchmark reads them).
 *
 * Egress elements are fixed-size slots (struct tp_gw_slot) carrying the OUCH bytes and their
 * length; the TX side (or the simulated exchange) is the ring's consumer.
 *
 * Working orders live in a table allocated at create (dense array + hash by UserRefNum); an
 * order stays working until the exchange reports it filled, cancelled or rejected
 * (tp_gw_on_report), and the risk guard counts it the same way. A report that does not fit
 * the gateway's books (unknown order, more shares than are working) is an internal error:
 * counted, and trading halts.
 *
 * One thread owns a gateway (the CEP+risk lcore). Hot path: no allocation, no syscalls. */
#ifndef TP_GATEWAY_H
#define TP_GATEWAY_H

#include <stdint.h>

#include "tp_ks_halter.h"
#include "tp_ouch.h"
#include "tp_risk.h"
#include "tp_ring.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TP_GW_SLOT_SIZE 128u
#define TP_GW_SLOT_MSG (TP_GW_SLOT_SIZE - 16u)

/* One egress ring element. */
struct tp_gw_slot {
	uint16_t len;       /* OUCH bytes in msg */
	uint8_t type;       /* 'O' or 'X' (the message type, repeated for quick filtering) */
	uint8_t pad[5];
	uint64_t ts_ns;     /* gateway clock when sent: market time in replay */
	uint8_t msg[TP_GW_SLOT_MSG];
};
_Static_assert(sizeof(struct tp_gw_slot) == TP_GW_SLOT_SIZE, "egress slot size");
_Static_assert(TP_OUCH_ENTER_LEN + TP_OUCH_MAX_APPENDAGE <= TP_GW_SLOT_MSG, "slot fits OUCH");

/* What the exchange (or the simulated one) says about an order. */
struct tp_exec_report {
	uint8_t type;          /* 'E' executed, 'C' cancelled (qty = shares removed),
	                          'J' rejected (the whole order) */
	uint8_t side;
	uint16_t locate;
	uint32_t user_ref_num;
	uint32_t qty;
	uint32_t price;        /* execution price for 'E' */
	uint64_t ts_ns;        /* exchange (market) time */
};

enum tp_gw_rc {
	TP_GW_SENT = 0,
	TP_GW_BLOCKED = -1,    /* kill-switch: global or the symbol halted */
	TP_GW_REJECTED = -2,   /* risk guard refused (reason via `why`) */
	TP_GW_NO_SYMBOL = -3,  /* no symbol registered for the locate */
	TP_GW_FULL = -4,       /* working-order table full */
	TP_GW_RING_FULL = -5,  /* egress ring full: nothing sent */
	TP_GW_UNKNOWN = -6,    /* cancel: no such working order */
	TP_GW_PENDING = 1,     /* cancel: one is already out */
};

struct tp_gw_params {
	struct tp_ks_halter *halter;  /* required: read on every order, halts on internal errors */
	struct tp_risk *risk;         /* required */
	struct tp_ring *egress;       /* required, elem size TP_GW_SLOT_SIZE */
	uint32_t max_orders;          /* working orders at once (default 4096, max 2^24) */
	uint32_t first_user_ref;      /* first UserRefNum (default 1) */
	/* OUCH defaults (0 = '0' day, 'Y' visible, 'P' principal, 'N' not ISO, 'N' continuous) */
	uint8_t tif, display, capacity, ise, cross_type;
	char firm[5];                 /* non-empty: a Firm appendage on every order */
};

struct tp_gw_stats {
	uint64_t orders_sent;
	uint64_t blocked_by_halt;
	uint64_t rejected;                     /* by the risk guard, all reasons */
	uint64_t rejected_by[TP_RISK_R_COUNT];
	uint64_t no_symbol, table_full, ring_full;
	uint64_t cancels_sent;                 /* every Cancel Order, mass or single */
	uint64_t mass_cancels;                 /* halt epochs acted on */
	uint64_t mass_cancel_orders;           /* cancels sent because of halts */
	uint64_t halts_seen;                   /* halt epochs first seen */
	uint64_t fills, fill_qty;
	uint64_t cancel_acks, exchange_rejects;
	uint64_t bad_reports;                  /* reports that did not fit: internal errors */
	uint32_t working;
};

/* The first sighting of one halt epoch. */
struct tp_gw_sighting {
	uint8_t scope;         /* enum tp_ks_scope */
	uint16_t locate;
	uint16_t reason;
	uint32_t epoch;
	uint64_t tsc;          /* TSC when the gateway first saw it */
	uint64_t now_ns;       /* the caller's clock then */
};

struct tp_gw;

struct tp_gw *tp_gw_create(const struct tp_gw_params *p, char *err, unsigned errlen);
void tp_gw_free(struct tp_gw *gw);

/* Names the instrument of a locate (OUCH Symbol, at most 8 characters) and watches its
 * scope for halts. 0, or -1 for an empty name. */
int tp_gw_set_symbol(struct tp_gw *gw, uint16_t locate, const char *symbol);

/* Sends a new order. TP_GW_SENT with its UserRefNum in *urn (may be NULL), or a negative
 * tp_gw_rc; *why (may be NULL) gets the risk reason (TP_RISK_OK unless rejected). */
int tp_gw_submit(struct tp_gw *gw, const struct tp_order *o, uint64_t now_ns, uint32_t *urn,
		 enum tp_risk_reason *why);
/* Cancels what is left of a working order. TP_GW_SENT, TP_GW_PENDING (one is already out),
 * TP_GW_UNKNOWN or TP_GW_RING_FULL. */
int tp_gw_cancel(struct tp_gw *gw, uint32_t urn, uint64_t now_ns);
/* Looks for halts not yet acted on and mass-cancels (also retries a mass cancel the full
 * ring cut short). Call it on every turn of the loop. */
void tp_gw_poll(struct tp_gw *gw, uint64_t now_ns);
/* Applies an exchange report to the working orders and the risk guard. 0, or -1 when the
 * report does not fit (counted, halted). */
int tp_gw_on_report(struct tp_gw *gw, const struct tp_exec_report *rep);

void tp_gw_stats(const struct tp_gw *gw, struct tp_gw_stats *out);
/* The working order of a UserRefNum: 1 and its remaining qty/price/side/locate, or 0. */
int tp_gw_order(const struct tp_gw *gw, uint32_t urn, struct tp_order *out, int *cancel_sent);
/* Halt sightings: how many so far, and the i-th most recent (0 = last) of the last 64. */
uint64_t tp_gw_sightings(const struct tp_gw *gw);
int tp_gw_sighting(const struct tp_gw *gw, uint32_t i, struct tp_gw_sighting *out);

#ifdef __cplusplus
}
#endif

#endif /* TP_GATEWAY_H */
