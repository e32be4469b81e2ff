#include "report_strat.h"

#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>

#include "latency.h"

void tp_dp_json_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

/* ---- halts: the CEP's and the others', in time order ---------------------------------- */

struct halt_row {
	uint64_t ts, seq;
	unsigned feed;
	char symbol[24];
	char rule[40];
};

/* Feed whose stock directory names the kill-switch's locates: the maker's, else the first. */
static uint16_t ks_feed(const struct tp_pipeline *pl)
{
	const struct tp_strat *s = pl->strat;
	return s && s->trade_feed >= 0 ? (uint16_t)s->trade_feed : 0;
}

/* Exchange time, then feed, sequence and rule: a total order, so the list is the same
 * whichever RX ring the consumer happened to drain first. */
static int halt_cmp(const void *a, const void *b)
{
	const struct halt_row *x = a, *y = b;
	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	if (x->feed != y->feed)
		return x->feed < y->feed ? -1 : 1;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	return strcmp(x->rule, y->rule);
}

static struct halt_row *collect_halts(const struct tp_pipeline *pl, size_t *n_out)
{
	const struct tp_strat *s = pl->strat;
	const struct tp_ks_ctl *k = &pl->ksc;
	*n_out = 0;
	if (!s)
		return NULL;
	size_t cap = (size_t)s->n_halts + k->n_audit + 1, n = 0;
	struct halt_row *v = calloc(cap, sizeof(*v));
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < s->n_halts; i++) {
		const struct tp_strat_halt *h = &s->halts[i];
		struct halt_row *r = &v[n++];
		r->ts = h->exch_ts_ns;
		r->seq = h->seq;
		if (h->global)
			snprintf(r->symbol, sizeof(r->symbol), "*");
		else
			tp_strat_symbol(s, h->feed_id, h->locate, r->symbol, sizeof(r->symbol));
		tp_strat_rule_name(s, h->rule_id, r->rule, sizeof(r->rule));
		r->feed = h->feed_id;
	}
	size_t n_cep = n;
	for (unsigned i = 0; i < k->n_audit; i++) {
		const struct tp_ks_audit_rec *a = &k->audit[i];
		if (!a->new_halted || a->old_halted || !strncmp(a->who, "cep:", 4) ||
		    !strcmp(a->who, "restore"))
			continue;
		struct halt_row *r = &v[n++];
		r->ts = a->ts_ns;
		r->seq = 0;
		r->feed = ks_feed(pl);
		if (a->scope == TP_KS_GLOBAL)
			snprintf(r->symbol, sizeof(r->symbol), "*");
		else
			tp_strat_symbol(s, ks_feed(pl), a->locate, r->symbol, sizeof(r->symbol));
		snprintf(r->rule, sizeof(r->rule), "%s", a->who);
	}
	(void)n_cep;
	qsort(v, n, sizeof(*v), halt_cmp);
	*n_out = n;
	return v;
}

void tp_report_halts_json(const struct tp_pipeline *pl, FILE *out)
{
	size_t n;
	struct halt_row *v = collect_halts(pl, &n);
	fputc('[', out);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ",{\"symbol\":" : "{\"symbol\":", out);
		tp_dp_json_str(out, v[i].symbol);
		fputs(",\"rule\":", out);
		tp_dp_json_str(out, v[i].rule);
		fprintf(out, ",\"exchange_ts_ns\":%llu,\"seq\":%llu}", (unsigned long long)v[i].ts,
			(unsigned long long)v[i].seq);
	}
	fputc(']', out);
	free(v);
}

void tp_report_alerts_json(const struct tp_pipeline *pl, FILE *out)
{
	const struct tp_strat *s = pl->strat;
	fputc('{', out);
	int first = 1;
	for (unsigned i = 0; s && i < s->n_rules; i++) {
		uint64_t fired = tp_strat_rule_fired(s, i);
		if (!fired)
			continue;
		char name[TP_CEP_NAME_MAX];
		fputs(first ? "" : ",", out);
		tp_dp_json_str(out, tp_strat_rule_name(s, i, name, sizeof(name)));
		fprintf(out, ":%llu", (unsigned long long)fired);
		first = 0;
	}
	fputc('}', out);
}

