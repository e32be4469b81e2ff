#include "strat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "tp_logprod.h"
#include "tp_ring.h"

/* ---- create / free ------------------------------------------------------------------- */

#define FAIL(...)                                                                            \
	do {                                                                                 \
		snprintf(err, errlen, __VA_ARGS__);                                          \
		goto fail;                                                                   \
	} while (0)

static int trading_create(struct tp_strat *s, const struct tp_strat_params *p, char *err,
			  size_t errlen)
{
	const struct tp_cfg_strat *c = p->cfg;
	char why[256] = "";
	s->risk = tp_risk_create(&c->risk.lim, s->halter, why, sizeof(why));
	if (!s->risk) {
		snprintf(err, errlen, "risk guard: %s", why);
		return -1;
	}
	s->egress = tp_ring_create("tp_egress", TP_STRAT_EGRESS, TP_GW_SLOT_SIZE, 0);
	if (!s->egress) {
		snprintf(err, errlen, "gateway: out of memory for the egress ring");
		return -1;
	}
	struct tp_gw_params gp = { .halter = s->halter, .risk = s->risk, .egress = s->egress,
				   .max_orders = c->gw.max_orders, .tif = c->gw.tif };
	snprintf(gp.firm, sizeof(gp.firm), "%s", c->gw.firm);
	s->gw = tp_gw_create(&gp, why, sizeof(why));
	if (!s->gw) {
		snprintf(err, errlen, "gateway: %s", why);
		return -1;
	}
	if (s->replay) {
		struct tp_simex_params xp = { .latency_ns = c->simex.latency_ns,
					      .max_orders = c->simex.max_orders };
		s->sx = tp_simex_create(&xp, why, sizeof(why));
		if (!s->sx) {
			snprintf(err, errlen, "simulated exchange: %s", why);
			return -1;
		}
	}
	s->sym_of = calloc(65536, 1);
	if (!s->sym_of) {
		snprintf(err, errlen, "strategy: out of memory");
		return -1;
	}
	for (unsigned i = 0; i < c->mm.n_symbols; i++)
		snprintf(s->sym[i].name, sizeof(s->sym[i].name), "%s", c->mm.symbols[i]);
	s->n_sym = c->mm.n_symbols;
	s->mm_size = c->mm.size;
	s->mm_offset = c->mm.offset_ticks;
	s->mm_tick = c->mm.tick;
	s->mm_state = TP_MM_PENDING;
	s->tx = p->tx;
	return 0;
}

struct tp_strat *tp_strat_create(const struct tp_strat_params *p, char *err, size_t errlen)
{
	struct tp_strat *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "strategy: out of memory");
		return NULL;
	}
	s->ks = p->ks;
	s->halter = tp_ks_halter_of(p->ks);
	s->replay = p->replay;
	s->feeds = p->feeds;
	s->n_feeds = p->n_feeds;
	s->rx_drops = p->rx_drops;
	s->n_rx = p->n_rx;
	s->trade_feed = -1;
	uint64_t hz = rte_get_tsc_hz();
	s->ns_per_cycle = 1e9 / (double)hz;
	s->tick_cycles = hz / 1000u;

	static struct tp_cep_rule_def defs[TP_CEP_MAX_RULES];
	int n = tp_cfg_rules_resolve(p->cfg, defs, TP_CEP_MAX_RULES, err, errlen);
	if (n < 0)
		goto fail;
	uint32_t groups = p->cfg ? p->cfg->rules.max_symbols : TP_CFG_CEP_SYMBOLS_DEFAULT;
	char why[256] = "";
	s->n_cep = p->n_feeds ? p->n_feeds : 1;
	for (unsigned f = 0; f < s->n_cep; f++) {
		s->cep[f] = tp_cep_create(defs, (unsigned)n, s->halter, groups, why, sizeof(why));
		if (!s->cep[f])
			FAIL("CEP rules: %s", why);
	}
	s->n_rules = (unsigned)n;
	s->halts = calloc(TP_STRAT_HALTS_CAP, sizeof(*s->halts));
	s->halt_lat = calloc(1, sizeof(*s->halt_lat));
	if (!s->halts || !s->halt_lat)
		FAIL("strategy: out of memory");
	if (p->halt_samples) {
		s->halt_samples = calloc(p->halt_samples, sizeof(uint64_t));
		if (!s->halt_samples)
			FAIL("strategy: out of memory for %u tick-to-halt samples", p->halt_samples);
		s->halt_cap = p->halt_samples;
	}
	if (p->cfg && p->cfg->mm.on && trading_create(s, p, err, errlen) != 0)
		goto fail;
	return s;
