/* The CEP engine: group state, bucketed windows and their aggregates, the per-event
 * evaluation of every rule, and the way a firing becomes an alert record or a halt.
 *
 * Layout. Each group (a symbol, a feed, or the single global group) owns one block holding
 * the state of every rule grouped that way, back to back: one event of a stock touches one
 * contiguous block, a few lines for the usual half-dozen rules. Window states come first,
 * each starting on a cache line (a 64-byte header, then the B bucket cells), the small
 * timer and gate states after them. All blocks are carved from one allocation made and
 * pre-faulted at create, so the first event of a stock costs a slot number, not a page
 * fault.
 *
 * The event path walks, per group kind, only the rules that selected the event's kind (lists
 * built at create), then per rule: feed filter, update, compare. Everything rarer (a bucket
 * expiring, a comparison that holds, a crossed book, a silence scan) sits behind one
 * predictable branch. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_cep.h"
#include "tp_hugemem.h"

__extension__ typedef unsigned __int128 u128;

#define ANY_FEED 0x10000u
#define NKINDS (TP_EV_GAP + 1) /* event kinds a rule can select */
#define WHO_LEN 32 /* the kill-switch's audit `who` (TP_KS_WHO_LEN) */

/* Rate limit and halt memory of one rule for one group. */
struct gate {
	uint64_t next_alert_ns; /* alerts before this exchange time are suppressed */
	uint8_t halted;         /* this rule halted this scope; re-armed once it is resumed */
	uint8_t pad[7];
};

/* A window's header; the bucket cells follow it. One cache line. */
struct win {
	uint64_t b_idx;  /* bucket number (ts / bucket_ns) of the newest bucket */
	uint64_t b_end;  /* exclusive end of the newest bucket; 0 = never used */
	uint64_t live;   /* bit per bucket slot holding at least one event */
	uint64_t total;  /* count, sum of qty, or VWAP's sum of qty */
	union {
		u128 pv; /* VWAP: sum of price * qty */
		struct {
			uint32_t first, last, ext, pad;
		} px;
	} u;
	struct gate gate;
};
_Static_assert(sizeof(struct win) == 64, "a window header is one cache line");

struct vwap_cell {
	u128 pv;
	uint64_t qty;
	uint64_t pad;
};

struct crossed {
	uint64_t since_ns; /* exchange time the book became crossed */
	uint64_t last_seq; /* seq of the latest event that saw it crossed */
	uint16_t feed;
	uint8_t crossed;
	uint8_t pad[5];
	struct gate gate;
};

enum { SILENT_UNSEEN = 0, SILENT_ACTIVE, SILENT_FIRED };
struct silent {
	uint64_t last_ns; /* exchange time of the feed's latest event */
	uint8_t state;
	uint8_t pad[7];
	struct gate gate;
};

struct plain {
	struct gate gate;
};

struct rule {
	/* Read on every event the rule sees. */
	uint32_t events;        /* TP_CEP_EV bits */
	uint32_t feed;          /* feed_id to match, or ANY_FEED */
	uint8_t kind, action, agg, op, price, skip_stale, locked, group;
	uint32_t off;           /* state offset in its group's block */
	uint32_t nb;            /* buckets (power of two) */
	uint64_t bmask;         /* nb - 1 */
	uint64_t full;          /* live bits of all nb buckets */
	uint64_t bucket_ns;
	uint64_t thr;           /* threshold (>= 0) */
	uint64_t duration_ns;
	/* Rarer. */
	uint64_t open_ns, close_ns, alert_interval_ns;
	uint64_t next_check;    /* feed_silent: no feed can be silent while now <= this */
	uint32_t ncrossed;      /* crossed_book: groups crossed now */
	uint16_t id, reason;
	int64_t report_thr;     /* threshold as the alert shows it */
	struct gate all_gate;   /* halt_all: one halt per rule until resumed */
	uint64_t fired, halts, halt_errors, suppressed;
	char name[TP_CEP_NAME_MAX];
	char who[WHO_LEN];
};

struct tp_cep {
	uint64_t now;
	struct rule *rules;
	unsigned nrules;
	/* Rule indexes by where their state lives (layout) and by what scans them. */
	uint8_t sym_r[TP_CEP_MAX_RULES], feed_r[TP_CEP_MAX_RULES], all_r[TP_CEP_MAX_RULES];
	uint8_t silent_r[TP_CEP_MAX_RULES], crossed_r[TP_CEP_MAX_RULES], over_r[TP_CEP_MAX_RULES];
	unsigned nsym_r, nfeed_r, nall_r, nsilent_r, ncrossed_r, nover_r;
	/* The same per event kind, so an event walks only the rules that want it:
	 * [group kind: symbol, feed, all][event kind][i]. */
	uint8_t by_kind[3][NKINDS][TP_CEP_MAX_RULES];
	uint8_t nby_kind[3][NKINDS];