/* ---- the kill-switch ------------------------------------------------------------------- */

static void json_sym_list(const struct tp_pipeline *pl, FILE *out, const uint16_t *loc,
			  unsigned n)
{
	fputc('[', out);
	for (unsigned i = 0; i < n; i++) {
		char buf[24];
		fputs(i ? "," : "", out);
		tp_dp_json_str(out, tp_strat_symbol(pl->strat, ks_feed(pl), loc[i], buf, sizeof(buf)));
	}
	fputc(']', out);
}

/* Symbols halted now (at most max listed), and whether everything is. */
static unsigned halted_now(const struct tp_pipeline *pl, uint16_t *loc, unsigned max, int *global)
{
	const struct tp_killswitch *ks = pl->ksc.ks;
	unsigned n = 0;
	*global = tp_ks_word_halted(tp_ks_word(ks, TP_KS_GLOBAL, 0));
	for (uint32_t l = 0; l < TP_KS_NSYMBOLS; l++)
		if (tp_ks_word_halted(tp_ks_word(ks, TP_KS_SYMBOL, (uint16_t)l)) && n < max)
			loc[n++] = (uint16_t)l;
	return n;
}

/* What the state file brought back (the "restore" audit records). */
static unsigned restored(const struct tp_pipeline *pl, uint16_t *loc, unsigned max, int *global)
{
	const struct tp_ks_ctl *k = &pl->ksc;
	unsigned n = 0;
	*global = 0;
	for (unsigned i = 0; i < k->n_audit; i++) {
		const struct tp_ks_audit_rec *a = &k->audit[i];
		if (strcmp(a->who, "restore") != 0 || !a->new_halted)
			continue;
		if (a->scope == TP_KS_GLOBAL)
			*global = 1;
		else if (n < max)
			loc[n++] = a->locate;
	}
	return n;
}

#define LIST_MAX 256u

static void killswitch_json(const struct tp_pipeline *pl, FILE *out)
{
	static uint16_t loc[LIST_MAX];
	int g;
	fputs("\"killswitch\":{\"state_file\":", out);
	if (pl->ksc.path[0])
		tp_dp_json_str(out, pl->ksc.path);
	else
		fputs("null", out);
	unsigned n = restored(pl, loc, LIST_MAX, &g);
	fprintf(out, ",\"restored_global\":%s,\"restored_symbols\":", g ? "true" : "false");
	json_sym_list(pl, out, loc, n);
	n = halted_now(pl, loc, LIST_MAX, &g);
	fprintf(out, ",\"global_halted\":%s,\"symbols_halted\":", g ? "true" : "false");
	json_sym_list(pl, out, loc, n);
	fputc('}', out);
}

/* ---- strategy --------------------------------------------------------------------------- */

static const char *mm_state_name(enum tp_strat_mm_state m)
{
	switch (m) {
	case TP_MM_PENDING: return "waiting";
	case TP_MM_RUNNING: return "running";
	case TP_MM_FAILED: return "failed";
	default: return "off";
	}
}

struct acct {
	struct tp_gw_stats gw;
	struct tp_bt_report bt;   /* replay: the simulated exchange's account */
	int have_bt;
};

static void gather(const struct tp_strat *s, struct acct *a)
{
	memset(a, 0, sizeof(*a));
	tp_gw_stats(s->gw, &a->gw);
	if (s->sx) {
		tp_simex_report(s->sx, s->gw, &a->bt);
		a->have_bt = 1;
	}
}

static const struct tp_bt_symbol *bt_sym(const struct acct *a, uint16_t locate)
{
	for (uint32_t i = 0; a->have_bt && i < a->bt.nsymbols; i++)
		if (a->bt.sym[i].locate == locate)
			return &a->bt.sym[i];
	return NULL;
}

