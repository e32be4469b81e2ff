/* The control thread's socket loop: accept, read framed requests without blocking, answer in
 * order, time out what stalls. The commands themselves are in tp_ctl_cmd.c. */
#include "tp_ctl_server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "tp_ctl_internal.h"
#include "tp_killswitch.h"

#define EV_LISTEN 0u
#define EV_WAKE 1u
#define EV_CONN0 2u
#define BURST_REQUESTS 32 /* per connection per wake-up: one busy client cannot starve the rest */

struct ctl_conn {
	int fd;
	unsigned slot;
	uint64_t id;
	uint32_t uid, gid;
	int32_t pid;
	int closing;          /* close once the output is flushed */
	int more;             /* complete requests may wait in `in`: come back without a wake-up */
	uint32_t events;      /* what epoll watches now */
	uint64_t since_ns;    /* start of the current partial request or pending output */
	char *out;            /* reply bytes the socket did not take yet */
	size_t outlen, outoff;
	size_t inlen;
	uint8_t in[TP_CTL_HDR_LEN + TP_CTL_MAX_REQUEST];
};

static void serr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void serr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t real_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* relaxed: statistics, read by tp_ctl_server_get_stats from any thread */
#define ST_INC(s, f) atomic_fetch_add_explicit(&(s)->st.f, 1, memory_order_relaxed)
#define ST_DEC(s, f) atomic_fetch_sub_explicit(&(s)->st.f, 1, memory_order_relaxed)
#define ST_GET(s, f) atomic_load_explicit(&(s)->st.f, memory_order_relaxed)

void tp_ctl_server_get_stats(const struct tp_ctl_server *cs, struct tp_ctl_server_stats *o)
{
	struct tp_ctl_server *s = (struct tp_ctl_server *)cs;
	o->accepted = ST_GET(s, accepted);
	o->rejected_full = ST_GET(s, rejected_full);
	o->open = ST_GET(s, open);
	o->requests = ST_GET(s, requests);
	o->done = ST_GET(s, done);
	o->refused = ST_GET(s, refused);
	o->bad = ST_GET(s, bad);
	o->errors = ST_GET(s, errors);
	o->disconnects_mid_request = ST_GET(s, disconnects_mid_request);
	o->idle_timeouts = ST_GET(s, idle_timeouts);
	o->persist_failures = ST_GET(s, persist_failures);
}

const char *tp_ctl_server_path(const struct tp_ctl_server *s) { return s->path; }

/* ---- the socket file ---------------------------------------------------------------- */

static int resolve_group(const char *g, gid_t *gid, char *err, size_t errlen)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(g, &end, 10);
	if (*g >= '0' && *g <= '9' && !*end && !errno && v < UINT32_MAX) {
		*gid = (gid_t)v;
		return 0;
	}
	struct group gr, *res = NULL;
	char buf[4096];
	int rc = getgrnam_r(g, &gr, buf, sizeof(buf), &res);
	if (rc != 0 || !res) {
		serr(err, errlen, "control socket group %s: %s", g,
		     rc ? strerror(rc) : "no such group");
		return -1;
	}
	*gid = gr.gr_gid;
	return 0;
}

/* The parent directory must exist for bind; systemd's RuntimeDirectory= normally makes it,
 * this covers a plain start. Only the last component is created. */
