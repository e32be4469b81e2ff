/* Output files that appear whole or not at all: each is written as FILE.tmp and renamed over
 * FILE at the end. On an error path, and on SIGINT, SIGTERM or SIGHUP, the .tmp files still
 * registered are removed, so no half-written file is ever left under either name. */
#ifndef TP_GEN_OUTFILE_H
#define TP_GEN_OUTFILE_H

#include <stddef.h>

#define TP_GEN_OUTFILE_MAX 4
#define TP_GEN_PATH_MAX    4096

/* Writes FILE.tmp into tmp. Returns 0, or -1 when the name does not fit. */
int tp_gen_tmp_name(const char *final, char *tmp, size_t cap);
/* Installs the signal handlers (once). */
void tp_gen_cleanup_install(void);
/* Registers a .tmp to remove on failure. Returns 0, or -1 when the table is full. */
int tp_gen_cleanup_add(const char *tmp);
/* Renames the .tmp over its final name and forgets it. Returns 0 or -1 (errno set). */
int tp_gen_commit(const char *tmp, const char *final);
/* Removes every registered .tmp (error path). */
void tp_gen_cleanup_all(void);

#endif
