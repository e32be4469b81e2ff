/* The client side of the control socket: tickpipe-ctl, the telemetry bridge, the tests and
 * the benchmark all talk to the control thread through these few calls (blocking, with a
 * timeout). */
#ifndef TP_CTL_CLIENT_H
#define TP_CTL_CLIENT_H

#include <stddef.h>

#include "tp_ctl_proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Connects to the socket at path (NULL: TP_CTL_DEFAULT_SOCKET). Returns the descriptor, or
 * -1 with errno kept and a one-line reason in err that says what to do about it (no such
 * socket, permission denied, nobody listening). */
int tp_ctl_connect(const char *path, char *err, size_t errlen);

/* Sends one request and waits for its reply: reply[0..*len) plus a NUL, at most cap - 1
 * bytes (a longer reply is an error and leaves the connection unusable). timeout_ms <= 0:
 * wait for ever. Returns 0 (whatever the reply says: check its "ok"), or -1 with err for
 * bad words, I/O errors, timeouts, or a reply that breaks the framing. */
int tp_ctl_call(int fd, int argc, const char *const *argv, int timeout_ms, char *reply,
		size_t cap, size_t *len, char *err, size_t errlen);

/* The two halves, for callers that want to send something else than words (tests). */
int tp_ctl_send_frame(int fd, const void *payload, size_t len, int timeout_ms, char *err,
		      size_t errlen);
int tp_ctl_recv_reply(int fd, int timeout_ms, char *reply, size_t cap, size_t *len, char *err,
		      size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* TP_CTL_CLIENT_H */
