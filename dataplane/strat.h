/* The strategy chain on the consumer lcore, which is the CEP + risk lcore:
 *
 *   event ─► [replay: simulated exchange: orders due, fills ─► gateway, maker]
 *         ─► CEP rules ─(halt)─► kill-switch word ─► gateway poll: sighting + mass cancel
 *         ─► risk guard (BBO, staleness) ─► market maker ─► gateway (kill-switch, risk, OUCH)
 *         ─► egress ring ─► replay: the simulated exchange takes it, on exchange time
 *                          run: OUCH bytes in UDP/IPv4 frames out of the TX port
 *
 * Everything runs on exchange time (tp_event.exch_ts_ns), per event and in ring order, so a
 * replay gives the same halts, alerts, orders and fills however fast it ran. Orders go to
 * the simulated exchange after every event (not per batch: a batch boundary depends on
 * timing, an event boundary does not).
 *
 * The market maker's symbols are names; their stock locates come from the feed's stock
 * directory. The consumer reads a name when the R message's event reaches it (the RX lcore
 * wrote the directory entry before it published the event: the ring's release/acquire
 * orders the two). The maker itself starts at the first book event of its feed, by when
 * the directory of an ITCH day is complete; a symbol named later is not quoted (reported).
 * That start allocates once (tp_mm_create), before the first quote.
 *
 * One CEP engine per feed: stock locates are per feed, so two feeds' instruments never
 * share a window, and each engine sees its own feed in order whatever the interleaving of
 * several RX rings (a replay stays deterministic with several RX lcores). All engines halt
 * through the one kill-switch, whose symbol scopes are stock locates: with several feeds a
 * halt of locate L in one feed also blocks locate L of the others (the market maker trades
 * on one feed, the one its symbols were found in). [rules] max_symbols is per engine.
 *
 * Owned by the consumer lcore while the pipeline runs; the main thread reads it only after
 * the lcores joined (the report). */
#ifndef TP_DP_STRAT_H
#define TP_DP_STRAT_H

#include <stddef.h>
#include <stdint.h>

#include "config_strategy.h"
#include "latency.h"
#include "tp_cep.h"
#include "tp_event.h"
#include "tp_feed.h"
#include "tp_gateway.h"
#include "tp_killswitch.h"
#include "tp_mm.h"
#include "tp_risk.h"
#include "tp_simex.h"
#include "tx.h"

#define TP_STRAT_HALTS_CAP 4096u  /* halts kept for the report; more are counted */
#define TP_STRAT_EGRESS 4096u     /* egress ring slots (orders and cancels in flight) */

struct tp_strat_halt {
	uint64_t exch_ts_ns;
	uint64_t seq;
	uint16_t locate;
	uint16_t feed_id;
	uint16_t rule_id;
	uint8_t global;
};

/* One symbol of the market maker, and what went out for it (counted on the egress ring,
 * independently of the gateway's own counters). */
struct tp_strat_sym {
	char name[TP_CFG_SYMBOL_LEN];
	int resolved;              /* its locate was found in the stock directory */
	int late;                  /* named only after the maker started: not quoted */
	uint16_t locate;
	uint16_t feed_id;
	uint64_t orders, cancels;
	uint64_t orders_halted;    /* Enter Orders that left while its kill-switch word said
	                              halted: must stay 0 */
	uint64_t cancels_halted;   /* cancels that left while halted: the mass cancel */
};

enum tp_strat_mm_state { TP_MM_OFF = 0, TP_MM_PENDING, TP_MM_RUNNING, TP_MM_FAILED };

struct tp_strat_params {
	const struct tp_cfg_strat *cfg;       /* NULL: built-in rules, no trading */
	struct tp_killswitch *ks;             /* required: the process's one kill-switch */
	int replay;                           /* 1: the simulated exchange takes the orders */
	struct tp_tx *tx;                     /* run: the egress port (NULL: none) */
	struct tp_feed *const *feeds;         /* by feed_id: the stock directories */
	unsigned n_feeds;
	const uint64_t *const *rx_drops;      /* live: each RX lcore's ring drops (relaxed) */
	unsigned n_rx;
	uint32_t halt_samples;                /* keep this many tick-to-halt samples (bench) */
};

