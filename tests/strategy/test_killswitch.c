/* The kill-switch, single-threaded: scopes, the exact words and audit records, the resume
 * preconditions, refusal of credentials that did not come from the control socket, state
 * surviving a restart, and every kind of damaged state file coming back halted. */
#include <check.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tp_killswitch.h"

static char g_dir[64];
static char g_path[128];

static void mkdir_tmp(void)
{
	snprintf(g_dir, sizeof(g_dir), "/tmp/tp-ks-test-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(g_dir));
	snprintf(g_path, sizeof(g_path), "%s/ks.state", g_dir);
}

static void rm_tmp(void)
{
	char p[160];
	unlink(g_path);
	snprintf(p, sizeof(p), "%s.tmp", g_path);
	unlink(p);
	rmdir(g_dir);
}

static struct tp_killswitch *mk(const char *path)
{
	char err[256] = "x";
	struct tp_killswitch *ks = tp_ks_create(path, err, sizeof(err));
	ck_assert_ptr_nonnull(ks);
	ck_assert_msg(err[0] == '\0', "unexpected: %s", err);
	ck_assert_int_eq(tp_ks_loaded_corrupt(ks), 0);
	return ks;
}

/* A real credential: the peer of a socketpair is this very process. */
static struct tp_ks_operator *op_of(struct tp_killswitch *ks, int sv[2])
{
	char err[128] = "";
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct tp_ks_operator *op = tp_ks_operator_from_socket(ks, sv[0], "desk", err, sizeof(err));
	ck_assert_msg(op != NULL, "operator: %s", err);
	return op;
}

static void close2(int sv[2])
{
	close(sv[0]);
	close(sv[1]);
}

static int audit_all(struct tp_killswitch *ks, struct tp_ks_audit_rec *out, int max)
{
	struct tp_ks_audit_iter it;
	tp_ks_audit_begin(ks, &it);
	int n = 0;
	struct tp_ks_audit_rec r;
	while (tp_ks_audit_next(ks, &it, &r))
		if (n < max)
			out[n++] = r;
		else
			n++;
	return n;
}

START_TEST(test_global_and_symbol_scope)
{
	struct tp_killswitch *ks = mk(NULL);
	ck_assert_int_eq(tp_ks_blocked(ks, 0), 0);
	ck_assert_int_eq(tp_ks_blocked(ks, 65535), 0);
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_GLOBAL, 0), 0);

	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 42, TP_KS_R_RULE_BASE + 3, "cep", 1000), 0);
	ck_assert_int_eq(tp_ks_blocked(ks, 42), 1);
	ck_assert_int_eq(tp_ks_blocked(ks, 41), 0);
	ck_assert_int_eq(tp_ks_blocked(ks, 43), 0);
	uint64_t w = tp_ks_word(ks, TP_KS_SYMBOL, 42);
	ck_assert_uint_eq(w, tp_ks_word_pack(1, TP_KS_R_RULE_BASE + 3, 1));
	ck_assert_uint_eq(w, 0x0000000101030001ull); /* epoch 1 | reason 0x103 | halted */
	/* Again: already halted, the first halt's reason and epoch stay. */
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 42, TP_KS_R_RISK, "risk", 2000), 1);
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_SYMBOL, 42), w);

	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 9999, TP_KS_R_INTERNAL, "gw", 3000), 0);
	for (uint32_t l = 0; l < 65536; l += 257)
		ck_assert_int_eq(tp_ks_blocked(ks, (uint16_t)l), 1);
	ck_assert_int_eq(tp_ks_blocked(ks, 65535), 1);
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_GLOBAL, 0), tp_ks_word_pack(1, TP_KS_R_INTERNAL, 1));

	/* An unknown scope is a caller bug: it halts globally (already halted here). */
	ck_assert_int_eq(tp_ks_halt(ks, (enum tp_ks_scope)7, 1, TP_KS_R_TEST, "bug", 0), 1);

	/* The halter handle halts the same words. */
	struct tp_ks_halter *h = tp_ks_halter_of(ks);
	ck_assert_int_eq(tp_ks_halter_halt(h, TP_KS_SYMBOL, 7, TP_KS_R_STALE_DATA, "h", 4), 0);
	ck_assert_int_eq(tp_ks_halter_blocked(h, 7), 1);
	ck_assert_ptr_eq(tp_ks_halter_words(h), tp_ks_words_of(ks));

	struct tp_ks_status st;
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(st.changes, 3);
	ck_assert_uint_eq(st.halts, 3);
	ck_assert_uint_eq(st.halts_repeated, 2);
	ck_assert_uint_eq(st.symbols_halted, 2);
	ck_assert_int_eq(st.global_halted, 1);
	tp_ks_free(ks);
}
END_TEST

