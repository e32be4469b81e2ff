/* SPSC ring: one producer thread, one consumer thread, fixed-size elements.
 *
 * The hot path lives here as static inline functions; tp_ring.c only creates, frees and
 * validates. Layout follows DPDK lib/ring (producer and consumer state on separate cache
 * lines) and Concurrency Kit (reserve-then-commit for zero-copy writes).
 *
 * Each side publishes one index and keeps a private cached copy of the other side's index,
 * so the shared line of the other side is only read when the cached view says full (for the
 * producer) or empty (for the consumer). That is what keeps cross-core traffic at one line
 * transfer per burst instead of one per element.
 *
 * Indices are free-running 32-bit counters; slot = index & mask. Unsigned subtraction makes
 * the used count correct across wrap-around, so the whole capacity is usable.
 *
 * Variants, as in DPDK: bulk = all or nothing, burst = as many as fit.
 */
#ifndef TP_RING_H
#define TP_RING_H

#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_CACHE_LINE 64
/* Two lines per side: the adjacent-line prefetcher pulls pairs, so one line of padding
 * would still let the producer's writes disturb the consumer's line. */
#define TP_RING_SIDE_ALIGN (2 * TP_CACHE_LINE)

#define TP_RING_MIN_ELEM 8u
#define TP_RING_MAX_ELEM 256u
#define TP_RING_MAX_CAPACITY (1u << 30)

/* Creation flags. */
#define TP_RING_F_NO_HUGE 0x1u /* never try hugepages: ordinary pages only */

enum tp_ring_mem {
	TP_RING_MEM_NORMAL = 0, /* ordinary pages (aligned allocation) */
	TP_RING_MEM_HUGE = 1,   /* hugepages from libhugetlbfs */
};

struct tp_ring {
	/* Written by the producer. The consumer reads head. */
	struct {
		_Atomic uint32_t head;  /* next index to write; published with release */
		uint32_t cached_tail;   /* producer's last view of cons.tail */
	} prod __attribute__((aligned(TP_RING_SIDE_ALIGN)));

	/* Written by the consumer. The producer reads tail. */
	struct {
		_Atomic uint32_t tail;  /* next index to read; published with release */
		uint32_t cached_head;   /* consumer's last view of prod.head */
	} cons __attribute__((aligned(TP_RING_SIDE_ALIGN)));

	/* Read-only after creation: shared by both sides without ping-pong. */
	struct {
		uint8_t *slots;
		uint32_t mask;
		uint32_t capacity;
		uint32_t elem_size;
		uint32_t mem;      /* enum tp_ring_mem */
		size_t alloc_len;  /* bytes mapped, for free */
		char name[32];
	} cfg __attribute__((aligned(TP_RING_SIDE_ALIGN)));
};

/* Creates a ring of `capacity` elements (a power of two, 2 .. 2^30) of `elem_size` bytes
 * (8 .. 256, a multiple of 8). Memory comes from hugepages when any are available and
 * TP_RING_F_NO_HUGE is not set, else from ordinary pages. Returns NULL with errno set:
 * EINVAL for bad sizes, ENOMEM when no memory could be had. */
struct tp_ring *tp_ring_create(const char *name, uint32_t capacity, uint32_t elem_size,
			       unsigned flags);
void tp_ring_free(struct tp_ring *r);

/* Which memory the ring got (enum tp_ring_mem), and its name for messages. */
static inline enum tp_ring_mem tp_ring_mem_kind(const struct tp_ring *r)
{
	return (enum tp_ring_mem)r->cfg.mem;
}
const char *tp_ring_mem_name(enum tp_ring_mem m);

/* Checks the ring's invariants; on failure writes the reason into err and returns -EINVAL.
 * For debugging and tests: call it only while neither side is running. */
int tp_ring_validate(const struct tp_ring *r, char *err, size_t errlen);

/* Moves an empty, quiescent ring's indices to `start`, so tests can cross the 2^32 wrap. */
int tp_ring_set_start_index(struct tp_ring *r, uint32_t start);

static inline uint32_t tp_ring_capacity(const struct tp_ring *r) { return r->cfg.capacity; }
static inline uint32_t tp_ring_elem_size(const struct tp_ring *r) { return r->cfg.elem_size; }

/* Approximate when both sides are running; exact when called by either side alone. */
static inline uint32_t tp_ring_used(const struct tp_ring *r)
{
	/* acquire on both: a snapshot for monitoring, ordered like the sides' own loads */
	uint32_t tail = atomic_load_explicit(&r->cons.tail, memory_order_acquire);
	uint32_t head = atomic_load_explicit(&r->prod.head, memory_order_acquire);
	return head - tail;
}
static inline uint32_t tp_ring_free_count(const struct tp_ring *r)
{
	return r->cfg.capacity - tp_ring_used(r);
}
static inline int tp_ring_empty(const struct tp_ring *r) { return tp_ring_used(r) == 0; }
static inline int tp_ring_full(const struct tp_ring *r)
{
	return tp_ring_used(r) == r->cfg.capacity;
}

