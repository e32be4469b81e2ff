/* SIGINT/SIGTERM: the first asks for an orderly stop (RX stops, rings drain, stages stop in
 * order, ports close, report); a second one exits at once (status 128 + signal). Copies of
 * the first arriving within 0.3 s count as the first. */
#ifndef TP_DP_SIGNALS_H
#define TP_DP_SIGNALS_H

void tp_signals_install(void);
/* Signals received so far (0, 1, ...). */
int tp_signals_received(void);

#endif
