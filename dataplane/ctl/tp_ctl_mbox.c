/* The control thread's side of the mailbox (tp_ctl_mbox.h). */
#include "tp_ctl_mbox.h"

#include <time.h>

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The owner is done polling: take the post back if it is still ours. */
static int owner_gone(const int *owner_done)
{
	/* acquire pairs with the owner's release store of its done flag: everything it did to
	 * the data before leaving its loop is visible here. */
	return owner_done && __atomic_load_n(owner_done, __ATOMIC_ACQUIRE);
}

int tp_ctl_mbox_call(struct tp_ctl_mbox *m, void (*fn)(void *), void *arg, uint64_t timeout_ns,
		     const int *owner_done)
{
	if (owner_gone(owner_done)) {
		fn(arg);
		return 0;
	}
	m->fn = fn;
	m->arg = arg;
	/* release pairs with the owner's acquire CAS: fn and arg are written before the post */
	atomic_store_explicit(&m->state, TP_MBOX_POSTED, memory_order_release);
	uint64_t t0 = mono_ns();
	for (unsigned spins = 0;; spins++) {
		/* acquire pairs with the owner's release store of DONE */
		uint32_t st = atomic_load_explicit(&m->state, memory_order_acquire);
		if (st == TP_MBOX_DONE)
			break;
		if (st == TP_MBOX_POSTED && (owner_gone(owner_done) || mono_ns() - t0 > timeout_ns)) {
			uint32_t want = TP_MBOX_POSTED;
			/* Withdraw. relaxed: nothing was published by the owner if we win; if we
			 * lose, it claimed the post and we go on waiting for DONE. */
			if (atomic_compare_exchange_strong_explicit(&m->state, &want, TP_MBOX_IDLE,
								    memory_order_relaxed,
								    memory_order_relaxed)) {
				if (owner_gone(owner_done)) {
					fn(arg);
					return 0;
				}
				return -1;
			}
			continue;
		}
		/* BUSY runs a bounded function: spin a little, then let the CPU go. */
		if (spins > 64) {
			struct timespec nap = { 0, 20000 };
			nanosleep(&nap, NULL);
		}
	}
	/* relaxed: only this thread posts; the owner looks at the slot only after a release
	 * store of POSTED */
	atomic_store_explicit(&m->state, TP_MBOX_IDLE, memory_order_relaxed);
	return 0;
}
