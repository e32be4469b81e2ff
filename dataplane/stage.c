#include "stage.h"

#include "strat.h"

#include <stdlib.h>
#include <string.h>

int tp_stage_init(struct tp_stage *st, unsigned n_feeds)
{
	memset(st, 0, sizeof(*st)); /* strat is wired later, once the strategy exists */
	st->n_feeds = n_feeds;
	for (unsigned i = 0; i < n_feeds; i++) {
		size_t bytes = TP_STAGE_LOCATES * sizeof(struct tp_sym_stats);
		st->sym[i] = calloc(TP_STAGE_LOCATES, sizeof(struct tp_sym_stats));
		if (!st->sym[i]) {
			tp_stage_free(st);
			return -1;
		}
		/* Fault the pages in now: a first touch on the consumer's hot path costs a
		 * page fault (microseconds) per new symbol. */
		for (size_t off = 0; off < bytes; off += 4096)
			((volatile uint8_t *)st->sym[i])[off] = 0;
	}
	return 0;
}

void tp_stage_free(struct tp_stage *st)
{
	for (unsigned i = 0; i < TP_DP_MAX_FEEDS; i++) {
		free(st->sym[i]);
		st->sym[i] = NULL;
	}
}

void tp_stage_on_event(struct tp_stage *st, const struct tp_event *ev)
{
	/* The strategy first, and for every event (gaps included): a rule that halts on this
	 * event does so before anything else is spent on it. */
	if (st->strat)
		tp_strat_on_event(st->strat, ev);
	st->kinds[ev->kind & 15u]++;
	if (__builtin_expect(ev->feed_id >= st->n_feeds, 0)) {
		st->bad_feed++;
		return;
	}
	if (ev->kind == TP_EV_GAP) {
		st->gap_events++;
		st->gap_messages += ev->qty;
		return;
	}
	struct tp_sym_stats *s = &st->sym[ev->feed_id][ev->stock_locate];
	s->events++;
	s->flags = ev->flags;
	switch (ev->kind) {
	case TP_EV_EXECUTE:
	case TP_EV_TRADE:
		s->trades++;
		s->last_px = ev->price;
		break;
	case TP_EV_ADD:
	case TP_EV_CANCEL:
	case TP_EV_DELETE:
	case TP_EV_REPLACE:
		break;
	default:
		return; /* status and reference data carry no book */
	}
	if (ev->kind != TP_EV_TRADE) {
		s->bid_px = ev->bid_px;
		s->ask_px = ev->ask_px;
	}
}
