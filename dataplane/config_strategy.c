/* The strategy sections of the INI file (see config_strategy.h and dataplane/tickpipe.ini).
 * Same rules as the rest of the loader: every value checked, every mistake one
 * "FILE:LINE: reason" line, nothing half-configured. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_priv.h"
#include "netaddr.h"

#define NS_PER_S 1000000000ull

void tp_cfg_strat_defaults(struct tp_cfg_strat *s)
{
	memset(s, 0, sizeof(*s));
	s->rules.defaults = 1;
	s->rules.max_symbols = TP_CFG_CEP_SYMBOLS_DEFAULT;
	tp_risk_limits_init(&s->risk.lim);
	s->mm.size = 100;
	s->mm.offset_ticks = 1;
	s->mm.tick = 100;
	s->gw.max_orders = 4096;
	s->gw.tif = '0';
	memset(s->gw.dst_mac, 0xff, sizeof(s->gw.dst_mac));
	s->simex.latency_ns = 50000;
	s->simex.max_orders = 4096;
}

static int parse_onoff(const char *v, int *out)
{
	if (!strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "yes")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(v, "off") || !strcmp(v, "false") || !strcmp(v, "no")) {
		*out = 0;
		return 0;
	}
	return -1;
}

#define ONOFF(x, sec, k, v, out)                                                             \
	do {                                                                                 \
		if (parse_onoff((v), (out)) != 0)                                            \
			TP_CFG_FAIL((x), (sec), (k), "%s must be on or off, not '%s'", (k), (v)); \
	} while (0)

/* A duration with its unit, as the rules take them (tp_cep_parse_duration). */
static int duration(struct tp_cfg_ctx *x, const char *sec, const char *k, const char *v,
		    uint64_t min_ns, uint64_t *out)
{
	uint64_t ns;
	if (tp_cep_parse_duration(v, &ns) != 0)
		TP_CFG_FAIL(x, sec, k, "%s must be a duration with a unit (e.g. 250us, 10ms, 1s), not '%s'",
			    k, v);
	if (ns < min_ns)
		TP_CFG_FAIL(x, sec, k, "%s must be at least %llu ns, not '%s'", k,
			    (unsigned long long)min_ns, v);
	*out = ns;
	return 0;
}

static int check_state_file(struct tp_cfg_ctx *x, const char *sec, const char *k, const char *v)
{
	char dir[TP_DP_PATH_LEN];
	snprintf(dir, sizeof(dir), "%s", v);
	char *slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	struct stat st;
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		TP_CFG_FAIL(x, sec, k, "%s '%s': directory %s does not exist", k, v, dir);
	if (stat(v, &st) == 0 && !S_ISREG(st.st_mode))
		TP_CFG_FAIL(x, sec, k, "%s '%s' exists and is not a regular file", k, v);
	return 0;
}

/* ---- [rules], [rule.NAME] ------------------------------------------------------------- */

int tp_cfg_load_rules(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_cfg_rules *R = &x->c->strat.rules;
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		uint64_t u;
		if (!strcmp(k, "defaults")) {
			ONOFF(x, sec, k, v, &R->defaults);
		} else if (!strcmp(k, "max_symbols")) {
			if (tp_cfg_num(x, sec, k, v, 1, TP_CEP_MAX_GROUPS, &u) != 0)
				return -1;
			R->max_symbols = (uint32_t)u;
			R->max_symbols_line = tp_cfg_where(x, sec, k);
		} else {
			TP_CFG_FAIL(x, sec, k, "unknown key '%s' in [rules] (known: defaults, max_symbols)",
				    k);
		}
	}
	return 0;
}

/* tp_cep_rule_parse names the key at fault as "key 'NAME'": its line is the best place to
 * point at (the section header otherwise). */
static void key_named(const char *why, char *key, size_t len)
{
	key[0] = '\0';
	const char *p = strstr(why, "key '");
	if (!p)
		return;
	p += 5;
	const char *q = strchr(p, '\'');
	if (!q || (size_t)(q - p) >= len)
		return;
	memcpy(key, p, (size_t)(q - p));
	key[q - p] = '\0';
}

