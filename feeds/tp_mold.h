/* MoldUDP64 framing over a byte buffer: the downstream packet (header + message blocks) and the
 * retransmission request.
 *
 * A downstream packet is checked as a whole before anything in it is used: one bad block makes
 * the packet malformed, so a consumer never acts on the first half of a packet whose second
 * half is junk. After a successful tp_mold_parse() the block walk (tp_mold_iter_*) cannot fail.
 *
 * Wire layout (all integers big-endian):
 *   header   session[10] (ASCII)  sequence u64  count u16      = 20 bytes
 *   block    length u16  message[length]                       x count
 *   count 0 = heartbeat, 0xFFFF = end of session; both carry the next expected sequence
 *   number and no blocks.
 *   request  session[10]  sequence u64  requested count u16    = 20 bytes
 */
#ifndef TP_MOLD_H
#define TP_MOLD_H

#include <stddef.h>
#include <stdint.h>
#include "tp_bytes.h"
#include <string.h>

#define TP_MOLD_SESSION_LEN 10u
#define TP_MOLD_HDR_LEN     20u
#define TP_MOLD_REQUEST_LEN 20u
#define TP_MOLD_COUNT_HEARTBEAT 0u
#define TP_MOLD_COUNT_EOS       0xFFFFu

enum tp_mold_kind {
	TP_MOLD_DATA = 0,     /* count >= 1 message blocks */
	TP_MOLD_HEARTBEAT,    /* count 0 */
	TP_MOLD_END_SESSION,  /* count 0xFFFF */
};

/* Why a packet was rejected. Callers count these; the packet is dropped as a whole. */
enum tp_mold_rc {
	TP_MOLD_OK = 0,
	TP_MOLD_ERR_SHORT_HEADER,   /* fewer than 20 bytes */
	TP_MOLD_ERR_BLOCK_PAST_END, /* a length field or a message runs past the end */
	TP_MOLD_ERR_COUNT_OVER,     /* the bytes end cleanly before `count` blocks were read */
	TP_MOLD_ERR_TRAILING,       /* bytes left after `count` blocks (or after a heartbeat/EOS) */
	TP_MOLD_ERR_SEQ_OVERFLOW,   /* sequence + count does not fit in 64 bits */
	TP_MOLD_ERR__COUNT
};

struct tp_mold_pkt {
	const uint8_t *session;   /* 10 bytes inside the caller's buffer, not NUL-terminated */
	uint64_t seq;             /* first message's sequence (heartbeat/EOS: next expected) */
	uint16_t count;           /* messages in the packet: 0 for heartbeat and EOS */
	uint8_t kind;             /* enum tp_mold_kind */
	const uint8_t *blocks;    /* first message block */
	size_t blocks_len;        /* bytes of message blocks */
};

/* Walks the message blocks of a parsed packet. */
struct tp_mold_iter {
	const uint8_t *p;
	const uint8_t *end;
};

/* Validates the whole packet and fills *pkt. On error *pkt is left unspecified. */
enum tp_mold_rc tp_mold_parse(const uint8_t *buf, size_t len, struct tp_mold_pkt *pkt);

static inline void tp_mold_iter_init(struct tp_mold_iter *it, const struct tp_mold_pkt *pkt)
{
	it->p = pkt->blocks;
	it->end = pkt->blocks + pkt->blocks_len;
}

/* Next message of a packet tp_mold_parse() accepted: returns 1 and sets *msg / *len, or 0 at the
 * end. The bounds check stays so that a misuse (iterating an unparsed buffer) stops rather than
 * reads past the end. */
static inline int tp_mold_iter_next(struct tp_mold_iter *it, const uint8_t **msg, uint16_t *len)
{
	if (it->end - it->p < 2)
		return 0;
	uint16_t l = tp_be16(it->p);
	if ((size_t)(it->end - it->p - 2) < l)
		return 0;
	*msg = it->p + 2;
	*len = l;
	it->p += 2u + l;
	return 1;
}

/* True when the packet belongs to `session` (10 bytes). */
static inline int tp_mold_same_session(const struct tp_mold_pkt *pkt, const uint8_t *session)
{
	return memcmp(pkt->session, session, TP_MOLD_SESSION_LEN) == 0;
}

/* Writes the 20-byte retransmission request for `count` messages from `seq` into `out`.
 * A session shorter than 10 characters is padded with spaces (Mold sessions are
 * space-padded ASCII). Returns the bytes written (20), or 0 when `cap` < 20 or count is 0. */
size_t tp_mold_build_request(uint8_t *out, size_t cap, const uint8_t *session, size_t session_len,
			     uint64_t seq, uint16_t count);

/* Writes a downstream header (used by tests, tools and generators). Returns 20, or 0 when
 * cap < 20. */
size_t tp_mold_build_header(uint8_t *out, size_t cap, const uint8_t *session, size_t session_len,
			    uint64_t seq, uint16_t count);

const char *tp_mold_strerror(enum tp_mold_rc rc);

#endif
