/* Stage wiring: who polls what, which lcore owns which feed, one ring per RX lcore into the
 * consumer; then launch, watch (stats line, progress, signals) and a staged stop where
 * upstream drains before downstream stops:
 *   stop flag -> RX lcores leave their loops, finish their feeds, flush, say done
 *   -> consumer drains every ring and returns -> ports stop and close. */
#ifndef TP_DP_PIPELINE_H
#define TP_DP_PIPELINE_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "config.h"
#include "consumer.h"
#include "dp_limits.h"
#include "port.h"
#include "prescan.h"
#include "rx_worker.h"
#include "tp_feed.h"

struct tp_dp_feed {
	char name[TP_DP_NAME_LEN];
	struct tp_feed *feed;
	unsigned owner;              /* index of the RX worker that owns it */
	struct tp_feed_params params;
};

struct tp_pipeline {
	const struct tp_opts *opts;
	const struct tp_config *cfg;         /* NULL without -c */
	const struct tp_prescan *ps;         /* pcap replay only */
	enum tp_rx_mode mode;

	struct tp_dp_feed feeds[TP_DP_MAX_FEEDS];
	unsigned n_feeds;
	struct tp_port ports[TP_DP_MAX_PORTS];
	unsigned n_ports;
	struct tp_rx_worker *rx[TP_DP_MAX_RX];
	unsigned n_rx;
	struct tp_consumer cons;
	unsigned main_lcore;

	int stop;                            /* read by the RX lcores */
	uint64_t pace_tsc0;                  /* replay start, for --speed */
	uint64_t tsc_begin, tsc_end;
	int signalled;
};

int tp_pipeline_setup(struct tp_pipeline *pl, char *err, size_t errlen);
/* Launches the lcores and returns once they all stopped. */
void tp_pipeline_run(struct tp_pipeline *pl);
void tp_pipeline_teardown(struct tp_pipeline *pl);

#endif
