/* Small helpers shared by the benchmarks: pinning, clocks, percentiles, JSON lines, options.
 *
 * Header-only so each benchmark stays one .c file. Nothing here is on a measured path except
 * tp_bench_tsc_begin/end and tp_bench_relax, which are a few instructions each.
 */
#ifndef TP_BENCH_COMMON_H
#define TP_BENCH_COMMON_H

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TP_BENCH_HAVE_TSC 1
#else
#define TP_BENCH_HAVE_TSC 0
#endif

/* ---- pinning ------------------------------------------------------------------------ */

/* Pins the calling thread to one CPU. Returns 0 or an errno value; callers report a failure
 * and go on unpinned, so a smoke run still works on a machine with fewer cores. */
static inline int tp_bench_pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Involuntary context switches of the calling thread so far. A measurement during which
 * this moved was disturbed by another task on the same CPU (a noisy neighbour). */
static inline uint64_t tp_bench_preemptions(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return 0;
	return (uint64_t)ru.ru_nivcsw;
}

/* ---- clocks ------------------------------------------------------------------------- */

static inline uint64_t tp_bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spin-wait hint: keeps a polling core from flooding the memory system and gives the
 * sibling hyperthread (if any) the pipeline. */
static inline void tp_bench_relax(void)
{
#if TP_BENCH_HAVE_TSC
	_mm_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#if TP_BENCH_HAVE_TSC
/* lfence before and after so the read is neither hoisted above earlier loads nor lets later
 * work start before it (Intel's recommended bracket for short intervals). */
static inline uint64_t tp_bench_tsc_begin(void)
{
	_mm_lfence();
	uint64_t t = __rdtsc();
	_mm_lfence();
	return t;
}

/* rdtscp waits for earlier instructions to retire; the lfence keeps later ones after it. */
static inline uint64_t tp_bench_tsc_end(void)
{
	unsigned aux;
	uint64_t t = __rdtscp(&aux);
	_mm_lfence();
	return t;
}
#else
static inline uint64_t tp_bench_tsc_begin(void) { return tp_bench_now_ns(); }
static inline uint64_t tp_bench_tsc_end(void) { return tp_bench_now_ns(); }
#endif

/* TSC ticks per nanosecond, measured against CLOCK_MONOTONIC over about `ms` milliseconds.
 * Without a TSC the "ticks" are already nanoseconds. */
static inline double tp_bench_tsc_per_ns(unsigned ms)
{
#if TP_BENCH_HAVE_TSC
	uint64_t n0 = tp_bench_now_ns(), t0 = tp_bench_tsc_begin();
	uint64_t want = (uint64_t)ms * 1000000u, n1, t1;
	do {
		n1 = tp_bench_now_ns();
		t1 = tp_bench_tsc_end();
	} while (n1 - n0 < want);
	return (double)(t1 - t0) / (double)(n1 - n0);
#else
	(void)ms;
	return 1.0;
#endif
}

/* ---- statistics --------------------------------------------------------------------- */

static inline int tp_bench__cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static inline int tp_bench__cmp_f64(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static inline void tp_bench_sort_u64(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), tp_bench__cmp_u64);
}

static inline void tp_bench_sort_f64(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), tp_bench__cmp_f64);
}

/* Nearest-rank percentile (p in 0..100) of an ascending array: the smallest value with at
 * least p% of the samples at or below it. */
static inline uint64_t tp_bench_pct_u64(const uint64_t *sorted, size_t n, double p)
{
	if (n == 0)
		return 0;
	double rank = p / 100.0 * (double)n;
	size_t k = (size_t)rank;
	if ((double)k < rank)
		k++;
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return sorted[k - 1];
}

