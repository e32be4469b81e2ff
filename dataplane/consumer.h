/* The consumer lcore: drains every RX lcore's SPSC ring in turn (fan-in of single-producer
 * rings, never a shared multi-producer queue), hands each event to the stage, and measures
 * RX TSC -> consumed. It stops only once every producer has said it is done and its ring
 * is empty, so nothing upstream is ever left behind. */
#ifndef TP_DP_CONSUMER_H
#define TP_DP_CONSUMER_H

#include <stdint.h>

struct tp_log_prod;

#include "dp_limits.h"
#include "latency.h"
#include "stage.h"
#include "stats.h"
#include "tp_ring.h"

struct tp_consumer {
	unsigned lcore;
	unsigned n_rings;
	struct tp_ring *rings[TP_DP_MAX_RX];
	const int *rx_done[TP_DP_MAX_RX];   /* each producer's done flag (acquire) */
	struct tp_stage stage;
	struct tp_lat_hist *lat;            /* RX TSC -> consumed, cycles */
	struct tp_cons_stats *st;
	struct tp_log_prod *log;            /* NULL: no durable log */
};

/* lcore_function_t */
int tp_consumer_main(void *arg);

#endif
