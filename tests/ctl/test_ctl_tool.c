/* tickpipe-ctl as a program against the test server: the kill/status/resume round trip, its
 * output and exit codes (0 done, 1 refused, 2 usage, 3 cannot connect: also for another uid
 * kept out by the socket's mode), and the watch screen driven through its keys. The
 * program's path comes in TP_CTL_EXE. */
#include <check.h>
#include <fcntl.h>
#include <grp.h>
#include <regex.h>
#include <signal.h>
#include <sys/wait.h>

#include "ctl_harness.h"

struct run {
	int code;
	char out[65536];
	char err[4096];
};

static void slurp(const char *path, char *buf, size_t cap)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, cap - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
}

/* Runs tickpipe-ctl with argv (NULL-terminated, program name excluded), stdin from `in`,
 * as uid/gid `as` when as >= 0. Killed after 60 s so a hang fails instead of blocking. */
static void run_tool(struct run *r, const char *in, int as, const char *const *args)
{
	const char *exe = getenv("TP_CTL_EXE");
	ck_assert_ptr_nonnull(exe);
	char dir[] = "/tmp/tp_ctl_tool.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char pin[64], pout[64], perr[64];
	snprintf(pin, sizeof(pin), "%s/in", dir);
	snprintf(pout, sizeof(pout), "%s/out", dir);
	snprintf(perr, sizeof(perr), "%s/err", dir);
	FILE *f = fopen(pin, "w");
	ck_assert_ptr_nonnull(f);
	fputs(in ? in : "", f);
	fclose(f);
	const char *argv[32];
	int n = 0;
	argv[n++] = exe;
	for (; *args && n < 31; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		int i = open(pin, O_RDONLY), o = open(pout, O_WRONLY | O_CREAT | O_TRUNC, 0644),
		    e = open(perr, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (i < 0 || o < 0 || e < 0)
			_exit(100);
		dup2(i, 0);
		dup2(o, 1);
		dup2(e, 2);
		if (as >= 0 && (setgroups(0, NULL) != 0 || setgid((gid_t)as) != 0 ||
				setuid((uid_t)as) != 0))
			_exit(101);
		alarm(60);
		unsetenv("TICKPIPE_CTL_SOCKET");
		execv(exe, (char *const *)argv);
		_exit(102);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert_msg(WIFEXITED(st), "tickpipe-ctl did not exit (signal %d)",
		      WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	r->code = WEXITSTATUS(st);
	slurp(pout, r->out, sizeof(r->out));
	slurp(perr, r->err, sizeof(r->err));
	unlink(pin);
	unlink(pout);
	unlink(perr);
	rmdir(dir);
}

#define RUN(r, in, as, ...)                                                                  \
	do {                                                                                 \
		const char *const a_[] = { __VA_ARGS__, NULL };                              \
		run_tool((r), (in), (as), a_);                                               \
	} while (0)

static int matches(const char *s, const char *re)
{
	regex_t rx;
	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED | REG_NOSUB), 0);
	int m = regexec(&rx, s, 0, NULL, 0) == 0;
	regfree(&rx);
	return m;
}

static struct run r; /* large: not on the stack */

START_TEST(test_kill_status_resume_round_trip)
{
	struct harness h;
	h_start(&h, NULL);
	RUN(&r, NULL, -1, "-s", h.sock, "kill", "--reason", "fat finger");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(matches(r.out, "^halted GLOBAL \\(epoch 1\\) in [0-9.]+ (us|ms|s)\n$"), "%s", r.out);
	ck_assert_str_eq(r.err, "");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 1);

	RUN(&r, NULL, -1, "-s", h.sock, "status");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(strstr(r.out, "\nKILL-SWITCH  GLOBAL HALTED (operator, epoch 1)\n"
				    "             symbols halted: 0\n"
				    "DATAPLANE    mode test   uptime 42 s\n"
				    "RATES        pkts/s 5   msgs/s 10   events/s 10\n"),
		      "%s", r.out);
	ck_assert_msg(strstr(r.out, "             nasdaq-a             1         1000         10 "
				    "     1         2        3         4    no\n"),
		      "%s", r.out);

	RUN(&r, NULL, -1, "-s", h.sock, "resume", "--reason", "fixed");
	ck_assert_int_eq(r.code, 1);
	ck_assert_str_eq(r.err, "tickpipe-ctl: resume refused: not confirmed\n");
	ck_assert_str_eq(r.out, "");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 1);

	RUN(&r, NULL, -1, "--socket", h.sock, "resume", "--reason=fixed", "--confirm");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(matches(r.out, "^resumed GLOBAL \\(epoch 2\\) in [0-9.]+ (us|ms|s)\n$"), "%s", r.out);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 0);

	RUN(&r, NULL, -1, "-s", h.sock, "kill", "--symbol", "AAPL", "--reason", "x");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(matches(r.out, "^halted AAPL \\(locate 12, epoch 1\\) in [0-9.]+ (us|ms|s)\n$"), "%s",
		      r.out);
	RUN(&r, NULL, -1, "-s", h.sock, "status");
	ck_assert_msg(strstr(r.out, "             symbols halted: 1\n"
				    "               AAPL       locate 12     operator       epoch 1\n"),
		      "%s", r.out);
	RUN(&r, NULL, -1, "-s", h.sock, "kill", "--symbol", "AAPL", "--reason", "x");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(matches(r.out, "^already halted: AAPL \\(locate 12, epoch 1\\); answered in "
				     "[0-9]+ us\n$"),
		      "%s", r.out);

	/* the requests reached the audit hook with this process's credentials */
	H_WAIT_FOR(h_naudit(&h) == 7);
	ck_assert_str_eq(h.audit[0].args, "--reason fat finger");
	ck_assert_str_eq(h.audit[3].args, "--reason fixed --confirm");
	ck_assert_uint_eq(h.audit[0].uid, 0);
	h_stop(&h);
}
END_TEST

