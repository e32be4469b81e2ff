/* The tickpipe INI file, read with rte_cfgfile and validated to the last value: a config
 * error stops the start with "FILE:LINE: reason", never a half-configured pipeline.
 *
 *   [eal]           args = extra EAL arguments (optional; the command line's come first)
 *   [port.N]        dev = PCI address or vdev string, rx_queues, lcores (one per queue),
 *                   rx_desc
 *   [feed.NAME]     protocol = itch50-moldudp64, line_a = ip:port, line_b = ip:port,
 *                   retransmit = ip:port, reorder_packets, reorder_window_us, max_orders,
 *                   port, queue
 *   [rings]         size
 *   [log]           dir
 *   [ctl]           socket = control socket path (or off), group = its owning group
 *   [rules], [rule.NAME], [risk], [strategy], [killswitch], [gateway], [simex]
 *                   the strategy stage: see config_strategy.h
 *
 * Comments start with '#'. See dataplane/tickpipe.ini for every key with its default. */
#ifndef TP_DP_CONFIG_H
#define TP_DP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "config_index.h"
#include "config_strategy.h"
#include "dp_limits.h"

enum tp_cfg_proto {
	TP_PROTO_ITCH50_MOLDUDP64 = 1,
};

enum tp_cfg_line_kind {
	TP_LINE_A = 0,
	TP_LINE_B = 1,
	TP_LINE_RETRANSMIT = 2,
	TP_LINE__COUNT
};

struct tp_cfg_port {
	unsigned id;                         /* the N of [port.N] */
	char dev[256];
	int is_pci;                          /* else a vdev string such as net_pcap0,rx_pcap=F */
	uint16_t rx_queues;
	uint16_t rx_desc;
	unsigned lcores[TP_DP_MAX_QUEUES];   /* RX lcore of each queue */
	int line;                            /* of the section header */
	int dev_line;
	int lcores_line;
};

struct tp_cfg_feed {
	char name[TP_DP_NAME_LEN];
	unsigned protocol;                   /* enum tp_cfg_proto */
	uint32_t ip[TP_LINE__COUNT];         /* host byte order */
	uint16_t udp[TP_LINE__COUNT];
	unsigned has[TP_LINE__COUNT];
	uint32_t reorder_packets;
	uint64_t reorder_window_ns;
	uint32_t max_orders;                 /* 0: the feed's default */
	unsigned port;                       /* [port.N] whose queue carries the lines (run) */
	unsigned queue;
	int line;
	int port_line, queue_line;
};

struct tp_config {
	char path[TP_DP_PATH_LEN];
	struct tp_cfg_port ports[TP_DP_MAX_PORTS];
	unsigned n_ports;
	struct tp_cfg_feed feeds[TP_DP_MAX_FEEDS];
	unsigned n_feeds;
	uint32_t ring_size;
	char log_dir[TP_DP_PATH_LEN];
	char ctl_socket[108];                /* [ctl] socket: "" = default, "off" = none */
	char ctl_group[64];                  /* [ctl] group: "" = the process's */
	char eal_args[256];
	struct tp_cfg_strat strat;
	struct tp_cfg_index index;
};

/* Loads and validates. Returns 0, or -1 with a one-line "FILE:LINE: reason" in err. */
int tp_config_load(const char *path, struct tp_config *c, char *err, size_t errlen);
/* The checks only `run` needs: at least one port and one feed, every feed's port and queue
 * configured, the capture of a net_pcap port readable. */
int tp_config_check_run(const struct tp_config *c, char *err, size_t errlen);
void tp_config_free(struct tp_config *c);

#endif
