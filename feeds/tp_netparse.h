/* Ethernet II / 802.1Q / IPv4 / UDP over a raw frame, for the RX hot path: one static inline
 * function, no allocation, every field read byte by byte (frames need not be aligned).
 *
 * Accepted: Ethernet II, at most one 802.1Q tag, IPv4 without fragmentation (options are
 * skipped), UDP. Everything else is refused with a reason the caller counts. Checksums are
 * not verified: the NIC does that (or the capture already did), and a wrong one here would
 * cost a pass over every payload. Ethernet padding after the IP datagram is ignored. */
#ifndef TP_NETPARSE_H
#define TP_NETPARSE_H

#include <stddef.h>
#include <stdint.h>
#include "tp_bytes.h"

enum tp_net_rc {
	TP_NET_OK = 0,
	TP_NET_TRUNCATED,      /* frame ends inside the Ethernet, VLAN, IPv4 or UDP header */
	TP_NET_NOT_IPV4,       /* other ethertype (ARP, IPv6, a second VLAN tag...) or version != 4 */
	TP_NET_BAD_IHL,        /* IPv4 header length < 5 words */
	TP_NET_BAD_TOTAL_LEN,  /* IPv4 total length past the frame or below the header length */
	TP_NET_FRAGMENT,       /* more-fragments set or fragment offset != 0 */
	TP_NET_NOT_UDP,        /* IPv4 protocol other than 17 */
	TP_NET_BAD_UDP_LEN,    /* UDP length < 8 or past the IPv4 payload */
	TP_NET__COUNT
};

#define TP_NET_NO_VLAN 0xFFFFu

struct tp_net_udp {
	uint32_t src_ip;        /* host byte order: 10.0.0.1 is 0x0A000001 */
	uint32_t dst_ip;
	uint16_t src_port;      /* host byte order */
	uint16_t dst_port;
	uint16_t vlan_id;       /* 12-bit VLAN id, or TP_NET_NO_VLAN when untagged */
	const uint8_t *payload; /* UDP payload inside the frame */
	uint32_t payload_len;
};

#define TP_ETH_HDR_LEN    14u
#define TP_VLAN_TAG_LEN   4u
#define TP_IPV4_MIN_HDR   20u
#define TP_UDP_HDR_LEN    8u
#define TP_ETHERTYPE_IPV4 0x0800u
#define TP_ETHERTYPE_VLAN 0x8100u
#define TP_IPPROTO_UDP    17u

/* Parses `frame` (len bytes); fills *out only when it returns TP_NET_OK. */
static inline enum tp_net_rc tp_netparse(const uint8_t *frame, size_t len, struct tp_net_udp *out)
{
	if (len < TP_ETH_HDR_LEN)
		return TP_NET_TRUNCATED;
	size_t off = 12;
	uint16_t type = tp_be16(frame + off);
	uint16_t vlan = TP_NET_NO_VLAN;
	if (type == TP_ETHERTYPE_VLAN) {
		if (len < TP_ETH_HDR_LEN + TP_VLAN_TAG_LEN)
			return TP_NET_TRUNCATED;
		vlan = tp_be16(frame + 14) & 0x0FFFu;
		off += TP_VLAN_TAG_LEN;
		type = tp_be16(frame + off);
	}
	if (type != TP_ETHERTYPE_IPV4)
		return TP_NET_NOT_IPV4;

	const uint8_t *ip = frame + off + 2;
	size_t avail = len - (off + 2);
	if (avail < TP_IPV4_MIN_HDR)
		return TP_NET_TRUNCATED;
	if ((ip[0] >> 4) != 4)
		return TP_NET_NOT_IPV4;
	size_t ihl = (size_t)(ip[0] & 0x0Fu) * 4u;
	if (ihl < TP_IPV4_MIN_HDR)
		return TP_NET_BAD_IHL;
	size_t total = tp_be16(ip + 2);
	if (total > avail || total < ihl)
		return TP_NET_BAD_TOTAL_LEN;
	/* Flags/fragment offset: bit 0x2000 is MF, the low 13 bits the offset; DF is fine. */
	if (tp_be16(ip + 6) & 0x3FFFu)
		return TP_NET_FRAGMENT;
	if (ip[9] != TP_IPPROTO_UDP)
		return TP_NET_NOT_UDP;

	const uint8_t *udp = ip + ihl;
	size_t ip_payload = total - ihl;
	if (ip_payload < TP_UDP_HDR_LEN)
		return TP_NET_TRUNCATED;
	size_t ulen = tp_be16(udp + 4);
	if (ulen < TP_UDP_HDR_LEN || ulen > ip_payload)
		return TP_NET_BAD_UDP_LEN;

	out->src_ip = tp_be32(ip + 12);
	out->dst_ip = tp_be32(ip + 16);
	out->src_port = tp_be16(udp);
	out->dst_port = tp_be16(udp + 2);
	out->vlan_id = vlan;
	out->payload = udp + TP_UDP_HDR_LEN;
	out->payload_len = (uint32_t)(ulen - TP_UDP_HDR_LEN);
	return TP_NET_OK;
}

/* Short stable name of a reason ("ok", "truncated", "not_ipv4", ...) for stats output. */
const char *tp_net_reason_name(enum tp_net_rc rc);

#endif
