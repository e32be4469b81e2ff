/* `tickpipe-ctl watch`: the status screen refreshed like top, with the kill-switch on keys:
 * k kill (asks scope and reason), r resume (asks scope, reason and a typed "yes"), q quit.
 * Plain ANSI escapes on a terminal; with stdin or stdout not a terminal it still works
 * (keys are read as bytes, screens are printed one after the other), which is how the tests
 * drive it. */
#ifndef TP_CTLTOOL_WATCH_H
#define TP_CTLTOOL_WATCH_H

/* Returns the process exit code: 0 after q or end of input, 3 when the first connection
 * fails. */
int ctl_watch(const char *socket, unsigned interval_ms, int timeout_ms);

#endif