struct tp_log_prod;

struct tp_strat {
	/* The durable log, on the consumer lcore's producer (NULL: none): alerts, halts,
	 * orders, fills, exchange rejects. Set before launch. */
	struct tp_log_prod *log;

	struct tp_cep *cep[TP_DP_MAX_FEEDS];  /* by feed_id */
	unsigned n_cep;
	uint64_t bad_feed;                    /* events of no known feed: not evaluated */
	struct tp_killswitch *ks;
	struct tp_ks_halter *halter;
	unsigned n_rules;

	/* trading: all NULL without a market maker */
	struct tp_risk *risk;
	struct tp_gw *gw;
	struct tp_mm *mm;
	struct tp_simex *sx;
	struct tp_ring *egress;
	struct tp_tx *tx;
	int replay;
	enum tp_strat_mm_state mm_state;
	char mm_err[160];
	uint32_t mm_size, mm_offset, mm_tick;
	int trade_feed;                       /* feed of the maker's symbols; -1 = not yet */
	struct tp_strat_sym sym[TP_MM_MAX_SYMBOLS];
	unsigned n_sym;
	uint8_t *sym_of;                      /* [locate]: index + 1 into sym, 0 = none */

	struct tp_feed *const *feeds;
	unsigned n_feeds;

	/* CEP halts as they happened */
	struct tp_strat_halt *halts;
	uint32_t n_halts;
	uint64_t halts_lost;

	/* live: exchange clock between events, overflow */
	uint64_t last_exch_ns, last_tsc, next_tick_tsc, tick_cycles;
	double ns_per_cycle;
	const uint64_t *const *rx_drops;
	unsigned n_rx;
	uint64_t drops_seen;

	/* tick-to-halt: RX TSC of the breaking event -> the gateway's first sighting */
	struct tp_lat_hist *halt_lat;
	uint64_t *halt_samples;
	uint32_t halt_cap, n_halt_samples;   /* n may pass the cap: samples kept = min */

	uint32_t accounted;                   /* egress slots already counted per symbol */
	uint64_t egress_unsent;               /* run without a TX port: slots discarded */
	struct tp_cep_alert abuf[32];
};

/* Builds the rule set, the CEP engine and, with a market maker, the risk guard, the gateway,
 * the egress ring and (replay) the simulated exchange. NULL with a reason in err. */
struct tp_strat *tp_strat_create(const struct tp_strat_params *p, char *err, size_t errlen);
void tp_strat_free(struct tp_strat *s);

/* Every event, in ring order (from tp_stage_on_event). */
void tp_strat_on_event(struct tp_strat *s, const struct tp_event *ev);
/* After each batch and on idle turns of the consumer: alerts, gateway poll, live overflow
 * and the exchange clock between events. now_tsc: the consumer's TSC. */
void tp_strat_turn(struct tp_strat *s, uint64_t now_tsc, int idle);
/* Once every producer is done: the last alerts and orders. */
void tp_strat_finish(struct tp_strat *s);

/* Tick-to-halt measurements so far (any thread; acquire): the first halt_samples of them are
 * in halt_samples[], in cycles. */
uint32_t tp_strat_halts_measured(const struct tp_strat *s);
/* Firings of rule i over every feed's engine. */
uint64_t tp_strat_rule_fired(const struct tp_strat *s, unsigned rule);
/* Name of rule i. */
const char *tp_strat_rule_name(const struct tp_strat *s, unsigned rule, char *buf, size_t len);

/* Symbol text of a (feed, locate) for reports: the stock directory's name, or "#LOCATE". */
const char *tp_strat_symbol(const struct tp_strat *s, uint16_t feed_id, uint16_t locate,
			    char *buf, size_t len);

#endif