	uint16_t *sym_slot;     /* locate -> slot + 1; 0 = none yet */
	uint16_t *sym_locate;   /* slot -> locate */
	uint8_t *sym_blocks;
	size_t sym_stride;
	uint32_t nsym, max_sym;

	uint8_t *feed_slot;     /* feed_id -> slot + 1 */
	uint16_t feed_id_of[TP_CEP_MAX_FEEDS];
	uint8_t *feed_blocks;
	size_t feed_stride;
	uint32_t nfeed;

	uint8_t *all_block;

	struct tp_cep_alert *alerts;
	uint32_t a_head, a_tail;

	struct tp_ks_halter *halter;
	const struct tp_ks_words *kw;
	struct tp_cep_stats st;
	struct tp_hugemem mem;
};

/* ---- small helpers ---- */

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t s = a + b;
	return s < a ? UINT64_MAX : s;
}

static inline int cmp_u128(u128 a, int op, u128 b)
{
	switch (op) {
	case TP_CEP_GT: return a > b;
	case TP_CEP_GE: return a >= b;
	case TP_CEP_LT: return a < b;
	default: return a <= b;
	}
}

static inline int cmp_u64(uint64_t a, int op, uint64_t b)
{
	switch (op) {
	case TP_CEP_GT: return a > b;
	case TP_CEP_GE: return a >= b;
	case TP_CEP_LT: return a < b;
	default: return a <= b;
	}
}

/* Rotations within the low n bits (n a power of two, 1..64; s < n). */
static inline uint64_t rotl_n(uint64_t x, unsigned s, unsigned n, uint64_t full)
{
	return s ? ((x << s) | (x >> (n - s))) & full : x & full;
}

static inline uint64_t rotr_n(uint64_t x, unsigned s, unsigned n, uint64_t full)
{
	return s ? ((x >> s) | (x << (n - s))) & full : x & full;
}

static int is_window_kind(int kind)
{
	return kind == TP_CEP_WINDOW || kind == TP_CEP_PRICE_MOVE || kind == TP_CEP_MSG_RATE;
}

static size_t cell_size(int agg)
{
	switch (agg) {
	case TP_CEP_SUM_QTY: return sizeof(uint64_t);
	case TP_CEP_VWAP: return sizeof(struct vwap_cell);
	case TP_CEP_LAST: return 0;
	default: return sizeof(uint32_t);
	}
}

static size_t state_size(const struct rule *r)
{
	switch (r->kind) {
	case TP_CEP_CROSSED_BOOK: return sizeof(struct crossed);
	case TP_CEP_FEED_SILENT: return sizeof(struct silent);
	case TP_CEP_SEQ_GAP:
	case TP_CEP_OVERFLOW: return sizeof(struct plain);
	default: /* windows start on a line so the header never straddles two */
		return (sizeof(struct win) + r->nb * cell_size(r->agg) + 63) & ~(size_t)63;
	}
}

/* ---- firing ---- */

static void push_alert(struct tp_cep *c, const struct rule *r, uint16_t locate, uint16_t feed,
		       uint64_t ts, uint64_t seq, double value)
{
	if (c->a_tail - c->a_head >= TP_CEP_ALERT_CAP) {
		c->st.alerts_dropped++;
		return;
	}
	struct tp_cep_alert *a = &c->alerts[c->a_tail & (TP_CEP_ALERT_CAP - 1)];
	a->exch_ts_ns = ts;
	a->seq = seq;
	a->value = value;
	a->threshold = r->report_thr;
	a->rule_id = r->id;
	a->locate = locate;
	a->feed_id = feed;
	a->kind = r->kind;
	a->action = r->action;
	a->op = r->op;
	memset(a->reserved, 0, sizeof(a->reserved));
	memcpy(a->rule, r->name, sizeof(a->rule));
	c->a_tail++;
	c->st.alerts++;
}

static void halt(struct tp_cep *c, struct rule *r, struct gate *g, enum tp_ks_scope scope,
		 uint16_t locate, uint64_t ts)
{
	int rc = tp_ks_halter_halt(c->halter, scope, locate, r->reason, r->who, ts);
	r->halts++;
	if (rc < 0)
		r->halt_errors++; /* not marked: the next breach tries again */
	else
		g->halted = 1;
}

/* The comparison held: alert or halt, through the rule's gate. Returns 1 when something
 * was recorded, 0 when the gate held it back. */
