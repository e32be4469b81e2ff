#include "latency.h"

void tp_lat_merge(struct tp_lat_hist *into, const struct tp_lat_hist *from)
{
	for (unsigned i = 0; i < TP_LAT_BUCKETS; i++)
		into->b[i] += from->b[i];
	into->count += from->count;
	if (from->max > into->max)
		into->max = from->max;
}

static uint64_t bucket_high(unsigned b)
{
	if (b < TP_LAT_SUB)
		return b;
	unsigned shift = b / TP_LAT_SUB - 1u;
	uint64_t low = (uint64_t)(TP_LAT_SUB + b % TP_LAT_SUB) << shift;
	return low + ((uint64_t)1 << shift) - 1u;
}

static uint64_t to_ns(uint64_t cycles, uint64_t hz)
{
	if (hz == 0)
		return cycles;
	return (uint64_t)((unsigned __int128)cycles * 1000000000u / hz);
}

/* Value at rank ceil(q * count), 1-based, as the bucket's upper bound. */
static uint64_t quantile(const struct tp_lat_hist *h, double q)
{
	uint64_t rank = (uint64_t)(q * (double)h->count);
	if ((double)rank < q * (double)h->count)
		rank++;
	if (rank == 0)
		rank = 1;
	uint64_t seen = 0;
	for (unsigned i = 0; i < TP_LAT_BUCKETS; i++) {
		seen += h->b[i];
		if (seen >= rank) {
			uint64_t v = bucket_high(i);
			return v > h->max ? h->max : v;
		}
	}
	return h->max;
}

void tp_lat_summarize(const struct tp_lat_hist *h, uint64_t tsc_hz, struct tp_lat_summary *s)
{
	*s = (struct tp_lat_summary){ .count = h->count };
	if (h->count == 0)
		return;
	s->p50 = to_ns(quantile(h, 0.50), tsc_hz);
	s->p99 = to_ns(quantile(h, 0.99), tsc_hz);
	s->p999 = to_ns(quantile(h, 0.999), tsc_hz);
	s->max = to_ns(h->max, tsc_hz);
}
