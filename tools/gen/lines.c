/* MoldUDP64 packing, the A/B lines and the injected anomalies (see lines.h).
 *
 * Everything streams: one packet is being filled, each line holds at most one packet back
 * for a reorder, and the pcap queue holds the few frames whose time is not final yet. So
 * memory does not grow with the session. */
#include "lines.h"

#include <stdlib.h>
#include <string.h>

#include "gen_prng.h"
#include "mold_frame.h"

#define MAX_PER_PKT 128u  /* (1400 - 20) / 14 is the most the byte limit lets in */

struct pkt {
	uint8_t buf[TP_GEN_MOLD_PAYLOAD_MAX];
	size_t len;
	size_t last_block;        /* offset of the last block's length field */
	uint64_t seq;
	uint64_t first_idx, last_idx;
	uint64_t first_ts, last_ts;
	uint16_t count;
	uint8_t types[MAX_PER_PKT];
};

struct line {
	struct tp_gen_l2 l2;
	struct tp_gen_rng loss_rng;
	struct tp_gen_rng reorder_rng;
	uint64_t lag;
	int sent_any;
	uint8_t *held;            /* frame waiting for the next packet to overtake it */
	size_t held_len;
	uint64_t held_t;
};

struct tp_gen_net {
	struct tp_gen_net_cfg cfg;
	struct tp_gen_pcap *out;
	struct line line[2];
	unsigned nlines;
	struct pkt cur;
	uint64_t next_seq;
	uint64_t gap_end;         /* index after the gap; UINT64_MAX without one */
	uint64_t gap_first;
	uint32_t mf_next;         /* malformed frames placed so far */
	uint32_t nu_next;         /* non-UDP frames placed so far */
	size_t unknown_cap;
	int8_t type_ix[256];
	struct tp_gen_net_stats st;
};

static void be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

struct tp_gen_net *tp_gen_net_create(const struct tp_gen_net_cfg *cfg, struct tp_gen_pcap *out)
{
	struct tp_gen_net *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->cfg = *cfg;
	n->out = out;
	n->nlines = cfg->dup_b ? 2 : 1;
	for (unsigned i = 0; i < 2; i++) {
		struct line *l = &n->line[i];
		/* Sources 192.168.100.1 / .2, ports 50001 / 50002, MACs 02:00:00:00:00:0a / 0b. */
		tp_gen_l2_init(&l->l2, 0xc0a86401u + i, cfg->dst_ip[i], (uint16_t)(50001 + i),
			       cfg->dst_port[i], cfg->vlan, (uint8_t)(0x0a + i));
		/* Streams 1.. of the seed: stream 0 is the market model's. */
		tp_gen_rng_seed(&l->loss_rng, cfg->seed, 1 + i);
		tp_gen_rng_seed(&l->reorder_rng, cfg->seed, 3 + i);
		l->lag = i ? TP_GEN_LINE_B_LAG_NS : 0;
	}
	n->next_seq = 1;
	n->gap_first = cfg->gap_n ? cfg->gap_first : UINT64_MAX;
	n->gap_end = cfg->gap_n ? cfg->gap_first + cfg->gap_n : UINT64_MAX;
	memset(n->type_ix, 0, sizeof(n->type_ix));
	for (unsigned i = 0; i < TP_GEN_ITCH_NTYPES; i++)
		n->type_ix[(uint8_t)tp_gen_itch_types[i]] = (int8_t)i;
	return n;
}

void tp_gen_net_free(struct tp_gen_net *n)
{
	if (!n)
		return;
	for (unsigned i = 0; i < 2; i++)
		free(n->line[i].held);
	free(n->st.unknown_seqs);
	free(n);
}

const struct tp_gen_net_stats *tp_gen_net_stats(const struct tp_gen_net *n)
{
	return &n->st;
}

/* Builds one frame from a UDP payload on line `l` and queues it at time t. */
static void queue_udp(struct tp_gen_net *n, struct line *l, const uint8_t *payload, size_t len,
		      uint64_t t)
{
	uint8_t *f = tp_gen_pcap_slot(n->out);
	if (!f)
		return;
	tp_gen_pcap_queue(n->out, f, tp_gen_frame_udp(f, &l->l2, payload, len), t);
}

