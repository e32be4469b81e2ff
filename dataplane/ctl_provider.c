/* The pipeline's answers to the control socket (see ctl_provider.h). Runs on the control
 * thread only: everything here that is not a relaxed counter is fetched on the owning RX
 * lcore through its mailbox. */
#include "ctl_provider.h"

#include "tp_logprod.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_lcore.h>

#include "stats.h"
#include "tp_book.h"
#include "tp_ctl_json.h"
#include "tp_ctl_mbox.h"
#include "tp_ctl_server.h"

#define SYM_LEN 9                            /* ITCH's 8 characters and a NUL */
#define MBOX_TIMEOUT_NS (200u * 1000 * 1000) /* an RX lcore answers within a loop turn */

struct feed_snap {
	uint64_t messages, r_msgs, packets, gap_events, missing, duplicates, malformed,
		unknown_refs;
	int stale;
	int valid;
};

struct tp_dp_ctl {
	struct tp_pipeline *pl;
	struct tp_ctl_server *srv;
	uint64_t t0_ns;

	/* last tick's totals, for the rates */
	uint64_t last_ns;
	uint64_t last_pkts, last_msgs, last_events;
	double pps, mps, eps;
	uint64_t rx_last_pkts[TP_DP_MAX_RX];
	double rx_pps[TP_DP_MAX_RX];
	uint64_t feed_last_msgs[TP_DP_MAX_FEEDS];
	double feed_mps[TP_DP_MAX_FEEDS];

	struct feed_snap snap[TP_DP_MAX_FEEDS];