fail:
	tp_strat_free(s);
	return NULL;
}

void tp_strat_free(struct tp_strat *s)
{
	if (!s)
		return;
	tp_mm_free(s->mm);
	tp_simex_free(s->sx);
	tp_gw_free(s->gw);
	if (s->egress)
		tp_ring_free(s->egress);
	tp_risk_free(s->risk);
	for (unsigned f = 0; f < s->n_cep; f++)
		tp_cep_free(s->cep[f]);
	free(s->sym_of);
	free(s->halts);
	free(s->halt_lat);
	free(s->halt_samples);
	free(s);
}

/* ---- halts and alerts ----------------------------------------------------------------- */

static void log_alert(struct tp_strat *s, const struct tp_cep_alert *a)
{
	struct tp_log_slot *l = tp_log_reserve(s->log, TP_LOG_ALERT);
	if (l) {
		l->hdr.exch_ns = a->exch_ts_ns;
		l->u.alert = (struct tp_log_alert){ .rule = a->rule_id, .stock_locate = a->locate,
						    .feed_id = a->feed_id, .event_seq = a->seq,
						    .value = (int64_t)a->value,
						    .limit = a->threshold };
		snprintf(l->u.alert.name, sizeof(l->u.alert.name), "%s", a->rule);
		tp_log_commit(s->log);
	}
	if (a->action == TP_CEP_ALERT)
		return;
	l = tp_log_reserve(s->log, TP_LOG_HALT);
	if (l) {
		l->hdr.exch_ns = a->exch_ts_ns;
		l->u.halt = (struct tp_log_halt){
			.state = TP_LOG_HALT_HALTED,
			.scope = a->action == TP_CEP_HALT_ALL ? TP_LOG_SCOPE_GLOBAL
							      : TP_LOG_SCOPE_SYMBOL,
			.stock_locate = a->locate, .rule = a->rule_id, .event_seq = a->seq };
		snprintf(l->u.halt.source, sizeof(l->u.halt.source), "%s", a->rule);
		tp_log_commit(s->log);
	}
}

static void drain_engine(struct tp_strat *s, struct tp_cep *cep)
{
	unsigned k;
	while ((k = tp_cep_alerts_drain(cep, s->abuf, 32)) > 0) {
		for (unsigned i = 0; i < k; i++) {
			const struct tp_cep_alert *a = &s->abuf[i];
			if (s->log)
				log_alert(s, a);
			if (a->action == TP_CEP_ALERT)
				continue; /* counted per rule by the engine */
			if (s->n_halts == TP_STRAT_HALTS_CAP) {
				s->halts_lost++;
				continue;
			}
			s->halts[s->n_halts++] = (struct tp_strat_halt){
				.exch_ts_ns = a->exch_ts_ns, .seq = a->seq, .locate = a->locate,
				.feed_id = a->feed_id, .rule_id = a->rule_id,
				.global = a->action == TP_CEP_HALT_ALL };
		}
	}
}

static void drain_alerts(struct tp_strat *s)
{
	for (unsigned f = 0; f < s->n_cep; f++)
		if (tp_cep_alerts_pending(s->cep[f]))
			drain_engine(s, s->cep[f]);
}

static void halt_sample(struct tp_strat *s, uint64_t cycles)
{
	tp_lat_add(s->halt_lat, cycles, 1);
	uint32_t n = s->n_halt_samples;
	if (n < s->halt_cap)
		s->halt_samples[n] = cycles;
	/* release pairs with tp_strat_halts_measured(): a watcher that sees the count sees
	 * the sample. The count goes on past the cap: it is also "halts seen so far". */
	__atomic_store_n(&s->n_halt_samples, n + 1, __ATOMIC_RELEASE);
}

static uint32_t account_new(struct tp_strat *s);

/* A rule fired on this event: the gateway looks at once (first sighting, mass cancel),
 * which is where tick-to-halt ends: the next order is refused from here on. */
