/* The control path's JSON writer and reader, and the request words codec: exact bytes out,
 * strict acceptance in, bounded failure on anything else. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tp_ctl_json.h"
#include "tp_ctl_proto.h"

START_TEST(test_writer_exact)
{
	char buf[512];
	struct tp_jw w;
	tp_jw_init(&w, buf, sizeof(buf));
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "s");
	tp_jw_str(&w, "a\"b\\c\n\t\x01\x7f");
	tp_jw_key(&w, "n");
	tp_jw_null(&w);
	tp_jw_key(&w, "arr");
	tp_jw_arr_begin(&w);
	tp_jw_u64(&w, UINT64_MAX);
	tp_jw_i64(&w, INT64_MIN);
	tp_jw_bool(&w, 1);
	tp_jw_bool(&w, 0);
	tp_jw_f64(&w, 1.5);
	tp_jw_f64(&w, 1.0 / 0.0);
	tp_jw_arr_begin(&w);
	tp_jw_arr_end(&w);
	tp_jw_obj_begin(&w);
	tp_jw_obj_end(&w);
	tp_jw_raw(&w, "{\"x\":1}", 7);
	tp_jw_arr_end(&w);
	tp_jw_key(&w, "z");
	tp_jw_strn(&w, "abcdef", 3);
	tp_jw_obj_end(&w);
	ck_assert_int_eq(w.overflow, 0);
	ck_assert_str_eq(buf, "{\"s\":\"a\\\"b\\\\c\\n\\t\\u0001\\u007f\",\"n\":null,\"arr\":["
			      "18446744073709551615,-9223372036854775808,true,false,1.500,null,"
			      "[],{},{\"x\":1}],\"z\":\"abc\"}");
	ck_assert_uint_eq(w.len, strlen(buf));
}
END_TEST

START_TEST(test_writer_overflow_flagged)
{
	char buf[10];
	struct tp_jw w;
	tp_jw_init(&w, buf, sizeof(buf));
	tp_jw_obj_begin(&w);
	tp_jw_key(&w, "abc");
	tp_jw_str(&w, "defgh");
	ck_assert_int_eq(w.overflow, 1);
	ck_assert_uint_lt(strlen(buf), sizeof(buf));
	ck_assert_str_eq(buf, "{\"abc\":\""); /* cut where it stopped fitting */
}
END_TEST

static int parses(const char *s)
{
	struct tp_jr_doc d;
	char err[128];
	return tp_jr_parse(&d, s, strlen(s), NULL, 0, err, sizeof(err)) == 0;
}

