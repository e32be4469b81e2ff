#include "report.h"

#include <stdlib.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "latency.h"
#include "report_strat.h"
#include "tp_book.h"

struct totals {
	uint64_t msgs[256];
	uint64_t messages_total;
	uint64_t gap_events;
	uint64_t messages_missing;
	uint64_t duplicates;
	uint64_t malformed;
	uint64_t unknown_refs;
	uint64_t packets, bytes, events, drops, waits;
	uint64_t rej[TP_REJ__COUNT];
	uint64_t input_malformed;   /* BinaryFILE messages the reader skipped */
};

static void gather(const struct tp_pipeline *pl, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	for (unsigned i = 0; i < pl->n_feeds; i++) {
		const struct tp_feed_stats *fs = tp_feed_stats(pl->feeds[i].feed);
		for (unsigned k = 0; k < 256; k++)
			t->msgs[k] += fs->msgs[k];
		t->messages_total += fs->messages_total;
		t->gap_events += fs->gap_events;
		t->messages_missing += fs->messages_missing;
		t->duplicates += fs->duplicates;
		t->malformed += fs->malformed;
		t->unknown_refs += fs->unknown_refs;
	}
	for (unsigned i = 0; i < pl->n_rx; i++) {
		const struct tp_rx_worker *w = pl->rx[i];
		t->packets += w->st->packets;
		t->bytes += w->st->bytes;
		t->events += w->sink.emitted;
		t->drops += w->sink.drops;
		t->waits += w->sink.waits;
		for (unsigned r = 1; r < TP_REJ__COUNT; r++) {
			t->rej[r] += w->st->rej[r];
			if (tp_rej_is_malformed(r))
				t->malformed += w->st->rej[r];
		}
		if (w->bf) {
			t->input_malformed += tp_binfile_get_stats(w->bf)->malformed;
			t->malformed += tp_binfile_get_stats(w->bf)->malformed;
		}
	}
}

struct book_row {
	char key[96];
	char sym[16];
	unsigned feed;
	uint16_t locate;
	struct tp_book_stock_stats s;
};

static int row_cmp(const void *a, const void *b)
{
	const struct book_row *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->feed != y->feed ? (x->feed < y->feed ? -1 : 1) : (int)x->locate - (int)y->locate;
}

static int sym_cmp(const void *a, const void *b)
{
	const struct book_row *x = a, *y = b;
	int c = strcmp(x->sym, y->sym);
	return c ? c : (x->feed != y->feed ? (x->feed < y->feed ? -1 : 1) : 0);
}

/* Every symbol of every feed, with its top of book; sorted, keys made unique. */
static struct book_row *collect_books(const struct tp_pipeline *pl, size_t *n_out)
{
	size_t n = 0, cap = 64;
	struct book_row *v = malloc(cap * sizeof(*v));
	if (!v) {
		*n_out = 0;
		return NULL;
	}
	for (unsigned f = 0; f < pl->n_feeds; f++) {
		const struct tp_feed *feed = pl->feeds[f].feed;
		const struct tp_book *book = tp_feed_book(feed);
		for (unsigned loc = 0; loc < 65536u; loc++) {
			const char *sym = tp_feed_symbol(feed, (uint16_t)loc);
			if (!sym)
				continue;
			if (n == cap) {
				struct book_row *nv = realloc(v, 2 * cap * sizeof(*v));
				if (!nv)
					break;
				v = nv;
				cap *= 2;
			}
			struct book_row *r = &v[n++];
			memset(r, 0, sizeof(*r));
			size_t l = strnlen(sym, sizeof(r->sym) - 1);
			while (l && sym[l - 1] == ' ')
				l--;
			memcpy(r->sym, sym, l);
			r->feed = f;
			r->locate = (uint16_t)loc;
			if (!book || tp_book_stock_stats(book, (uint16_t)loc, &r->s) != TP_BOOK_OK)
				memset(&r->s, 0, sizeof(r->s));
		}
	}
	/* A symbol in two feeds (or twice in one) would collide as a JSON key. */
	qsort(v, n, sizeof(*v), sym_cmp);
	for (size_t i = 0; i < n; i++) {
		int dup = (i > 0 && strcmp(v[i - 1].sym, v[i].sym) == 0) ||
			  (i + 1 < n && strcmp(v[i + 1].sym, v[i].sym) == 0);
		if (!dup)
			snprintf(v[i].key, sizeof(v[i].key), "%s", v[i].sym);
		else
			snprintf(v[i].key, sizeof(v[i].key), "%s@%s#%u", v[i].sym,
				 pl->feeds[v[i].feed].name, v[i].locate);
	}
	/* Same symbol in different feeds: "SYM@FEED" is enough unless one feed has it twice. */
	for (size_t i = 0; i < n; i++) {
		char *hash = strrchr(v[i].key, '#');
		if (!hash)
			continue;
		int twice = 0;
		for (size_t j = 0; j < n; j++)
			if (j != i && v[j].feed == v[i].feed && strcmp(v[j].sym, v[i].sym) == 0)
				twice = 1;
		if (!twice)
			*hash = '\0';
	}
	qsort(v, n, sizeof(*v), row_cmp);
	*n_out = n;
	return v;
}

