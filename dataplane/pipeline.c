#include "pipeline.h"

#include "tp_logprod.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>

#include "signals.h"
#include "tp_event.h"

#define ERR(...)                                                                             \
	do {                                                                                 \
		snprintf(err, errlen, __VA_ARGS__);                                          \
		return -1;                                                                   \
	} while (0)

static void *zalloc_on(const char *what, size_t size, unsigned lcore)
{
	return rte_zmalloc_socket(what, size, 64, (int)rte_lcore_to_socket_id(lcore));
}

/* ethdev name of a config dev: the vdev name before its arguments, or the full PCI
 * address. */
static void dev_name(const struct tp_cfg_port *p, char *out, size_t len)
{
	if (p->is_pci) {
		if (strchr(p->dev, ':') == strrchr(p->dev, ':'))
			snprintf(out, len, "0000:%s", p->dev);
		else
			snprintf(out, len, "%s", p->dev);
		return;
	}
	size_t n = strcspn(p->dev, ",");
	snprintf(out, len, "%.*s", (int)n, p->dev);
}

static int add_queue(struct tp_rx_worker *w, uint16_t port, uint16_t queue, uint64_t expect,
		     uint64_t first_ts_ns, char *err, size_t errlen)
{
	if (w->nq == TP_DP_MAX_RXQ)
		ERR("lcore %u would poll more than %d queues", w->lcore, TP_DP_MAX_RXQ);
	struct tp_rx_queue *q = &w->q[w->nq++];
	q->port = port;
	q->queue = queue;
	q->expect = expect;
	q->first_ts_ns = first_ts_ns;
	q->eof = w->mode == TP_RX_REPLAY_PCAP && expect == 0;
	return 0;
}

static int roles(struct tp_pipeline *pl, unsigned *rx_lcores, unsigned *n_rx, unsigned *cons,
		 char *err, size_t errlen)
{
	unsigned workers[RTE_MAX_LCORE], nw = 0, l;
	RTE_LCORE_FOREACH_WORKER(l)
		workers[nw++] = l;
	pl->main_lcore = rte_get_main_lcore();
	if (pl->mode != TP_RX_LIVE) {
		if (nw < 2)
			ERR("need at least 2 worker lcores besides the main one (RX and consumer), "
			    "EAL gave %u",
			    nw);
		unsigned want = pl->mode == TP_RX_REPLAY_PCAP && pl->ps->n_groups ? pl->ps->n_groups
										      : 1;
		*n_rx = want < nw - 1 ? want : nw - 1;
		for (unsigned i = 0; i < *n_rx; i++)
			rx_lcores[i] = workers[i];
		*cons = workers[nw - 1];
		return 0;
	}
	/* run: the config names the RX lcores; the consumer is the highest other worker. */
	const struct tp_config *c = pl->cfg;
	*n_rx = 0;
	for (unsigned p = 0; p < c->n_ports; p++) {
		for (unsigned q = 0; q < c->ports[p].rx_queues; q++) {
			unsigned lc = c->ports[p].lcores[q];
			if (lc == pl->main_lcore || !rte_lcore_is_enabled(lc))
				ERR("%s:%d: lcore %u is not a worker lcore of this EAL (see -l/--lcores)",
				    c->path, c->ports[p].lcores_line ? c->ports[p].lcores_line
								     : c->ports[p].line,
				    lc);
			unsigned k;
			for (k = 0; k < *n_rx; k++)
				if (rx_lcores[k] == lc)
					break;
			if (k == *n_rx) {
				if (*n_rx == TP_DP_MAX_RX)
					ERR("more than %d RX lcores", TP_DP_MAX_RX);
				rx_lcores[(*n_rx)++] = lc;
			}
		}
	}
	*cons = RTE_MAX_LCORE;
	for (unsigned i = 0; i < nw; i++) {
		unsigned k;
		for (k = 0; k < *n_rx; k++)
			if (rx_lcores[k] == workers[i])
				break;
		if (k == *n_rx)
			*cons = workers[i];
	}
	if (*cons == RTE_MAX_LCORE)
		ERR("no worker lcore left for the consumer: add one to -l/--lcores beyond the "
		    "config's RX lcores");
	return 0;
}

