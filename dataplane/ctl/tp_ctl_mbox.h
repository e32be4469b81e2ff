/* A one-slot mailbox that lets the control thread run a function on a polling thread that
 * owns some data (an RX lcore owns its feeds and their books: reading them from elsewhere
 * would race). The owner checks the slot once per loop turn: one relaxed load while nothing
 * is posted, no lock, no system call; the function it runs must be short and bounded (copy
 * a few book levels, a stats struct) because the owner's packets wait meanwhile.
 *
 * States: IDLE -> POSTED (control thread) -> BUSY (owner claims it) -> DONE (owner) -> IDLE
 * (control thread). A post the owner does not claim in time is withdrawn (POSTED -> IDLE by
 * CAS), so the function either runs exactly once or never. */
#ifndef TP_CTL_MBOX_H
#define TP_CTL_MBOX_H

#include <stdatomic.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum { TP_MBOX_IDLE = 0, TP_MBOX_POSTED = 1, TP_MBOX_BUSY = 2, TP_MBOX_DONE = 3 };

struct tp_ctl_mbox {
	_Atomic uint32_t state;
	void (*fn)(void *arg);
	void *arg;
} __attribute__((aligned(64)));

static inline void tp_ctl_mbox_init(struct tp_ctl_mbox *m)
{
	m->fn = 0;
	m->arg = 0;
	atomic_init(&m->state, TP_MBOX_IDLE);
}

/* Owner thread, once per loop turn. Returns 1 when it ran a posted function. */
static inline int tp_ctl_mbox_serve(struct tp_ctl_mbox *m)
{
	/* relaxed: a hint only; the CAS below is what orders */
	if (atomic_load_explicit(&m->state, memory_order_relaxed) != TP_MBOX_POSTED)
		return 0;
	uint32_t want = TP_MBOX_POSTED;
	/* acquire pairs with the poster's release store of POSTED: fn and arg are visible.
	 * relaxed on failure: the post was withdrawn, nothing to read. */
	if (!atomic_compare_exchange_strong_explicit(&m->state, &want, TP_MBOX_BUSY,
						     memory_order_acquire, memory_order_relaxed))
		return 0;
	m->fn(m->arg);
	/* release pairs with the poster's acquire load of DONE: what fn wrote is visible */
	atomic_store_explicit(&m->state, TP_MBOX_DONE, memory_order_release);
	return 1;
}

/* Control thread (one caller per mailbox at a time). Posts fn(arg) and waits for the owner
 * to run it, at most timeout_ns. owner_done (may be NULL) is the owner's "I have left my
 * loop" flag, stored with release: once it is set the owner will never serve again, so the
 * post is withdrawn and fn runs right here instead (the owner no longer touches the data).
 * Returns 0 when fn ran (on either thread), -1 on timeout (fn did not run and will not). */
int tp_ctl_mbox_call(struct tp_ctl_mbox *m, void (*fn)(void *), void *arg, uint64_t timeout_ns,
		     const int *owner_done);

#ifdef __cplusplus
}
#endif

#endif /* TP_CTL_MBOX_H */
