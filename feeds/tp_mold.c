#include "tp_mold.h"

enum tp_mold_rc tp_mold_parse(const uint8_t *buf, size_t len, struct tp_mold_pkt *pkt)
{
	if (len < TP_MOLD_HDR_LEN)
		return TP_MOLD_ERR_SHORT_HEADER;

	uint64_t seq = tp_be64(buf + 10);
	uint16_t count = tp_be16(buf + 18);
	const uint8_t *p = buf + TP_MOLD_HDR_LEN;
	const uint8_t *end = buf + len;

	pkt->session = buf;
	pkt->seq = seq;
	pkt->count = count;
	pkt->blocks = p;
	pkt->blocks_len = 0;

	if (count == TP_MOLD_COUNT_HEARTBEAT || count == TP_MOLD_COUNT_EOS) {
		/* Heartbeat and end of session are header-only; extra bytes mean we misread the
		 * packet, and a sequencer must not trust its sequence number then. */
		if (p != end)
			return TP_MOLD_ERR_TRAILING;
		pkt->kind = count ? TP_MOLD_END_SESSION : TP_MOLD_HEARTBEAT;
		pkt->count = 0;
		return TP_MOLD_OK;
	}

	/* The last message is seq + count - 1; it has to be representable. */
	if (seq > UINT64_MAX - count)
		return TP_MOLD_ERR_SEQ_OVERFLOW;

	for (unsigned i = 0; i < count; i++) {
		size_t left = (size_t)(end - p);
		if (left == 0)
			return TP_MOLD_ERR_COUNT_OVER;
		if (left < 2)
			return TP_MOLD_ERR_BLOCK_PAST_END;
		uint16_t l = tp_be16(p);
		if (left - 2 < l)
			return TP_MOLD_ERR_BLOCK_PAST_END;
		p += 2u + l;
	}
	if (p != end)
		return TP_MOLD_ERR_TRAILING;

	pkt->kind = TP_MOLD_DATA;
	pkt->blocks_len = len - TP_MOLD_HDR_LEN;
	return TP_MOLD_OK;
}

static void put_session(uint8_t *out, const uint8_t *session, size_t session_len)
{
	if (session_len > TP_MOLD_SESSION_LEN)
		session_len = TP_MOLD_SESSION_LEN;
	memset(out, ' ', TP_MOLD_SESSION_LEN);
	if (session_len)
		memcpy(out, session, session_len);
}

size_t tp_mold_build_request(uint8_t *out, size_t cap, const uint8_t *session, size_t session_len,
			     uint64_t seq, uint16_t count)
{
	if (cap < TP_MOLD_REQUEST_LEN || count == 0)
		return 0;
	put_session(out, session, session_len);
	tp_put_be64(out + 10, seq);
	tp_put_be16(out + 18, count);
	return TP_MOLD_REQUEST_LEN;
}

size_t tp_mold_build_header(uint8_t *out, size_t cap, const uint8_t *session, size_t session_len,
			    uint64_t seq, uint16_t count)
{
	if (cap < TP_MOLD_HDR_LEN)
		return 0;
	put_session(out, session, session_len);
	tp_put_be64(out + 10, seq);
	tp_put_be16(out + 18, count);
	return TP_MOLD_HDR_LEN;
}

const char *tp_mold_strerror(enum tp_mold_rc rc)
{
	switch (rc) {
	case TP_MOLD_OK: return "ok";
	case TP_MOLD_ERR_SHORT_HEADER: return "shorter than the 20-byte header";
	case TP_MOLD_ERR_BLOCK_PAST_END: return "message block runs past the end";
	case TP_MOLD_ERR_COUNT_OVER: return "fewer message blocks than the count";
	case TP_MOLD_ERR_TRAILING: return "bytes left after the counted blocks";
	case TP_MOLD_ERR_SEQ_OVERFLOW: return "sequence number overflows";
	case TP_MOLD_ERR__COUNT: break;
	}
	return "unknown";
}
