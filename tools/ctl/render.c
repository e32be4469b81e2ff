/* Human views of control-socket replies (see render.h). Every field is optional: what the
 * dataplane does not report shows as "-", never as a crash. */
#include "render.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define RED "\033[1;31m"
#define GREEN "\033[1;32m"
#define BOLD "\033[1m"
#define PLAIN "\033[0m"

int reply_parse(struct reply *r, const char *text, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (tp_jr_parse(&r->d, text, len, NULL, 0, r->error, sizeof(r->error)) != 0)
		return -1;
	r->nodes = malloc(sizeof(*r->nodes) * (r->d.count ? r->d.count : 1));
	if (!r->nodes) {
		snprintf(r->error, sizeof(r->error), "out of memory");
		return -1;
	}
	tp_jr_parse(&r->d, text, len, r->nodes, r->d.count, NULL, 0);
	if (tp_jr_type(&r->d, 0) != TP_JR_OBJ ||
	    tp_jr_bool(&r->d, tp_jr_find(&r->d, 0, "ok"), &r->ok) != 0) {
		snprintf(r->error, sizeof(r->error), "reply is not a tickpipe control reply");
		reply_free(r);
		return -1;
	}
	if (!r->ok && tp_jr_str(&r->d, tp_jr_find(&r->d, 0, "error"), r->error,
				  sizeof(r->error)) < 0)
		snprintf(r->error, sizeof(r->error), "request failed (no reason given)");
	return 0;
}

void reply_free(struct reply *r)
{
	free(r->nodes);
	r->nodes = NULL;
}

void fmt_duration(uint64_t ns, char *buf, size_t cap)
{
	if (ns < 10000000u)
		snprintf(buf, cap, "%llu us", (unsigned long long)((ns + 500) / 1000));
	else if (ns < 10000000000ull)
		snprintf(buf, cap, "%.2f ms", (double)ns / 1e6);
	else
		snprintf(buf, cap, "%.2f s", (double)ns / 1e9);
}

/* A value as a short cell: numbers as written, strings unescaped, booleans yes/no. */
static const char *cell(const struct tp_jr_doc *d, int idx, char *buf, size_t cap)
{
	int b;
	switch (tp_jr_type(d, idx)) {
	case TP_JR_NUM:
		snprintf(buf, cap, "%.*s", (int)d->n[idx].len, d->text + d->n[idx].start);
		return buf;
	case TP_JR_STR:
		tp_jr_str(d, idx, buf, cap);
		return buf;
	case TP_JR_BOOL:
		tp_jr_bool(d, idx, &b);
		return b ? "yes" : "no";
	case TP_JR_NULL:
		return "-";
	case TP_JR_OBJ:
	case TP_JR_ARR:
		return "...";
	default:
		return "-";
	}
}

static const char *field(const struct tp_jr_doc *d, int obj, const char *path, char *buf,
			 size_t cap)
{
	return cell(d, tp_jr_path(d, obj, path), buf, cap);
}

static void scope_line(FILE *out, const struct tp_jr_doc *d, int o, int color)
{
	char a[64], b[64];
	int halted = 0;
	tp_jr_bool(d, tp_jr_find(d, o, "halted"), &halted);
	if (halted)
		fprintf(out, "%sHALTED%s (%s, epoch %s)", color ? RED : "", color ? PLAIN : "",
			field(d, o, "reason", a, sizeof(a)), field(d, o, "epoch", b, sizeof(b)));
	else
		fprintf(out, "%srunning%s (epoch %s)", color ? GREEN : "", color ? PLAIN : "",
			field(d, o, "epoch", b, sizeof(b)));
}

static void status_killswitch(FILE *out, const struct tp_jr_doc *d, int ks, int color)
{
	char a[128], b[64], c[64], e[64];
	fprintf(out, "%sKILL-SWITCH%s  GLOBAL ", color ? BOLD : "", color ? PLAIN : "");
	if (ks < 0) {
		fprintf(out, "unknown\n");
		return;
	}
	scope_line(out, d, tp_jr_find(d, ks, "global"), color);
	int trunc = 0;
	tp_jr_bool(d, tp_jr_find(d, ks, "symbols_truncated"), &trunc);
	fprintf(out, "\n             symbols halted: %s%s\n",
		field(d, ks, "symbols_halted", a, sizeof(a)), trunc ? " (list truncated)" : "");
	int arr = tp_jr_find(d, ks, "symbols");
	int s = tp_jr_child(d, arr);
	for (uint32_t i = 0; s >= 0 && i < d->n[arr].count; i++, s = tp_jr_next(d, s)) {
		const char *sym = field(d, s, "symbol", a, sizeof(a));
		fprintf(out, "               %-10s locate %-6s %s%-14s%s epoch %s\n",
			strcmp(sym, "-") ? sym : "?", field(d, s, "locate", b, sizeof(b)),
			color ? RED : "", field(d, s, "reason", c, sizeof(c)), color ? PLAIN : "",
			field(d, s, "epoch", e, sizeof(e)));
	}
	int ok = 1;
	tp_jr_bool(d, tp_jr_path(d, ks, "persist.ok"), &ok);
	if (!ok)
		fprintf(out, "             %sstate file NOT written: %s%s\n", color ? RED : "",
			field(d, ks, "persist.error", a, sizeof(a)), color ? PLAIN : "");
	int corrupt = 0;
	tp_jr_bool(d, tp_jr_find(d, ks, "loaded_corrupt"), &corrupt);
	if (corrupt)
		fprintf(out, "             state file was corrupt at start: halted for safety\n");
}

