/* Shared between the socket loop (tp_ctl_server.c) and the commands (tp_ctl_cmd.c). Not a
 * public header. */
#ifndef TP_CTL_INTERNAL_H
#define TP_CTL_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "tp_ctl_json.h"
#include "tp_ctl_server.h"

struct ctl_stats {
	_Atomic uint64_t accepted, rejected_full, open, requests, done, refused, bad, errors,
		disconnects_mid_request, idle_timeouts, persist_failures;
};

struct tp_ctl_server {
	struct tp_ctl_config cfg;
	char *path;
	int listen_fd;
	int epoll_fd;
	int wake_fd;                 /* eventfd: stop */
	pthread_t thread;
	int started;
	cpu_set_t cpus;
	int have_cpus;

	struct ctl_conn **conns;     /* max_clients slots */
	uint64_t next_conn_id;
	uint64_t req_seq;

	/* Kill-switch persistence as the control thread last saw it. */
	int persist_ok;
	char persist_err[256];

	char *reply;                 /* TP_CTL_MAX_REPLY + header: one reply at a time */
	char *scratch;               /* what a provider writes, before it is checked */
	struct ctl_stats st;
};

/* The request being served, and what the command says back. */
struct ctl_req {
	struct tp_ctl_server *srv;
	int fd;
	uint32_t uid, gid;
	int32_t pid;
	int argc;
	const char **argv;
	struct tp_jw *w;             /* the reply object, opened with "ok" and "cmd" to come */
	int result;                  /* enum tp_ctl_result */
	char detail[256];
	int persist_after;           /* kill changed something: persist once the reply is out */
};

static inline void ctl_ks_lock(struct tp_ctl_server *s)
{
	if (s->cfg.ks_lock)
		pthread_mutex_lock(s->cfg.ks_lock);
}

static inline void ctl_ks_unlock(struct tp_ctl_server *s)
{
	if (s->cfg.ks_lock)
		pthread_mutex_unlock(s->cfg.ks_lock);
}

/* Runs one command: fills r->result/detail and, when it succeeds, the reply's members. */
void tp_ctl_cmd_run(struct ctl_req *r);

#endif
