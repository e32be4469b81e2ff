/* A control server for tests: the real library with a real kill-switch (state file in a
 * temporary directory), a fake dataplane whose answers are fixed, and an audit hook that
 * keeps every record. Header-only so each test program stays one file. */
#ifndef TP_CTL_HARNESS_H
#define TP_CTL_HARNESS_H

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tp_ctl_client.h"
#include "tp_ctl_json.h"
#include "tp_ctl_server.h"
#include "tp_killswitch.h"

/* ---- the fake dataplane --------------------------------------------------------------- */

#define FAKE_STATUS                                                                          \
	"{\"mode\":\"test\",\"uptime_s\":42,\"feeds\":[{\"name\":\"nasdaq-a\",\"lcore\":1,"   \
	"\"messages\":1000,\"msgs_per_s\":10,\"gap_events\":1,\"messages_missing\":2,"       \
	"\"duplicates\":3,\"malformed\":4,\"stale\":false}],\"lcores\":[{\"lcore\":1,"        \
	"\"role\":\"rx\",\"packets\":500,\"pkts_per_s\":5,\"events\":1000,\"drops\":0}],"    \
	"\"rates\":{\"pkts_per_s\":5,\"msgs_per_s\":10,\"events_per_s\":10}}"
#define FAKE_STATS "{\"rx\":{\"packets\":500,\"bursts\":20}}"

struct fake_dp {
	int bad_json;     /* status_json writes something that is not JSON */
	int fail;         /* status_json / stats_json return -1 */
	_Atomic unsigned ticks;
};

static inline int fake_status(void *ctx, char *buf, size_t cap)
{
	struct fake_dp *f = ctx;
	if (f->fail)
		return snprintf(buf, cap, "dataplane not ready"), -1;
	snprintf(buf, cap, "%s", f->bad_json ? "{bad" : FAKE_STATUS);
	return 0;
}

static inline int fake_stats(void *ctx, char *buf, size_t cap)
{
	struct fake_dp *f = ctx;
	if (f->fail)
		return snprintf(buf, cap, "dataplane not ready"), -1;
	snprintf(buf, cap, "%s", FAKE_STATS);
	return 0;
}

static inline int fake_symbol_locate(void *ctx, const char *sym, uint16_t *loc)
{
	(void)ctx;
	if (!strcmp(sym, "AAPL"))
		*loc = 12;
	else if (!strcmp(sym, "MSFT"))
		*loc = 13;
	else
		return -1;
	return 0;
}

static inline int fake_locate_symbol(void *ctx, uint16_t loc, char *buf, size_t cap)
{
	(void)ctx;
	if (loc == 12)
		snprintf(buf, cap, "AAPL    "); /* padded as ITCH has it */
	else if (loc == 13)
		snprintf(buf, cap, "MSFT");
	else
		return -1;
	return 0;
}

/* Three levels a side: bids 150.0000 down in steps of 0.01, asks 150.0100 up. */
static inline int fake_book(void *ctx, const char *sym, unsigned depth, char *buf, size_t cap)
{
	(void)ctx;
	uint16_t loc;
	if (fake_symbol_locate(NULL, sym, &loc) != 0) {
		snprintf(buf, cap, "unknown symbol %s", sym);
		return -1;
	}
	struct tp_jw w;
	tp_jw_init(&w, buf, cap);
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "symbol");
	tp_jw_str(&w, sym);
	tp_jw_key(&w, "locate");
	tp_jw_u64(&w, loc);
	tp_jw_key(&w, "feed");
	tp_jw_str(&w, "nasdaq-a");
	tp_jw_key(&w, "stale");
	tp_jw_bool(&w, 0);
	for (int side = 0; side < 2; side++) {
		tp_jw_key(&w, side ? "asks" : "bids");
		tp_jw_arr_begin(&w);
		for (unsigned i = 0; i < depth && i < 3; i++) {
			tp_jw_arr_begin(&w);
			tp_jw_u64(&w, side ? 1500100 + 100 * i : 1500000 - 100 * i);
			tp_jw_u64(&w, 100 * (i + 1) + (side ? 50 : 0));
			tp_jw_u64(&w, i + 1);
			tp_jw_arr_end(&w);
		}
		tp_jw_arr_end(&w);
	}
	tp_jw_obj_end(&w);
	return w.overflow ? -2 : 0;
}

static inline void fake_tick(void *ctx, uint64_t now)
{
	(void)now;
	struct fake_dp *f = ctx;
	atomic_fetch_add(&f->ticks, 1);
}

/* ---- audit records ------------------------------------------------------------------ */

struct h_audit {
	uint32_t uid, gid;
	int32_t pid;
	int result;
	uint64_t conn_id, req_seq;
	char command[32];
	char args[512];
	char detail[256];
};

#define H_AUDIT_CAP 8192

struct harness {
	char dir[64];
	char sock[128];
	char state[128];
	struct tp_killswitch *ks;
	struct tp_ctl_server *srv;
	struct fake_dp fake;
	pthread_mutex_t mu;
	struct h_audit *audit;
	unsigned naudit;
};

