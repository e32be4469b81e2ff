/* tickpipe-ctl: the ops console. Talks to a running tickpipe's control thread over its
 * control socket (protocol: dataplane/ctl/tp_ctl_proto.h).
 *
 * Exit status: 0 done, 1 refused or failed (the reply says why), 2 bad usage, 3 cannot
 * connect (no socket, permission denied, nobody listening). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "render.h"
#include "tp_ctl_client.h"
#include "watch.h"

#define EXIT_REFUSED 1
#define EXIT_USAGE 2
#define EXIT_CONNECT 3

static const char usage_text[] =
	"usage: tickpipe-ctl [-s SOCKET] [-t MS] [--json] COMMAND [ARGS]\n"
	"\n"
	"Ops console of a running tickpipe: status, counters, books, and the kill-switch.\n"
	"\n"
	"commands:\n"
	"  status                         kill-switch per scope, feeds, lcores, rates\n"
	"  stats                          every counter, one \"path value\" per line\n"
	"  book SYMBOL [DEPTH]            price levels, best first (DEPTH 1..100, default 5)\n"
	"  kill [--symbol S] --reason TEXT\n"
	"                                 halt trading (everything, or one symbol) now;\n"
	"                                 prints the time from request to acknowledgement\n"
	"  resume [--symbol S] --reason TEXT --confirm\n"
	"                                 lift a halt (operators only; needs both)\n"
	"  watch [-i SECONDS]             live status screen: k kill, r resume, q quit\n"
	"  ping                           is the control thread answering?\n"
	"\n"
	"options:\n"
	"  -s, --socket PATH   control socket (default $TICKPIPE_CTL_SOCKET, else\n"
	"                      " TP_CTL_DEFAULT_SOCKET ")\n"
	"  -t, --timeout MS    give up on a reply after MS milliseconds (default 5000)\n"
	"      --json          print the reply as the control thread sent it (one JSON line)\n"
	"  -h, --help          this text\n"
	"  --locate N may stand for --symbol S (stock locate 0..65535).\n"
	"\n"
	"exit status: 0 done, 1 refused or failed, 2 bad usage, 3 cannot connect\n";

static int usage_error(const char *fmt, const char *arg)
{
	fputs("tickpipe-ctl: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs(" (see --help)\n", stderr);
	return EXIT_USAGE;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int parse_num(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	char *end;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t')
			return 0;
	return 1;
}

/* The command's words as the server wants them: "--opt=value" becomes two words, and the
 * options of kill and resume are checked here so a typo costs a usage line, not a request.
 * Missing --confirm or reason on resume is left to the control thread, which refuses it
 * (and counts the refusal). */
static int build_words(int argc, char **argv, const char **words, int *nwords)
{
	static char split[TP_CTL_MAX_WORDS][TP_CTL_MAX_REQUEST];
	int n = 0;
	for (int i = 0; i < argc; i++) {
		if (n + 2 > (int)TP_CTL_MAX_WORDS)
			return usage_error("too many arguments%s", "");
		const char *a = argv[i];
		const char *eq = i > 0 && !strncmp(a, "--", 2) ? strchr(a, '=') : NULL;
		if (eq && (size_t)(eq - a) < sizeof(split[0])) {
			snprintf(split[n], sizeof(split[n]), "%.*s", (int)(eq - a), a);
			words[n] = split[n];
			n++;
			words[n++] = eq + 1;
		} else {
			words[n++] = a;
		}
	}
	const char *cmd = words[0];
	int kill = !strcmp(cmd, "kill"), resume = !strcmp(cmd, "resume");
	if (kill || resume) {
		const char *reason = NULL;
		for (int i = 1; i < n; i++) {
			if (!strcmp(words[i], "--symbol") || !strcmp(words[i], "--locate") ||
			    !strcmp(words[i], "--reason")) {
				if (i + 1 == n)
					return usage_error("%s needs a value", words[i]);
				if (!strcmp(words[i], "--reason"))
					reason = words[i + 1];
				i++;
			} else if (resume && !strcmp(words[i], "--confirm")) {
				continue;
			} else {
				return usage_error("unknown argument '%s'", words[i]);
			}
		}
		if (kill && (!reason || blank(reason)))
			return usage_error("kill needs --reason TEXT%s", "");
	} else if (!strcmp(cmd, "book")) {
		unsigned long depth;
		if (n < 2 || n > 3)
			return usage_error("usage: book SYMBOL [DEPTH]%s", "");
		if (n == 3 && parse_num(words[2], 1, TP_CTL_BOOK_MAX_DEPTH, &depth) != 0)
			return usage_error("book: DEPTH must be 1 to 100, not '%s'", words[2]);
	} else if (!strcmp(cmd, "status") || !strcmp(cmd, "stats") || !strcmp(cmd, "ping")) {
		if (n != 1)
			return usage_error("%s takes no arguments", cmd);
	} else {
		return usage_error("unknown command '%s'", cmd);
	}
	*nwords = n;
	return 0;
}

