/* The hot-path side of the log: a stage's private SPSC ring of 128-byte slots, written in
 * place with reserve/fill/commit and drained by the logger thread.
 *
 *     struct tp_log_slot *s = tp_log_reserve(p, TP_LOG_ORDER);
 *     if (s) {
 *             s->hdr.exch_ns = ev->exch_ts_ns;
 *             s->u.order = (struct tp_log_order){ .client_id = id, ... };
 *             tp_log_commit(p);
 *     }
 *
 * reserve sets hdr.type, hdr.len (the type's length; a note may shrink it), hdr.producer,
 * hdr.exch_ns = 0 and hdr.tsc; it does not clear the payload, so assign the whole payload
 * struct (as above) or every field. The logger fills in seq and crc.
 *
 * hdr.tsc, the record's wall-clock anchor, costs nothing per record by default: a stage calls
 * tp_log_prod_clock() once per burst with the TSC it already read (at RX, say), and every
 * record reserved after it carries that value. A record still at 0 when the logger drains it
 * gets the TSC of that drain round (microseconds later). TP_LOG_PROD_STAMP_TSC makes reserve
 * read the TSC itself: exact per record, but an rdtsc is 7 ns on bare metal and about 25 ns
 * in some VMs, so it is meant for slow-path producers (ops, control).
 *
 * Full ring: in TP_LOG_LIVE mode reserve counts a drop and returns NULL at once (the logger
 * writes the count as a TP_LOG_DROP record); in TP_LOG_REPLAY mode it waits for room, so
 * nothing is lost and a backtest's log is complete. It returns NULL in replay mode only once
 * the logger has stopped (counted as a drop too).
 *
 * One producer thread per tp_log_prod. No locks, syscalls or allocation on this path.
 */
#ifndef TP_LOGPROD_H
#define TP_LOGPROD_H

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

#include "tp_event.h"
#include "tp_logclock.h"
#include "tp_logfmt.h"
#include "tp_ring.h"

enum tp_log_mode {
	TP_LOG_LIVE = 0,   /* never wait: count drops */
	TP_LOG_REPLAY = 1, /* back-pressure: wait for the logger, drop nothing */
};

/* tp_log_prod_create flags */
#define TP_LOG_PROD_STAMP_TSC 0x1u /* reserve reads the TSC for each record (see above) */
#define TP_LOG_PROD_NO_HUGE 0x2u   /* ring on ordinary pages even when hugepages exist */

struct tp_log_prod {
	/* Read-only after creation: read by the producer on every reserve, and by the logger. */
	struct tp_ring *ring;
	uint8_t id;
	uint8_t mode;      /* enum tp_log_mode */
	uint8_t stamp_tsc;
	char name[32];
	/* The producer's own line: written per burst, read per reserve, never by the logger. */
	uint64_t clock __attribute__((aligned(TP_CACHE_LINE)));
	/* Written by the producer only when the ring is full; read by the logger. */
	_Atomic uint64_t drops __attribute__((aligned(TP_CACHE_LINE)));
	/* Written by the logger when it stops; read by a waiting replay producer. */
	_Atomic int closed;
};

/* Makes a producer with a ring of `capacity` slots (a power of two >= 2). id goes into every
 * record's hdr.producer (255 is the logger's own). NULL with errno on failure. */
struct tp_log_prod *tp_log_prod_create(const char *name, uint8_t id, uint32_t capacity,
				       enum tp_log_mode mode, unsigned flags);
void tp_log_prod_free(struct tp_log_prod *p);

/* Slow path of tp_log_reserve when the ring is full: 1 = room now, 0 = dropped. */
int tp_log__full(struct tp_log_prod *p);

static inline struct tp_log_slot *tp_log_reserve(struct tp_log_prod *p, unsigned type)
{
	struct tp_ring *r = p->ring;
	if (__builtin_expect(tp_ring_reserve(r, 1) == 0, 0) && !tp_log__full(p))
		return NULL;
	struct tp_log_slot *s = tp_ring_reserved_slot(r, 0);
	s->hdr.len = (uint16_t)tp_log_type_len(type);
	s->hdr.type = (uint8_t)type;
	s->hdr.producer = p->id;
	s->hdr.exch_ns = 0;
	s->hdr.tsc = p->stamp_tsc ? tp_log_tsc() : p->clock;
	return s;
}

/* The TSC for the records this producer reserves from now on (typically the RX TSC of the
 * burst being processed); 0 = let the logger stamp them. Producer thread only. */
static inline void tp_log_prod_clock(struct tp_log_prod *p, uint64_t tsc)
{
	p->clock = tsc;
}

/* Publishes the slot of the last successful tp_log_reserve. */
static inline void tp_log_commit(struct tp_log_prod *p)
{
	tp_ring_commit(p->ring, 1);
}

/* Drops so far (exact: only this producer's thread adds to it). */
static inline uint64_t tp_log_prod_drops(const struct tp_log_prod *p)
{
	/* relaxed: a counter, no data hangs off it */
	return atomic_load_explicit(&p->drops, memory_order_relaxed);
}

/* Logs one market-data event, with its exchange time as the record's. 0 or -ENOBUFS. */
static inline int tp_log_event(struct tp_log_prod *p, const struct tp_event *ev)
{
	struct tp_log_slot *s = tp_log_reserve(p, TP_LOG_EVENT);
	if (!s)
		return -ENOBUFS;
	s->hdr.exch_ns = ev->exch_ts_ns;
	/* same layout, asserted field by field in tp_logfmt.c */
	memcpy(&s->u.event, ev, sizeof(s->u.event));
	tp_log_commit(p);
	return 0;
}

/* Slow-path helpers (strings are copied NUL-padded and truncated to fit). 0 or -ENOBUFS. */
int tp_log_note(struct tp_log_prod *p, uint64_t exch_ns, const char *text);
int tp_log_audit(struct tp_log_prod *p, uint32_t uid, uint32_t gid, int32_t pid,
		 const char *command, const char *args, int32_t result);
int tp_log_symbol(struct tp_log_prod *p, uint64_t exch_ns, uint16_t stock_locate,
		  uint16_t feed_id, const char *symbol);

#endif /* TP_LOGPROD_H */