	/* stock directories, by feed: a copy made on the owning lcore */
	char (*names[TP_DP_MAX_FEEDS])[SYM_LEN];
	uint64_t names_r[TP_DP_MAX_FEEDS];        /* R messages seen when copied */
	int names_valid[TP_DP_MAX_FEEDS];
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- runs on the owning RX lcore (or here, once it has finished) ----------------------- */

struct snap_job {
	struct tp_dp_ctl *c;
	const struct tp_rx_worker *w;
};

static void snap_fn(void *arg)
{
	struct snap_job *j = arg;
	for (unsigned k = 0; k < j->w->n_owned; k++) {
		unsigned f = j->w->owned[k];
		const struct tp_feed *feed = j->c->pl->feeds[f].feed;
		const struct tp_feed_stats *s = tp_feed_stats(feed);
		struct feed_snap *o = &j->c->snap[f];
		o->messages = s->messages_total;
		o->r_msgs = s->msgs['R'];
		o->packets = s->packets;
		o->gap_events = s->gap_events;
		o->missing = s->messages_missing;
		o->duplicates = s->duplicates;
		o->malformed = s->malformed;
		o->unknown_refs = s->unknown_refs;
		o->stale = s->gap_events > 0;
		o->valid = 1;
	}
}

struct names_job {
	struct tp_dp_ctl *c;
	unsigned feed;
};

static void names_fn(void *arg)
{
	struct names_job *j = arg;
	const struct tp_feed *feed = j->c->pl->feeds[j->feed].feed;
	char(*dst)[SYM_LEN] = j->c->names[j->feed];
	for (unsigned loc = 0; loc < 65536u; loc++) {
		const char *s = tp_feed_symbol(feed, (uint16_t)loc);
		if (!s) {
			dst[loc][0] = '\0';
			continue;
		}
		size_t n = strnlen(s, SYM_LEN - 1);
		while (n && s[n - 1] == ' ')
			n--;
		memcpy(dst[loc], s, n);
		dst[loc][n] = '\0';
	}
}

struct book_job {
	const struct tp_feed *feed;
	uint16_t locate;
	unsigned depth;
	struct tp_book_level bids[TP_CTL_BOOK_MAX_DEPTH], asks[TP_CTL_BOOK_MAX_DEPTH];
	uint32_t nb, na;
	int stale;
};

static void book_fn(void *arg)
{
	struct book_job *j = arg;
	const struct tp_book *b = tp_feed_book(j->feed);
	j->nb = b ? tp_book_depth(b, j->locate, 'B', j->bids, j->depth) : 0;
	j->na = b ? tp_book_depth(b, j->locate, 'S', j->asks, j->depth) : 0;
	j->stale = tp_feed_is_stale(j->feed, j->locate);
}

static struct tp_rx_worker *owner(struct tp_dp_ctl *c, unsigned feed)
{
	return c->pl->rx[c->pl->feeds[feed].owner];
}

static int on_owner(struct tp_dp_ctl *c, unsigned feed, void (*fn)(void *), void *arg)
{
	struct tp_rx_worker *w = owner(c, feed);
	return tp_ctl_mbox_call(&w->mbox, fn, arg, MBOX_TIMEOUT_NS, &w->done);
}

/* ---- refreshes (control thread) ----------------------------------------------------- */

static void refresh_snaps(struct tp_dp_ctl *c)
{
	for (unsigned i = 0; i < c->pl->n_rx; i++) {
		struct snap_job j = { .c = c, .w = c->pl->rx[i] };
		tp_ctl_mbox_call(&c->pl->rx[i]->mbox, snap_fn, &j, MBOX_TIMEOUT_NS,
				 &c->pl->rx[i]->done);
	}
}

/* Copies a feed's stock directory when it has grown since the last copy (or force). */
static void refresh_names(struct tp_dp_ctl *c, unsigned f, int force)
{
	if (!c->names[f])
		return;
	if (!force && c->names_valid[f] && c->snap[f].valid && c->snap[f].r_msgs == c->names_r[f])
		return;
	uint64_t r = c->snap[f].r_msgs;
	struct names_job j = { .c = c, .feed = f };
	if (on_owner(c, f, names_fn, &j) == 0) {
		c->names_valid[f] = 1;
		c->names_r[f] = r;
	}
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

static void tick(void *ctx, uint64_t now)
{
	struct tp_dp_ctl *c = ctx;
	struct tp_pipeline *pl = c->pl;
	refresh_snaps(c);
	for (unsigned f = 0; f < pl->n_feeds; f++)
		refresh_names(c, f, 0);
	uint64_t pkts = SUM_RX(pl, packets), msgs = SUM_RX(pl, messages),
		 events = TP_STAT_GET(pl->cons.st->events);
	double dt = c->last_ns ? (double)(now - c->last_ns) / 1e9 : 0;
	if (dt > 0) {
		c->pps = (double)(pkts - c->last_pkts) / dt;
		c->mps = (double)(msgs - c->last_msgs) / dt;
		c->eps = (double)(events - c->last_events) / dt;
	}
	for (unsigned i = 0; i < pl->n_rx; i++) {
		uint64_t p = TP_STAT_GET(pl->rx[i]->st->packets);
		if (dt > 0)
			c->rx_pps[i] = (double)(p - c->rx_last_pkts[i]) / dt;
		c->rx_last_pkts[i] = p;
	}
	for (unsigned f = 0; f < pl->n_feeds; f++) {
		uint64_t m = c->snap[f].messages;
		if (dt > 0)
			c->feed_mps[f] = (double)(m - c->feed_last_msgs[f]) / dt;
		c->feed_last_msgs[f] = m;
	}
	c->last_ns = now;
	c->last_pkts = pkts;
	c->last_msgs = msgs;
	c->last_events = events;
}

/* ---- provider callbacks ------------------------------------------------------------- */

static int finish(struct tp_jw *w, char *buf, size_t cap)
{
	if (!w->overflow)
		return 0;
	snprintf(buf, cap, "answer larger than %zu bytes", cap);
	return -1;
}

static int status_json(void *ctx, char *buf, size_t cap)
{
	struct tp_dp_ctl *c = ctx;
	struct tp_pipeline *pl = c->pl;
	refresh_snaps(c);
	struct tp_jw w;
	tp_jw_init(&w, buf, cap);
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "mode");
	tp_jw_str(&w, pl->mode == TP_RX_LIVE ? "live" : "replay");
	tp_jw_key(&w, "uptime_s");
	tp_jw_u64(&w, (mono_ns() - c->t0_ns) / 1000000000u);
	tp_jw_key(&w, "stopping");
	tp_jw_bool(&w, __atomic_load_n(&pl->stop, __ATOMIC_RELAXED) != 0);
	tp_jw_key(&w, "feeds");
	tp_jw_arr_begin(&w);
	for (unsigned f = 0; f < pl->n_feeds; f++) {
		const struct feed_snap *s = &c->snap[f];
		tp_jw_obj_begin(&w);
		tp_jw_key(&w, "name");
		tp_jw_str(&w, pl->feeds[f].name);
		tp_jw_key(&w, "lcore");
		tp_jw_u64(&w, owner(c, f)->lcore);
		tp_jw_key(&w, "messages");
		tp_jw_u64(&w, s->messages);
		tp_jw_key(&w, "msgs_per_s");
		tp_jw_u64(&w, (uint64_t)(c->feed_mps[f] + 0.5));
		tp_jw_key(&w, "packets");
		tp_jw_u64(&w, s->packets);
		tp_jw_key(&w, "gap_events");
		tp_jw_u64(&w, s->gap_events);
		tp_jw_key(&w, "messages_missing");
		tp_jw_u64(&w, s->missing);
		tp_jw_key(&w, "duplicates");
		tp_jw_u64(&w, s->duplicates);
		tp_jw_key(&w, "malformed");
		tp_jw_u64(&w, s->malformed);
		tp_jw_key(&w, "unknown_refs");
		tp_jw_u64(&w, s->unknown_refs);
		tp_jw_key(&w, "stale");
		tp_jw_bool(&w, s->stale);
		tp_jw_obj_end(&w);
	}
	tp_jw_arr_end(&w);
	tp_jw_key(&w, "lcores");
	tp_jw_arr_begin(&w);
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "lcore");
	tp_jw_u64(&w, pl->main_lcore);
	tp_jw_key(&w, "role");
	tp_jw_str(&w, "main");
	tp_jw_obj_end(&w);
	for (unsigned i = 0; i < pl->n_rx; i++) {
		const struct tp_rx_stats *st = pl->rx[i]->st;
		tp_jw_obj_begin(&w);
		tp_jw_key(&w, "lcore");
		tp_jw_u64(&w, pl->rx[i]->lcore);
		tp_jw_key(&w, "role");
		tp_jw_str(&w, "rx");
		tp_jw_key(&w, "packets");
		tp_jw_u64(&w, TP_STAT_GET(st->packets));
		tp_jw_key(&w, "pkts_per_s");
		tp_jw_u64(&w, (uint64_t)(c->rx_pps[i] + 0.5));
		tp_jw_key(&w, "events");
		tp_jw_u64(&w, TP_STAT_GET(st->events));
		tp_jw_key(&w, "drops");
		tp_jw_u64(&w, TP_STAT_GET(st->ring_drops));
		tp_jw_key(&w, "done");
		tp_jw_bool(&w, __atomic_load_n(&pl->rx[i]->done, __ATOMIC_ACQUIRE));
		tp_jw_obj_end(&w);
	}
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "lcore");
	tp_jw_u64(&w, pl->cons.lcore);
	tp_jw_key(&w, "role");
	tp_jw_str(&w, "consumer");
	tp_jw_key(&w, "events");
	tp_jw_u64(&w, TP_STAT_GET(pl->cons.st->events));
	tp_jw_obj_end(&w);
	tp_jw_arr_end(&w);
	tp_jw_key(&w, "rates");
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "pkts_per_s");
	tp_jw_u64(&w, (uint64_t)(c->pps + 0.5));
	tp_jw_key(&w, "msgs_per_s");
	tp_jw_u64(&w, (uint64_t)(c->mps + 0.5));
	tp_jw_key(&w, "events_per_s");
	tp_jw_u64(&w, (uint64_t)(c->eps + 0.5));
	tp_jw_obj_end(&w);
	tp_jw_obj_end(&w);
	return finish(&w, buf, cap);
}

