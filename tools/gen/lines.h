/* The network side of tickpipe-gen: packs the message stream into MoldUDP64 packets, sends
 * them on line A (and B) and injects the requested anomalies, writing frames to a pcap.
 *
 * Packing: a packet closes before a message that would take the UDP payload past
 * TP_GEN_MOLD_PAYLOAD_MAX bytes, past `max_per_packet` messages, or more than
 * TP_GEN_PACKET_WINDOW_NS of market time after the packet's first message, and at both edges
 * of the --gap run. A packet's capture time is the ITCH timestamp of its last message; line B
 * carries its copy TP_GEN_LINE_B_LAG_NS later.
 *
 * Anomalies and how they are counted (struct tp_gen_net_stats):
 *   dup_b       every packet of A is also sent on B: `duplicates` = messages that arrive on
 *               both lines (a receiver discards each of them once).
 *   loss[L]     each packet is dropped on line L with probability loss[L]. With B present a
 *               packet is never dropped on both lines (when both draws drop it, A keeps it),
 *               so nothing is lost; without B, the messages of a dropped packet are `lost`.
 *   reorder     on each line, a packet is held with probability `reorder` and sent after the
 *               next one, in the time slots of the two (so capture times stay in order).
 *   gap         the messages with index [gap_first, gap_first + gap_n) travel in packets of
 *               their own, dropped on every line: `lost` += gap_n, `gap_first_seq` is the
 *               sequence number of the first.
 *   malformed   extra frames on line A only, spread evenly over the session, kinds in turn:
 *                 0 truncated      the first 8..19 bytes of the next real packet (short header)
 *                 1 block past end a copy of the next real packet whose last block length
 *                                  runs 5 bytes past the end
 *                 2 count lies     a copy of the next real packet whose count is one more
 *                                  (or, every second time and when possible, one less) than
 *                                  its blocks
 *                 3 unknown type   a valid MoldUDP64 packet, on A only, holding one 12-byte
 *                                  message of type 'z' at a sequence number of its own
 *                                  (listed in `unknown_seqs`); line B has a hole there that
 *                                  line A fills
 *               Kinds 0-2 sit just before the real packet and carry nothing usable: a receiver
 *               that checks the whole packet before using any of it counts each once and
 *               loses nothing. Kind 3 takes a sequence number, so the last sequence number is
 *               messages + unknown-type packets. None of them is ever dropped or reordered.
 *   non_udp     frames spread over the session, kinds in turn: ARP request, TCP SYN to the
 *               feed's address and port, ICMP echo to the feed's address.
 *   vlan        an 802.1Q tag with this id on every frame.
 * The first packet of each line is never dropped or reordered, so a receiver that starts at
 * the first sequence number it sees starts at 1. */
#ifndef TP_GEN_LINES_H
#define TP_GEN_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "itch_enc.h"
#include "pcap_out.h"

#define TP_GEN_MOLD_PAYLOAD_MAX 1400u
#define TP_GEN_PACKET_WINDOW_NS 100000u
#define TP_GEN_LINE_B_LAG_NS    2000u
#define TP_GEN_UNKNOWN_TYPE     'z'

enum { TP_GEN_MF_TRUNCATED = 0, TP_GEN_MF_BLOCK_PAST_END, TP_GEN_MF_COUNT_LIES,
       TP_GEN_MF_UNKNOWN_TYPE, TP_GEN_MF__COUNT };
enum { TP_GEN_NU_ARP = 0, TP_GEN_NU_TCP, TP_GEN_NU_ICMP, TP_GEN_NU__COUNT };

struct tp_gen_net_cfg {
	uint8_t session[10];
	uint32_t dst_ip[2];        /* host byte order; [1] used only with dup_b */
	uint16_t dst_port[2];
	int dup_b;
	double loss[2];
	double reorder;
	uint64_t gap_first;        /* message index */
	uint64_t gap_n;            /* 0: no gap */
	uint32_t malformed;
	uint32_t non_udp;
	int vlan;                  /* -1: untagged */
	uint32_t max_per_packet;   /* 0: limited by bytes only */
	uint64_t messages;
	uint64_t seed;
	uint64_t shock_index;      /* UINT64_MAX: none */
};

struct tp_gen_line_stats {
	uint64_t packets;          /* valid MoldUDP64 packets sent (A: with the unknown-type ones) */
	uint64_t dropped_loss;     /* packets dropped by --loss */
	uint64_t dropped_gap;      /* packets dropped by --gap */
	uint64_t reordered;        /* adjacent pairs swapped */
	uint64_t malformed;        /* framing-malformed frames sent (kinds 0-2) */
};

struct tp_gen_net_stats {
	struct tp_gen_line_stats line[2];
	uint64_t packets_built;    /* data packets made from the message stream */
	uint64_t last_seq;         /* highest MoldUDP64 sequence number used */
	uint64_t duplicates;
	uint64_t lost;
	uint64_t lost_by_type[TP_GEN_ITCH_NTYPES];
	uint64_t gap_first_seq;    /* 0: no gap */
	uint64_t malformed_kind[TP_GEN_MF__COUNT];
	uint64_t *unknown_seqs;
	size_t n_unknown;
	uint64_t non_udp_kind[TP_GEN_NU__COUNT];
	uint64_t shock_seq;        /* 0: no shock */
	uint64_t frames;           /* records in the pcap */
};

struct tp_gen_net;

/* NULL when memory is short. `out` must be open; the net writes frames into it. */
struct tp_gen_net *tp_gen_net_create(const struct tp_gen_net_cfg *cfg, struct tp_gen_pcap *out);
void tp_gen_net_free(struct tp_gen_net *n);
/* The message sink (a tp_gen_sink_fn): ctx is the tp_gen_net. Returns 0 or -1 on error. */
int tp_gen_net_message(void *ctx, const uint8_t *msg, size_t len, uint64_t index,
		       uint64_t ts_ns);
/* Sends what is pending and writes the rest of the pcap. Returns 0 or -1. */
int tp_gen_net_finish(struct tp_gen_net *n);
const struct tp_gen_net_stats *tp_gen_net_stats(const struct tp_gen_net *n);

#endif
