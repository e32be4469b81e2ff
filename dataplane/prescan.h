/* Reads each capture once before EAL starts: a missing, truncated or non-Ethernet file is
 * refused with one line before anything else happens; the packet count tells the RX loop
 * when the capture is done (net_pcap just returns 0 at the end, forever); the first
 * timestamp fixes the replay clock; and the feeds found in each file decide which captures
 * must share an RX lcore (a feed belongs to one thread, and its A/B lines must be merged in
 * capture-time order for a replay to be repeatable). */
#ifndef TP_DP_PRESCAN_H
#define TP_DP_PRESCAN_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "dp_limits.h"
#include "tp_mold.h"

struct tp_prescan_file {
	const char *path;
	uint64_t packets;
	uint64_t bytes;
	uint64_t first_ts_ns;
	uint64_t last_ts_ns;
	uint64_t feeds;      /* bit i: feed i has datagrams in this file */
	unsigned group;      /* files sharing a feed share a group */
};

struct tp_prescan {
	struct tp_prescan_file files[TP_DP_MAX_PCAPS];
	unsigned n_files;
	unsigned n_groups;
	/* Without a config: the MoldUDP64 sessions found, in order of first appearance. */
	uint8_t sessions[TP_DP_MAX_FEEDS][TP_MOLD_SESSION_LEN];
	unsigned n_sessions;
	uint64_t first_ts_ns; /* earliest first packet over all files */
};

/* cfg NULL or without feeds: discover sessions. Returns 0, or -1 with one line in err. */
int tp_prescan_pcaps(const char *const *paths, unsigned n, const struct tp_config *cfg,
		     struct tp_prescan *out, char *err, size_t errlen);

#endif