static void status_dataplane(FILE *out, const struct tp_jr_doc *d, int root, int color)
{
	char a[128], b[64], c[64], e[64], f[64], g[64], h[64], k[64], l[64];
	int dp = tp_jr_find(d, root, "dataplane");
	const char *B = color ? BOLD : "", *P = color ? PLAIN : "";
	if (tp_jr_type(d, dp) != TP_JR_OBJ) {
		fprintf(out, "%sDATAPLANE%s    not available%s%s%s\n", B, P,
			tp_jr_find(d, root, "dataplane_error") >= 0 ? " (" : "",
			tp_jr_find(d, root, "dataplane_error") >= 0
				? field(d, root, "dataplane_error", a, sizeof(a))
				: "",
			tp_jr_find(d, root, "dataplane_error") >= 0 ? ")" : "");
		return;
	}
	fprintf(out, "%sDATAPLANE%s    mode %s   uptime %s s\n", B, P, field(d, dp, "mode", a, sizeof(a)),
		field(d, dp, "uptime_s", b, sizeof(b)));
	fprintf(out, "%sRATES%s        pkts/s %s   msgs/s %s   events/s %s\n", B, P,
		field(d, dp, "rates.pkts_per_s", a, sizeof(a)),
		field(d, dp, "rates.msgs_per_s", b, sizeof(b)),
		field(d, dp, "rates.events_per_s", c, sizeof(c)));
	int feeds = tp_jr_find(d, dp, "feeds");
	fprintf(out, "%sFEEDS%s        %-16s %5s %12s %10s %6s %9s %8s %9s %5s\n", B, P, "name",
		"lcore", "messages", "msgs/s", "gaps", "missing", "dups", "malformed", "stale");
	int x = tp_jr_child(d, feeds);
	for (uint32_t i = 0; x >= 0 && i < d->n[feeds].count; i++, x = tp_jr_next(d, x))
		fprintf(out, "             %-16s %5s %12s %10s %6s %9s %8s %9s %5s\n",
			field(d, x, "name", a, sizeof(a)), field(d, x, "lcore", b, sizeof(b)),
			field(d, x, "messages", c, sizeof(c)), field(d, x, "msgs_per_s", e, sizeof(e)),
			field(d, x, "gap_events", f, sizeof(f)),
			field(d, x, "messages_missing", g, sizeof(g)),
			field(d, x, "duplicates", h, sizeof(h)), field(d, x, "malformed", k, sizeof(k)),
			field(d, x, "stale", l, sizeof(l)));
	int lcores = tp_jr_find(d, dp, "lcores");
	fprintf(out, "%sLCORES%s       %5s %-9s %12s %10s %12s %8s\n", B, P, "lcore", "role",
		"packets", "pkts/s", "events", "drops");
	x = tp_jr_child(d, lcores);
	for (uint32_t i = 0; x >= 0 && i < d->n[lcores].count; i++, x = tp_jr_next(d, x))
		fprintf(out, "             %5s %-9s %12s %10s %12s %8s\n",
			field(d, x, "lcore", a, sizeof(a)), field(d, x, "role", b, sizeof(b)),
			field(d, x, "packets", c, sizeof(c)), field(d, x, "pkts_per_s", e, sizeof(e)),
			field(d, x, "events", f, sizeof(f)), field(d, x, "drops", g, sizeof(g)));
}

void render_status(FILE *out, const struct reply *r, const char *socket, int color)
{
	char when[64];
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "tickpipe  %s  %s\n", socket, when);
	status_killswitch(out, &r->d, tp_jr_find(&r->d, 0, "killswitch"), color);
	status_dataplane(out, &r->d, 0, color);
}

/* Level i of one side: bids read "qty price orders", asks "price qty orders", so the two
 * prices meet in the middle. */
static void ladder_side(const struct tp_jr_doc *d, int arr, uint32_t i, int bid, char *buf,
			size_t cap)
{
	char a[32], b[32], c[32];
	int lvl = tp_jr_child(d, arr);
	for (uint32_t k = 0; lvl >= 0 && k < i; k++)
		lvl = tp_jr_next(d, lvl);
	if (arr < 0 || i >= d->n[arr].count || lvl < 0 || tp_jr_type(d, lvl) != TP_JR_ARR) {
		snprintf(buf, cap, "%34s", "");
		return;
	}
	int p = tp_jr_child(d, lvl);
	int q = p >= 0 && d->n[lvl].count > 1 ? tp_jr_next(d, p) : -1;
	int o = q >= 0 && d->n[lvl].count > 2 ? tp_jr_next(d, q) : -1;
	const char *px = cell(d, p, a, sizeof(a)), *qty = cell(d, q, b, sizeof(b));
	snprintf(buf, cap, "%12s %12s %8s", bid ? qty : px, bid ? px : qty,
		 cell(d, o, c, sizeof(c)));
}

