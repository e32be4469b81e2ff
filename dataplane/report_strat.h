/* The strategy's part of the end-of-run report (report.c prints the rest).
 *
 * halts: every halt of this run, in exchange-time order: the CEP rules' halts (symbol, rule
 *   name, exchange time of the firing, sequence number of the breaking message; a halt of
 *   everything has symbol "*", a gap's halt names the first missing sequence number), then
 *   halts from elsewhere interleaved by time (the risk guard's escalations, the gateway's
 *   internal errors: rule = who halted, seq = 0). A rule that breaches again on a symbol
 *   that is already halted (restored from the state file) is listed again: the rule fired.
 * alerts: firings per rule name (alerts and halts alike; each halt is also in halts), rules
 *   that never fired left out.
 * strategy (JSON only when a market maker was configured): the gateway's counters, rejects
 *   by reason, fills and P&L (replay: the simulated exchange's account; money in price units
 *   times shares, ITCH: 1/10000 USD), per symbol what left on the egress ring, and the
 *   kill-switch (restored and final state). The text report also shows the kill-switch's
 *   audit and the tick-to-halt latency (RX TSC of the breaking packet -> the gateway's
 *   first sighting of the halt). */
#ifndef TP_DP_REPORT_STRAT_H
#define TP_DP_REPORT_STRAT_H

#include <stdio.h>

#include "pipeline.h"

/* A JSON string, escaped. */
void tp_dp_json_str(FILE *out, const char *s);
void tp_report_halts_json(const struct tp_pipeline *pl, FILE *out);
void tp_report_alerts_json(const struct tp_pipeline *pl, FILE *out);
/* `,"strategy":{...}` when a market maker was configured, else nothing. */
void tp_report_strategy_json(const struct tp_pipeline *pl, FILE *out);
/* halts, alerts, kill-switch and strategy sections of the text report. */
void tp_report_strategy_text(const struct tp_pipeline *pl, FILE *out);
/* One line of the text latency table for tick-to-halt, when there were samples. */
void tp_report_halt_latency_text(const struct tp_pipeline *pl, FILE *out);

#endif
