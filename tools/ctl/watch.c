/* The live status screen (see watch.h). */
#include "watch.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "render.h"
#include "tp_ctl_client.h"

static struct termios saved_tio;
static int raw_on;
static volatile sig_atomic_t stop_sig;

static void on_signal(int sig)
{
	(void)sig;
	stop_sig = 1;
}

/* No line buffering, no echo: a key acts at once. The saved settings come back on every
 * way out, prompts included. */
static void set_raw(int on)
{
	if (on && !raw_on) {
		struct termios t = saved_tio;
		t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
		t.c_cc[VMIN] = 1;
		t.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0)
			raw_on = 1;
	} else if (!on && raw_on) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
		raw_on = 0;
	}
}

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

struct watch {
	const char *socket;
	int timeout_ms;
	int fd;
	int tty_in, tty_out;
	char msg[512];
	char *reply;
};

static int ensure_conn(struct watch *w, char *err, size_t errlen)
{
	if (w->fd >= 0)
		return 0;
	w->fd = tp_ctl_connect(w->socket, err, errlen);
	return w->fd >= 0 ? 0 : -1;
}

/* One request; on a lost connection the next one reconnects. rtt_ns: request -> reply. */
static int ask(struct watch *w, int argc, const char *const *argv, struct reply *r,
	       uint64_t *rtt_ns, char *err, size_t errlen)
{
	if (ensure_conn(w, err, errlen) != 0)
		return -1;
	size_t len;
	uint64_t t0 = mono_ns();
	if (tp_ctl_call(w->fd, argc, argv, w->timeout_ms, w->reply, TP_CTL_MAX_REPLY + 1, &len, err,
			errlen) != 0) {
		close(w->fd);
		w->fd = -1;
		return -1;
	}
	if (rtt_ns)
		*rtt_ns = mono_ns() - t0;
	if (reply_parse(r, w->reply, len) != 0) {
		snprintf(err, errlen, "%s", r->error);
		return -1;
	}
	return 0;
}

static void draw(struct watch *w)
{
	char *screen = NULL;
	size_t slen = 0;
	FILE *m = open_memstream(&screen, &slen);
	if (!m)
		return;
	struct reply r;
	char err[512];
	const char *argv[] = { "status" };
	if (ask(w, 1, argv, &r, NULL, err, sizeof(err)) != 0) {
		fprintf(m, "tickpipe  %s\n%s\n", w->socket, err);
	} else {
		if (r.ok)
			render_status(m, &r, w->socket, w->tty_out);
		else
			fprintf(m, "status refused: %s\n", r.error);
		reply_free(&r);
	}
	fprintf(m, "\n[k] kill  [r] resume  [q] quit\n%s\n", w->msg);
	fclose(m);
	if (w->tty_out)
		fputs("\033[H\033[2J", stdout);
	else
		fputs("----\n", stdout);
	fwrite(screen, 1, slen, stdout);
	fflush(stdout);
	free(screen);
}

/* Reads one line from stdin, byte by byte (stdio buffering would swallow the keys that
 * follow). 0, or -1 at end of input. */
static int prompt(struct watch *w, const char *text, char *buf, size_t cap)
{
	if (w->tty_in)
		set_raw(0);
	fputs(text, stdout);
	fflush(stdout);
	size_t n = 0;
	int rc = 0;
	for (;;) {
		char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR && !stop_sig)
			continue;
		if (r <= 0) {
			rc = -1;
			break;
		}
		if (c == '\n')
			break;
		if (c != '\r' && n + 1 < cap)
			buf[n++] = c;
	}
	buf[n] = '\0';
	if (!w->tty_in)
		fputc('\n', stdout);
	if (w->tty_in)
		set_raw(1);
	return rc;
}

static int blank(const char *s)
{
	for (; *s; s++)
		if (!isspace((unsigned char)*s))
			return 0;
	return 1;
}

