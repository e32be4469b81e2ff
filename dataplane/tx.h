/* The order egress of `run`: each OUCH message the gateway put on the egress ring leaves the
 * TX port as one Ethernet/IPv4/UDP frame whose UDP payload is exactly the OUCH bytes (Enter
 * Order 'O', Cancel Order 'X'), nothing before or after them. There is no SoupBinTCP
 * session yet (no TCP stack on this path), so no acknowledgements or fills come back: in
 * `run` the gateway and the risk guard count every order as working until the end.
 *
 * Frame: Ethernet (dst = [gateway] dst_mac, src = the port's MAC, type 0x0800), IPv4
 * (IHL 5, TOS 0, ID 0, DF, TTL 64, UDP, header checksum), UDP ([gateway] src port -> dst
 * port, checksum computed), payload. Built in software on the consumer lcore: no offloads
 * are assumed, so any PMD (net_pcap's tx_pcap included) sends the same bytes. */
#ifndef TP_DP_TX_H
#define TP_DP_TX_H

#include <stddef.h>
#include <stdint.h>

#include "config_strategy.h"
#include "tp_gateway.h"

struct rte_mempool;

#define TP_TX_HDR_LEN 42u  /* Ethernet 14 + IPv4 20 + UDP 8 */

struct tp_tx {
	uint16_t port_id;
	uint16_t queue;
	struct rte_mempool *pool;
	uint8_t hdr[TP_TX_HDR_LEN];   /* prebuilt; lengths and checksums patched per frame */
	uint64_t frames, bytes;
	uint64_t dropped;             /* the port would not take them (TX ring full) */
	uint64_t no_mbuf;
};

/* Prepares frames for port_id's TX queue `queue` (the port must be configured with it).
 * 0, or -1 with a reason in err. */
int tp_tx_init(struct tp_tx *t, uint16_t port_id, uint16_t queue, const struct tp_cfg_gateway *g,
	       int socket, char *err, size_t errlen);
/* Sends n egress slots, in order. Returns how many frames left. Consumer lcore only. */
uint32_t tp_tx_send(struct tp_tx *t, const struct tp_gw_slot *const *slots, uint32_t n);
void tp_tx_free(struct tp_tx *t);

#endif
