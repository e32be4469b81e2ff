/* The kill-switch: a global scope and one scope per symbol (stock locate 0..65535), each one
 * cache-line-aligned atomic word (layout in tp_ks_halter.h) read with acquire on every order.
 *
 * Who may do what, by construction:
 *  - Halting is open to every stage: tp_ks_halt() / tp_ks_halter_halt(). It is hot-path
 *    safe (a CAS, a bounded copy into a preallocated audit slot, an increment): no syscalls,
 *    no allocation, no locks. Persistence happens later, off the hot path.
 *  - Resuming is for the ops console only. tp_ks_resume() takes a `struct tp_ks_operator *`,
 *    an opaque credential that only tp_ks_operator_from_socket() makes: it reads the peer's
 *    uid/pid from the control socket (SO_PEERCRED) and checks the uid against the operators
 *    allowed on this kill-switch. The credential carries a per-instance secret drawn at create,
 *    so a zeroed or copied-from-elsewhere struct is refused. Rules, the risk guard and timers
 *    are handed a `struct tp_ks_halter *` and include tp_ks_halter.h, which declares halt and
 *    the reads only: they have no way to resume, and a resume always needs a non-empty
 *    reason and an explicit confirm besides.
 *  - The state survives restarts: tp_ks_persist() (control thread; also inside resume) writes
 *    every halted scope to a small file atomically (temp file, fsync, rename, fsync of the
 *    directory). tp_ks_create() loads it, so a restart comes back halted. A state file that
 *    cannot be read or trusted brings the instance up halted globally: when in doubt, halt.
 *  - Every change is audited (who, why, when, scope, old and new state, epoch) into a bounded
 *    in-memory log the slow-path logger drains; a full log counts the records it had to drop
 *    and the halt still happens.
 */
#ifndef TP_KILLSWITCH_H
#define TP_KILLSWITCH_H

#include <stddef.h>
#include <stdint.h>

#include "tp_ks_halter.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TP_KS_WHO_LEN 32  /* audit `who`, NUL included */
#define TP_KS_NOTE_LEN 80 /* audit note (the operator's reason on resume), NUL included */
#define TP_KS_AUDIT_CAP 4096u

struct tp_ks_priv;

/* Public only so tp_ks_blocked() inlines; treat as opaque. */
struct tp_killswitch {
	struct tp_ks_words kw;     /* first: the words every order reads */
	struct tp_ks_halter halter;
	struct tp_ks_priv *priv;   /* everything the hot path never reads */
};

struct tp_ks_operator; /* opaque: made only by tp_ks_operator_from_socket() */

/* ---- create / free ---- */

/* state_path NULL = not persisted. A missing file is a first start (all running). A file
 * that cannot be read or parsed leaves the instance halted globally (reason
 * TP_KS_R_CORRUPT_STATE) and says why in err; the kill-switch is still returned. NULL only
 * when memory is short (err says so). */
struct tp_killswitch *tp_ks_create(const char *state_path, char *err, size_t errlen);
void tp_ks_free(struct tp_killswitch *ks);

/* 1 when the last create found a corrupt or unreadable state file (and halted for it). */
int tp_ks_loaded_corrupt(const struct tp_killswitch *ks);

/* ---- reads (hot path) ---- */

/* Every order: 1 when the global scope or the symbol's scope is halted. */
static inline int tp_ks_blocked(const struct tp_killswitch *ks, uint16_t locate)
{
	return tp_ks_words_blocked(&ks->kw, locate);
}

/* The raw word of a scope (see tp_ks_word_halted/reason/epoch). */
static inline uint64_t tp_ks_word(const struct tp_killswitch *ks, enum tp_ks_scope scope,
				  uint16_t locate)
{
	return tp_ks_words_load(&ks->kw, scope, locate);
}

/* ---- resume (ops console / control thread only) ---- */