static unsigned fire(struct tp_cep *c, struct rule *r, struct gate *g, uint16_t locate,
		     uint16_t feed, uint64_t ts, uint64_t seq, double value)
{
	switch (r->action) {
	case TP_CEP_ALERT:
		if (ts < g->next_alert_ns) {
			r->suppressed++;
			return 0;
		}
		g->next_alert_ns = sat_add(ts, r->alert_interval_ns);
		break;
	case TP_CEP_HALT_SYMBOL:
		/* Still halted since this rule halted it: nothing to add. Resumed: re-armed. */
		if (g->halted &&
		    tp_ks_word_halted(tp_ks_words_load(c->kw, TP_KS_SYMBOL, locate))) {
			r->suppressed++;
			return 0;
		}
		halt(c, r, g, TP_KS_SYMBOL, locate, ts);
		break;
	default: /* TP_CEP_HALT_ALL: one gate per rule, whatever group breached */
		g = &r->all_gate;
		if (g->halted && tp_ks_word_halted(tp_ks_words_load(c->kw, TP_KS_GLOBAL, 0))) {
			r->suppressed++;
			return 0;
		}
		halt(c, r, g, TP_KS_GLOBAL, 0, ts);
		break;
	}
	push_alert(c, r, locate, feed, ts, seq, value);
	r->fired++;
	return 1;
}

/* ---- windows ---- */

static void win_reset(struct win *w)
{
	w->live = 0;
	w->total = 0;
	w->u.pv = 0;
}

/* First price of the oldest live bucket. The ring's oldest position after the newest bucket
 * `b_idx` is b_idx + 1; the first live slot from there on is the oldest. */
static uint32_t oldest_first(const struct rule *r, const struct win *w, const uint32_t *cell)
{
	unsigned s0 = (unsigned)((w->b_idx + 1) & r->bmask);
	uint64_t rot = rotr_n(w->live, s0, r->nb, r->full);
	unsigned slot = (unsigned)((s0 + (unsigned)__builtin_ctzll(rot)) & r->bmask);
	return cell[slot];
}

static uint32_t live_extreme(const struct rule *r, const struct win *w, const uint32_t *cell)
{
	uint64_t m = w->live;
	uint32_t x = cell[__builtin_ctzll(m)];
	for (m &= m - 1; m; m &= m - 1) {
		uint32_t v = cell[__builtin_ctzll(m)];
		if (r->agg == TP_CEP_MIN ? v < x : v > x)
			x = v;
	}
	return x;
}

/* Moves the newest bucket to the one holding t, expiring the buckets passed over. */
static void win_advance(const struct rule *r, struct win *w, uint64_t t)
{
	uint64_t nb = t / r->bucket_ns; /* once per bucket change, not per event */
	uint64_t d = nb - w->b_idx;
	uint8_t *cells = (uint8_t *)(w + 1);
	if (w->b_end == 0 || d >= r->nb) {
		win_reset(w);
	} else {
		/* Slots b_idx+1 .. b_idx+d (mod nb) are reused: whatever they hold is older than
		 * the window now. d < nb <= 64, so the shift is defined. */
		unsigned s = (unsigned)((w->b_idx + 1) & r->bmask);
		uint64_t gone = w->live & rotl_n((1ull << d) - 1, s, r->nb, r->full);
		if (gone) {
			w->live &= ~gone;
			switch (r->agg) {
			case TP_CEP_COUNT:
				for (uint64_t m = gone; m; m &= m - 1)
					w->total -= ((uint32_t *)cells)[__builtin_ctzll(m)];
				break;
			case TP_CEP_SUM_QTY:
				for (uint64_t m = gone; m; m &= m - 1)
					w->total -= ((uint64_t *)cells)[__builtin_ctzll(m)];
				break;
			case TP_CEP_VWAP:
				for (uint64_t m = gone; m; m &= m - 1) {
					const struct vwap_cell *vc =
						&((struct vwap_cell *)cells)[__builtin_ctzll(m)];
					w->total -= vc->qty;
					w->u.pv -= vc->pv;
				}
				break;
			default:
				break;
			}
			w->b_idx = nb;
			if (w->live) {
				if (r->agg == TP_CEP_FIRST || r->agg == TP_CEP_MOVE_BPS)
					w->u.px.first = oldest_first(r, w, (uint32_t *)cells);
				else if (r->agg == TP_CEP_MIN || r->agg == TP_CEP_MAX)
					w->u.px.ext = live_extreme(r, w, (uint32_t *)cells);
			} else {
				win_reset(w);
			}
		}
	}
	w->b_idx = nb;
	uint64_t start = nb * r->bucket_ns;
	w->b_end = sat_add(start, r->bucket_ns);
}