/* One real packet on one line: straight out, or through the reorder hold. */
static void line_send(struct tp_gen_net *n, unsigned li, const uint8_t *payload, size_t len,
		      uint64_t t)
{
	struct line *l = &n->line[li];
	n->st.line[li].packets++;
	if (l->held) {
		/* The held packet and this one trade time slots: this one goes first. */
		queue_udp(n, l, payload, len, l->held_t);
		tp_gen_pcap_queue(n->out, l->held, l->held_len, t);
		l->held = NULL;
		n->st.line[li].reordered++;
		return;
	}
	if (l->sent_any && n->cfg.reorder > 0 &&
	    tp_gen_rng_unit(&l->reorder_rng) < n->cfg.reorder) {
		uint8_t *f = tp_gen_pcap_slot(n->out);
		if (!f)
			return;
		l->held_len = tp_gen_frame_udp(f, &l->l2, payload, len);
		l->held = f;
		l->held_t = t;
		return;
	}
	l->sent_any = 1;
	queue_udp(n, l, payload, len, t);
}

static int dropped(struct tp_gen_net *n, unsigned li)
{
	struct line *l = &n->line[li];
	if (!l->sent_any || n->cfg.loss[li] <= 0)
		return 0;
	return tp_gen_rng_unit(&l->loss_rng) < n->cfg.loss[li];
}

static void non_udp_frame(struct tp_gen_net *n, uint32_t k, uint64_t t)
{
	uint8_t *f = tp_gen_pcap_slot(n->out);
	if (!f)
		return;
	struct tp_gen_l2 *l2 = &n->line[0].l2;
	unsigned kind = k % TP_GEN_NU__COUNT;
	size_t len = kind == TP_GEN_NU_ARP ? tp_gen_frame_arp(f, l2)
		   : kind == TP_GEN_NU_TCP ? tp_gen_frame_tcp(f, l2)
					   : tp_gen_frame_icmp(f, l2);
	tp_gen_pcap_queue(n->out, f, len, t);
	n->st.non_udp_kind[kind]++;
}

/* A framing-malformed copy of the current packet on line A (kinds 0-2). */
static void malformed_frame(struct tp_gen_net *n, uint32_t k, unsigned kind, uint64_t t)
{
	const struct pkt *p = &n->cur;
	uint8_t b[TP_GEN_MOLD_PAYLOAD_MAX];
	size_t len = p->len;
	memcpy(b, p->buf, len);
	if (kind == TP_GEN_MF_TRUNCATED) {
		len = 8 + (k / TP_GEN_MF__COUNT) % 12;
	} else if (kind == TP_GEN_MF_BLOCK_PAST_END) {
		size_t lb = p->last_block;
		uint16_t real = (uint16_t)(b[lb] << 8 | b[lb + 1]);
		be16(b + lb, (uint16_t)(real + 5));
	} else {
		int less = p->count >= 2 && (k / TP_GEN_MF__COUNT) % 2 == 1;
		be16(b + 18, (uint16_t)(less ? p->count - 1 : p->count + 1));
	}
	queue_udp(n, &n->line[0], b, len, t);
	n->st.line[0].malformed++;
	n->st.malformed_kind[kind]++;
}

/* A valid MoldUDP64 packet on line A only, holding one message of an unknown type. */
static int unknown_packet(struct tp_gen_net *n, uint64_t ts, uint64_t t)
{
	if (n->st.n_unknown == n->unknown_cap) {
		size_t cap = n->unknown_cap ? n->unknown_cap * 2 : 16;
		uint64_t *u = realloc(n->st.unknown_seqs, cap * sizeof(*u));
		if (!u)
			return -1;
		n->st.unknown_seqs = u;
		n->unknown_cap = cap;
	}
	uint64_t seq = n->next_seq++;
	uint8_t b[TP_GEN_MOLD_HDR_LEN + 2 + 12];
	tp_gen_mold_header(b, n->cfg.session, seq, 1);
	be16(b + 20, 12);
	uint8_t *m = b + 22;
	memset(m, 0, 12);
	m[0] = TP_GEN_UNKNOWN_TYPE;
	for (int i = 10; i >= 5; i--, ts >>= 8)
		m[i] = (uint8_t)ts;
	queue_udp(n, &n->line[0], b, sizeof(b), t);
	n->st.line[0].packets++;
	n->st.unknown_seqs[n->st.n_unknown++] = seq;
	n->st.malformed_kind[TP_GEN_MF_UNKNOWN_TYPE]++;
	return 0;
}

static uint64_t spread(uint64_t k, uint64_t total, uint64_t messages)
{
	return (k + 1) * messages / (total + 1);
}

