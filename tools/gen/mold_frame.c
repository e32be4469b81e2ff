/* MoldUDP64 headers and Ethernet/IPv4/UDP frames for the generator (see mold_frame.h). */
#include "mold_frame.h"

#include <string.h>

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* RFC 1071 ones' complement sum over `len` bytes. */
static uint16_t inet_csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

void tp_gen_l2_init(struct tp_gen_l2 *l, uint32_t src_ip, uint32_t dst_ip, uint16_t src_port,
		    uint16_t dst_port, int vlan, uint8_t tag)
{
	memset(l, 0, sizeof(*l));
	if ((dst_ip >> 28) == 0xe) {
		static const uint8_t mc[3] = {0x01, 0x00, 0x5e};
		memcpy(l->dst_mac, mc, 3);
		l->dst_mac[3] = (uint8_t)((dst_ip >> 16) & 0x7f);
		l->dst_mac[4] = (uint8_t)(dst_ip >> 8);
		l->dst_mac[5] = (uint8_t)dst_ip;
	} else {
		static const uint8_t uc[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0xfe};
		memcpy(l->dst_mac, uc, 6);
	}
	static const uint8_t src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x00};
	memcpy(l->src_mac, src, 6);
	l->src_mac[5] = tag;
	l->vlan = vlan;
	l->src_ip = src_ip;
	l->dst_ip = dst_ip;
	l->src_port = src_port;
	l->dst_port = dst_port;
}

size_t tp_gen_mold_header(uint8_t *o, const uint8_t session[10], uint64_t seq, uint16_t count)
{
	memcpy(o, session, 10);
	be64(o + 10, seq);
	be16(o + 18, count);
	return TP_GEN_MOLD_HDR_LEN;
}

/* Ethernet header (and tag); returns its length. */
static size_t eth(uint8_t *o, const struct tp_gen_l2 *l, const uint8_t dst[6], uint16_t type)
{
	memcpy(o, dst, 6);
	memcpy(o + 6, l->src_mac, 6);
	size_t n = 12;
	if (l->vlan >= 0) {
		be16(o + n, 0x8100);
		be16(o + n + 2, (uint16_t)l->vlan);
		n += 4;
	}
	be16(o + n, type);
	return n + 2;
}

static size_t ipv4(uint8_t *o, struct tp_gen_l2 *l, uint8_t proto, size_t payload_len)
{
	o[0] = 0x45;
	o[1] = 0;
	be16(o + 2, (uint16_t)(20 + payload_len));
	be16(o + 4, l->ip_id++);
	be16(o + 6, 0x4000);        /* don't fragment */
	o[8] = 64;
	o[9] = proto;
	be16(o + 10, 0);
	be32(o + 12, l->src_ip);
	be32(o + 16, l->dst_ip);
	be16(o + 10, inet_csum(o, 20));
	return 20;
}

static size_t pad(uint8_t *o, size_t n)
{
	if (n < TP_GEN_FRAME_MIN) {
		memset(o + n, 0, TP_GEN_FRAME_MIN - n);
		n = TP_GEN_FRAME_MIN;
	}
	return n;
}

size_t tp_gen_frame_udp(uint8_t *o, struct tp_gen_l2 *l, const uint8_t *payload, size_t len)
{
	size_t n = eth(o, l, l->dst_mac, 0x0800);
	n += ipv4(o + n, l, 17, 8 + len);
	be16(o + n, l->src_port);
	be16(o + n + 2, l->dst_port);
	be16(o + n + 4, (uint16_t)(8 + len));
	be16(o + n + 6, 0);
	n += 8;
	memcpy(o + n, payload, len);
	return pad(o, n + len);
}

size_t tp_gen_frame_arp(uint8_t *o, struct tp_gen_l2 *l)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	size_t n = eth(o, l, bcast, 0x0806);
	uint8_t *a = o + n;
	be16(a, 1);                 /* Ethernet */
	be16(a + 2, 0x0800);        /* IPv4 */
	a[4] = 6;
	a[5] = 4;
	be16(a + 6, 1);             /* request */
	memcpy(a + 8, l->src_mac, 6);
	be32(a + 14, l->src_ip);
	memset(a + 18, 0, 6);
	be32(a + 24, l->src_ip + 1);
	return pad(o, n + 28);
}

/* A TCP SYN to the feed's own address and port: a receiver that does not check the IP protocol
 * would read the TCP ports as UDP ports and take this for feed traffic. */
size_t tp_gen_frame_tcp(uint8_t *o, struct tp_gen_l2 *l)
{
	size_t n = eth(o, l, l->dst_mac, 0x0800);
	n += ipv4(o + n, l, 6, 20);
	uint8_t *t = o + n;
	be16(t, l->src_port);
	be16(t + 2, l->dst_port);
	be32(t + 4, 0x01020304);    /* sequence */
	be32(t + 8, 0);             /* acknowledgment */
	t[12] = 5 << 4;             /* data offset: 5 words */
	t[13] = 0x02;               /* SYN */
	be16(t + 14, 65535);
	be16(t + 16, 0);            /* checksum not computed: the frame only has to be rejected */
	be16(t + 18, 0);
	return pad(o, n + 20);
}

size_t tp_gen_frame_icmp(uint8_t *o, struct tp_gen_l2 *l)
{
	size_t n = eth(o, l, l->dst_mac, 0x0800);
	n += ipv4(o + n, l, 1, 8 + 32);
	uint8_t *c = o + n;
	c[0] = 8;                   /* echo request */
	c[1] = 0;
	be16(c + 2, 0);
	be16(c + 4, 0x7470);        /* identifier */
	be16(c + 6, l->ip_id);
	for (int i = 0; i < 32; i++)
		c[8 + i] = (uint8_t)('a' + i % 26);
	be16(c + 2, inet_csum(c, 40));
	return pad(o, n + 40);
}
