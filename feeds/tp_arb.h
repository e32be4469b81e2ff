/* MoldUDP64 sequencing with A/B line arbitration, one instance per session.
 *
 * Both lines carry the same packets; whichever copy arrives first is used and the other is a
 * duplicate. A packet ahead of the next expected sequence waits (as a copy, in storage
 * allocated at create) for the other line to fill the hole before it. A hole nobody fills
 * within the window is declared a gap, and delivery goes on after it.
 *
 * Use:
 *     tp_arb_push(a, payload, len, line, now_ns);      (or tp_arb_tick / tp_arb_finish)
 *     struct tp_arb_item it;
 *     while (tp_arb_next(a, &it) != TP_ARB_NONE) ...   messages and gaps, in sequence order
 *
 * Lifetime of what tp_arb_next() yields: until the next push/tick/finish. Messages of the
 * packet just pushed point into the caller's buffer (no copy on the in-order path), so drain
 * with tp_arb_next() before releasing that buffer. Whatever is not drained before the next
 * push/tick/finish is discarded (the counters already include it).
 *
 * Time: every decision uses the `now_ns` given by the caller (the capture clock in replay),
 * never a clock of its own, so a replay gives the same result however fast it runs.
 *
 * Nothing here allocates after tp_arb_create(), locks, or makes a system call. */
#ifndef TP_ARB_H
#define TP_ARB_H

#include <stdint.h>

#include "tp_mold.h"

#define TP_ARB_DEFAULT_MAX_PKTS   64u
#define TP_ARB_DEFAULT_WINDOW_NS  100000u
#define TP_ARB_DEFAULT_PKT_BYTES  2048u   /* > 1472, the UDP payload of a 1500-byte MTU */

struct tp_arb_params {
	uint32_t max_pkts;        /* reorder buffer bound in packets (0 = default 64, max 65535) */
	uint64_t window_ns;       /* longest a packet may wait for a hole to fill (0 = 100000) */
	uint32_t max_pkt_bytes;   /* largest datagram the buffer can hold (0 = 2048) */
	uint64_t start_seq;       /* 0: the first packet seen sets the expected sequence */
	const uint8_t *session;   /* NULL: take the first packet's session; else 10 bytes */
};

struct tp_arb_stats {
	uint64_t packets;          /* every datagram pushed, valid or not, either line */
	uint64_t packets_line[2];
	uint64_t heartbeats;
	uint64_t end_of_session;   /* end-of-session packets received */
	uint64_t messages;         /* messages delivered (in order, each exactly once) */
	uint64_t duplicates;       /* messages discarded: already delivered, already waiting, or
				    * inside a hole that was already declared lost */
	uint64_t gap_events;       /* holes declared lost */
	uint64_t messages_missing; /* sum of the declared holes' sizes */
	uint64_t malformed;        /* packets rejected: bad framing, bad line number, other session */
	uint64_t foreign;          /* of `malformed`: packets of another session */
	uint64_t malformed_rc[TP_MOLD_ERR__COUNT]; /* of `malformed`: framing errors by reason */
	uint64_t reorder_waits;    /* packets that had to wait in the reorder buffer */
	uint64_t reorder_filled;   /* waiting packets released because their hole was filled */
	uint64_t gaps_by_time;     /* of gap_events: the window ran out */
	uint64_t gaps_by_space;    /* of gap_events: the buffer was full (or the packet too big) */
	uint64_t gaps_at_finish;   /* of gap_events: declared by tp_arb_finish() */
	uint64_t oversize;         /* out-of-order packets larger than max_pkt_bytes */
};

/* What a push did with the packet. */
enum tp_arb_push_rc {
	TP_ARB_IN_ORDER = 0,  /* delivered (possibly partly, when it overlapped what was seen) */
	TP_ARB_BUFFERED,      /* ahead of the expected sequence: waits for the hole to fill */
	TP_ARB_DUPLICATE,     /* nothing new in it */
	TP_ARB_MALFORMED,     /* bad framing or bad line number */
	TP_ARB_FOREIGN,       /* another session */
};

enum tp_arb_kind {
	TP_ARB_NONE = 0,      /* nothing (more) to deliver */
	TP_ARB_MSG,           /* it.msg / it.len is message it.seq */
	TP_ARB_GAP,           /* it.count messages from it.seq were declared lost */
};

struct tp_arb_item {
	const uint8_t *msg;
	uint64_t seq;
	uint64_t count;       /* GAP: messages missing; MSG: 1 */
	uint16_t len;
	uint8_t line;         /* MSG: the line whose copy was used */
};

struct tp_arb;

/* Fills unset (zero) fields with the defaults. */
void tp_arb_params_defaults(struct tp_arb_params *p);
/* NULL when the parameters are out of range or memory is short. */
struct tp_arb *tp_arb_create(const struct tp_arb_params *p);
void tp_arb_free(struct tp_arb *a);

/* One UDP payload from line 0 (A) or 1 (B) at capture time now_ns. */
enum tp_arb_push_rc tp_arb_push(struct tp_arb *a, const uint8_t *payload, size_t len,
				unsigned line, uint64_t now_ns);
/* Time passes without traffic: waits that ran out become gaps. */
void tp_arb_tick(struct tp_arb *a, uint64_t now_ns);
/* End of input: everything still waiting is delivered, the holes before it declared. */
void tp_arb_finish(struct tp_arb *a);

/* The next message or gap, in sequence order; TP_ARB_NONE when drained. */
enum tp_arb_kind tp_arb_next(struct tp_arb *a, struct tp_arb_item *it);

const struct tp_arb_stats *tp_arb_stats(const struct tp_arb *a);
/* Next sequence to deliver; 0 before the first packet (unless start_seq was given). */
uint64_t tp_arb_expected(const struct tp_arb *a);
/* Packets waiting in the reorder buffer. */
uint32_t tp_arb_waiting(const struct tp_arb *a);
/* The first open hole (what a retransmission request would ask for): returns 1 and sets
 * *seq / *count when a packet waits behind a hole, 0 otherwise. */
int tp_arb_front_hole(const struct tp_arb *a, uint64_t *seq, uint64_t *count);
/* The session (10 bytes), or NULL before the first valid packet. */
const uint8_t *tp_arb_session(const struct tp_arb *a);
/* 1 once an end-of-session packet was seen. */
int tp_arb_ended(const struct tp_arb *a);

#endif
