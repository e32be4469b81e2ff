/* The control thread: serves the control socket (protocol in tp_ctl_proto.h) on a plain
 * pthread, never on a polling core, so a kill is answered even when every polling core is
 * saturated.
 *
 * One thread, one epoll loop, many clients: each connection is read without blocking and
 * answered in order; a slow or stalled client delays nobody else. The server knows nothing
 * of DPDK: the dataplane describes itself through a provider (a struct of callbacks, each
 * optional) and the kill-switch is called directly:
 *   kill   -> tp_ks_halter_halt(tp_ks_halter_of(ks), ..., who "ctl:uid=N"), reply, then
 *             tp_ks_persist
 *   resume -> tp_ks_operator_from_socket(ks, fd, "ctl") and tp_ks_resume (which persists)
 * Every TP_CTL tick (default 1 s) the thread also persists kill-switch changes made by
 * anyone else (rules, the risk guard: they halt on the hot path and never write files) with
 * tp_ks_persist_if_changed, and calls the provider's tick.
 *
 * Every callback (provider and audit) is called on the control thread, one at a time. */
#ifndef TP_CTL_SERVER_H
#define TP_CTL_SERVER_H

#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

#include "tp_ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

struct tp_killswitch;

/* What the dataplane tells the control thread. All members optional (NULL: the command
 * answers "unavailable", or the field is null).
 *
 * The *_json callbacks write one JSON value (normally an object) into buf, NUL-terminated,
 * and return 0; or return a negative value with a one-line reason in buf (book_json: -1 =
 * no such symbol, answered as a usage error; anything else = cannot answer now). The
 * server checks that the text is well-formed JSON before it puts it into a reply: a
 * provider that writes anything else costs its field, never the reply. Suggested shapes, which tickpipe-ctl
 * knows how to show (extra keys are passed through untouched):
 *   status: {"mode":S, "uptime_s":N,
 *            "feeds":[{"name":S,"lcore":N,"messages":N,"msgs_per_s":N,"gap_events":N,
 *                      "messages_missing":N,"duplicates":N,"malformed":N,"stale":B},...],
 *            "lcores":[{"lcore":N,"role":"rx"|"consumer"|"main","packets":N,
 *                       "pkts_per_s":N,"events":N,"drops":N},...],
 *            "rates":{"pkts_per_s":N,"msgs_per_s":N,"events_per_s":N}}
 *   stats:  any object of counters (nested objects allowed)
 *   book:   {"symbol":S,"locate":N,"feed":S,"stale":B,
 *            "bids":[[price,qty,orders],...],"asks":[[price,qty,orders],...]}  best first,
 *            prices in the feed's integer units */
struct tp_ctl_provider {
	void *ctx;
	int (*status_json)(void *ctx, char *buf, size_t cap);
	int (*stats_json)(void *ctx, char *buf, size_t cap);
	int (*book_json)(void *ctx, const char *symbol, unsigned depth, char *buf, size_t cap);
	/* Symbol name -> stock locate, for kill/resume --symbol. 0, or -1 when unknown. */
	int (*symbol_locate)(void *ctx, const char *symbol, uint16_t *locate);
	/* Stock locate -> symbol name into buf, for status. 0, or -1 when unknown. */
	int (*locate_symbol)(void *ctx, uint16_t locate, char *buf, size_t cap);
	/* Every tick (rates, housekeeping). now_ns: CLOCK_MONOTONIC. */
	void (*tick)(void *ctx, uint64_t now_ns);
};

/* One request, for the audit trail (the slow-path logger records it: tp_log_audit takes
 * uid, gid, pid, command, args and result as they are here). */
struct tp_ctl_audit {
	uint64_t ts_ns;        /* CLOCK_REALTIME when the reply was made */
	uint64_t conn_id;      /* connection, from 1 */
	uint64_t req_seq;      /* request on this server, from 1 */
	uint32_t uid, gid;     /* the peer, SO_PEERCRED at accept */
	int32_t pid;
	int result;            /* enum tp_ctl_result */
	const char *command;   /* the verb ("kill"); "" when the request could not be read */
	const char *args;      /* the other words joined by single blanks (may be "") */
	const char *detail;    /* one line: what was done, or why not */
	uint64_t service_ns;   /* request complete -> reply handed to the socket */
};

struct tp_ctl_config {
	const char *socket_path;      /* NULL: TP_CTL_DEFAULT_SOCKET */
	const char *group;            /* group name or number owning the socket; NULL: ours */
	unsigned mode;                /* 0: 0660 */
	struct tp_killswitch *ks;     /* required */
	struct tp_ctl_provider provider;
	void (*on_audit)(void *ctx, const struct tp_ctl_audit *a);
	void *audit_ctx;
	unsigned max_clients;         /* 0: 64; more are told so and closed */
	unsigned tick_ms;             /* 0: 1000 */
	unsigned idle_timeout_ms;     /* a half-sent request older than this is dropped; 0: 10000 */
	const cpu_set_t *cpus;        /* CPUs for the control thread; NULL: inherited */
	/* Held around every tp_ks_persist* and tp_ks_resume of the control thread: give the
	 * same mutex to any other thread that persists this kill-switch (the state file has one
	 * writer at a time). NULL: the control thread is the only one. */
	pthread_mutex_t *ks_lock;
};

struct tp_ctl_server;

/* Creates the socket (see tp_ctl_proto.h for path, mode and group): an existing socket file
 * nobody answers on is replaced, one that answers is refused ("already in use"). A missing
 * parent directory is created (0750, the group's). NULL with a one-line reason in err. */
struct tp_ctl_server *tp_ctl_server_create(const struct tp_ctl_config *cfg, char *err,
					   size_t errlen);
/* Starts the control thread ("tp-ctl"). 0, or -1 with err. */
int tp_ctl_server_start(struct tp_ctl_server *s, char *err, size_t errlen);
/* Stops and joins the thread (closing every connection); safe if never started. */
void tp_ctl_server_stop(struct tp_ctl_server *s);
/* Stops if needed, closes and removes the socket file. NULL is fine. */
void tp_ctl_server_free(struct tp_ctl_server *s);
const char *tp_ctl_server_path(const struct tp_ctl_server *s);

struct tp_ctl_server_stats {
	uint64_t accepted;
	uint64_t rejected_full;       /* turned away: max_clients open */
	uint64_t open;
	uint64_t requests;
	uint64_t done;
	uint64_t refused;
	uint64_t bad;                 /* usage, malformed, too large */
	uint64_t errors;
	uint64_t disconnects_mid_request;
	uint64_t idle_timeouts;
	uint64_t persist_failures;
};
/* Safe from any thread (relaxed counters). */
void tp_ctl_server_get_stats(const struct tp_ctl_server *s, struct tp_ctl_server_stats *out);

#ifdef __cplusplus
}
#endif

#endif /* TP_CTL_SERVER_H */