static int make_feeds(struct tp_pipeline *pl, char *err, size_t errlen)
{
	const struct tp_config *c = pl->cfg;
	if (c && c->n_feeds) {
		for (unsigned i = 0; i < c->n_feeds; i++) {
			struct tp_dp_feed *f = &pl->feeds[i];
			snprintf(f->name, sizeof(f->name), "%s", c->feeds[i].name);
			f->params.reorder_max_pkts = c->feeds[i].reorder_packets;
			f->params.reorder_window_ns = c->feeds[i].reorder_window_ns;
			f->params.max_orders = c->feeds[i].max_orders;
		}
		pl->n_feeds = c->n_feeds;
	} else if (pl->mode == TP_RX_REPLAY_PCAP) {
		for (unsigned i = 0; i < pl->ps->n_sessions; i++) {
			struct tp_dp_feed *f = &pl->feeds[i];
			const uint8_t *s = pl->ps->sessions[i];
			unsigned n = TP_MOLD_SESSION_LEN;
			while (n && s[n - 1] == ' ')
				n--;
			snprintf(f->name, sizeof(f->name), "%.*s", (int)n, (const char *)s);
		}
		pl->n_feeds = pl->ps->n_sessions;
	} else {
		const char *base = strrchr(pl->opts->itch_file, '/');
		snprintf(pl->feeds[0].name, sizeof(pl->feeds[0].name), "%s",
			 base ? base + 1 : pl->opts->itch_file);
		pl->n_feeds = 1;
	}
	for (unsigned i = 0; i < pl->n_feeds; i++) {
		struct tp_dp_feed *f = &pl->feeds[i];
		f->params.feed_id = (uint16_t)i;
		tp_feed_params_defaults(&f->params);
		f->feed = tp_feed_create(&f->params);
		if (!f->feed)
			ERR("feed %s: cannot create (max_orders %u: out of memory?)", f->name,
			    f->params.max_orders);
	}
	return 0;
}

static struct tp_rx_worker *new_worker(struct tp_pipeline *pl, unsigned idx, unsigned lcore,
				       uint32_t ring_size, char *err, size_t errlen)
{
	struct tp_rx_worker *w = zalloc_on("tp_rx", sizeof(*w), lcore);
	if (!w) {
		snprintf(err, errlen, "out of memory for RX lcore %u", lcore);
		return NULL;
	}
	pl->rx[idx] = w;
	w->idx = idx;
	w->lcore = lcore;
	w->mode = pl->mode;
	w->st = zalloc_on("tp_rx_stats", sizeof(*w->st), lcore);
	w->lat = zalloc_on("tp_rx_lat", sizeof(*w->lat), lcore);
	char rname[32];
	snprintf(rname, sizeof(rname), "rx%u", idx);
	w->ring = tp_ring_create(rname, ring_size, sizeof(struct tp_event), 0);
	if (!w->st || !w->lat || !w->ring) {
		snprintf(err, errlen, "out of memory for RX lcore %u (ring of %u events)", lcore,
			 ring_size);
		return NULL;
	}
	/* Replay waits for the consumer (a backtest must be exact); live drops and counts. */
	tp_sink_init(&w->sink, w->ring, pl->mode != TP_RX_LIVE);
	w->stop = &pl->stop;
	w->speed = pl->opts->speed;
	w->pace_tsc0 = &pl->pace_tsc0;
	w->pace_t0_ns = pl->ps ? pl->ps->first_ts_ns : 0;
	w->ts_off = -1;
	return w;
}

static void build_routes(struct tp_pipeline *pl, struct tp_rx_worker *w)
{
	struct tp_routes *r = &w->routes;
	const struct tp_config *c = pl->cfg;
	if (c && c->n_feeds) {
		for (unsigned i = 0; i < c->n_feeds; i++)
			for (int l = 0; l < TP_LINE__COUNT; l++) {
				if (!c->feeds[i].has[l])
					continue;
				struct tp_route_dst *d = &r->dst[r->n_dst++];
				d->ip = c->feeds[i].ip[l];
				d->port = c->feeds[i].udp[l];
				d->line = l == TP_LINE_A ? 0 : 1;
				d->mine = pl->feeds[i].owner == w->idx;
				d->feed = (uint16_t)i;
			}
	} else if (pl->ps) {
		r->by_session = 1;
		for (unsigned i = 0; i < pl->ps->n_sessions; i++) {
			struct tp_route_sess *s = &r->sess[r->n_sess++];
			memcpy(s->id, pl->ps->sessions[i], TP_MOLD_SESSION_LEN);
			s->mine = pl->feeds[i].owner == w->idx;
			s->feed = (uint16_t)i;
		}
	}
	uint64_t tick = 1000000;
	for (unsigned i = 0; i < pl->n_feeds; i++) {
		if (pl->feeds[i].owner != w->idx)
			continue;
		w->feeds[i] = pl->feeds[i].feed;
		w->owned[w->n_owned++] = i;
		uint64_t t = pl->feeds[i].params.reorder_window_ns / 4;
		if (t < tick)
			tick = t;
	}
	w->tick_period_ns = tick < 1000 ? 1000 : tick;
}