int tp_cfg_load_rule(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_cfg_rules *R = &x->c->strat.rules;
	if (R->n == TP_CEP_MAX_RULES)
		TP_CFG_FAIL(x, sec, NULL, "too many [rule.NAME] sections (at most %d)",
			    TP_CEP_MAX_RULES);
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	const char *keys[TP_CFG_MAX_KEYS], *vals[TP_CFG_MAX_KEYS];
	for (int i = 0; i < n; i++) {
		keys[i] = e[i].name;
		vals[i] = e[i].value;
	}
	char why[512];
	if (tp_cep_rule_parse(&R->def[R->n], sec + 5, keys, vals, n, why, sizeof(why)) != 0) {
		char key[CFG_NAME_LEN];
		key_named(why, key, sizeof(key));
		int kl = key[0] ? tp_cfg_index_line(&x->c->index, sec, key) : 0;
		TP_CFG_FAIL(x, sec, kl ? key : NULL, "%s", why);
	}
	R->line[R->n++] = tp_cfg_where(x, sec, NULL);
	return 0;
}

/* ---- [risk] --------------------------------------------------------------------------- */

/* "N/DURATION" (N rejects within DURATION), or "0" = never. */
static int escalation(struct tp_cfg_ctx *x, const char *sec, const char *k, const char *v,
		      struct tp_risk_escalation *out)
{
	if (!strcmp(v, "0")) {
		*out = (struct tp_risk_escalation){ 0 };
		return 0;
	}
	char buf[CFG_VALUE_LEN];
	snprintf(buf, sizeof(buf), "%s", v);
	char *slash = strchr(buf, '/');
	uint64_t cnt, win;
	if (slash)
		*slash = '\0';
	if (!slash || tp_cfg_parse_u64(buf, 1, TP_RISK_MAX_ESCALATE, &cnt) != 0 ||
	    tp_cep_parse_duration(slash + 1, &win) != 0 || win == 0)
		TP_CFG_FAIL(x, sec, k,
			    "%s must be COUNT/WINDOW (COUNT 1 to %u rejects within a duration such "
			    "as 1s) or 0 (never), not '%s'",
			    k, TP_RISK_MAX_ESCALATE, v);
	out->count = (uint32_t)cnt;
	out->window_ns = win;
	return 0;
}

/* Escalation key of a reject reason: "escalate_" + its name with '_' for '-'. */
static void esc_key(unsigned reason, char *buf, size_t len)
{
	snprintf(buf, len, "escalate_%s", tp_risk_reason_name((enum tp_risk_reason)reason));
	for (char *p = buf; *p; p++)
		if (*p == '-')
			*p = '_';
}

