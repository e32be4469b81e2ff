/* Per-lcore counters, one cache-aligned block per lcore so no two writers share a line.
 * The owning lcore is the only writer; the main lcore reads them for the once-a-second line
 * and the progress display. Stores and loads are relaxed atomics: free on x86, and the
 * cross-thread reads stay defined. The final report reads them after the lcores joined. */
#ifndef TP_DP_STATS_H
#define TP_DP_STATS_H

#include <stdint.h>
#include <stdio.h>

#include "tp_netparse.h"

/* Why a frame never reached a feed. The first TP_NET__COUNT entries are tp_netparse's
 * reasons (index = enum tp_net_rc; 0 unused). */
enum tp_dp_rej {
	TP_REJ_MULTISEG = TP_NET__COUNT, /* frame in chained mbufs (larger than one buffer) */
	TP_REJ_NOT_MOLD,                 /* no config: not MoldUDP64 of a known session */
	TP_REJ_UNROUTED,                 /* config: destination of no configured feed */
	TP_REJ_EXTRA_LINE,               /* no config: third destination of one session */
	TP_REJ_FOREIGN,                  /* feed owned by another RX lcore (config mismatch) */
	TP_REJ__COUNT
};

const char *tp_rej_name(unsigned r);
/* Rejections that are bad input ("malformed" in the report); the others are traffic that
 * is simply not ours. */
int tp_rej_is_malformed(unsigned r);

struct tp_rx_stats {
	uint64_t packets;
	uint64_t bytes;
	uint64_t bursts;
	uint64_t rej[TP_REJ__COUNT];
	uint64_t events;            /* events written to the ring */
	uint64_t ring_drops;        /* live: events lost to a full ring */
	uint64_t ring_waits;        /* replay: times RX waited for ring room */
	/* Totals of the feeds this lcore owns, refreshed every few ms for the stats line. */
	uint64_t messages;
	uint64_t gap_events;
	uint64_t messages_missing;
	uint64_t duplicates;
	uint64_t malformed;
	uint64_t progress_ppm;      /* replay: share of the input read, per million */
} __attribute__((aligned(64)));

struct tp_cons_stats {
	uint64_t events;
	uint64_t batches;
	uint64_t gap_events;        /* TP_EV_GAP events seen */
} __attribute__((aligned(64)));

#define TP_STAT_ADD(field, n) __atomic_store_n(&(field), (field) + (n), __ATOMIC_RELAXED)
#define TP_STAT_SET(field, v) __atomic_store_n(&(field), (v), __ATOMIC_RELAXED)
#define TP_STAT_GET(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

#endif
