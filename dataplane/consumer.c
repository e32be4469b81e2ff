#include "consumer.h"

#include <rte_cycles.h>
#include <rte_pause.h>

#include "strat.h"
#include "tp_logprod.h"

#define TP_CONS_BATCH 64u

static uint32_t drain_one(struct tp_consumer *c, struct tp_ring *r)
{
	uint32_t n = tp_ring_peek(r, TP_CONS_BATCH);
	if (n == 0)
		return 0;
	/* One TSC per batch: the events of a batch were all waiting by now. */
	uint64_t now = rte_rdtsc();
	struct tp_log_prod *lp = c->log;
	if (lp)
		tp_log_prod_clock(lp, now);
	for (uint32_t k = 0; k < n; k++) {
		const struct tp_event *ev = tp_ring_peeked_slot(r, k);
		tp_stage_on_event(&c->stage, ev);
		if (lp)
			tp_log_event(lp, ev);
		/* rx_tsc 0: pure file replay, no packet to time from. */
		if (ev->rx_tsc && now >= ev->rx_tsc)
			tp_lat_add(c->lat, now - ev->rx_tsc, 1);
	}
	tp_ring_release(r, n);
	TP_STAT_ADD(c->st->events, n);
	TP_STAT_ADD(c->st->batches, 1);
	if (c->stage.strat)
		tp_strat_turn(c->stage.strat, now, 0);
	return n;
}

/* Idle polls between two idle turns (the strategy's gateway poll and clocks, the producers'
 * done flags): often enough for an operator's change to show within microseconds, rare
 * enough that an idle poll is one load of each ring's index and the next event is picked
 * up at once, and that the RX lcores' lines holding their done flags are not pulled over
 * on every poll. */
#define TP_CONS_IDLE_TURN 64u

int tp_consumer_main(void *arg)
{
	struct tp_consumer *c = arg;
	unsigned idle = 0;
	for (;;) {
		uint32_t got = 0;
		for (unsigned i = 0; i < c->n_rings; i++)
			got += drain_one(c, c->rings[i]);
		if (got)
			continue;
		if (++idle < TP_CONS_IDLE_TURN) {
			rte_pause();
			continue;
		}
		idle = 0;
		if (c->stage.strat)
			tp_strat_turn(c->stage.strat, rte_rdtsc(), 1);
		/* Done flag first (acquire, pairs with the producer's release after its last
		 * flush), ring second: a producer seen done has published everything, so an
		 * empty ring after that is empty for good. */
		unsigned finished = 0;
		for (unsigned i = 0; i < c->n_rings; i++)
			if (__atomic_load_n(c->rx_done[i], __ATOMIC_ACQUIRE) &&
			    tp_ring_peek(c->rings[i], 1) == 0)
				finished++;
		if (finished == c->n_rings)
			break;
		rte_pause();
	}
	if (c->stage.strat)
		tp_strat_finish(c->stage.strat);
	TP_STAT_SET(c->st->gap_events, c->stage.gap_events);
	return 0;
}
