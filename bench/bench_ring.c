/* SPSC ring benchmark: tickpipe's tp_ring against Concurrency Kit's ck_ring and DPDK's rte_ring.
 *
 * Claim under test (DESIGN.md, budgets): cross-core, 8-byte items, single-op throughput
 * >= 1.2x both peers, burst-32 throughput >= both, ping-pong round-trip median <= both.
 *
 * Fairness: every ring has the same number of slots on ordinary (non-huge) pages aligned to
 * 128 bytes, and every implementation runs the very same loop: the loops below are
 * always_inline templates that take the ring operations as constant function pointers, so
 * the compiler emits one specialised copy per implementation with the operations inlined.
 * Repetitions are interleaved (rep 1 of every impl, then rep 2, ...) so slow phases of the
 * noisy VM hit all implementations alike.
 *
 * Correctness: every consumer checks that it receives 0, 1, 2, ... in order; any mismatch
 * or a stall past the deadline makes the program exit 1.
 *
 * rte_ring runs without EAL: rte_ring_get_memsize_elem() + rte_ring_init() on our own
 * memory need none of EAL's memory or lcore state.
 */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ck_ring.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include "bench_common.h"
#include "tp_ring.h"

#define ELEM_BYTES 8u
#define BURST 32u
#define RING_ALIGN 128u
/* A run this late means a ring lost an item (or the machine is hopelessly overloaded):
 * a fixed allowance plus 1 us per item, far beyond any healthy run. */
#define STALL_BASE_NS (60ull * 1000000000ull)
#define STALL_PER_ITEM_NS 1000ull
/* Failed polls between checks of the clock. Rare enough to be invisible in the figures. */
#define SPIN_SLOW_EVERY 4096u

#define ALWAYS_INLINE static inline __attribute__((always_inline))

/* ---- spin-wait shared by every loop ------------------------------------------------- */

struct spin {
	uint32_t fails;
	bool yield;
	uint64_t deadline_ns;
};

/* Returns false when the deadline has passed: the caller gives up and reports a stall.
 * Yields only when the two threads may share a CPU (pinning failed or one CPU given), where
 * spinning would just burn the peer's time slice. With one CPU each, yielding would hand our
 * CPU to whatever else runs on the machine and measure the scheduler instead of the ring. */
ALWAYS_INLINE bool spin_wait(struct spin *s)
{
	if (__builtin_expect(++s->fails % SPIN_SLOW_EVERY != 0, 1)) {
		if (__builtin_expect(s->yield, 0) && s->fails % 64 == 0)
			sched_yield();
		else
			tp_bench_relax();
		return true;
	}
	return tp_bench_now_ns() < s->deadline_ns;
}

/* ---- the three rings behind one set of operations ----------------------------------- */

typedef bool (*enq1_fn)(void *q, uint64_t v);
typedef bool (*deq1_fn)(void *q, uint64_t *v);
typedef unsigned (*enqn_fn)(void *q, const uint64_t *v, unsigned n);
typedef unsigned (*deqn_fn)(void *q, uint64_t *v, unsigned n);

/* tickpipe */
ALWAYS_INLINE bool tpr_enq1(void *q, uint64_t v) { return tp_ring_enqueue(q, &v) == 0; }
ALWAYS_INLINE bool tpr_deq1(void *q, uint64_t *v) { return tp_ring_dequeue(q, v) == 0; }
ALWAYS_INLINE unsigned tpr_enqn(void *q, const uint64_t *v, unsigned n)
{
	return tp_ring_enqueue_burst(q, v, n);
}
ALWAYS_INLINE unsigned tpr_deqn(void *q, uint64_t *v, unsigned n)
{
	return tp_ring_dequeue_burst(q, v, n);
}

/* Concurrency Kit: pointer-sized entries (ck_ring_buffer), so the item travels as a void *.
 * ck_ring has no burst call; a burst is as many single calls as succeed, which is what a
 * ck_ring user would write. */
struct ckq {
	ck_ring_t *ring;
	ck_ring_buffer_t *buf;
};
ALWAYS_INLINE bool ck_enq1(void *q, uint64_t v)
{
	struct ckq *c = q;
	return ck_ring_enqueue_spsc(c->ring, c->buf, (void *)(uintptr_t)v);
}
ALWAYS_INLINE bool ck_deq1(void *q, uint64_t *v)
{
	struct ckq *c = q;
	void *p;
	if (!ck_ring_dequeue_spsc(c->ring, c->buf, &p))
		return false;
	*v = (uintptr_t)p;
	return true;
}
ALWAYS_INLINE unsigned ck_enqn(void *q, const uint64_t *v, unsigned n)
{
	unsigned i = 0;
	while (i < n && ck_enq1(q, v[i]))
		i++;
	return i;
}
ALWAYS_INLINE unsigned ck_deqn(void *q, uint64_t *v, unsigned n)
{
	unsigned i = 0;
	while (i < n && ck_deq1(q, &v[i]))
		i++;
	return i;
}

