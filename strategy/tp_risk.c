/* Pre-trade risk guard: the checks, the windows and escalation. See tp_risk.h. */
#include "tp_risk.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DUP_LIVE 4096u  /* orders remembered at once for duplicate detection */
#define DUP_CAP 8192u   /* their hash table: load factor <= 0.5 */
_Static_assert((DUP_LIVE & (DUP_LIVE - 1)) == 0, "DUP_LIVE: a power of two");

/* Per-symbol state: one cache line, all 65536 allocated at create. */
struct risk_sym {
	uint32_t bid_px, ask_px;    /* BBO after the last book update; 0 = side empty */
	uint32_t last_px;           /* last execution or trade print */
	uint32_t ref_px;            /* configured reference price */
	uint64_t last_update_ns;    /* market time of the last book update */
	int64_t position;           /* filled shares, long > 0 */
	uint64_t working_buy;       /* shares in working buy orders */
	uint64_t working_sell;
	uint8_t seen;               /* any book update yet */
	uint8_t stale;              /* the feed flagged the book stale */
} __attribute__((aligned(64)));

/* A sliding window of the last `cap` timestamps (the oldest is at `head` once full). */
struct tswin {
	uint64_t *ts;
	uint32_t cap, n, head;
};

/* Duplicate detection keeps exactly the orders sent within the window: a FIFO in send
 * order (so expiry is a pop from its head) and a hash of the same entries (so a check is a
 * short probe that stops at the first empty slot: expired entries are really deleted). */
struct dup_entry {
	uint64_t key;    /* locate | side | price packed, bit 63 set; 0 = empty */
	uint32_t qty;
	uint32_t pad;
};

struct dup_sent {
	uint64_t key;
	uint64_t ts;     /* when it was sent */
	uint32_t qty;
	uint32_t pad;
};

struct tp_risk {
	struct tp_risk_limits lim;
	struct tp_ks_halter *halter;
	struct risk_sym *sym;
	struct tswin rate, fills;
	struct tswin esc[TP_RISK_R_COUNT];
	struct dup_entry *dup;
	struct dup_sent *sent;      /* FIFO of DUP_LIVE */
	uint32_t sent_head, sent_n;
	uint64_t gross_working;     /* notional of all working orders */
	uint64_t gross_filled;      /* notional of all fills */
	struct tp_risk_stats st;
};

/* ---- windows ------------------------------------------------------------------------ */

static void win_push(struct tswin *w, uint64_t t)
{
	if (w->cap == 0)
		return;
	/* conditional wrap instead of %: cap is not a power of two and this is per order */
	if (w->n < w->cap) {
		uint32_t i = w->head + w->n;
		w->ts[i >= w->cap ? i - w->cap : i] = t;
		w->n++;
	} else {
		w->ts[w->head] = t;
		if (++w->head == w->cap)
			w->head = 0;
	}
}

/* Would one more event at `now` make more than `cap` events inside (now - window, now]?
 * Only when the window is full and its oldest entry is still inside. */
static int win_full_at(const struct tswin *w, uint64_t now, uint64_t window)
{
	if (w->n < w->cap)
		return 0;
	uint64_t oldest = w->ts[w->head];
	return now < oldest || now - oldest < window;
}

static int win_alloc(struct tswin *w, uint32_t cap)
{
	w->cap = cap;
	w->n = w->head = 0;
	w->ts = cap ? calloc(cap, sizeof(*w->ts)) : NULL;
	return cap && !w->ts ? -1 : 0;
}

/* ---- create ------------------------------------------------------------------------- */