/* Median of n values (sorts them in place); the mean of the middle two when n is even. */
static inline double tp_bench_median_f64(double *v, size_t n)
{
	if (n == 0)
		return 0.0;
	tp_bench_sort_f64(v, n);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* Median cost of an empty tp_bench_tsc_begin/end bracket, in ns: a constant included in
 * every interval measured with them (not subtracted; reported so readers can). */
static inline double tp_bench_tsc_overhead_ns(double tsc_per_ns)
{
	enum { N = 4001 };
	static uint64_t v[N];
	for (int i = 0; i < N; i++) {
		uint64_t t0 = tp_bench_tsc_begin();
		v[i] = tp_bench_tsc_end() - t0;
	}
	tp_bench_sort_u64(v, N);
	return (double)v[N / 2] / tsc_per_ns;
}

/* ---- one JSON object per line ------------------------------------------------------- */

struct tp_bench_json {
	char buf[2048];
	size_t len;
	int fields;
};

static inline void tp_bench__json_put(struct tp_bench_json *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void tp_bench__json_put(struct tp_bench_json *j, const char *fmt, ...)
{
	if (j->len >= sizeof(j->buf))
		return;
	va_list ap;
	va_start(ap, fmt);
	int w = vsnprintf(j->buf + j->len, sizeof(j->buf) - j->len, fmt, ap);
	va_end(ap);
	if (w > 0)
		j->len += (size_t)w;
}

static inline void tp_bench__json_key(struct tp_bench_json *j, const char *key)
{
	tp_bench__json_put(j, "%s\"%s\":", j->fields++ ? "," : "{", key);
}

static inline void tp_bench_json_begin(struct tp_bench_json *j, const char *bench,
				       const char *impl, const char *cas)
{
	j->len = 0;
	j->fields = 0;
	j->buf[0] = '\0';
	tp_bench__json_key(j, "bench");
	tp_bench__json_put(j, "\"%s\"", bench);
	tp_bench__json_key(j, "impl");
	tp_bench__json_put(j, "\"%s\"", impl);
	tp_bench__json_key(j, "case");
	tp_bench__json_put(j, "\"%s\"", cas);
}

/* Keys and string values are ours (identifiers), so no escaping is needed. */
static inline void tp_bench_json_str(struct tp_bench_json *j, const char *key, const char *v)
{
	tp_bench__json_key(j, key);
	tp_bench__json_put(j, "\"%s\"", v);
}

static inline void tp_bench_json_u64(struct tp_bench_json *j, const char *key, uint64_t v)
{
	tp_bench__json_key(j, key);
	tp_bench__json_put(j, "%" PRIu64, v);
}

static inline void tp_bench_json_f64(struct tp_bench_json *j, const char *key, double v)
{
	tp_bench__json_key(j, key);
	tp_bench__json_put(j, "%.3f", v);
}

static inline void tp_bench_json_bool(struct tp_bench_json *j, const char *key, int v)
{
	tp_bench__json_key(j, key);
	tp_bench__json_put(j, "%s", v ? "true" : "false");
}

static inline void tp_bench_json_f64_array(struct tp_bench_json *j, const char *key,
					   const double *v, size_t n)
{
	tp_bench__json_key(j, key);
	tp_bench__json_put(j, "[");
	for (size_t i = 0; i < n; i++)
		tp_bench__json_put(j, "%s%.3f", i ? "," : "", v[i]);
	tp_bench__json_put(j, "]");
}

static inline void tp_bench_json_u64_array(struct tp_bench_json *j, const char *key,
					   const uint64_t *v, size_t n)
{
	tp_bench__json_key(j, key);
	tp_bench__json_put(j, "[");
	for (size_t i = 0; i < n; i++)
		tp_bench__json_put(j, "%s%" PRIu64, i ? "," : "", v[i]);
	tp_bench__json_put(j, "]");
}

/* Prints the line and flushes, so a run that dies later still leaves its earlier figures. */
static inline void tp_bench_json_end(struct tp_bench_json *j)
{
	tp_bench__json_put(j, "}");
	fprintf(stdout, "%s\n", j->buf);
	fflush(stdout);
}

/* ---- options ------------------------------------------------------------------------ */

/* Parses a whole decimal number in [min, max]; returns 0, or -1 on anything else. */
static inline int tp_bench_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

/* Is `name` one item of the comma-separated `list`? */
static inline int tp_bench_in_list(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);
		if (len == n && !memcmp(p, name, n))
			return 1;
		if (!c)
			break;
		p = c + 1;
	}
	return 0;
}

#endif /* TP_BENCH_COMMON_H */