static void latencies(const struct tp_pipeline *pl, struct tp_lat_summary *dec,
		      struct tp_lat_summary *con)
{
	static struct tp_lat_hist h;
	memset(&h, 0, sizeof(h));
	for (unsigned i = 0; i < pl->n_rx; i++)
		tp_lat_merge(&h, pl->rx[i]->lat);
	uint64_t hz = rte_get_tsc_hz();
	tp_lat_summarize(&h, hz, dec);
	tp_lat_summarize(pl->cons.lat, hz, con);
}

void tp_report_json(const struct tp_pipeline *pl, FILE *out)
{
	struct totals *t = calloc(1, sizeof(*t));
	if (!t)
		return;
	gather(pl, t);
	fputs("{\"messages\":{", out);
	int first = 1;
	for (unsigned k = 0; k < 256; k++) {
		if (!t->msgs[k])
			continue;
		char key[2] = { (char)k, 0 };
		fputs(first ? "" : ",", out);
		tp_dp_json_str(out, key);
		fprintf(out, ":%llu", (unsigned long long)t->msgs[k]);
		first = 0;
	}
	fprintf(out,
		"},\"messages_total\":%llu,\"gaps\":{\"messages_missing\":%llu,\"events\":%llu},"
		"\"duplicates\":%llu,\"malformed\":%llu,\"unknown_refs\":%llu,\"books\":{",
		(unsigned long long)t->messages_total, (unsigned long long)t->messages_missing,
		(unsigned long long)t->gap_events, (unsigned long long)t->duplicates,
		(unsigned long long)t->malformed, (unsigned long long)t->unknown_refs);
	size_t nb;
	struct book_row *rows = collect_books(pl, &nb);
	for (size_t i = 0; i < nb; i++) {
		const struct tp_book_stock_stats *s = &rows[i].s;
		fputs(i ? "," : "", out);
		tp_dp_json_str(out, rows[i].key);
		/* An empty side is [0,0] (the book reports 0/0), never null: consumers index
		 * the pair without a type check, and tickpipe-gen's manifest says the same. */
		fprintf(out, ":{\"bid\":[%u,%llu],\"ask\":[%u,%llu],\"bid_levels\":%u,\"ask_levels\":%u}",
			s->bid_qty ? s->bid_px : 0, (unsigned long long)s->bid_qty,
			s->ask_qty ? s->ask_px : 0, (unsigned long long)s->ask_qty, s->bid_levels,
			s->ask_levels);
	}
	free(rows);
	struct tp_lat_summary dec, con;
	latencies(pl, &dec, &con);
	fputs("},\"halts\":", out);
	tp_report_halts_json(pl, out);
	fputs(",\"alerts\":", out);
	tp_report_alerts_json(pl, out);
	fprintf(out,
		",\"latency_ns\":{"
		"\"rx_to_decoded\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu},"
		"\"rx_to_consumed\":{\"p50\":%llu,\"p99\":%llu,\"p999\":%llu,\"max\":%llu}}",
		(unsigned long long)dec.p50, (unsigned long long)dec.p99,
		(unsigned long long)dec.p999, (unsigned long long)dec.max,
		(unsigned long long)con.p50, (unsigned long long)con.p99,
		(unsigned long long)con.p999, (unsigned long long)con.max);
	tp_report_strategy_json(pl, out);
	/* Only when a log was written: without one the report's keys are as they always were. */
	if (pl->log_done)
		fprintf(out, ",\"log\":{\"records\":%llu,\"bytes\":%llu,\"drops\":%llu,"
			"\"segments\":%llu,\"write_errors\":%s}",
			(unsigned long long)pl->log_records, (unsigned long long)pl->log_bytes,
			(unsigned long long)pl->log_drops, (unsigned long long)pl->log_segments,
			pl->log_rc ? "true" : "false");
	fputs("}\n", out);
	free(t);
}