int main(int argc, char **argv)
{
	const char *sock = getenv("TICKPIPE_CTL_SOCKET");
	if (!sock || !*sock)
		sock = TP_CTL_DEFAULT_SOCKET;
	unsigned long timeout_ms = 5000;
	int json = 0, i;
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage_text, stdout);
			return 0;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (!strcmp(a, "-s") || !strcmp(a, "--socket")) {
			if (++i == argc)
				return usage_error("%s needs a path", a);
			sock = argv[i];
		} else if (!strncmp(a, "--socket=", 9)) {
			sock = a + 9;
		} else if (!strcmp(a, "-t") || !strcmp(a, "--timeout") ||
			   !strncmp(a, "--timeout=", 10)) {
			const char *v = !strncmp(a, "--timeout=", 10) ? a + 10
								 : (++i < argc ? argv[i] : NULL);
			if (parse_num(v, 1, 3600000, &timeout_ms) != 0)
				return usage_error("%s needs milliseconds (1 to 3600000)", a);
		} else {
			return usage_error("unknown option '%s'", a);
		}
	}
	if (i == argc)
		return usage_error("no command given%s", "");
	if (!*sock)
		return usage_error("empty socket path%s", "");

	if (!strcmp(argv[i], "watch")) {
		unsigned long secs_ms = 1000;
		for (int k = i + 1; k < argc; k++) {
			if (!strcmp(argv[k], "-i") || !strcmp(argv[k], "--interval")) {
				double v = 0;
				char *end = NULL;
				if (k + 1 < argc)
					v = strtod(argv[k + 1], &end);
				if (k + 1 == argc || !end || *end || v < 0.1 || v > 60)
					return usage_error("%s needs seconds (0.1 to 60)", argv[k]);
				secs_ms = (unsigned long)(v * 1000 + 0.5);
				k++;
			} else {
				return usage_error("watch: unknown argument '%s'", argv[k]);
			}
		}
		return ctl_watch(sock, (unsigned)secs_ms, (int)timeout_ms);
	}

	const char *words[TP_CTL_MAX_WORDS];
	int nwords = 0;
	int urc = build_words(argc - i, argv + i, words, &nwords);
	if (urc != 0)
		return urc;

	char err[512];
	int fd = tp_ctl_connect(sock, err, sizeof(err));
	if (fd < 0) {
		fprintf(stderr, "tickpipe-ctl: %s\n", err);
		return EXIT_CONNECT;
	}
	char *reply = malloc(TP_CTL_MAX_REPLY + 1);
	if (!reply) {
		fprintf(stderr, "tickpipe-ctl: out of memory\n");
		close(fd);
		return EXIT_REFUSED;
	}
	size_t len = 0;
	uint64_t t0 = mono_ns();
	int rc = tp_ctl_call(fd, nwords, words, (int)timeout_ms, reply, TP_CTL_MAX_REPLY + 1, &len,
			     err, sizeof(err));
	uint64_t rtt = mono_ns() - t0;
	close(fd);
	if (rc != 0) {
		fprintf(stderr, "tickpipe-ctl: %s\n", err);
		free(reply);
		return EXIT_REFUSED;
	}
	struct reply r;
	if (reply_parse(&r, reply, len) != 0) {
		fprintf(stderr, "tickpipe-ctl: bad reply: %s\n", r.error);
		free(reply);
		return EXIT_REFUSED;
	}
	int code = r.ok ? 0 : EXIT_REFUSED;
	const char *cmd = words[0];
	if (json) {
		fwrite(reply, 1, len, stdout);
		fputc('\n', stdout);
	} else if (!r.ok) {
		fprintf(stderr, "tickpipe-ctl: %s\n", r.error);
	} else if (!strcmp(cmd, "kill") || !strcmp(cmd, "resume")) {
		render_action(stdout, &r, rtt);
		char warn[256];
		if (tp_jr_str(&r.d, tp_jr_find(&r.d, 0, "warning"), warn, sizeof(warn)) >= 0)
			fprintf(stderr, "tickpipe-ctl: warning: %s\n", warn);
	} else if (!strcmp(cmd, "status")) {
		render_status(stdout, &r, sock, isatty(STDOUT_FILENO));
	} else if (!strcmp(cmd, "book")) {
		render_book(stdout, &r);
	} else if (!strcmp(cmd, "ping")) {
		char t[32];
		fmt_duration(rtt, t, sizeof(t));
		printf("pong in %s\n", t);
	} else {
		render_flat(stdout, &r);
	}
	reply_free(&r);
	free(reply);
	if (fflush(stdout) != 0 && code == 0)
		code = EXIT_REFUSED;
	return code;
}
