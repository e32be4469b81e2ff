/* Atomic output files and their removal on failure (see outfile.h). */
#include "outfile.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Read by the signal handler: only fixed storage and a count it can trust. */
static char paths[TP_GEN_OUTFILE_MAX][TP_GEN_PATH_MAX];
static volatile sig_atomic_t used[TP_GEN_OUTFILE_MAX];

int tp_gen_tmp_name(const char *final, char *tmp, size_t cap)
{
	int n = snprintf(tmp, cap, "%s.tmp", final);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

static void on_signal(int sig)
{
	/* unlink, signal and raise are async-signal-safe. */
	for (int i = 0; i < TP_GEN_OUTFILE_MAX; i++)
		if (used[i])
			unlink(paths[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

void tp_gen_cleanup_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int tp_gen_cleanup_add(const char *tmp)
{
	if (strlen(tmp) >= TP_GEN_PATH_MAX)
		return -1;
	for (int i = 0; i < TP_GEN_OUTFILE_MAX; i++) {
		if (!used[i]) {
			strcpy(paths[i], tmp);
			used[i] = 1;
			return 0;
		}
	}
	return -1;
}

static void forget(const char *tmp)
{
	for (int i = 0; i < TP_GEN_OUTFILE_MAX; i++)
		if (used[i] && strcmp(paths[i], tmp) == 0)
			used[i] = 0;
}

int tp_gen_commit(const char *tmp, const char *final)
{
	if (rename(tmp, final) != 0)
		return -1;
	forget(tmp);
	return 0;
}

void tp_gen_cleanup_all(void)
{
	for (int i = 0; i < TP_GEN_OUTFILE_MAX; i++) {
		if (used[i]) {
			unlink(paths[i]);
			used[i] = 0;
		}
	}
}