/* The aggregate as a number, for alerts and tp_cep_value. -1 when there is none. */
static int win_value(const struct rule *r, const struct win *w, double *out)
{
	if (!w->live)
		return -1;
	switch (r->agg) {
	case TP_CEP_COUNT:
	case TP_CEP_SUM_QTY: *out = (double)w->total; return 0;
	case TP_CEP_FIRST: *out = w->u.px.first; return 0;
	case TP_CEP_LAST: *out = w->u.px.last; return 0;
	case TP_CEP_MIN:
	case TP_CEP_MAX: *out = w->u.px.ext; return 0;
	case TP_CEP_VWAP:
		if (!w->total)
			return -1;
		*out = (double)w->u.pv / (double)w->total;
		return 0;
	default: { /* move_bps */
		uint32_t f = w->u.px.first, l = w->u.px.last;
		*out = (double)(l > f ? l - f : f - l) * 10000.0 / (double)f;
		return 0;
	}
	}
}

static unsigned win_event(struct tp_cep *c, struct rule *r, struct win *w,
			  const struct tp_event *ev, uint64_t t)
{
	uint32_t v = 0;
	if (r->price) {
		if (r->price == TP_CEP_PX_MID) {
			if (!ev->bid_px || !ev->ask_px)
				return 0;
			v = (uint32_t)(((uint64_t)ev->bid_px + ev->ask_px) >> 1);
		} else {
			v = ev->price; /* trade: the kind filter kept executions and trades only */
		}
		if (!v)
			return 0;
	}
	if (__builtin_expect(t >= w->b_end, 0))
		win_advance(r, w, t);
	else if (__builtin_expect(t < w->b_end - r->bucket_ns, 0))
		c->st.late++; /* kept in the newest bucket: the window never moves back */

	unsigned slot = (unsigned)(w->b_idx & r->bmask);
	uint64_t bit = 1ull << slot;
	int fresh = !(w->live & bit), empty = !w->live;
	w->live |= bit;
	uint8_t *cells = (uint8_t *)(w + 1);
	u128 lhs, rhs;
	switch (r->agg) {
	case TP_CEP_COUNT: {
		uint32_t *x = (uint32_t *)cells + slot;
		*x = fresh ? 1 : *x + 1;
		w->total++;
		lhs = w->total;
		rhs = r->thr;
		break;
	}
	case TP_CEP_SUM_QTY: {
		uint64_t *x = (uint64_t *)cells + slot;
		*x = fresh ? ev->qty : *x + ev->qty;
		w->total += ev->qty;
		lhs = w->total;
		rhs = r->thr;
		break;
	}
	case TP_CEP_FIRST:
	case TP_CEP_MOVE_BPS: {
		uint32_t *x = (uint32_t *)cells + slot;
		if (fresh)
			*x = v;
		if (empty)
			w->u.px.first = v;
		w->u.px.last = v;
		if (r->agg == TP_CEP_FIRST) {
			lhs = w->u.px.first;
			rhs = r->thr;
		} else {
			/* |last - first| / first * 10000 OP thr, cross-multiplied: exact. */
			uint32_t f = w->u.px.first;
			lhs = (u128)(v > f ? v - f : f - v) * 10000u;
			rhs = (u128)r->thr * f;
		}
		break;
	}
	case TP_CEP_LAST:
		w->u.px.last = v;
		lhs = v;
		rhs = r->thr;
		break;
	case TP_CEP_MIN:
	case TP_CEP_MAX: {
		uint32_t *x = (uint32_t *)cells + slot;
		int lo = r->agg == TP_CEP_MIN;
		if (fresh || (lo ? v < *x : v > *x))
			*x = v;
		if (empty || (lo ? v < w->u.px.ext : v > w->u.px.ext))
			w->u.px.ext = v;
		lhs = w->u.px.ext;
		rhs = r->thr;
		break;
	}
	default: { /* VWAP: sum(p*q) / sum(q) OP thr, cross-multiplied */
		struct vwap_cell *x = (struct vwap_cell *)cells + slot;
		u128 pv = (u128)v * ev->qty;
		if (fresh) {
			x->pv = pv;
			x->qty = ev->qty;
		} else {
			x->pv += pv;
			x->qty += ev->qty;
		}
		w->u.pv += pv;
		w->total += ev->qty;
		if (!w->total)
			return 0;
		lhs = w->u.pv;
		rhs = (u128)r->thr * w->total;
		break;
	}
	}
	if (__builtin_expect(!cmp_u128(lhs, r->op, rhs), 1))
		return 0;
	double val = 0;
	win_value(r, w, &val);
	return fire(c, r, &w->gate, ev->stock_locate, ev->feed_id, t, ev->seq, val);
}

/* ---- crossed book ---- */

