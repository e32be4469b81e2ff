/* Client calls for the control socket (see tp_ctl_client.h). */
#include "tp_ctl_client.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static void cerr(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cerr(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int tp_ctl_connect(const char *path, char *err, size_t errlen)
{
	if (!path)
		path = TP_CTL_DEFAULT_SOCKET;
	struct sockaddr_un sa;
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		cerr(err, errlen, "control socket path too long: %s", path);
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		cerr(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	int rc;
	do
		rc = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	while (rc != 0 && errno == EINTR);
	if (rc == 0)
		return fd;
	int e = errno;
	close(fd);
	switch (e) {
	case EACCES:
	case EPERM:
		cerr(err, errlen,
		     "cannot connect to %s: permission denied (operators need to be in the "
		     "socket's group)",
		     path);
		break;
	case ENOENT:
		cerr(err, errlen, "cannot connect to %s: no such socket (is tickpipe running?)",
		     path);
		break;
	case ECONNREFUSED:
		cerr(err, errlen, "cannot connect to %s: nobody is listening (tickpipe stopped?)",
		     path);
		break;
	default:
		cerr(err, errlen, "cannot connect to %s: %s", path, strerror(e));
	}
	errno = e;
	return -1;
}

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Waits until fd is ready for `events` or the deadline passes. 0, or -1 (err set). */
static int wait_fd(int fd, short events, int64_t deadline, char *err, size_t errlen)
{
	for (;;) {
		int t = -1;
		if (deadline >= 0) {
			int64_t left = deadline - now_ms();
			if (left <= 0) {
				cerr(err, errlen, "no answer from the control thread in time");
				errno = ETIMEDOUT;
				return -1;
			}
			t = left > 1000000 ? 1000000 : (int)left;
		}
		struct pollfd p = { .fd = fd, .events = events };
		int n = poll(&p, 1, t);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR) {
			cerr(err, errlen, "poll: %s", strerror(errno));
			return -1;
		}
	}
}

static int write_all(int fd, const uint8_t *p, size_t n, int64_t deadline, char *err,
		     size_t errlen)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline, err, errlen) != 0)
				return -1;
			continue;
		}
		int e = errno;
		cerr(err, errlen, "lost the control connection while sending: %s", strerror(e));
		errno = e;
		return -1;
	}
	return 0;
}

static int read_all(int fd, uint8_t *p, size_t n, int64_t deadline, char *err, size_t errlen)
{
	while (n) {
		ssize_t r = recv(fd, p, n, MSG_DONTWAIT);
		if (r > 0) {
			p += r;
			n -= (size_t)r;
			continue;
		}
		if (r == 0) {
			cerr(err, errlen, "the control thread closed the connection");
			errno = ECONNRESET;
			return -1;
		}
		if (errno == EINTR)
			continue;
		if (errno == EAGAIN || errno == EWOULDBLOCK) {
			if (wait_fd(fd, POLLIN, deadline, err, errlen) != 0)
				return -1;
			continue;
		}
		cerr(err, errlen, "lost the control connection: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int64_t deadline_of(int timeout_ms)
{
	return timeout_ms > 0 ? now_ms() + timeout_ms : -1;
}

int tp_ctl_send_frame(int fd, const void *payload, size_t len, int timeout_ms, char *err,
		      size_t errlen)
{
	if (len > UINT32_MAX) {
		cerr(err, errlen, "frame too large");
		return -1;
	}
	int64_t dl = deadline_of(timeout_ms);
	uint8_t hdr[TP_CTL_HDR_LEN];
	tp_ctl_put_len(hdr, (uint32_t)len);
	if (write_all(fd, hdr, sizeof(hdr), dl, err, errlen) != 0)
		return -1;
	return write_all(fd, payload, len, dl, err, errlen);
}

int tp_ctl_recv_reply(int fd, int timeout_ms, char *reply, size_t cap, size_t *len, char *err,
		      size_t errlen)
{
	int64_t dl = deadline_of(timeout_ms);
	uint8_t hdr[TP_CTL_HDR_LEN];
	if (read_all(fd, hdr, sizeof(hdr), dl, err, errlen) != 0)
		return -1;
	uint32_t n = tp_ctl_get_len(hdr);
	if (n > TP_CTL_MAX_REPLY || (size_t)n + 1 > cap) {
		cerr(err, errlen, "reply of %u bytes is larger than %zu", n, cap ? cap - 1 : 0);
		return -1;
	}
	if (read_all(fd, (uint8_t *)reply, n, dl, err, errlen) != 0)
		return -1;
	reply[n] = '\0';
	if (len)
		*len = n;
	return 0;
}

int tp_ctl_call(int fd, int argc, const char *const *argv, int timeout_ms, char *reply,
		size_t cap, size_t *len, char *err, size_t errlen)
{
	/* Header and words in one buffer: one send, one wake-up of the control thread. */
	uint8_t req[TP_CTL_HDR_LEN + TP_CTL_MAX_REQUEST];
	int n = tp_ctl_req_encode(argc, argv, req + TP_CTL_HDR_LEN, TP_CTL_MAX_REQUEST, err,
				  errlen);
	if (n < 0)
		return -1;
	tp_ctl_put_len(req, (uint32_t)n);
	if (write_all(fd, req, TP_CTL_HDR_LEN + (size_t)n, deadline_of(timeout_ms), err,
		      errlen) != 0) {
		/* The server may have hung up with a reason (too many connections): it waits in
		 * our receive queue even though the send failed. */
		char why[256];
		if ((errno == EPIPE || errno == ECONNRESET) &&
		    tp_ctl_recv_reply(fd, 100, reply, cap, len, why, sizeof(why)) == 0)
			return 0;
		return -1;
	}
	return tp_ctl_recv_reply(fd, timeout_ms, reply, cap, len, err, errlen);
}