static void fired(struct tp_strat *s, uint64_t now_ns, uint64_t rx_tsc)
{
	if (s->gw) {
		uint64_t before = tp_gw_sightings(s->gw);
		tp_gw_poll(s->gw, now_ns);
		uint64_t got = tp_gw_sightings(s->gw) - before;
		for (uint32_t i = 0; rx_tsc && i < got && i < 64; i++) {
			struct tp_gw_sighting sg;
			if (tp_gw_sighting(s->gw, i, &sg) == 0 && sg.tsc >= rx_tsc)
				halt_sample(s, sg.tsc - rx_tsc);
		}
		/* The mass cancel is counted now, while its orders are still working (a fill
		 * of this same event may end them before the ring is drained). */
		if (got)
			account_new(s);
	}
	drain_alerts(s);
}

/* ---- the market maker's symbols -------------------------------------------------------- */

static size_t sym_len(const char *name)
{
	size_t l = strnlen(name, 8);
	while (l && name[l - 1] == ' ')
		l--;
	return l;
}

static void on_directory(struct tp_strat *s, const struct tp_event *ev)
{
	if (ev->feed_id >= s->n_feeds)
		return;
	const char *name = tp_feed_symbol(s->feeds[ev->feed_id], ev->stock_locate);
	if (!name)
		return;
	size_t l = sym_len(name);
	for (unsigned i = 0; i < s->n_sym; i++) {
		struct tp_strat_sym *y = &s->sym[i];
		if (y->resolved || strlen(y->name) != l || memcmp(y->name, name, l) != 0)
			continue;
		/* One feed per maker: stock locates are per feed. */
		if (s->trade_feed >= 0 && s->trade_feed != (int)ev->feed_id)
			return;
		if (s->mm_state != TP_MM_PENDING) {
			y->late = 1;
			return;
		}
		if (s->sym_of[ev->stock_locate])
			return; /* a second name for a locate already taken */
		y->resolved = 1;
		y->locate = ev->stock_locate;
		y->feed_id = ev->feed_id;
		s->sym_of[ev->stock_locate] = (uint8_t)(i + 1);
		s->trade_feed = ev->feed_id;
		tp_gw_set_symbol(s->gw, y->locate, y->name);
		if (s->sx)
			tp_simex_add_symbol(s->sx, y->locate, y->name);
		return;
	}
}

static void start_mm(struct tp_strat *s)
{
	uint16_t loc[TP_MM_MAX_SYMBOLS];
	uint32_t n = 0;
	for (unsigned i = 0; i < s->n_sym; i++)
		if (s->sym[i].resolved)
			loc[n++] = s->sym[i].locate;
	struct tp_mm_params mp = { .gw = s->gw, .locates = loc, .nlocates = n, .size = s->mm_size,
				   .offset_ticks = s->mm_offset, .tick = s->mm_tick };
	s->mm = tp_mm_create(&mp, s->mm_err, sizeof(s->mm_err));
	s->mm_state = s->mm ? TP_MM_RUNNING : TP_MM_FAILED;
}

/* ---- egress --------------------------------------------------------------------------- */

static inline uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Counts what leaves, per symbol, from the bytes themselves: the order a message names is
 * still working in the gateway at this point (its report comes later), which gives its
 * symbol; and the kill-switch word says whether that symbol was halted when it left. */
static void account(struct tp_strat *s, const struct tp_gw_slot *sl)
{
	if (sl->len < 5)
		return;
	struct tp_order o;
	uint32_t urn = be32(sl->msg + 1);
	if (!tp_gw_order(s->gw, urn, &o, NULL))
		return;
	if (s->log && (sl->type == 'O' || sl->type == 'X' || sl->type == 'U')) {
		struct tp_log_slot *l = tp_log_reserve(s->log, TP_LOG_ORDER);
		if (l) {
			l->u.order = (struct tp_log_order){
				.client_id = urn, .stock_locate = o.locate, .side = o.side,
				.action = sl->type == 'O' ? 'N' : sl->type == 'X' ? 'C' : 'R',
				.price = o.price, .qty = o.qty };
			tp_log_commit(s->log);
		}
	}
	uint8_t i = s->sym_of[o.locate];
	if (!i)
		return;
	struct tp_strat_sym *y = &s->sym[i - 1];
	int halted = tp_ks_blocked(s->ks, o.locate);
	if (sl->type == 'O') {
		y->orders++;
		y->orders_halted += (uint64_t)halted;
	} else if (sl->type == 'X') {
		y->cancels++;
		y->cancels_halted += (uint64_t)halted;
	}
}

