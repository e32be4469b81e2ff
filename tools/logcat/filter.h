/* Which records logcat prints: by type, by symbol, by exchange-time range. Also keeps the
 * stock directory (locate -> symbol) from the log's TP_LOG_SYMBOL records, which is what
 * lets --symbol take a name. */
#ifndef LC_FILTER_H
#define LC_FILTER_H

#include <stdint.h>

#include "tp_logfmt.h"

struct lc_filter {
	int any_type;            /* no --type: every type */
	uint8_t types[256];      /* with --type: 1 for each type wanted */
	int by_symbol;
	int symbol_is_locate;    /* --symbol was a number */
	uint16_t locate;
	char name[9];            /* --symbol as a name, trimmed */
	int by_time;
	uint64_t since, until;   /* inclusive, exchange ns */
	char symbols[65536][9];  /* locate -> name ("" = unknown): 576 KiB, so keep it static */
};

void lc_filter_init(struct lc_filter *f);
/* Each returns 0, or -1 after writing a one-line reason into err. */
int lc_filter_types(struct lc_filter *f, const char *list, char *err, size_t errlen);
int lc_filter_symbol(struct lc_filter *f, const char *arg, char *err, size_t errlen);
/* "HH:MM:SS[.fffffffff]" or whole nanoseconds since midnight. */
int lc_parse_time(const char *s, uint64_t *ns);

/* Learns from a record (symbol records update the directory); call for every record read,
 * before lc_filter_match. */
void lc_filter_learn(struct lc_filter *f, const struct tp_log_slot *r);
int lc_filter_match(const struct lc_filter *f, const struct tp_log_slot *r);
/* Name of a record's stock, or NULL. */
const char *lc_filter_symbol_of(const struct lc_filter *f, const struct tp_log_slot *r);

#endif
