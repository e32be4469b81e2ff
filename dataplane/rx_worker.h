/* One RX lcore: polls its port queues (or reads a BinaryFILE), parses each frame, routes
 * it to the feed that owns its session, and lets the feed write events straight into the
 * SPSC ring of this lcore. Per burst: one TSC read, one ring publish (tp_sink_flush), one
 * bulk mbuf free.
 *
 * Replay merges its queues in capture-time order (the capture clock drives arbitration
 * windows and pacing, so the result never depends on how fast the replay ran), waits for
 * ring room instead of dropping, and ends when every capture delivered the packet count the
 * pre-scan found. Live drops (and counts) what a full ring cannot take and runs until
 * stopped. */
#ifndef TP_DP_RX_WORKER_H
#define TP_DP_RX_WORKER_H

#include <stdint.h>

#include <rte_mbuf.h>

#include "dp_limits.h"
#include "latency.h"
#include "routes.h"
#include "stats.h"
#include "tp_binfile.h"
#include "tp_ctl_mbox.h"
#include "tp_feed.h"
#include "tp_pcapread.h"
#include "tp_ring.h"
#include "tp_sink.h"

enum tp_rx_mode {
	TP_RX_LIVE = 0,
	TP_RX_REPLAY_PCAP,
	TP_RX_REPLAY_ITCH,
};

struct tp_rx_queue {
	uint16_t port;
	uint16_t queue;
	uint64_t expect;            /* replay: packets in the capture (pre-scan) */
	uint64_t got;
	uint64_t first_ts_ns;       /* replay: first packet's capture time (pre-scan) */
	uint64_t ts_mult;           /* ns per unit of the mbuf timestamp; 0 = not known yet */
	uint64_t last_ns;
	uint64_t idle_since;        /* TSC of the first empty poll in a row, 0 = none */
	int eof;
	/* Replay merging several captures: DPDK 22.11's net_pcap stamps mbufs in microseconds,
	 * too coarse to order two captures (lines 2 us apart, or closer). A second reader of
	 * the same file, in step with the PMD, gives each packet its nanosecond time; it is
	 * checked against the mbuf stamp and dropped (with a warning) if they ever disagree. */
	struct tp_pcapread *side;
	uint16_t n, head;           /* replay merge buffer */
	struct rte_mbuf *buf[TP_DP_BURST];
	uint64_t ts[TP_DP_BURST];
};

struct tp_rx_worker {
	unsigned idx;
	unsigned lcore;
	enum tp_rx_mode mode;
	unsigned nq;
	struct tp_rx_queue q[TP_DP_MAX_RXQ];

	struct tp_feed *feeds[TP_DP_MAX_FEEDS];   /* by global feed index; NULL = not mine */
	unsigned owned[TP_DP_MAX_FEEDS];
	unsigned n_owned;
	struct tp_routes routes;

	struct tp_ring *ring;
	struct tp_sink sink;
	struct tp_lat_hist *lat;                  /* RX TSC -> decoded, cycles */
	struct tp_rx_stats *st;

	/* mbuf capture timestamps (net_pcap fills them), -1 / 0 when absent */
	int ts_off;
	uint64_t ts_flag;

	/* clocks */
	uint64_t tsc_hz;
	double ns_per_cycle;
	uint64_t clk_tsc0;                        /* live: wall clock = clk_ns0 + TSC delta */
	uint64_t clk_ns0;
	uint64_t tick_period_ns;
	uint64_t next_tick_ns;

	/* replay pacing: --speed N; 0 = as fast as possible */
	double speed;
	uint64_t pace_t0_ns;                      /* capture time that maps to pace_tsc0 */
	const uint64_t *pace_tsc0;                /* set by main right before launch */

	/* BinaryFILE replay */
	struct tp_binfile *bf;
	int bf_rc;                                /* last tp_binfile_next() result */

	const int *stop;                          /* main's stop flag */
	int done;                                 /* set (release) after the last flush */
	/* The control thread's requests (feed stats, stock directory, book levels): served
	 * between bursts, one relaxed load when there is none. Zeroed = idle. */
	struct tp_ctl_mbox mbox;
	char warn[256];
	/* Durable log (NULL: none): a symbol record per stock directory entry, the first time
	 * this worker sees its locate (line B and retransmissions repeat it). */
	struct tp_log_prod *log;
	uint64_t *sym_seen;                       /* [feed * 1024 + locate / 64] bits */
};

/* lcore_function_t */
int tp_rx_main(void *arg);

#endif
