/* The halting half of the kill-switch: what rules, risk checks and timers get.
 *
 * Knight Capital, 2012: nothing on the order path could stop aberrant activity. Here the stop
 * is one atomic word per scope that every order reads, and any stage may set it. Lifting it
 * is a different matter: only the ops console may resume, so code that decides to halt
 * (CEP rules, the risk guard, timers) is handed a `struct tp_ks_halter *`, and this header,
 * the only one such code needs, declares no way to resume. tp_killswitch.h adds resume,
 * persistence and the operator credential for the control path.
 *
 * The word, one per scope, each on its own cache line:
 *   bit 0        1 = halted, 0 = running
 *   bits 16..31  reason code of the last change (enum tp_ks_reason, or a rule's code)
 *   bits 32..63  epoch: incremented on every change of that scope (halt or resume)
 * Readers load it with acquire on every order; writers publish it with release (CAS).
 */
#ifndef TP_KS_HALTER_H
#define TP_KS_HALTER_H

#include <stdatomic.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_KS_LINE 64
#define TP_KS_NSYMBOLS 65536u /* stock locate 0..65535 */

enum tp_ks_scope { TP_KS_GLOBAL = 0, TP_KS_SYMBOL = 1 };

/* Reason codes. Codes at or above TP_KS_R_RULE_BASE are free for CEP rules (base + rule id). */
enum tp_ks_reason {
	TP_KS_R_NONE = 0,
	TP_KS_R_OPERATOR = 1,      /* halted or resumed from the ops console */
	TP_KS_R_CORRUPT_STATE = 3, /* halted at start: the state file could not be trusted */
	TP_KS_R_INTERNAL = 4,      /* an invariant broke on the order path: when in doubt, halt */
	TP_KS_R_RISK = 5,          /* the risk guard escalated repeated breaches */
	TP_KS_R_STALE_DATA = 6,    /* market data went stale */
	TP_KS_R_TEST = 7,
	TP_KS_R_RULE_BASE = 256,
};

#define TP_KS_W_HALTED 0x1ull

static inline uint64_t tp_ks_word_pack(int halted, uint16_t reason, uint32_t epoch)
{
	return (halted ? TP_KS_W_HALTED : 0) | ((uint64_t)reason << 16) | ((uint64_t)epoch << 32);
}
static inline int tp_ks_word_halted(uint64_t w) { return (int)(w & TP_KS_W_HALTED); }
static inline uint16_t tp_ks_word_reason(uint64_t w) { return (uint16_t)(w >> 16); }
static inline uint32_t tp_ks_word_epoch(uint64_t w) { return (uint32_t)(w >> 32); }

/* One scope's word, alone on its cache line so a halt of one symbol never makes the readers
 * of another take a miss. */
struct tp_ks_word {
	_Atomic uint64_t w;
	uint8_t pad[TP_KS_LINE - sizeof(uint64_t)];
} __attribute__((aligned(TP_KS_LINE)));
_Static_assert(sizeof(struct tp_ks_word) == TP_KS_LINE, "one word per cache line");

/* The part of the kill-switch the inline readers need. Public only so the reads inline; treat
 * as opaque. It is the first member of struct tp_killswitch. */
struct tp_ks_words {
	struct tp_ks_word global;
	/* Incremented (release) after every change of any scope, so a poller can tell with one
	 * load whether anything changed since it last looked. */
	struct tp_ks_word changes;
	struct tp_ks_word *sym; /* TP_KS_NSYMBOLS words */
};

struct tp_killswitch;
/* The handle that can halt and read but not resume. Public only so the reads inline; treat
 * as opaque. */
struct tp_ks_halter {
	const struct tp_ks_words *kw;
	struct tp_killswitch *ks;
};

/* ---- halting (hot-path safe: no syscalls, no allocation, no locks) ---- */

/* Halts a scope (locate is ignored for TP_KS_GLOBAL). Returns 0 (now halted) or 1 (was
 * already halted; the first halt's reason and epoch stay). Safe from any thread. `who` is
 * copied (truncated) into the audit record; ts_ns is the caller's clock (market time in
 * replay). */
int tp_ks_halt(struct tp_killswitch *ks, enum tp_ks_scope scope, uint16_t locate,
	       uint16_t reason, const char *who, uint64_t ts_ns);
int tp_ks_halter_halt(struct tp_ks_halter *h, enum tp_ks_scope scope, uint16_t locate,
		      uint16_t reason, const char *who, uint64_t ts_ns);

/* The halter handle of a kill-switch (lives as long as the kill-switch). */
struct tp_ks_halter *tp_ks_halter_of(struct tp_killswitch *ks);
/* The read side of a kill-switch or a halter. */
const struct tp_ks_words *tp_ks_words_of(const struct tp_killswitch *ks);
const struct tp_ks_words *tp_ks_halter_words(const struct tp_ks_halter *h);

/* ---- reading (every order) ---- */

static inline uint64_t tp_ks_words_load(const struct tp_ks_words *kw, enum tp_ks_scope scope,
					uint16_t locate)
{
	const struct tp_ks_word *x = scope == TP_KS_GLOBAL ? &kw->global : &kw->sym[locate];
	/* acquire pairs with the release CAS in tp_ks_halt/tp_ks_resume: whatever the writer did
	 * before the change (its audit record, its own view of the book) is visible with it. */
	return atomic_load_explicit((_Atomic uint64_t *)&x->w, memory_order_acquire);
}

/* 1 when the global scope or the symbol's scope is halted. */
static inline int tp_ks_words_blocked(const struct tp_ks_words *kw, uint16_t locate)
{
	/* acquire on both, pairing with the halter's release CAS: an order checked after the
	 * halter's store became visible cannot pass. */
	uint64_t g = atomic_load_explicit((_Atomic uint64_t *)&kw->global.w, memory_order_acquire);
	uint64_t s = atomic_load_explicit((_Atomic uint64_t *)&kw->sym[locate].w,
					  memory_order_acquire);
	return (int)((g | s) & TP_KS_W_HALTED);
}

/* How many changes there have been (any scope). */
static inline uint64_t tp_ks_words_changes(const struct tp_ks_words *kw)
{
	/* acquire pairs with the release increment after each change: the changed word is
	 * visible to whoever sees the new count. */
	return atomic_load_explicit((_Atomic uint64_t *)&kw->changes.w, memory_order_acquire);
}

static inline int tp_ks_halter_blocked(const struct tp_ks_halter *h, uint16_t locate)
{
	return tp_ks_words_blocked(h->kw, locate);
}

#ifdef __cplusplus
}
#endif

#endif /* TP_KS_HALTER_H */