/* CPUs an lcore is pinned to ("0", "0-1"): with --lcores, rte_lcore_to_cpu_id() tells
 * the lcore's own number, not where it runs. */
static const char *lcore_cpus(unsigned lcore, char *buf, size_t len)
{
	rte_cpuset_t set = rte_lcore_cpuset(lcore);
	size_t o = 0;
	buf[0] = '\0';
	for (unsigned c = 0; c < CPU_SETSIZE && o + 8 < len; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		unsigned e = c;
		while (e + 1 < CPU_SETSIZE && CPU_ISSET(e + 1, &set))
			e++;
		o += (size_t)snprintf(buf + o, len - o, o ? ",%u" : "%u", c);
		if (e > c)
			o += (size_t)snprintf(buf + o, len - o, "-%u", e);
		c = e;
	}
	return buf;
}

static void px(char *buf, size_t len, uint32_t p)
{
	snprintf(buf, len, "%u.%04u", p / 10000u, p % 10000u);
}

void tp_report_text(const struct tp_pipeline *pl, FILE *out)
{
	struct totals *t = calloc(1, sizeof(*t));
	if (!t)
		return;
	gather(pl, t);
	double secs = (double)(pl->tsc_end - pl->tsc_begin) / (double)rte_get_tsc_hz();
	const char *what = pl->mode == TP_RX_LIVE ? "run" : "replay";
	if (pl->mode == TP_RX_REPLAY_ITCH)
		fprintf(out, "tickpipe %s: %llu BinaryFILE messages (%llu bytes) in %.3f s%s\n",
			what, (unsigned long long)t->packets, (unsigned long long)t->bytes, secs,
			pl->signalled ? " (stopped by signal)" : "");
	else
		fprintf(out, "tickpipe %s: %llu packets (%llu bytes) on %u port%s in %.3f s%s\n",
			what, (unsigned long long)t->packets, (unsigned long long)t->bytes,
			pl->n_ports, pl->n_ports == 1 ? "" : "s", secs,
			pl->signalled ? " (stopped by signal)" : "");
	fprintf(out, "messages: %llu (%.0f msgs/s)\n", (unsigned long long)t->messages_total,
		secs > 0 ? (double)t->messages_total / secs : 0.0);
	int any = 0;
	for (unsigned k = 0; k < 256; k++) {
		if (!t->msgs[k])
			continue;
		fprintf(out, "%s%c %llu", any ? "  " : "  ", (int)k, (unsigned long long)t->msgs[k]);
		any = 1;
	}
	if (any)
		fputc('\n', out);
	fprintf(out,
		"gaps: %llu (%llu messages missing)  duplicates: %llu  malformed: %llu  unknown "
		"refs: %llu\n",
		(unsigned long long)t->gap_events, (unsigned long long)t->messages_missing,
		(unsigned long long)t->duplicates, (unsigned long long)t->malformed,
		(unsigned long long)t->unknown_refs);
	any = 0;
	for (unsigned r = 1; r < TP_REJ__COUNT; r++) {
		if (!t->rej[r])
			continue;
		fprintf(out, "%s %s %llu", any ? "," : "frames rejected:", tp_rej_name(r),
			(unsigned long long)t->rej[r]);
		any = 1;
	}
	if (t->input_malformed) {
		fprintf(out, "%s BinaryFILE messages skipped %llu", any ? "," : "input rejected:",
			(unsigned long long)t->input_malformed);
		any = 1;
	}
	if (any)
		fputc('\n', out);
	fputs("feeds:\n", out);
	for (unsigned i = 0; i < pl->n_feeds; i++) {
		const struct tp_feed_stats *fs = tp_feed_stats(pl->feeds[i].feed);
		fprintf(out,
			"  %-12s rx lcore %u: packets %llu, messages %llu, gaps %llu (%llu missing), "
			"duplicates %llu, malformed %llu, unknown refs %llu\n",
			pl->feeds[i].name, pl->rx[pl->feeds[i].owner]->lcore,
			(unsigned long long)fs->packets, (unsigned long long)fs->messages_total,
			(unsigned long long)fs->gap_events, (unsigned long long)fs->messages_missing,
			(unsigned long long)fs->duplicates, (unsigned long long)fs->malformed,
			(unsigned long long)fs->unknown_refs);
	}
	fputs("lcores:\n", out);
	for (unsigned i = 0; i < pl->n_rx; i++) {
		const struct tp_rx_worker *w = pl->rx[i];
		char cpus[64];
		fprintf(out, "  rx lcore %u (cpu %s):", w->lcore, lcore_cpus(w->lcore, cpus, sizeof(cpus)));
		for (unsigned q = 0; q < w->nq; q++)
			fprintf(out, " port %u/%u", w->q[q].port, w->q[q].queue);
		if (w->mode == TP_RX_REPLAY_ITCH)
			fputs(" BinaryFILE", out);
		fprintf(out, "; %s %llu, bytes %llu, events %llu, ring waits %llu, drops %llu\n",
			w->mode == TP_RX_REPLAY_ITCH ? "messages read" : "packets",
			(unsigned long long)w->st->packets, (unsigned long long)w->st->bytes,
			(unsigned long long)w->sink.emitted, (unsigned long long)w->sink.waits,
			(unsigned long long)w->sink.drops);
	}
	char ccpus[64];
	fprintf(out, "  consumer lcore %u (cpu %s): events %llu, gap events %llu\n", pl->cons.lcore,
		lcore_cpus(pl->cons.lcore, ccpus, sizeof(ccpus)), (unsigned long long)pl->cons.st->events,
		(unsigned long long)pl->cons.stage.gap_events);
	struct tp_lat_summary dec, con;
	latencies(pl, &dec, &con);
	fprintf(out, "latency (ns)          p50       p99     p99.9       max   samples\n");
	fprintf(out, "  rx_to_decoded  %9llu %9llu %9llu %9llu %9llu\n", (unsigned long long)dec.p50,
		(unsigned long long)dec.p99, (unsigned long long)dec.p999,
		(unsigned long long)dec.max, (unsigned long long)dec.count);
	fprintf(out, "  rx_to_consumed %9llu %9llu %9llu %9llu %9llu\n", (unsigned long long)con.p50,
		(unsigned long long)con.p99, (unsigned long long)con.p999,
		(unsigned long long)con.max, (unsigned long long)con.count);
	tp_report_halt_latency_text(pl, out);
	size_t nb;
	struct book_row *rows = collect_books(pl, &nb);
	fprintf(out, "books: %zu symbol%s\n", nb, nb == 1 ? "" : "s");
	for (size_t i = 0; i < nb; i++) {
		const struct tp_book_stock_stats *s = &rows[i].s;
		char b[24] = "-", a[24] = "-";
		if (s->bid_qty)
			px(b, sizeof(b), s->bid_px);
		if (s->ask_qty)
			px(a, sizeof(a), s->ask_px);
		fprintf(out, "  %-10s bid %10s x %-8llu (%u levels)  ask %10s x %-8llu (%u levels)%s\n",
			rows[i].key, b, (unsigned long long)s->bid_qty, s->bid_levels, a,
			(unsigned long long)s->ask_qty, s->ask_levels, s->stale ? "  STALE" : "");
	}
	free(rows);
	tp_report_strategy_text(pl, out);
	if (pl->log_done)
		fprintf(out, "log: %llu records, %llu bytes, %llu drops, %llu segment%s%s\n",
			(unsigned long long)pl->log_records, (unsigned long long)pl->log_bytes,
			(unsigned long long)pl->log_drops, (unsigned long long)pl->log_segments,
			pl->log_segments == 1 ? "" : "s", pl->log_rc ? " (write errors)" : "");
	free(t);
}
