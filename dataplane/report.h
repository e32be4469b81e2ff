/* The end-of-run report: readable text by default, or with --json one JSON object whose
 * keys are the contract in DESIGN.md (messages, messages_total, gaps, duplicates,
 * malformed, unknown_refs, books, halts, alerts, latency_ns), plus `strategy` when a market
 * maker was configured (report_strat.h has halts, alerts and strategy). Everything but
 * latency_ns is a function of the input (and the kill-switch state file) alone, so two
 * replays of one capture print the same JSON apart from latency_ns.
 *
 * books: one entry per symbol the stock directory named, sorted by symbol; bid and ask are
 * [price, quantity] of the top of book, [0, 0] for an empty side (as tickpipe-gen's
 * manifest has it). A symbol present in two feeds is keyed "SYMBOL@FEED" in both. */
#ifndef TP_DP_REPORT_H
#define TP_DP_REPORT_H

#include <stdio.h>

#include "pipeline.h"

void tp_report_text(const struct tp_pipeline *pl, FILE *out);
void tp_report_json(const struct tp_pipeline *pl, FILE *out);

#endif