static int stats_json(void *ctx, char *buf, size_t cap)
{
	struct tp_dp_ctl *c = ctx;
	struct tp_pipeline *pl = c->pl;
	struct tp_jw w;
	tp_jw_init(&w, buf, cap);
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "rx");
	tp_jw_arr_begin(&w);
	for (unsigned i = 0; i < pl->n_rx; i++) {
		const struct tp_rx_stats *st = pl->rx[i]->st;
		tp_jw_obj_begin(&w);
#define U(k, v)                                                                              \
	do {                                                                                 \
		tp_jw_key(&w, k);                                                            \
		tp_jw_u64(&w, v);                                                            \
	} while (0)
		U("lcore", pl->rx[i]->lcore);
		U("packets", TP_STAT_GET(st->packets));
		U("bytes", TP_STAT_GET(st->bytes));
		U("bursts", TP_STAT_GET(st->bursts));
		U("events", TP_STAT_GET(st->events));
		U("ring_drops", TP_STAT_GET(st->ring_drops));
		U("ring_waits", TP_STAT_GET(st->ring_waits));
		U("messages", TP_STAT_GET(st->messages));
		U("gap_events", TP_STAT_GET(st->gap_events));
		U("messages_missing", TP_STAT_GET(st->messages_missing));
		U("duplicates", TP_STAT_GET(st->duplicates));
		U("malformed", TP_STAT_GET(st->malformed));
		tp_jw_key(&w, "rejected");
		tp_jw_obj_begin(&w);
		for (unsigned r = 1; r < TP_REJ__COUNT; r++)
			U(tp_rej_name(r), TP_STAT_GET(st->rej[r]));
		tp_jw_obj_end(&w);
		tp_jw_obj_end(&w);
	}
	tp_jw_arr_end(&w);
	tp_jw_key(&w, "consumer");
	tp_jw_obj_begin(&w);
	U("lcore", pl->cons.lcore);
	U("events", TP_STAT_GET(pl->cons.st->events));
	U("batches", TP_STAT_GET(pl->cons.st->batches));
	U("gap_events", TP_STAT_GET(pl->cons.st->gap_events));
