/* Latency histogram: log-linear buckets over TSC cycles (16 linear steps per power of two,
 * so any value is within 1/16 of its bucket's bounds), fixed size, no allocation. One
 * writer; read after that writer stopped (or merged into another histogram). */
#ifndef TP_DP_LATENCY_H
#define TP_DP_LATENCY_H

#include <stdint.h>

#define TP_LAT_SUB_BITS 4u
#define TP_LAT_SUB (1u << TP_LAT_SUB_BITS)
#define TP_LAT_BUCKETS ((64u - TP_LAT_SUB_BITS + 1u) * TP_LAT_SUB)

struct tp_lat_hist {
	uint64_t count;
	uint64_t max;
	uint64_t b[TP_LAT_BUCKETS];
};

static inline unsigned tp_lat_bucket(uint64_t v)
{
	if (v < TP_LAT_SUB)
		return (unsigned)v;
	unsigned msb = 63u - (unsigned)__builtin_clzll(v);
	unsigned shift = msb - TP_LAT_SUB_BITS;
	unsigned sub = (unsigned)(v >> shift) & (TP_LAT_SUB - 1u);
	return (shift + 1u) * TP_LAT_SUB + sub;
}

/* Adds n samples of value v (cycles). */
static inline void tp_lat_add(struct tp_lat_hist *h, uint64_t v, uint64_t n)
{
	h->b[tp_lat_bucket(v)] += n;
	h->count += n;
	if (v > h->max)
		h->max = v;
}

struct tp_lat_summary {
	uint64_t count;
	uint64_t p50, p99, p999, max; /* ns */
};

void tp_lat_merge(struct tp_lat_hist *into, const struct tp_lat_hist *from);
/* Percentiles in ns, each the upper bound of the bucket that holds it (never above max);
 * all zero without samples. */
void tp_lat_summarize(const struct tp_lat_hist *h, uint64_t tsc_hz, struct tp_lat_summary *s);

#endif
