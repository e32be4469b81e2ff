/* The consumer's per-event stage: per-symbol statistics, and the strategy chain (CEP rules,
 * kill-switch, risk guard, market maker, gateway: strat.h), called from tp_stage_on_event()
 * once per event, in ring order, on the consumer lcore. */
#ifndef TP_DP_STAGE_H
#define TP_DP_STAGE_H

#include <stdint.h>

#include "dp_limits.h"
#include "tp_event.h"

#define TP_STAGE_LOCATES 65536u

struct tp_sym_stats {
	uint64_t events;
	uint64_t trades;       /* executions and non-book trades */
	uint32_t last_px;      /* price of the last execution or trade */
	uint32_t bid_px;       /* top of book after the last update the stage saw */
	uint32_t ask_px;
	uint32_t flags;        /* TP_EVF_* of the last event (stale book...) */
};

struct tp_strat;

struct tp_stage {
	struct tp_strat *strat;                    /* NULL: statistics only */
	struct tp_sym_stats *sym[TP_DP_MAX_FEEDS]; /* [feed_id][stock_locate], preallocated */
	unsigned n_feeds;
	uint64_t kinds[16];                        /* events by enum tp_event_kind */
	uint64_t gap_events;
	uint64_t gap_messages;
	uint64_t bad_feed;                         /* feed_id out of range: a producer bug */
};

int tp_stage_init(struct tp_stage *st, unsigned n_feeds);
void tp_stage_free(struct tp_stage *st);

/* Called for every event, in order, by the consumer lcore. No allocation, no lock. */
void tp_stage_on_event(struct tp_stage *st, const struct tp_event *ev);

#endif
