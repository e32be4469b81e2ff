/* Wire framing of the generator: MoldUDP64 headers and whole Ethernet frames (optional 802.1Q
 * tag, IPv4, UDP), plus the non-UDP frames used as noise (ARP, TCP, ICMP).
 *
 * Frames are what a capture shows: no FCS, padded with zeros to the 60-byte Ethernet minimum
 * (so a receiver must take the UDP payload length from the UDP header, not the frame). The
 * IPv4 header checksum is set; the UDP checksum is 0 ("none", legal over IPv4). */
#ifndef TP_GEN_MOLD_FRAME_H
#define TP_GEN_MOLD_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define TP_GEN_MOLD_HDR_LEN   20u
#define TP_GEN_FRAME_MAX      1600u
#define TP_GEN_FRAME_MIN      60u
#define TP_GEN_UDP_PAYLOAD_MAX 1472u  /* 1500-byte MTU - IPv4 - UDP */

/* How one line's frames are addressed. */
struct tp_gen_l2 {
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	int vlan;            /* VLAN id, or -1 for untagged frames */
	uint32_t src_ip;     /* host byte order */
	uint32_t dst_ip;
	uint16_t src_port;
	uint16_t dst_port;
	uint16_t ip_id;      /* IPv4 identification of the next frame */
};

/* Multicast destinations get the 01:00:5e mapping of the group; unicast ones a fixed
 * locally administered MAC. `tag` distinguishes the sources of the lines (last MAC byte). */
void tp_gen_l2_init(struct tp_gen_l2 *l, uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
		    uint16_t dst_port, int vlan, uint8_t tag);

/* Writes the 20-byte downstream header. */
size_t tp_gen_mold_header(uint8_t *o, const uint8_t session[10], uint64_t seq, uint16_t count);

/* Whole frames into `o` (TP_GEN_FRAME_MAX bytes); each returns the frame length. */
size_t tp_gen_frame_udp(uint8_t *o, struct tp_gen_l2 *l, const uint8_t *payload, size_t len);
size_t tp_gen_frame_arp(uint8_t *o, struct tp_gen_l2 *l);
size_t tp_gen_frame_tcp(uint8_t *o, struct tp_gen_l2 *l);
size_t tp_gen_frame_icmp(uint8_t *o, struct tp_gen_l2 *l);

#endif