void render_book(FILE *out, const struct reply *r)
{
	const struct tp_jr_doc *d = &r->d;
	int b = tp_jr_find(d, 0, "book");
	char a[64], l[64], f[64], s[64];
	fprintf(out, "%s  locate %s  feed %s  stale %s\n", field(d, b, "symbol", a, sizeof(a)),
		field(d, b, "locate", l, sizeof(l)), field(d, b, "feed", f, sizeof(f)),
		field(d, b, "stale", s, sizeof(s)));
	int bids = tp_jr_find(d, b, "bids"), asks = tp_jr_find(d, b, "asks");
	uint32_t nb = bids >= 0 ? d->n[bids].count : 0, na = asks >= 0 ? d->n[asks].count : 0;
	fprintf(out, "%12s %12s %8s | %12s %12s %8s\n", "bid qty", "bid", "orders", "ask",
		"ask qty", "orders");
	for (uint32_t i = 0; i < (nb > na ? nb : na); i++) {
		char lb[64], la[64];
		ladder_side(d, bids, i, 1, lb, sizeof(lb));
		ladder_side(d, asks, i, 0, la, sizeof(la));
		fprintf(out, "%s | %s\n", lb, la);
	}
	if (!nb && !na)
		fprintf(out, "(empty book)\n");
}

static void flat(FILE *out, const struct tp_jr_doc *d, int idx, char *path, size_t used,
		 size_t cap)
{
	int type = tp_jr_type(d, idx);
	if (type != TP_JR_OBJ && type != TP_JR_ARR) {
		char v[256];
		fprintf(out, "%s %s\n", path, cell(d, idx, v, sizeof(v)));
		return;
	}
	int c = tp_jr_child(d, idx);
	for (uint32_t k = 0; c >= 0 && k < d->n[idx].count; k++) {
		int v = c;
		char part[96];
		if (type == TP_JR_OBJ) {
			tp_jr_str(d, c, part, sizeof(part));
			v = c + 1;
		} else {
			snprintf(part, sizeof(part), "%u", k);
		}
		int n = snprintf(path + used, cap - used, "%s%s", used ? "." : "", part);
		if (n > 0 && (size_t)n < cap - used)
			flat(out, d, v, path, used + (size_t)n, cap);
		path[used] = '\0';
		c = tp_jr_next(d, v);
	}
}

void render_flat(FILE *out, const struct reply *r)
{
	char path[512] = "";
	const struct tp_jr_doc *d = &r->d;
	int c = tp_jr_child(d, 0);
	for (uint32_t k = 0; c >= 0 && k < d->n[0].count; k++) {
		int v = c + 1;
		if (!tp_jr_str_eq(d, c, "ok") && !tp_jr_str_eq(d, c, "cmd")) {
			tp_jr_str(d, c, path, sizeof(path));
			flat(out, d, v, path, strlen(path), sizeof(path));
		}
		c = tp_jr_next(d, v);
	}
}

void render_action(FILE *out, const struct reply *r, uint64_t rtt_ns)
{
	const struct tp_jr_doc *d = &r->d;
	char action[32], scope[16], sym[64], loc[16], epoch[16], t[32];
	field(d, 0, "action", action, sizeof(action));
	field(d, 0, "scope", scope, sizeof(scope));
	field(d, 0, "epoch", epoch, sizeof(epoch));
	fmt_duration(rtt_ns, t, sizeof(t));
	char what[128];
	if (!strcmp(scope, "GLOBAL")) {
		snprintf(what, sizeof(what), "GLOBAL (epoch %s)", epoch);
	} else {
		field(d, 0, "symbol", sym, sizeof(sym));
		field(d, 0, "locate", loc, sizeof(loc));
		if (strcmp(sym, "-"))
			snprintf(what, sizeof(what), "%s (locate %s, epoch %s)", sym, loc, epoch);
		else
			snprintf(what, sizeof(what), "locate %s (epoch %s)", loc, epoch);
	}
	if (!strcmp(action, "halted"))
		fprintf(out, "halted %s in %s\n", what, t);
	else if (!strcmp(action, "already-halted"))
		fprintf(out, "already halted: %s; answered in %s\n", what, t);
	else if (!strcmp(action, "resumed"))
		fprintf(out, "resumed %s in %s\n", what, t);
	else if (!strcmp(action, "not-halted"))
		fprintf(out, "not halted: %s; nothing changed; answered in %s\n", what, t);
	else
		fprintf(out, "%s %s in %s\n", action, what, t);
}