static unsigned crossed_event(struct tp_cep *c, struct rule *r, struct crossed *s,
			      const struct tp_event *ev, uint64_t t)
{
	uint32_t b = ev->bid_px, a = ev->ask_px;
	int x = b && a && (b > a || (r->locked && b == a));
	if (__builtin_expect(!x, 1)) {
		/* Nothing crossed anywhere (the usual case): the state line is not even read. */
		if (r->ncrossed && s->crossed) {
			s->crossed = 0;
			r->ncrossed--;
		}
		return 0;
	}
	if (!s->crossed) {
		s->crossed = 1;
		s->since_ns = t;
		r->ncrossed++;
	}
	s->last_seq = ev->seq;
	s->feed = ev->feed_id;
	if (t > s->since_ns && t - s->since_ns > r->duration_ns)
		return fire(c, r, &s->gate, ev->stock_locate, ev->feed_id, t, ev->seq,
			    (double)(t - s->since_ns));
	return 0;
}

/* Books that stayed crossed with no event of their own: only on ticks. */
static unsigned crossed_scan(struct tp_cep *c, struct rule *r)
{
	unsigned fired = 0;
	for (uint32_t i = 0; i < c->nsym && r->ncrossed; i++) {
		struct crossed *s = (struct crossed *)(c->sym_blocks + i * c->sym_stride + r->off);
		if (s->crossed && c->now > s->since_ns && c->now - s->since_ns > r->duration_ns)
			fired += fire(c, r, &s->gate, c->sym_locate[i], s->feed, c->now, s->last_seq,
				      (double)(c->now - s->since_ns));
	}
	return fired;
}

/* ---- feed silence ---- */

static inline uint64_t silent_since(const struct rule *r, const struct silent *s)
{
	return s->last_ns > r->open_ns ? s->last_ns : r->open_ns;
}

static inline void silent_touch(struct rule *r, struct silent *s, uint64_t t)
{
	if (t > s->last_ns)
		s->last_ns = t;
	if (__builtin_expect(s->state != SILENT_ACTIVE, 0)) {
		/* A feed joins (or speaks again after firing): its deadline may be the nearest. */
		s->state = SILENT_ACTIVE;
		uint64_t dl = sat_add(silent_since(r, s), r->duration_ns);
		if (dl < r->next_check)
			r->next_check = dl;
	}
}

/* now passed the nearest deadline known: fire the silent feeds, find the next deadline.
 * A feed that spoke since only moved its deadline later, so next_check stays a lower bound
 * between scans and a scan finds nothing missed. */
static unsigned silent_scan(struct tp_cep *c, struct rule *r, uint64_t seq)
{
	unsigned fired = 0;
	uint64_t next = UINT64_MAX, now = c->now;
	if (now >= r->close_ns) {
		r->next_check = UINT64_MAX; /* closed for the day; the clock never goes back */
		return 0;
	}
	for (uint32_t i = 0; i < c->nfeed; i++) {
		struct silent *s = (struct silent *)(c->feed_blocks + i * c->feed_stride + r->off);
		if (s->state != SILENT_ACTIVE)
			continue;
		uint64_t since = silent_since(r, s), dl = sat_add(since, r->duration_ns);
		if (now > dl) {
			s->state = SILENT_FIRED; /* once per silence; its next event re-arms it */
			fired += fire(c, r, &s->gate, 0, c->feed_id_of[i], now, seq,
				      (double)(now - since));
		} else if (dl < next) {
			next = dl;
		}
	}
	r->next_check = next;
	return fired;
}

/* ---- groups ---- */

static inline uint8_t *sym_block(struct tp_cep *c, uint16_t loc)
{
	uint32_t s = c->sym_slot[loc];
	if (__builtin_expect(s == 0, 0)) {
		if (c->nsym == c->max_sym) {
			c->st.groups_full++;
			return NULL;
		}
		s = ++c->nsym;
		c->sym_slot[loc] = (uint16_t)s;
		c->sym_locate[s - 1] = loc;
	}
	return c->sym_blocks + (size_t)(s - 1) * c->sym_stride;
}

static inline uint8_t *feed_block(struct tp_cep *c, uint16_t feed)
{
	uint32_t s = c->feed_slot[feed];
	if (__builtin_expect(s == 0, 0)) {
		if (c->nfeed == TP_CEP_MAX_FEEDS) {
			c->st.groups_full++;
			return NULL;
		}
		s = ++c->nfeed;
		c->feed_slot[feed] = (uint8_t)s;
		c->feed_id_of[s - 1] = feed;
	}
	return c->feed_blocks + (size_t)(s - 1) * c->feed_stride;
}

/* ---- the event path ---- */

