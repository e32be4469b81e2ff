/* JSON manifest writer (see manifest.h for the keys). */
#include "manifest.h"

#include <inttypes.h>
#include <string.h>

static void sym_str(uint32_t stock, char out[9])
{
	tp_gen_symbol(stock, out);
	out[8] = 0;
	for (int i = 7; i >= 0 && out[i] == ' '; i--)
		out[i] = 0;
}

static void type_counts(FILE *f, const uint64_t *c, const uint64_t *minus)
{
	fputc('{', f);
	for (unsigned i = 0; i < TP_GEN_ITCH_NTYPES; i++)
		fprintf(f, "%s\"%c\": %" PRIu64, i ? ", " : "", tp_gen_itch_types[i],
			c[i] - (minus ? minus[i] : 0));
	fputc('}', f);
}

static void dst(FILE *f, uint32_t ip, uint16_t port)
{
	fprintf(f, "\"%u.%u.%u.%u:%u\"", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255,
		port);
}

static void lines(FILE *f, const struct tp_gen_manifest_in *in)
{
	fputs("  \"lines\": {", f);
	if (in->net) {
		unsigned n = in->net_cfg->dup_b ? 2 : 1;
		for (unsigned i = 0; i < n; i++) {
			const struct tp_gen_line_stats *l = &in->net->line[i];
			fprintf(f, "%s\n    \"%c\": {\"dst\": ", i ? "," : "", 'A' + i);
			dst(f, in->net_cfg->dst_ip[i], in->net_cfg->dst_port[i]);
			fprintf(f, ", \"packets\": %" PRIu64 ", \"dropped_loss\": %" PRIu64
				", \"dropped_gap\": %" PRIu64 ", \"reordered\": %" PRIu64
				", \"malformed\": %" PRIu64 "}",
				l->packets, l->dropped_loss, l->dropped_gap, l->reordered,
				l->malformed);
		}
		fputs("\n  ", f);
	}
	fputs("},\n", f);
}

static void anomalies(FILE *f, const struct tp_gen_manifest_in *in)
{
	const struct tp_gen_net_stats *s = in->net;
	static const struct tp_gen_net_stats none;
	if (!s)
		s = &none;
	uint64_t mf = 0;
	for (unsigned k = 0; k < TP_GEN_MF__COUNT; k++)
		mf += s->malformed_kind[k];
	uint64_t nu = 0;
	for (unsigned k = 0; k < TP_GEN_NU__COUNT; k++)
		nu += s->non_udp_kind[k];
	fprintf(f, "  \"anomalies\": {\n    \"duplicates\": %" PRIu64 ",\n"
		"    \"messages_lost\": %" PRIu64 ",\n", s->duplicates, s->lost);
	if (in->net_cfg && in->net_cfg->gap_n)
		fprintf(f, "    \"gap\": {\"first_seq\": %" PRIu64 ", \"messages\": %" PRIu64 "},\n",
			s->gap_first_seq, in->net_cfg->gap_n);
	else
		fputs("    \"gap\": null,\n", f);
	fprintf(f, "    \"malformed\": {\"packets\": %" PRIu64 ", \"truncated\": %" PRIu64
		", \"block_past_end\": %" PRIu64 ", \"count_lies\": %" PRIu64
		", \"unknown_type\": %" PRIu64 ", \"unknown_type_seqs\": [",
		mf, s->malformed_kind[TP_GEN_MF_TRUNCATED], s->malformed_kind[TP_GEN_MF_BLOCK_PAST_END],
		s->malformed_kind[TP_GEN_MF_COUNT_LIES], s->malformed_kind[TP_GEN_MF_UNKNOWN_TYPE]);
	for (size_t i = 0; i < s->n_unknown; i++)
		fprintf(f, "%s%" PRIu64, i ? ", " : "", s->unknown_seqs[i]);
	fputs("]},\n", f);
	fprintf(f, "    \"non_udp\": {\"frames\": %" PRIu64 ", \"arp\": %" PRIu64 ", \"tcp\": %" PRIu64
		", \"icmp\": %" PRIu64 "},\n", nu, s->non_udp_kind[TP_GEN_NU_ARP],
		s->non_udp_kind[TP_GEN_NU_TCP], s->non_udp_kind[TP_GEN_NU_ICMP]);
	if (in->net_cfg && in->net_cfg->vlan >= 0)
		fprintf(f, "    \"vlan\": %d,\n", in->net_cfg->vlan);
	else
		fputs("    \"vlan\": null,\n", f);
	if (in->shock) {
		const struct tp_gen_shock_info *sh = tp_gen_model_shock(in->model);
		char sym[9];
		sym_str(in->shock_stock, sym);
		uint64_t seq = in->net ? s->shock_seq : sh->index + 1;
		fprintf(f, "    \"shock\": {\"symbol\": \"%s\", \"locate\": %u, \"pct\": %.17g, "
			"\"at_index\": %" PRIu64 ", \"first_seq\": %" PRIu64
			", \"exchange_ts_ns\": %" PRIu64 ", \"price_before\": %u, \"price_after\": %u}\n",
			sym, in->shock_stock + 1, in->shock_pct, sh->index, seq, sh->ts_ns,
			sh->price_before, sh->price_after);
	} else {
		fputs("    \"shock\": null\n", f);
	}
	fputs("  },\n", f);
}

