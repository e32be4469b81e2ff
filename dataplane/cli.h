/* The tickpipe command line: `tickpipe [EAL args] -- run|replay [options]`. Everything is
 * checked here, before EAL starts, so a typo costs a one-line message and not an EAL
 * start-up. */
#ifndef TP_DP_CLI_H
#define TP_DP_CLI_H

#include <stddef.h>

#include "dp_limits.h"

enum tp_cmd {
	TP_CMD_NONE = 0,
	TP_CMD_RUN,
	TP_CMD_REPLAY,
};

struct tp_opts {
	enum tp_cmd cmd;
	const char *config_path;                 /* -c */
	const char *pcaps[TP_DP_MAX_PCAPS];      /* --pcap, in order */
	unsigned n_pcaps;
	const char *itch_file;                   /* --itch-file */
	double speed;                            /* 0: as fast as possible */
	const char *log_dir;                     /* --log-dir (replay), else [log] dir */
	int json;
	int verbose;                             /* -v count */
	int eal_argc;                            /* arguments before "--" (argv[0] excluded) */
	char **eal_argv;
};

enum tp_cli_rc {
	TP_CLI_OK = 0,
	TP_CLI_HELP = 1,    /* help was printed: exit 0 */
	TP_CLI_ERROR = -1,  /* err holds one line: exit 2 */
};

enum tp_cli_rc tp_cli_parse(int argc, char **argv, struct tp_opts *o, char *err, size_t errlen);

#endif
