/* The built-in CEP rules: strategy/rules.ini.sample, compiled into the program (meson reads
 * the file into tp_rules_default.h), so `tickpipe replay --pcap X` runs the shipped rules
 * without a config, and the sample stays the one place their defaults are written. */
#include <stdio.h>
#include <string.h>

#include "config_strategy.h"
#include "tp_rules_default.h"

#define MAX_KEYS 32
#define LINE_MAX_LEN 512

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

struct section {
	char name[64];
	char keys[MAX_KEYS][64];
	char vals[MAX_KEYS][256];
	int n;
};

static int flush(struct section *sec, struct tp_cep_rule_def *out, unsigned max, unsigned *n,
		 char *err, size_t errlen)
{
	if (!sec->name[0])
		return 0;
	if (strncmp(sec->name, "rule.", 5) != 0)
		return 0; /* not a rule: nothing the dataplane takes from the sample */
	if (*n == max) {
		snprintf(err, errlen, "built-in rules: more than %u", max);
		return -1;
	}
	const char *k[MAX_KEYS], *v[MAX_KEYS];
	for (int i = 0; i < sec->n; i++) {
		k[i] = sec->keys[i];
		v[i] = sec->vals[i];
	}
	char why[256];
	if (tp_cep_rule_parse(&out[*n], sec->name + 5, k, v, sec->n, why, sizeof(why)) != 0) {
		snprintf(err, errlen, "built-in rules: %s", why);
		return -1;
	}
	(*n)++;
	return 0;
}

int tp_rules_builtin(struct tp_cep_rule_def *out, unsigned max, char *err, size_t errlen)
{
	static const char text[] = TP_RULES_DEFAULT_TEXT;
	static struct section sec;
	memset(&sec, 0, sizeof(sec));
	unsigned n = 0;
	const char *p = text;
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[LINE_MAX_LEN];
		if (len >= sizeof(line)) {
			snprintf(err, errlen, "built-in rules: a line longer than %zu characters",
				 sizeof(line) - 1);
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p += len + (nl ? 1 : 0);
		char *s = trim(line);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *end = strchr(s, ']');
			if (!end) {
				snprintf(err, errlen, "built-in rules: bad section header '%s'", s);
				return -1;
			}
			if (flush(&sec, out, max, &n, err, errlen) != 0)
				return -1;
			memset(&sec, 0, sizeof(sec));
			*end = '\0';
			snprintf(sec.name, sizeof(sec.name), "%s", trim(s + 1));
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq || !sec.name[0] || sec.n == MAX_KEYS) {
			snprintf(err, errlen, "built-in rules: line '%s' not understood", s);
			return -1;
		}
		*eq = '\0';
		snprintf(sec.keys[sec.n], sizeof(sec.keys[0]), "%s", trim(s));
		snprintf(sec.vals[sec.n], sizeof(sec.vals[0]), "%s", trim(eq + 1));
		sec.n++;
	}
	if (flush(&sec, out, max, &n, err, errlen) != 0)
		return -1;
	return (int)n;
}

int tp_cfg_rules_resolve(const struct tp_cfg_strat *s, struct tp_cep_rule_def *out,
			 unsigned max, char *err, size_t errlen)
{
	unsigned n = 0;
	if (!s || s->rules.defaults) {
		int b = tp_rules_builtin(out, max, err, errlen);
		if (b < 0)
			return -1;
		n = (unsigned)b;
	}
	if (!s)
		return (int)n;
	for (unsigned i = 0; i < s->rules.n; i++) {
		const struct tp_cep_rule_def *d = &s->rules.def[i];
		unsigned j;
		for (j = 0; j < n; j++)
			if (!strcmp(out[j].name, d->name))
				break;
		if (j == n) {
			if (n == max) {
				snprintf(err, errlen,
					 "more than %u rules with the built-in ones: set defaults = off "
					 "in [rules], or fewer [rule.NAME]",
					 max);
				return -1;
			}
			n++;
		}
		out[j] = *d;
	}
	return (int)n;
}
