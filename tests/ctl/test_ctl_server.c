/* The control server end to end over its real socket: exact replies for every command, the
 * kill-switch flipped through it (kill blocks orders, resume needs --confirm and a reason
 * and an operator), the state file written after a kill and on the tick, malformed and
 * oversized frames answered without harm, clients that vanish mid-request or stall, too many
 * clients, the socket's mode, group and stale-file handling, a second uid refused by the
 * file mode, and the audit hook seeing every request with the peer's credentials. */
#include <check.h>
#include <grp.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "ctl_harness.h"

#define FRESH_KS                                                                             \
	"\"killswitch\":{\"global\":{\"halted\":false,\"reason\":\"none\",\"reason_code\":0,"  \
	"\"epoch\":0},\"symbols\":[],\"symbols_halted\":0,\"symbols_truncated\":false,"       \
	"\"blocked_all\":false,\"loaded_corrupt\":false,\"persist\":{\"ok\":true,"            \
	"\"error\":null}}"

static int file_contains(const char *path, const char *needle)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	char buf[4096];
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static struct tp_ctl_server_stats sstats(struct harness *h)
{
	struct tp_ctl_server_stats s;
	tp_ctl_server_get_stats(h->srv, &s);
	return s;
}

/* Sends raw bytes (no framing help) and reads one reply. */
static const char *raw_call(int fd, const void *bytes, size_t n)
{
	ck_assert_int_eq(send(fd, bytes, n, MSG_NOSIGNAL), (ssize_t)n);
	char err[256];
	size_t len;
	ck_assert_msg(tp_ctl_recv_reply(fd, 10000, h_reply, sizeof(h_reply), &len, err,
					sizeof(err)) == 0,
		      "%s", err);
	return h_reply;
}

static const char *framed_call(int fd, const void *payload, size_t n)
{
	char err[256];
	size_t len;
	ck_assert_msg(tp_ctl_send_frame(fd, payload, n, 10000, err, sizeof(err)) == 0, "%s", err);
	ck_assert_msg(tp_ctl_recv_reply(fd, 10000, h_reply, sizeof(h_reply), &len, err,
					sizeof(err)) == 0,
		      "%s", err);
	return h_reply;
}