#undef U
	tp_jw_obj_end(&w);
	tp_jw_obj_end(&w);
	return finish(&w, buf, cap);
}

/* A symbol's feed and locate: the first feed (in config order) whose directory has it. */
static int find_symbol(struct tp_dp_ctl *c, const char *sym, unsigned *feed, uint16_t *loc)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned f = 0; f < c->pl->n_feeds; f++) {
			if (pass == 1)
				refresh_names(c, f, 1); /* named since the last tick? */
			if (!c->names_valid[f])
				continue;
			for (unsigned l = 0; l < 65536u; l++) {
				if (c->names[f][l][0] && !strcmp(c->names[f][l], sym)) {
					*feed = f;
					*loc = (uint16_t)l;
					return 0;
				}
			}
		}
	}
	return -1;
}

static int symbol_locate(void *ctx, const char *sym, uint16_t *loc)
{
	unsigned f;
	return find_symbol(ctx, sym, &f, loc);
}

static int locate_symbol(void *ctx, uint16_t loc, char *buf, size_t cap)
{
	struct tp_dp_ctl *c = ctx;
	for (unsigned f = 0; f < c->pl->n_feeds; f++) {
		if (c->names_valid[f] && c->names[f][loc][0]) {
			snprintf(buf, cap, "%s", c->names[f][loc]);
			return 0;
		}
	}
	return -1;
}

static int book_json(void *ctx, const char *sym, unsigned depth, char *buf, size_t cap)
{
	struct tp_dp_ctl *c = ctx;
	unsigned f;
	uint16_t loc;
	if (find_symbol(c, sym, &f, &loc) != 0) {
		snprintf(buf, cap, "unknown symbol %s", sym);
		return -1;
	}
	struct book_job *j = calloc(1, sizeof(*j)); /* 3 KiB: not on the control thread's stack */
	if (!j) {
		snprintf(buf, cap, "out of memory");
		return -2;
	}
	j->feed = c->pl->feeds[f].feed;
	j->locate = loc;
	j->depth = depth > TP_CTL_BOOK_MAX_DEPTH ? TP_CTL_BOOK_MAX_DEPTH : depth;
	if (on_owner(c, f, book_fn, j) != 0) {
		free(j);
		snprintf(buf, cap, "RX lcore %u did not answer in time", owner(c, f)->lcore);
		return -2;
	}
	struct tp_jw w;
	tp_jw_init(&w, buf, cap);
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "symbol");
	tp_jw_str(&w, sym);
	tp_jw_key(&w, "locate");
	tp_jw_u64(&w, loc);
	tp_jw_key(&w, "feed");
	tp_jw_str(&w, c->pl->feeds[f].name);
	tp_jw_key(&w, "stale");
	tp_jw_bool(&w, j->stale);
	for (int side = 0; side < 2; side++) {
		const struct tp_book_level *lv = side ? j->asks : j->bids;
		uint32_t n = side ? j->na : j->nb;
		tp_jw_key(&w, side ? "asks" : "bids");
		tp_jw_arr_begin(&w);
		for (uint32_t i = 0; i < n; i++) {
			tp_jw_arr_begin(&w);
			tp_jw_u64(&w, lv[i].price);
			tp_jw_u64(&w, lv[i].qty);
			tp_jw_u64(&w, lv[i].orders);
			tp_jw_arr_end(&w);
		}
		tp_jw_arr_end(&w);
	}
	tp_jw_obj_end(&w);
	free(j);
	return finish(&w, buf, cap);
}

