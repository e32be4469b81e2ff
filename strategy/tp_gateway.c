/* Order gateway: kill-switch, risk, OUCH, egress ring, working orders, mass cancel.
 * See tp_gateway.h. */
#include "tp_gateway.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
static inline uint64_t gw_tsc(void) { return __rdtsc(); }
#else
static inline uint64_t gw_tsc(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts); /* vDSO: no system call */
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif

#define GW_MAX_ORDERS (1u << 24)
#define GW_SIGHTINGS 64u

struct gw_order {
	uint32_t urn;
	uint32_t qty;          /* shares still working */
	uint32_t price;
	uint16_t locate;
	uint8_t side;
	uint8_t cancel_sent;
};

struct gw_hent {
	uint32_t urn;
	uint32_t idx1;         /* dense index + 1; 0 = empty */
};

/* Per scope: the last halt epoch first seen and the last one fully acted on. */
struct gw_scope {
	uint32_t seen;
	uint32_t handled;
};

struct tp_gw {
	const struct tp_ks_words *kw;
	struct tp_ks_halter *halter;
	struct tp_risk *risk;
	struct tp_ring *egress;

	struct gw_order *orders;   /* dense: working orders */
	uint32_t norders, max_orders;
	struct gw_hent *tab;
	uint32_t tab_mask, tab_bits;
	uint32_t next_urn;

	/* Enter Order with the defaults and appendages already encoded: an order copies it
	 * and patches its own fields, byte for byte what tp_ouch_encode_enter would write. */
	uint8_t tmpl[TP_GW_SLOT_MSG];
	uint16_t tmpl_len;

	struct gw_scope global;
	struct gw_scope *sym;      /* 65536 */
	char (*names)[TP_OUCH_SYMBOL_LEN]; /* 65536, all zero = no symbol */
	uint16_t *watch;           /* locates with a name */
	uint32_t nwatch;
	uint64_t last_changes;     /* kill-switch change count at the last complete scan */
	int scan_pending;          /* a scan was cut short by a full ring */

	struct tp_gw_sighting sight[GW_SIGHTINGS];
	uint64_t nsight;

	struct tp_gw_stats st;
};