START_TEST(test_ping_help_status_stats_book_exact)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
	/* stats first, so its own counters are known exactly */
	ck_assert_str_eq(H_CALL(fd, "stats"),
			 "{\"ok\":true,\"cmd\":\"stats\",\"ctl\":{\"accepted\":1,\"rejected_full\":0,"
			 "\"open\":1,\"requests\":1,\"done\":0,\"refused\":0,\"bad\":0,\"errors\":0,"
			 "\"disconnects_mid_request\":0,\"idle_timeouts\":0,\"persist_failures\":0},"
			 "\"killswitch\":{\"changes\":0,\"halts\":0,\"halts_repeated\":0,"
			 "\"resumes\":0,\"resumes_refused\":0,\"audit_dropped\":0,"
			 "\"symbols_halted\":0,\"global_halted\":false},"
			 "\"dataplane\":" FAKE_STATS "}");
	ck_assert_str_eq(H_CALL(fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	ck_assert_str_eq(H_CALL(fd, "status"),
			 "{\"ok\":true,\"cmd\":\"status\"," FRESH_KS ",\"dataplane\":" FAKE_STATUS
			 "}");
	ck_assert_str_eq(H_CALL(fd, "book", "AAPL", "2"),
			 "{\"ok\":true,\"cmd\":\"book\",\"book\":{\"symbol\":\"AAPL\",\"locate\":12,"
			 "\"feed\":\"nasdaq-a\",\"stale\":false,\"bids\":[[1500000,100,1],"
			 "[1499900,200,2]],\"asks\":[[1500100,150,1],[1500200,250,2]]}}");
	/* default depth 5; the fake has 3 levels */
	ck_assert_str_eq(H_CALL(fd, "book", "MSFT"),
			 "{\"ok\":true,\"cmd\":\"book\",\"book\":{\"symbol\":\"MSFT\",\"locate\":13,"
			 "\"feed\":\"nasdaq-a\",\"stale\":false,\"bids\":[[1500000,100,1],"
			 "[1499900,200,2],[1499800,300,3]],\"asks\":[[1500100,150,1],"
			 "[1500200,250,2],[1500300,350,3]]}}");
	ck_assert_str_eq(H_CALL(fd, "book", "ZZZZ"),
			 "{\"ok\":false,\"cmd\":\"book\",\"code\":\"usage\","
			 "\"error\":\"book: unknown symbol ZZZZ\"}");
	ck_assert_str_eq(H_CALL(fd, "book", "AAPL", "0"),
			 "{\"ok\":false,\"cmd\":\"book\",\"code\":\"usage\","
			 "\"error\":\"book: depth must be a number from 1 to 100\"}");
	ck_assert_str_eq(H_CALL(fd, "book", "AAPL", "101"),
			 "{\"ok\":false,\"cmd\":\"book\",\"code\":\"usage\","
			 "\"error\":\"book: depth must be a number from 1 to 100\"}");
	ck_assert_str_eq(H_CALL(fd, "help"),
			 "{\"ok\":true,\"cmd\":\"help\",\"commands\":[\"ping\",\"help\",\"status\","
			 "\"stats\",\"book SYMBOL [DEPTH]\","
			 "\"kill [--symbol S | --locate N] --reason TEXT\","
			 "\"resume [--symbol S | --locate N] --reason TEXT --confirm\"]}");
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(test_usage_errors)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
#define USAGE(cmd, msg)                                                                      \
	"{\"ok\":false,\"cmd\":\"" cmd "\",\"code\":\"usage\",\"error\":\"" msg "\"}"
	ck_assert_str_eq(H_CALL(fd, "frob"), USAGE("frob", "unknown command 'frob' (try help)"));
	ck_assert_str_eq(H_CALL(fd, "status", "x"), USAGE("status", "usage: status"));
	ck_assert_str_eq(H_CALL(fd, "kill", "--bogus"),
			 USAGE("kill", "kill: unknown argument '--bogus'"));
	ck_assert_str_eq(H_CALL(fd, "kill", "--symbol"),
			 USAGE("kill", "kill: --symbol needs a value"));
	ck_assert_str_eq(H_CALL(fd, "kill", "--symbol", "AAPL", "--locate", "3"),
			 USAGE("kill", "kill: one --symbol or --locate at most"));
	ck_assert_str_eq(H_CALL(fd, "kill", "--locate", "65536", "--reason", "r"),
			 USAGE("kill", "kill: --locate must be 0 to 65535"));
	ck_assert_str_eq(H_CALL(fd, "kill", "--symbol", "ZZZZ", "--reason", "r"),
			 USAGE("kill", "kill: unknown symbol 'ZZZZ'"));
	ck_assert_str_eq(H_CALL(fd, "kill", "--confirm"),
			 USAGE("kill", "kill: unknown argument '--confirm'"));
	ck_assert_str_eq(H_CALL(fd, "resume", "--symbol", "ZZZZ", "--reason", "r", "--confirm"),
			 USAGE("resume", "resume: unknown symbol 'ZZZZ'"));
	/* nothing of that touched the kill-switch */
	struct tp_ks_status ks;
	tp_ks_status(h.ks, &ks);
	ck_assert_uint_eq(ks.changes, 0);
	ck_assert_uint_eq(ks.resumes_refused, 0);
	close(fd);
	H_WAIT_FOR(sstats(&h).bad == 9);
	h_stop(&h);
}
END_TEST

START_TEST(test_kill_blocks_orders_and_persists)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 0);
	ck_assert_str_eq(H_CALL(fd, "kill", "--reason", "fat finger"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"halted\",\"scope\":\"GLOBAL\","
			 "\"symbol\":null,\"locate\":null,\"epoch\":1,\"reason\":\"fat finger\","
			 "\"persist\":\"pending\"}");
	/* every order is refused now, whatever its symbol */
	ck_assert_int_eq(tp_ks_blocked(h.ks, 0), 1);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 1);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 65535), 1);
	ck_assert_str_eq(H_CALL(fd, "kill", "--reason", "again"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"already-halted\","
			 "\"scope\":\"GLOBAL\",\"symbol\":null,\"locate\":null,\"epoch\":1,"
			 "\"reason\":\"again\",\"persist\":\"unchanged\"}");
	/* the kill-switch's own audit names the operator's uid */
	struct tp_ks_audit_iter it;
	struct tp_ks_audit_rec rec;
	tp_ks_audit_begin(h.ks, &it);
	ck_assert_int_eq(tp_ks_audit_next(h.ks, &it, &rec), 1);
	ck_assert_str_eq(rec.who, "ctl:uid=0");
	ck_assert_uint_eq(rec.reason, TP_KS_R_OPERATOR);
	ck_assert_uint_eq(rec.new_halted, 1);
	ck_assert_uint_eq(rec.epoch, 1);
	ck_assert_int_eq(tp_ks_audit_next(h.ks, &it, &rec), 0);
	/* the state file says so right after the reply */
	H_WAIT_FOR(file_contains(h.state, "\nglobal halted 1 1\n"));
	ck_assert_str_eq(H_CALL(fd, "status"),
			 "{\"ok\":true,\"cmd\":\"status\",\"killswitch\":{\"global\":{"
			 "\"halted\":true,\"reason\":\"operator\",\"reason_code\":1,\"epoch\":1},"
			 "\"symbols\":[],\"symbols_halted\":0,\"symbols_truncated\":false,"
			 "\"blocked_all\":true,\"loaded_corrupt\":false,\"persist\":{\"ok\":true,"
			 "\"error\":null}},\"dataplane\":" FAKE_STATUS "}");
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(test_symbol_kill_and_resume)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
	ck_assert_str_eq(H_CALL(fd, "kill", "--symbol", "AAPL", "--reason", "runaway"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"halted\",\"scope\":\"SYMBOL\","
			 "\"symbol\":\"AAPL\",\"locate\":12,\"epoch\":1,\"reason\":\"runaway\","
			 "\"persist\":\"pending\"}");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 1);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 13), 0);
	/* by locate: the name comes from the provider, its ITCH padding trimmed */
	ck_assert_str_eq(H_CALL(fd, "kill", "--locate", "13", "--reason", "r"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"halted\",\"scope\":\"SYMBOL\","
			 "\"symbol\":\"MSFT\",\"locate\":13,\"epoch\":1,\"reason\":\"r\","
			 "\"persist\":\"pending\"}");
	ck_assert_str_eq(H_CALL(fd, "kill", "--locate", "700", "--reason", "r"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"halted\",\"scope\":\"SYMBOL\","
			 "\"symbol\":null,\"locate\":700,\"epoch\":1,\"reason\":\"r\","
			 "\"persist\":\"pending\"}");
	ck_assert_str_eq(H_CALL(fd, "status"),
			 "{\"ok\":true,\"cmd\":\"status\",\"killswitch\":{\"global\":{"
			 "\"halted\":false,\"reason\":\"none\",\"reason_code\":0,\"epoch\":0},"
			 "\"symbols\":[{\"locate\":12,\"symbol\":\"AAPL\",\"halted\":true,"
			 "\"reason\":\"operator\",\"reason_code\":1,\"epoch\":1},"
			 "{\"locate\":13,\"symbol\":\"MSFT\",\"halted\":true,"
			 "\"reason\":\"operator\",\"reason_code\":1,\"epoch\":1},"
			 "{\"locate\":700,\"symbol\":null,\"halted\":true,"
			 "\"reason\":\"operator\",\"reason_code\":1,\"epoch\":1}],"
			 "\"symbols_halted\":3,\"symbols_truncated\":false,\"blocked_all\":false,"
			 "\"loaded_corrupt\":false,\"persist\":{\"ok\":true,\"error\":null}},"
			 "\"dataplane\":" FAKE_STATUS "}");
	ck_assert_str_eq(H_CALL(fd, "resume", "--symbol", "AAPL", "--reason", "fixed",
				"--confirm"),
			 "{\"ok\":true,\"cmd\":\"resume\",\"action\":\"resumed\",\"scope\":\"SYMBOL\","
			 "\"symbol\":\"AAPL\",\"locate\":12,\"epoch\":2,\"reason_truncated\":false,"
			 "\"persisted\":true}");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 12), 0);
	ck_assert_int_eq(tp_ks_blocked(h.ks, 13), 1);
	ck_assert(file_contains(h.state, "\nsymbol 13 halted 1 1\n"));
	ck_assert(!file_contains(h.state, "\nsymbol 12 "));
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(test_resume_needs_confirm_and_reason)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
	H_CALL(fd, "kill", "--reason", "fat finger");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 5), 1);