static int make_parent(const char *path, int have_gid, gid_t gid, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	struct stat st;
	if (stat(dir, &st) == 0)
		return 0;
	if (errno != ENOENT || mkdir(dir, 0750) != 0) {
		serr(err, errlen, "control socket directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (have_gid && chown(dir, (uid_t)-1, gid) != 0) {
		serr(err, errlen, "control socket directory %s: chown: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* A socket file left by an instance that died is replaced; one that still answers belongs
 * to a running instance and is left alone. */
static int clear_stale(const char *path, const struct sockaddr_un *sa, char *err,
		       size_t errlen)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : (serr(err, errlen, "%s: %s", path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		serr(err, errlen, "%s exists and is not a socket", path);
		return -1;
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		serr(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	int e = errno;
	close(fd);
	if (rc == 0) {
		serr(err, errlen, "%s is in use by a running instance", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		serr(err, errlen, "%s: %s", path, strerror(e));
		return -1;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		serr(err, errlen, "cannot remove stale %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int open_listener(struct tp_ctl_server *s, const char *group, char *err, size_t errlen)
{
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(s->path) >= sizeof(sa.sun_path)) {
		serr(err, errlen, "control socket path too long (at most %zu bytes): %s",
		     sizeof(sa.sun_path) - 1, s->path);
		return -1;
	}
	memcpy(sa.sun_path, s->path, strlen(s->path) + 1);
	gid_t gid = 0;
	int have_gid = group && *group;
	if (have_gid && resolve_group(group, &gid, err, errlen) != 0)
		return -1;
	if (make_parent(s->path, have_gid, gid, err, errlen) != 0 ||
	    clear_stale(s->path, &sa, err, errlen) != 0)
		return -1;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		serr(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		serr(err, errlen, "bind %s: %s", s->path, strerror(errno));
		close(fd);
		return -1;
	}
	/* Mode and group before listen(): until then a connect is refused, so there is no
	 * moment at which the umask's mode lets anyone else in. */
	unsigned mode = s->cfg.mode ? s->cfg.mode : 0660;
	if (chmod(s->path, mode) != 0 ||
	    (have_gid && chown(s->path, (uid_t)-1, gid) != 0)) {
		serr(err, errlen, "%s %s: %s", have_gid ? "chmod/chown" : "chmod", s->path,
		     strerror(errno));
		close(fd);
		unlink(s->path);
		return -1;
	}
	if (listen(fd, 64) != 0) {
		serr(err, errlen, "listen %s: %s", s->path, strerror(errno));
		close(fd);
		unlink(s->path);
		return -1;
	}
	s->listen_fd = fd;
	return 0;
}

struct tp_ctl_server *tp_ctl_server_create(const struct tp_ctl_config *cfg, char *err,
					   size_t errlen)
{
	if (!cfg || !cfg->ks) {
		serr(err, errlen, "control server: no kill-switch given");
		return NULL;
	}
	struct tp_ctl_server *s = calloc(1, sizeof(*s));
	if (!s) {
		serr(err, errlen, "control server: out of memory");
		return NULL;
	}
	s->cfg = *cfg;
	s->cfg.cpus = NULL;
	if (cfg->cpus) {
		s->cpus = *cfg->cpus;
		s->have_cpus = 1;
	}
	if (!s->cfg.max_clients)
		s->cfg.max_clients = 64;
	if (!s->cfg.tick_ms)
		s->cfg.tick_ms = 1000;
	if (!s->cfg.idle_timeout_ms)
		s->cfg.idle_timeout_ms = 10000;
	s->listen_fd = s->epoll_fd = s->wake_fd = -1;
	s->persist_ok = 1;
	s->path = strdup(cfg->socket_path ? cfg->socket_path : TP_CTL_DEFAULT_SOCKET);
	s->conns = calloc(s->cfg.max_clients, sizeof(*s->conns));
	s->reply = malloc(TP_CTL_HDR_LEN + TP_CTL_MAX_REPLY + 1);
	s->scratch = malloc(TP_CTL_MAX_REPLY);
	if (!s->path || !s->conns || !s->reply || !s->scratch) {
		serr(err, errlen, "control server: out of memory");
		goto fail;
	}
	s->cfg.socket_path = s->path;
	s->cfg.group = NULL; /* not kept: the caller's string may not outlive create */
	if (open_listener(s, cfg->group, err, errlen) != 0)
		goto fail;
	s->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (s->epoll_fd < 0 || s->wake_fd < 0) {
		serr(err, errlen, "control server: %s", strerror(errno));
		goto fail;
	}
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_LISTEN };
	struct epoll_event wv = { .events = EPOLLIN, .data.u64 = EV_WAKE };
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->listen_fd, &ev) != 0 ||
	    epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, s->wake_fd, &wv) != 0) {
		serr(err, errlen, "control server: epoll: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	tp_ctl_server_free(s);
	return NULL;
}

/* ---- connections -------------------------------------------------------------------- */

static void conn_close(struct tp_ctl_server *s, struct ctl_conn *c)
{
	epoll_ctl(s->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	s->conns[c->slot] = NULL;
	free(c->out);
	free(c);
	ST_DEC(s, open);
}

static void conn_watch(struct tp_ctl_server *s, struct ctl_conn *c, uint32_t events)
{
	if (c->events == events)
		return;
	struct epoll_event ev = { .events = events, .data.u64 = EV_CONN0 + c->slot };
	if (epoll_ctl(s->epoll_fd, EPOLL_CTL_MOD, c->fd, &ev) == 0)
		c->events = events;
}

/* Hands bytes to the socket; what it does not take waits in c->out. -1: the peer is gone. */
static int conn_send(struct tp_ctl_server *s, struct ctl_conn *c, const char *buf, size_t n)
{
	size_t off = 0;
	if (c->outlen == c->outoff) {
		while (off < n) {
			ssize_t w = send(c->fd, buf + off, n - off, MSG_NOSIGNAL | MSG_DONTWAIT);
			if (w > 0) {
				off += (size_t)w;
				continue;
			}
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			return -1;
		}
		if (off == n)
			return 0;
		c->outlen = c->outoff = 0;
	}
	size_t pending = c->outlen - c->outoff, need = pending + (n - off);
	char *nb = malloc(need);
	if (!nb)
		return -1;
	if (pending) /* c->out is NULL when nothing waits */
		memcpy(nb, c->out + c->outoff, pending);
	memcpy(nb + pending, buf + off, n - off);
	free(c->out);
	c->out = nb;
	c->outlen = need;
	c->outoff = 0;
	c->since_ns = mono_ns();
	conn_watch(s, c, EPOLLOUT);
	return 0;
}

static void audit(struct tp_ctl_server *s, const struct ctl_conn *c, int result,
		  const char *command, const char *args, const char *detail, uint64_t t0)
{
	switch (result) {
	case TP_CTL_DONE: ST_INC(s, done); break;
	case TP_CTL_REFUSED: ST_INC(s, refused); break;
	case TP_CTL_USAGE:
	case TP_CTL_MALFORMED:
	case TP_CTL_TOO_LARGE: ST_INC(s, bad); break;
	default: ST_INC(s, errors); break;
	}
	if (!s->cfg.on_audit)
		return;
	struct tp_ctl_audit a = {
		.ts_ns = real_ns(), .conn_id = c->id, .req_seq = s->req_seq, .uid = c->uid,
		.gid = c->gid, .pid = c->pid, .result = result, .command = command,
		.args = args, .detail = detail, .service_ns = mono_ns() - t0,
	};
	s->cfg.on_audit(s->cfg.audit_ctx, &a);
}

/* An error reply: {"ok":false,"cmd":...,"code":...,"error":...}. Returns its length. */
static size_t error_reply(struct tp_ctl_server *s, const char *cmd, int result,
			  const char *why)
{
	struct tp_jw w;
	tp_jw_init(&w, s->reply + TP_CTL_HDR_LEN, TP_CTL_MAX_REPLY + 1);
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "ok");
	tp_jw_bool(&w, 0);
	tp_jw_key(&w, "cmd");
	if (cmd)
		tp_jw_str(&w, cmd);
	else
		tp_jw_null(&w);
	tp_jw_key(&w, "code");
	tp_jw_str(&w, tp_ctl_result_name(result));
	tp_jw_key(&w, "error");
	tp_jw_str(&w, why);
	tp_jw_obj_end(&w);
	return w.len;
}

static int send_framed(struct tp_ctl_server *s, struct ctl_conn *c, size_t len)
{
	tp_ctl_put_len((uint8_t *)s->reply, (uint32_t)len);
	return conn_send(s, c, s->reply, TP_CTL_HDR_LEN + len);
}

/* Words 1.. joined by single blanks, for the audit (truncated to fit). */
static void join_args(int argc, const char **argv, char *buf, size_t cap)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int i = 1; i < argc; i++) {
		int w = snprintf(buf + len, cap - len, "%s%s", i > 1 ? " " : "", argv[i]);
		if (w < 0 || (size_t)w >= cap - len)
			break;
		len += (size_t)w;
	}
}

/* One complete request. Returns -1 when the connection must go. */
static int serve(struct tp_ctl_server *s, struct ctl_conn *c, const uint8_t *payload,
		 size_t plen)
{
	uint64_t t0 = mono_ns();
	s->req_seq++;
	ST_INC(s, requests);
	const char *words[TP_CTL_MAX_WORDS];
	char why[256];
	int argc = tp_ctl_req_parse(payload, plen, words, TP_CTL_MAX_WORDS, why, sizeof(why));
	if (argc < 0) {
		size_t n = error_reply(s, NULL, TP_CTL_MALFORMED, why);
		int rc = send_framed(s, c, n);
		audit(s, c, TP_CTL_MALFORMED, "", "", why, t0);
		return rc;
	}
	struct tp_jw w;
	tp_jw_init(&w, s->reply + TP_CTL_HDR_LEN, TP_CTL_MAX_REPLY + 1);
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "ok");
	tp_jw_bool(&w, 1);
	tp_jw_key(&w, "cmd");
	tp_jw_str(&w, words[0]);
	struct ctl_req r = { .srv = s, .fd = c->fd, .uid = c->uid, .gid = c->gid, .pid = c->pid,
			     .argc = argc, .argv = words, .w = &w, .result = TP_CTL_DONE };
	tp_ctl_cmd_run(&r);
	tp_jw_obj_end(&w);
	if (r.result == TP_CTL_DONE && w.overflow) {
		r.result = TP_CTL_ERROR;
		snprintf(r.detail, sizeof(r.detail), "reply larger than %u bytes", TP_CTL_MAX_REPLY);
	}
	size_t n = r.result == TP_CTL_DONE ? w.len : error_reply(s, words[0], r.result, r.detail);
	int rc = send_framed(s, c, n);
	char args[TP_CTL_MAX_REQUEST];
	join_args(argc, words, args, sizeof(args));
	audit(s, c, r.result, words[0], args, r.detail, t0);
	/* After the reply: the halt took effect at its CAS, the operator should not wait for a
	 * disk to hear so. The file follows at once, on this same thread. */
	if (r.persist_after) {
		char perr[200];
		ctl_ks_lock(s);
		int prc = tp_ks_persist(s->cfg.ks, perr, sizeof(perr));
		ctl_ks_unlock(s);
		if (prc != 0) {
			s->persist_ok = 0;
			snprintf(s->persist_err, sizeof(s->persist_err), "%s", perr);
			ST_INC(s, persist_failures);
		} else {
			s->persist_ok = 1;
			s->persist_err[0] = '\0';
		}
	}
	return rc;
}

/* Serves the complete requests waiting in c->in, reading more while the output is clear.
 * Returns -1 when the connection must go. */
static int conn_readable(struct tp_ctl_server *s, struct ctl_conn *c)
{
	int served = 0;
	c->more = 0;
	for (;;) {
		if (c->closing || c->outlen > c->outoff)
			return 0;
		if (c->inlen >= TP_CTL_HDR_LEN) {
			uint32_t len = tp_ctl_get_len(c->in);
			if (len == 0 || len > TP_CTL_MAX_REQUEST) {
				/* The length may be garbage: nothing after it can be trusted to be a
				 * frame boundary. Say why, then hang up. */
				char why[128];
				snprintf(why, sizeof(why), "request frame of %u bytes (1 to %u allowed)",
					 len, TP_CTL_MAX_REQUEST);
				uint64_t t0 = mono_ns();
				s->req_seq++;
				ST_INC(s, requests);
				size_t n = error_reply(s, NULL, TP_CTL_TOO_LARGE, why);
				int rc = send_framed(s, c, n);
				audit(s, c, TP_CTL_TOO_LARGE, "", "", why, t0);
				c->inlen = 0;
				c->closing = 1;
				if (rc != 0 || c->outlen == c->outoff)
					return -1;
				return 0;
			}
			size_t total = TP_CTL_HDR_LEN + len;
			if (c->inlen >= total) {
				if (served == BURST_REQUESTS) {
					c->more = 1;
					return 0;
				}
				if (serve(s, c, c->in + TP_CTL_HDR_LEN, len) != 0)
					return -1;
				served++;
				memmove(c->in, c->in + total, c->inlen - total);
				c->inlen -= total;
				c->since_ns = mono_ns();
				continue;
			}
		}
		ssize_t r = read(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen);
		if (r > 0) {
			if (c->inlen == 0)
				c->since_ns = mono_ns();
			c->inlen += (size_t)r;
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		/* EOF or a reset: the peer is gone. Half a request from it is simply dropped. */
		if (c->inlen > 0)
			ST_INC(s, disconnects_mid_request);
		return -1;
	}
}

static int conn_writable(struct tp_ctl_server *s, struct ctl_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t w = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			c->outoff += (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		return -1;
	}
	free(c->out);
	c->out = NULL;
	c->outlen = c->outoff = 0;
	if (c->closing)
		return -1;
	conn_watch(s, c, EPOLLIN);
	c->since_ns = mono_ns();
	/* Requests that arrived while we were writing are already in c->in. */
	return conn_readable(s, c);
}

static void accept_all(struct tp_ctl_server *s)
{
	for (;;) {
		int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return; /* EAGAIN, or out of descriptors: try again on the next wake-up */
		}
		struct ucred cr;
		socklen_t crlen = sizeof(cr);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) != 0 ||
		    crlen != sizeof(cr)) {
			close(fd);
			continue;
		}
		unsigned slot;
		for (slot = 0; slot < s->cfg.max_clients; slot++)
			if (!s->conns[slot])
				break;
		struct ctl_conn *c = slot < s->cfg.max_clients ? calloc(1, sizeof(*c)) : NULL;
		if (!c) {
			ST_INC(s, rejected_full);
			/* Best effort, small enough for any socket buffer: the client reads this as
			 * the reply to whatever it sends. */
			size_t n = error_reply(s, NULL, TP_CTL_UNAVAILABLE,
					       "too many control connections; try again later");
			tp_ctl_put_len((uint8_t *)s->reply, (uint32_t)n);
			ssize_t w = send(fd, s->reply, TP_CTL_HDR_LEN + n, MSG_NOSIGNAL | MSG_DONTWAIT);
			(void)w;
			close(fd);
			continue;
		}
		c->fd = fd;
		c->slot = slot;
		c->id = ++s->next_conn_id;
		c->uid = (uint32_t)cr.uid;
		c->gid = (uint32_t)cr.gid;
		c->pid = (int32_t)cr.pid;
		c->events = EPOLLIN;
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = EV_CONN0 + slot };
		if (epoll_ctl(s->epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			close(fd);
			free(c);
			continue;
		}
		s->conns[slot] = c;
		ST_INC(s, accepted);
		ST_INC(s, open);
	}
}

static void tick(struct tp_ctl_server *s, uint64_t now)
{
	char perr[200];
	ctl_ks_lock(s);
	int rc = tp_ks_persist_if_changed(s->cfg.ks, perr, sizeof(perr));
	ctl_ks_unlock(s);
	if (rc < 0) {
		if (s->persist_ok)
			ST_INC(s, persist_failures);
		s->persist_ok = 0;
		snprintf(s->persist_err, sizeof(s->persist_err), "%s", perr);
	} else if (rc == 0) {
		s->persist_ok = 1;
		s->persist_err[0] = '\0';
	}
	if (s->cfg.provider.tick)
		s->cfg.provider.tick(s->cfg.provider.ctx, now);
	uint64_t limit = (uint64_t)s->cfg.idle_timeout_ms * 1000000u;
	for (unsigned i = 0; i < s->cfg.max_clients; i++) {
		struct ctl_conn *c = s->conns[i];
		if (c && (c->inlen > 0 || c->outlen > c->outoff) && now - c->since_ns > limit) {
			ST_INC(s, idle_timeouts);
			conn_close(s, c);
		}
	}
}

static void *ctl_thread(void *arg)
{
	struct tp_ctl_server *s = arg;
	/* Signals are the main thread's business (orderly stop); this thread only serves. */
	sigset_t all;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	struct epoll_event evs[64];
	uint64_t tick_ns = (uint64_t)s->cfg.tick_ms * 1000000u;
	uint64_t next_tick = mono_ns() + tick_ns;
	int pending = 0;
	for (;;) {
		uint64_t now = mono_ns();
		int timeout = pending ? 0
			      : next_tick > now ? (int)((next_tick - now + 999999) / 1000000)
						 : 0;
		int n = epoll_wait(s->epoll_fd, evs, 64, timeout);
		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			uint64_t id = evs[i].data.u64;
			if (id == EV_WAKE)
				goto out;
			if (id == EV_LISTEN) {
				accept_all(s);
				continue;
			}
			struct ctl_conn *c = s->conns[id - EV_CONN0];
			if (!c)
				continue;
			/* With output pending only writing can make progress (an error or hang-up
			 * shows there too); otherwise read, which also sees EOF. */
			int rc = c->outlen > c->outoff ? conn_writable(s, c) : conn_readable(s, c);
			if (rc != 0)
				conn_close(s, c);
		}
		/* Connections that had more complete requests than one burst. */
		pending = 0;
		for (unsigned i = 0; i < s->cfg.max_clients; i++) {
			struct ctl_conn *c = s->conns[i];
			if (!c || !c->more)
				continue;
			if (conn_readable(s, c) != 0)
				conn_close(s, c);
			else if (c->more)
				pending = 1;
		}
		now = mono_ns();
		if (now >= next_tick) {
			tick(s, now);
			next_tick = now + tick_ns;
		}
	}
out:
	for (unsigned i = 0; i < s->cfg.max_clients; i++)
		if (s->conns[i])
			conn_close(s, s->conns[i]);
	return NULL;
}

int tp_ctl_server_start(struct tp_ctl_server *s, char *err, size_t errlen)
{
	if (s->started) {
		serr(err, errlen, "control thread already running");
		return -1;
	}
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	if (s->have_cpus)
		pthread_attr_setaffinity_np(&attr, sizeof(s->cpus), &s->cpus);
	int rc = pthread_create(&s->thread, &attr, ctl_thread, s);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		serr(err, errlen, "control thread: %s", strerror(rc));
		return -1;
	}
	pthread_setname_np(s->thread, "tp-ctl");
	s->started = 1;
	return 0;
}

void tp_ctl_server_stop(struct tp_ctl_server *s)
{
	if (!s || !s->started)
		return;
	uint64_t one = 1;
	ssize_t w = write(s->wake_fd, &one, sizeof(one));
	(void)w;
	pthread_join(s->thread, NULL);
	s->started = 0;
	/* A second start would see the wake-up still pending: drain it. */
	uint64_t v;
	ssize_t r = read(s->wake_fd, &v, sizeof(v));
	(void)r;
}

void tp_ctl_server_free(struct tp_ctl_server *s)
{
	if (!s)
		return;
	tp_ctl_server_stop(s);
	for (unsigned i = 0; s->conns && i < s->cfg.max_clients; i++)
		if (s->conns[i])
			conn_close(s, s->conns[i]);
	if (s->listen_fd >= 0) {
		close(s->listen_fd);
		unlink(s->path);
	}
	if (s->epoll_fd >= 0)
		close(s->epoll_fd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	free(s->conns);
	free(s->reply);
	free(s->scratch);
	free(s->path);
	free(s);
}