/* ---- audit (until the slow-path logger takes it) -------------------------------------- */

static void on_audit(void *ctx, const struct tp_ctl_audit *a)
{
	struct tp_dp_ctl *c = ctx;
	/* The durable log takes every command; stderr only the kill-switch ones. */
	if (c->pl->log_ctl)
		tp_log_audit(c->pl->log_ctl, (uint32_t)a->uid, (uint32_t)a->gid, (int32_t)a->pid,
			     a->command, a->args, (int32_t)a->result);
	/* Only what changes or tries to change the kill-switch: status polls would drown it. */
	if (strcmp(a->command, "kill") && strcmp(a->command, "resume"))
		return;
	fprintf(stderr, "tickpipe: ctl: uid %u gid %u pid %d: %s %s: %s: %s\n", (unsigned)a->uid,
		(unsigned)a->gid, (int)a->pid, a->command, a->args, tp_ctl_result_name(a->result),
		a->detail);
}

/* ---- start / stop ------------------------------------------------------------------- */

/* The control thread runs where no polling lcore does: the CPUs this process may use minus
 * every worker lcore's; on a machine with none left, the main lcore's (it only sleeps). */
static void ctl_cpus(const struct tp_pipeline *pl, cpu_set_t *set)
{
	CPU_ZERO(set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	for (long cpu = 0; cpu < n && cpu < CPU_SETSIZE; cpu++)
		CPU_SET((int)cpu, set);
	unsigned l;
	RTE_LCORE_FOREACH_WORKER(l)
	{
		rte_cpuset_t w = rte_lcore_cpuset(l);
		for (int cpu = 0; cpu < CPU_SETSIZE; cpu++)
			if (CPU_ISSET(cpu, &w))
				CPU_CLR(cpu, set);
	}
	if (CPU_COUNT(set) == 0)
		*set = rte_lcore_cpuset(pl->main_lcore);
}

struct tp_dp_ctl *tp_dp_ctl_start(struct tp_pipeline *pl, const char *socket, const char *group,
				  pthread_mutex_t *ks_lock, char *err, size_t errlen)
{
	struct tp_dp_ctl *c = calloc(1, sizeof(*c));
	if (!c) {
		snprintf(err, errlen, "control socket: out of memory");
		return NULL;
	}
	c->pl = pl;
	c->t0_ns = mono_ns();
	for (unsigned f = 0; f < pl->n_feeds; f++) {
		c->names[f] = calloc(65536, SYM_LEN);
		if (!c->names[f]) {
			snprintf(err, errlen, "control socket: out of memory");
			tp_dp_ctl_stop(c);
			return NULL;
		}
	}
	cpu_set_t cpus;
	ctl_cpus(pl, &cpus);
	struct tp_ctl_config cfg = {
		.socket_path = socket,
		.group = group,
		.ks = pl->ksc.ks,
		.provider = { .ctx = c, .status_json = status_json, .stats_json = stats_json,
			      .book_json = book_json, .symbol_locate = symbol_locate,
			      .locate_symbol = locate_symbol, .tick = tick },
		.on_audit = on_audit,
		.audit_ctx = c,
		.cpus = &cpus,
		.ks_lock = ks_lock,
	};
	c->srv = tp_ctl_server_create(&cfg, err, errlen);
	if (!c->srv || tp_ctl_server_start(c->srv, err, errlen) != 0) {
		tp_dp_ctl_stop(c);
		return NULL;
	}
	return c;
}

void tp_dp_ctl_stop(struct tp_dp_ctl *c)
{
	if (!c)
		return;
	tp_ctl_server_free(c->srv);
	for (unsigned f = 0; f < TP_DP_MAX_FEEDS; f++)
		free(c->names[f]);
	free(c);
}