#define REFUSED(why)                                                                         \
	"{\"ok\":false,\"cmd\":\"resume\",\"code\":\"refused\",\"error\":\"resume refused: " why \
	"\"}"
	ck_assert_str_eq(H_CALL(fd, "resume", "--reason", "fixed"), REFUSED("not confirmed"));
	ck_assert_int_eq(tp_ks_blocked(h.ks, 5), 1);
	ck_assert_str_eq(H_CALL(fd, "resume", "--confirm"), REFUSED("a reason is required"));
	ck_assert_str_eq(H_CALL(fd, "resume", "--reason", "   ", "--confirm"),
			 REFUSED("a reason is required"));
	ck_assert_str_eq(H_CALL(fd, "resume"), REFUSED("a reason is required"));
	ck_assert_int_eq(tp_ks_blocked(h.ks, 5), 1);
	struct tp_ks_status st;
	tp_ks_status(h.ks, &st);
	ck_assert_uint_eq(st.resumes_refused, 4);
	ck_assert_uint_eq(st.resumes, 0);

	ck_assert_str_eq(H_CALL(fd, "resume", "--reason", "fixed", "--confirm"),
			 "{\"ok\":true,\"cmd\":\"resume\",\"action\":\"resumed\",\"scope\":\"GLOBAL\","
			 "\"symbol\":null,\"locate\":null,\"epoch\":2,\"reason_truncated\":false,"
			 "\"persisted\":true}");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 5), 0);
	ck_assert(file_contains(h.state, "\nglobal running 1 2\n"));
	ck_assert_str_eq(H_CALL(fd, "resume", "--reason", "again", "--confirm"),
			 "{\"ok\":true,\"cmd\":\"resume\",\"action\":\"not-halted\","
			 "\"scope\":\"GLOBAL\",\"symbol\":null,\"locate\":null,\"epoch\":2,"
			 "\"reason_truncated\":false,\"persisted\":false}");
	/* the kill-switch keeps the operator's reason with the resume; a long one is cut */
	H_CALL(fd, "kill", "--reason", "x");
	char longr[200];
	memset(longr, 'r', sizeof(longr) - 1);
	longr[sizeof(longr) - 1] = '\0';
	ck_assert_str_eq(H_CALL(fd, "resume", "--reason", longr, "--confirm"),
			 "{\"ok\":true,\"cmd\":\"resume\",\"action\":\"resumed\",\"scope\":\"GLOBAL\","
			 "\"symbol\":null,\"locate\":null,\"epoch\":4,\"reason_truncated\":true,"
			 "\"persisted\":true}");
	struct tp_ks_audit_iter it;
	struct tp_ks_audit_rec rec, last;
	tp_ks_audit_begin(h.ks, &it);
	unsigned n = 0;
	while (tp_ks_audit_next(h.ks, &it, &rec))
		last = rec, n++;
	ck_assert_uint_eq(n, 4);
	ck_assert_uint_eq(last.old_halted, 1);
	ck_assert_uint_eq(last.new_halted, 0);
	ck_assert_uint_eq(strlen(last.note), TP_KS_NOTE_LEN - 1);
	char label[64];
	snprintf(label, sizeof(label), "ctl uid=0 pid=%d", (int)getpid());
	ck_assert_str_eq(last.who, label);
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(test_resume_only_for_operators)
{
	struct harness h;
	h_start(&h, NULL);
	uint32_t only = 4242;
	ck_assert_int_eq(tp_ks_allow_uids(h.ks, &only, 1), 0);
	int fd = h_connect(&h);
	H_CALL(fd, "kill", "--reason", "x");
	ck_assert_str_eq(H_CALL(fd, "resume", "--reason", "fixed", "--confirm"),
			 "{\"ok\":false,\"cmd\":\"resume\",\"code\":\"refused\",\"error\":"
			 "\"resume refused: uid 0 is not an operator of this instance\"}");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 0), 1);
	close(fd);
	h_stop(&h);
}
END_TEST

/* ---- many clients at once ------------------------------------------------------------- */

#define NCLIENTS 8
#define NROUNDS 150

struct client_arg {
	struct harness *h;
	int mismatches;
	int errors;
};

static void *client_main(void *p)
{
	struct client_arg *a = p;
	char err[256];
	char *buf = malloc(TP_CTL_MAX_REPLY + 1);
	int fd = tp_ctl_connect(a->h->sock, err, sizeof(err));
	if (fd < 0 || !buf) {
		a->errors++;
		free(buf);
		return NULL;
	}
	static const char *const ping[] = { "ping" }, *const status[] = { "status" },
				 *const book[] = { "book", "AAPL", "2" };
	static const char *const want[3] = {
		"{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}",
		"{\"ok\":true,\"cmd\":\"status\"," FRESH_KS ",\"dataplane\":" FAKE_STATUS "}",
		"{\"ok\":true,\"cmd\":\"book\",\"book\":{\"symbol\":\"AAPL\",\"locate\":12,"
		"\"feed\":\"nasdaq-a\",\"stale\":false,\"bids\":[[1500000,100,1],"
		"[1499900,200,2]],\"asks\":[[1500100,150,1],[1500200,250,2]]}}",
	};
	for (int i = 0; i < NROUNDS; i++) {
		for (int k = 0; k < 3; k++) {
			const char *const *argv = k == 0 ? ping : k == 1 ? status : book;
			size_t len;
			if (tp_ctl_call(fd, k == 2 ? 3 : 1, argv, 20000, buf, TP_CTL_MAX_REPLY + 1,
					&len, err, sizeof(err)) != 0)
				a->errors++;
			else if (strcmp(buf, want[k]) != 0)
				a->mismatches++;
		}
	}
	close(fd);
	free(buf);
	return NULL;
}