/* The orders of `run` go out of a port only when a market maker sends them. */
static int gw_wanted(const struct tp_pipeline *pl)
{
	const struct tp_config *c = pl->cfg;
	return pl->mode == TP_RX_LIVE && c && c->strat.mm.on &&
	       (c->strat.gw.has_port || c->strat.gw.dev[0]);
}

static uint16_t gw_txq(const struct tp_pipeline *pl, const struct tp_cfg_port *cp)
{
	return gw_wanted(pl) && pl->cfg->strat.gw.has_port && pl->cfg->strat.gw.port == cp->id;
}

static int setup_tx(struct tp_pipeline *pl, char *err, size_t errlen)
{
	const struct tp_cfg_gateway *g = &pl->cfg->strat.gw;
	uint16_t port_id = 0;
	if (g->has_port) {
		for (unsigned p = 0; p < pl->cfg->n_ports; p++)
			if (pl->cfg->ports[p].id == g->port)
				port_id = pl->ports[p].port_id;
	} else {
		struct tp_cfg_port fake = { .is_pci = g->is_pci };
		snprintf(fake.dev, sizeof(fake.dev), "%s", g->dev);
		char name[TP_DP_NAME_LEN + 256];
		dev_name(&fake, name, sizeof(name));
		if (tp_port_open(&pl->tx_port, name, 0, 0, 1, err, errlen) != 0)
			return -1;
		port_id = pl->tx_port.port_id;
	}
	int socket = rte_eth_dev_socket_id(port_id);
	if (tp_tx_init(&pl->tx, port_id, 0, g, socket < 0 ? (int)rte_socket_id() : socket, err,
		       errlen) != 0)
		return -1;
	pl->tx_on = 1;
	return 0;
}

/* The kill-switch (one per process), the egress port and the strategy stage, handed to the
 * consumer. */
static int setup_strategy(struct tp_pipeline *pl, char *err, size_t errlen)
{
	const struct tp_cfg_strat *cs = pl->cfg ? &pl->cfg->strat : NULL;
	int live = pl->mode == TP_RX_LIVE;
	char def[TP_DP_PATH_LEN];
	snprintf(def, sizeof(def), "%s/%s", TP_KS_STATE_DEFAULT_DIR, TP_KS_STATE_DEFAULT_NAME);
	const char *path = cs && cs->ks_state_file[0] ? cs->ks_state_file : live ? def : NULL;
	if (tp_ks_ctl_open(&pl->ksc, path, err, errlen) != 0)
		return -1;
	pl->ksc_open = 1;
	if (pl->ksc.corrupt)
		fprintf(stderr, "tickpipe: warning: %s\n", pl->ksc.load_err);
	if (gw_wanted(pl) && setup_tx(pl, err, errlen) != 0)
		return -1;
	for (unsigned i = 0; i < pl->n_feeds; i++)
		pl->feed_ptrs[i] = pl->feeds[i].feed;
	for (unsigned i = 0; i < pl->n_rx; i++)
		pl->rx_drops[i] = &pl->rx[i]->st->ring_drops;
	struct tp_strat_params sp = {
		.cfg = cs, .ks = pl->ksc.ks, .replay = !live, .tx = pl->tx_on ? &pl->tx : NULL,
		.feeds = pl->feed_ptrs, .n_feeds = pl->n_feeds,
		.rx_drops = live ? pl->rx_drops : NULL, .n_rx = pl->n_rx,
		.halt_samples = pl->halt_samples,
	};
	pl->strat = tp_strat_create(&sp, err, errlen);
	if (!pl->strat)
		return -1;
	pl->cons.stage.strat = pl->strat;
	if (cs && cs->mm.on) {
		char unset[256];
		tp_cfg_risk_unset(&cs->risk.lim, unset, sizeof(unset));
		if (unset[0])
			fprintf(stderr,
				"tickpipe: warning: [risk] does not set %s: every order will be "
				"rejected (fail closed)\n",
				unset);
	}
	return 0;
}

