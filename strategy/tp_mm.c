/* Sample market maker. See tp_mm.h. */
#include "tp_mm.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct mm_quote {
	uint32_t urn;    /* 0 = no live quote */
	uint32_t price;
	uint32_t left;
};

struct mm_sym {
	uint16_t locate;
	struct mm_quote q[2]; /* 0 bid, 1 ask */
};

struct tp_mm {
	struct tp_gw *gw;
	uint32_t size, offset, tick;
	uint32_t nsym;
	struct mm_sym sym[TP_MM_MAX_SYMBOLS];
	uint8_t *idx1;       /* locate -> index + 1 */
	struct tp_mm_stats st;
};

struct tp_mm *tp_mm_create(const struct tp_mm_params *p, char *err, unsigned errlen)
{
	if (!p->gw || !p->locates || p->nlocates == 0 || p->nlocates > TP_MM_MAX_SYMBOLS ||
	    p->size == 0) {
		if (err && errlen)
			snprintf(err, errlen, "need a gateway, 1..%u symbols and a size",
				 TP_MM_MAX_SYMBOLS);
		return NULL;
	}
	struct tp_mm *mm = calloc(1, sizeof(*mm));
	uint8_t *idx1 = calloc(65536, 1);
	if (!mm || !idx1) {
		free(mm);
		free(idx1);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	mm->gw = p->gw;
	mm->size = p->size;
	mm->offset = p->offset_ticks;
	mm->tick = p->tick ? p->tick : 100;
	mm->idx1 = idx1;
	for (uint32_t i = 0; i < p->nlocates; i++) {
		if (idx1[p->locates[i]])
			continue;
		mm->sym[mm->nsym].locate = p->locates[i];
		idx1[p->locates[i]] = (uint8_t)(++mm->nsym);
	}
	return mm;
}

void tp_mm_free(struct tp_mm *mm)
{
	if (!mm)
		return;
	free(mm->idx1);
	free(mm);
}

/* Puts one side at `want` (0 = no quote). */
static void requote(struct tp_mm *mm, struct mm_sym *s, int side, uint32_t want, uint64_t now)
{
	struct mm_quote *q = &s->q[side];
	if (q->urn && q->price == want)
		return;
	if (q->urn) {
		int rc = tp_gw_cancel(mm->gw, q->urn, now);
		if (rc == TP_GW_RING_FULL)
			return; /* keep it and try again on the next update */
		if (rc == TP_GW_SENT)
			mm->st.cancels_sent++;
		q->urn = 0; /* the gateway keeps it working until the exchange confirms */
	}
	if (!want)
		return;
	struct tp_order o = { .locate = s->locate, .side = side ? 'S' : 'B', .qty = mm->size,
			      .price = want };
	uint32_t urn;
	if (tp_gw_submit(mm->gw, &o, now, &urn, NULL) == TP_GW_SENT) {
		q->urn = urn;
		q->price = want;
		q->left = mm->size;
		mm->st.quotes_sent++;
	} else {
		mm->st.refused++;
	}
}

void tp_mm_on_event(struct tp_mm *mm, const struct tp_event *ev)
{
	uint8_t i = mm->idx1[ev->stock_locate];
	if (!i)
		return;
	switch (ev->kind) {
	case TP_EV_ADD:
	case TP_EV_EXECUTE:
	case TP_EV_CANCEL:
	case TP_EV_DELETE:
	case TP_EV_REPLACE:
		break;
	default:
		return;
	}
	struct mm_sym *s = &mm->sym[i - 1];
	uint64_t away = (uint64_t)mm->offset * mm->tick;
	uint32_t bid = 0, ask = 0;
	if (ev->bid_px && ev->ask_px) {
		bid = ev->bid_px > away ? (uint32_t)(ev->bid_px - away) : 0;
		ask = (uint64_t)ev->ask_px + away <= UINT32_MAX ? (uint32_t)(ev->ask_px + away) : 0;
		if (!bid || !ask)
			bid = ask = 0;
	}
	requote(mm, s, 0, bid, ev->exch_ts_ns);
	requote(mm, s, 1, ask, ev->exch_ts_ns);
}

void tp_mm_on_report(struct tp_mm *mm, const struct tp_exec_report *rep)
{
	uint8_t i = mm->idx1[rep->locate];
	if (rep->type == 'E') {
		mm->st.fills++;
		mm->st.fill_qty += rep->qty;
	}
	if (!i)
		return;
	struct mm_sym *s = &mm->sym[i - 1];
	for (int side = 0; side < 2; side++) {
		struct mm_quote *q = &s->q[side];
		if (!q->urn || q->urn != rep->user_ref_num)
			continue;
		if (rep->type == 'E' && rep->qty < q->left)
			q->left -= rep->qty;
		else
			q->urn = 0; /* filled out, cancelled or rejected: quote again next update */
	}
}

void tp_mm_stats(const struct tp_mm *mm, struct tp_mm_stats *out) { *out = mm->st; }

int tp_mm_quote(const struct tp_mm *mm, uint16_t locate, uint8_t side, uint32_t *urn,
		uint32_t *price, uint32_t *left)
{
	uint8_t i = mm->idx1[locate];
	if (!i || (side != 'B' && side != 'S'))
		return 0;
	const struct mm_quote *q = &mm->sym[i - 1].q[side == 'S'];
	if (!q->urn)
		return 0;
	if (urn)
		*urn = q->urn;
	if (price)
		*price = q->price;
	if (left)
		*left = q->left;
	return 1;
}