START_TEST(test_many_clients_at_once)
{
	struct harness h;
	h_start(&h, NULL);
	pthread_t t[NCLIENTS];
	struct client_arg a[NCLIENTS];
	for (int i = 0; i < NCLIENTS; i++) {
		a[i] = (struct client_arg){ .h = &h };
		ck_assert_int_eq(pthread_create(&t[i], NULL, client_main, &a[i]), 0);
	}
	for (int i = 0; i < NCLIENTS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(a[i].errors, 0);
		ck_assert_int_eq(a[i].mismatches, 0);
	}
	H_WAIT_FOR(h_naudit(&h) == NCLIENTS * NROUNDS * 3);
	struct tp_ctl_server_stats s = sstats(&h);
	ck_assert_uint_eq(s.accepted, NCLIENTS);
	ck_assert_uint_eq(s.requests, NCLIENTS * NROUNDS * 3);
	ck_assert_uint_eq(s.done, NCLIENTS * NROUNDS * 3);
	ck_assert_uint_eq(s.bad + s.errors + s.refused, 0);
	/* every connection got its own id, each id NROUNDS * 3 requests */
	unsigned per[NCLIENTS + 1] = { 0 };
	for (unsigned i = 0; i < h.naudit; i++) {
		ck_assert_uint_ge(h.audit[i].conn_id, 1);
		ck_assert_uint_le(h.audit[i].conn_id, NCLIENTS);
		per[h.audit[i].conn_id]++;
		ck_assert_uint_eq(h.audit[i].req_seq, i + 1);
	}
	for (int i = 1; i <= NCLIENTS; i++)
		ck_assert_uint_eq(per[i], NROUNDS * 3);
	h_stop(&h);
}
END_TEST

/* A kill goes through while other clients keep the control thread busy. */
START_TEST(test_kill_while_others_busy)
{
	struct harness h;
	h_start(&h, NULL);
	pthread_t t[4];
	struct client_arg a[4];
	for (int i = 0; i < 4; i++) {
		a[i] = (struct client_arg){ .h = &h };
		ck_assert_int_eq(pthread_create(&t[i], NULL, client_main, &a[i]), 0);
	}
	int fd = h_connect(&h);
	ck_assert_str_eq(H_CALL(fd, "kill", "--symbol", "MSFT", "--reason", "r"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"halted\",\"scope\":\"SYMBOL\","
			 "\"symbol\":\"MSFT\",\"locate\":13,\"epoch\":1,\"reason\":\"r\","
			 "\"persist\":\"pending\"}");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 13), 1);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(a[i].errors, 0);
		/* statuses after the kill differ from the fresh one: only count errors */
	}
	close(fd);
	h_stop(&h);
}
END_TEST

/* A client that pipelines 3000 requests before reading any reply: the server stops
 * reading while its replies wait for the socket, serves at most a burst per wake-up, and
 * every reply still comes back whole and in order. */
struct pipeliner {
	int fd;
	int n;
	int failed;
};

static void *pipeline_writer(void *p)
{
	struct pipeliner *x = p;
	static const uint8_t req[4 + 7] = { 0, 0, 0, 7, 's', 't', 'a', 't', 'u', 's', 0 };
	for (int i = 0; i < x->n; i++)
		if (send(x->fd, req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req))
			x->failed++;
	return NULL;
}