void tp_report_strategy_json(const struct tp_pipeline *pl, FILE *out)
{
	const struct tp_strat *s = pl->strat;
	if (!s || !s->gw)
		return;
	static struct acct a;
	gather(s, &a);
	const struct tp_gw_stats *g = &a.gw;
	fprintf(out,
		",\"strategy\":{\"market_maker\":{\"state\":\"%s\",\"size\":%u,\"offset_ticks\":%u,"
		"\"tick\":%u},\"orders_sent\":%llu,\"cancels_sent\":%llu,\"blocked_by_halt\":%llu,"
		"\"rejected\":%llu,\"rejected_by\":{",
		mm_state_name(s->mm_state), s->mm_size, s->mm_offset, s->mm_tick,
		(unsigned long long)g->orders_sent, (unsigned long long)g->cancels_sent,
		(unsigned long long)g->blocked_by_halt, (unsigned long long)g->rejected);
	int first = 1;
	for (unsigned r = 1; r < TP_RISK_R_COUNT; r++) {
		if (!g->rejected_by[r])
			continue;
		fputs(first ? "" : ",", out);
		tp_dp_json_str(out, tp_risk_reason_name((enum tp_risk_reason)r));
		fprintf(out, ":%llu", (unsigned long long)g->rejected_by[r]);
		first = 0;
	}
	fprintf(out,
		"},\"mass_cancels\":%llu,\"mass_cancel_orders\":%llu,\"fills\":%llu,"
		"\"fill_qty\":%llu,\"working\":%u",
		(unsigned long long)g->mass_cancels, (unsigned long long)g->mass_cancel_orders,
		(unsigned long long)g->fills, (unsigned long long)g->fill_qty, g->working);
	if (a.have_bt)
		fprintf(out, ",\"pnl\":{\"cash\":%lld,\"realized\":%lld,\"unrealized\":%lld,\"total\":%lld}",
			(long long)a.bt.cash, (long long)a.bt.realized, (long long)a.bt.unrealized,
			(long long)a.bt.pnl);
	fputs(",\"symbols\":{", out);
	first = 1;
	for (unsigned i = 0; i < s->n_sym; i++) {
		const struct tp_strat_sym *y = &s->sym[i];
		if (!y->resolved)
			continue;
		fputs(first ? "" : ",", out);
		first = 0;
		tp_dp_json_str(out, y->name);
		const struct tp_bt_symbol *b = bt_sym(&a, y->locate);
		long long pos = b ? (long long)b->position : (long long)tp_risk_position(s->risk, y->locate);
		fprintf(out,
			":{\"locate\":%u,\"orders\":%llu,\"cancels\":%llu,\"orders_while_halted\":%llu,"
			"\"cancels_while_halted\":%llu,\"position\":%lld,\"fills\":%llu,"
			"\"realized\":%lld,\"unrealized\":%lld,\"halted\":%s}",
			y->locate, (unsigned long long)y->orders, (unsigned long long)y->cancels,
			(unsigned long long)y->orders_halted, (unsigned long long)y->cancels_halted, pos,
			(unsigned long long)(b ? b->fills : 0), (long long)(b ? b->realized : 0),
			(long long)(b ? b->unrealized : 0),
			tp_ks_blocked(pl->ksc.ks, y->locate) ? "true" : "false");
	}
	fputs("},\"unresolved\":[", out);
	first = 1;
	for (unsigned i = 0; i < s->n_sym; i++) {
		if (s->sym[i].resolved)
			continue;
		fputs(first ? "" : ",", out);
		first = 0;
		tp_dp_json_str(out, s->sym[i].name);
	}
	fputs("],", out);
	killswitch_json(pl, out);
	fputc('}', out);
}

/* ---- text --------------------------------------------------------------------------------- */

/* Time of day: exchange stamps are ns since midnight already; the kill-switch stamps
 * operator actions with the wall clock (ns since the epoch), whose day part we drop (UTC). */
static const char *tod(uint64_t ns, char *buf, size_t len)
{
	ns %= 86400ull * 1000000000u;
	uint64_t s = ns / 1000000000u;
	snprintf(buf, len, "%02llu:%02llu:%02llu.%09llu", (unsigned long long)(s / 3600),
		 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60),
		 (unsigned long long)(ns % 1000000000u));
	return buf;
}

/* Money in price units times shares, as dollars for ITCH (1/10000 USD). */
static const char *usd(int64_t v, char *buf, size_t len)
{
	uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(buf, len, "%s%llu.%04llu", v < 0 ? "-" : "", (unsigned long long)(m / 10000u),
		 (unsigned long long)(m % 10000u));
	return buf;
}

