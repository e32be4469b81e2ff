/* The little JSON the control path needs: a writer into a fixed buffer (replies, providers)
 * and a strict reader that indexes a document in one pass without copying it (tickpipe-ctl,
 * the telemetry bridge, the server's check of what a provider wrote).
 *
 * Neither allocates. The reader is RFC 8259 strict (no trailing commas, no comments, no
 * control characters in strings, nothing after the value) and bounded: nesting deeper than
 * TP_JR_MAX_DEPTH or more nodes than the caller gave room for is an error, not a crash. */
#ifndef TP_CTL_JSON_H
#define TP_CTL_JSON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- writer ------------------------------------------------------------------------- */

#define TP_JW_MAX_DEPTH 32

/* Commas are placed for the caller: a key or a value in a container that already holds
 * something gets one. The buffer is always NUL-terminated; what does not fit sets
 * `overflow` and is dropped (the result is then unusable: check it). */
struct tp_jw {
	char *buf;
	size_t cap, len;
	int overflow;
	int depth;
	int after_key;
	uint8_t nonempty[TP_JW_MAX_DEPTH];
};

void tp_jw_init(struct tp_jw *w, char *buf, size_t cap);
void tp_jw_obj_begin(struct tp_jw *w);
void tp_jw_obj_end(struct tp_jw *w);
void tp_jw_arr_begin(struct tp_jw *w);
void tp_jw_arr_end(struct tp_jw *w);
void tp_jw_key(struct tp_jw *w, const char *key);
void tp_jw_str(struct tp_jw *w, const char *s);
void tp_jw_strn(struct tp_jw *w, const char *s, size_t n);
void tp_jw_u64(struct tp_jw *w, uint64_t v);
void tp_jw_i64(struct tp_jw *w, int64_t v);
void tp_jw_f64(struct tp_jw *w, double v); /* 3 decimals; non-finite becomes null */
void tp_jw_bool(struct tp_jw *w, int v);
void tp_jw_null(struct tp_jw *w);
/* A value that is already JSON (trusted: the caller checked it). */
void tp_jw_raw(struct tp_jw *w, const char *json, size_t n);

/* ---- reader ------------------------------------------------------------------------- */

#define TP_JR_MAX_DEPTH 64

enum tp_jr_type {
	TP_JR_NULL = 0,
	TP_JR_BOOL,
	TP_JR_NUM,
	TP_JR_STR,
	TP_JR_ARR,
	TP_JR_OBJ,
};

/* One value. Containers are followed by their children in document order (an object's
 * children alternate key, value); `next` is the index just past the whole subtree, which
 * is the next sibling. */
struct tp_jr_node {
	uint8_t type;     /* enum tp_jr_type */
	uint32_t start;   /* offset of the value in the text (strings: just inside the quotes) */
	uint32_t len;     /* its length (strings: the escaped form between the quotes) */
	uint32_t count;   /* arrays: elements; objects: members */
	uint32_t next;
};

struct tp_jr_doc {
	const char *text;
	size_t len;
	struct tp_jr_node *n;
	uint32_t count;   /* nodes used; node 0 is the root */
};

/* Parses text[0..len). With nodes == NULL it only checks the text (and counts the nodes it
 * would need in doc->count). Returns 0, or -1 with a reason and byte offset in err. */
int tp_jr_parse(struct tp_jr_doc *doc, const char *text, size_t len,
		  struct tp_jr_node *nodes, uint32_t cap, char *err, size_t errlen);

/* Member of object `obj` named key: its value's node, or -1. */
int tp_jr_find(const struct tp_jr_doc *d, int obj, const char *key);
/* Follows "a.b.c" through nested objects from `idx`; -1 when any step is missing. */
int tp_jr_path(const struct tp_jr_doc *d, int idx, const char *path);
/* First child (array element, or an object's first key), or -1 when empty. */
int tp_jr_child(const struct tp_jr_doc *d, int idx);
/* Next sibling inside `parent` after `idx` (for objects: pass the key index and step 2). */
static inline int tp_jr_next(const struct tp_jr_doc *d, int idx)
{
	return (int)d->n[idx].next;
}
static inline int tp_jr_type(const struct tp_jr_doc *d, int idx)
{
	return idx < 0 ? -1 : d->n[idx].type;
}

/* Value accessors: 0 and the value, or -1 when idx is missing or of another type/range. */
int tp_jr_u64(const struct tp_jr_doc *d, int idx, uint64_t *out);
int tp_jr_i64(const struct tp_jr_doc *d, int idx, int64_t *out);
int tp_jr_f64(const struct tp_jr_doc *d, int idx, double *out);
int tp_jr_bool(const struct tp_jr_doc *d, int idx, int *out);
/* Unescaped string into buf (always NUL-terminated, truncated to fit); its full length, or
 * -1 when idx is not a string. */
long tp_jr_str(const struct tp_jr_doc *d, int idx, char *buf, size_t cap);
/* 1 when node idx is a string equal to s (after unescaping). */
int tp_jr_str_eq(const struct tp_jr_doc *d, int idx, const char *s);

#ifdef __cplusplus
}
#endif

#endif /* TP_CTL_JSON_H */
