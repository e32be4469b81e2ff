/* The control-socket protocol between tickpipe-ctl (or anything else) and the control thread.
 *
 * Transport: a UNIX stream socket, by default /run/tickpipe/ctl.sock, mode 0660, owned by the
 * operators' group. Whoever can connect can read the status AND flip the kill-switch, so the
 * file mode is the first gate; resume checks the peer's uid again (SO_PEERCRED) against the
 * kill-switch's operators.
 *
 * Framing, both directions: a 4-byte big-endian length N, then N bytes of payload.
 *
 * Request payload: the command's words, each terminated by one NUL byte, e.g.
 *     "kill\0--symbol\0AAPL\0--reason\0fat finger\0"
 * Words, not a quoted command line, so a reason with blanks or quotes needs no escaping and
 * there is nothing to mis-split. 1 <= N <= TP_CTL_MAX_REQUEST, at most TP_CTL_MAX_WORDS
 * words, the last byte a NUL, every word valid UTF-8 without control characters (bytes
 * < 0x20 and 0x7f): what the audit log and the JSON replies carry stays printable.
 *
 * Reply payload: one JSON object (UTF-8, no trailing newline), at most TP_CTL_MAX_REPLY bytes:
 *     {"ok":true,"cmd":"kill",...}            done
 *     {"ok":false,"cmd":"resume","code":"refused","error":"resume refused: not confirmed"}
 * "code" names the kind of failure (enum tp_ctl_result): "refused" (the command was
 * understood and declined), "usage" (bad arguments), "malformed" (the request itself was
 * bad), "too-large", "unavailable" (the dataplane cannot answer that now), "error".
 *
 * One reply per request, in order. A request with a valid frame but bad content gets an
 * error reply and the connection stays usable; a frame whose length is 0 or above
 * TP_CTL_MAX_REQUEST cannot be skipped safely (its length may be garbage), so it gets an
 * error reply and the server closes that connection. Nothing a client sends can stop the
 * server serving the others.
 *
 * Commands (words after the verb; options in any order):
 *   ping                                          -> "pong":true
 *   help                                          -> "commands":[...]
 *   status                                        -> "killswitch":{...}, "dataplane":{...}|null
 *   stats                                         -> "ctl":{...}, "killswitch":{...},
 *                                                    "dataplane":{...}|null
 *   book SYMBOL [DEPTH]                           -> "book":{...}  (DEPTH 1..TP_CTL_BOOK_MAX_DEPTH,
 *                                                    default TP_CTL_BOOK_DEFAULT_DEPTH)
 *   kill [--symbol S | --locate N] [--reason TEXT]
 *        -> "action":"halted"|"already-halted", "scope":"GLOBAL"|"SYMBOL", "symbol" (null
 *           for GLOBAL or an unnamed locate), "locate" (null for GLOBAL), "epoch" (the
 *           scope's, after the halt), "reason" (as given), "persist":"pending"|"unchanged"
 *        Never refused for want of a reason (a halt is the safe side); tickpipe-ctl insists
 *        on one all the same. The reply is sent as soon as the halt is visible to every
 *        order; the state file is written right after it (its outcome: "persist" in status).
 *   resume [--symbol S | --locate N] --reason TEXT --confirm
 *        -> "action":"resumed"|"not-halted", "scope", "symbol", "locate", "epoch",
 *           "reason_truncated" (the kill-switch keeps TP_KS_NOTE_LEN - 1 bytes of it),
 *           "persisted" (the state file was written before the reply), "warning" (why not)
 *        Refused ("code":"refused") without --confirm, without a non-blank reason, or when
 *        the peer's uid is not an operator of the kill-switch.
 * The audit hook always sees the whole request.
 *
 * The "killswitch" object of status:
 *   {"global":{"halted":B,"reason":S,"reason_code":N,"epoch":N},
 *    "symbols":[{"locate":N,"symbol":S|null,"reason":S,"reason_code":N,"epoch":N},...],
 *    "symbols_halted":N, "symbols_truncated":B, "blocked_all":B,
 *    "persist":{"ok":B,"error":S|null}}
 * and of stats: the counters of tp_ks_status (changes, halts, halts_repeated, resumes,
 * resumes_refused, audit_dropped, symbols_halted, global_halted).
 */
#ifndef TP_CTL_PROTO_H
#define TP_CTL_PROTO_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_CTL_DEFAULT_SOCKET "/run/tickpipe/ctl.sock"
#define TP_CTL_HDR_LEN 4u
#define TP_CTL_MAX_REQUEST 4096u          /* request payload bytes */
#define TP_CTL_MAX_REPLY (1024u * 1024u)  /* reply payload bytes */
#define TP_CTL_MAX_WORDS 32u
#define TP_CTL_BOOK_DEFAULT_DEPTH 5u
#define TP_CTL_BOOK_MAX_DEPTH 100u

/* Result of a request, as the audit hook and the reply's "code" report it. */
enum tp_ctl_result {
	TP_CTL_DONE = 0,        /* done (also "nothing to do": resume of a running scope) */
	TP_CTL_REFUSED = 1,     /* understood and declined (resume without confirm, not allowed) */
	TP_CTL_USAGE = 2,       /* unknown command or bad arguments */
	TP_CTL_MALFORMED = 3,   /* the request was not a valid word list */
	TP_CTL_TOO_LARGE = 4,   /* the frame's length was 0 or above TP_CTL_MAX_REQUEST */
	TP_CTL_UNAVAILABLE = 5, /* the dataplane cannot answer (no provider, not ready) */
	TP_CTL_ERROR = 6,       /* anything else (out of memory, a provider failed) */
};
const char *tp_ctl_result_name(int r);

static inline void tp_ctl_put_len(uint8_t *p, uint32_t n)
{
	p[0] = (uint8_t)(n >> 24);
	p[1] = (uint8_t)(n >> 16);
	p[2] = (uint8_t)(n >> 8);
	p[3] = (uint8_t)n;
}

static inline uint32_t tp_ctl_get_len(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

/* Encodes words into a request payload (no frame header). Returns its length, or -1 when
 * it would not fit `cap` / TP_CTL_MAX_REQUEST, there are no words or too many, or a word is
 * not acceptable (see above); err says which. */
int tp_ctl_req_encode(int argc, const char *const *argv, uint8_t *buf, size_t cap, char *err,
		      size_t errlen);

/* Checks a request payload and splits it in place: words[i] point into payload. Returns the
 * number of words, or -1 with a one-line reason in err. Never reads past payload[len). */
int tp_ctl_req_parse(const uint8_t *payload, size_t len, const char **words, unsigned max,
		     char *err, size_t errlen);

/* 1 when s[0..n) is valid UTF-8 without control characters. */
int tp_ctl_text_ok(const uint8_t *s, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* TP_CTL_PROTO_H */