int tp_pipeline_setup(struct tp_pipeline *pl, char *err, size_t errlen)
{
	unsigned rx_lcores[TP_DP_MAX_RX], n_rx, cons;
	if (roles(pl, rx_lcores, &n_rx, &cons, err, errlen) != 0)
		return -1;
	pl->n_rx = n_rx;
	uint32_t ring_size = pl->cfg ? pl->cfg->ring_size : TP_DP_RING_DEFAULT;

	/* Who owns which feed: the RX lcore that polls its lines. */
	unsigned file_worker[TP_DP_MAX_PCAPS] = { 0 };
	if (make_feeds(pl, err, errlen) != 0)
		return -1;
	if (pl->mode == TP_RX_REPLAY_PCAP) {
		for (unsigned i = 0; i < pl->ps->n_files; i++)
			file_worker[i] = pl->ps->files[i].group % n_rx;
		for (unsigned f = 0; f < pl->n_feeds; f++)
			for (unsigned i = 0; i < pl->ps->n_files; i++)
				if (pl->ps->files[i].feeds & ((uint64_t)1 << f))
					pl->feeds[f].owner = file_worker[i];
	} else if (pl->mode == TP_RX_LIVE) {
		for (unsigned f = 0; f < pl->n_feeds; f++) {
			const struct tp_cfg_feed *cf = &pl->cfg->feeds[f];
			for (unsigned p = 0; p < pl->cfg->n_ports; p++) {
				if (pl->cfg->ports[p].id != cf->port)
					continue;
				unsigned lc = pl->cfg->ports[p].lcores[cf->queue];
				for (unsigned k = 0; k < n_rx; k++)
					if (rx_lcores[k] == lc)
						pl->feeds[f].owner = k;
			}
		}
	}

	for (unsigned i = 0; i < n_rx; i++)
		if (!new_worker(pl, i, rx_lcores[i], ring_size, err, errlen))
			return -1;

	/* Ports, and their queues onto the RX lcores. */
	if (pl->mode == TP_RX_REPLAY_PCAP) {
		for (unsigned i = 0; i < pl->ps->n_files; i++) {
			char name[32];
			snprintf(name, sizeof(name), "net_pcap%u", i);
			if (tp_port_open(&pl->ports[i], name, 1, 512, 0, err, errlen) != 0)
				return -1;
			pl->n_ports = i + 1;
			if (add_queue(pl->rx[file_worker[i]], pl->ports[i].port_id, 0,
				      pl->ps->files[i].packets, pl->ps->files[i].first_ts_ns, err,
				      errlen) != 0)
				return -1;
		}
	} else if (pl->mode == TP_RX_LIVE) {
		for (unsigned p = 0; p < pl->cfg->n_ports; p++) {
			const struct tp_cfg_port *cp = &pl->cfg->ports[p];
			char name[TP_DP_NAME_LEN + 256];
			dev_name(cp, name, sizeof(name));
			if (tp_port_open(&pl->ports[p], name, cp->rx_queues, cp->rx_desc,
					 gw_txq(pl, cp), err, errlen) != 0)
				return -1;
			pl->n_ports = p + 1;
			for (unsigned q = 0; q < cp->rx_queues; q++)
				for (unsigned k = 0; k < n_rx; k++)
					if (rx_lcores[k] == cp->lcores[q] &&
					    add_queue(pl->rx[k], pl->ports[p].port_id, (uint16_t)q, 0,
						      0, err, errlen) != 0)
						return -1;
		}
	}

	for (unsigned i = 0; i < n_rx; i++)
		build_routes(pl, pl->rx[i]);

	/* An lcore merging captures needs their nanosecond times (see tp_rx_queue.side). */
	for (unsigned i = 0; pl->mode == TP_RX_REPLAY_PCAP && i < pl->ps->n_files; i++) {
		struct tp_rx_worker *w = pl->rx[file_worker[i]];
		if (w->nq < 2)
			continue;
		for (unsigned k = 0; k < w->nq; k++) {
			if (w->q[k].port != pl->ports[i].port_id)
				continue;
			w->q[k].side = tp_pcapread_open(pl->ps->files[i].path, err, errlen);
			if (!w->q[k].side)
				return -1;
		}
	}

	if (pl->mode == TP_RX_REPLAY_ITCH &&
	    tp_binfile_open(pl->opts->itch_file, &pl->rx[0]->bf, err, errlen) != 0)
		return -1;

	/* Live clock: the wall clock at start plus the TSC since. */
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	for (unsigned i = 0; i < n_rx; i++) {
		pl->rx[i]->clk_tsc0 = rte_rdtsc();
		pl->rx[i]->clk_ns0 = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	}

	struct tp_consumer *c = &pl->cons;
	c->lcore = cons;
	c->n_rings = n_rx;
	for (unsigned i = 0; i < n_rx; i++) {
		c->rings[i] = pl->rx[i]->ring;
		c->rx_done[i] = &pl->rx[i]->done;
	}
	c->lat = zalloc_on("tp_cons_lat", sizeof(*c->lat), cons);
	c->st = zalloc_on("tp_cons_stats", sizeof(*c->st), cons);
	if (!c->lat || !c->st || tp_stage_init(&c->stage, pl->n_feeds) != 0)
		ERR("out of memory for the consumer stage");
	return setup_strategy(pl, err, errlen);
}