static inline unsigned run_list(struct tp_cep *c, const uint8_t *list, unsigned n, uint8_t *blk,
				const struct tp_event *ev, uint64_t t)
{
	unsigned fired = 0;
	for (unsigned i = 0; i < n; i++) {
		struct rule *r = &c->rules[list[i]];
		if (r->feed != ANY_FEED && r->feed != ev->feed_id)
			continue;
		if (r->skip_stale && (ev->flags & TP_EVF_BOOK_STALE))
			continue;
		void *s = blk + r->off;
		switch (r->kind) {
		case TP_CEP_CROSSED_BOOK:
			fired += crossed_event(c, r, s, ev, t);
			break;
		case TP_CEP_FEED_SILENT:
			silent_touch(r, s, t);
			break;
		case TP_CEP_SEQ_GAP:
			if (cmp_u64(ev->qty, r->op, r->thr))
				fired += fire(c, r, &((struct plain *)s)->gate, ev->stock_locate,
					      ev->feed_id, t, ev->seq, (double)ev->qty);
			break;
		default:
			fired += win_event(c, r, s, ev, t);
			break;
		}
	}
	return fired;
}

static inline unsigned one_event(struct tp_cep *c, const struct tp_event *ev)
{
	uint64_t t = ev->exch_ts_ns;
	unsigned k = ev->kind;
	unsigned fired = 0;
	if (__builtin_expect(ev->kind == TP_EV_GAP && t == 0, 0))
		t = c->now; /* gap reports carry no exchange time */
	if (t > c->now)
		c->now = t;
	c->st.events++;
	/* Silence first: the arriving feed's own silence counts up to this event. */
	for (unsigned i = 0; i < c->nsilent_r; i++) {
		struct rule *r = &c->rules[c->silent_r[i]];
		if (__builtin_expect(c->now > r->next_check, 0))
			fired += silent_scan(c, r, ev->seq);
	}
	if (__builtin_expect(k >= NKINDS, 0))
		return fired; /* a kind no rule can select */
	if (c->nby_kind[0][k]) {
		uint8_t *b = sym_block(c, ev->stock_locate);
		if (b)
			fired += run_list(c, c->by_kind[0][k], c->nby_kind[0][k], b, ev, t);
	}
	if (c->nby_kind[1][k]) {
		uint8_t *b = feed_block(c, ev->feed_id);
		if (b)
			fired += run_list(c, c->by_kind[1][k], c->nby_kind[1][k], b, ev, t);
	}
	if (c->nby_kind[2][k])
		fired += run_list(c, c->by_kind[2][k], c->nby_kind[2][k], c->all_block, ev, t);
	return fired;
}

unsigned tp_cep_on_event(struct tp_cep *c, const struct tp_event *ev)
{
	return one_event(c, ev);
}

unsigned tp_cep_on_burst(struct tp_cep *c, const struct tp_event *ev, unsigned n)
{
	/* Measured (bench_cep): software prefetch of the next events' state a few events ahead
	 * did not beat the out-of-order core on this loop, so the burst is a plain loop. */
	unsigned fired = 0;
	for (unsigned i = 0; i < n; i++)
		fired += one_event(c, &ev[i]);
	return fired;
}

unsigned tp_cep_tick(struct tp_cep *c, uint64_t now_ns)
{
	unsigned fired = 0;
	if (now_ns > c->now)
		c->now = now_ns;
	c->st.ticks++;
	for (unsigned i = 0; i < c->nsilent_r; i++) {
		struct rule *r = &c->rules[c->silent_r[i]];
		if (c->now > r->next_check)
			fired += silent_scan(c, r, 0);
	}
	for (unsigned i = 0; i < c->ncrossed_r; i++) {
		struct rule *r = &c->rules[c->crossed_r[i]];
		if (r->ncrossed)
			fired += crossed_scan(c, r);
	}
	return fired;
}

unsigned tp_cep_on_overflow(struct tp_cep *c, uint64_t drops, uint64_t ts_ns)
{
	unsigned fired = 0;
	if (ts_ns > c->now)
		c->now = ts_ns;
	c->st.overflow_reports++;
	c->st.overflow_drops += drops;
	for (unsigned i = 0; i < c->nover_r; i++) {
		struct rule *r = &c->rules[c->over_r[i]];
		if (cmp_u64(drops, r->op, r->thr))
			fired += fire(c, r, &((struct plain *)(c->all_block + r->off))->gate, 0, 0,
				      c->now, 0, (double)drops);
	}
	return fired;
}

/* ---- create / free ---- */

#define FAIL(...)                                          \
	do {                                               \
		if (err && errlen)                         \
			snprintf(err, errlen, __VA_ARGS__); \
		goto fail;                                 \
	} while (0)

