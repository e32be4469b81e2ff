/* libFuzzer target for the control path's two decoders of untrusted bytes. The first byte
 * picks one: 'R' (or anything even) = a request payload through tp_ctl_req_parse, as the
 * control thread gets it from a client; 'J' (odd) = a JSON text through tp_jr_parse and
 * every accessor, as tickpipe-ctl and the telemetry bridge read replies. Neither may read
 * out of bounds, loop, or disagree with itself (a parsed request re-encodes to the same
 * bytes; a checked JSON text parses again with exactly the nodes it said it needs). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp_ctl_json.h"
#include "tp_ctl_proto.h"

static void walk(const struct tp_jr_doc *d, int idx, int depth)
{
	char buf[64];
	uint64_t u;
	int64_t i;
	double f;
	int b;
	(void)tp_jr_u64(d, idx, &u);
	(void)tp_jr_i64(d, idx, &i);
	(void)tp_jr_f64(d, idx, &f);
	(void)tp_jr_bool(d, idx, &b);
	(void)tp_jr_str(d, idx, buf, sizeof(buf));
	(void)tp_jr_str(d, idx, buf, 1);
	(void)tp_jr_find(d, idx, "ok");
	(void)tp_jr_path(d, idx, "killswitch.global.halted");
	int type = tp_jr_type(d, idx);
	if (type != TP_JR_ARR && type != TP_JR_OBJ)
		return;
	int c = tp_jr_child(d, idx);
	for (uint32_t k = 0; c >= 0 && k < d->n[idx].count; k++) {
		int v = type == TP_JR_OBJ ? c + 1 : c;
		if (type == TP_JR_OBJ)
			(void)tp_jr_str_eq(d, c, "symbols");
		if (v >= (int)d->count || depth > TP_JR_MAX_DEPTH + 1)
			abort();
		walk(d, v, depth + 1);
		c = tp_jr_next(d, v);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const uint8_t *p = data + 1;
	size_t n = size - 1;
	if ((data[0] & 1) == 0) {
		const char *words[TP_CTL_MAX_WORDS];
		char err[256];
		int k = tp_ctl_req_parse(p, n, words, TP_CTL_MAX_WORDS, err, sizeof(err));
		if (k > 0) {
			uint8_t again[TP_CTL_MAX_REQUEST];
			int m = tp_ctl_req_encode(k, words, again, sizeof(again), err, sizeof(err));
			if (m != (int)n || memcmp(again, p, n) != 0)
				abort();
		}
		return 0;
	}
	struct tp_jr_doc d;
	char err[128];
	if (tp_jr_parse(&d, (const char *)p, n, NULL, 0, err, sizeof(err)) != 0)
		return 0;
	uint32_t need = d.count;
	struct tp_jr_node *nodes = malloc(sizeof(*nodes) * (need ? need : 1));
	if (!nodes)
		return 0;
	if (tp_jr_parse(&d, (const char *)p, n, nodes, need, err, sizeof(err)) != 0 ||
	    d.count != need || nodes[0].next != need)
		abort();
	walk(&d, 0, 0);
	/* one node short must fail cleanly */
	if (need > 1 && tp_jr_parse(&d, (const char *)p, n, nodes, need - 1, err, sizeof(err)) == 0)
		abort();
	free(nodes);
	return 0;
}
