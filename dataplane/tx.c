#include "tx.h"

#include <stdio.h>
#include <string.h>

#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#define TX_POOL 2047u      /* 2^k - 1: the mempool's best size */
#define TX_RETRIES 64u     /* full TX ring: tries before the frames are dropped (counted) */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

/* One's-complement sum of big-endian 16-bit words (an odd last byte padded with zero). */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	size_t i = 0;
	for (; i + 1 < n; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (i < n)
		sum += (uint32_t)p[i] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

int tp_tx_init(struct tp_tx *t, uint16_t port_id, uint16_t queue, const struct tp_cfg_gateway *g,
	       int socket, char *err, size_t errlen)
{
	memset(t, 0, sizeof(*t));
	t->port_id = port_id;
	t->queue = queue;
	char name[RTE_MEMPOOL_NAMESIZE];
	snprintf(name, sizeof(name), "tp_tx%u", port_id);
	t->pool = rte_pktmbuf_pool_create(name, TX_POOL, 64, 0,
					  RTE_PKTMBUF_HEADROOM + TP_TX_HDR_LEN + TP_GW_SLOT_MSG,
					  socket);
	if (!t->pool) {
		snprintf(err, errlen, "gateway: TX mbuf pool: %s", rte_strerror(rte_errno));
		return -1;
	}
	struct rte_ether_addr mac;
	if (rte_eth_macaddr_get(port_id, &mac) != 0)
		memset(&mac, 0, sizeof(mac));
	uint8_t *h = t->hdr;
	memcpy(h, g->dst_mac, 6);
	memcpy(h + 6, mac.addr_bytes, 6);
	put16(h + 12, 0x0800);
	uint8_t *ip = h + 14;
	ip[0] = 0x45;          /* IPv4, 5 words */
	ip[1] = 0;             /* TOS */
	put16(ip + 4, 0);      /* ID: 0 is fine with DF set (RFC 6864) */
	put16(ip + 6, 0x4000); /* DF */
	ip[8] = 64;            /* TTL */
	ip[9] = 17;            /* UDP */
	put32(ip + 12, g->src_ip);
	put32(ip + 16, g->dst_ip);
	uint8_t *udp = ip + 20;
	put16(udp, g->src_port);
	put16(udp + 2, g->dst_port);
	return 0;
}

/* Fills one frame: the header copy, then lengths and checksums for this payload. */
static void build(const struct tp_tx *t, uint8_t *f, const uint8_t *msg, uint16_t len)
{
	memcpy(f, t->hdr, TP_TX_HDR_LEN);
	memcpy(f + TP_TX_HDR_LEN, msg, len);
	uint8_t *ip = f + 14, *udp = ip + 20;
	put16(ip + 2, (uint16_t)(20 + 8 + len));
	put16(ip + 10, 0);
	put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
	uint16_t ulen = (uint16_t)(8 + len);
	put16(udp + 4, ulen);
	put16(udp + 6, 0);
	/* pseudo header: source, destination, zero + protocol, UDP length */
	uint32_t s = csum_add(0, ip + 12, 8);
	s += 17u + ulen;
	s = csum_add(s, udp, ulen);
	uint16_t c = csum_fold(s);
	put16(udp + 6, c ? c : 0xffff); /* 0 means "no checksum" in UDP over IPv4 */
}

uint32_t tp_tx_send(struct tp_tx *t, const struct tp_gw_slot *const *slots, uint32_t n)
{
	struct rte_mbuf *m[32];
	uint32_t done = 0, left = 0;
	while (done < n) {
		uint32_t k = n - done < 32 ? n - done : 32;
		if (rte_pktmbuf_alloc_bulk(t->pool, m, k) != 0) {
			t->no_mbuf += n - done;
			t->dropped += n - done;
			break;
		}
		for (uint32_t i = 0; i < k; i++) {
			const struct tp_gw_slot *sl = slots[done + i];
			uint16_t len = sl->len <= TP_GW_SLOT_MSG ? sl->len : TP_GW_SLOT_MSG;
			uint16_t flen = (uint16_t)(TP_TX_HDR_LEN + len);
			uint8_t *f = (uint8_t *)rte_pktmbuf_append(m[i], flen);
			build(t, f, sl->msg, len);
			t->bytes += flen;
		}
		uint32_t sent = 0;
		for (unsigned r = 0; sent < k && r < TX_RETRIES; r++)
			sent += rte_eth_tx_burst(t->port_id, t->queue, m + sent, (uint16_t)(k - sent));
		if (sent < k) {
			rte_pktmbuf_free_bulk(m + sent, k - sent);
			t->dropped += k - sent;
		}
		t->frames += sent;
		left += sent;
		done += k;
	}
	return left;
}

void tp_tx_free(struct tp_tx *t)
{
	if (t->pool) {
		rte_mempool_free(t->pool);
		t->pool = NULL;
	}
}