static inline void h_on_audit(void *ctx, const struct tp_ctl_audit *a)
{
	struct harness *h = ctx;
	pthread_mutex_lock(&h->mu);
	if (h->naudit < H_AUDIT_CAP) {
		struct h_audit *r = &h->audit[h->naudit++];
		r->uid = a->uid;
		r->gid = a->gid;
		r->pid = a->pid;
		r->result = a->result;
		r->conn_id = a->conn_id;
		r->req_seq = a->req_seq;
		snprintf(r->command, sizeof(r->command), "%s", a->command);
		snprintf(r->args, sizeof(r->args), "%s", a->args);
		snprintf(r->detail, sizeof(r->detail), "%s", a->detail);
	}
	pthread_mutex_unlock(&h->mu);
}

static inline unsigned h_naudit(struct harness *h)
{
	pthread_mutex_lock(&h->mu);
	unsigned n = h->naudit;
	pthread_mutex_unlock(&h->mu);
	return n;
}

struct h_opts {
	const char *group;
	unsigned max_clients, tick_ms, idle_timeout_ms;
	int no_provider;
	pthread_mutex_t *ks_lock;
};

/* Creates the harness; the socket directory is world-searchable so that only the socket's
 * own mode decides who may connect. */
static inline void h_start(struct harness *h, const struct h_opts *o)
{
	memset(h, 0, sizeof(*h));
	snprintf(h->dir, sizeof(h->dir), "/tmp/tp_ctl_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(h->dir));
	ck_assert_int_eq(chmod(h->dir, 0755), 0);
	snprintf(h->sock, sizeof(h->sock), "%s/ctl.sock", h->dir);
	snprintf(h->state, sizeof(h->state), "%s/ks.state", h->dir);
	char err[256];
	h->ks = tp_ks_create(h->state, err, sizeof(err));
	ck_assert_msg(h->ks != NULL, "%s", err);
	pthread_mutex_init(&h->mu, NULL);
	h->audit = calloc(H_AUDIT_CAP, sizeof(*h->audit));
	ck_assert_ptr_nonnull(h->audit);
	struct tp_ctl_config c = {
		.socket_path = h->sock,
		.ks = h->ks,
		.on_audit = h_on_audit,
		.audit_ctx = h,
	};
	if (o) {
		c.group = o->group;
		c.max_clients = o->max_clients;
		c.tick_ms = o->tick_ms;
		c.idle_timeout_ms = o->idle_timeout_ms;
		c.ks_lock = o->ks_lock;
	}
	if (!o || !o->no_provider) {
		c.provider = (struct tp_ctl_provider){
			.ctx = &h->fake,
			.status_json = fake_status,
			.stats_json = fake_stats,
			.book_json = fake_book,
			.symbol_locate = fake_symbol_locate,
			.locate_symbol = fake_locate_symbol,
			.tick = fake_tick,
		};
	}
	h->srv = tp_ctl_server_create(&c, err, sizeof(err));
	ck_assert_msg(h->srv != NULL, "%s", err);
	ck_assert_int_eq(tp_ctl_server_start(h->srv, err, sizeof(err)), 0);
}

static inline void h_stop(struct harness *h)
{
	tp_ctl_server_free(h->srv);
	tp_ks_free(h->ks);
	unlink(h->state);
	char tmp[160];
	snprintf(tmp, sizeof(tmp), "%s.tmp", h->state);
	unlink(tmp);
	unlink(h->sock);
	rmdir(h->dir);
	free(h->audit);
	pthread_mutex_destroy(&h->mu);
}

static inline int h_connect(struct harness *h)
{
	char err[256];
	int fd = tp_ctl_connect(h->sock, err, sizeof(err));
	ck_assert_msg(fd >= 0, "%s", err);
	return fd;
}

/* One request; the reply in a static buffer (tests are single-threaded unless they say). */
static inline const char *h_call_buf(int fd, int argc, const char **argv, char *buf, size_t cap)
{
	char err[256];
	size_t len;
	int rc = tp_ctl_call(fd, argc, argv, 10000, buf, cap, &len, err, sizeof(err));
	ck_assert_msg(rc == 0, "%s", err);
	ck_assert_uint_eq(strlen(buf), len);
	return buf;
}

static char h_reply[TP_CTL_MAX_REPLY + 1] __attribute__((unused));

#define H_CALL(fd, ...)                                                                      \
	({                                                                                   \
		const char *h_argv_[] = { __VA_ARGS__ };                                     \
		h_call_buf((fd), (int)(sizeof(h_argv_) / sizeof(h_argv_[0])), h_argv_,       \
			   h_reply, sizeof(h_reply));                                        \
	})

/* Polls cond (a statement expression) every ms for at most 10 s: waiting for the server to
 * notice something, not timing it. */
#define H_WAIT_FOR(cond)                                                                     \
	do {                                                                                 \
		for (int h_i_ = 0; h_i_ < 10000 && !(cond); h_i_++) {                        \
			struct timespec h_ts_ = { 0, 1000000 };                              \
			nanosleep(&h_ts_, NULL);                                             \
		}                                                                            \
		ck_assert_msg((cond), "gave up waiting for " #cond);                         \
	} while (0)

#endif