int tp_gen_manifest_write(FILE *f, const struct tp_gen_manifest_in *in)
{
	const uint64_t *counts = tp_gen_model_counts(in->model);
	const uint64_t *lost = in->net ? in->net->lost_by_type : NULL;
	uint64_t n_lost = in->net ? in->net->lost : 0;
	char session[11];
	memcpy(session, in->session, 10);
	session[10] = 0;

	fprintf(f, "{\n  \"generator\": \"tickpipe-gen\",\n  \"format\": \"%s\",\n"
		"  \"gzip\": %s,\n  \"seed\": %" PRIu64 ",\n  \"stocks\": %u,\n"
		"  \"rate\": %" PRIu64 ",\n  \"session\": \"%s\",\n"
		"  \"capture_epoch_ns\": %" PRIu64 ",\n  \"pcap_timestamps\": \"ns\",\n",
		in->format, in->gzip ? "true" : "false", in->seed, in->stocks, in->rate, session,
		in->epoch_ns);
	fprintf(f, "  \"messages_total\": %" PRIu64 ",\n  \"messages\": ", in->messages);
	type_counts(f, counts, NULL);
	fprintf(f, ",\n  \"last_seq\": %" PRIu64 ",\n",
		in->net ? in->net->last_seq : in->messages);
	fprintf(f, "  \"delivered\": {\"messages_total\": %" PRIu64 ", \"messages\": ",
		in->messages - n_lost);
	type_counts(f, counts, lost);
	fprintf(f, "},\n  \"packets\": %" PRIu64 ",\n  \"frames\": %" PRIu64 ",\n",
		in->net ? in->net->packets_built : 0, in->net ? in->net->frames : 0);
	lines(f, in);
	anomalies(f, in);

	fputs("  \"symbols\": {", f);
	for (uint32_t i = 0; i < in->stocks; i++) {
		char sym[9];
		sym_str(i, sym);
		fprintf(f, "%s\"%s\": %u", i ? ", " : "", sym, i + 1);
	}
	fputs("},\n  \"books\": {", f);
	for (uint32_t i = 0; i < in->stocks; i++) {
		char sym[9];
		struct tp_gen_book b;
		sym_str(i, sym);
		tp_gen_model_book(in->model, i, &b);
		fprintf(f, "%s\n    \"%s\": {\"bid\": [%u, %u], \"ask\": [%u, %u], "
			"\"bid_levels\": %u, \"ask_levels\": %u}",
			i ? "," : "", sym, b.bid_px, b.bid_qty, b.ask_px, b.ask_qty, b.bid_levels,
			b.ask_levels);
	}
	fputs("\n  }\n}\n", f);
	return ferror(f) ? -1 : 0;
}