static inline void *tp_ring__slot(const struct tp_ring *r, uint32_t idx)
{
	return r->cfg.slots + (size_t)(idx & r->cfg.mask) * r->cfg.elem_size;
}

/* Copies one element. 8 bytes (the smallest size, and the pointer/handle case) gets a
 * fixed-size copy the compiler turns into one move; larger elements are usually written in
 * place through reserve/commit instead. */
static inline void tp_ring__copy1(void *dst, const void *src, uint32_t esize)
{
	if (esize == 8)
		memcpy(dst, src, 8);
	else
		memcpy(dst, src, esize);
}

/* Copies n elements between the ring at idx and a flat array, in at most two runs. */
static inline void tp_ring__copy_in(struct tp_ring *r, uint32_t idx, const void *src, uint32_t n)
{
	uint32_t esize = r->cfg.elem_size;
	uint32_t first = r->cfg.capacity - (idx & r->cfg.mask);
	if (first > n)
		first = n;
	memcpy(tp_ring__slot(r, idx), src, (size_t)first * esize);
	if (n > first)
		memcpy(r->cfg.slots, (const uint8_t *)src + (size_t)first * esize,
		       (size_t)(n - first) * esize);
}

static inline void tp_ring__copy_out(const struct tp_ring *r, uint32_t idx, void *dst, uint32_t n)
{
	uint32_t esize = r->cfg.elem_size;
	uint32_t first = r->cfg.capacity - (idx & r->cfg.mask);
	if (first > n)
		first = n;
	memcpy(dst, tp_ring__slot(r, idx), (size_t)first * esize);
	if (n > first)
		memcpy((uint8_t *)dst + (size_t)first * esize, r->cfg.slots,
		       (size_t)(n - first) * esize);
}

/* ---- producer side ------------------------------------------------------------------ */

/* Free slots as the producer sees them, refreshing its view of the tail only when the
 * cached view cannot satisfy `want`. */
static inline uint32_t tp_ring__prod_room(struct tp_ring *r, uint32_t head, uint32_t want)
{
	uint32_t room = r->cfg.capacity - (head - r->prod.cached_tail);
	if (room < want) {
		/* acquire pairs with the consumer's release store of cons.tail: the consumer's
		 * reads of the slots we are about to overwrite have completed. */
		r->prod.cached_tail = atomic_load_explicit(&r->cons.tail, memory_order_acquire);
		room = r->cfg.capacity - (head - r->prod.cached_tail);
	}
	return room;
}

static inline void tp_ring__publish_head(struct tp_ring *r, uint32_t head)
{
	/* release pairs with the consumer's acquire load of prod.head: the slot contents
	 * written before this store are visible once the new head is. */
	atomic_store_explicit(&r->prod.head, head, memory_order_release);
}

/* Enqueues one element. Returns 0, or -ENOBUFS when the ring is full. */
static inline int tp_ring_enqueue(struct tp_ring *r, const void *obj)
{
	/* relaxed: only this thread writes prod.head */
	uint32_t head = atomic_load_explicit(&r->prod.head, memory_order_relaxed);
	if (__builtin_expect(tp_ring__prod_room(r, head, 1) == 0, 0))
		return -ENOBUFS;
	tp_ring__copy1(tp_ring__slot(r, head), obj, r->cfg.elem_size);
	tp_ring__publish_head(r, head + 1);
	return 0;
}

/* Enqueues up to n elements from a flat array; returns how many went in. */
static inline uint32_t tp_ring_enqueue_burst(struct tp_ring *r, const void *objs, uint32_t n)
{
	/* relaxed: only this thread writes prod.head */
	uint32_t head = atomic_load_explicit(&r->prod.head, memory_order_relaxed);
	uint32_t room = tp_ring__prod_room(r, head, n);
	if (n > room)
		n = room;
	if (n == 0)
		return 0;
	tp_ring__copy_in(r, head, objs, n);
	tp_ring__publish_head(r, head + n);
	return n;
}

/* Enqueues all n elements or none; returns n or 0. */
static inline uint32_t tp_ring_enqueue_bulk(struct tp_ring *r, const void *objs, uint32_t n)
{
	/* relaxed: only this thread writes prod.head */
	uint32_t head = atomic_load_explicit(&r->prod.head, memory_order_relaxed);
	if (n == 0 || tp_ring__prod_room(r, head, n) < n)
		return 0;
	tp_ring__copy_in(r, head, objs, n);
	tp_ring__publish_head(r, head + n);
	return n;
}

/* Zero-copy write, step 1: reserves up to n slots and returns how many were granted.
 * Fill them through tp_ring_reserved_slot(r, 0 .. granted-1), then tp_ring_commit(). */
