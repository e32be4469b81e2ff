/* Where a decoder puts its events: straight into the slots of an SPSC ring (zero copy), with
 * the policy for a full ring chosen once per run. Replay waits for the consumer (nothing is
 * lost, a backtest stays exact); live counts the drop and goes on, because a poll loop that
 * waits falls behind the wire.
 *
 * Slots are reserved lazily and committed by tp_sink_flush(), normally once per RX burst, so
 * the consumer sees one index update per burst rather than one per event. */
#ifndef TP_SINK_H
#define TP_SINK_H

#include <stdint.h>

#include "tp_event.h"
#include "tp_ring.h"

struct tp_sink {
	struct tp_ring *ring;   /* NULL: events are built in `scratch` and only counted */
	int backpressure;       /* 1 = wait for room (replay), 0 = drop when full (live) */
	uint32_t granted;       /* slots reserved and not yet committed */
	uint32_t used;          /* of those, filled */
	uint64_t emitted;       /* events handed on (or counted, without a ring) */
	uint64_t drops;         /* events lost to a full ring (live only) */
	uint64_t waits;         /* times the producer had to wait for room (replay) */
	volatile const int *stop; /* optional: lets a waiting producer give up on shutdown */
	struct tp_event scratch;
};

#define TP_SINK_RESERVE 32u

static inline void tp_sink_init(struct tp_sink *s, struct tp_ring *ring, int backpressure)
{
	*s = (struct tp_sink){ .ring = ring, .backpressure = backpressure };
}

/* Publishes the events written so far. */
static inline void tp_sink_flush(struct tp_sink *s)
{
	if (s->used) {
		tp_ring_commit(s->ring, s->used);
		s->used = 0;
	}
	s->granted = 0;
}

/* Returns the slot for the next event, or NULL when a live ring is full (the event is then
 * counted as dropped and the caller skips it). Write the event, then call tp_sink_done(). */
static inline struct tp_event *tp_sink_slot(struct tp_sink *s)
{
	if (!s->ring)
		return &s->scratch;
	if (s->used == s->granted) {
		tp_sink_flush(s);
		s->granted = tp_ring_reserve(s->ring, TP_SINK_RESERVE);
		while (s->granted == 0) {
			if (!s->backpressure || (s->stop && *s->stop)) {
				s->drops++;
				return 0;
			}
			s->waits++;
			__builtin_ia32_pause();
			s->granted = tp_ring_reserve(s->ring, TP_SINK_RESERVE);
		}
	}
	return (struct tp_event *)tp_ring_reserved_slot(s->ring, s->used);
}

static inline void tp_sink_done(struct tp_sink *s)
{
	s->emitted++;
	if (s->ring)
		s->used++;
}

#endif