static uint64_t sum_rx(const struct tp_pipeline *pl, size_t off)
{
	uint64_t s = 0;
	for (unsigned i = 0; i < pl->n_rx; i++)
		s += __atomic_load_n((const uint64_t *)((const char *)pl->rx[i]->st + off),
				     __ATOMIC_RELAXED);
	return s;
}

#define SUM_RX(pl, field) sum_rx((pl), offsetof(struct tp_rx_stats, field))

static void stats_line(const struct tp_pipeline *pl, FILE *out, uint64_t *prev_pkts,
		       uint64_t *prev_msgs, double dt)
{
	uint64_t pkts = SUM_RX(pl, packets), msgs = SUM_RX(pl, messages);
	uint64_t rej = 0;
	for (unsigned r = 1; r < TP_REJ__COUNT; r++)
		rej += sum_rx(pl, offsetof(struct tp_rx_stats, rej) + r * sizeof(uint64_t));
	fprintf(out,
		"stats: pkts %llu (%.0f/s) msgs %llu (%.0f/s) gaps %llu missing %llu dups %llu "
		"malformed %llu rejected %llu drops %llu consumed %llu\n",
		(unsigned long long)pkts, dt > 0 ? (double)(pkts - *prev_pkts) / dt : 0.0,
		(unsigned long long)msgs, dt > 0 ? (double)(msgs - *prev_msgs) / dt : 0.0,
		(unsigned long long)SUM_RX(pl, gap_events),
		(unsigned long long)SUM_RX(pl, messages_missing),
		(unsigned long long)SUM_RX(pl, duplicates), (unsigned long long)SUM_RX(pl, malformed),
		(unsigned long long)rej, (unsigned long long)SUM_RX(pl, ring_drops),
		(unsigned long long)TP_STAT_GET(pl->cons.st->events));
	fflush(out);
	*prev_pkts = pkts;
	*prev_msgs = msgs;
}

/* The pipeline's counters as a stats record (source 2), cumulative, once a second. */
static void log_stats(const struct tp_pipeline *pl)
{
	struct tp_log_slot *l = tp_log_reserve(pl->log_main, TP_LOG_STATS);
	if (!l)
		return;
	l->u.stats = (struct tp_log_stats){
		.source = 2, .count = 8, .interval_ms = 0,
		.counters = { SUM_RX(pl, packets), SUM_RX(pl, messages), SUM_RX(pl, events),
			      SUM_RX(pl, gap_events), SUM_RX(pl, messages_missing),
			      SUM_RX(pl, duplicates), SUM_RX(pl, ring_drops),
			      TP_STAT_GET(pl->cons.st->events) } };
	tp_log_commit(pl->log_main);
}

static void progress_line(const struct tp_pipeline *pl, double secs)
{
	uint64_t ppm = 0;
	for (unsigned i = 0; i < pl->n_rx; i++)
		ppm += TP_STAT_GET(pl->rx[i]->st->progress_ppm);
	ppm /= pl->n_rx ? pl->n_rx : 1;
	uint64_t msgs = SUM_RX(pl, messages);
	fprintf(stderr, "\rreplay: %5.1f%%  %llu msgs  %.2fM msgs/s\033[K", (double)ppm / 1e4,
		(unsigned long long)msgs, secs > 0 ? (double)msgs / secs / 1e6 : 0.0);
	fflush(stderr);
}

