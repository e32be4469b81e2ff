/* The generator's market: a session of ITCH 5.0 messages over `stocks` instruments, driven by
 * one PRNG stream, with a model of every live order so that executions, cancels, deletes and
 * replaces only ever name orders that are on the book at that moment.
 *
 * Session layout, by message index (0-based; timestamps are 09:30:00 + index / rate):
 *   set-up   S'O' S'S' V, per stock R H Y L, K, S'Q', per stock Q (opening cross)  5n+5
 *   trading  order flow A F E C X D U P with a mid-price random walk per stock, a few random
 *            I N J B, and seven scheduled rarities J h'H' h'T' O B I N; the last slots are
 *            forced to any order-flow type not yet seen, so that all 23 types appear in every
 *            session of at least tp_gen_model_min_messages() messages
 *   close    W, per stock I and Q (closing cross), S'M' S'E' S'C'                  2n+4
 *
 * Prices: ITCH Price(4), always whole cents. New quotes go within 30 cents of the mid and never
 * cross the opposite best. Each stock holds at most 96 live orders. */
#ifndef TP_GEN_MARKET_MODEL_H
#define TP_GEN_MARKET_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "itch_enc.h"

#define TP_GEN_MAX_STOCKS      10000u
#define TP_GEN_T0_NS           34200000000000ull   /* 09:30:00 in ns since midnight */
#define TP_GEN_DAY_NS          86400000000000ull
#define TP_GEN_SHOCK_BURST_MAX 106u  /* old print, new print, <= 96 deletes, 8 adds */

struct tp_gen_model_cfg {
	uint32_t stocks;       /* 1..TP_GEN_MAX_STOCKS */
	uint64_t messages;     /* >= tp_gen_model_min_messages(stocks) */
	uint64_t rate;         /* messages per second of market time */
	uint64_t seed;
	int shock;             /* nonzero: apply the shock described below */
	uint32_t shock_stock;  /* stock index (locate - 1) */
	double shock_pct;      /* e.g. 10.0 or -10.0 */
	uint64_t shock_at;     /* index of the first message at the shocked price */
};

/* What the shock did: message `index` (a P at the new price) is the first shocked message,
 * message index - 1 is a P at the old price, and the stock's resting orders are deleted and
 * re-quoted around the new price right after. */
struct tp_gen_shock_info {
	uint64_t index;
	uint64_t ts_ns;
	uint32_t price_before;
	uint32_t price_after;
};

/* Top of book, ITCH units; a side with no orders is 0/0 and 0 levels. */
struct tp_gen_book {
	uint32_t bid_px, bid_qty, ask_px, ask_qty;
	uint32_t bid_levels, ask_levels;
};

/* Receives every message in sequence; a nonzero return stops the run with that value. */
typedef int (*tp_gen_sink_fn)(void *ctx, const uint8_t *msg, size_t len, uint64_t index,
			      uint64_t ts_ns);

struct tp_gen_model;

uint64_t tp_gen_model_min_messages(uint32_t stocks);
/* Index range [*first, *last] where a shock's first message may be placed. */
void tp_gen_model_shock_range(uint32_t stocks, uint64_t messages, uint64_t *first,
			      uint64_t *last);
/* Continuous-trading message indices [*start, *end). */
void tp_gen_model_trading_range(uint32_t stocks, uint64_t messages, uint64_t *start,
				uint64_t *end);
uint64_t tp_gen_ts_of(uint64_t index, uint64_t rate);
/* Symbol of stock `index`: AAAA, AAAB, ..., space-padded to 8 bytes (not NUL-terminated). */
void tp_gen_symbol(uint32_t index, char out[8]);

/* NULL when the configuration is invalid or memory is short. */
struct tp_gen_model *tp_gen_model_create(const struct tp_gen_model_cfg *cfg);
void tp_gen_model_free(struct tp_gen_model *m);
/* Generates the whole session into `sink`. Returns 0 or the sink's nonzero value. */
int tp_gen_model_run(struct tp_gen_model *m, tp_gen_sink_fn sink, void *ctx);
/* Messages generated per type, indexed like tp_gen_itch_types. */
const uint64_t *tp_gen_model_counts(const struct tp_gen_model *m);
void tp_gen_model_book(const struct tp_gen_model *m, uint32_t stock, struct tp_gen_book *b);
/* Filled after a run with cfg.shock set. */
const struct tp_gen_shock_info *tp_gen_model_shock(const struct tp_gen_model *m);

#endif
