/* The DPDK telemetry commands (/tickpipe/status, /tickpipe/stats, /tickpipe/book) read
 * through the control socket: EAL started without hugepages or devices, the commands
 * registered against the test server, and the telemetry socket asked the way
 * dpdk-telemetry.py asks it. Values checked exactly after the flattening the header
 * describes (nested keys joined by '/', booleans as 1/0). */
#include <check.h>
#include <dirent.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <rte_eal.h>

#include "ctl_harness.h"
#include "tp_ctl_telemetry.h"

static int tel_fd = -1;

/* EAL leaves its runtime directory (this test's own --file-prefix) behind: remove it. */
static void remove_runtime_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		char p[512];
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	closedir(d);
	rmdir(dir);
}
static char tel_buf[65536];

static void tel_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/dpdk_telemetry.v2",
		 rte_eal_get_runtime_dir());
	tel_fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	ck_assert_int_ge(tel_fd, 0);
	ck_assert_msg(connect(tel_fd, (struct sockaddr *)&sa, sizeof(sa)) == 0, "%s: %s",
		      sa.sun_path, strerror(errno));
	ssize_t n = recv(tel_fd, tel_buf, sizeof(tel_buf) - 1, 0); /* the greeting */
	ck_assert_int_gt(n, 0);
}

/* Sends a telemetry command; parses the reply into d (nodes: static, big enough). */
static int tel_ask(const char *cmd, struct tp_jr_doc *d)
{
	static struct tp_jr_node nodes[4096];
	ck_assert_int_eq(send(tel_fd, cmd, strlen(cmd), 0), (ssize_t)strlen(cmd));
	ssize_t n = recv(tel_fd, tel_buf, sizeof(tel_buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	tel_buf[n] = '\0';
	char err[128];
	ck_assert_msg(tp_jr_parse(d, tel_buf, (size_t)n, nodes, 4096, err, sizeof(err)) == 0,
		      "%s: %s", err, tel_buf);
	int root = tp_jr_find(d, 0, cmd[strcspn(cmd, ",")] ? "/tickpipe/book" : cmd);
	ck_assert_msg(root >= 0, "%s", tel_buf);
	return root;
}

static uint64_t u64_at(const struct tp_jr_doc *d, int obj, const char *key)
{
	uint64_t v = UINT64_MAX;
	ck_assert_msg(tp_jr_u64(d, tp_jr_find(d, obj, key), &v) == 0, "%s in %s", key, tel_buf);
	return v;
}

START_TEST(test_telemetry_reads_through_the_socket)
{
	struct harness h;
	h_start(&h, NULL);
	char prefix[64];
	snprintf(prefix, sizeof(prefix), "--file-prefix=tpctl%d", (int)getpid());
	char *argv[] = { "test_ctl_telemetry", "--no-huge", "--no-pci", "-l", "0", "-m", "64",
			 prefix, "--log-level=error", NULL };
	ck_assert_int_ge(rte_eal_init(9, argv), 0);
	ck_assert_int_eq(tp_ctl_telemetry_register(h.sock), 0);
	tel_open();

	struct tp_jr_doc d;
	int r = tel_ask("/tickpipe/status", &d);
	int ks = tp_jr_find(&d, r, "killswitch");
	ck_assert_uint_eq(u64_at(&d, ks, "global/halted"), 0);
	ck_assert_uint_eq(u64_at(&d, ks, "global/epoch"), 0);
	ck_assert_uint_eq(u64_at(&d, ks, "persist/ok"), 1);
	ck_assert(tp_jr_str_eq(&d, tp_jr_find(&d, ks, "global/reason"), "none"));
	ck_assert(tp_jr_str_eq(&d, tp_jr_find(&d, ks, "persist/error"), "null"));
	int dp = tp_jr_find(&d, r, "dataplane");
	ck_assert(tp_jr_str_eq(&d, tp_jr_find(&d, dp, "feeds/0/name"), "nasdaq-a"));
	ck_assert_uint_eq(u64_at(&d, dp, "feeds/0/messages"), 1000);
	ck_assert_uint_eq(u64_at(&d, dp, "feeds/0/stale"), 0);
	ck_assert_uint_eq(u64_at(&d, dp, "rates/msgs_per_s"), 10);
	ck_assert_uint_eq(u64_at(&d, r, "truncated"), 0);
	ck_assert_int_eq(tp_jr_find(&d, r, "ok"), -1);

	int fd = h_connect(&h);
	H_CALL(fd, "kill", "--symbol", "AAPL", "--reason", "x");
	close(fd);
	r = tel_ask("/tickpipe/status", &d);
	ks = tp_jr_find(&d, r, "killswitch");
	ck_assert_uint_eq(u64_at(&d, ks, "symbols_halted"), 1);
	ck_assert_uint_eq(u64_at(&d, ks, "symbols/0/locate"), 12);
	ck_assert(tp_jr_str_eq(&d, tp_jr_find(&d, ks, "symbols/0/symbol"), "AAPL"));

	r = tel_ask("/tickpipe/book,AAPL,2", &d);
	int b = tp_jr_find(&d, r, "book");
	ck_assert_uint_eq(u64_at(&d, b, "bids/0/0"), 1500000);
	ck_assert_uint_eq(u64_at(&d, b, "asks/1/1"), 250);
	ck_assert_int_eq(tp_jr_find(&d, b, "bids/2/0"), -1);

	r = tel_ask("/tickpipe/book,ZZZZ", &d);
	ck_assert(tp_jr_str_eq(&d, tp_jr_find(&d, r, "error"), "book: unknown symbol ZZZZ"));

	ck_assert_int_eq(send(tel_fd, "/tickpipe/book", 14, 0), 14);
	ssize_t n = recv(tel_fd, tel_buf, sizeof(tel_buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	tel_buf[n] = '\0';
	ck_assert_str_eq(tel_buf, "{\"/tickpipe/book\":\"usage: /tickpipe/book,SYMBOL[,DEPTH]\"}");

	/* status, kill, status, book, book: this stats is the sixth request */
	r = tel_ask("/tickpipe/stats", &d);
	ck_assert_uint_eq(u64_at(&d, tp_jr_find(&d, r, "ctl"), "requests"), 6);
	ck_assert_uint_eq(u64_at(&d, tp_jr_find(&d, r, "killswitch"), "halts"), 1);
	ck_assert_uint_eq(u64_at(&d, tp_jr_find(&d, r, "dataplane"), "rx/packets"), 500);
	H_WAIT_FOR(h_naudit(&h) == 6);
	ck_assert_str_eq(h.audit[3].command, "book");
	ck_assert_str_eq(h.audit[3].args, "AAPL 2");
	close(tel_fd);
	char rundir[256];
	snprintf(rundir, sizeof(rundir), "%s", rte_eal_get_runtime_dir());
	rte_eal_cleanup();
	remove_runtime_dir(rundir);
	h_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl-telemetry");
	TCase *tc = tcase_create("telemetry");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_telemetry_reads_through_the_socket);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
