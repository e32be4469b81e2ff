/* Simulated exchange. Matching rules and the account are described in tp_simex.h. */
#include "tp_simex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sx_msg {            /* an order or cancel in flight */
	uint64_t arrive;
	uint32_t urn;
	uint32_t qty;
	uint32_t price;
	uint8_t type;          /* 'O' or 'X' */
	uint8_t side;
	uint8_t tif;
	uint8_t sym;           /* index + 1; 0 = unknown symbol */
};

struct sx_rest {           /* a resting order */
	uint32_t urn;
	uint32_t left;
	uint32_t price;
	uint8_t side;
	uint8_t sym;           /* index */
};

struct sx_sym {
	uint16_t locate;
	char name[TP_OUCH_SYMBOL_LEN];
	uint32_t bid_px, ask_px;
	uint64_t bid_qty, ask_qty;
	uint64_t bid_used, ask_used; /* shown shares our orders already took at that price */
	uint32_t last_px;
	int64_t position, cash, basis;
	uint64_t fills, fill_qty;
};

struct tp_simex {
	uint64_t latency;
	uint64_t now;
	uint32_t max_orders;

	struct sx_msg *fly;    /* FIFO: arrival times never decrease (send times do not) */
	uint32_t fly_head, fly_n;
	struct sx_rest *rest;  /* arrival order */
	uint32_t nrest;

	struct tp_exec_report *rep;
	uint32_t rep_cap, rep_head, rep_n;

	struct sx_sym sym[TP_SIMEX_MAX_SYMBOLS];
	uint32_t nsym;
	uint8_t *idx1;         /* locate -> symbol index + 1 */

	struct tp_simex_stats st;
};

struct tp_simex *tp_simex_create(const struct tp_simex_params *p, char *err, unsigned errlen)
{
	struct tp_simex *sx = calloc(1, sizeof(*sx));
	if (!sx)
		goto oom;
	sx->latency = p->latency_ns;
	sx->max_orders = p->max_orders ? p->max_orders : 4096;
	sx->rep_cap = p->max_reports ? p->max_reports : 4096;
	sx->fly = calloc(sx->max_orders, sizeof(*sx->fly));
	sx->rest = calloc(sx->max_orders, sizeof(*sx->rest));
	sx->rep = calloc(sx->rep_cap, sizeof(*sx->rep));
	sx->idx1 = calloc(65536, 1);
	if (!sx->fly || !sx->rest || !sx->rep || !sx->idx1)
		goto oom;
	return sx;
oom:
	tp_simex_free(sx);
	if (err && errlen)
		snprintf(err, errlen, "out of memory");
	return NULL;
}

void tp_simex_free(struct tp_simex *sx)
{
	if (!sx)
		return;
	free(sx->fly);
	free(sx->rest);
	free(sx->rep);
	free(sx->idx1);
	free(sx);
}

int tp_simex_add_symbol(struct tp_simex *sx, uint16_t locate, const char *symbol)
{
	if (!symbol || !symbol[0])
		return -1;
	uint8_t i = sx->idx1[locate];
	if (!i) {
		if (sx->nsym == TP_SIMEX_MAX_SYMBOLS)
			return -1;
		i = (uint8_t)(++sx->nsym);
		sx->idx1[locate] = i;
		sx->sym[i - 1].locate = locate;
	}
	tp_ouch_alpha(sx->sym[i - 1].name, TP_OUCH_SYMBOL_LEN, symbol);
	return 0;
}

static uint8_t sym_by_name(const struct tp_simex *sx, const char *name)
{
	for (uint32_t i = 0; i < sx->nsym; i++)
		if (!memcmp(sx->sym[i].name, name, TP_OUCH_SYMBOL_LEN))
			return (uint8_t)(i + 1);
	return 0;
}

/* ---- reports and the account -------------------------------------------------------- */