int tp_cfg_load_risk(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_cfg_risk *R = &x->c->strat.risk;
	struct tp_risk_limits *L = &R->lim;
	R->present = 1;
	R->line = tp_cfg_where(x, sec, NULL);
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	int have_rate_n = 0, have_rate_w = 0, have_fills_n = 0, have_fills_w = 0;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		uint64_t u;
		if (!strcmp(k, "max_order_qty")) {
			if (tp_cfg_num(x, sec, k, v, 1, UINT32_MAX, &u) != 0)
				return -1;
			L->max_order_qty = (uint32_t)u;
			L->set |= TP_RISK_L_MAX_QTY;
		} else if (!strcmp(k, "max_order_notional")) {
			if (tp_cfg_num(x, sec, k, v, 1, UINT64_MAX, &u) != 0)
				return -1;
			L->max_order_notional = u;
			L->set |= TP_RISK_L_MAX_NOTIONAL;
		} else if (!strcmp(k, "collar_bps")) {
			if (tp_cfg_num(x, sec, k, v, 0, 10000, &u) != 0)
				return -1;
			L->collar_bps = (uint32_t)u;
			L->set |= TP_RISK_L_COLLAR;
		} else if (!strcmp(k, "max_position")) {
			if (tp_cfg_num(x, sec, k, v, 0, UINT32_MAX, &u) != 0)
				return -1;
			L->max_position = (uint32_t)u;
			L->set |= TP_RISK_L_POSITION;
		} else if (!strcmp(k, "max_gross_notional")) {
			if (tp_cfg_num(x, sec, k, v, 0, UINT64_MAX, &u) != 0)
				return -1;
			L->max_gross_notional = u;
			L->set |= TP_RISK_L_CREDIT;
		} else if (!strcmp(k, "rate_max_orders")) {
			if (tp_cfg_num(x, sec, k, v, 1, TP_RISK_MAX_RATE, &u) != 0)
				return -1;
			L->rate_max_orders = (uint32_t)u;
			have_rate_n = 1;
		} else if (!strcmp(k, "rate_window")) {
			if (duration(x, sec, k, v, 1, &L->rate_window_ns) != 0)
				return -1;
			have_rate_w = 1;
		} else if (!strcmp(k, "dup_window")) {
			if (duration(x, sec, k, v, 0, &L->dup_window_ns) != 0)
				return -1;
			L->set |= TP_RISK_L_DUPLICATE;
		} else if (!strcmp(k, "max_fills")) {
			if (tp_cfg_num(x, sec, k, v, 0, TP_RISK_MAX_FILLS - 1, &u) != 0)
				return -1;
			L->max_fills = (uint32_t)u;
			have_fills_n = 1;
		} else if (!strcmp(k, "fills_window")) {
			if (duration(x, sec, k, v, 1, &L->fills_window_ns) != 0)
				return -1;
			have_fills_w = 1;
		} else if (!strcmp(k, "stale")) {
			if (duration(x, sec, k, v, 1, &L->stale_ns) != 0)
				return -1;
			L->set |= TP_RISK_L_STALE;
		} else if (!strcmp(k, "escalate_scope")) {
			if (!strcmp(v, "symbol"))
				L->escalate_symbol_scope = 1;
			else if (!strcmp(v, "global"))
				L->escalate_symbol_scope = 0;
			else
				TP_CFG_FAIL(x, sec, k, "escalate_scope must be symbol or global, not '%s'",
					    v);
		} else if (!strncmp(k, "escalate_", 9)) {
			unsigned r;
			char want[64];
			for (r = 1; r < TP_RISK_R_COUNT; r++) {
				esc_key(r, want, sizeof(want));
				if (!strcmp(k, want))
					break;
			}
			if (r == TP_RISK_R_COUNT)
				TP_CFG_FAIL(x, sec, k,
					    "unknown key '%s' in [risk] (escalate_REASON with REASON one "
					    "of bad_order, unconfigured, stale_data, max_qty, "
					    "max_notional, price_collar, no_reference, position, credit, "
					    "duplicate, rate, repeated_exec, capacity, internal)",
					    k);
			if (escalation(x, sec, k, v, &L->escalate[r]) != 0)
				return -1;
		} else {
			TP_CFG_FAIL(x, sec, k,
				    "unknown key '%s' in [risk] (known: max_order_qty, "
				    "max_order_notional, collar_bps, max_position, max_gross_notional, "
				    "rate_max_orders, rate_window, dup_window, max_fills, fills_window, "
				    "stale, escalate_REASON, escalate_scope)",
				    k);
		}
	}
	if (have_rate_n != have_rate_w)
		TP_CFG_FAIL(x, sec, have_rate_n ? "rate_max_orders" : "rate_window",
			    "rate_max_orders and rate_window go together: set both or neither");
	if (have_rate_n)
		L->set |= TP_RISK_L_RATE;
	if (have_fills_n != have_fills_w)
		TP_CFG_FAIL(x, sec, have_fills_n ? "max_fills" : "fills_window",
			    "max_fills and fills_window go together: set both or neither");
	if (have_fills_n)
		L->set |= TP_RISK_L_REPEATED_EXEC;
	return 0;
}