static void text_killswitch(const struct tp_pipeline *pl, FILE *out)
{
	const struct tp_ks_ctl *k = &pl->ksc;
	static uint16_t loc[LIST_MAX];
	char b1[24], t[32];
	int g;
	fprintf(out, "kill-switch: %s%s\n", k->path[0] ? "state file " : "in memory (no state file)",
		k->path);
	if (k->corrupt)
		fprintf(out, "  state file not trusted: %s\n", k->load_err);
	unsigned n = restored(pl, loc, LIST_MAX, &g);
	if (g || n) {
		fprintf(out, "  restored halted from the state file:%s", g ? " everything" : "");
		for (unsigned i = 0; i < n; i++)
			fprintf(out, " %s", tp_strat_symbol(pl->strat, ks_feed(pl), loc[i], b1, sizeof(b1)));
		fputc('\n', out);
	}
	n = halted_now(pl, loc, LIST_MAX, &g);
	fprintf(out, "  now: %s, %u symbol%s halted", g ? "HALTED globally" : "global running", n,
		n == 1 ? "" : "s");
	for (unsigned i = 0; i < n && i < 16; i++)
		fprintf(out, "%s%s", i ? ", " : ": ",
			tp_strat_symbol(pl->strat, ks_feed(pl), loc[i], b1, sizeof(b1)));
	fputs(n > 16 ? ", ...\n" : "\n", out);
	if (k->persist_err[0])
		fprintf(out, "  persisting FAILED: %s\n", k->persist_err);
	fprintf(out, "  audit: %llu record%s\n", (unsigned long long)k->audit_total,
		k->audit_total == 1 ? "" : "s");
	for (unsigned i = 0; i < k->n_audit && i < 32; i++) {
		const struct tp_ks_audit_rec *a = &k->audit[i];
		fprintf(out, "    %s  %-6s %-8s by %-22s reason %s (%u), epoch %u%s%s\n",
			tod(a->ts_ns, t, sizeof(t)), a->new_halted ? "halt" : "resume",
			a->scope == TP_KS_GLOBAL
				? "*"
				: tp_strat_symbol(pl->strat, ks_feed(pl), a->locate, b1, sizeof(b1)),
			a->who, tp_ks_reason_name(a->reason), a->reason, a->epoch,
			a->note[0] ? ": " : "", a->note);
	}
	if (k->audit_total > 32)
		fprintf(out, "    ... %llu more\n", (unsigned long long)(k->audit_total - 32));
}