START_TEST(test_audit_exact)
{
	struct tp_killswitch *ks = mk(NULL);
	int sv[2];
	struct tp_ks_operator *op = op_of(ks, sv);
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 0, TP_KS_R_RULE_BASE + 7,
				    "cep:price-band", 34200000000123ull), 0);
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 0, TP_KS_R_RISK, "risk", 1), 1);
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 513, TP_KS_R_RISK,
				    "a-very-long-name-that-does-not-fit-in-32", 77), 0);
	char err[160];
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "fat finger checked", 1, err,
				      sizeof(err)), 0);
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "again", 1, err, sizeof(err)), 1);

	struct tp_ks_audit_rec r[8];
	ck_assert_int_eq(audit_all(ks, r, 8), 3);
	ck_assert_uint_eq(r[0].seq, 0);
	ck_assert_uint_eq(r[0].ts_ns, 34200000000123ull);
	ck_assert_uint_eq(r[0].epoch, 1);
	ck_assert_uint_eq(r[0].scope, TP_KS_GLOBAL);
	ck_assert_uint_eq(r[0].locate, 0);
	ck_assert_uint_eq(r[0].reason, TP_KS_R_RULE_BASE + 7);
	ck_assert_uint_eq(r[0].old_halted, 0);
	ck_assert_uint_eq(r[0].new_halted, 1);
	ck_assert_str_eq(r[0].who, "cep:price-band");
	ck_assert_str_eq(r[0].note, "");

	ck_assert_uint_eq(r[1].seq, 1);
	ck_assert_uint_eq(r[1].scope, TP_KS_SYMBOL);
	ck_assert_uint_eq(r[1].locate, 513);
	ck_assert_uint_eq(r[1].epoch, 1);
	ck_assert_str_eq(r[1].who, "a-very-long-name-that-does-not-"); /* 31 + NUL */

	char who[64];
	snprintf(who, sizeof(who), "desk uid=%u pid=%d", (unsigned)geteuid(), (int)getpid());
	who[TP_KS_WHO_LEN - 1] = '\0';
	ck_assert_uint_eq(r[2].seq, 2);
	ck_assert_uint_eq(r[2].scope, TP_KS_GLOBAL);
	ck_assert_uint_eq(r[2].epoch, 2);
	ck_assert_uint_eq(r[2].reason, TP_KS_R_OPERATOR);
	ck_assert_uint_eq(r[2].old_halted, 1);
	ck_assert_uint_eq(r[2].new_halted, 0);
	ck_assert_str_eq(r[2].who, who);
	ck_assert_str_eq(r[2].note, "fat finger checked");
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_GLOBAL, 0), tp_ks_word_pack(0, TP_KS_R_OPERATOR, 2));

	/* Consuming frees them; the iterator then starts after them. */
	struct tp_ks_audit_iter it;
	tp_ks_audit_begin(ks, &it);
	while (tp_ks_audit_next(ks, &it, &r[0]))
		;
	ck_assert_uint_eq(it.pos, 3);
	tp_ks_audit_consume(ks, &it);
	ck_assert_int_eq(audit_all(ks, r, 8), 0);
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 1, TP_KS_R_TEST, "t", 5), 0);
	ck_assert_int_eq(audit_all(ks, r, 8), 1);
	ck_assert_uint_eq(r[0].seq, 3);
	tp_ks_operator_free(op);
	close2(sv);
	tp_ks_free(ks);
}
END_TEST