/* Accounts the slots that joined the egress ring since the last look. */
static uint32_t account_new(struct tp_strat *s)
{
	uint32_t n = tp_ring_peek(s->egress, TP_STRAT_EGRESS);
	for (uint32_t k = s->accounted; k < n; k++)
		account(s, tp_ring_peeked_slot(s->egress, k));
	s->accounted = n;
	return n;
}

static void egress(struct tp_strat *s)
{
	uint32_t n = account_new(s);
	s->accounted = 0;
	if (s->sx) {
		/* Takes exactly these n: nothing else produces on this ring meanwhile. */
		tp_simex_take_orders(s->sx, s->egress);
		return;
	}
	if (s->tx) {
		const struct tp_gw_slot *v[32];
		for (uint32_t k = 0; k < n;) {
			uint32_t m = 0;
			while (m < 32 && k < n)
				v[m++] = tp_ring_peeked_slot(s->egress, k++);
			tp_tx_send(s->tx, v, m);
		}
	} else {
		s->egress_unsent += n;
	}
	tp_ring_release(s->egress, n);
}

/* An execution is a fill record, a rejected order a reject record; cancels are the
 * gateway's own doing and already logged as order actions. */
static void log_report(struct tp_strat *s, const struct tp_exec_report *r)
{
	struct tp_log_slot *l;
	if (r->type == 'E' && (l = tp_log_reserve(s->log, TP_LOG_FILL)) != NULL) {
		l->hdr.exch_ns = r->ts_ns;
		l->u.fill = (struct tp_log_fill){ .client_id = r->user_ref_num,
						  .stock_locate = r->locate, .side = r->side,
						  .price = r->price, .qty = r->qty };
		tp_log_commit(s->log);
	} else if (r->type == 'J' && (l = tp_log_reserve(s->log, TP_LOG_REJECT)) != NULL) {
		l->hdr.exch_ns = r->ts_ns;
		l->u.reject = (struct tp_log_reject){ .client_id = r->user_ref_num,
						      .stock_locate = r->locate, .side = r->side,
						      .source = 'X', .price = r->price,
						      .qty = r->qty };
		tp_log_commit(s->log);
	}
}

/* Fills and cancels of the simulated exchange, back to the gateway and the maker. */
static void reports(struct tp_strat *s)
{
	struct tp_exec_report rep[32];
	uint32_t n;
	while ((n = tp_simex_reports(s->sx, rep, 32)) > 0) {
		for (uint32_t i = 0; i < n; i++) {
			if (s->log)
				log_report(s, &rep[i]);
			tp_gw_on_report(s->gw, &rep[i]);
			if (s->mm)
				tp_mm_on_report(s->mm, &rep[i]);
		}
	}
}

static inline int is_book(uint8_t kind)
{
	return kind == TP_EV_ADD || kind == TP_EV_EXECUTE || kind == TP_EV_CANCEL ||
	       kind == TP_EV_DELETE || kind == TP_EV_REPLACE;
}

/* ---- per event ------------------------------------------------------------------------ */

