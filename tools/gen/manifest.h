/* The JSON manifest: exactly what a run generated, for tests and benchmarks to check a
 * receiver against. Keys (all integers unless noted):
 *   generator, format ("pcap"|"binfile"), gzip (bool), seed, stocks, rate, session (string),
 *   capture_epoch_ns (pcap record time of ITCH midnight), pcap_timestamps ("ns"),
 *   messages_total         valid ITCH messages generated (sequenced, each once)
 *   messages               per type letter, all 23 keys
 *   last_seq               highest MoldUDP64 sequence = messages_total + unknown-type packets
 *                          (binfile: messages_total; message i is notionally sequence i + 1)
 *   delivered              {messages_total, messages}: what a receiver that arbitrates A/B
 *                          gets, i.e. minus the messages lost on every line
 *   packets, frames        MoldUDP64 data packets made; records in the pcap
 *   lines                  {"A": {dst, packets, dropped_loss, dropped_gap, reordered,
 *                          malformed}, "B": ...} (see lines.h; {} for binfile)
 *   anomalies              duplicates, messages_lost, gap {first_seq, messages} | null,
 *                          malformed {packets, truncated, block_past_end, count_lies,
 *                          unknown_type, unknown_type_seqs [..]}, non_udp {frames, arp, tcp,
 *                          icmp}, vlan id | null, shock {symbol, locate, pct (number),
 *                          at_index, first_seq, exchange_ts_ns, price_before, price_after}
 *                          | null
 *   symbols                symbol -> stock locate
 *   books                  symbol -> {bid [price, qty], ask [price, qty], bid_levels,
 *                          ask_levels}: the generator's own final book (a side with no orders
 *                          is [0, 0]); of the whole generated stream, so a receiver that lost
 *                          messages will not match it. */
#ifndef TP_GEN_MANIFEST_H
#define TP_GEN_MANIFEST_H

#include <stdint.h>
#include <stdio.h>

#include "lines.h"
#include "market_model.h"

struct tp_gen_manifest_in {
	const char *format;
	int gzip;
	uint64_t seed;
	uint32_t stocks;
	uint64_t rate;
	uint64_t messages;
	const uint8_t *session;                /* 10 bytes */
	uint64_t epoch_ns;
	const struct tp_gen_model *model;
	const struct tp_gen_net_cfg *net_cfg;  /* NULL for binfile */
	const struct tp_gen_net_stats *net;    /* NULL for binfile */
	int shock;
	uint32_t shock_stock;
	double shock_pct;
};

/* Returns 0, or -1 when a write failed. */
int tp_gen_manifest_write(FILE *f, const struct tp_gen_manifest_in *in);

#endif
