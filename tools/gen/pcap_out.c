/* pcap writer and its time-ordered queue (see pcap_out.h). */
#include "pcap_out.h"

#include <stdlib.h>
#include <string.h>

#include "mold_frame.h"

static void le32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++, v >>= 8)
		p[i] = (uint8_t)v;
}

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

int tp_gen_pcap_open(struct tp_gen_pcap *p, FILE *f, uint64_t epoch_ns)
{
	memset(p, 0, sizeof(*p));
	p->f = f;
	p->epoch_ns = epoch_ns;
	/* Written little-endian whatever the host, so a seed gives the same bytes everywhere. */
	uint8_t h[24];
	le32(h, TP_GEN_PCAP_MAGIC_NS);
	le16(h + 4, 2);
	le16(h + 6, 4);
	le32(h + 8, 0);             /* thiszone */
	le32(h + 12, 0);            /* sigfigs */
	le32(h + 16, 65535);        /* snaplen */
	le32(h + 20, 1);            /* LINKTYPE_ETHERNET */
	if (fwrite(h, sizeof(h), 1, f) != 1)
		p->err = -1;
	return p->err;
}

uint8_t *tp_gen_pcap_slot(struct tp_gen_pcap *p)
{
	if (p->nspare)
		return p->spare[--p->nspare];
	uint8_t *b = malloc(TP_GEN_FRAME_MAX);
	if (!b)
		p->err = -1;
	return b;
}

void tp_gen_pcap_release(struct tp_gen_pcap *p, uint8_t *frame)
{
	if (!frame)
		return;
	if (p->nspare == p->spare_cap) {
		size_t cap = p->spare_cap ? p->spare_cap * 2 : 64;
		uint8_t **s = realloc(p->spare, cap * sizeof(*s));
		if (!s) {
			free(frame);
			p->err = -1;
			return;
		}
		p->spare = s;
		p->spare_cap = cap;
	}
	p->spare[p->nspare++] = frame;
}

void tp_gen_pcap_queue(struct tp_gen_pcap *p, uint8_t *frame, size_t len, uint64_t t_ns)
{
	if (!frame)
		return;
	if (p->qn == p->qcap) {
		size_t cap = p->qcap ? p->qcap * 2 : 64;
		struct tp_gen_pq_ent *q = realloc(p->q, cap * sizeof(*q));
		if (!q) {
			free(frame);
			p->err = -1;
			return;
		}
		p->q = q;
		p->qcap = cap;
	}
	/* Insertion from the back: the queue is short and nearly every frame is the latest. */
	struct tp_gen_pq_ent e = {t_ns, p->order++, frame, (uint32_t)len};
	size_t i = p->qn++;
	while (i > 0 && p->q[i - 1].t > e.t) {
		p->q[i] = p->q[i - 1];
		i--;
	}
	p->q[i] = e;
}

static void write_one(struct tp_gen_pcap *p, const struct tp_gen_pq_ent *e)
{
	uint64_t t = p->epoch_ns + e->t;
	uint8_t h[16];
	le32(h, (uint32_t)(t / 1000000000u));
	le32(h + 4, (uint32_t)(t % 1000000000u));
	le32(h + 8, e->len);
	le32(h + 12, e->len);
	if (!p->err && (fwrite(h, sizeof(h), 1, p->f) != 1 ||
			fwrite(e->frame, e->len, 1, p->f) != 1))
		p->err = -1;
	p->frames++;
}

int tp_gen_pcap_flush_before(struct tp_gen_pcap *p, uint64_t t_ns)
{
	size_t k = 0;
	while (k < p->qn && p->q[k].t < t_ns) {
		write_one(p, &p->q[k]);
		tp_gen_pcap_release(p, p->q[k].frame);
		k++;
	}
	if (k) {
		memmove(p->q, p->q + k, (p->qn - k) * sizeof(*p->q));
		p->qn -= k;
	}
	return p->err;
}

int tp_gen_pcap_finish(struct tp_gen_pcap *p)
{
	return tp_gen_pcap_flush_before(p, UINT64_MAX);
}

void tp_gen_pcap_free(struct tp_gen_pcap *p)
{
	for (size_t i = 0; i < p->qn; i++)
		free(p->q[i].frame);
	for (size_t i = 0; i < p->nspare; i++)
		free(p->spare[i]);
	free(p->q);
	free(p->spare);
	p->q = NULL;
	p->spare = NULL;
	p->qn = p->nspare = 0;
}