static void compile(struct rule *r, const struct tp_cep_rule_def *d, unsigned id)
{
	memset(r, 0, sizeof(*r));
	r->events = d->events;
	r->feed = d->feed < 0 ? ANY_FEED : (uint32_t)d->feed;
	r->kind = d->kind;
	r->action = d->action;
	r->agg = d->agg;
	r->op = d->op;
	r->price = d->price;
	r->skip_stale = d->skip_stale;
	r->locked = d->locked;
	r->group = d->group;
	r->thr = (uint64_t)d->threshold;
	r->duration_ns = d->duration_ns;
	r->open_ns = d->open_ns;
	r->close_ns = d->close_ns;
	r->alert_interval_ns = d->alert_interval_ns;
	r->next_check = UINT64_MAX;
	if (is_window_kind(d->kind)) {
		r->nb = d->buckets;
		r->bmask = r->nb - 1;
		r->full = r->nb == 64 ? ~0ull : (1ull << r->nb) - 1;
		/* floor: the effective window B * w never exceeds W (see tp_cep.h) */
		r->bucket_ns = d->window_ns / r->nb;
	}
	r->id = (uint16_t)id;
	r->reason = (uint16_t)(TP_KS_R_RULE_BASE + id);
	r->report_thr = (d->kind == TP_CEP_CROSSED_BOOK || d->kind == TP_CEP_FEED_SILENT)
				? (int64_t)d->duration_ns
				: d->threshold;
	memcpy(r->name, d->name, sizeof(r->name));
	r->name[TP_CEP_NAME_MAX - 1] = '\0';
	snprintf(r->who, sizeof(r->who), "cep:%s", r->name);
}

/* Places the rules of one group kind in its block, windows first. Returns the stride. */
static size_t layout(struct tp_cep *c, const uint8_t *list, unsigned n)
{
	size_t off = 0;
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < n; i++) {
			struct rule *r = &c->rules[list[i]];
			if (is_window_kind(r->kind) != (pass == 0))
				continue;
			r->off = (uint32_t)off;
			off += (state_size(r) + 15) & ~(size_t)15;
		}
	}
	return (off + 63) & ~(size_t)63;
}

struct tp_cep *tp_cep_create(const struct tp_cep_rule_def *defs, unsigned ndefs,
			     struct tp_ks_halter *halter, uint32_t max_groups, char *err,
			     size_t errlen)
{
	struct tp_cep *c = calloc(1, sizeof(*c));
	if (!c) {
		if (err && errlen)
			snprintf(err, errlen, "cep: out of memory");
		return NULL;
	}
	if (ndefs > TP_CEP_MAX_RULES)
		FAIL("cep: %u rules, at most %d", ndefs, TP_CEP_MAX_RULES);
	if (ndefs && !defs)
		FAIL("cep: no rule definitions");
	if (max_groups < 1 || max_groups > TP_CEP_MAX_GROUPS)
		FAIL("cep: max_groups %u must be 1..%u", max_groups, TP_CEP_MAX_GROUPS);
	c->rules = calloc(ndefs ? ndefs : 1, sizeof(*c->rules));
	if (!c->rules)
		FAIL("cep: out of memory");
	for (unsigned i = 0; i < ndefs; i++) {
		struct tp_cep_rule_def d;
		if (tp_cep_rule_check(&defs[i], err, errlen) != 0)
			goto fail;
		for (unsigned j = 0; j < i; j++)
			if (!strcmp(defs[i].name, defs[j].name))
				FAIL("rule.%s: defined twice", defs[i].name);
		if (defs[i].action != TP_CEP_ALERT && !halter)
			FAIL("rule.%s: action %s needs a kill-switch, and none was given",
			     defs[i].name, tp_cep_action_name(defs[i].action));
		tp_cep_rule_normalize(&defs[i], &d);
		struct rule *r = &c->rules[i];
		compile(r, &d, i);
		uint8_t idx = (uint8_t)i;
		unsigned g = d.group == TP_CEP_BY_SYMBOL ? 0 : d.group == TP_CEP_BY_FEED ? 1 : 2;
		if (g == 0)
			c->sym_r[c->nsym_r++] = idx;
		else if (g == 1)
			c->feed_r[c->nfeed_r++] = idx;
		else
			c->all_r[c->nall_r++] = idx;
		for (unsigned k = 0; k < NKINDS; k++)
			if (r->events & (1u << k))
				c->by_kind[g][k][c->nby_kind[g][k]++] = idx;
		if (d.kind == TP_CEP_FEED_SILENT)
			c->silent_r[c->nsilent_r++] = idx;
		else if (d.kind == TP_CEP_CROSSED_BOOK)
			c->crossed_r[c->ncrossed_r++] = idx;
		else if (d.kind == TP_CEP_OVERFLOW)
			c->over_r[c->nover_r++] = idx;
	}
	c->nrules = ndefs;
	c->halter = halter;
	c->kw = halter ? tp_ks_halter_words(halter) : NULL;
	c->max_sym = max_groups;
	c->sym_stride = layout(c, c->sym_r, c->nsym_r);
	c->feed_stride = layout(c, c->feed_r, c->nfeed_r);
	size_t all_stride = layout(c, c->all_r, c->nall_r);

	/* One allocation, 64-byte aligned pieces. */
	size_t o_sym = 0;
	size_t o_feed = o_sym + c->sym_stride * max_groups;
	size_t o_all = o_feed + c->feed_stride * TP_CEP_MAX_FEEDS;
	size_t o_alert = o_all + all_stride;
	size_t o_slot = o_alert + ((sizeof(struct tp_cep_alert) * TP_CEP_ALERT_CAP + 63) & ~(size_t)63);
	size_t o_loc = o_slot + 65536 * sizeof(uint16_t);
	size_t o_fslot = o_loc + ((max_groups * sizeof(uint16_t) + 63) & ~(size_t)63);
	size_t total = o_fslot + 65536;
	if (tp_hugemem_alloc(&c->mem, total, 0) != 0)
		FAIL("cep: cannot allocate %zu bytes of rule state (max_groups %u)", total,
		     max_groups);
	/* Zero it by writing: every page is faulted in now, never on the event path. */
	memset(c->mem.addr, 0, total);
	uint8_t *base = c->mem.addr;
	c->sym_blocks = base + o_sym;
	c->feed_blocks = base + o_feed;
	c->all_block = base + o_all;
	c->alerts = (struct tp_cep_alert *)(base + o_alert);
	c->sym_slot = (uint16_t *)(base + o_slot);
	c->sym_locate = (uint16_t *)(base + o_loc);
	c->feed_slot = base + o_fslot;
	return c;
fail:
	tp_cep_free(c);
	return NULL;
}