START_TEST(test_other_outputs)
{
	struct harness h;
	h_start(&h, NULL);
	RUN(&r, NULL, -1, "-s", h.sock, "--json", "ping");
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(r.out, "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}\n");
	RUN(&r, NULL, -1, "-s", h.sock, "ping");
	ck_assert_msg(matches(r.out, "^pong in [0-9.]+ (us|ms|s)\n$"), "%s", r.out);
	RUN(&r, NULL, -1, "-s", h.sock, "book", "AAPL", "2");
	ck_assert_int_eq(r.code, 0);
	ck_assert_str_eq(r.out, "AAPL  locate 12  feed nasdaq-a  stale no\n"
				"     bid qty          bid   orders |          ask      ask qty   orders\n"
				"         100      1500000        1 |      1500100          150        1\n"
				"         200      1499900        2 |      1500200          250        2\n");
	RUN(&r, NULL, -1, "-s", h.sock, "book", "ZZZZ");
	ck_assert_int_eq(r.code, 1);
	ck_assert_str_eq(r.err, "tickpipe-ctl: book: unknown symbol ZZZZ\n");
	RUN(&r, NULL, -1, "-s", h.sock, "stats");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(strstr(r.out, "ctl.accepted 5\nctl.rejected_full 0\nctl.open 1\n"
				    "ctl.requests 5\nctl.done 3\nctl.refused 0\nctl.bad 1\n"),
		      "%s", r.out);
	ck_assert_msg(strstr(r.out, "killswitch.global_halted no\ndataplane.rx.packets 500\n"
				    "dataplane.rx.bursts 20\n"),
		      "%s", r.out);
	h_stop(&h);
}
END_TEST