static void text_strategy(const struct tp_pipeline *pl, FILE *out)
{
	const struct tp_strat *s = pl->strat;
	static struct acct a;
	gather(s, &a);
	const struct tp_gw_stats *g = &a.gw;
	char b1[32], b2[32], b3[32];
	fprintf(out, "strategy: market maker %s on", mm_state_name(s->mm_state));
	for (unsigned i = 0; i < s->n_sym; i++)
		fprintf(out, "%s%s", i ? ", " : " ", s->sym[i].name);
	fprintf(out, " (size %u, %u tick%s of %u off the BBO)\n", s->mm_size, s->mm_offset,
		s->mm_offset == 1 ? "" : "s", s->mm_tick);
	if (s->mm_state == TP_MM_FAILED)
		fprintf(out, "  not started: %s\n", s->mm_err);
	fprintf(out,
		"  orders sent %llu, cancels sent %llu (mass cancels %llu: %llu orders), blocked by "
		"halt %llu, rejected %llu",
		(unsigned long long)g->orders_sent, (unsigned long long)g->cancels_sent,
		(unsigned long long)g->mass_cancels, (unsigned long long)g->mass_cancel_orders,
		(unsigned long long)g->blocked_by_halt, (unsigned long long)g->rejected);
	int any = 0;
	for (unsigned r = 1; r < TP_RISK_R_COUNT; r++) {
		if (!g->rejected_by[r])
			continue;
		fprintf(out, "%s%s %llu", any ? ", " : " (", tp_risk_reason_name((enum tp_risk_reason)r),
			(unsigned long long)g->rejected_by[r]);
		any = 1;
	}
	fprintf(out, "%s, working %u\n", any ? ")" : "", g->working);
	if (a.have_bt)
		fprintf(out, "  fills %llu (%llu shares); P&L realized %s, unrealized %s, total %s USD\n",
			(unsigned long long)g->fills, (unsigned long long)g->fill_qty,
			usd(a.bt.realized, b1, sizeof(b1)), usd(a.bt.unrealized, b2, sizeof(b2)),
			usd(a.bt.pnl, b3, sizeof(b3)));
	else
		fprintf(out, "  no order-entry session: no fills (orders stay working)\n");
	for (unsigned i = 0; i < s->n_sym; i++) {
		const struct tp_strat_sym *y = &s->sym[i];
		if (!y->resolved) {
			fprintf(out, "  %-8s not in the stock directory%s\n", y->name,
				y->late ? " before the maker started" : "");
			continue;
		}
		const struct tp_bt_symbol *b = bt_sym(&a, y->locate);
		long long pos = b ? (long long)b->position : (long long)tp_risk_position(s->risk, y->locate);
		fprintf(out,
			"  %-8s locate %u: orders %llu, cancels %llu; while halted: orders %llu, "
			"cancels %llu; position %lld",
			y->name, y->locate, (unsigned long long)y->orders, (unsigned long long)y->cancels,
			(unsigned long long)y->orders_halted, (unsigned long long)y->cancels_halted, pos);
		if (b)
			fprintf(out, ", fills %llu, realized %s, unrealized %s", (unsigned long long)b->fills,
				usd(b->realized, b1, sizeof(b1)), usd(b->unrealized, b2, sizeof(b2)));
		fputs(tp_ks_blocked(pl->ksc.ks, y->locate) ? "  HALTED\n" : "\n", out);
	}
	if (s->egress_unsent)
		fprintf(out, "  %llu messages had no egress port\n", (unsigned long long)s->egress_unsent);
	if (s->tx)
		fprintf(out, "  egress port %u: %llu frames (%llu bytes), %llu dropped\n", s->tx->port_id,
			(unsigned long long)s->tx->frames, (unsigned long long)s->tx->bytes,
			(unsigned long long)s->tx->dropped);
}

void tp_report_strategy_text(const struct tp_pipeline *pl, FILE *out)
{
	const struct tp_strat *s = pl->strat;
	if (!s)
		return;
	size_t n;
	struct halt_row *v = collect_halts(pl, &n);
	char t[32];
	fprintf(out, "halts: %zu%s\n", n, s->halts_lost ? " (more were not kept)" : "");
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(out, "  %-10s rule %-16s exchange time %s  seq %llu\n", v[i].symbol, v[i].rule,
			tod(v[i].ts, t, sizeof(t)), (unsigned long long)v[i].seq);
	if (n > 64)
		fprintf(out, "  ... %zu more\n", n - 64);
	free(v);
	fputs("alerts:", out);
	int any = 0;
	for (unsigned i = 0; i < s->n_rules; i++) {
		uint64_t fired = tp_strat_rule_fired(s, i);
		if (!fired)
			continue;
		char name[TP_CEP_NAME_MAX];
		fprintf(out, "%s%s %llu", any ? ", " : " ", tp_strat_rule_name(s, i, name, sizeof(name)),
			(unsigned long long)fired);
		any = 1;
	}
	fprintf(out, "%s (%u rule%s)\n", any ? "" : " none", s->n_rules, s->n_rules == 1 ? "" : "s");
	text_killswitch(pl, out);
	if (s->gw)
		text_strategy(pl, out);
}

void tp_report_halt_latency_text(const struct tp_pipeline *pl, FILE *out)
{
	const struct tp_strat *s = pl->strat;
	if (!s || !s->halt_lat->count)
		return;
	struct tp_lat_summary h;
	tp_lat_summarize(s->halt_lat, rte_get_tsc_hz(), &h);
	fprintf(out, "  rx_to_halt     %9llu %9llu %9llu %9llu %9llu\n", (unsigned long long)h.p50,
		(unsigned long long)h.p99, (unsigned long long)h.p999, (unsigned long long)h.max,
		(unsigned long long)h.count);
}
