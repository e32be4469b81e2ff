/* Sizes fixed at build time for the tickpipe program. Everything the hot path touches is
 * sized from these before the lcores start, so nothing grows while packets flow. */
#ifndef TP_DP_LIMITS_H
#define TP_DP_LIMITS_H

#define TP_DP_MAX_FEEDS   64   /* feed sessions in one process */
#define TP_DP_MAX_PORTS   16   /* ethdev ports (config [port.N] or replay --pcap) */
#define TP_DP_MAX_QUEUES  16   /* RX queues per port */
#define TP_DP_MAX_RX      16   /* RX lcores */
#define TP_DP_MAX_RXQ     16   /* port queues one RX lcore polls */
#define TP_DP_MAX_PCAPS   8    /* --pcap given on one replay command line */
#define TP_DP_BURST       32   /* packets per rte_eth_rx_burst */
#define TP_DP_NAME_LEN    64
#define TP_DP_PATH_LEN    4096

#define TP_DP_RING_DEFAULT  16384u   /* events per RX->consumer ring */
#define TP_DP_RX_DESC_DEFAULT 1024u

#endif
