/* Shared by the CEP tests: events by hand, rules from "key=value;..." strings, a real
 * kill-switch, and an operator resume over a socketpair (the only way to lift a halt). */
#ifndef TP_CEP_TEST_UTIL_H
#define TP_CEP_TEST_UTIL_H

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tp_cep.h"
#include "tp_event.h"
#include "tp_killswitch.h"

#define US 1000ull
#define MS 1000000ull
#define SEC 1000000000ull
/* 10:00:00 exchange time: inside the default session, a multiple of every window used. */
#define T0 (36000ull * SEC)

static inline struct tp_event ev_mk(uint8_t kind, uint16_t loc, uint16_t feed, uint64_t ts,
				    uint64_t seq, uint32_t px, uint32_t qty, uint32_t bid,
				    uint32_t ask)
{
	struct tp_event e;
	memset(&e, 0, sizeof(e));
	e.kind = kind;
	e.stock_locate = loc;
	e.feed_id = feed;
	e.exch_ts_ns = ts;
	e.seq = seq;
	e.price = px;
	e.qty = qty;
	e.bid_px = bid;
	e.bid_qty = bid ? 100 : 0;
	e.ask_px = ask;
	e.ask_qty = ask ? 100 : 0;
	return e;
}

/* Feeds one event; returns the firings. */
static inline unsigned feed_ev(struct tp_cep *c, uint8_t kind, uint16_t loc, uint16_t feed,
			       uint64_t ts, uint64_t seq, uint32_t px, uint32_t qty, uint32_t bid,
			       uint32_t ask)
{
	struct tp_event e = ev_mk(kind, loc, feed, ts, seq, px, qty, bid, ask);
	return tp_cep_on_event(c, &e);
}

#define TRADE(c, loc, ts, seq, px, qty) feed_ev(c, TP_EV_TRADE, loc, 1, ts, seq, px, qty, 0, 0)
#define ADD(c, loc, feed, ts, seq) feed_ev(c, TP_EV_ADD, loc, feed, ts, seq, 100, 10, 0, 0)
#define BOOK(c, loc, ts, seq, bid, ask) feed_ev(c, TP_EV_ADD, loc, 1, ts, seq, bid, 10, bid, ask)

/* "kind=window; agg=count; ..." -> a definition, or the test fails with the parser's
 * message. */
static inline void def_parse(struct tp_cep_rule_def *d, const char *name, const char *spec)
{
	char buf[1024];
	const char *k[32], *v[32];
	int n = 0;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok && n < 32;
	     tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '=');
		ck_assert_msg(eq != NULL, "bad spec item '%s'", tok);
		*eq = '\0';
		k[n] = tok;
		v[n] = eq + 1;
		n++;
	}
	char err[256] = "";
	int rc = tp_cep_rule_parse(d, name, k, v, n, err, sizeof(err));
	ck_assert_msg(rc == 0, "parse %s: %s", name, err);
}

/* Parse error text for a spec (the parse must fail). */
static inline const char *parse_err(const char *name, const char *spec)
{
	static char err[256];
	char buf[1024];
	const char *k[32], *v[32];
	int n = 0;
	struct tp_cep_rule_def d;
	snprintf(buf, sizeof(buf), "%s", spec);
	for (char *save = NULL, *tok = strtok_r(buf, ";", &save); tok && n < 32;
	     tok = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(tok, '=');
		ck_assert_msg(eq != NULL, "bad spec item '%s'", tok);
		*eq = '\0';
		k[n] = tok;
		v[n] = eq + 1;
		n++;
	}
	err[0] = '\0';
	ck_assert_msg(tp_cep_rule_parse(&d, name, k, v, n, err, sizeof(err)) == -1,
		      "parse of '%s' should fail", spec);
	return err;
}

static inline struct tp_killswitch *ks_new(void)
{
	char err[256] = "";
	struct tp_killswitch *ks = tp_ks_create(NULL, err, sizeof(err));
	ck_assert_msg(ks != NULL, "tp_ks_create: %s", err);
	return ks;
}

static inline struct tp_cep *cep_new(const struct tp_cep_rule_def *d, unsigned n,
				     struct tp_killswitch *ks, uint32_t max_groups)
{
	char err[256] = "";
	struct tp_cep *c = tp_cep_create(d, n, ks ? tp_ks_halter_of(ks) : NULL, max_groups, err,
					 sizeof(err));
	ck_assert_msg(c != NULL, "tp_cep_create: %s", err);
	return c;
}

/* One rule from a spec, alert_interval 0 unless the spec says otherwise. */
static inline struct tp_cep *cep_one(const char *spec, struct tp_killswitch *ks)
{
	struct tp_cep_rule_def d;
	def_parse(&d, "r", spec);
	return cep_new(&d, 1, ks, 1024);
}

static inline int symbol_halted(struct tp_killswitch *ks, uint16_t loc)
{
	return tp_ks_word_halted(tp_ks_word(ks, TP_KS_SYMBOL, loc));
}

static inline int global_halted(struct tp_killswitch *ks)
{
	return tp_ks_word_halted(tp_ks_word(ks, TP_KS_GLOBAL, 0));
}

/* The ops console's resume, with our own uid as the operator (allowed by default). */
static inline void ks_resume(struct tp_killswitch *ks, enum tp_ks_scope scope, uint16_t loc)
{
	int sv[2];
	char err[256] = "";
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	struct tp_ks_operator *op = tp_ks_operator_from_socket(ks, sv[0], "test", err, sizeof(err));
	ck_assert_msg(op != NULL, "operator: %s", err);
	int rc = tp_ks_resume(ks, op, scope, loc, "test resume", 1, err, sizeof(err));
	ck_assert_msg(rc == 0 || rc == 2, "resume: %d %s", rc, err);
	tp_ks_operator_free(op);
	close(sv[0]);
	close(sv[1]);
}

static inline double value_of(struct tp_cep *c, unsigned rule, uint16_t key)
{
	double v = -1;
	int rc = tp_cep_value(c, rule, key, &v);
	ck_assert_msg(rc == 0, "tp_cep_value(rule %u, key %u) = %d", rule, key, rc);
	return v;
}

static inline struct tp_cep_alert one_alert(struct tp_cep *c)
{
	struct tp_cep_alert a[2];
	ck_assert_uint_eq(tp_cep_alerts_drain(c, a, 2), 1);
	return a[0];
}

static inline struct tp_cep_rule_stats rstats(struct tp_cep *c, unsigned rule)
{
	struct tp_cep_rule_stats s;
	ck_assert_int_eq(tp_cep_rule_stats(c, rule, &s), 0);
	return s;
}

#define RUN_SUITE(fn)                                                  \
	int main(void)                                                 \
	{                                                              \
		SRunner *sr = srunner_create(fn());                    \
		srunner_run_all(sr, CK_NORMAL);                        \
		int failed = srunner_ntests_failed(sr);                \
		srunner_free(sr);                                      \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;           \
	}

#endif
