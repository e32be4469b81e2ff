/* libFuzzer target: rule text, then a stream of raw events, ticks and overflow reports.
 *
 * Input: INI-style text up to the first NUL byte ("[rule.NAME]" lines start a rule, then
 * "key=value" lines); after it, records of 1 control byte + 64 bytes copied into a
 * tp_event (control % 8: 0..5 one event, 6 a tick at the event's exch_ts_ns, 7 an overflow
 * report of `qty` drops). Whatever parses becomes an engine with a real kill-switch; every
 * event goes through it, bursts included. Properties: no crash and no UB under ASan+UBSan,
 * alerts never exceed what was fired, and the drained count matches the pending count. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tp_cep.h"
#include "tp_killswitch.h"

#define MAX_KEYS 32

static struct tp_killswitch *ks;

struct ini {
	char name[64];
	char keys[MAX_KEYS][64], vals[MAX_KEYS][128];
	int nk, in;
};

static void flush(struct ini *x, struct tp_cep_rule_def *defs, size_t *n, size_t max)
{
	const char *k[MAX_KEYS], *v[MAX_KEYS];
	char err[256];
	if (!x->in || *n >= max)
		return;
	for (int i = 0; i < x->nk; i++) {
		k[i] = x->keys[i];
		v[i] = x->vals[i];
	}
	if (tp_cep_rule_parse(&defs[*n], x->name, k, v, x->nk, err, sizeof(err)) == 0)
		(*n)++;
	x->in = 0;
}

static size_t parse_rules(const char *text, size_t len, struct tp_cep_rule_def *defs, size_t max)
{
	static struct ini x;
	size_t n = 0, pos = 0;
	x.in = 0;
	while (pos < len) {
		char line[256];
		size_t e = pos;
		while (e < len && text[e] != '\n')
			e++;
		size_t l = e - pos < sizeof(line) - 1 ? e - pos : sizeof(line) - 1;
		memcpy(line, text + pos, l);
		line[l] = '\0';
		pos = e + 1;
		if (line[0] == '[') {
			flush(&x, defs, &n, max);
			char *close = strchr(line, ']');
			if (close)
				*close = '\0';
			const char *nm = line + 1;
			if (!strncmp(nm, "rule.", 5))
				nm += 5;
			snprintf(x.name, sizeof(x.name), "%s", nm);
			x.nk = 0;
			x.in = 1;
		} else if (x.in && x.nk < MAX_KEYS) {
			char *eq = strchr(line, '=');
			if (eq) {
				*eq = '\0';
				snprintf(x.keys[x.nk], sizeof(x.keys[0]), "%s", line);
				snprintf(x.vals[x.nk], sizeof(x.vals[0]), "%s", eq + 1);
				x.nk++;
			}
		}
	}
	flush(&x, defs, &n, max);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!ks) {
		char err[256];
		ks = tp_ks_create(NULL, err, sizeof(err));
		if (!ks)
			abort();
	}
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	struct tp_cep_rule_def defs[TP_CEP_MAX_RULES];
	size_t nd = parse_rules((const char *)data, tlen, defs, TP_CEP_MAX_RULES);
	char err[256];
	struct tp_cep *c = tp_cep_create(defs, (unsigned)nd, tp_ks_halter_of(ks), 64, err,
					 sizeof(err));
	if (!c)
		return 0;
	uint64_t fired = 0;
	struct tp_event burst[8];
	unsigned nb = 0;
	const uint8_t *p = nul ? nul + 1 : data + size;
	const uint8_t *end = data + size;
	for (; end - p >= 65; p += 65) {
		struct tp_event ev;
		memcpy(&ev, p + 1, sizeof(ev));
		switch (p[0] % 8) {
		case 6:
			fired += tp_cep_tick(c, ev.exch_ts_ns);
			break;
		case 7:
			fired += tp_cep_on_overflow(c, ev.qty, ev.exch_ts_ns);
			break;
		case 5:
			burst[nb++] = ev;
			if (nb == 8) {
				fired += tp_cep_on_burst(c, burst, nb);
				nb = 0;
			}
			break;
		default:
			fired += tp_cep_on_event(c, &ev);
			break;
		}
	}
	fired += tp_cep_on_burst(c, burst, nb);
	struct tp_cep_stats st;
	tp_cep_stats(c, &st);
	if (st.alerts + st.alerts_dropped != fired)
		abort();
	unsigned pend = tp_cep_alerts_pending(c);
	static struct tp_cep_alert out[TP_CEP_ALERT_CAP];
	if (tp_cep_alerts_drain(c, out, TP_CEP_ALERT_CAP) != pend)
		abort();
	for (unsigned r = 0; r < tp_cep_rule_count(c); r++) {
		struct tp_cep_rule_stats rs;
		double v;
		tp_cep_rule_stats(c, r, &rs);
		(void)tp_cep_value(c, r, 1, &v);
	}
	tp_cep_free(c);
	return 0;
}
