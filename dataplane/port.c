#include "port.h"

#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mbuf_dyn.h>
#include <rte_mempool.h>

#include "dp_limits.h"

int tp_port_open(struct tp_port *p, const char *devname, uint16_t nb_rxq, uint16_t nb_desc,
		 uint16_t nb_txq, char *err, size_t errlen)
{
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", devname);
	uint16_t pid;
	if (rte_eth_dev_get_port_by_name(devname, &pid) != 0) {
		snprintf(err, errlen, "port %s: no such ethdev (not probed by EAL?)", devname);
		return -1;
	}
	p->port_id = pid;
	p->nb_rxq = nb_rxq;
	p->nb_txq = nb_txq;

	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(pid, &info);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: dev_info: %s", devname, rte_strerror(-rc));
		return -1;
	}
	if (nb_txq > info.max_tx_queues) {
		snprintf(err, errlen, "port %s: %u tx queues asked, the device has %u", devname,
			 nb_txq, info.max_tx_queues);
		return -1;
	}
	if (nb_rxq > info.max_rx_queues) {
		snprintf(err, errlen, "port %s: %u rx queues asked, the device has %u", devname,
			 nb_rxq, info.max_rx_queues);
		return -1;
	}
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	if (nb_rxq > 1 && info.flow_type_rss_offloads) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = info.flow_type_rss_offloads &
						   (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP);
	}
	/* Capture time per mbuf: replay runs its arbitration windows and pacing on it. */
	if (nb_rxq && (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_TIMESTAMP)) {
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_TIMESTAMP;
		p->ts_offload = 1;
	}
	rc = rte_eth_dev_configure(pid, nb_rxq, nb_txq, &conf);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: configure: %s", devname, rte_strerror(-rc));
		return -1;
	}
	p->configured = 1;
	uint16_t nrx = nb_desc, ntx = 512;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pid, &nrx, &ntx);
	if (rc != 0) {
		nrx = nb_desc;
		ntx = 512;
	}
	p->nb_desc = nrx;

	int socket = rte_eth_dev_socket_id(pid);
	if (socket < 0)
		socket = (int)rte_socket_id();
	/* Enough for every descriptor plus a burst in flight per queue, and the per-lcore
	 * caches; 2^k - 1 is the mempool's most efficient size. */
	unsigned need = (unsigned)nb_rxq * (nrx + 2u * TP_DP_BURST) + 512u;
	unsigned n = 1;
	while (n - 1 < need)
		n <<= 1;
	char pname[RTE_MEMPOOL_NAMESIZE];
	snprintf(pname, sizeof(pname), "tp_mb%u", pid);
	if (nb_rxq) {
		p->pool = rte_pktmbuf_pool_create(pname, n - 1, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
						  socket);
		if (!p->pool) {
			snprintf(err, errlen, "port %s: mbuf pool of %u: %s", devname, n - 1,
				 rte_strerror(rte_errno));
			return -1;
		}
	}
	for (uint16_t q = 0; q < nb_txq; q++) {
		struct rte_eth_txconf txc = info.default_txconf;
		rc = rte_eth_tx_queue_setup(pid, q, ntx, (unsigned)socket, &txc);
		if (rc != 0) {
			snprintf(err, errlen, "port %s: tx queue %u: %s", devname, q,
				 rte_strerror(-rc));
			return -1;
		}
	}
	for (uint16_t q = 0; q < nb_rxq; q++) {
		struct rte_eth_rxconf rxc = info.default_rxconf;
		rxc.offloads = conf.rxmode.offloads;
		rc = rte_eth_rx_queue_setup(pid, q, nrx, (unsigned)socket, &rxc, p->pool);
		if (rc != 0) {
			snprintf(err, errlen, "port %s: rx queue %u: %s", devname, q,
				 rte_strerror(-rc));
			return -1;
		}
	}
	if (p->ts_offload) {
		int off;
		uint64_t flag;
		if (rte_mbuf_dyn_rx_timestamp_register(&off, &flag) != 0)
			p->ts_offload = 0;
	}
	rc = rte_eth_dev_start(pid);
	if (rc != 0) {
		snprintf(err, errlen, "port %s: start: %s", devname, rte_strerror(-rc));
		return -1;
	}
	p->started = 1;
	/* Feeds are multicast: take every group the switch sends. A vdev may not support
	 * either call, which is fine. */
	(void)rte_eth_allmulticast_enable(pid);
	(void)rte_eth_promiscuous_enable(pid);
	return 0;
}

void tp_port_close(struct tp_port *p)
{
	if (p->started) {
		(void)rte_eth_dev_stop(p->port_id);
		p->started = 0;
	}
	if (p->configured) {
		(void)rte_eth_dev_close(p->port_id);
		p->configured = 0;
	}
	if (p->pool) {
		rte_mempool_free(p->pool);
		p->pool = NULL;
	}
}