START_TEST(test_pipelined_requests_backpressure)
{
	struct harness h;
	h_start(&h, NULL);
	struct pipeliner x = { .fd = h_connect(&h), .n = 3000 };
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, pipeline_writer, &x), 0);
	/* Let the replies fill the socket: 3000 replies of ~700 bytes cannot fit its buffers, so
	 * the server must stop reading requests (the count stalls below 3000) until we read. */
	uint64_t seen = 0;
	for (int stable = 0, i = 0; stable < 5 && i < 2000; i++) {
		struct timespec nap = { 0, 10000000 };
		nanosleep(&nap, NULL);
		uint64_t now = sstats(&h).requests;
		stable = now == seen && now > 0 ? stable + 1 : 0;
		seen = now;
	}
	ck_assert_uint_gt(seen, 0);
	ck_assert_uint_lt(seen, 3000);
	static const char want[] =
		"{\"ok\":true,\"cmd\":\"status\"," FRESH_KS ",\"dataplane\":" FAKE_STATUS "}";
	for (int i = 0; i < x.n; i++) {
		char err[256];
		size_t len;
		ck_assert_msg(tp_ctl_recv_reply(x.fd, 20000, h_reply, sizeof(h_reply), &len, err,
						sizeof(err)) == 0,
			      "reply %d: %s", i, err);
		ck_assert_msg(strcmp(h_reply, want) == 0, "reply %d differs", i);
	}
	pthread_join(t, NULL);
	ck_assert_int_eq(x.failed, 0);
	ck_assert_str_eq(H_CALL(x.fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	close(x.fd);
	ck_assert_uint_eq(sstats(&h).requests, 3001);
	h_stop(&h);
}
END_TEST

/* ---- bad input ------------------------------------------------------------------------ */

#define MALFORMED(why)                                                                       \
	"{\"ok\":false,\"cmd\":null,\"code\":\"malformed\",\"error\":\"" why "\"}"

START_TEST(test_malformed_requests_answered)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
	ck_assert_str_eq(framed_call(fd, "ping", 4), MALFORMED("request does not end with a NUL byte"));
	ck_assert_str_eq(framed_call(fd, "ping\0\xff\0", 7), MALFORMED("word 2 is not printable UTF-8"));
	ck_assert_str_eq(framed_call(fd, "pi\x01ng\0", 6), MALFORMED("word 1 is not printable UTF-8"));
	ck_assert_str_eq(framed_call(fd, "ping\0\xc0\xaf\0", 8),
			 MALFORMED("word 2 is not printable UTF-8")); /* overlong '/' */
	ck_assert_str_eq(framed_call(fd, "ping\0\xed\xa0\x80\0", 9),
			 MALFORMED("word 2 is not printable UTF-8")); /* a surrogate */
	ck_assert_str_eq(framed_call(fd, "\0ping\0", 6), MALFORMED("empty command word"));
	char many[200];
	size_t n = 0;
	for (int i = 0; i < 33; i++) {
		memcpy(many + n, "w\0", 2);
		n += 2;
	}
	ck_assert_str_eq(framed_call(fd, many, n), MALFORMED("too many words (at most 32)"));
	/* the connection is still good */
	ck_assert_str_eq(H_CALL(fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	/* UTF-8 is fine and comes back as sent */
	ck_assert_str_eq(H_CALL(fd, "kill", "--reason", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"halted\",\"scope\":\"GLOBAL\","
			 "\"symbol\":null,\"locate\":null,\"epoch\":1,\"reason\":\"caf\xc3\xa9 "
			 "\xe2\x82\xac \xf0\x9f\x94\xa5\",\"persist\":\"pending\"}");
	/* quotes and backslashes are escaped in the reply */
	ck_assert_str_eq(H_CALL(fd, "frob\"\\"),
			 "{\"ok\":false,\"cmd\":\"frob\\\"\\\\\",\"code\":\"usage\",\"error\":"
			 "\"unknown command 'frob\\\"\\\\' (try help)\"}");
	close(fd);
	H_WAIT_FOR(sstats(&h).bad == 8);
	h_stop(&h);
}
END_TEST

static void expect_hangup(int fd)
{
	char b[16];
	ssize_t r = recv(fd, b, sizeof(b), 0);
	ck_assert_msg(r == 0 || (r < 0 && errno == ECONNRESET), "expected a hang-up, got %zd", r);
}

START_TEST(test_oversized_frames_answered_then_closed)
{
	struct harness h;
	h_start(&h, NULL);
	/* exactly the limit is a request like any other */
	int fd = h_connect(&h);
	static char big[TP_CTL_MAX_REQUEST];
	memcpy(big, "book\0", 5);
	memset(big + 5, 'A', sizeof(big) - 6);
	big[sizeof(big) - 1] = '\0';
	const char *r = framed_call(fd, big, sizeof(big));
	static const char pre[] = "{\"ok\":false,\"cmd\":\"book\",\"code\":\"usage\","
				  "\"error\":\"book: unknown symbol AAAA";
	ck_assert_msg(strncmp(r, pre, sizeof(pre) - 1) == 0, "%.100s", r);
	ck_assert_str_eq(H_CALL(fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	close(fd);

	static const uint8_t lens[][4] = { { 0, 0, 0x10, 0x01 },   /* 4097 */
					   { 0, 0, 0, 0 },         /* 0 */
					   { 0xff, 0xff, 0xff, 0xff } };
	static const char *const want[] = {
		"{\"ok\":false,\"cmd\":null,\"code\":\"too-large\",\"error\":"
		"\"request frame of 4097 bytes (1 to 4096 allowed)\"}",
		"{\"ok\":false,\"cmd\":null,\"code\":\"too-large\",\"error\":"
		"\"request frame of 0 bytes (1 to 4096 allowed)\"}",
		"{\"ok\":false,\"cmd\":null,\"code\":\"too-large\",\"error\":"
		"\"request frame of 4294967295 bytes (1 to 4096 allowed)\"}",
	};
	for (int i = 0; i < 3; i++) {
		fd = h_connect(&h);
		ck_assert_str_eq(raw_call(fd, lens[i], 4), want[i]);
		expect_hangup(fd);
		close(fd);
	}
	/* a client that streams a huge body is cut off too */
	fd = h_connect(&h);
	uint8_t hdr[4];
	tp_ctl_put_len(hdr, 1u << 20);
	ck_assert_int_eq(send(fd, hdr, 4, MSG_NOSIGNAL), 4);
	static char junk[65536];
	memset(junk, 'x', sizeof(junk));
	for (int i = 0; i < 16; i++)
		if (send(fd, junk, sizeof(junk), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			break;
	char err[256];
	size_t len;
	ck_assert_int_eq(tp_ctl_recv_reply(fd, 10000, h_reply, sizeof(h_reply), &len, err,
					   sizeof(err)),
			 0);
	ck_assert_str_eq(h_reply, "{\"ok\":false,\"cmd\":null,\"code\":\"too-large\",\"error\":"
				  "\"request frame of 1048576 bytes (1 to 4096 allowed)\"}");
	close(fd);
	/* and the server goes on */
	fd = h_connect(&h);
	ck_assert_str_eq(H_CALL(fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	close(fd);
	struct tp_ctl_server_stats s = sstats(&h);
	ck_assert_uint_eq(s.bad, 5);
	h_stop(&h);
}
END_TEST

START_TEST(test_disconnect_mid_request)
{
	struct harness h;
	h_start(&h, NULL);
	/* half a header, then half a body */
	int fd = h_connect(&h);
	ck_assert_int_eq(send(fd, "\0\0", 2, MSG_NOSIGNAL), 2);
	close(fd);
	H_WAIT_FOR(sstats(&h).disconnects_mid_request == 1);
	fd = h_connect(&h);
	ck_assert_int_eq(send(fd, "\0\0\0\x64" "status", 10, MSG_NOSIGNAL), 10);
	close(fd);
	H_WAIT_FOR(sstats(&h).disconnects_mid_request == 2);
	/* a whole request, gone before its reply */
	for (int i = 0; i < 50; i++) {
		fd = h_connect(&h);
		uint8_t req[4 + 7];
		tp_ctl_put_len(req, 7);
		memcpy(req + 4, "status", 7);
		ck_assert_int_eq(send(fd, req, sizeof(req), MSG_NOSIGNAL), (ssize_t)sizeof(req));
		close(fd);
	}
	H_WAIT_FOR(sstats(&h).open == 0);
	fd = h_connect(&h);
	ck_assert_str_eq(H_CALL(fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	close(fd);
	ck_assert_uint_eq(sstats(&h).disconnects_mid_request, 2);
	h_stop(&h);
}
END_TEST

START_TEST(test_stalled_client_timed_out)
{
	struct harness h;
	struct h_opts o = { .tick_ms = 20, .idle_timeout_ms = 100 };
	h_start(&h, &o);
	int fd = h_connect(&h);
	ck_assert_int_eq(send(fd, "\0\0\0", 3, MSG_NOSIGNAL), 3);
	char err[256];
	size_t len;
	ck_assert_int_eq(tp_ctl_recv_reply(fd, 20000, h_reply, sizeof(h_reply), &len, err,
					   sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "the control thread closed the connection");
	close(fd);
	ck_assert_uint_eq(sstats(&h).idle_timeouts, 1);
	/* an idle connection with nothing half-sent is left alone */
	fd = h_connect(&h);
	H_WAIT_FOR(atomic_load(&h.fake.ticks) >= 10);
	ck_assert_str_eq(H_CALL(fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(test_too_many_clients)
{
	struct harness h;
	struct h_opts o = { .max_clients = 2 };
	h_start(&h, &o);
	int a = h_connect(&h), b = h_connect(&h);
	H_CALL(a, "ping");
	H_CALL(b, "ping");
	int c = h_connect(&h);
	/* told why, whether or not it got to send its request */
	ck_assert_str_eq(H_CALL(c, "ping"),
			 "{\"ok\":false,\"cmd\":null,\"code\":\"unavailable\",\"error\":"
			 "\"too many control connections; try again later\"}");
	close(c);
	close(b);
	H_WAIT_FOR(sstats(&h).open == 1);
	c = h_connect(&h);
	ck_assert_str_eq(H_CALL(c, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	ck_assert_uint_eq(sstats(&h).rejected_full, 1);
	close(a);
	close(c);
	h_stop(&h);
}
END_TEST

/* ---- the dataplane's answers ---------------------------------------------------------- */

START_TEST(test_provider_failures_contained)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
	h.fake.bad_json = 1;
	ck_assert_str_eq(H_CALL(fd, "status"),
			 "{\"ok\":true,\"cmd\":\"status\"," FRESH_KS ",\"dataplane\":null,"
			 "\"dataplane_error\":\"invalid JSON at byte 1: member name expected\"}");
	h.fake.bad_json = 0;
	h.fake.fail = 1;
	ck_assert_str_eq(H_CALL(fd, "status"),
			 "{\"ok\":true,\"cmd\":\"status\"," FRESH_KS ",\"dataplane\":null,"
			 "\"dataplane_error\":\"dataplane not ready\"}");
	close(fd);
	h_stop(&h);
}
END_TEST

START_TEST(test_without_provider)
{
	struct harness h;
	struct h_opts o = { .no_provider = 1 };
	h_start(&h, &o);
	int fd = h_connect(&h);
	ck_assert_str_eq(H_CALL(fd, "status"),
			 "{\"ok\":true,\"cmd\":\"status\"," FRESH_KS ",\"dataplane\":null}");
	ck_assert_str_eq(H_CALL(fd, "book", "AAPL"),
			 "{\"ok\":false,\"cmd\":\"book\",\"code\":\"unavailable\",\"error\":"
			 "\"book: no order books in this instance\"}");
	ck_assert_str_eq(H_CALL(fd, "kill", "--symbol", "AAPL", "--reason", "r"),
			 "{\"ok\":false,\"cmd\":\"kill\",\"code\":\"usage\",\"error\":"
			 "\"kill: unknown symbol 'AAPL' (no symbol directory: use --locate)\"}");
	ck_assert_str_eq(H_CALL(fd, "kill", "--locate", "12"),
			 "{\"ok\":true,\"cmd\":\"kill\",\"action\":\"halted\",\"scope\":\"SYMBOL\","
			 "\"symbol\":null,\"locate\":12,\"epoch\":1,\"reason\":\"\","
			 "\"persist\":\"pending\"}");
	close(fd);
	h_stop(&h);
}
END_TEST

/* Halts made elsewhere (a rule on the hot path) reach the state file on the next tick. */
START_TEST(test_tick_persists_other_halts)
{
	struct harness h;
	struct h_opts o = { .tick_ms = 20 };
	h_start(&h, &o);
	ck_assert_int_eq(tp_ks_halt(h.ks, TP_KS_SYMBOL, 99, TP_KS_R_RISK, "rule", 0), 0);
	H_WAIT_FOR(file_contains(h.state, "\nsymbol 99 halted 5 1\n"));
	h_stop(&h);
}
END_TEST

/* Another thread persists the same kill-switch (the dataplane's main thread does, every
 * 20 ms) while kills and resumes come in: with the shared lock the state file always has
 * one writer, and at the end it says what the kill-switch says. (ThreadSanitizer checks
 * the "one writer" part in suite 'concurrency'.) */
struct persister {
	struct harness *h;
	pthread_mutex_t *lock;
	_Atomic int stop;
	unsigned rounds, failures;
};

static void *persister_main(void *p)
{
	struct persister *x = p;
	while (!atomic_load(&x->stop)) {
		char err[256];
		pthread_mutex_lock(x->lock);
		if (tp_ks_persist_if_changed(x->h->ks, err, sizeof(err)) < 0)
			x->failures++;
		pthread_mutex_unlock(x->lock);
		x->rounds++;
		struct timespec nap = { 0, 200000 };
		nanosleep(&nap, NULL);
	}
	return NULL;
}

START_TEST(test_shared_persister)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct harness h;
	struct h_opts o = { .ks_lock = &lock, .tick_ms = 5 };
	h_start(&h, &o);
	struct persister x = { .h = &h, .lock = &lock };
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, persister_main, &x), 0);
	int fd = h_connect(&h);
	for (int i = 0; i < 100; i++) {
		H_CALL(fd, "kill", "--symbol", "MSFT", "--reason", "r");
		ck_assert(strstr(H_CALL(fd, "resume", "--symbol", "MSFT", "--reason", "r", "--confirm"),
				 "\"action\":\"resumed\"") != NULL);
	}
	H_CALL(fd, "kill", "--reason", "end");
	close(fd);
	H_WAIT_FOR(file_contains(h.state, "\nglobal halted 1 1\n"));
	atomic_store(&x.stop, 1);
	pthread_join(t, NULL);
	ck_assert_uint_eq(x.failures, 0);
	ck_assert_uint_gt(x.rounds, 0);
	ck_assert(!file_contains(h.state, "\nsymbol 13 "));
	ck_assert_uint_eq(sstats(&h).persist_failures, 0);
	h_stop(&h);
}
END_TEST

/* ---- the socket file ------------------------------------------------------------------ */

START_TEST(test_socket_mode_and_group)
{
	struct harness h;
	struct h_opts o = { .group = "nogroup" };
	h_start(&h, &o);
	struct stat st;
	ck_assert_int_eq(stat(h.sock, &st), 0);
	ck_assert(S_ISSOCK(st.st_mode));
	ck_assert_uint_eq(st.st_mode & 07777, 0660);
	struct group *g = getgrnam("nogroup");
	ck_assert_ptr_nonnull(g);
	ck_assert_uint_eq(st.st_gid, g->gr_gid);
	h_stop(&h);

	o.group = "65533";
	h_start(&h, &o);
	ck_assert_int_eq(stat(h.sock, &st), 0);
	ck_assert_uint_eq(st.st_gid, 65533);
	h_stop(&h);
}
END_TEST

START_TEST(test_socket_file_conflicts)
{
	struct harness h;
	h_start(&h, NULL);
	char err[256];
	struct tp_ctl_config c = { .socket_path = h.sock, .ks = h.ks };
	/* a live instance owns the path */
	ck_assert_ptr_null(tp_ctl_server_create(&c, err, sizeof(err)));
	char want[256];
	snprintf(want, sizeof(want), "%s is in use by a running instance", h.sock);
	ck_assert_str_eq(err, want);
	/* an unknown group */
	char other[160];
	snprintf(other, sizeof(other), "%s/other.sock", h.dir);
	c.socket_path = other;
	c.group = "no-such-group-tp";
	ck_assert_ptr_null(tp_ctl_server_create(&c, err, sizeof(err)));
	ck_assert_str_eq(err, "control socket group no-such-group-tp: no such group");
	c.group = NULL;
	/* a regular file is not ours to remove */
	FILE *f = fopen(other, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_ptr_null(tp_ctl_server_create(&c, err, sizeof(err)));
	snprintf(want, sizeof(want), "%s exists and is not a socket", other);
	ck_assert_str_eq(err, want);
	unlink(other);
	/* a socket file left by a dead instance is replaced */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%.107s", other);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(s);
	struct tp_ctl_server *srv = tp_ctl_server_create(&c, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	ck_assert_int_eq(tp_ctl_server_start(srv, err, sizeof(err)), 0);
	int fd = tp_ctl_connect(other, err, sizeof(err));
	ck_assert_int_ge(fd, 0);
	ck_assert_str_eq(H_CALL(fd, "ping"), "{\"ok\":true,\"cmd\":\"ping\",\"pong\":true}");
	close(fd);
	tp_ctl_server_free(srv);
	ck_assert_int_eq(access(other, F_OK), -1); /* removed on the way out */
	/* a path that does not fit a sockaddr_un */
	char lng[200];
	memset(lng, 'p', sizeof(lng) - 1);
	lng[0] = '/';
	lng[sizeof(lng) - 1] = '\0';
	c.socket_path = lng;
	ck_assert_ptr_null(tp_ctl_server_create(&c, err, sizeof(err)));
	ck_assert(strncmp(err, "control socket path too long (at most 107 bytes)", 48) == 0);
	h_stop(&h);
}
END_TEST

START_TEST(test_missing_directory_created)
{
	struct harness h;
	h_start(&h, NULL);
	char dir[160], path[200], err[256];
	snprintf(dir, sizeof(dir), "%s/run", h.dir);
	snprintf(path, sizeof(path), "%s/ctl.sock", dir);
	struct tp_ctl_config c = { .socket_path = path, .ks = h.ks, .group = "nogroup" };
	struct tp_ctl_server *srv = tp_ctl_server_create(&c, err, sizeof(err));
	ck_assert_msg(srv != NULL, "%s", err);
	struct stat st;
	ck_assert_int_eq(stat(dir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0750);
	ck_assert_uint_eq(st.st_gid, getgrnam("nogroup")->gr_gid);
	tp_ctl_server_free(srv);
	rmdir(dir);
	h_stop(&h);
}
END_TEST

/* Another uid (nobody) is kept out by the file mode alone: connect fails with EACCES. */
START_TEST(test_other_uid_cannot_connect)
{
	struct harness h;
	h_start(&h, NULL);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(10);
		char err[256];
		int fd = tp_ctl_connect(h.sock, err, sizeof(err));
		if (fd >= 0)
			_exit(11);
		if (errno != EACCES)
			_exit(12);
		char want[256];
		snprintf(want, sizeof(want),
			 "cannot connect to %s: permission denied (operators need to be in the "
			 "socket's group)",
			 h.sock);
		_exit(strcmp(err, want) == 0 ? 0 : 13);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	ck_assert_uint_eq(sstats(&h).accepted, 0);
	h_stop(&h);
}
END_TEST

/* ---- audit ---------------------------------------------------------------------------- */

START_TEST(test_audit_every_request)
{
	struct harness h;
	h_start(&h, NULL);
	int fd = h_connect(&h);
	H_CALL(fd, "ping");
	H_CALL(fd, "kill", "--symbol", "AAPL", "--reason", "fat finger");
	H_CALL(fd, "resume", "--symbol", "AAPL", "--reason", "ok");
	H_CALL(fd, "frob");
	framed_call(fd, "x", 1);
	H_CALL(fd, "resume", "--symbol", "AAPL", "--reason", "ok", "--confirm");
	close(fd);
	fd = h_connect(&h);
	raw_call(fd, "\0\0\0\0", 4);
	close(fd);
	H_WAIT_FOR(h_naudit(&h) == 7);
	static const struct {
		const char *cmd, *args, *detail;
		int result;
	} want[] = {
		{ "ping", "", "pong", TP_CTL_DONE },
		{ "kill", "--symbol AAPL --reason fat finger", "halted AAPL (locate 12) epoch 1",
		  TP_CTL_DONE },
		{ "resume", "--symbol AAPL --reason ok", "resume refused: not confirmed",
		  TP_CTL_REFUSED },
		{ "frob", "", "unknown command 'frob' (try help)", TP_CTL_USAGE },
		{ "", "", "request does not end with a NUL byte", TP_CTL_MALFORMED },
		{ "resume", "--symbol AAPL --reason ok --confirm", "resumed AAPL (locate 12) epoch 2",
		  TP_CTL_DONE },
		{ "", "", "request frame of 0 bytes (1 to 4096 allowed)", TP_CTL_TOO_LARGE },
	};
	for (unsigned i = 0; i < 7; i++) {
		const struct h_audit *a = &h.audit[i];
		ck_assert_uint_eq(a->uid, getuid());
		ck_assert_uint_eq(a->gid, getgid());
		ck_assert_int_eq(a->pid, getpid());
		ck_assert_uint_eq(a->req_seq, i + 1);
		ck_assert_uint_eq(a->conn_id, i < 6 ? 1 : 2);
		ck_assert_str_eq(a->command, want[i].cmd);
		ck_assert_str_eq(a->args, want[i].args);
		ck_assert_str_eq(a->detail, want[i].detail);
		ck_assert_int_eq(a->result, want[i].result);
	}
	h_stop(&h);
}
END_TEST

/* The uid in the audit and in the kill-switch's who is the peer's, not the server's. */
START_TEST(test_audit_names_the_peer)
{
	struct harness h;
	h_start(&h, NULL);
	ck_assert_int_eq(chmod(h.sock, 0666), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		if (setgroups(0, NULL) != 0 || setgid(65534) != 0 || setuid(65534) != 0)
			_exit(10);
		char err[256], buf[1024];
		int fd = tp_ctl_connect(h.sock, err, sizeof(err));
		if (fd < 0)
			_exit(11);
		const char *k[] = { "kill", "--reason", "nobody" };
		const char *r[] = { "resume", "--reason", "nobody", "--confirm" };
		size_t len;
		if (tp_ctl_call(fd, 3, k, 10000, buf, sizeof(buf), &len, err, sizeof(err)) != 0 ||
		    !strstr(buf, "\"action\":\"halted\""))
			_exit(12);
		if (tp_ctl_call(fd, 4, r, 10000, buf, sizeof(buf), &len, err, sizeof(err)) != 0 ||
		    strcmp(buf, "{\"ok\":false,\"cmd\":\"resume\",\"code\":\"refused\",\"error\":"
				"\"resume refused: uid 65534 is not an operator of this instance\"}"))
			_exit(13);
		_exit(0);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	ck_assert(WIFEXITED(st));
	ck_assert_int_eq(WEXITSTATUS(st), 0);
	H_WAIT_FOR(h_naudit(&h) == 2);
	ck_assert_uint_eq(h.audit[0].uid, 65534);
	ck_assert_uint_eq(h.audit[0].gid, 65534);
	ck_assert_int_eq(h.audit[0].pid, pid);
	ck_assert_int_eq(h.audit[1].result, TP_CTL_REFUSED);
	struct tp_ks_audit_iter it;
	struct tp_ks_audit_rec rec;
	tp_ks_audit_begin(h.ks, &it);
	ck_assert_int_eq(tp_ks_audit_next(h.ks, &it, &rec), 1);
	ck_assert_str_eq(rec.who, "ctl:uid=65534");
	ck_assert_int_eq(tp_ks_blocked(h.ks, 1), 1);
	h_stop(&h);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl-server");
	TCase *tc = tcase_create("server");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, test_ping_help_status_stats_book_exact);
	tcase_add_test(tc, test_usage_errors);
	tcase_add_test(tc, test_kill_blocks_orders_and_persists);
	tcase_add_test(tc, test_symbol_kill_and_resume);
	tcase_add_test(tc, test_resume_needs_confirm_and_reason);
	tcase_add_test(tc, test_resume_only_for_operators);
	tcase_add_test(tc, test_many_clients_at_once);
	tcase_add_test(tc, test_kill_while_others_busy);
	tcase_add_test(tc, test_pipelined_requests_backpressure);
	tcase_add_test(tc, test_malformed_requests_answered);
	tcase_add_test(tc, test_oversized_frames_answered_then_closed);
	tcase_add_test(tc, test_disconnect_mid_request);
	tcase_add_test(tc, test_stalled_client_timed_out);
	tcase_add_test(tc, test_too_many_clients);
	tcase_add_test(tc, test_provider_failures_contained);
	tcase_add_test(tc, test_without_provider);
	tcase_add_test(tc, test_tick_persists_other_halts);
	tcase_add_test(tc, test_shared_persister);
	tcase_add_test(tc, test_socket_mode_and_group);
	tcase_add_test(tc, test_socket_file_conflicts);
	tcase_add_test(tc, test_missing_directory_created);
	tcase_add_test(tc, test_other_uid_cannot_connect);
	tcase_add_test(tc, test_audit_every_request);
	tcase_add_test(tc, test_audit_names_the_peer);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