START_TEST(test_usage_and_connect_errors)
{
	struct harness h;
	h_start(&h, NULL);
	RUN(&r, NULL, -1, "--help");
	ck_assert_int_eq(r.code, 0);
	ck_assert(strncmp(r.out, "usage: tickpipe-ctl [-s SOCKET]", 31) == 0);
	RUN(&r, NULL, -1, "-s", h.sock, "kill");
	ck_assert_int_eq(r.code, 2);
	ck_assert_str_eq(r.err, "tickpipe-ctl: kill needs --reason TEXT (see --help)\n");
	RUN(&r, NULL, -1, "-s", h.sock, "kill", "--reason", "  ");
	ck_assert_int_eq(r.code, 2);
	RUN(&r, NULL, -1, "-s", h.sock, "kill", "--reason", "x", "--now");
	ck_assert_int_eq(r.code, 2);
	ck_assert_str_eq(r.err, "tickpipe-ctl: unknown argument '--now' (see --help)\n");
	RUN(&r, NULL, -1, "-s", h.sock, "frobnicate");
	ck_assert_int_eq(r.code, 2);
	ck_assert_str_eq(r.err, "tickpipe-ctl: unknown command 'frobnicate' (see --help)\n");
	RUN(&r, NULL, -1, "-s", h.sock);
	ck_assert_int_eq(r.code, 2);
	RUN(&r, NULL, -1, "-x", "status");
	ck_assert_int_eq(r.code, 2);
	RUN(&r, NULL, -1, "-s", h.sock, "book", "AAPL", "500");
	ck_assert_int_eq(r.code, 2);
	RUN(&r, NULL, -1, "-s", h.sock, "status", "now");
	ck_assert_int_eq(r.code, 2);
	RUN(&r, NULL, -1, "-s", h.sock, "-t", "0", "status");
	ck_assert_int_eq(r.code, 2);
	/* nothing reached the server */
	ck_assert_uint_eq(h_naudit(&h), 0);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 0), 0);

	char missing[160];
	snprintf(missing, sizeof(missing), "%s/nope.sock", h.dir);
	RUN(&r, NULL, -1, "-s", missing, "status");
	ck_assert_int_eq(r.code, 3);
	char want[300];
	snprintf(want, sizeof(want),
		 "tickpipe-ctl: cannot connect to %s: no such socket (is tickpipe running?)\n",
		 missing);
	ck_assert_str_eq(r.err, want);

	/* nobody is not in the socket's group: kept out by the file mode, exit 3 */
	RUN(&r, NULL, 65534, "-s", h.sock, "kill", "--reason", "intruder");
	ck_assert_int_eq(r.code, 3);
	snprintf(want, sizeof(want),
		 "tickpipe-ctl: cannot connect to %s: permission denied (operators need to be in "
		 "the socket's group)\n",
		 h.sock);
	ck_assert_str_eq(r.err, want);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 0), 0);
	RUN(&r, NULL, 65534, "-s", h.sock, "watch");
	ck_assert_int_eq(r.code, 3);
	ck_assert_str_eq(r.err, want);
	h_stop(&h);
}
END_TEST

START_TEST(test_watch_keys_flip_the_switch)
{
	struct harness h;
	h_start(&h, NULL);
	/* Without a terminal each key is a line, each answer a line: k, empty symbol (GLOBAL),
	 * a reason; r GLOBAL, a reason, "no" (cancelled); r GLOBAL confirmed; q */
	RUN(&r, "k\n\nfat finger\nr\n\nfixed\nno\nr\n\nfixed\nyes\nq\n", -1, "-s", h.sock,
	    "watch", "-i", "5");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(matches(r.out, "\nhalted GLOBAL \\(epoch 1\\) in [0-9.]+ (us|ms|s)\n"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "\nresume cancelled: not confirmed\n"), "%s", r.out);
	ck_assert_msg(matches(r.out, "\nresumed GLOBAL \\(epoch 2\\) in [0-9.]+ (us|ms|s)\n"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "KILL-SWITCH  GLOBAL HALTED (operator, epoch 1)\n"), "%s",
		      r.out);
	ck_assert_msg(strstr(r.out, "kill: symbol (empty = GLOBAL): \nreason: \n"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "resume GLOBAL? type yes to confirm: \n"), "%s", r.out);
	ck_assert_msg(strstr(r.out, "[k] kill  [r] resume  [q] quit\n"), "%s", r.out);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 0), 0);
	struct tp_ks_status st;
	tp_ks_status(h.ks, &st);
	ck_assert_uint_eq(st.halts, 1);
	ck_assert_uint_eq(st.resumes, 1);

	/* a symbol, and a kill with no reason is not sent */
	RUN(&r, "k\nMSFT\nrunaway\nk\n\n\nq", -1, "-s", h.sock, "watch");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(matches(r.out, "\nhalted MSFT \\(locate 13, epoch 1\\) in [0-9.]+ (us|ms|s)\n"), "%s",
		      r.out);
	ck_assert_msg(strstr(r.out, "\nkill cancelled: a reason is required\n"), "%s", r.out);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 13), 1);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 0);
	/* end of input quits too */
	RUN(&r, "", -1, "-s", h.sock, "watch");
	ck_assert_int_eq(r.code, 0);
	ck_assert_msg(strstr(r.out, "               MSFT       locate 13"), "%s", r.out);
	h_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl-tool");
	TCase *tc = tcase_create("tool");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_kill_status_resume_round_trip);
	tcase_add_test(tc, test_other_outputs);
	tcase_add_test(tc, test_usage_and_connect_errors);
	tcase_add_test(tc, test_watch_keys_flip_the_switch);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
