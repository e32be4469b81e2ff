/* The running pipeline as the control socket sees it (dataplane/ctl): the provider the
 * control thread calls for status, stats, books and symbols, and the start and stop of
 * that thread.
 *
 * Who reads what, from the control thread (never a polling core):
 *  - per-lcore counters (tp_rx_stats, tp_cons_stats): relaxed atomics, read directly;
 *  - anything a tp_feed holds (its stats, stock directory, book): owned by the RX lcore
 *    that polls the feed, so it is read ON that lcore, through the worker's mailbox
 *    (tp_ctl_mbox: the lcore checks it once per loop turn; a lcore that has finished lets
 *    the control thread read directly). The stock directory is copied into a cache here
 *    once a second when it changed, so `kill --symbol` does not wait for a copy. */
#ifndef TP_DP_CTL_PROVIDER_H
#define TP_DP_CTL_PROVIDER_H

#include <pthread.h>
#include <stddef.h>

#include "pipeline.h"

struct tp_dp_ctl;

/* Starts the control thread on socket (NULL: the default path), owned by group (NULL: the
 * process's). After tp_pipeline_setup, before the lcores launch. ks_lock is held around
 * every kill-switch persist on the control thread; the main thread holds it around its own
 * (ks_ctl). NULL with err on failure. */
struct tp_dp_ctl *tp_dp_ctl_start(struct tp_pipeline *pl, const char *socket, const char *group,
				  pthread_mutex_t *ks_lock, char *err, size_t errlen);
/* Stops the control thread and removes the socket. Before tp_pipeline_teardown. NULL ok. */
void tp_dp_ctl_stop(struct tp_dp_ctl *c);

#endif