static inline uint32_t tp_ring_reserve(struct tp_ring *r, uint32_t n)
{
	/* relaxed: only this thread writes prod.head */
	uint32_t head = atomic_load_explicit(&r->prod.head, memory_order_relaxed);
	uint32_t room = tp_ring__prod_room(r, head, n);
	return n < room ? n : room;
}

static inline void *tp_ring_reserved_slot(struct tp_ring *r, uint32_t k)
{
	/* relaxed: only this thread writes prod.head */
	return tp_ring__slot(r, atomic_load_explicit(&r->prod.head, memory_order_relaxed) + k);
}

/* Zero-copy write, step 2: publishes the first n reserved slots (n <= granted). */
static inline void tp_ring_commit(struct tp_ring *r, uint32_t n)
{
	/* relaxed: only this thread writes prod.head */
	uint32_t head = atomic_load_explicit(&r->prod.head, memory_order_relaxed);
	tp_ring__publish_head(r, head + n);
}

/* ---- consumer side ------------------------------------------------------------------ */

static inline uint32_t tp_ring__cons_avail(struct tp_ring *r, uint32_t tail, uint32_t want)
{
	uint32_t avail = r->cons.cached_head - tail;
	if (avail < want) {
		/* acquire pairs with the producer's release store of prod.head: the slots up to
		 * the new head hold the producer's writes. */
		r->cons.cached_head = atomic_load_explicit(&r->prod.head, memory_order_acquire);
		avail = r->cons.cached_head - tail;
	}
	return avail;
}

static inline void tp_ring__publish_tail(struct tp_ring *r, uint32_t tail)
{
	/* release pairs with the producer's acquire load of cons.tail: our reads of the slots
	 * complete before the producer may reuse them. */
	atomic_store_explicit(&r->cons.tail, tail, memory_order_release);
}

/* Dequeues one element. Returns 0, or -ENOENT when the ring is empty. */
static inline int tp_ring_dequeue(struct tp_ring *r, void *obj)
{
	/* relaxed: only this thread writes cons.tail */
	uint32_t tail = atomic_load_explicit(&r->cons.tail, memory_order_relaxed);
	if (__builtin_expect(tp_ring__cons_avail(r, tail, 1) == 0, 0))
		return -ENOENT;
	tp_ring__copy1(obj, tp_ring__slot(r, tail), r->cfg.elem_size);
	tp_ring__publish_tail(r, tail + 1);
	return 0;
}

/* Dequeues up to n elements into a flat array; returns how many came out. */
static inline uint32_t tp_ring_dequeue_burst(struct tp_ring *r, void *objs, uint32_t n)
{
	/* relaxed: only this thread writes cons.tail */
	uint32_t tail = atomic_load_explicit(&r->cons.tail, memory_order_relaxed);
	uint32_t avail = tp_ring__cons_avail(r, tail, n);
	if (n > avail)
		n = avail;
	if (n == 0)
		return 0;
	tp_ring__copy_out(r, tail, objs, n);
	tp_ring__publish_tail(r, tail + n);
	return n;
}

/* Dequeues all n elements or none; returns n or 0. */
static inline uint32_t tp_ring_dequeue_bulk(struct tp_ring *r, void *objs, uint32_t n)
{
	/* relaxed: only this thread writes cons.tail */
	uint32_t tail = atomic_load_explicit(&r->cons.tail, memory_order_relaxed);
	if (n == 0 || tp_ring__cons_avail(r, tail, n) < n)
		return 0;
	tp_ring__copy_out(r, tail, objs, n);
	tp_ring__publish_tail(r, tail + n);
	return n;
}

/* Zero-copy read, step 1: returns how many of up to n elements are readable in place
 * through tp_ring_peeked_slot(r, 0 .. got-1). */
static inline uint32_t tp_ring_peek(struct tp_ring *r, uint32_t n)
{
	/* relaxed: only this thread writes cons.tail */
	uint32_t tail = atomic_load_explicit(&r->cons.tail, memory_order_relaxed);
	uint32_t avail = tp_ring__cons_avail(r, tail, n);
	return n < avail ? n : avail;
}

static inline const void *tp_ring_peeked_slot(const struct tp_ring *r, uint32_t k)
{
	/* relaxed: only this thread writes cons.tail */
	return tp_ring__slot(r, atomic_load_explicit(&r->cons.tail, memory_order_relaxed) + k);
}

/* Zero-copy read, step 2: hands the first n peeked slots back to the producer. */
static inline void tp_ring_release(struct tp_ring *r, uint32_t n)
{
	/* relaxed: only this thread writes cons.tail */
	uint32_t tail = atomic_load_explicit(&r->cons.tail, memory_order_relaxed);
	tp_ring__publish_tail(r, tail + n);
}

#ifdef __cplusplus
}
#endif

#endif /* TP_RING_H */
