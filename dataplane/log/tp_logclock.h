/* Clocks of the log: the TSC the producers stamp (cheap on the hot path), and the wall and
 * monotonic clocks the logger uses to anchor it and to time flushes. */
#ifndef TP_LOGCLOCK_H
#define TP_LOGCLOCK_H

#include <stdint.h>
#include <time.h>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TP_LOG_HAVE_TSC 1
#else
#define TP_LOG_HAVE_TSC 0
#endif

/* A free-running tick count: rdtsc where there is one (invariant TSC on every machine we
 * deploy on), else CLOCK_MONOTONIC in ns. Not serializing: a few ns of skew against
 * neighbouring instructions does not matter for a log timestamp. */
static inline uint64_t tp_log_tsc(void)
{
#if TP_LOG_HAVE_TSC
	return __rdtsc();
#else
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
#endif
}

static inline uint64_t tp_log_clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Ticks of tp_log_tsc() per second: measured once per process (about 20 ms, on the first
 * call, from the logger's start-up, never on a hot path). */
uint64_t tp_log_tsc_hz(void);

#endif /* TP_LOGCLOCK_H */
