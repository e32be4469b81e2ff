/* How tickpipe-ctl shows replies to people: the status screen (also the body of `watch`),
 * the book ladder, stats as "path value" lines, and the outcome of kill/resume. */
#ifndef TP_CTLTOOL_RENDER_H
#define TP_CTLTOOL_RENDER_H

#include <stdint.h>
#include <stdio.h>

#include "tp_ctl_json.h"

/* A parsed reply: the nodes live as long as the struct. */
struct reply {
	struct tp_jr_doc d;
	struct tp_jr_node *nodes;
	int ok;
	char error[512];
};

/* Parses text into r. 0, or -1 with r->error set (not JSON). */
int reply_parse(struct reply *r, const char *text, size_t len);
void reply_free(struct reply *r);

/* "84 us", "1.25 ms", "2.00 s". */
void fmt_duration(uint64_t ns, char *buf, size_t cap);

/* color: ANSI colors for halted/running. */
void render_status(FILE *out, const struct reply *r, const char *socket, int color);
void render_book(FILE *out, const struct reply *r);
/* Every scalar under the reply as "path value", one per line, paths joined with '.'. */
void render_flat(FILE *out, const struct reply *r);
/* One line for a successful kill or resume reply, e.g. "halted GLOBAL (epoch 3) in 84 us". */
void render_action(FILE *out, const struct reply *r, uint64_t rtt_ns);

#endif