static void gerr(char *err, unsigned errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void gerr(char *err, unsigned errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* ---- working-order table ------------------------------------------------------------ */

static uint32_t h_home(const struct tp_gw *gw, uint32_t urn)
{
	return (uint32_t)((urn * 0x9E3779B1u) >> (32 - gw->tab_bits)) & gw->tab_mask;
}

/* Slot of urn in the hash, or UINT32_MAX. */
static uint32_t h_find(const struct tp_gw *gw, uint32_t urn)
{
	for (uint32_t i = h_home(gw, urn);; i = (i + 1) & gw->tab_mask) {
		if (!gw->tab[i].idx1)
			return UINT32_MAX;
		if (gw->tab[i].urn == urn)
			return i;
	}
}

static void h_insert(struct tp_gw *gw, uint32_t urn, uint32_t idx)
{
	uint32_t i = h_home(gw, urn);
	while (gw->tab[i].idx1)
		i = (i + 1) & gw->tab_mask;
	gw->tab[i].urn = urn;
	gw->tab[i].idx1 = idx + 1;
}

/* Deletion by backward shift: the entries after the hole move up when the hole lies
 * between their home and where they sit, so lookups never need tombstones. */
static void h_delete(struct tp_gw *gw, uint32_t pos)
{
	uint32_t i = pos, j = pos, m = gw->tab_mask;
	for (;;) {
		j = (j + 1) & m;
		if (!gw->tab[j].idx1)
			break;
		uint32_t h = h_home(gw, gw->tab[j].urn);
		if (((j - h) & m) < ((j - i) & m))
			continue; /* its home lies in (i, j]: it must stay after the hole */
		gw->tab[i] = gw->tab[j];
		i = j;
	}
	gw->tab[i].idx1 = 0;
}

static void order_remove(struct tp_gw *gw, uint32_t hpos)
{
	uint32_t k = gw->tab[hpos].idx1 - 1, last = gw->norders - 1;
	h_delete(gw, hpos);
	if (k != last) {
		gw->orders[k] = gw->orders[last];
		gw->tab[h_find(gw, gw->orders[k].urn)].idx1 = k + 1;
	}
	gw->norders--;
}

/* ---- create ------------------------------------------------------------------------- */

struct tp_gw *tp_gw_create(const struct tp_gw_params *p, char *err, unsigned errlen)
{
	if (!p->halter || !p->risk || !p->egress) {
		gerr(err, errlen, "halter, risk and egress ring are required");
		return NULL;
	}
	if (tp_ring_elem_size(p->egress) != TP_GW_SLOT_SIZE) {
		gerr(err, errlen, "egress ring elements must be %u bytes", TP_GW_SLOT_SIZE);
		return NULL;
	}
	uint32_t max = p->max_orders ? p->max_orders : 4096;
	if (max > GW_MAX_ORDERS) {
		gerr(err, errlen, "max_orders above %u", GW_MAX_ORDERS);
		return NULL;
	}
	struct tp_gw *gw = calloc(1, sizeof(*gw));
	if (!gw) {
		gerr(err, errlen, "out of memory");
		return NULL;
	}
	gw->halter = p->halter;
	gw->kw = tp_ks_halter_words(p->halter);
	gw->risk = p->risk;
	gw->egress = p->egress;
	gw->max_orders = max;
	gw->tab_bits = 1;
	while ((1u << gw->tab_bits) < 2 * max)
		gw->tab_bits++;
	gw->tab_mask = (1u << gw->tab_bits) - 1;
	gw->next_urn = p->first_user_ref ? p->first_user_ref : 1;
	gw->orders = calloc(max, sizeof(*gw->orders));
	gw->tab = calloc((size_t)gw->tab_mask + 1, sizeof(*gw->tab));
	gw->sym = calloc(65536, sizeof(*gw->sym));
	gw->names = calloc(65536, sizeof(*gw->names));
	gw->watch = calloc(65536, sizeof(*gw->watch));
	if (!gw->orders || !gw->tab || !gw->sym || !gw->names || !gw->watch) {
		tp_gw_free(gw);
		gerr(err, errlen, "out of memory");
		return NULL;
	}
	struct tp_ouch_enter t;
	memset(&t, 0, sizeof(t));
	t.tif = p->tif ? p->tif : '0';
	t.display = p->display ? p->display : 'Y';
	t.capacity = p->capacity ? p->capacity : 'P';
	t.ise = p->ise ? p->ise : 'N';
	t.cross_type = p->cross_type ? p->cross_type : 'N';
	if (p->firm[0]) {
		char firm[4];
		tp_ouch_alpha(firm, 4, p->firm);
		tp_ouch_add_tag(&t, TP_OUCH_TAG_FIRM, firm, 4);
	}
	gw->tmpl_len = (uint16_t)tp_ouch_encode_enter(gw->tmpl, sizeof(gw->tmpl), &t);
	/* Never equal to a real count, so the first poll scans (a restored halt has not moved
	 * the change counter). */
	gw->last_changes = UINT64_MAX;
	return gw;
}

void tp_gw_free(struct tp_gw *gw)
{
	if (!gw)
		return;
	free(gw->orders);
	free(gw->tab);
	free(gw->sym);
	free(gw->names);
	free(gw->watch);
	free(gw);
}

int tp_gw_set_symbol(struct tp_gw *gw, uint16_t locate, const char *symbol)
{
	if (!symbol || !symbol[0])
		return -1;
	int named = gw->names[locate][0] != 0;
	tp_ouch_alpha(gw->names[locate], TP_OUCH_SYMBOL_LEN, symbol);
	if (!named)
		gw->watch[gw->nwatch++] = locate;
	return 0;
}

/* ---- sending ------------------------------------------------------------------------ */

static struct tp_gw_slot *slot_reserve(struct tp_gw *gw)
{
	if (tp_ring_reserve(gw->egress, 1) == 0) {
		gw->st.ring_full++;
		return NULL;
	}
	return tp_ring_reserved_slot(gw->egress, 0);
}

static int send_cancel(struct tp_gw *gw, struct gw_order *o, uint64_t now)
{
	struct tp_gw_slot *s = slot_reserve(gw);
	if (!s)
		return -1;
	s->len = (uint16_t)tp_ouch_encode_cancel(s->msg, sizeof(s->msg), o->urn, 0);
	s->type = 'X';
	s->ts_ns = now;
	tp_ring_commit(gw->egress, 1);
	o->cancel_sent = 1;
	gw->st.cancels_sent++;
	return 0;
}

/* "TP" and the UserRefNum in 10 digits, then blanks: unique per day like the UserRefNum. */
static void clordid(char *dst, uint32_t urn)
{
	dst[0] = 'T';
	dst[1] = 'P';
	for (int i = 11; i >= 2; i--) {
		dst[i] = (char)('0' + urn % 10);
		urn /= 10;
	}
	dst[12] = dst[13] = ' ';
}

/* ---- halts -------------------------------------------------------------------------- */

/* Cancels every working order of the scope without a cancel out. 1 when all are out. */
static int mass_cancel(struct tp_gw *gw, enum tp_ks_scope scope, uint16_t locate, uint64_t now)
{
	for (uint32_t k = 0; k < gw->norders; k++) {
		struct gw_order *o = &gw->orders[k];
		if (o->cancel_sent || (scope == TP_KS_SYMBOL && o->locate != locate))
			continue;
		if (send_cancel(gw, o, now) != 0)
			return 0;
		gw->st.mass_cancel_orders++;
	}
	return 1;
}

/* Acts on a halt of one scope if there is one not yet handled. 1 when nothing is left to
 * do for it. */
static int check_scope(struct tp_gw *gw, enum tp_ks_scope scope, uint16_t locate, uint64_t now)
{
	uint64_t w = tp_ks_words_load(gw->kw, scope, locate);
	if (!tp_ks_word_halted(w))
		return 1;
	uint32_t e = tp_ks_word_epoch(w);
	struct gw_scope *sc = scope == TP_KS_GLOBAL ? &gw->global : &gw->sym[locate];
	if (sc->handled == e)
		return 1;
	if (sc->seen != e) {
		struct tp_gw_sighting *s = &gw->sight[gw->nsight % GW_SIGHTINGS];
		s->tsc = gw_tsc();
		s->now_ns = now;
		s->scope = (uint8_t)scope;
		s->locate = scope == TP_KS_SYMBOL ? locate : 0;
		s->reason = tp_ks_word_reason(w);
		s->epoch = e;
		gw->nsight++;
		sc->seen = e;
		gw->st.halts_seen++;
		gw->st.mass_cancels++;
	}
	if (!mass_cancel(gw, scope, locate, now))
		return 0;
	sc->handled = e;
	return 1;
}

void tp_gw_poll(struct tp_gw *gw, uint64_t now)
{
	uint64_t ch = tp_ks_words_changes(gw->kw);
	if (ch == gw->last_changes && !gw->scan_pending)
		return;
	int done = check_scope(gw, TP_KS_GLOBAL, 0, now);
	for (uint32_t i = 0; i < gw->nwatch; i++)
		done &= check_scope(gw, TP_KS_SYMBOL, gw->watch[i], now);
	/* Orders on a locate without a name cannot exist (submit refuses them), so the watch
	 * list covers every working order's scope. */
	gw->last_changes = ch;
	gw->scan_pending = !done;
}

/* ---- orders ------------------------------------------------------------------------- */

int tp_gw_submit(struct tp_gw *gw, const struct tp_order *o, uint64_t now, uint32_t *urn,
		 enum tp_risk_reason *why)
{
	if (why)
		*why = TP_RISK_OK;
	/* The kill-switch first, on every order (acquire inside, paired with the halter's
	 * release). */
	if (__builtin_expect(tp_ks_words_blocked(gw->kw, o->locate), 0)) {
		gw->st.blocked_by_halt++;
		check_scope(gw, TP_KS_GLOBAL, 0, now);
		check_scope(gw, TP_KS_SYMBOL, o->locate, now);
		return TP_GW_BLOCKED;
	}
	if (__builtin_expect(gw->names[o->locate][0] == 0, 0)) {
		gw->st.no_symbol++;
		return TP_GW_NO_SYMBOL;
	}
	enum tp_risk_reason r = tp_risk_check(gw->risk, o, now);
	if (r != TP_RISK_OK) {
		gw->st.rejected++;
		gw->st.rejected_by[r]++;
		if (why)
			*why = r;
		return TP_GW_REJECTED;
	}
	if (gw->norders == gw->max_orders) {
		gw->st.table_full++;
		return TP_GW_FULL;
	}
	struct tp_gw_slot *s = slot_reserve(gw);
	if (!s)
		return TP_GW_RING_FULL;

	uint32_t u = gw->next_urn++;
	uint8_t *b = s->msg;
	memcpy(b, gw->tmpl, gw->tmpl_len);
	tp_ouch_put_be32(b + TP_OUCH_O_URN, u);
	b[TP_OUCH_O_SIDE] = o->side;
	tp_ouch_put_be32(b + TP_OUCH_O_QTY, o->qty);
	memcpy(b + TP_OUCH_O_SYMBOL, gw->names[o->locate], TP_OUCH_SYMBOL_LEN);
	tp_ouch_put_be64(b + TP_OUCH_O_PRICE, o->price);
	if (o->tif)
		b[TP_OUCH_O_TIF] = o->tif;
	clordid((char *)b + TP_OUCH_O_CLORDID, u);
	s->len = gw->tmpl_len;
	s->type = 'O';
	s->ts_ns = now;
	tp_ring_commit(gw->egress, 1);

	uint32_t k = gw->norders++;
	gw->orders[k] = (struct gw_order){ .urn = u, .qty = o->qty, .price = o->price,
					   .locate = o->locate, .side = o->side };
	h_insert(gw, u, k);
	tp_risk_commit(gw->risk, o, now);
	gw->st.orders_sent++;
	if (urn)
		*urn = u;
	return TP_GW_SENT;
}

int tp_gw_cancel(struct tp_gw *gw, uint32_t urn, uint64_t now)
{
	uint32_t h = h_find(gw, urn);
	if (h == UINT32_MAX)
		return TP_GW_UNKNOWN;
	struct gw_order *o = &gw->orders[gw->tab[h].idx1 - 1];
	if (o->cancel_sent)
		return TP_GW_PENDING;
	return send_cancel(gw, o, now) == 0 ? TP_GW_SENT : TP_GW_RING_FULL;
}

static int bad_report(struct tp_gw *gw, const struct tp_exec_report *rep)
{
	gw->st.bad_reports++;
	/* The books no longer agree with the exchange: when in doubt, halt. */
	tp_ks_halter_halt(gw->halter, TP_KS_GLOBAL, 0, TP_KS_R_INTERNAL, "gateway:report",
			  rep->ts_ns);
	return -1;
}

int tp_gw_on_report(struct tp_gw *gw, const struct tp_exec_report *rep)
{
	uint32_t h = h_find(gw, rep->user_ref_num);
	if (h == UINT32_MAX)
		return bad_report(gw, rep);
	struct gw_order *o = &gw->orders[gw->tab[h].idx1 - 1];
	int rc = 0;
	switch (rep->type) {
	case 'E': {
		uint32_t q = rep->qty;
		if (q == 0 || q > o->qty) {
			rc = bad_report(gw, rep);
			q = o->qty; /* the exchange's word is what counts: the order is done */
		}
		if (tp_risk_on_fill(gw->risk, o->locate, o->side, o->price, rep->price, q,
				    rep->ts_ns) != 0)
			rc = -1;
		o->qty -= q;
		gw->st.fills++;
		gw->st.fill_qty += q;
		break;
	}
	case 'C':
	case 'J': {
		uint32_t q = rep->type == 'J' ? o->qty : rep->qty;
		if (q > o->qty) {
			rc = bad_report(gw, rep);
			q = o->qty;
		}
		if (tp_risk_on_cancel(gw->risk, o->locate, o->side, o->price, q, rep->ts_ns) != 0)
			rc = -1;
		o->qty -= q;
		if (rep->type == 'J')
			gw->st.exchange_rejects++;
		else
			gw->st.cancel_acks++;
		break;
	}
	default:
		return bad_report(gw, rep);
	}
	if (o->qty == 0)
		order_remove(gw, h);
	return rc;
}

/* ---- views -------------------------------------------------------------------------- */

void tp_gw_stats(const struct tp_gw *gw, struct tp_gw_stats *out)
{
	*out = gw->st;
	out->working = gw->norders;
}

int tp_gw_order(const struct tp_gw *gw, uint32_t urn, struct tp_order *out, int *cancel_sent)
{
	uint32_t h = h_find(gw, urn);
	if (h == UINT32_MAX)
		return 0;
	const struct gw_order *o = &gw->orders[gw->tab[h].idx1 - 1];
	if (out)
		*out = (struct tp_order){ .locate = o->locate, .side = o->side, .qty = o->qty,
					  .price = o->price };
	if (cancel_sent)
		*cancel_sent = o->cancel_sent;
	return 1;
}

uint64_t tp_gw_sightings(const struct tp_gw *gw) { return gw->nsight; }

int tp_gw_sighting(const struct tp_gw *gw, uint32_t i, struct tp_gw_sighting *out)
{
	if (i >= GW_SIGHTINGS || i >= gw->nsight)
		return -1;
	*out = gw->sight[(gw->nsight - 1 - i) % GW_SIGHTINGS];
	return 0;
}