/* DPDK: the _elem API with a constant 8-byte element, single-producer/single-consumer. */
ALWAYS_INLINE bool rte_enq1(void *q, uint64_t v)
{
	return rte_ring_sp_enqueue_elem(q, &v, ELEM_BYTES) == 0;
}
ALWAYS_INLINE bool rte_deq1(void *q, uint64_t *v)
{
	return rte_ring_sc_dequeue_elem(q, v, ELEM_BYTES) == 0;
}
ALWAYS_INLINE unsigned rte_enqn(void *q, const uint64_t *v, unsigned n)
{
	return rte_ring_sp_enqueue_burst_elem(q, v, ELEM_BYTES, n, NULL);
}
ALWAYS_INLINE unsigned rte_deqn(void *q, uint64_t *v, unsigned n)
{
	return rte_ring_sc_dequeue_burst_elem(q, v, ELEM_BYTES, n, NULL);
}

/* ---- loop templates: identical for every implementation ----------------------------- */

/* What one side of a run needs and reports. */
struct side {
	void *q;           /* the ring (ping-pong: the ring this side enqueues to) */
	void *q2;          /* ping-pong: the ring this side dequeues from */
	uint64_t n;        /* items or round trips */
	uint64_t *lat;     /* ping-pong: one TSC interval per round trip */
	uint64_t errors;   /* items received out of order */
	bool stalled;      /* gave up at the deadline */
	uint64_t waits;    /* failed polls (ring full for a producer, empty for a consumer) */
	bool yield;        /* may the spin-wait yield the CPU (see spin_wait) */
	uint64_t deadline_ns;
};

ALWAYS_INLINE void loop_prod_single(struct side *s, enq1_fn enq1)
{
	struct spin sp = { 0, s->yield, s->deadline_ns };
	void *q = s->q;
	for (uint64_t i = 0, n = s->n; i < n;) {
		if (enq1(q, i))
			i++;
		else if (!spin_wait(&sp)) {
			s->stalled = true;
			break;
		}
	}
	s->waits = sp.fails;
}

ALWAYS_INLINE void loop_cons_single(struct side *s, deq1_fn deq1)
{
	struct spin sp = { 0, s->yield, s->deadline_ns };
	void *q = s->q;
	uint64_t errors = 0;
	for (uint64_t expect = 0, n = s->n; expect < n;) {
		uint64_t v;
		if (deq1(q, &v)) {
			errors += v != expect;
			expect++;
		} else if (!spin_wait(&sp)) {
			s->stalled = true;
			break;
		}
	}
	s->errors = errors;
	s->waits = sp.fails;
}

ALWAYS_INLINE void loop_prod_burst(struct side *s, enqn_fn enqn)
{
	struct spin sp = { 0, s->yield, s->deadline_ns };
	void *q = s->q;
	uint64_t buf[BURST];
	for (uint64_t i = 0, n = s->n; i < n;) {
		unsigned k = n - i < BURST ? (unsigned)(n - i) : BURST;
		for (unsigned j = 0; j < k; j++)
			buf[j] = i + j;
		unsigned got = enqn(q, buf, k);
		i += got;
		if (got == 0 && !spin_wait(&sp)) {
			s->stalled = true;
			break;
		}
	}
	s->waits = sp.fails;
}

ALWAYS_INLINE void loop_cons_burst(struct side *s, deqn_fn deqn)
{
	struct spin sp = { 0, s->yield, s->deadline_ns };
	void *q = s->q;
	uint64_t buf[BURST], errors = 0;
	for (uint64_t expect = 0, n = s->n; expect < n;) {
		/* never ask for more than remain, so a faulty ring cannot hand us extra items */
		unsigned want = n - expect < BURST ? (unsigned)(n - expect) : BURST;
		unsigned got = deqn(q, buf, want);
		if (got == 0) {
			if (!spin_wait(&sp)) {
				s->stalled = true;
				break;
			}
			continue;
		}
		for (unsigned j = 0; j < got; j++)
			errors += buf[j] != expect + j;
		expect += got;
	}
	s->errors = errors;
	s->waits = sp.fails;
}