void tp_cfg_risk_unset(const struct tp_risk_limits *lim, char *buf, size_t len)
{
	static const struct {
		uint32_t bit;
		const char *keys;
	} t[] = {
		{ TP_RISK_L_MAX_QTY, "max_order_qty" },
		{ TP_RISK_L_MAX_NOTIONAL, "max_order_notional" },
		{ TP_RISK_L_COLLAR, "collar_bps" },
		{ TP_RISK_L_POSITION, "max_position" },
		{ TP_RISK_L_CREDIT, "max_gross_notional" },
		{ TP_RISK_L_RATE, "rate_max_orders/rate_window" },
		{ TP_RISK_L_DUPLICATE, "dup_window" },
		{ TP_RISK_L_REPEATED_EXEC, "max_fills/fills_window" },
		{ TP_RISK_L_STALE, "stale" },
	};
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		if (lim->set & t[i].bit)
			continue;
		int w = snprintf(buf + o, len - o, "%s%s", o ? ", " : "", t[i].keys);
		if (w < 0 || (size_t)w >= len - o)
			break;
		o += (size_t)w;
	}
}

/* ---- [strategy] ----------------------------------------------------------------------- */

static int parse_symbols(struct tp_cfg_ctx *x, const char *sec, const char *k, const char *v,
			 struct tp_cfg_mm *mm)
{
	char buf[CFG_VALUE_LEN];
	snprintf(buf, sizeof(buf), "%s", v);
	char *save = NULL;
	mm->n_symbols = 0;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		size_t l = strlen(t);
		while (l && (t[l - 1] == ' ' || t[l - 1] == '\t'))
			t[--l] = '\0';
		int ok = l >= 1 && l <= 8;
		for (size_t i = 0; ok && i < l; i++)
			ok = (t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= '0' && t[i] <= '9') ||
			     t[i] == '.' || t[i] == '-' || t[i] == '+' || t[i] == '=';
		if (!ok)
			TP_CFG_FAIL(x, sec, k,
				    "symbols: '%s' is not a symbol (1 to 8 of A-Z 0-9 . - + =, as the "
				    "stock directory spells it)",
				    t);
		for (unsigned j = 0; j < mm->n_symbols; j++)
			if (!strcmp(mm->symbols[j], t))
				TP_CFG_FAIL(x, sec, k, "symbols: %s is listed twice", t);
		if (mm->n_symbols == TP_MM_MAX_SYMBOLS)
			TP_CFG_FAIL(x, sec, k, "symbols: at most %u", TP_MM_MAX_SYMBOLS);
		snprintf(mm->symbols[mm->n_symbols++], TP_CFG_SYMBOL_LEN, "%s", t);
	}
	if (mm->n_symbols == 0)
		TP_CFG_FAIL(x, sec, k, "symbols is empty");
	return 0;
}

int tp_cfg_load_strategy(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_cfg_mm *mm = &x->c->strat.mm;
	mm->line = tp_cfg_where(x, sec, NULL);
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		uint64_t u;
		if (!strcmp(k, "market_maker")) {
			ONOFF(x, sec, k, v, &mm->on);
			mm->on_line = tp_cfg_where(x, sec, k);
		} else if (!strcmp(k, "symbols")) {
			if (parse_symbols(x, sec, k, v, mm) != 0)
				return -1;
		} else if (!strcmp(k, "size")) {
			if (tp_cfg_num(x, sec, k, v, 1, 1000000, &u) != 0)
				return -1;
			mm->size = (uint32_t)u;
		} else if (!strcmp(k, "offset_ticks")) {
			if (tp_cfg_num(x, sec, k, v, 0, 100000, &u) != 0)
				return -1;
			mm->offset_ticks = (uint32_t)u;
		} else if (!strcmp(k, "tick")) {
			if (tp_cfg_num(x, sec, k, v, 1, 1000000, &u) != 0)
				return -1;
			mm->tick = (uint32_t)u;
		} else {
			TP_CFG_FAIL(x, sec, k,
				    "unknown key '%s' in [strategy] (known: market_maker, symbols, "
				    "size, offset_ticks, tick)",
				    k);
		}
	}
	return 0;
}

/* ---- [killswitch] --------------------------------------------------------------------- */

int tp_cfg_load_killswitch(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_cfg_strat *s = &x->c->strat;
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		if (strcmp(k, "state_file") != 0)
			TP_CFG_FAIL(x, sec, k, "unknown key '%s' in [killswitch] (known: state_file)",
				    k);
		if (check_state_file(x, sec, k, v) != 0)
			return -1;
		snprintf(s->ks_state_file, sizeof(s->ks_state_file), "%s", v);
		s->ks_line = tp_cfg_where(x, sec, k);
	}
	return 0;
}