void tp_strat_on_event(struct tp_strat *s, const struct tp_event *ev)
{
	int timed = ev->kind != TP_EV_GAP; /* a gap carries no exchange time */
	/* The rules first: a halt this event causes is seen by the gateway (and its mass
	 * cancel is out) before anything else is spent on the event. Nothing the rules decide
	 * depends on what follows, so the order changes no result, only the latency. */
	if (__builtin_expect(ev->feed_id >= s->n_cep, 0))
		s->bad_feed++;
	else if (__builtin_expect(tp_cep_on_event(s->cep[ev->feed_id], ev) != 0, 0))
		fired(s, timed ? ev->exch_ts_ns : s->last_exch_ns, ev->rx_tsc);
	if (timed) {
		s->last_exch_ns = ev->exch_ts_ns;
		if (ev->rx_tsc)
			s->last_tsc = ev->rx_tsc;
	}
	if (!s->gw)
		return;
	if (__builtin_expect(ev->kind == TP_EV_STATUS && ev->msg_type == 'R', 0))
		on_directory(s, ev);
	if (timed && s->trade_feed == (int)ev->feed_id) {
		/* The exchange: orders due by this event's time arrive, then the event is
		 * applied (fills of resting orders), and the reports go back. */
		if (s->sx) {
			tp_simex_on_event(s->sx, ev);
			reports(s);
		}
		tp_risk_on_event(s->risk, ev);
		if (s->mm) {
			tp_mm_on_event(s->mm, ev);
		} else if (s->mm_state == TP_MM_PENDING && is_book(ev->kind)) {
			start_mm(s);
			if (s->mm)
				tp_mm_on_event(s->mm, ev);
		}
		tp_gw_poll(s->gw, ev->exch_ts_ns);
	}
	if (!tp_ring_empty(s->egress))
		egress(s);
}

void tp_strat_turn(struct tp_strat *s, uint64_t now_tsc, int idle)
{
	if (s->rx_drops) {
		uint64_t d = 0;
		for (unsigned i = 0; i < s->n_rx; i++)
			d += __atomic_load_n(s->rx_drops[i], __ATOMIC_RELAXED);
		if (d > s->drops_seen) {
			uint64_t lost = d - s->drops_seen;
			s->drops_seen = d;
			/* Which feeds lost events is not known: the first feed's engine reports
			 * it (an overflow rule halts everything anyway). */
			if (tp_cep_on_overflow(s->cep[0], lost, s->last_exch_ns))
				fired(s, s->last_exch_ns, 0);
		}
		/* No event for a while: the exchange clock is the last event's time plus the
		 * TSC since it arrived (no time zone to know), for silence and durations. */
		if (idle && s->last_tsc && now_tsc >= s->next_tick_tsc && now_tsc > s->last_tsc) {
			uint64_t est = s->last_exch_ns +
				       (uint64_t)((double)(now_tsc - s->last_tsc) * s->ns_per_cycle);
			unsigned f = 0;
			for (unsigned i = 0; i < s->n_cep; i++)
				f += tp_cep_tick(s->cep[i], est);
			if (f)
				fired(s, est, 0);
			s->next_tick_tsc = now_tsc + s->tick_cycles;
		}
	}
	drain_alerts(s);
	if (s->gw) {
		tp_gw_poll(s->gw, s->last_exch_ns);
		if (!tp_ring_empty(s->egress))
			egress(s);
	}
}

void tp_strat_finish(struct tp_strat *s)
{
	drain_alerts(s);
	if (s->gw) {
		tp_gw_poll(s->gw, s->last_exch_ns);
		if (s->sx)
			reports(s);
		if (!tp_ring_empty(s->egress))
			egress(s);
	}
}

uint32_t tp_strat_halts_measured(const struct tp_strat *s)
{
	return __atomic_load_n(&s->n_halt_samples, __ATOMIC_ACQUIRE);
}

uint64_t tp_strat_rule_fired(const struct tp_strat *s, unsigned rule)
{
	uint64_t n = 0;
	for (unsigned f = 0; f < s->n_cep; f++) {
		struct tp_cep_rule_stats rs;
		if (tp_cep_rule_stats(s->cep[f], rule, &rs) == 0)
			n += rs.fired;
	}
	return n;
}

const char *tp_strat_rule_name(const struct tp_strat *s, unsigned rule, char *buf, size_t len)
{
	struct tp_cep_rule_stats rs;
	if (s->n_cep && tp_cep_rule_stats(s->cep[0], rule, &rs) == 0)
		snprintf(buf, len, "%s", rs.name);
	else
		snprintf(buf, len, "rule%u", rule);
	return buf;
}

const char *tp_strat_symbol(const struct tp_strat *s, uint16_t feed_id, uint16_t locate,
			    char *buf, size_t len)
{
	const char *name = feed_id < s->n_feeds ? tp_feed_symbol(s->feeds[feed_id], locate) : NULL;
	if (name)
		snprintf(buf, len, "%.*s", (int)sym_len(name), name);
	else
		snprintf(buf, len, "#%u", locate);
	return buf;
}