static void report(struct tp_simex *sx, uint8_t type, const struct sx_sym *s, uint8_t side,
		   uint32_t urn, uint32_t qty, uint32_t price)
{
	if (sx->rep_n == sx->rep_cap) {
		sx->st.reports_lost++;
		return;
	}
	struct tp_exec_report *r = &sx->rep[(sx->rep_head + sx->rep_n++) % sx->rep_cap];
	*r = (struct tp_exec_report){ .type = type, .side = side, .locate = s ? s->locate : 0,
		.user_ref_num = urn, .qty = qty, .price = price, .ts_ns = sx->now };
}

/* Average-cost accounting; see tp_simex.h for the identities it keeps. */
static void book_fill(struct sx_sym *s, uint8_t side, uint32_t px, uint32_t q)
{
	int64_t dq = side == 'B' ? (int64_t)q : -(int64_t)q;
	s->cash -= dq * (int64_t)px;
	if (s->position == 0 || (s->position > 0) == (dq > 0)) {
		s->position += dq;
		s->basis += dq * (int64_t)px;
	} else {
		int64_t held = s->position > 0 ? s->position : -s->position;
		int64_t close = q < held ? (int64_t)q : held;
		/* the closed part takes its share of the cost; the whole of it when all closes */
		int64_t removed = close == held ? s->basis
						: (int64_t)((__int128)s->basis * close / held);
		s->basis -= removed;
		int64_t dir = dq > 0 ? 1 : -1;
		s->position += dir * close;
		int64_t rest = (int64_t)q - close;
		if (rest) {
			s->position += dir * rest;
			s->basis += dir * rest * (int64_t)px;
		}
	}
	s->fills++;
	s->fill_qty += q;
}

static void fill(struct tp_simex *sx, struct sx_sym *s, uint8_t side, uint32_t urn, uint32_t q,
		 uint32_t px)
{
	book_fill(s, side, px, q);
	sx->st.fills++;
	sx->st.fill_qty += q;
	report(sx, 'E', s, side, urn, q, px);
}

/* ---- arrivals ----------------------------------------------------------------------- */

static void arrive_order(struct tp_simex *sx, const struct sx_msg *m)
{
	if (!m->sym) {
		sx->st.rejected++;
		report(sx, 'J', NULL, m->side, m->urn, m->qty, m->price);
		return;
	}
	struct sx_sym *s = &sx->sym[m->sym - 1];
	uint32_t left = m->qty;
	/* Aggressive: take what is shown at the opposite best price. */
	if (m->side == 'B' && s->ask_px && m->price >= s->ask_px && s->ask_qty > s->ask_used) {
		uint64_t avail = s->ask_qty - s->ask_used;
		uint32_t q = avail < left ? (uint32_t)avail : left;
		s->ask_used += q;
		left -= q;
		sx->st.aggressive_fills++;
		fill(sx, s, 'B', m->urn, q, s->ask_px);
	} else if (m->side != 'B' && s->bid_px && m->price <= s->bid_px &&
		   s->bid_qty > s->bid_used) {
		uint64_t avail = s->bid_qty - s->bid_used;
		uint32_t q = avail < left ? (uint32_t)avail : left;
		s->bid_used += q;
		left -= q;
		sx->st.aggressive_fills++;
		fill(sx, s, 'S', m->urn, q, s->bid_px);
	}
	if (!left)
		return;
	if (m->tif == '3') { /* IOC: what did not trade now is cancelled */
		report(sx, 'C', s, m->side, m->urn, left, 0);
		return;
	}
	if (sx->nrest == sx->max_orders) {
		sx->st.rejected++;
		report(sx, 'C', s, m->side, m->urn, left, 0);
		return;
	}
	sx->rest[sx->nrest++] = (struct sx_rest){ .urn = m->urn, .left = left, .price = m->price,
		.side = m->side == 'B' ? 'B' : 'S', .sym = (uint8_t)(m->sym - 1) };
}

static void rest_remove(struct tp_simex *sx, uint32_t k)
{
	memmove(&sx->rest[k], &sx->rest[k + 1], (size_t)(sx->nrest - k - 1) * sizeof(*sx->rest));
	sx->nrest--;
}