/* ---- [gateway] ------------------------------------------------------------------------ */

static int parse_mac(const char *s, uint8_t mac[6])
{
	unsigned v[6];
	char tail;
	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
		   &tail) != 6 || strlen(s) != 17)
		return -1;
	for (int i = 0; i < 6; i++)
		mac[i] = (uint8_t)v[i];
	return 0;
}

static int is_pci(const char *s)
{
	unsigned a, b, d, f;
	char tail;
	return sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &d, &f, &tail) == 4 ||
	       sscanf(s, "%2x:%2x.%1x%c", &b, &d, &f, &tail) == 3;
}

int tp_cfg_load_gateway(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_cfg_gateway *g = &x->c->strat.gw;
	g->line = tp_cfg_where(x, sec, NULL);
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	int have_src = 0;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		uint64_t u;
		const char *why;
		if (!strcmp(k, "port")) {
			if (tp_cfg_num(x, sec, k, v, 0, TP_DP_MAX_PORTS - 1, &u) != 0)
				return -1;
			g->has_port = 1;
			g->port = (unsigned)u;
			g->port_line = tp_cfg_where(x, sec, k);
		} else if (!strcmp(k, "dev")) {
			if (strchr(v, ' ') || strchr(v, '\t'))
				TP_CFG_FAIL(x, sec, k, "dev may not contain spaces");
			g->is_pci = is_pci(v);
			if (!g->is_pci && strncmp(v, "net_", 4) != 0)
				TP_CFG_FAIL(x, sec, k,
					    "dev must be a PCI address (0000:01:00.0) or a vdev string "
					    "(net_pcap1,tx_pcap=FILE), not '%s'",
					    v);
			snprintf(g->dev, sizeof(g->dev), "%s", v);
			g->dev_line = tp_cfg_where(x, sec, k);
		} else if (!strcmp(k, "dst")) {
			if (tp_netaddr_parse(v, &g->dst_ip, &g->dst_port, &why) != 0)
				TP_CFG_FAIL(x, sec, k, "dst = '%s': %s", v, why);
		} else if (!strcmp(k, "src")) {
			if (tp_netaddr_parse(v, &g->src_ip, &g->src_port, &why) != 0)
				TP_CFG_FAIL(x, sec, k, "src = '%s': %s", v, why);
			have_src = 1;
		} else if (!strcmp(k, "dst_mac")) {
			if (parse_mac(v, g->dst_mac) != 0)
				TP_CFG_FAIL(x, sec, k, "dst_mac must be six hex bytes (02:00:00:00:00:01), "
					    "not '%s'", v);
		} else if (!strcmp(k, "max_orders")) {
			if (tp_cfg_num(x, sec, k, v, 1, 1u << 24, &u) != 0)
				return -1;
			g->max_orders = (uint32_t)u;
		} else if (!strcmp(k, "firm")) {
			size_t l = strlen(v);
			int ok = l >= 1 && l <= 4;
			for (size_t j = 0; ok && j < l; j++)
				ok = (v[j] >= 'A' && v[j] <= 'Z') || (v[j] >= '0' && v[j] <= '9');
			if (!ok)
				TP_CFG_FAIL(x, sec, k, "firm must be 1 to 4 of A-Z 0-9, not '%s'", v);
			snprintf(g->firm, sizeof(g->firm), "%s", v);
		} else if (!strcmp(k, "tif")) {
			if (strlen(v) != 1 || !strchr("0356E", v[0]))
				TP_CFG_FAIL(x, sec, k,
					    "tif must be an OUCH Time In Force: 0 (day), 3 (IOC), 5 "
					    "(GTX), 6 (GTT) or E (after hours), not '%s'",
					    v);
			g->tif = (uint8_t)v[0];
		} else {
			TP_CFG_FAIL(x, sec, k,
				    "unknown key '%s' in [gateway] (known: port, dev, dst, src, dst_mac, "
				    "max_orders, firm, tif)",
				    k);
		}
	}
	if (g->has_port && g->dev[0])
		TP_CFG_FAIL(x, sec, "dev", "[gateway] takes port = N or dev = ..., not both");
	if ((g->has_port || g->dev[0]) && !g->dst_port)
		TP_CFG_FAIL(x, sec, NULL, "[gateway] needs dst = ip:port (where the orders go)");
	if (!have_src)
		g->src_port = g->dst_port;
	return 0;
}