START_TEST(test_audit_full_counts_drops_and_still_halts)
{
	struct tp_killswitch *ks = mk(NULL);
	for (uint32_t l = 0; l < TP_KS_AUDIT_CAP + 100; l++)
		ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, (uint16_t)l, TP_KS_R_TEST, "t", l), 0);
	for (uint32_t l = 0; l < TP_KS_AUDIT_CAP + 100; l++)
		ck_assert_int_eq(tp_ks_blocked(ks, (uint16_t)l), 1);
	struct tp_ks_status st;
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(st.audit_dropped, 100);
	ck_assert_uint_eq(st.symbols_halted, TP_KS_AUDIT_CAP + 100);
	/* Drain half: room for exactly that many again. */
	struct tp_ks_audit_iter it;
	struct tp_ks_audit_rec r;
	tp_ks_audit_begin(ks, &it);
	for (int i = 0; i < 10; i++) {
		ck_assert_int_eq(tp_ks_audit_next(ks, &it, &r), 1);
		ck_assert_uint_eq(r.locate, (unsigned)i);
	}
	tp_ks_audit_consume(ks, &it);
	for (uint32_t l = 60000; l < 60011; l++)
		tp_ks_halt(ks, TP_KS_SYMBOL, (uint16_t)l, TP_KS_R_TEST, "t", l);
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(st.audit_dropped, 101);
	tp_ks_free(ks);
}
END_TEST

START_TEST(test_resume_preconditions)
{
	struct tp_killswitch *ks = mk(NULL);
	int sv[2];
	struct tp_ks_operator *op = op_of(ks, sv);
	char err[160];
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "t", 1), 0);
	uint64_t w = tp_ks_word(ks, TP_KS_GLOBAL, 0);

	ck_assert_int_eq(tp_ks_resume(ks, NULL, TP_KS_GLOBAL, 0, "ok", 1, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "resume refused: no operator credential");
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, NULL, 1, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "resume refused: a reason is required");
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "", 1, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "resume refused: a reason is required");
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, " \t ", 1, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "resume refused: a reason is required");
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "ok", 0, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "resume refused: not confirmed");
	ck_assert_int_eq(tp_ks_resume(ks, op, (enum tp_ks_scope)5, 0, "ok", 1, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "resume refused: unknown scope");
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_GLOBAL, 0), w);
	ck_assert_int_eq(tp_ks_blocked(ks, 3), 1);

	struct tp_ks_status st;
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(st.resumes_refused, 6);
	ck_assert_uint_eq(st.resumes, 0);

	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "ok", 1, err, sizeof(err)), 0);
	ck_assert_int_eq(tp_ks_blocked(ks, 3), 0);
	/* A symbol that is not halted: nothing to do. */
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_SYMBOL, 3, "ok", 1, err, sizeof(err)), 1);
	tp_ks_status(ks, &st);
	ck_assert_uint_eq(st.resumes, 1);
	ck_assert_uint_eq(st.changes, 2);
	tp_ks_operator_free(op);
	close2(sv);
	tp_ks_free(ks);
}
END_TEST