static void arrive_cancel(struct tp_simex *sx, const struct sx_msg *m)
{
	for (uint32_t k = 0; k < sx->nrest; k++) {
		struct sx_rest *r = &sx->rest[k];
		if (r->urn != m->urn)
			continue;
		uint32_t keep = m->qty < r->left ? m->qty : r->left;
		uint32_t gone = r->left - keep;
		struct sx_sym *s = &sx->sym[r->sym];
		uint8_t side = r->side;
		r->left = keep;
		if (!keep)
			rest_remove(sx, k);
		if (gone)
			report(sx, 'C', s, side, m->urn, gone, 0);
		return;
	}
	sx->st.cancel_misses++;
}

void tp_simex_advance(struct tp_simex *sx, uint64_t now)
{
	while (sx->fly_n) {
		const struct sx_msg *m = &sx->fly[sx->fly_head];
		if (m->arrive > now)
			break;
		if (m->arrive > sx->now)
			sx->now = m->arrive;
		struct sx_msg cur = *m;
		sx->fly_head = (sx->fly_head + 1) % sx->max_orders;
		sx->fly_n--;
		if (cur.type == 'O')
			arrive_order(sx, &cur);
		else
			arrive_cancel(sx, &cur);
	}
	if (now > sx->now)
		sx->now = now;
}

uint32_t tp_simex_take_orders(struct tp_simex *sx, struct tp_ring *egress)
{
	uint32_t n = 0;
	struct tp_gw_slot slot;
	while (tp_ring_dequeue(egress, &slot) == 0) {
		n++;
		struct tp_ouch_msg m;
		if (slot.len > sizeof(slot.msg) || tp_ouch_decode(slot.msg, slot.len, &m) != 0) {
			sx->st.malformed++;
			continue;
		}
		if (sx->fly_n == sx->max_orders) {
			/* Nowhere to hold it: an order is rejected ('J', so the gateway forgets
			 * it); a cancel is dropped, counted, and its order stays until it fills. */
			sx->st.rejected++;
			if (m.type == 'O')
				report(sx, 'J', NULL, m.u.enter.side, m.u.enter.user_ref_num,
				       m.u.enter.qty, 0);
			continue;
		}
		struct sx_msg *f = &sx->fly[(sx->fly_head + sx->fly_n++) % sx->max_orders];
		f->arrive = slot.ts_ns + sx->latency;
		f->type = m.type;
		if (m.type == 'O') {
			sx->st.orders_in++;
			f->urn = m.u.enter.user_ref_num;
			f->qty = m.u.enter.qty;
			f->price = m.u.enter.price > UINT32_MAX ? UINT32_MAX : (uint32_t)m.u.enter.price;
			f->side = m.u.enter.side;
			f->tif = m.u.enter.tif;
			f->sym = sym_by_name(sx, m.u.enter.symbol);
		} else {
			sx->st.cancels_in++;
			f->urn = m.u.cancel.user_ref_num;
			f->qty = m.u.cancel.qty;
		}
	}
	return n;
}

/* ---- market events ------------------------------------------------------------------ */

static void prints_through(struct tp_simex *sx, uint8_t si, uint32_t px, uint32_t qty)
{
	uint32_t k = 0;
	while (k < sx->nrest && qty) {
		struct sx_rest *r = &sx->rest[k];
		int through = r->sym == si &&
			      (r->side == 'B' ? px < r->price : px > r->price);
		if (!through) {
			k++;
			continue;
		}
		uint32_t q = r->left < qty ? r->left : qty;
		qty -= q;
		r->left -= q;
		uint32_t urn = r->urn, price = r->price;
		uint8_t side = r->side;
		if (!r->left)
			rest_remove(sx, k);
		else
			k++;
		sx->st.passive_fills++;
		fill(sx, &sx->sym[si], side, urn, q, price);
	}
}