/* ---- [simex] -------------------------------------------------------------------------- */

int tp_cfg_load_simex(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_cfg_simex *s = &x->c->strat.simex;
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		uint64_t u;
		if (!strcmp(k, "latency")) {
			if (duration(x, sec, k, v, 0, &s->latency_ns) != 0)
				return -1;
			if (s->latency_ns > 60 * NS_PER_S)
				TP_CFG_FAIL(x, sec, k, "latency must be at most 60s, not '%s'", v);
		} else if (!strcmp(k, "max_orders")) {
			if (tp_cfg_num(x, sec, k, v, 1, 1u << 20, &u) != 0)
				return -1;
			s->max_orders = (uint32_t)u;
		} else {
			TP_CFG_FAIL(x, sec, k, "unknown key '%s' in [simex] (known: latency, max_orders)",
				    k);
		}
	}
	return 0;
}

/* ---- across sections ------------------------------------------------------------------ */

int tp_cfg_strategy_finish(struct tp_cfg_ctx *x)
{
	struct tp_cfg_strat *s = &x->c->strat;
	if (s->mm.on && s->mm.n_symbols == 0)
		TP_CFG_FAIL(x, "strategy", "market_maker",
			    "market_maker = on needs symbols = SYM[, SYM...]");
	/* The rule set as it will run: a clash (too many rules) shows here, at load. */
	static struct tp_cep_rule_def defs[TP_CEP_MAX_RULES];
	char why[256];
	if (tp_cfg_rules_resolve(s, defs, TP_CEP_MAX_RULES, why, sizeof(why)) < 0)
		TP_CFG_FAIL(x, "rules", NULL, "%s", why);
	return 0;
}

int tp_cfg_strategy_check_run(const struct tp_config *c, char *err, size_t errlen)
{
	const struct tp_cfg_strat *s = &c->strat;
	const struct tp_cfg_gateway *g = &s->gw;
	if (g->has_port) {
		unsigned p;
		for (p = 0; p < c->n_ports; p++)
			if (c->ports[p].id == g->port)
				break;
		if (p == c->n_ports) {
			snprintf(err, errlen, "%s:%d: [gateway] port %u has no [port.%u] section",
				 c->path, g->port_line, g->port, g->port);
			return -1;
		}
	}
	if (g->dev[0]) {
		for (unsigned p = 0; p < c->n_ports; p++) {
			size_t a = strcspn(g->dev, ","), b = strcspn(c->ports[p].dev, ",");
			if (a == b && !strncmp(g->dev, c->ports[p].dev, a)) {
				snprintf(err, errlen,
					 "%s:%d: [gateway] dev is [port.%u]: say port = %u instead",
					 c->path, g->dev_line, c->ports[p].id, c->ports[p].id);
				return -1;
			}
		}
	}
	if (s->mm.on && !g->has_port && !g->dev[0]) {
		snprintf(err, errlen,
			 "%s:%d: market_maker = on in run needs [gateway] port = N or dev = ... "
			 "(where the orders go)",
			 c->path, s->mm.on_line ? s->mm.on_line : s->mm.line);
		return -1;
	}
	if (!s->ks_state_file[0]) {
		struct stat st;
		if (stat(TP_KS_STATE_DEFAULT_DIR, &st) != 0 || !S_ISDIR(st.st_mode)) {
			snprintf(err, errlen,
				 "%s:1: the kill-switch state file defaults to %s/%s, but %s does "
				 "not exist: create it or set [killswitch] state_file",
				 c->path, TP_KS_STATE_DEFAULT_DIR, TP_KS_STATE_DEFAULT_NAME,
				 TP_KS_STATE_DEFAULT_DIR);
			return -1;
		}
	}
	return 0;
}