/* Only a credential made from the control socket by this instance resumes. */
START_TEST(test_no_resume_without_operator)
{
	struct tp_killswitch *ks = mk(NULL), *other = mk(NULL);
	char err[160];
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "t", 1), 0);

	/* A forged credential (what a rule might conjure by casting) is refused. */
	static uint64_t zeros[64];
	ck_assert_int_eq(tp_ks_resume(ks, (const struct tp_ks_operator *)zeros, TP_KS_GLOBAL, 0,
				      "ok", 1, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "resume refused: operator credential not issued by this instance");

	/* A credential of another instance is refused. */
	int sv[2];
	struct tp_ks_operator *op_other = op_of(other, sv);
	ck_assert_int_eq(tp_ks_resume(ks, op_other, TP_KS_GLOBAL, 0, "ok", 1, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "resume refused: operator credential not issued by this instance");

	/* Not a socket: no credential. */
	int fd = open("/dev/null", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_ptr_null(tp_ks_operator_from_socket(ks, fd, "x", err, sizeof(err)));
	ck_assert_int_eq(strncmp(err, "cannot identify the peer", 24), 0);
	close(fd);

	/* A peer whose uid is not an operator gets no credential; one made before the list
	 * changed stops working. */
	int sv2[2];
	struct tp_ks_operator *op = op_of(ks, sv2);
	uint32_t nobody = 4242424;
	ck_assert_int_eq(tp_ks_allow_uids(ks, &nobody, 1), 0);
	ck_assert_ptr_null(tp_ks_operator_from_socket(ks, sv2[0], "x", err, sizeof(err)));
	char want[96];
	snprintf(want, sizeof(want), "uid %u is not an operator of this instance",
		 (unsigned)geteuid());
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "ok", 1, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "resume refused: operator no longer allowed");
	ck_assert_int_eq(tp_ks_blocked(ks, 0), 1);

	/* The halter handle (all a rule gets) reaches the same instance but only halts. */
	struct tp_ks_halter *h = tp_ks_halter_of(ks);
	ck_assert_int_eq(tp_ks_halter_halt(h, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "rule", 2), 1);
	ck_assert_int_eq(tp_ks_blocked(ks, 0), 1);

	uint32_t me = (uint32_t)geteuid();
	ck_assert_int_eq(tp_ks_allow_uids(ks, &me, 1), 0);
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "ok", 1, err, sizeof(err)), 0);
	ck_assert_int_eq(tp_ks_blocked(ks, 0), 0);
	tp_ks_operator_free(op);
	tp_ks_operator_free(op_other);
	close2(sv);
	close2(sv2);
	tp_ks_free(other);
	tp_ks_free(ks);
}
END_TEST

