#include "config_index.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		s[--n] = '\0';
	return s;
}

static int add(struct tp_cfg_index *ix, int line, const char *sec, const char *key)
{
	if (ix->n == ix->cap) {
		unsigned cap = ix->cap ? ix->cap * 2 : 64;
		void *v = realloc(ix->v, cap * sizeof(*ix->v));
		if (!v)
			return -1;
		ix->v = v;
		ix->cap = cap;
	}
	struct tp_cfg_index_entry *e = &ix->v[ix->n++];
	e->line = line;
	snprintf(e->section, sizeof(e->section), "%s", sec);
	snprintf(e->key, sizeof(e->key), "%s", key);
	return 0;
}

int tp_cfg_index_line(const struct tp_cfg_index *ix, const char *section, const char *key)
{
	if (!key)
		key = "";
	for (unsigned i = 0; i < ix->n; i++)
		if (strcmp(ix->v[i].section, section) == 0 && strcmp(ix->v[i].key, key) == 0)
			return ix->v[i].line;
	return 0;
}

void tp_cfg_index_free(struct tp_cfg_index *ix)
{
	free(ix->v);
	*ix = (struct tp_cfg_index){ 0 };
}

#define FAIL(...)                                                                            \
	do {                                                                                 \
		snprintf(err, errlen, __VA_ARGS__);                                          \
		goto fail;                                                                   \
	} while (0)

int tp_cfg_index_build(const char *path, struct tp_cfg_index *ix, char *err, size_t errlen)
{
	*ix = (struct tp_cfg_index){ 0 };
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char buf[4096];
	char section[64] = "";
	int have_section = 0;
	int lineno = 0;
	while (fgets(buf, sizeof(buf), f)) {
		lineno++;
		size_t len = strlen(buf);
		int complete = len > 0 && buf[len - 1] == '\n';
		if (!complete && !feof(f))
			FAIL("%s:%d: line too long (at most %d characters)", path, lineno,
			     TP_CFG_MAX_LINE);
		if (len > TP_CFG_MAX_LINE)
			FAIL("%s:%d: line too long (at most %d characters)", path, lineno,
			     TP_CFG_MAX_LINE);
		char *hash = strchr(buf, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(buf);
		if (*s == '\0')
			continue;
		if (*s == ';')
			FAIL("%s:%d: comments start with '#'", path, lineno);
		if (*s == '[') {
			size_t n = strlen(s);
			if (s[n - 1] != ']')
				FAIL("%s:%d: section header without closing ']'", path, lineno);
			s[n - 1] = '\0';
			char *name = trim(s + 1);
			if (*name == '\0')
				FAIL("%s:%d: empty section name", path, lineno);
			if (strlen(name) >= sizeof(section))
				FAIL("%s:%d: section name longer than %zu characters", path, lineno,
				     sizeof(section) - 1);
			if (strpbrk(name, "[]="))
				FAIL("%s:%d: bad section name '%s'", path, lineno, name);
			int prev = tp_cfg_index_line(ix, name, "");
			if (prev)
				FAIL("%s:%d: section [%s] already defined at line %d", path, lineno,
				     name, prev);
			snprintf(section, sizeof(section), "%s", name);
			have_section = 1;
			if (add(ix, lineno, section, "") != 0)
				FAIL("%s: out of memory", path);
			continue;
		}
		char *eq = strchr(s, '=');
		if (!eq)
			FAIL("%s:%d: expected 'key = value' or '[section]'", path, lineno);
		*eq = '\0';
		char *key = trim(s);
		char *val = trim(eq + 1);
		if (!have_section)
			FAIL("%s:%d: '%s' is outside any [section]", path, lineno, key);
		if (*key == '\0')
			FAIL("%s:%d: empty key name", path, lineno);
		if (strlen(key) >= 64)
			FAIL("%s:%d: key name longer than 63 characters", path, lineno);
		if (*val == '\0')
			FAIL("%s:%d: %s has no value", path, lineno, key);
		if (strlen(val) >= 256)
			FAIL("%s:%d: value of %s longer than 255 characters", path, lineno, key);
		int prev = tp_cfg_index_line(ix, section, key);
		if (prev)
			FAIL("%s:%d: %s already set in [%s] at line %d", path, lineno, key, section,
			     prev);
		if (add(ix, lineno, section, key) != 0)
			FAIL("%s: out of memory", path);
	}
	if (ferror(f))
		FAIL("%s: read error", path);
	fclose(f);
	return 0;
fail:
	fclose(f);
	tp_cfg_index_free(ix);
	return -1;
}