/* Ping side: send i on q, wait for it back on q2; the TSC brackets the whole round trip. */
ALWAYS_INLINE void loop_ping(struct side *s, enq1_fn enq1, deq1_fn deq1)
{
	struct spin sp = { 0, s->yield, s->deadline_ns };
	void *out = s->q, *in = s->q2;
	uint64_t errors = 0, *lat = s->lat;
	for (uint64_t i = 0, n = s->n; i < n; i++) {
		uint64_t t0 = tp_bench_tsc_begin(), v;
		while (!enq1(out, i))
			if (!spin_wait(&sp))
				goto stall;
		while (!deq1(in, &v))
			if (!spin_wait(&sp))
				goto stall;
		lat[i] = tp_bench_tsc_end() - t0;
		errors += v != i;
	}
	s->errors = errors;
	s->waits = sp.fails;
	return;
stall:
	s->errors = errors;
	s->waits = sp.fails;
	s->stalled = true;
}

/* Echo side: return every item as it arrives, checking the order on the way. */
ALWAYS_INLINE void loop_echo(struct side *s, enq1_fn enq1, deq1_fn deq1)
{
	struct spin sp = { 0, s->yield, s->deadline_ns };
	void *out = s->q, *in = s->q2;
	uint64_t errors = 0;
	for (uint64_t i = 0, n = s->n; i < n; i++) {
		uint64_t v;
		while (!deq1(in, &v))
			if (!spin_wait(&sp))
				goto stall;
		errors += v != i;
		while (!enq1(out, v))
			if (!spin_wait(&sp))
				goto stall;
	}
	s->errors = errors;
	s->waits = sp.fails;
	return;
stall:
	s->errors = errors;
	s->waits = sp.fails;
	s->stalled = true;
}