/* Builds the credential of the peer of a connected AF_UNIX socket (SO_PEERCRED). `name`
 * (may be NULL) is a label for the audit. NULL with a reason in err when the peer cannot be
 * identified or its uid is not allowed. Allocates: control path only. */
struct tp_ks_operator *tp_ks_operator_from_socket(struct tp_killswitch *ks, int fd,
						  const char *name, char *err, size_t errlen);
void tp_ks_operator_free(struct tp_ks_operator *op);

/* Operators allowed to resume: by default root and the effective uid of the process that
 * created the kill-switch. tp_ks_allow_uids replaces the list (at most 16 uids). */
int tp_ks_allow_uids(struct tp_killswitch *ks, const uint32_t *uids, unsigned n);

/* Lifts a halt. op must come from tp_ks_operator_from_socket() on this kill-switch, reason
 * must be non-empty (not only blanks) and confirm non-zero. Returns
 *   0  resumed (and the new state persisted),
 *   1  the scope was not halted (nothing changed),
 *   2  resumed, but persisting failed: err says why; the file still says halted, so a
 *      restart would come back halted (the safe side),
 *  -1  refused: err says why, nothing changed. */
int tp_ks_resume(struct tp_killswitch *ks, const struct tp_ks_operator *op,
		 enum tp_ks_scope scope, uint16_t locate, const char *reason, int confirm,
		 char *err, size_t errlen);

/* ---- persistence (control thread) ---- */

/* Writes the state file: the global scope and every halted symbol, with reasons and epochs.
 * 0, or -1 with err (nothing is written when state_path is NULL: returns 0). */
int tp_ks_persist(struct tp_killswitch *ks, char *err, size_t errlen);
/* Same, but only when something changed since the last successful persist: for the control
 * thread's periodic tick. Returns 1 when there was nothing to do. */
int tp_ks_persist_if_changed(struct tp_killswitch *ks, char *err, size_t errlen);

/* ---- status ---- */

struct tp_ks_status {
	uint64_t changes;          /* changes of any scope so far */
	uint64_t halts;            /* halts that changed a scope */
	uint64_t halts_repeated;   /* halts of a scope that was already halted */
	uint64_t resumes;
	uint64_t resumes_refused;
	uint64_t audit_dropped;    /* audit records lost to a full log */
	uint32_t symbols_halted;   /* symbol scopes halted now */
	int global_halted;
};
void tp_ks_status(const struct tp_killswitch *ks, struct tp_ks_status *out);
const char *tp_ks_reason_name(uint16_t reason);

/* ---- audit log (one consumer thread: the slow-path logger, or a test) ---- */

struct tp_ks_audit_rec {
	uint64_t seq;               /* position in the log, from 0 */
	uint64_t ts_ns;             /* the changer's clock */
	uint32_t epoch;             /* the scope's epoch after the change */
	uint16_t locate;            /* 0 for the global scope */
	uint16_t reason;            /* reason code of the change */
	uint8_t scope;              /* enum tp_ks_scope */
	uint8_t old_halted, new_halted;
	char who[TP_KS_WHO_LEN];
	char note[TP_KS_NOTE_LEN];  /* resume: the operator's reason; halt: empty */
};

struct tp_ks_audit_iter {
	uint64_t pos;
};

/* Starts at the oldest record not yet consumed. */
void tp_ks_audit_begin(const struct tp_killswitch *ks, struct tp_ks_audit_iter *it);
/* 1 and the next record, or 0 when the iterator has caught up with the writers. */
int tp_ks_audit_next(const struct tp_killswitch *ks, struct tp_ks_audit_iter *it,
		     struct tp_ks_audit_rec *out);
/* Frees every record the iterator has passed, for the writers to reuse. */
void tp_ks_audit_consume(struct tp_killswitch *ks, const struct tp_ks_audit_iter *it);

#ifdef __cplusplus
}
#endif

#endif /* TP_KILLSWITCH_H */
