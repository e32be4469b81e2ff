/* Creation, destruction and validation of the SPSC ring; the hot path is in tp_ring.h. */
#include "tp_ring.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tp_hugemem.h"

_Static_assert(offsetof(struct tp_ring, cons) - offsetof(struct tp_ring, prod) >= TP_RING_SIDE_ALIGN,
	       "producer and consumer state must not share a prefetch pair");

static int is_pow2(uint32_t v) { return v && !(v & (v - 1)); }

const char *tp_ring_mem_name(enum tp_ring_mem m)
{
	return m == TP_RING_MEM_HUGE ? "hugepages" : "normal pages";
}

struct tp_ring *tp_ring_create(const char *name, uint32_t capacity, uint32_t elem_size,
			       unsigned flags)
{
	if (!is_pow2(capacity) || capacity < 2 || capacity > TP_RING_MAX_CAPACITY ||
	    elem_size < TP_RING_MIN_ELEM || elem_size > TP_RING_MAX_ELEM || elem_size % 8) {
		errno = EINVAL;
		return NULL;
	}
	/* Header and slots in one mapping: one allocation, and the slots start on a line. */
	size_t hdr = (sizeof(struct tp_ring) + TP_RING_SIDE_ALIGN - 1) & ~(size_t)(TP_RING_SIDE_ALIGN - 1);
	size_t len = hdr + (size_t)capacity * elem_size;
	struct tp_hugemem m;
	if (tp_hugemem_alloc(&m, len, (flags & TP_RING_F_NO_HUGE) ? TP_HUGEMEM_F_NO_HUGE : 0)) {
		errno = ENOMEM;
		return NULL;
	}
	struct tp_ring *r = m.addr; /* zeroed: indices and caches start at 0 */
	r->cfg.slots = (uint8_t *)m.addr + hdr;
	r->cfg.mask = capacity - 1;
	r->cfg.capacity = capacity;
	r->cfg.elem_size = elem_size;
	r->cfg.mem = m.huge ? TP_RING_MEM_HUGE : TP_RING_MEM_NORMAL;
	r->cfg.alloc_len = m.len;
	snprintf(r->cfg.name, sizeof(r->cfg.name), "%s", name ? name : "ring");
	return r;
}

void tp_ring_free(struct tp_ring *r)
{
	if (!r)
		return;
	struct tp_hugemem m = { .addr = r, .len = r->cfg.alloc_len,
				.huge = r->cfg.mem == TP_RING_MEM_HUGE };
	tp_hugemem_free(&m);
}

#define FAIL(...) do { if (err && errlen) snprintf(err, errlen, __VA_ARGS__); return -EINVAL; } while (0)

int tp_ring_validate(const struct tp_ring *r, char *err, size_t errlen)
{
	if (!r)
		FAIL("ring is NULL");
	if (!is_pow2(r->cfg.capacity) || r->cfg.mask != r->cfg.capacity - 1)
		FAIL("%s: capacity %u / mask %#x inconsistent", r->cfg.name, r->cfg.capacity, r->cfg.mask);
	if (r->cfg.elem_size < TP_RING_MIN_ELEM || r->cfg.elem_size > TP_RING_MAX_ELEM ||
	    r->cfg.elem_size % 8)
		FAIL("%s: element size %u out of range", r->cfg.name, r->cfg.elem_size);
	if ((uintptr_t)r % TP_CACHE_LINE || (uintptr_t)r->cfg.slots % TP_CACHE_LINE)
		FAIL("%s: ring or slots not cache-line aligned", r->cfg.name);
	uint32_t head = atomic_load_explicit(&r->prod.head, memory_order_acquire);
	uint32_t tail = atomic_load_explicit(&r->cons.tail, memory_order_acquire);
	if (head - tail > r->cfg.capacity)
		FAIL("%s: %u used exceeds capacity %u (head %u tail %u)", r->cfg.name, head - tail,
		     r->cfg.capacity, head, tail);
	/* The caches may lag but never run ahead of the index they copy. */
	if (tail - r->prod.cached_tail > r->cfg.capacity)
		FAIL("%s: producer's cached tail %u is ahead of tail %u", r->cfg.name,
		     r->prod.cached_tail, tail);
	if (head - r->cons.cached_head > r->cfg.capacity || r->cons.cached_head - tail > head - tail)
		FAIL("%s: consumer's cached head %u outside [tail %u, head %u]", r->cfg.name,
		     r->cons.cached_head, tail, head);
	return 0;
}

int tp_ring_set_start_index(struct tp_ring *r, uint32_t start)
{
	if (!tp_ring_empty(r))
		return -EBUSY;
	/* relaxed: quiescent by contract, no other thread touches the ring */
	atomic_store_explicit(&r->prod.head, start, memory_order_relaxed);
	atomic_store_explicit(&r->cons.tail, start, memory_order_relaxed);
	r->prod.cached_tail = start;
	r->cons.cached_head = start;
	return 0;
}
