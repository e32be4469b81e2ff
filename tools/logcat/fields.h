/* How each record type prints: one table of fields per type drives the text, JSON and CSV
 * output alike, so the three can never disagree about what a record holds. */
#ifndef LC_FIELDS_H
#define LC_FIELDS_H

#include <stdint.h>
#include <stdio.h>

#include "tp_logfmt.h"

enum lc_format { LC_TEXT, LC_JSON, LC_CSV };

/* What a record is printed with beyond its own fields. */
struct lc_ctx {
	const struct tp_log_seg_hdr *seg; /* its segment, for the wall time; may be NULL */
	const char *symbol;               /* name of its stock locate, NULL when unknown */
};

/* The stock locate of a record, if its type has one: 1 and *locate, else 0. */
int lc_record_locate(const struct tp_log_slot *r, uint16_t *locate);

/* The CSV header line (with newline). */
void lc_csv_header(FILE *out);

/* One record as one line (with newline). */
void lc_print(FILE *out, enum lc_format fmt, const struct tp_log_slot *r,
	      const struct lc_ctx *ctx);

/* "HH:MM:SS.nnnnnnnnn" of ns since midnight. buf >= 32 bytes. */
void lc_fmt_daytime(char *buf, size_t len, uint64_t ns);

#endif
