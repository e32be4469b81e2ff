/* Ethdev set-up and tear-down for one port: a mempool on the port's NUMA socket for its RX
 * queues, the RX timestamp offload when the PMD has it, and a TX queue when the order
 * gateway sends out of this port (the gateway's frames come from its own pool, tx.c). */
#ifndef TP_DP_PORT_H
#define TP_DP_PORT_H

#include <stddef.h>
#include <stdint.h>

struct rte_mempool;

struct tp_port {
	uint16_t port_id;
	uint16_t nb_rxq;
	uint16_t nb_txq;
	uint16_t nb_desc;
	char name[128];
	struct rte_mempool *pool;
	int ts_offload;   /* RTE_ETH_RX_OFFLOAD_TIMESTAMP enabled */
	int configured;
	int started;
};

/* Finds the port by device name ("0000:01:00.0", "net_pcap0"), configures and starts it
 * with nb_rxq RX queues (0: a TX-only port) and nb_txq TX queues (0 or 1). Returns 0, or -1
 * with one line in err. */
int tp_port_open(struct tp_port *p, const char *devname, uint16_t nb_rxq, uint16_t nb_desc,
		 uint16_t nb_txq, char *err, size_t errlen);
void tp_port_close(struct tp_port *p);

#endif
