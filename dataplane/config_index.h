/* Where each section and key of an INI file sits, and the file's syntax checked line by
 * line. rte_cfgfile parses the file but reports no line numbers, and an operator fixing a
 * config wants "FILE:LINE: reason"; this scan gives both. */
#ifndef TP_DP_CONFIG_INDEX_H
#define TP_DP_CONFIG_INDEX_H

#include <stddef.h>

struct tp_cfg_index_entry {
	int line;
	char section[64];
	char key[64];      /* "" for the section header itself */
};

struct tp_cfg_index {
	struct tp_cfg_index_entry *v;
	unsigned n, cap;
};

/* Longest line rte_cfgfile reads (its buffer: name + value + 4). */
#define TP_CFG_MAX_LINE (64 + 256 + 2)

/* Reads `path` and checks it the way rte_cfgfile (comment character '#') will read it:
 * section headers, key = value lines, no key outside a section, no empty value, no
 * duplicate section or key, no over-long line, name or value. Returns 0, or -1 with
 * "PATH:LINE: reason" (or "PATH: reason") in err. */
int tp_cfg_index_build(const char *path, struct tp_cfg_index *ix, char *err, size_t errlen);
/* Line of `key` in `section` (key NULL or "": the section header); 0 when absent. */
int tp_cfg_index_line(const struct tp_cfg_index *ix, const char *section, const char *key);
void tp_cfg_index_free(struct tp_cfg_index *ix);

#endif