/* One non-inlined copy of each loop per implementation: easy to find with perf/objdump. */
#define INSTANTIATE(P)                                                                        \
	static __attribute__((noinline)) void P##_prod_single(struct side *s)                \
	{ loop_prod_single(s, P##_enq1); }                                                    \
	static __attribute__((noinline)) void P##_cons_single(struct side *s)                \
	{ loop_cons_single(s, P##_deq1); }                                                    \
	static __attribute__((noinline)) void P##_prod_burst(struct side *s)                 \
	{ loop_prod_burst(s, P##_enqn); }                                                     \
	static __attribute__((noinline)) void P##_cons_burst(struct side *s)                 \
	{ loop_cons_burst(s, P##_deqn); }                                                     \
	static __attribute__((noinline)) void P##_ping(struct side *s)                       \
	{ loop_ping(s, P##_enq1, P##_deq1); }                                                 \
	static __attribute__((noinline)) void P##_echo(struct side *s)                       \
	{ loop_echo(s, P##_enq1, P##_deq1); }

INSTANTIATE(tpr)
INSTANTIATE(ck)
INSTANTIATE(rte)

typedef void (*loop_fn)(struct side *s);

enum { IMPL_TP, IMPL_CK, IMPL_RTE, NIMPL };
enum { CASE_SINGLE, CASE_BURST, CASE_PINGPONG, NCASE };

static const char *const impl_names[NIMPL] = { "tickpipe", "ck", "rte" };
static const char *const case_names[NCASE] = { "single", "burst32", "pingpong" };

struct impl {
	loop_fn prod[2], cons[2]; /* [single, burst] */
	loop_fn ping, echo;
	void *ring[2];            /* [0] throughput and ping->echo, [1] echo->ping */
	void *mem[4];             /* what to free */
};

/* ---- ring construction -------------------------------------------------------------- */

static void *alloc_aligned(size_t len)
{
	len = (len + RING_ALIGN - 1) & ~(size_t)(RING_ALIGN - 1);
	void *p = aligned_alloc(RING_ALIGN, len);
	if (p)
		memset(p, 0, len); /* also faults the pages in before any timing */
	return p;
}

static void die(const char *fmt, const char *arg)
{
	fprintf(stderr, "bench_ring: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void make_rings(struct impl *im, int which, uint32_t cap)
{
	for (int k = 0; k < 2; k++) {
		switch (which) {
		case IMPL_TP: {
			/* ordinary pages, like the peers: hugepages would be an unfair extra */
			struct tp_ring *r = tp_ring_create(k ? "bench-b" : "bench-a", cap, ELEM_BYTES,
							   TP_RING_F_NO_HUGE);
			if (!r)
				die("tp_ring_create failed: %s", strerror(errno));
			im->ring[k] = r;
			break;
		}
		case IMPL_CK: {
			struct ckq *c = alloc_aligned(sizeof(*c));
			ck_ring_t *ring = alloc_aligned(sizeof(*ring));
			ck_ring_buffer_t *buf = alloc_aligned((size_t)cap * sizeof(*buf));
			if (!c || !ring || !buf)
				die("%s", "out of memory");
			ck_ring_init(ring, cap);
			c->ring = ring;
			c->buf = buf;
			im->ring[k] = c;
			im->mem[2 * k] = ring;
			im->mem[2 * k + 1] = buf;
			break;
		}
		case IMPL_RTE: {
			ssize_t len = rte_ring_get_memsize_elem(ELEM_BYTES, cap);
			if (len < 0)
				die("%s", "rte_ring_get_memsize_elem failed");
			struct rte_ring *r = alloc_aligned((size_t)len);
			if (!r)
				die("%s", "out of memory");
			if (rte_ring_init(r, k ? "bench-b" : "bench-a", cap,
					  RING_F_SP_ENQ | RING_F_SC_DEQ) != 0)
				die("%s", "rte_ring_init failed");
			im->ring[k] = r;
			break;
		}
		}
	}
}

/* Slots a producer can fill before the ring reports full: ck and rte keep one slot free. */
static uint32_t usable_capacity(const struct impl *im, int which)
{
	switch (which) {
	case IMPL_TP:
		return tp_ring_capacity(im->ring[0]);
	case IMPL_CK:
		return ck_ring_capacity(((struct ckq *)im->ring[0])->ring) - 1;
	default:
		return rte_ring_get_capacity(im->ring[0]);
	}
}

static void free_rings(struct impl *im, int which)
{
	for (int k = 0; k < 2; k++) {
		if (which == IMPL_TP)
			tp_ring_free(im->ring[k]);
		else
			free(im->ring[k]);
	}
	for (int k = 0; k < 4; k++)
		free(im->mem[k]);
}

static void init_impls(struct impl im[NIMPL])
{
	memset(im, 0, sizeof(struct impl) * NIMPL);
	im[IMPL_TP] = (struct impl){ { tpr_prod_single, tpr_prod_burst },
				     { tpr_cons_single, tpr_cons_burst }, tpr_ping, tpr_echo,
				     { 0 }, { 0 } };
	im[IMPL_CK] = (struct impl){ { ck_prod_single, ck_prod_burst },
				     { ck_cons_single, ck_cons_burst }, ck_ping, ck_echo,
				     { 0 }, { 0 } };
	im[IMPL_RTE] = (struct impl){ { rte_prod_single, rte_prod_burst },
				      { rte_cons_single, rte_cons_burst }, rte_ping, rte_echo,
				      { 0 }, { 0 } };
}

/* ---- two pinned threads ------------------------------------------------------------- */

struct opts {
	uint64_t items, reps, roundtrips;
	uint32_t capacity;
	int cpu[2];
	char cases[128], impls[128];
	bool quick;
};

/* Round trips of the link probe: a bare cache-line ping-pong run before every measurement. */
#define PROBE_ROUNDS 1000u

struct peer {
	struct side side;
	loop_fn fn;
	int cpu;
	bool pinned;
	_Atomic int ready, go;
	uint64_t t_end_ns;
	uint64_t preempted;
	bool shared_cpu;          /* the two threads may share a CPU: spin-waits must yield */
	/* on a line of its own, so the probe measures one line moving and nothing else */
	_Alignas(RING_ALIGN) _Atomic uint32_t probe;
	char pad[RING_ALIGN - sizeof(uint32_t)];
};

static double g_tsc_per_ns = 1.0;
static bool g_pinned = true; /* every thread so far got the CPU it asked for */

/* The two vCPUs of a VM land on whatever host CPUs the hypervisor picks (SMT siblings, two
 * cores, even two sockets), and that changes over time. One cache line's round trip between
 * the threads, measured right before a run, tells which of those the run got. */
static void probe_wait(struct peer *p, uint32_t want)
{
	/* acquire: pairs with the other thread's release store of the token */
	for (uint32_t n = 1; atomic_load_explicit(&p->probe, memory_order_acquire) != want; n++) {
		if (p->shared_cpu && n % 256 == 0)
			sched_yield();
		else
			tp_bench_relax();
	}
}

static void probe_echo(struct peer *p)
{
	for (uint32_t k = 0; k < PROBE_ROUNDS; k++) {
		/* release/acquire: plain hand-offs of the token, no data rides on them */
		probe_wait(p, 2 * k + 1);
		atomic_store_explicit(&p->probe, 2 * k + 2, memory_order_release);
	}
}

static double probe_ping(struct peer *p)
{
	uint64_t t[PROBE_ROUNDS];
	for (uint32_t k = 0; k < PROBE_ROUNDS; k++) {
		uint64_t t0 = tp_bench_tsc_begin();
		atomic_store_explicit(&p->probe, 2 * k + 1, memory_order_release);
		probe_wait(p, 2 * k + 2);
		t[k] = tp_bench_tsc_end() - t0;
	}
	tp_bench_sort_u64(t, PROBE_ROUNDS);
	return (double)t[PROBE_ROUNDS / 2] / g_tsc_per_ns;
}

static void *peer_main(void *arg)
{
	struct peer *p = arg;
	p->pinned = tp_bench_pin(p->cpu) == 0;
	if (!p->pinned)
		p->shared_cpu = true;
	/* release/acquire with the main thread: the side's fields are read only after go */
	atomic_store_explicit(&p->ready, 1, memory_order_release);
	probe_echo(p);
	while (!atomic_load_explicit(&p->go, memory_order_acquire))
		tp_bench_relax();
	uint64_t pre = tp_bench_preemptions();
	p->fn(&p->side);
	p->t_end_ns = tp_bench_now_ns();
	p->preempted = tp_bench_preemptions() - pre;
	return NULL;
}

struct result {
	double elapsed_ns;
	uint64_t errors;
	bool stalled;
	uint64_t waits[2]; /* failed polls: [this thread's side, the other thread's side] */
	uint64_t preempted; /* involuntary context switches of both threads during the run */
	double link_ns;     /* median round trip of one cache line between the two threads */
};

/* Runs `mine` on this thread (pinned to cpu[0]) and `theirs` on a new thread on cpu[1];
 * the interval is from this side's start to the other side's end. */
static struct result run_pair(const struct opts *o, loop_fn mine, struct side *ms,
			      loop_fn theirs, struct side ts, bool *peer_pinned)
{
	static struct peer p; /* static: the probe line's alignment is more than a stack promises */
	memset(&p, 0, sizeof(p));
	p.side = ts;
	p.fn = theirs;
	p.cpu = o->cpu[1];
	p.shared_cpu = !g_pinned || o->cpu[0] == o->cpu[1];
	pthread_t th;
	if (pthread_create(&th, NULL, peer_main, &p) != 0)
		die("%s", "pthread_create failed");
	while (!atomic_load_explicit(&p.ready, memory_order_acquire))
		tp_bench_relax();
	double link_ns = probe_ping(&p);
	ms->yield = p.shared_cpu;
	p.side.yield = p.shared_cpu;
	uint64_t deadline = tp_bench_now_ns() + STALL_BASE_NS + ts.n * STALL_PER_ITEM_NS;
	ms->deadline_ns = deadline;
	p.side.deadline_ns = deadline;
	uint64_t pre = tp_bench_preemptions();
	atomic_store_explicit(&p.go, 1, memory_order_release);
	uint64_t t0 = tp_bench_now_ns();
	mine(ms);
	pre = tp_bench_preemptions() - pre;
	pthread_join(th, NULL);
	*peer_pinned = p.pinned;
	struct result r = { (double)(p.t_end_ns - t0), ms->errors + p.side.errors,
			    ms->stalled || p.side.stalled, { ms->waits, p.side.waits },
			    pre + p.preempted, link_ns };
	return r;
}

/* ---- cases -------------------------------------------------------------------------- */

static bool g_failed;

static void check(const struct result *r, int impl, int cas)
{
	if (r->errors || r->stalled) {
		fprintf(stderr, "bench_ring: %s %s: %" PRIu64 " items out of order%s\n",
			impl_names[impl], case_names[cas], r->errors,
			r->stalled ? ", stalled (items lost?)" : "");
		g_failed = true;
	}
}

static struct result throughput_once(const struct opts *o, struct impl *im, int cas,
				     uint64_t n)
{
	int b = cas == CASE_BURST;
	struct side prod = { .q = im->ring[0], .n = n };
	struct side cons = { .q = im->ring[0], .n = n };
	bool pinned;
	struct result r = run_pair(o, im->prod[b], &prod, im->cons[b], cons, &pinned);
	g_pinned = g_pinned && pinned;
	return r;
}

static void run_throughput(const struct opts *o, struct impl im[NIMPL], const bool use[NIMPL],
			   int cas, double median_out[NIMPL])
{
	double mops[NIMPL][64], waits[NIMPL][2] = { { 0 } };
	uint64_t pre[NIMPL][64];
	double link[NIMPL][64];
	uint64_t reps = o->reps;
	/* warm-up: caches, branch predictors, the ring's pages; not reported */
	uint64_t warm = o->items / 10 < 2000000 ? o->items / 10 : 2000000;
	for (int i = 0; i < NIMPL; i++)
		if (use[i] && warm) {
			struct result r = throughput_once(o, &im[i], cas, warm);
			check(&r, i, cas);
		}
	for (uint64_t rep = 0; rep < reps; rep++)
		for (int i = 0; i < NIMPL; i++) {
			if (!use[i])
				continue;
			struct result r = throughput_once(o, &im[i], cas, o->items);
			check(&r, i, cas);
			mops[i][rep] = (double)o->items / r.elapsed_ns * 1000.0;
			pre[i][rep] = r.preempted;
			link[i][rep] = r.link_ns;
			for (int k = 0; k < 2; k++)
				waits[i][k] += (double)r.waits[k] / (double)(o->items * reps);
		}
	for (int i = 0; i < NIMPL; i++) {
		if (!use[i])
			continue;
		double mn = mops[i][0], mx = mops[i][0], all[64];
		for (uint64_t rep = 0; rep < reps; rep++) {
			mn = mops[i][rep] < mn ? mops[i][rep] : mn;
			mx = mops[i][rep] > mx ? mops[i][rep] : mx;
		}
		memcpy(all, mops[i], reps * sizeof(all[0]));
		median_out[i] = tp_bench_median_f64(mops[i], reps);
		struct tp_bench_json j;
		tp_bench_json_begin(&j, "ring", impl_names[i], case_names[cas]);
		tp_bench_json_u64(&j, "elem_bytes", ELEM_BYTES);
		tp_bench_json_u64(&j, "capacity", o->capacity);
		tp_bench_json_u64(&j, "usable", usable_capacity(&im[i], i));
		if (cas == CASE_BURST)
			tp_bench_json_u64(&j, "burst", BURST);
		tp_bench_json_u64(&j, "items", o->items);
		tp_bench_json_u64(&j, "reps", reps);
		tp_bench_json_f64(&j, "mops", median_out[i]);
		tp_bench_json_f64(&j, "mops_min", mn);
		tp_bench_json_f64(&j, "mops_max", mx);
		tp_bench_json_f64(&j, "ns_per_item", 1000.0 / median_out[i]);
		tp_bench_json_f64_array(&j, "mops_reps", all, reps);
		tp_bench_json_f64_array(&j, "link_ns_reps", link[i], reps);
		/* involuntary context switches of the two threads per rep: a few are the kernel's
		 * own threads; many mean a neighbour shared our CPUs and the rep is noise */
		tp_bench_json_u64_array(&j, "preemptions_reps", pre[i], reps);
		/* diagnostics: how often each side found the ring full / empty, per item */
		tp_bench_json_f64(&j, "prod_full_polls_per_item", waits[i][0]);
		tp_bench_json_f64(&j, "cons_empty_polls_per_item", waits[i][1]);
		tp_bench_json_bool(&j, "pinned", g_pinned);
		tp_bench_json_end(&j);
	}
}

static void run_pingpong(const struct opts *o, struct impl im[NIMPL], const bool use[NIMPL],
			 double tsc_per_ns, double p50_out[NIMPL])
{
	uint64_t rt = o->roundtrips, reps = o->reps;
	uint64_t warm = rt / 10 < 10000 ? rt / 10 : 10000;
	uint64_t total = warm + rt;
	uint64_t *lat = malloc(total * sizeof(*lat));
	if (!lat)
		die("%s", "out of memory");
	double pct[NIMPL][4][64]; /* per rep: p50, p99, p99.9, max, in ns */
	uint64_t pre[NIMPL][64];
	double link[NIMPL][64];
	for (uint64_t rep = 0; rep < reps; rep++)
		for (int i = 0; i < NIMPL; i++) {
			if (!use[i])
				continue;
			struct side ping = { .q = im[i].ring[0], .q2 = im[i].ring[1], .n = total,
					     .lat = lat };
			struct side echo = { .q = im[i].ring[1], .q2 = im[i].ring[0], .n = total };
			bool pinned;
			struct result r = run_pair(o, im[i].ping, &ping, im[i].echo, echo, &pinned);
			g_pinned = g_pinned && pinned;
			check(&r, i, CASE_PINGPONG);
			pre[i][rep] = r.preempted;
			link[i][rep] = r.link_ns;
			if (r.stalled)
				memset(lat, 0, total * sizeof(*lat));
			/* the first `warm` round trips only warm up */
			uint64_t *s = lat + warm;
			tp_bench_sort_u64(s, rt);
			static const double ps[3] = { 50.0, 99.0, 99.9 };
			for (int k = 0; k < 3; k++)
				pct[i][k][rep] = (double)tp_bench_pct_u64(s, rt, ps[k]) / tsc_per_ns;
			pct[i][3][rep] = (double)s[rt - 1] / tsc_per_ns;
		}
	free(lat);
	for (int i = 0; i < NIMPL; i++) {
		if (!use[i])
			continue;
		double mn = pct[i][0][0], mx = pct[i][0][0], worst = 0;
		for (uint64_t rep = 0; rep < reps; rep++) {
			mn = pct[i][0][rep] < mn ? pct[i][0][rep] : mn;
			mx = pct[i][0][rep] > mx ? pct[i][0][rep] : mx;
			worst = pct[i][3][rep] > worst ? pct[i][3][rep] : worst;
		}
		double med[3], p50s[64];
		memcpy(p50s, pct[i][0], reps * sizeof(p50s[0]));
		for (int k = 0; k < 3; k++)
			med[k] = tp_bench_median_f64(pct[i][k], reps);
		p50_out[i] = med[0];
		struct tp_bench_json j;
		tp_bench_json_begin(&j, "ring", impl_names[i], "pingpong");
		tp_bench_json_u64(&j, "elem_bytes", ELEM_BYTES);
		tp_bench_json_u64(&j, "capacity", o->capacity);
		tp_bench_json_u64(&j, "usable", usable_capacity(&im[i], i));
		tp_bench_json_u64(&j, "roundtrips", rt);
		tp_bench_json_u64(&j, "reps", reps);
		tp_bench_json_f64(&j, "p50_ns", med[0]);
		tp_bench_json_f64(&j, "p99_ns", med[1]);
		tp_bench_json_f64(&j, "p999_ns", med[2]);
		tp_bench_json_f64(&j, "max_ns", worst);
		tp_bench_json_f64(&j, "p50_ns_min", mn);
		tp_bench_json_f64(&j, "p50_ns_max", mx);
		tp_bench_json_f64_array(&j, "p50_ns_reps", p50s, reps);
		tp_bench_json_u64_array(&j, "preemptions_reps", pre[i], reps);
		tp_bench_json_f64_array(&j, "link_ns_reps", link[i], reps);
		tp_bench_json_str(&j, "timer", TP_BENCH_HAVE_TSC ? "tsc" : "clock_gettime");
		tp_bench_json_f64(&j, "tsc_ghz", tsc_per_ns);
		tp_bench_json_f64(&j, "timer_overhead_ns", tp_bench_tsc_overhead_ns(tsc_per_ns));
		tp_bench_json_bool(&j, "pinned", g_pinned);
		tp_bench_json_end(&j);
	}
}

/* tickpipe over each peer: throughput ratios must be >= the budget, latency ratios <= it. */
static void print_ratio(int cas, const double v[NIMPL])
{
	struct tp_bench_json j;
	bool lat = cas == CASE_PINGPONG;
	double budget = cas == CASE_SINGLE ? 1.2 : 1.0;
	double rck = v[IMPL_TP] / v[IMPL_CK], rrte = v[IMPL_TP] / v[IMPL_RTE];
	bool ok = lat ? rck <= budget && rrte <= budget : rck >= budget && rrte >= budget;
	tp_bench_json_begin(&j, "ring", "ratio", case_names[cas]);
	tp_bench_json_str(&j, "metric", lat ? "p50_ns" : "mops");
	tp_bench_json_f64(&j, "tickpipe_over_ck", rck);
	tp_bench_json_f64(&j, "tickpipe_over_rte", rrte);
	tp_bench_json_str(&j, "budget", lat ? "<= 1.0" : cas == CASE_SINGLE ? ">= 1.2" : ">= 1.0");
	tp_bench_json_bool(&j, "meets_budget", ok);
	tp_bench_json_end(&j);
}

/* ---- command line ------------------------------------------------------------------- */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench_ring [options]\n"
		"Cross-core SPSC ring benchmark: tickpipe tp_ring vs ck_ring vs rte_ring (SP/SC),\n"
		"8-byte items. Prints one JSON object per line per (impl, case), then one\n"
		"\"ratio\" line per case. Exits 1 if any ring delivers items out of order.\n"
		"\n"
		"  --items N        items per throughput run (default 50000000)\n"
		"  --reps N         repetitions, interleaved across impls; medians reported (default 5, max 64)\n"
		"  --roundtrips N   ping-pong round trips per repetition (default 1000000)\n"
		"  --capacity N     ring slots, a power of two (default 4096)\n"
		"  --cases LIST     comma-separated: single,burst32,pingpong (default all)\n"
		"  --impls LIST     comma-separated: tickpipe,ck,rte (default all)\n"
		"  --cpus A,B       CPUs for the two threads (default 0,1)\n"
		"  --quick          small sizes for a smoke run (200000 items, 1 rep, 20000 round trips)\n"
		"  --help           this text\n");
}

static int bad(const char *what, const char *val)
{
	fprintf(stderr, "bench_ring: bad value for %s: '%s' (try --help)\n", what,
		val ? val : "(missing)");
	return 2;
}

static bool list_ok(const char *list, const char *const *names, int n)
{
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		bool found = false;
		for (int i = 0; i < n; i++)
			found = found || (strlen(names[i]) == len && !memcmp(p, names[i], len));
		if (!found)
			return false;
		if (!c)
			break;
		p = c + 1;
	}
	return *list != '\0';
}

static int parse(int argc, char **argv, struct opts *o)
{
	*o = (struct opts){ .items = 50000000, .reps = 5, .roundtrips = 1000000,
			    .capacity = 4096, .cpu = { 0, 1 } };
	snprintf(o->cases, sizeof(o->cases), "single,burst32,pingpong");
	snprintf(o->impls, sizeof(o->impls), "tickpipe,ck,rte");
	bool items_set = false, reps_set = false, rt_set = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t x;
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			exit(0);
		} else if (!strcmp(a, "--quick")) {
			o->quick = true;
		} else if (!strcmp(a, "--items")) {
			if (tp_bench_parse_u64(v, 1, UINT64_MAX / 2, &o->items))
				return bad(a, v);
			items_set = true;
			i++;
		} else if (!strcmp(a, "--reps")) {
			if (tp_bench_parse_u64(v, 1, 64, &o->reps))
				return bad(a, v);
			reps_set = true;
			i++;
		} else if (!strcmp(a, "--roundtrips")) {
			if (tp_bench_parse_u64(v, 1, 1000000000, &o->roundtrips))
				return bad(a, v);
			rt_set = true;
			i++;
		} else if (!strcmp(a, "--capacity")) {
			if (tp_bench_parse_u64(v, 2, 1u << 30, &x) || (x & (x - 1)))
				return bad(a, v);
			o->capacity = (uint32_t)x;
			i++;
		} else if (!strcmp(a, "--cases")) {
			if (!v || !list_ok(v, case_names, NCASE) || strlen(v) >= sizeof(o->cases))
				return bad(a, v);
			snprintf(o->cases, sizeof(o->cases), "%s", v);
			i++;
		} else if (!strcmp(a, "--impls")) {
			if (!v || !list_ok(v, impl_names, NIMPL) || strlen(v) >= sizeof(o->impls))
				return bad(a, v);
			snprintf(o->impls, sizeof(o->impls), "%s", v);
			i++;
		} else if (!strcmp(a, "--cpus")) {
			int c0, c1, used = 0;
			if (!v || sscanf(v, "%d,%d%n", &c0, &c1, &used) != 2 || v[used] || c0 < 0 ||
			    c1 < 0 || c0 >= CPU_SETSIZE || c1 >= CPU_SETSIZE)
				return bad(a, v);
			o->cpu[0] = c0;
			o->cpu[1] = c1;
			i++;
		} else {
			fprintf(stderr, "bench_ring: unknown option '%s' (try --help)\n", a);
			return 2;
		}
	}
	if (o->quick) {
		if (!items_set)
			o->items = 200000;
		if (!reps_set)
			o->reps = 1;
		if (!rt_set)
			o->roundtrips = 20000;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct opts o;
	int rc = parse(argc, argv, &o);
	if (rc)
		return rc;

	if (tp_bench_pin(o.cpu[0]) != 0) {
		fprintf(stderr, "bench_ring: cannot pin to CPU %d; running unpinned\n", o.cpu[0]);
		g_pinned = false;
	}

	bool use[NIMPL];
	for (int i = 0; i < NIMPL; i++)
		use[i] = tp_bench_in_list(o.impls, impl_names[i]);
	bool all = use[IMPL_TP] && use[IMPL_CK] && use[IMPL_RTE];

	struct impl im[NIMPL];
	init_impls(im);
	for (int i = 0; i < NIMPL; i++)
		if (use[i])
			make_rings(&im[i], i, o.capacity);

	double tsc_per_ns = tp_bench_tsc_per_ns(o.quick ? 20 : 200);
	g_tsc_per_ns = tsc_per_ns;
	double fig[NIMPL];
	for (int c = 0; c < NCASE; c++) {
		if (!tp_bench_in_list(o.cases, case_names[c]))
			continue;
		if (c == CASE_PINGPONG)
			run_pingpong(&o, im, use, tsc_per_ns, fig);
		else
			run_throughput(&o, im, use, c, fig);
		if (all)
			print_ratio(c, fig);
	}

	for (int i = 0; i < NIMPL; i++)
		if (use[i])
			free_rings(&im[i], i);
	if (g_failed) {
		fprintf(stderr, "bench_ring: FAILED: a ring delivered items out of order or stalled\n");
		return 1;
	}
	return 0;
}
