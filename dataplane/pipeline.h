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
#include "ks_ctl.h"
#include "port.h"
#include "prescan.h"
#include "rx_worker.h"
#include "strat.h"
#include "tp_feed.h"
#include "tx.h"

struct tp_logger;
struct tp_log_prod;

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

	/* The strategy stage (on the consumer lcore) and the process's one kill-switch. */
	struct tp_ks_ctl ksc;
	int ksc_open;
	struct tp_strat *strat;
	struct tp_feed *feed_ptrs[TP_DP_MAX_FEEDS];
	const uint64_t *rx_drops[TP_DP_MAX_RX];
	struct tp_port tx_port;              /* [gateway] dev: a port of its own (run) */
	struct tp_tx tx;
	int tx_on;
	uint32_t halt_samples;               /* set before setup: keep raw tick-to-halt samples */

	int stop;                            /* read by the RX lcores */
	uint64_t pace_tsc0;                  /* replay start, for --speed */
	uint64_t tsc_begin, tsc_end;
	int signalled;

	/* The durable log (dataplane/log), when a directory is configured: the logger thread on
	 * the main lcore's side, one producer per RX lcore, the consumer, the control thread. */
	struct tp_logger *logger;
	struct tp_log_prod *log_ctl;         /* audit records, from the ctl server thread */
	struct tp_log_prod *log_main;        /* stats once a second, kill-switch changes */
	int log_done;                        /* the logger ran and stopped: log_* below are set */
	int log_rc;                          /* tp_logger_stop's: 0 or the first write error */
	uint64_t log_records, log_bytes, log_drops, log_segments;
};

int tp_pipeline_setup(struct tp_pipeline *pl, char *err, size_t errlen);
/* Launches the lcores and returns once they all stopped. */
void tp_pipeline_run(struct tp_pipeline *pl);
/* The same in two halves, for a program that has work of its own on the main thread while
 * the lcores run (the tick-to-halt benchmark): launch, then wait (which is the control
 * loop: signals, stats, progress, kill-switch persistence) until every RX lcore is done. */
void tp_pipeline_launch(struct tp_pipeline *pl);
void tp_pipeline_wait(struct tp_pipeline *pl);
void tp_pipeline_teardown(struct tp_pipeline *pl);

#endif