void tp_cep_free(struct tp_cep *c)
{
	if (!c)
		return;
	if (c->mem.addr)
		tp_hugemem_free(&c->mem);
	free(c->rules);
	free(c);
}

/* ---- reading ---- */

unsigned tp_cep_alerts_drain(struct tp_cep *c, struct tp_cep_alert *out, unsigned max)
{
	unsigned n = 0;
	while (n < max && c->a_head != c->a_tail) {
		out[n++] = c->alerts[c->a_head & (TP_CEP_ALERT_CAP - 1)];
		c->a_head++;
	}
	return n;
}

unsigned tp_cep_alerts_pending(const struct tp_cep *c) { return c->a_tail - c->a_head; }

unsigned tp_cep_rule_count(const struct tp_cep *c) { return c->nrules; }

int tp_cep_rule_stats(const struct tp_cep *c, unsigned rule, struct tp_cep_rule_stats *out)
{
	if (rule >= c->nrules)
		return -1;
	const struct rule *r = &c->rules[rule];
	memset(out, 0, sizeof(*out));
	memcpy(out->name, r->name, sizeof(out->name));
	out->kind = r->kind;
	out->action = r->action;
	out->fired = r->fired;
	out->halts = r->halts;
	out->halt_errors = r->halt_errors;
	out->suppressed = r->suppressed;
	return 0;
}

void tp_cep_stats(const struct tp_cep *c, struct tp_cep_stats *out)
{
	*out = c->st;
	out->symbols = c->nsym;
	out->feeds = c->nfeed;
	out->now_ns = c->now;
}

int tp_cep_value(const struct tp_cep *c, unsigned rule, uint16_t key, double *value)
{
	if (rule >= c->nrules || !is_window_kind(c->rules[rule].kind))
		return -1;
	const struct rule *r = &c->rules[rule];
	const uint8_t *blk;
	if (r->group == TP_CEP_BY_SYMBOL) {
		uint32_t s = c->sym_slot[key];
		if (!s)
			return -2;
		blk = c->sym_blocks + (size_t)(s - 1) * c->sym_stride;
	} else if (r->group == TP_CEP_BY_FEED) {
		uint32_t s = c->feed_slot[key];
		if (!s)
			return -2;
		blk = c->feed_blocks + (size_t)(s - 1) * c->feed_stride;
	} else {
		blk = c->all_block;
	}
	const struct win *w = (const struct win *)(blk + r->off);
	if (w->b_end == 0)
		return -2;
	return win_value(r, w, value) == 0 ? 0 : -3;
}