static void rerr(char *err, unsigned errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void rerr(char *err, unsigned errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

void tp_risk_limits_init(struct tp_risk_limits *lim) { memset(lim, 0, sizeof(*lim)); }

struct tp_risk *tp_risk_create(const struct tp_risk_limits *lim, struct tp_ks_halter *halter,
			       char *err, unsigned errlen)
{
	if ((lim->set & TP_RISK_L_COLLAR) && lim->collar_bps > 10000) {
		rerr(err, errlen, "collar_bps %u > 10000", lim->collar_bps);
		return NULL;
	}
	if ((lim->set & TP_RISK_L_RATE) &&
	    (lim->rate_max_orders == 0 || lim->rate_max_orders > TP_RISK_MAX_RATE ||
	     lim->rate_window_ns == 0)) {
		rerr(err, errlen, "rate limit needs 1..%u orders and a window", TP_RISK_MAX_RATE);
		return NULL;
	}
	if ((lim->set & TP_RISK_L_REPEATED_EXEC) &&
	    (lim->max_fills >= TP_RISK_MAX_FILLS || lim->fills_window_ns == 0)) {
		rerr(err, errlen, "repeated-execution limit needs 0..%u fills and a window",
		     TP_RISK_MAX_FILLS - 1);
		return NULL;
	}
	for (unsigned i = 0; i < TP_RISK_R_COUNT; i++)
		if (lim->escalate[i].count > TP_RISK_MAX_ESCALATE ||
		    (lim->escalate[i].count && !lim->escalate[i].window_ns)) {
			rerr(err, errlen, "escalation of %s: count 0..%u with a window",
			     tp_risk_reason_name((enum tp_risk_reason)i), TP_RISK_MAX_ESCALATE);
			return NULL;
		}
	if (lim->escalate[TP_RISK_OK].count) {
		rerr(err, errlen, "cannot escalate accepted orders");
		return NULL;
	}

	struct tp_risk *r = calloc(1, sizeof(*r));
	if (!r) {
		rerr(err, errlen, "out of memory");
		return NULL;
	}
	r->lim = *lim;
	r->halter = halter;
	r->sym = aligned_alloc(64, 65536 * sizeof(*r->sym));
	r->dup = calloc(DUP_CAP, sizeof(*r->dup));
	r->sent = calloc(DUP_LIVE, sizeof(*r->sent));
	int bad = !r->sym || !r->dup || !r->sent;
	bad |= win_alloc(&r->rate, (lim->set & TP_RISK_L_RATE) ? lim->rate_max_orders : 0);
	/* max_fills fills are allowed in a window, so remember max_fills + 1 to see the next */
	bad |= win_alloc(&r->fills, (lim->set & TP_RISK_L_REPEATED_EXEC) ? lim->max_fills + 1 : 0);
	for (unsigned i = 0; i < TP_RISK_R_COUNT; i++)
		bad |= win_alloc(&r->esc[i], lim->escalate[i].count);
	if (bad) {
		tp_risk_free(r);
		rerr(err, errlen, "out of memory");
		return NULL;
	}
	memset(r->sym, 0, 65536 * sizeof(*r->sym));
	return r;
}

void tp_risk_free(struct tp_risk *r)
{
	if (!r)
		return;
	free(r->sym);
	free(r->dup);
	free(r->sent);
	free(r->rate.ts);
	free(r->fills.ts);
	for (unsigned i = 0; i < TP_RISK_R_COUNT; i++)
		free(r->esc[i].ts);
	free(r);
}

/* ---- market data -------------------------------------------------------------------- */

void tp_risk_on_event(struct tp_risk *r, const struct tp_event *ev)
{
	struct risk_sym *s = &r->sym[ev->stock_locate];
	int book = 0;
	switch (ev->kind) {
	case TP_EV_TRADE:
		if (ev->price)
			s->last_px = ev->price;
		break;
	case TP_EV_EXECUTE: /* a print that also changes the book */
		if (ev->price)
			s->last_px = ev->price;
		book = 1;
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
		s->bid_px = ev->bid_px;
		s->ask_px = ev->ask_px;
		s->last_update_ns = ev->exch_ts_ns;
		s->seen = 1;
		s->stale = (ev->flags & TP_EVF_BOOK_STALE) != 0;
	}
}

void tp_risk_set_ref_price(struct tp_risk *r, uint16_t locate, uint32_t price)
{
	r->sym[locate].ref_px = price;
}

/* ---- escalation and internal errors ------------------------------------------------- */

static void risk_halt(struct tp_risk *r, int symbol_scope, uint16_t locate, uint16_t reason,
		      const char *who, uint64_t now)
{
	if (r->halter)
		tp_ks_halter_halt(r->halter, symbol_scope ? TP_KS_SYMBOL : TP_KS_GLOBAL, locate,
				  reason, who, now);
}

void tp_risk_internal_error(struct tp_risk *r, const char *who, uint64_t now_ns)
{
	r->st.internal_errors++;
	risk_halt(r, 0, 0, TP_KS_R_INTERNAL, who, now_ns);
}

static enum tp_risk_reason risk_reject(struct tp_risk *r, enum tp_risk_reason why,
				       const struct tp_order *o, uint64_t now)
{
	r->st.rejects[why]++;
	const struct tp_risk_escalation *e = &r->lim.escalate[why];
	if (e->count) {
		struct tswin *w = &r->esc[why];
		win_push(w, now);
		/* count rejects inside (now - window, now]: the window is full and its oldest
		 * is still inside */
		if (w->n == w->cap) {
			uint64_t oldest = w->ts[w->head];
			if (now >= oldest && now - oldest < e->window_ns) {
				r->st.escalations++;
				risk_halt(r, r->lim.escalate_symbol_scope, o->locate, TP_KS_R_RISK,
					  "risk", now);
				w->n = w->head = 0; /* the next escalation needs N fresh rejects */
			}
		}
	}
	return why;
}

/* ---- duplicates --------------------------------------------------------------------- */

static uint64_t dup_key(const struct tp_order *o)
{
	/* price in the low 32 bits, locate and side above: unique for a symbol/side/price;
	 * bit 63 keeps a real key nonzero. */
	return (1ull << 63) | ((uint64_t)o->locate << 40) | ((uint64_t)(o->side == 'S') << 32) |
	       o->price;
}

static uint32_t dup_home(uint64_t key, uint32_t qty)
{
	uint64_t h = (key ^ ((uint64_t)qty << 20)) * 0x9E3779B97F4A7C15ull;
	return (uint32_t)(h >> 40) & (DUP_CAP - 1);
}

static uint32_t dup_find(const struct tp_risk *r, uint64_t key, uint32_t qty)
{
	for (uint32_t k = dup_home(key, qty);; k = (k + 1) & (DUP_CAP - 1)) {
		const struct dup_entry *e = &r->dup[k];
		if (!e->key || (e->key == key && e->qty == qty))
			return k;
	}
}

/* Deletion by backward shift, so probes never meet tombstones. */
static void dup_delete(struct tp_risk *r, uint32_t i)
{
	const uint32_t m = DUP_CAP - 1;
	for (uint32_t j = i;;) {
		j = (j + 1) & m;
		if (!r->dup[j].key)
			break;
		uint32_t h = dup_home(r->dup[j].key, r->dup[j].qty);
		if (((j - h) & m) < ((j - i) & m))
			continue; /* its home lies in (i, j]: it stays */
		r->dup[i] = r->dup[j];
		i = j;
	}
	r->dup[i].key = 0;
}

/* Forgets the orders sent a whole window or more before now. */
static void dup_expire(struct tp_risk *r, uint64_t now)
{
	uint64_t win = r->lim.dup_window_ns;
	while (r->sent_n) {
		const struct dup_sent *d = &r->sent[r->sent_head];
		if (now < d->ts || now - d->ts < win)
			break;
		uint32_t k = dup_find(r, d->key, d->qty);
		if (r->dup[k].key)
			dup_delete(r, k);
		r->sent_head = (r->sent_head + 1) & (DUP_LIVE - 1);
		r->sent_n--;
	}
}

/* ---- the check ---------------------------------------------------------------------- */

enum tp_risk_reason tp_risk_check(struct tp_risk *r, const struct tp_order *o, uint64_t now)
{
	const struct tp_risk_limits *L = &r->lim;
	r->st.checked++;
	if ((o->side != 'B' && o->side != 'S') || o->qty == 0 || o->price == 0)
		return risk_reject(r, TP_RISK_R_BAD_ORDER, o, now);
	/* Every order meets every limit, so any unset limit rejects every order. */
	if ((L->set & TP_RISK_L_ALL) != TP_RISK_L_ALL)
		return risk_reject(r, TP_RISK_R_UNCONFIGURED, o, now);

	const struct risk_sym *s = &r->sym[o->locate];
	uint64_t age = now > s->last_update_ns ? now - s->last_update_ns : 0;
	if (!s->seen || s->stale || age > L->stale_ns)
		return risk_reject(r, TP_RISK_R_STALE_DATA, o, now);

	if (o->qty > L->max_order_qty)
		return risk_reject(r, TP_RISK_R_MAX_QTY, o, now);
	uint64_t notional = (uint64_t)o->price * o->qty;
	if (notional > L->max_order_notional)
		return risk_reject(r, TP_RISK_R_MAX_NOTIONAL, o, now);

	/* Collar: how far an order may reach through the market. Integer-exact: price * 10^4
	 * against ref * (10^4 +- bps), all below 2^64 (2^32 * 2^15). */
	uint64_t ref = o->side == 'B' ? s->ask_px : s->bid_px;
	if (!ref)
		ref = s->last_px ? s->last_px : s->ref_px;
	if (!ref)
		return risk_reject(r, TP_RISK_R_NO_REFERENCE, o, now);
	if (o->side == 'B' ? (uint64_t)o->price * 10000u > ref * (10000u + L->collar_bps)
			   : (uint64_t)o->price * 10000u < ref * (10000u - L->collar_bps))
		return risk_reject(r, TP_RISK_R_PRICE_COLLAR, o, now);

	/* Position as if every working order on the same side filled. */
	if (o->side == 'B') {
		int64_t worst = s->position + (int64_t)s->working_buy + (int64_t)o->qty;
		if (worst > (int64_t)L->max_position)
			return risk_reject(r, TP_RISK_R_POSITION, o, now);
	} else {
		int64_t worst = s->position - (int64_t)s->working_sell - (int64_t)o->qty;
		if (worst < -(int64_t)L->max_position)
			return risk_reject(r, TP_RISK_R_POSITION, o, now);
	}

	uint64_t used = r->gross_working + r->gross_filled;
	if (used < r->gross_working) /* wrapped: cannot happen below 2^64 notional */
		used = UINT64_MAX;
	if (used > L->max_gross_notional || notional > L->max_gross_notional - used)
		return risk_reject(r, TP_RISK_R_CREDIT, o, now);

	dup_expire(r, now);
	if (r->dup[dup_find(r, dup_key(o), o->qty)].key)
		return risk_reject(r, TP_RISK_R_DUPLICATE, o, now);
	if (r->sent_n == DUP_LIVE)
		return risk_reject(r, TP_RISK_R_CAPACITY, o, now);

	if (win_full_at(&r->rate, now, L->rate_window_ns))
		return risk_reject(r, TP_RISK_R_RATE, o, now);
	if (win_full_at(&r->fills, now, L->fills_window_ns))
		return risk_reject(r, TP_RISK_R_REPEATED_EXEC, o, now);
	return TP_RISK_OK;
}

void tp_risk_commit(struct tp_risk *r, const struct tp_order *o, uint64_t now)
{
	struct risk_sym *s = &r->sym[o->locate];
	r->st.accepted++;
	if (o->side == 'B')
		s->working_buy += o->qty;
	else
		s->working_sell += o->qty;
	r->gross_working += (uint64_t)o->price * o->qty;
	win_push(&r->rate, now);
	dup_expire(r, now);
	uint64_t key = dup_key(o);
	uint32_t k = dup_find(r, key, o->qty);
	if (!r->dup[k].key && r->sent_n < DUP_LIVE) {
		r->dup[k].key = key;
		r->dup[k].qty = o->qty;
		r->sent[(r->sent_head + r->sent_n++) & (DUP_LIVE - 1)] =
			(struct dup_sent){ .key = key, .ts = now, .qty = o->qty };
	}
}

/* ---- lifecycle ---------------------------------------------------------------------- */

/* Removes qty from a side's working count; on more than is working, clamps, and halts. */
static int take_working(struct tp_risk *r, struct risk_sym *s, uint8_t side, uint32_t price,
			uint32_t qty, uint64_t now)
{
	uint64_t *w = side == 'B' ? &s->working_buy : &s->working_sell;
	uint64_t n = (uint64_t)price * qty;
	int rc = 0;
	if ((side != 'B' && side != 'S') || *w < qty || r->gross_working < n) {
		tp_risk_internal_error(r, "risk:working<0", now);
		rc = -1;
	}
	*w = *w < qty ? 0 : *w - qty;
	r->gross_working = r->gross_working < n ? 0 : r->gross_working - n;
	return rc;
}

int tp_risk_on_cancel(struct tp_risk *r, uint16_t locate, uint8_t side, uint32_t price,
		      uint32_t qty, uint64_t now_ns)
{
	return take_working(r, &r->sym[locate], side, price, qty, now_ns);
}

int tp_risk_on_fill(struct tp_risk *r, uint16_t locate, uint8_t side, uint32_t price,
		    uint32_t exec_price, uint32_t qty, uint64_t now)
{
	struct risk_sym *s = &r->sym[locate];
	int rc = take_working(r, s, side, price, qty, now);
	s->position += side == 'B' ? (int64_t)qty : -(int64_t)qty;
	uint64_t n = (uint64_t)exec_price * qty;
	if (r->gross_filled + n < r->gross_filled) {
		tp_risk_internal_error(r, "risk:credit-overflow", now);
		rc = -1;
		r->gross_filled = UINT64_MAX;
	} else {
		r->gross_filled += n;
	}
	r->st.fills++;
	win_push(&r->fills, now);
	return rc;
}

/* ---- views -------------------------------------------------------------------------- */

void tp_risk_stats(const struct tp_risk *r, struct tp_risk_stats *out)
{
	*out = r->st;
	out->gross_used = r->gross_working + r->gross_filled;
}

int64_t tp_risk_position(const struct tp_risk *r, uint16_t locate)
{
	return r->sym[locate].position;
}

uint64_t tp_risk_working(const struct tp_risk *r, uint16_t locate, uint8_t side)
{
	return side == 'B' ? r->sym[locate].working_buy : r->sym[locate].working_sell;
}

const char *tp_risk_reason_name(enum tp_risk_reason why)
{
	static const char *const names[TP_RISK_R_COUNT] = {
		[TP_RISK_OK] = "ok",
		[TP_RISK_R_BAD_ORDER] = "bad-order",
		[TP_RISK_R_UNCONFIGURED] = "unconfigured",
		[TP_RISK_R_STALE_DATA] = "stale-data",
		[TP_RISK_R_MAX_QTY] = "max-qty",
		[TP_RISK_R_MAX_NOTIONAL] = "max-notional",
		[TP_RISK_R_PRICE_COLLAR] = "price-collar",
		[TP_RISK_R_NO_REFERENCE] = "no-reference",
		[TP_RISK_R_POSITION] = "position",
		[TP_RISK_R_CREDIT] = "credit",
		[TP_RISK_R_DUPLICATE] = "duplicate",
		[TP_RISK_R_RATE] = "rate",
		[TP_RISK_R_REPEATED_EXEC] = "repeated-exec",
		[TP_RISK_R_CAPACITY] = "capacity",
		[TP_RISK_R_INTERNAL] = "internal",
	};
	return (unsigned)why < TP_RISK_R_COUNT ? names[why] : "unknown";
}
