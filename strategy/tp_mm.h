/* A sample market maker: one bid and one ask per configured symbol, `offset_ticks` behind
 * the best bid and offer, `size` shares each. When the BBO moves, it cancels the quote that
 * is off and sends a new one; when a side of the book is empty it pulls both quotes.
 *
 * It exists to drive the gateway, the risk guard and the simulated exchange in backtests,
 * not to make money. Everything goes through tp_gw_submit/tp_gw_cancel, so a halt or a risk
 * reject simply leaves it without a quote (counted) until the next book update.
 *
 * Driven by tp_events (the BBO after each update) and by the exchange's reports. Owned by
 * the thread that owns the gateway; no allocation after create. */
#ifndef TP_MM_H
#define TP_MM_H

#include <stdint.h>

#include "tp_event.h"
#include "tp_gateway.h"

#ifdef __cplusplus
extern "C" {
#endif

#define TP_MM_MAX_SYMBOLS 64u

struct tp_mm_params {
	struct tp_gw *gw;
	const uint16_t *locates;   /* symbols to quote (the gateway must know their names) */
	uint32_t nlocates;         /* 1 .. TP_MM_MAX_SYMBOLS */
	uint32_t size;             /* shares per quote */
	uint32_t offset_ticks;     /* 0 = join the best price */
	uint32_t tick;             /* price units per tick (default 100 = $0.01 in ITCH units) */
};

struct tp_mm_stats {
	uint64_t quotes_sent;
	uint64_t cancels_sent;     /* requotes and pulls */
	uint64_t refused;          /* submits the gateway did not send (halt, risk, full) */
	uint64_t fills, fill_qty;
};

struct tp_mm;

struct tp_mm *tp_mm_create(const struct tp_mm_params *p, char *err, unsigned errlen);
void tp_mm_free(struct tp_mm *mm);

/* Requotes a configured symbol on its book updates; everything else is ignored. */
void tp_mm_on_event(struct tp_mm *mm, const struct tp_event *ev);
/* Keeps its quotes in step with the exchange (fills and cancels of its orders). */
void tp_mm_on_report(struct tp_mm *mm, const struct tp_exec_report *rep);

void tp_mm_stats(const struct tp_mm *mm, struct tp_mm_stats *out);
/* The live quote of a side ('B' or 'S'): 1 with its UserRefNum, price and shares left. */
int tp_mm_quote(const struct tp_mm *mm, uint16_t locate, uint8_t side, uint32_t *urn,
		uint32_t *price, uint32_t *left);

#ifdef __cplusplus
}
#endif

#endif /* TP_MM_H */
