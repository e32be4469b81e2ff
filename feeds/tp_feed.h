/* One market-data feed, end to end inside feeds/: MoldUDP64 datagrams (or raw ITCH messages
 * from a BinaryFILE) in; sequencing and A/B arbitration, ITCH decode, the L3 book, and
 * normalized tp_events out through a tp_sink.
 *
 * A tp_feed belongs to exactly one thread (the RX lcore that polls its lines). The clock it
 * is given (`now_ns`) is the capture's clock in replay and the TSC-derived wall clock live,
 * so a backtest never depends on how fast it ran. */
#ifndef TP_FEED_H
#define TP_FEED_H

#include <stdint.h>

#include "tp_sink.h"

struct tp_feed;
struct tp_book;

struct tp_feed_params {
	uint16_t feed_id;
	uint32_t reorder_max_pkts;    /* A/B reorder buffer bound in packets (default 64) */
	uint64_t reorder_window_ns;   /* and in time (default 100000 = 100 us) */
	uint32_t max_orders;          /* open orders the book can hold (default 4M) */
};

struct tp_feed_stats {
	uint64_t msgs[256];           /* sequenced messages delivered, per ITCH type letter */
	uint64_t messages_total;
	uint64_t packets;             /* datagrams received on either line */
	uint64_t heartbeats;
	uint64_t gap_events;          /* gaps declared (not filled by the other line in time) */
	uint64_t messages_missing;    /* messages lost in declared gaps */
	uint64_t duplicates;          /* messages discarded as already seen */
	uint64_t malformed;           /* packets or frames rejected */
	uint64_t unknown_refs;        /* messages naming an order the book does not hold */
	uint64_t end_of_session;
};

/* Fills unset (zero) fields with the defaults above. */
void tp_feed_params_defaults(struct tp_feed_params *p);
struct tp_feed *tp_feed_create(const struct tp_feed_params *p);
void tp_feed_free(struct tp_feed *f);

/* One UDP payload carrying MoldUDP64 from line 0 (A) or 1 (B). The messages it releases
 * are applied with the same look-ahead as tp_feed_rx_itch_burst. */
void tp_feed_rx_mold(struct tp_feed *f, const uint8_t *payload, uint32_t len, unsigned line,
		     uint64_t now_ns, uint64_t rx_tsc, struct tp_sink *sink);
/* Time passes without traffic: reorder waits that ran out are declared gaps. */
void tp_feed_tick(struct tp_feed *f, uint64_t now_ns, struct tp_sink *sink);
/* End of input: whatever still waits is delivered or declared missing. */
void tp_feed_finish(struct tp_feed *f, struct tp_sink *sink);
/* One ITCH message without transport (BinaryFILE replay); seq is its ordinal from 1. */
void tp_feed_rx_itch(struct tp_feed *f, const uint8_t *msg, uint32_t len, uint64_t seq,
		     struct tp_sink *sink);
/* A run of n ITCH messages without transport, seq first_seq, first_seq + 1, ...: the same
 * result as tp_feed_rx_itch() on each in turn, faster because the book lines a message
 * needs are fetched a few messages before it is applied. Every msgs[i] must stay valid for
 * the whole call (a tp_binfile_next() pointer lasts only until the next call: copy, or use
 * a reader over memory). Bursts of 32 or more amortise the start of the pipeline. */
void tp_feed_rx_itch_burst(struct tp_feed *f, const uint8_t *const *msgs, const uint32_t *lens,
			   uint32_t n, uint64_t first_seq, struct tp_sink *sink);
/* Hint for a caller feeding tp_feed_rx_itch() one message at a time: call it for a message
 * about 8 messages before passing that message on. Reads only msg[0..len), changes nothing. */
void tp_feed_prefetch_itch(const struct tp_feed *f, const uint8_t *msg, uint32_t len);

const struct tp_feed_stats *tp_feed_stats(const struct tp_feed *f);
const struct tp_book *tp_feed_book(const struct tp_feed *f);
/* 1 when the book of this stock may miss updates: a gap was declared on the feed (a lost
 * message can touch any stock, also one not seen yet). */
int tp_feed_is_stale(const struct tp_feed *f, uint16_t stock_locate);
/* Symbol of a stock locate from the stock directory (R) messages seen, or NULL. */
const char *tp_feed_symbol(const struct tp_feed *f, uint16_t stock_locate);

#endif
