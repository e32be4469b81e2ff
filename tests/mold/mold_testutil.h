/* Builders shared by the mold tests and the fuzz target: MoldUDP64 packets whose messages
 * carry their own sequence number (so a test can check that message N really is N), and
 * Ethernet/VLAN/IPv4/UDP frames around a payload. */
#ifndef MOLD_TESTUTIL_H
#define MOLD_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tp_mold.h"

#define TU_SESSION "TESTSESS01"

/* Message for sequence `seq`: 'T', then seq as 8 big-endian bytes, then seq % 5 filler bytes,
 * so lengths vary from message to message. Returns its length. */
static inline size_t tu_msg(uint8_t *out, uint64_t seq)
{
	size_t extra = (size_t)(seq % 5);
	out[0] = 'T';
	tp_put_be64(out + 1, seq);
	memset(out + 9, (int)('a' + extra), extra);
	return 9 + extra;
}

/* 1 when msg/len is what tu_msg() builds for seq. */
static inline int tu_msg_ok(const uint8_t *msg, size_t len, uint64_t seq)
{
	uint8_t want[16];
	size_t wl = tu_msg(want, seq);
	return len == wl && memcmp(msg, want, wl) == 0;
}

/* Downstream packet for messages seq .. seq+count-1 of `session`. Returns its length. */
static inline size_t tu_pkt_s(uint8_t *out, const char *session, uint64_t seq, uint16_t count)
{
	size_t n = tp_mold_build_header(out, TP_MOLD_HDR_LEN, (const uint8_t *)session,
					strlen(session), seq, count);
	for (uint16_t i = 0; i < count; i++) {
		size_t l = tu_msg(out + n + 2, seq + i);
		tp_put_be16(out + n, (uint16_t)l);
		n += 2 + l;
	}
	return n;
}

static inline size_t tu_pkt(uint8_t *out, uint64_t seq, uint16_t count)
{
	return tu_pkt_s(out, TU_SESSION, seq, count);
}

/* Heartbeat (count 0) or end of session (count 0xFFFF) announcing `next`. */
static inline size_t tu_hb(uint8_t *out, uint64_t next, uint16_t count)
{
	return tp_mold_build_header(out, TP_MOLD_HDR_LEN, (const uint8_t *)TU_SESSION,
				    strlen(TU_SESSION), next, count);
}

struct tu_frame_opts {
	int vlan;              /* -1: untagged; else the VLAN id */
	uint16_t ethertype;    /* 0: IPv4 */
	uint8_t ihl;           /* 0: 5 */
	uint8_t version;       /* 0: 4 */
	uint8_t proto;         /* 0: UDP */
	uint16_t frag;         /* flags + fragment offset field */
	int total_delta;       /* added to the correct IPv4 total length */
	int udp_delta;         /* added to the correct UDP length */
	size_t pad;            /* Ethernet padding after the datagram */
};

/* Frame 10.0.0.1:1000 -> 233.54.12.111:26477 around payload. Returns its length. */
static inline size_t tu_frame(uint8_t *out, const uint8_t *payload, size_t plen,
			      const struct tu_frame_opts *o)
{
	static const uint8_t mac[12] = { 1, 0, 0x5e, 0x36, 0x0c, 0x6f, 2, 0, 0, 0, 0, 1 };
	size_t n = 0;
	memcpy(out, mac, 12);
	n = 12;
	if (o->vlan >= 0) {
		out[n++] = 0x81;
		out[n++] = 0x00;
		out[n++] = (uint8_t)(0xA0 | ((o->vlan >> 8) & 0x0F)); /* PCP 5 must be masked off */
		out[n++] = (uint8_t)o->vlan;
	}
	uint16_t et = o->ethertype ? o->ethertype : 0x0800;
	out[n++] = (uint8_t)(et >> 8);
	out[n++] = (uint8_t)et;
	uint8_t ihl = o->ihl ? o->ihl : 5;
	size_t hl = (size_t)ihl * 4;
	if (hl < 20)
		hl = 20; /* still write a full base header so only IHL is wrong */
	uint8_t *ip = out + n;
	memset(ip, 0, hl);
	ip[0] = (uint8_t)((o->version ? o->version : 4) << 4 | ihl);
	int total = (int)(hl + 8 + plen) + o->total_delta;
	ip[2] = (uint8_t)(total >> 8);
	ip[3] = (uint8_t)total;
	ip[6] = (uint8_t)(o->frag >> 8);
	ip[7] = (uint8_t)o->frag;
	ip[8] = 64;
	ip[9] = o->proto ? o->proto : 17;
	const uint8_t src[4] = { 10, 0, 0, 1 }, dst[4] = { 233, 54, 12, 111 };
	memcpy(ip + 12, src, 4);
	memcpy(ip + 16, dst, 4);
	n += hl;
	uint8_t *udp = out + n;
	int ulen = (int)(8 + plen) + o->udp_delta;
	udp[0] = 1000 >> 8;
	udp[1] = 1000 & 0xFF;
	udp[2] = 26477 >> 8;
	udp[3] = 26477 & 0xFF;
	udp[4] = (uint8_t)(ulen >> 8);
	udp[5] = (uint8_t)ulen;
	udp[6] = udp[7] = 0;
	n += 8;
	memcpy(out + n, payload, plen);
	n += plen;
	memset(out + n, 0, o->pad);
	return n + o->pad;
}

#define TU_FRAME_DEFAULT { .vlan = -1 }

#endif