static int all_rx_done(const struct tp_pipeline *pl)
{
	for (unsigned i = 0; i < pl->n_rx; i++)
		if (!__atomic_load_n(&pl->rx[i]->done, __ATOMIC_ACQUIRE))
			return 0;
	return 1;
}

void tp_pipeline_launch(struct tp_pipeline *pl)
{
	/* Downstream first, so nothing upstream ever waits on a stage that is not there. */
	rte_eal_remote_launch(tp_consumer_main, &pl->cons, pl->cons.lcore);
	pl->tsc_begin = rte_rdtsc();
	pl->pace_tsc0 = pl->tsc_begin;
	for (unsigned i = 0; i < pl->n_rx; i++)
		rte_eal_remote_launch(tp_rx_main, pl->rx[i], pl->rx[i]->lcore);
}

static void ks_duty(struct tp_pipeline *pl)
{
	if (pl->ksc_open && tp_ks_ctl_tick(&pl->ksc) != 0)
		fprintf(stderr, "tickpipe: warning: kill-switch state file: %s\n",
			pl->ksc.persist_err);
}

void tp_pipeline_run(struct tp_pipeline *pl)
{
	tp_pipeline_launch(pl);
	tp_pipeline_wait(pl);
}

void tp_pipeline_wait(struct tp_pipeline *pl)
{
	uint64_t hz = rte_get_tsc_hz();
	int live = pl->mode == TP_RX_LIVE;
	int tty = !live && isatty(STDERR_FILENO);
	FILE *stats_out = pl->opts->json ? stderr : stdout;
	uint64_t last_stats = pl->tsc_begin, last_progress = 0, last_log = pl->tsc_begin;
	uint64_t prev_pkts = 0, prev_msgs = 0;
	int progressed = 0;
	for (;;) {
		struct timespec nap = { 0, 20 * 1000 * 1000 };
		nanosleep(&nap, NULL);
		if (tp_signals_received() && !pl->stop) {
			pl->signalled = 1;
			__atomic_store_n(&pl->stop, 1, __ATOMIC_RELAXED);
		}
		/* Off the hot path: the control thread persists what the lcores changed. */
		ks_duty(pl);
		if (all_rx_done(pl))
			break;
		uint64_t now = rte_rdtsc();
		if (live && now - last_stats >= hz) {
			stats_line(pl, stats_out, &prev_pkts, &prev_msgs,
				   (double)(now - last_stats) / (double)hz);
			last_stats = now;
		}
		if (pl->log_main && now - last_log >= hz) {
			log_stats(pl);
			last_log = now;
		}
		if (tty && now - last_progress >= hz / 4) {
			progress_line(pl, (double)(now - pl->tsc_begin) / (double)hz);
			last_progress = now;
			progressed = 1;
		}
	}
	rte_eal_mp_wait_lcore();
	pl->tsc_end = rte_rdtsc();
	ks_duty(pl);
	if (pl->log_main)
		log_stats(pl); /* the final counts */
	if (progressed) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
}

void tp_pipeline_teardown(struct tp_pipeline *pl)
{
	for (unsigned i = 0; i < pl->n_ports; i++)
		tp_port_close(&pl->ports[i]);
	pl->n_ports = 0;
	for (unsigned i = 0; i < pl->n_rx; i++) {
		struct tp_rx_worker *w = pl->rx[i];
		if (!w)
			continue;
		if (w->ring)
			tp_ring_free(w->ring);
		if (w->bf)
			tp_binfile_close(w->bf);
		for (unsigned k = 0; k < w->nq; k++)
			if (w->q[k].side)
				tp_pcapread_close(w->q[k].side);
		rte_free(w->st);
		rte_free(w->lat);
		rte_free(w);
		pl->rx[i] = NULL;
	}
	tp_port_close(&pl->tx_port);
	if (pl->tx_on)
		tp_tx_free(&pl->tx);
	pl->tx_on = 0;
	tp_strat_free(pl->strat);
	pl->strat = NULL;
	pl->cons.stage.strat = NULL;
	if (pl->ksc_open)
		tp_ks_ctl_close(&pl->ksc);
	pl->ksc_open = 0;
	tp_stage_free(&pl->cons.stage);
	rte_free(pl->cons.lat);
	rte_free(pl->cons.st);
	pl->cons.lat = NULL;
	pl->cons.st = NULL;
	for (unsigned i = 0; i < pl->n_feeds; i++) {
		tp_feed_free(pl->feeds[i].feed);
		pl->feeds[i].feed = NULL;
	}
}