START_TEST(test_survives_restart)
{
	mkdir_tmp();
	char err[200];
	struct tp_killswitch *ks = mk(g_path); /* no file yet: a first start */
	ck_assert_int_eq(tp_ks_blocked(ks, 7), 0);
	ck_assert_int_eq(tp_ks_persist_if_changed(ks, err, sizeof(err)), 0); /* first write */
	ck_assert_int_eq(tp_ks_persist_if_changed(ks, err, sizeof(err)), 1); /* nothing new */
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 7, TP_KS_R_RULE_BASE + 1, "cep", 5), 0);
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 65535, TP_KS_R_RISK, "risk", 6), 0);
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 0, TP_KS_R_INTERNAL, "gw", 7), 0);
	ck_assert_int_eq(tp_ks_persist_if_changed(ks, err, sizeof(err)), 0);
	tp_ks_free(ks);

	/* The file is exactly what we expect. */
	FILE *f = fopen(g_path, "r");
	ck_assert_ptr_nonnull(f);
	char text[512];
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	const char *body = "tickpipe-killswitch 1\n"
			   "global halted 4 1\n"
			   "symbol 7 halted 257 1\n"
			   "symbol 65535 halted 5 1\n";
	ck_assert_int_eq(strncmp(text, body, strlen(body)), 0);
	ck_assert_int_eq(strncmp(text + strlen(body), "end 2 ", 6), 0);
	ck_assert_uint_eq(n, strlen(body) + 6 + 16 + 1);

	ks = mk(g_path);
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_GLOBAL, 0), tp_ks_word_pack(1, TP_KS_R_INTERNAL, 1));
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_SYMBOL, 7),
			  tp_ks_word_pack(1, TP_KS_R_RULE_BASE + 1, 1));
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_SYMBOL, 65535), tp_ks_word_pack(1, TP_KS_R_RISK, 1));
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_SYMBOL, 8), 0);
	struct tp_ks_audit_rec r[4];
	ck_assert_int_eq(audit_all(ks, r, 4), 3);
	ck_assert_str_eq(r[0].who, "restore");
	ck_assert_uint_eq(r[0].scope, TP_KS_GLOBAL);
	ck_assert_uint_eq(r[1].locate, 7);
	ck_assert_uint_eq(r[2].locate, 65535);

	/* The operator lifts the global halt; resume persists, so a restart sees it lifted but
	 * the symbol halts stay. */
	int sv[2];
	struct tp_ks_operator *op = op_of(ks, sv);
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "checked", 1, err, sizeof(err)), 0);
	tp_ks_operator_free(op);
	close2(sv);
	tp_ks_free(ks);

	ks = mk(g_path);
	ck_assert_uint_eq(tp_ks_word(ks, TP_KS_GLOBAL, 0), tp_ks_word_pack(0, TP_KS_R_OPERATOR, 2));
	ck_assert_int_eq(tp_ks_blocked(ks, 8), 0);
	ck_assert_int_eq(tp_ks_blocked(ks, 7), 1);
	ck_assert_int_eq(tp_ks_blocked(ks, 65535), 1);
	/* Epochs carry on across restarts. */
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "t", 8), 0);
	ck_assert_uint_eq(tp_ks_word_epoch(tp_ks_word(ks, TP_KS_GLOBAL, 0)), 3);
	tp_ks_free(ks);
	rm_tmp();
}
END_TEST

static void write_file(const char *path, const char *text, size_t n)
{
	FILE *f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(text, 1, n, f), n);
	fclose(f);
}

static void expect_corrupt(const char *why_part)
{
	char err[256] = "";
	struct tp_killswitch *ks = tp_ks_create(g_path, err, sizeof(err));
	ck_assert_ptr_nonnull(ks);
	ck_assert_int_eq(tp_ks_loaded_corrupt(ks), 1);
	ck_assert_msg(strstr(err, why_part) != NULL, "err '%s' lacks '%s'", err, why_part);
	ck_assert_msg(strstr(err, "halted globally") != NULL, "err '%s'", err);
	uint64_t g = tp_ks_word(ks, TP_KS_GLOBAL, 0);
	ck_assert_int_eq(tp_ks_word_halted(g), 1);
	ck_assert_uint_eq(tp_ks_word_reason(g), TP_KS_R_CORRUPT_STATE);
	ck_assert_int_eq(tp_ks_blocked(ks, 1), 1);
	struct tp_ks_audit_rec r[4];
	int n = audit_all(ks, r, 4);
	ck_assert_int_ge(n, 1);
	ck_assert_uint_eq(r[n - 1].reason, TP_KS_R_CORRUPT_STATE);
	ck_assert_str_eq(r[n - 1].who, "restore");
	tp_ks_free(ks);
}