static int flush(struct tp_gen_net *n)
{
	struct pkt *p = &n->cur;
	if (!p->count)
		return n->out->err;
	uint64_t t = p->last_ts;
	tp_gen_mold_header(p->buf, n->cfg.session, p->seq, p->count);
	n->st.packets_built++;

	/* Nothing queued from now on is earlier than t - 2, or than a held slot. */
	uint64_t safe = t - 2;
	for (unsigned i = 0; i < n->nlines; i++)
		if (n->line[i].held && n->line[i].held_t < safe)
			safe = n->line[i].held_t;
	tp_gen_pcap_flush_before(n->out, safe);

	while (n->nu_next < n->cfg.non_udp &&
	       spread(n->nu_next, n->cfg.non_udp, n->cfg.messages) <= p->last_idx)
		non_udp_frame(n, n->nu_next++, t - 2);

	int in_gap = p->first_idx >= n->gap_first && p->first_idx < n->gap_end;
	unsigned unknown = 0;
	/* Malformed frames due inside the gap wait for the next packet that is sent. */
	while (!in_gap && n->mf_next < n->cfg.malformed &&
	       spread(n->mf_next, n->cfg.malformed, n->cfg.messages) <= p->last_idx) {
		uint32_t k = n->mf_next++;
		unsigned kind = k % TP_GEN_MF__COUNT;
		if (kind == TP_GEN_MF_UNKNOWN_TYPE)
			unknown++;
		else
			malformed_frame(n, k, kind, t - 1);
	}

	if (in_gap) {
		for (unsigned i = 0; i < n->nlines; i++)
			n->st.line[i].dropped_gap++;
		n->st.lost += p->count;
		for (unsigned i = 0; i < p->count; i++)
			n->st.lost_by_type[p->types[i]]++;
	} else {
		int da = dropped(n, 0);
		int db = n->nlines > 1 ? dropped(n, 1) : 1;
		if (n->nlines > 1 && da && db)
			da = 0;
		if (da) {
			n->st.line[0].dropped_loss++;
		} else {
			line_send(n, 0, p->buf, p->len, t);
		}
		if (n->nlines > 1) {
			if (db)
				n->st.line[1].dropped_loss++;
			else
				line_send(n, 1, p->buf, p->len, t + n->line[1].lag);
			if (!da && !db)
				n->st.duplicates += p->count;
		} else if (da) {
			n->st.lost += p->count;
			for (unsigned i = 0; i < p->count; i++)
				n->st.lost_by_type[p->types[i]]++;
		}
	}

	for (unsigned u = 0; u < unknown; u++)
		if (unknown_packet(n, p->last_ts, t + 1 + u))
			return -1;
	p->count = 0;
	p->len = 0;
	return n->out->err;
}

int tp_gen_net_message(void *ctx, const uint8_t *msg, size_t len, uint64_t index,
		       uint64_t ts_ns)
{
	struct tp_gen_net *n = ctx;
	struct pkt *p = &n->cur;
	if (p->count &&
	    (p->len + 2 + len > TP_GEN_MOLD_PAYLOAD_MAX || p->count >= MAX_PER_PKT ||
	     (n->cfg.max_per_packet && p->count >= n->cfg.max_per_packet) ||
	     ts_ns - p->first_ts > TP_GEN_PACKET_WINDOW_NS || index == n->gap_first ||
	     index == n->gap_end)) {
		if (flush(n))
			return -1;
	}
	if (!p->count) {
		p->seq = n->next_seq;
		p->first_idx = index;
		p->first_ts = ts_ns;
		p->len = TP_GEN_MOLD_HDR_LEN;
	}
	p->last_block = p->len;
	be16(p->buf + p->len, (uint16_t)len);
	memcpy(p->buf + p->len + 2, msg, len);
	p->len += 2 + len;
	p->types[p->count++] = (uint8_t)n->type_ix[msg[0]];
	p->last_idx = index;
	p->last_ts = ts_ns;
	if (index == n->gap_first)
		n->st.gap_first_seq = n->next_seq;
	if (index == n->cfg.shock_index)
		n->st.shock_seq = n->next_seq;
	n->st.last_seq = n->next_seq++;
	return 0;
}

int tp_gen_net_finish(struct tp_gen_net *n)
{
	if (flush(n))
		return -1;
	/* A packet still held has nobody left to overtake it: it goes out in its own slot. */
	for (unsigned i = 0; i < n->nlines; i++) {
		struct line *l = &n->line[i];
		if (l->held) {
			tp_gen_pcap_queue(n->out, l->held, l->held_len, l->held_t);
			l->held = NULL;
		}
	}
	if (n->st.last_seq < n->next_seq - 1)
		n->st.last_seq = n->next_seq - 1;
	int rc = tp_gen_pcap_finish(n->out);
	n->st.frames = n->out->frames;
	return rc;
}
