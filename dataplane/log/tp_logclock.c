/* TSC frequency calibration. See tp_logclock.h. */
#include "tp_logclock.h"

#include <pthread.h>

static uint64_t tsc_hz;
static pthread_once_t tsc_once = PTHREAD_ONCE_INIT;

static void calibrate(void)
{
#if TP_LOG_HAVE_TSC
	/* Bracket a 20 ms sleep with (monotonic, tsc) pairs. Sleeping rather than spinning is
	 * fine: the TSC is invariant, it ticks the same whether or not this thread runs. */
	uint64_t n0 = tp_log_clock_ns(CLOCK_MONOTONIC), t0 = tp_log_tsc();
	struct timespec d = {0, 20 * 1000 * 1000};
	while (nanosleep(&d, &d) != 0)
		;
	uint64_t n1 = tp_log_clock_ns(CLOCK_MONOTONIC), t1 = tp_log_tsc();
	tsc_hz = n1 > n0 ? (uint64_t)((unsigned __int128)(t1 - t0) * 1000000000u / (n1 - n0)) : 0;
#else
	tsc_hz = 1000000000u;
#endif
}

uint64_t tp_log_tsc_hz(void)
{
	pthread_once(&tsc_once, calibrate);
	return tsc_hz;
}