START_TEST(test_corrupt_state_halts)
{
	mkdir_tmp();
	char err[200];
	/* A good file to damage. */
	struct tp_killswitch *ks = mk(g_path);
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_SYMBOL, 300, TP_KS_R_RISK, "r", 1), 0);
	ck_assert_int_eq(tp_ks_persist(ks, err, sizeof(err)), 0);
	tp_ks_free(ks);
	char good[256];
	FILE *f = fopen(g_path, "r");
	size_t n = fread(good, 1, sizeof(good) - 1, f);
	fclose(f);
	good[n] = '\0';
	ck_assert_uint_gt(n, 40);

	write_file(g_path, "", 0);
	expect_corrupt("empty file");
	write_file(g_path, "garbage\n", 8);
	expect_corrupt("not a kill-switch state file");
	write_file(g_path, good, n - 1); /* last newline cut */
	expect_corrupt("truncated");
	write_file(g_path, good, n - 20); /* end line cut mid-way */
	expect_corrupt("truncated");
	char *nl = strstr(good, "symbol 300");
	write_file(g_path, good, (size_t)(nl - good)); /* cut at a line boundary: no end line */
	expect_corrupt("no end line");

	char bad[512];
	memcpy(bad, good, n);
	bad[strstr(bad, "symbol 300") - bad + 9] = '1'; /* symbol 301: the checksum catches it */
	write_file(g_path, bad, n);
	expect_corrupt("checksum");
	memcpy(bad, good, n);
	bad[strstr(bad, "running") - bad] = 'R';
	write_file(g_path, bad, n);
	expect_corrupt("neither halted nor running");
	snprintf(bad, sizeof(bad), "%s%s", good, "extra\n");
	write_file(g_path, bad, strlen(bad));
	expect_corrupt("after the end line");
	memcpy(bad, good, n);
	bad[strstr(bad, "symbol 300") - bad + 6] = 'x'; /* "symbolx300" */
	write_file(g_path, bad, n);
	expect_corrupt("not understood");

	/* A symbol halt that parsed before the damage is kept (extra halts are safe). */
	snprintf(bad, sizeof(bad), "%.*sjunk\n", (int)(strstr(good, "end") - good), good);
	write_file(g_path, bad, strlen(bad));
	ks = tp_ks_create(g_path, err, sizeof(err));
	ck_assert_int_eq(tp_ks_blocked(ks, 300), 1);
	ck_assert_int_eq(tp_ks_word_halted(tp_ks_word(ks, TP_KS_SYMBOL, 300)), 1);
	ck_assert_int_eq(tp_ks_loaded_corrupt(ks), 1);
	tp_ks_free(ks);

	/* A directory where the file should be: unreadable, so halted. */
	unlink(g_path);
	ck_assert_int_eq(mkdir(g_path, 0700), 0);
	expect_corrupt("not a regular file");
	rmdir(g_path);

	/* The good file itself is fine. */
	write_file(g_path, good, n);
	ks = mk(g_path);
	ck_assert_int_eq(tp_ks_blocked(ks, 300), 1);
	ck_assert_int_eq(tp_ks_blocked(ks, 301), 0);
	tp_ks_free(ks);
	rm_tmp();
}
END_TEST

START_TEST(test_persist_failure_reported)
{
	char err[200] = "";
	struct tp_killswitch *ks = mk("/nonexistent-dir-tp/ks.state");
	ck_assert_int_eq(tp_ks_persist(ks, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	ck_assert_int_eq(tp_ks_halt(ks, TP_KS_GLOBAL, 0, TP_KS_R_TEST, "t", 1), 0);
	int sv[2];
	struct tp_ks_operator *op = op_of(ks, sv);
	/* Resumed in memory, but the caller learns the file was not updated. */
	ck_assert_int_eq(tp_ks_resume(ks, op, TP_KS_GLOBAL, 0, "ok", 1, err, sizeof(err)), 2);
	ck_assert_int_eq(strncmp(err, "resumed, but not persisted", 26), 0);
	tp_ks_operator_free(op);
	close2(sv);
	tp_ks_free(ks);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("killswitch");
	TCase *tc = tcase_create("killswitch");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_global_and_symbol_scope);
	tcase_add_test(tc, test_audit_exact);
	tcase_add_test(tc, test_audit_full_counts_drops_and_still_halts);
	tcase_add_test(tc, test_resume_preconditions);
	tcase_add_test(tc, test_no_resume_without_operator);
	tcase_add_test(tc, test_survives_restart);
	tcase_add_test(tc, test_corrupt_state_halts);
	tcase_add_test(tc, test_persist_failure_reported);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