void tp_simex_on_event(struct tp_simex *sx, const struct tp_event *ev)
{
	tp_simex_advance(sx, ev->exch_ts_ns);
	uint8_t i = sx->idx1[ev->stock_locate];
	if (!i)
		return;
	struct sx_sym *s = &sx->sym[i - 1];
	int book = 0, print = 0;
	switch (ev->kind) {
	case TP_EV_EXECUTE:
		book = print = 1;
		break;
	case TP_EV_TRADE:
		print = 1;
		break;
	case TP_EV_ADD:
	case TP_EV_CANCEL:
	case TP_EV_DELETE:
	case TP_EV_REPLACE:
		book = 1;
		break;
	default:
		break;
	}
	if (book) {
		/* What we took at a price stays taken while the price stands; a new price is
		 * fresh liquidity. */
		if (ev->bid_px != s->bid_px)
			s->bid_used = 0;
		if (ev->ask_px != s->ask_px)
			s->ask_used = 0;
		s->bid_px = ev->bid_px;
		s->bid_qty = ev->bid_qty;
		s->ask_px = ev->ask_px;
		s->ask_qty = ev->ask_qty;
	}
	if (print && ev->price && ev->qty) {
		s->last_px = ev->price;
		prints_through(sx, (uint8_t)(i - 1), ev->price, ev->qty);
	}
}

uint32_t tp_simex_reports(struct tp_simex *sx, struct tp_exec_report *out, uint32_t max)
{
	uint32_t n = 0;
	while (n < max && sx->rep_n) {
		out[n++] = sx->rep[sx->rep_head];
		sx->rep_head = (sx->rep_head + 1) % sx->rep_cap;
		sx->rep_n--;
	}
	return n;
}

/* ---- views -------------------------------------------------------------------------- */

void tp_simex_stats(const struct tp_simex *sx, struct tp_simex_stats *out) { *out = sx->st; }

static uint32_t mark_of(const struct sx_sym *s)
{
	if (s->bid_px && s->ask_px)
		return (uint32_t)(((uint64_t)s->bid_px + s->ask_px) / 2);
	return s->last_px;
}

static void position_of(const struct sx_sym *s, struct tp_simex_position *o)
{
	o->position = s->position;
	o->cash = s->cash;
	o->basis = s->basis;
	o->realized = s->cash + s->basis;
	o->mark = mark_of(s);
	o->unrealized = s->position * (int64_t)o->mark - s->basis;
	o->fills = s->fills;
	o->fill_qty = s->fill_qty;
}

int tp_simex_position(const struct tp_simex *sx, uint16_t locate, struct tp_simex_position *out)
{
	uint8_t i = sx->idx1[locate];
	if (!i)
		return -1;
	position_of(&sx->sym[i - 1], out);
	return 0;
}

void tp_simex_report(const struct tp_simex *sx, const struct tp_gw *gw, struct tp_bt_report *out)
{
	memset(out, 0, sizeof(*out));
	if (gw) {
		struct tp_gw_stats g;
		tp_gw_stats(gw, &g);
		out->orders_sent = g.orders_sent;
		out->cancels_sent = g.cancels_sent;
		out->blocked_by_halt = g.blocked_by_halt;
		out->rejected = g.rejected;
		memcpy(out->rejected_by, g.rejected_by, sizeof(out->rejected_by));
	}
	out->fills = sx->st.fills;
	out->fill_qty = sx->st.fill_qty;
	for (uint32_t i = 0; i < sx->nsym; i++) {
		const struct sx_sym *s = &sx->sym[i];
		struct tp_simex_position p;
		position_of(s, &p);
		struct tp_bt_symbol *b = &out->sym[out->nsymbols++];
		b->locate = s->locate;
		memcpy(b->symbol, s->name, TP_OUCH_SYMBOL_LEN);
		for (int k = TP_OUCH_SYMBOL_LEN; k > 0 && b->symbol[k - 1] == ' '; k--)
			b->symbol[k - 1] = '\0';
		b->symbol[8] = '\0';
		b->position = p.position;
		b->cash = p.cash;
		b->realized = p.realized;
		b->unrealized = p.unrealized;
		b->fills = p.fills;
		b->fill_qty = p.fill_qty;
		b->mark = p.mark;
		out->cash += p.cash;
		out->realized += p.realized;
		out->unrealized += p.unrealized;
	}
	out->pnl = out->realized + out->unrealized;
}
