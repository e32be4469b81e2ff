/* Producer creation and the slow paths of tp_logprod.h. */
#include "tp_logprod.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#if TP_LOG_HAVE_TSC
#include <immintrin.h>
#endif

struct tp_log_prod *tp_log_prod_create(const char *name, uint8_t id, uint32_t capacity,
				       enum tp_log_mode mode, unsigned flags)
{
	if (mode != TP_LOG_LIVE && mode != TP_LOG_REPLAY) {
		errno = EINVAL;
		return NULL;
	}
	struct tp_log_prod *p = aligned_alloc(TP_CACHE_LINE, sizeof(*p));
	if (!p) {
		errno = ENOMEM;
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", name ? name : "log");
	p->ring = tp_ring_create(p->name, capacity, TP_LOG_SLOT_SIZE,
				 (flags & TP_LOG_PROD_NO_HUGE) ? TP_RING_F_NO_HUGE : 0);
	if (!p->ring) {
		int e = errno;
		free(p);
		errno = e;
		return NULL;
	}
	p->id = id;
	p->mode = (uint8_t)mode;
	p->stamp_tsc = (flags & TP_LOG_PROD_STAMP_TSC) != 0;
	p->clock = 0;
	atomic_init(&p->drops, 0);
	atomic_init(&p->closed, 0);
	return p;
}

void tp_log_prod_free(struct tp_log_prod *p)
{
	if (!p)
		return;
	tp_ring_free(p->ring);
	free(p);
}

static void drop(struct tp_log_prod *p)
{
	/* relaxed load + store, not an RMW: this thread is the only writer */
	uint64_t d = atomic_load_explicit(&p->drops, memory_order_relaxed);
	atomic_store_explicit(&p->drops, d + 1, memory_order_relaxed);
}

static inline void relax(void)
{
#if TP_LOG_HAVE_TSC
	_mm_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

int tp_log__full(struct tp_log_prod *p)
{
	if (p->mode == TP_LOG_LIVE) {
		drop(p);
		return 0;
	}
	/* Replay: wait for the logger. Spin briefly (it drains in bursts, room comes back
	 * soon), then yield so a producer sharing a core with the logger lets it run. */
	for (unsigned spins = 0;; spins++) {
		if (tp_ring_reserve(p->ring, 1))
			return 1;
		/* acquire pairs with the logger's release store at stop: after it, nobody will
		 * ever drain this ring */
		if (atomic_load_explicit(&p->closed, memory_order_acquire)) {
			drop(p);
			return 0;
		}
		if (spins < 256)
			relax();
		else
			sched_yield();
	}
}

static void copy_padded(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size) : 0;
	memcpy(dst, src ? src : "", n);
	memset(dst + n, 0, size - n);
}

int tp_log_note(struct tp_log_prod *p, uint64_t exch_ns, const char *text)
{
	struct tp_log_slot *s = tp_log_reserve(p, TP_LOG_NOTE);
	if (!s)
		return -ENOBUFS;
	size_t n = strnlen(text, TP_LOG_MAX_PAYLOAD);
	memcpy(s->u.note, text, n);
	s->hdr.len = (uint16_t)(TP_LOG_REC_HDR_SIZE + n);
	s->hdr.exch_ns = exch_ns;
	tp_log_commit(p);
	return 0;
}

int tp_log_audit(struct tp_log_prod *p, uint32_t uid, uint32_t gid, int32_t pid,
		 const char *command, const char *args, int32_t result)
{
	struct tp_log_slot *s = tp_log_reserve(p, TP_LOG_AUDIT);
	if (!s)
		return -ENOBUFS;
	struct tp_log_audit *a = &s->u.audit;
	a->uid = uid;
	a->gid = gid;
	a->pid = pid;
	a->result = result;
	copy_padded(a->command, sizeof(a->command), command);
	copy_padded(a->args, sizeof(a->args), args);
	tp_log_commit(p);
	return 0;
}

int tp_log_symbol(struct tp_log_prod *p, uint64_t exch_ns, uint16_t stock_locate,
		  uint16_t feed_id, const char *symbol)
{
	struct tp_log_slot *s = tp_log_reserve(p, TP_LOG_SYMBOL);
	if (!s)
		return -ENOBUFS;
	s->hdr.exch_ns = exch_ns;
	s->u.symbol = (struct tp_log_symbol){.stock_locate = stock_locate, .feed_id = feed_id};
	/* stops at a NUL: "AAPL" and ITCH's space-padded "AAPL    " both work */
	copy_padded(s->u.symbol.symbol, sizeof(s->u.symbol.symbol), symbol);
	tp_log_commit(p);
	return 0;
}