START_TEST(test_reader_accepts_and_rejects)
{
	static const char *const good[] = {
		"0", "-0", "1.5e+3", "-12.25E-2", "true", "false", "null", "\"\"",
		"\"\\u00e9\\n\\/\"", "[]", "{}", " [ 1 , { \"a\" : [ null ] } ] ",
		"{\"a\":{\"b\":{\"c\":1}}}", "18446744073709551616",
	};
	static const char *const bad[] = {
		"", " ", "01", "-", "1.", ".5", "1e", "+1", "[1,]", "{\"a\":1,}", "{a:1}",
		"{\"a\" 1}", "[1 2]", "\"abc", "\"\\x\"", "\"\\u12g4\"", "\"\t\"", "tru",
		"nul", "[1]x", "{\"a\":1}}", "[", "{", "\"\\u12\"", "'a'", "[1,,2]",
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(parses(good[i]), "should parse: %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!parses(bad[i]), "should not parse: %s", bad[i]);
}
END_TEST

START_TEST(test_reader_depth_bounded)
{
	char deep[2 * 70 + 1];
	for (int depth = 63; depth <= 66; depth++) {
		memset(deep, '[', (size_t)depth);
		memset(deep + depth, ']', (size_t)depth);
		deep[2 * depth] = '\0';
		ck_assert_int_eq(parses(deep), depth <= TP_JR_MAX_DEPTH);
	}
	struct tp_jr_doc d;
	char err[128];
	ck_assert_int_eq(tp_jr_parse(&d, deep, strlen(deep), NULL, 0, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "invalid JSON at byte 64: nested too deeply");
}
END_TEST

START_TEST(test_reader_navigation)
{
	const char *s = "{\"ok\":true,\"n\":-42,\"u\":18446744073709551615,\"f\":2.5,"
			"\"s\":\"caf\\u00e9 \\ud83d\\udd25 \\\"q\\\"\",\"a\":[1,[2,3],{\"k\":\"v\"}],"
			"\"o\":{\"p\":{\"q\":7}},\"e\\u0073c\":1}";
	struct tp_jr_node nodes[64];
	struct tp_jr_doc d;
	char err[128];
	ck_assert_int_eq(tp_jr_parse(&d, s, strlen(s), nodes, 64, err, sizeof(err)), 0);
	/* root, 8 keys, 8 values; below a: 1, [..], 2, 3, {..}, k, v; below o: p, {..}, q, 7 */
	ck_assert_uint_eq(d.count, 1 + 8 + 8 + 7 + 4);
	int ok;
	ck_assert_int_eq(tp_jr_bool(&d, tp_jr_find(&d, 0, "ok"), &ok), 0);
	ck_assert_int_eq(ok, 1);
	int64_t n;
	ck_assert_int_eq(tp_jr_i64(&d, tp_jr_find(&d, 0, "n"), &n), 0);
	ck_assert_int_eq(n, -42);
	uint64_t u;
	ck_assert_int_eq(tp_jr_u64(&d, tp_jr_find(&d, 0, "u"), &u), 0);
	ck_assert_uint_eq(u, UINT64_MAX);
	ck_assert_int_eq(tp_jr_u64(&d, tp_jr_find(&d, 0, "n"), &u), -1);
	ck_assert_int_eq(tp_jr_u64(&d, tp_jr_find(&d, 0, "f"), &u), -1);
	double f;
	ck_assert_int_eq(tp_jr_f64(&d, tp_jr_find(&d, 0, "f"), &f), 0);
	ck_assert(f == 2.5);
	char buf[64];
	ck_assert_int_eq(tp_jr_str(&d, tp_jr_find(&d, 0, "s"), buf, sizeof(buf)), 14);
	ck_assert_str_eq(buf, "caf\xc3\xa9 \xf0\x9f\x94\xa5 \"q\"");
	/* truncation keeps the full length as the result */
	ck_assert_int_eq(tp_jr_str(&d, tp_jr_find(&d, 0, "s"), buf, 4), 14);
	ck_assert_str_eq(buf, "caf");
	int a = tp_jr_find(&d, 0, "a");
	ck_assert_int_eq(tp_jr_type(&d, a), TP_JR_ARR);
	ck_assert_uint_eq(d.n[a].count, 3);
	int e0 = tp_jr_child(&d, a), e1 = tp_jr_next(&d, e0), e2 = tp_jr_next(&d, e1);
	ck_assert_int_eq(tp_jr_type(&d, e1), TP_JR_ARR);
	ck_assert_int_eq(tp_jr_type(&d, e2), TP_JR_OBJ);
	ck_assert(tp_jr_str_eq(&d, tp_jr_find(&d, e2, "k"), "v"));
	ck_assert_int_eq(tp_jr_next(&d, e2), tp_jr_find(&d, 0, "o") - 1);
	ck_assert_int_eq(tp_jr_u64(&d, tp_jr_path(&d, 0, "o.p.q"), &u), 0);
	ck_assert_uint_eq(u, 7);
	ck_assert_int_eq(tp_jr_path(&d, 0, "o.p.x"), -1);
	ck_assert_int_eq(tp_jr_path(&d, 0, "a.b"), -1);
	ck_assert_int_ge(tp_jr_find(&d, 0, "esc"), 0); /* escaped key */
	ck_assert_int_eq(tp_jr_find(&d, 0, "missing"), -1);
	ck_assert_int_eq(tp_jr_find(&d, a, "k"), -1); /* not an object */
	/* too few nodes is an error, not an overrun */
	ck_assert_int_eq(tp_jr_parse(&d, s, strlen(s), nodes, 10, err, sizeof(err)), -1);
	ck_assert(strstr(err, "too many values") != NULL);
	/* a lone surrogate escape decodes to U+FFFD */
	const char *t = "\"\\ud800x\"";
	ck_assert_int_eq(tp_jr_parse(&d, t, strlen(t), nodes, 64, err, sizeof(err)), 0);
	ck_assert_int_eq(tp_jr_str(&d, 0, buf, sizeof(buf)), 4);
	ck_assert_str_eq(buf, "\xef\xbf\xbdx");
}
END_TEST

START_TEST(test_words_codec)
{
	const char *argv[] = { "kill", "--reason", "fat finger", "" };
	uint8_t buf[64];
	char err[128];
	int n = tp_ctl_req_encode(4, argv, buf, sizeof(buf), err, sizeof(err));
	ck_assert_int_eq(n, 26);
	ck_assert(memcmp(buf, "kill\0--reason\0fat finger\0\0", 26) == 0);
	const char *w[8];
	ck_assert_int_eq(tp_ctl_req_parse(buf, (size_t)n, w, 8, err, sizeof(err)), 4);
	ck_assert_str_eq(w[0], "kill");
	ck_assert_str_eq(w[2], "fat finger");
	ck_assert_str_eq(w[3], "");
	/* limits on the way out */
	ck_assert_int_eq(tp_ctl_req_encode(4, argv, buf, 20, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "request too long (at most 4096 bytes)");
	const char *ctl[] = { "ping", "a\nb" };
	ck_assert_int_eq(tp_ctl_req_encode(2, ctl, buf, sizeof(buf), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "word 2 is not printable UTF-8");
	ck_assert_int_eq(tp_ctl_req_encode(0, ctl, buf, sizeof(buf), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no command");
	const char *many[33];
	for (int i = 0; i < 33; i++)
		many[i] = "w";
	ck_assert_int_eq(tp_ctl_req_encode(33, many, buf, sizeof(buf), err, sizeof(err)), -1);
	ck_assert_str_eq(err, "too many words (33, at most 32)");
	/* and on the way in */
	ck_assert_int_eq(tp_ctl_req_parse(buf, 0, w, 8, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "empty request");
	ck_assert_int_eq(tp_ctl_req_parse((const uint8_t *)"a\0b\0c\0", 6, w, 2, err, sizeof(err)),
			 -1);
	ck_assert_str_eq(err, "too many words (at most 2)");
}
END_TEST

START_TEST(test_utf8_rules)
{
	static const struct {
		const char *s;
		int ok;
	} v[] = {
		{ "plain ascii ~", 1 },  { "\xc3\xa9", 1 },        { "\xe2\x82\xac", 1 },
		{ "\xf0\x9f\x94\xa5", 1 }, { "\xf4\x8f\xbf\xbf", 1 }, { "\x7f", 0 },
		{ "\x1f", 0 },           { "\xc3", 0 },            { "\xc0\x80", 0 },
		{ "\xe0\x80\x80", 0 },   { "\xed\xbf\xbf", 0 },    { "\xf4\x90\x80\x80", 0 },
		{ "\xf8\x88\x80\x80\x80", 0 }, { "\x80", 0 },      { "\xe2\x82", 0 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		ck_assert_msg(tp_ctl_text_ok((const uint8_t *)v[i].s, strlen(v[i].s)) == v[i].ok,
			      "case %zu", i);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ctl-json");
	TCase *tc = tcase_create("json");
	tcase_add_test(tc, test_writer_exact);
	tcase_add_test(tc, test_writer_overflow_flagged);
	tcase_add_test(tc, test_reader_accepts_and_rejects);
	tcase_add_test(tc, test_reader_depth_bounded);
	tcase_add_test(tc, test_reader_navigation);
	tcase_add_test(tc, test_words_codec);
	tcase_add_test(tc, test_utf8_rules);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