/* kill or resume from the keyboard. */
static void flip(struct watch *w, int resume)
{
	const char *verb = resume ? "resume" : "kill";
	char sym[64], reason[256], yes[16], q[128];
	snprintf(q, sizeof(q), "%s: symbol (empty = GLOBAL): ", verb);
	if (prompt(w, q, sym, sizeof(sym)) != 0)
		return;
	if (prompt(w, "reason: ", reason, sizeof(reason)) != 0)
		return;
	if (blank(reason)) {
		snprintf(w->msg, sizeof(w->msg), "%s cancelled: a reason is required", verb);
		return;
	}
	if (resume) {
		snprintf(q, sizeof(q), "resume %s? type yes to confirm: ", blank(sym) ? "GLOBAL" : sym);
		if (prompt(w, q, yes, sizeof(yes)) != 0)
			return;
		if (strcasecmp(yes, "yes") != 0 && strcasecmp(yes, "y") != 0) {
			snprintf(w->msg, sizeof(w->msg), "resume cancelled: not confirmed");
			return;
		}
	}
	const char *argv[7];
	int argc = 0;
	argv[argc++] = verb;
	if (!blank(sym)) {
		argv[argc++] = "--symbol";
		argv[argc++] = sym;
	}
	argv[argc++] = "--reason";
	argv[argc++] = reason;
	if (resume)
		argv[argc++] = "--confirm";
	struct reply r;
	char err[512];
	uint64_t rtt = 0;
	if (ask(w, argc, argv, &r, &rtt, err, sizeof(err)) != 0) {
		snprintf(w->msg, sizeof(w->msg), "%s failed: %.400s", verb, err);
		return;
	}
	if (!r.ok) {
		snprintf(w->msg, sizeof(w->msg), "%s", r.error);
	} else {
		char *line = NULL;
		size_t n = 0;
		FILE *m = open_memstream(&line, &n);
		if (m) {
			render_action(m, &r, rtt);
			fclose(m);
			if (n && line[n - 1] == '\n')
				line[n - 1] = '\0';
			snprintf(w->msg, sizeof(w->msg), "%s", line);
			free(line);
		}
	}
	reply_free(&r);
}

int ctl_watch(const char *socket, unsigned interval_ms, int timeout_ms)
{
	struct watch w = { .socket = socket, .timeout_ms = timeout_ms, .fd = -1 };
	char err[512];
	if (ensure_conn(&w, err, sizeof(err)) != 0) {
		fprintf(stderr, "tickpipe-ctl: %s\n", err);
		return 3;
	}
	w.reply = malloc(TP_CTL_MAX_REPLY + 1);
	if (!w.reply) {
		fprintf(stderr, "tickpipe-ctl: out of memory\n");
		close(w.fd);
		return 1;
	}
	w.tty_in = isatty(STDIN_FILENO);
	w.tty_out = isatty(STDOUT_FILENO);
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: poll and read return at once */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (w.tty_in && tcgetattr(STDIN_FILENO, &saved_tio) == 0)
		set_raw(1);
	else
		w.tty_in = 0;
	if (w.tty_out)
		fputs("\033[?25l", stdout); /* hide the cursor while the screen refreshes */
	uint64_t period = (uint64_t)interval_ms * 1000000u, next = 0;
	while (!stop_sig) {
		uint64_t now = mono_ns();
		if (now >= next) {
			draw(&w);
			next = now + period;
		}
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		int t = (int)((next - now + 999999) / 1000000);
		int n = poll(&p, 1, t);
		if (n <= 0)
			continue;
		char c;
		ssize_t r = read(STDIN_FILENO, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break; /* end of input */
		/* Without a terminal a key comes as a line of its own ("k\n"): the rest of that
		 * line is not the answer to the first prompt. */
		for (char rest = c; !w.tty_in && rest != '\n';)
			if (read(STDIN_FILENO, &rest, 1) != 1)
				break;
		if (c == 'q' || c == 'Q')
			break;
		if (c == 'k' || c == 'K' || c == 'r' || c == 'R') {
			flip(&w, c == 'r' || c == 'R');
			next = 0;
		} else if (!isspace((unsigned char)c)) {
			snprintf(w.msg, sizeof(w.msg), "keys: k kill, r resume, q quit");
			next = 0;
		}
	}
	set_raw(0);
	if (w.tty_out)
		fputs("\033[?25h\n", stdout);
	fflush(stdout);
	if (w.fd >= 0)
		close(w.fd);
	free(w.reply);
	return 0;
}
