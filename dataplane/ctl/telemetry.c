/* DPDK telemetry commands that read through the control socket (tp_ctl_telemetry.h). */
#include "tp_ctl_telemetry.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_telemetry.h>

#include "tp_ctl_client.h"
#include "tp_ctl_json.h"

#define TEL_TIMEOUT_MS 2000

static char tel_socket[108];

/* rte_telemetry takes only [A-Za-z0-9_/] in names. */
static void tel_name(char *s)
{
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '/'))
			*s = '_';
	}
}

struct tel_ctx {
	const struct tp_jr_doc *d;
	uint64_t truncated;
};

static void tel_scalar(struct tel_ctx *t, struct rte_tel_data *dict, const char *name, int idx)
{
	const struct tp_jr_doc *d = t->d;
	char key[RTE_TEL_MAX_STRING_LEN];
	snprintf(key, sizeof(key), "%s", name);
	tel_name(key);
	int rc;
	uint64_t u;
	int64_t i;
	int b;
	char s[RTE_TEL_MAX_STRING_LEN];
	switch (tp_jr_type(d, idx)) {
	case TP_JR_NUM:
		if (tp_jr_u64(d, idx, &u) == 0)
			rc = rte_tel_data_add_dict_u64(dict, key, u);
		else if (tp_jr_i64(d, idx, &i) == 0 && i >= INT32_MIN && i <= INT32_MAX)
			rc = rte_tel_data_add_dict_int(dict, key, (int)i);
		else {
			/* fractions (rates) and anything wider: the number's own text */
			snprintf(s, sizeof(s), "%.*s", (int)d->n[idx].len, d->text + d->n[idx].start);
			rc = rte_tel_data_add_dict_string(dict, key, s);
		}
		break;
	case TP_JR_BOOL:
		tp_jr_bool(d, idx, &b);
		rc = rte_tel_data_add_dict_u64(dict, key, (uint64_t)b);
		break;
	case TP_JR_STR:
		tp_jr_str(d, idx, s, sizeof(s));
		rc = rte_tel_data_add_dict_string(dict, key, s);
		break;
	default:
		rc = rte_tel_data_add_dict_string(dict, key, "null");
	}
	if (rc != 0)
		t->truncated++;
}

/* Everything below idx into dict, keyed by its path from `prefix`. */
static void tel_flatten(struct tel_ctx *t, struct rte_tel_data *dict, const char *prefix,
			int idx)
{
	const struct tp_jr_doc *d = t->d;
	int type = tp_jr_type(d, idx);
	if (type != TP_JR_OBJ && type != TP_JR_ARR) {
		tel_scalar(t, dict, prefix, idx);
		return;
	}
	char path[RTE_TEL_MAX_STRING_LEN];
	int c = tp_jr_child(d, idx);
	for (uint32_t k = 0; k < d->n[idx].count; k++) {
		int v = c;
		char part[64];
		if (type == TP_JR_OBJ) {
			tp_jr_str(d, c, part, sizeof(part));
			v = c + 1;
		} else {
			snprintf(part, sizeof(part), "%u", k);
		}
		int n = snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "/" : "", part);
		if (n < 0 || (size_t)n >= sizeof(path))
			t->truncated++;
		else
			tel_flatten(t, dict, path, v);
		c = tp_jr_next(d, v);
	}
}

static int tel_reply(const char *reply, size_t len, struct rte_tel_data *out)
{
	struct tp_jr_doc d;
	char why[128];
	if (tp_jr_parse(&d, reply, len, NULL, 0, why, sizeof(why)) != 0) {
		rte_tel_data_string(out, why);
		return 0;
	}
	struct tp_jr_node *nodes = malloc(sizeof(*nodes) * (d.count ? d.count : 1));
	if (!nodes)
		return -1;
	tp_jr_parse(&d, reply, len, nodes, d.count, NULL, 0);
	rte_tel_data_start_dict(out);
	struct tel_ctx t = { .d = &d };
	int ok = 0;
	tp_jr_bool(&d, tp_jr_find(&d, 0, "ok"), &ok);
	if (!ok) {
		char e[RTE_TEL_MAX_STRING_LEN];
		tp_jr_str(&d, tp_jr_find(&d, 0, "error"), e, sizeof(e));
		rte_tel_data_add_dict_string(out, "error", e);
		free(nodes);
		return 0;
	}
	int c = tp_jr_child(&d, 0);
	for (uint32_t k = 0; c >= 0 && k < d.n[0].count; k++) {
		int v = c + 1;
		char key[RTE_TEL_MAX_STRING_LEN];
		tp_jr_str(&d, c, key, sizeof(key));
		tel_name(key);
		int type = tp_jr_type(&d, v);
		if (strcmp(key, "ok") == 0 || strcmp(key, "cmd") == 0) {
			/* the command path says both */
		} else if (type == TP_JR_OBJ || type == TP_JR_ARR) {
			struct rte_tel_data *sub = rte_tel_data_alloc();
			if (!sub) {
				t.truncated++;
			} else {
				rte_tel_data_start_dict(sub);
				tel_flatten(&t, sub, "", v);
				if (rte_tel_data_add_dict_container(out, key, sub, 0) != 0) {
					rte_tel_data_free(sub);
					t.truncated++;
				}
			}
		} else {
			tel_scalar(&t, out, key, v);
		}
		c = tp_jr_next(&d, v);
	}
	rte_tel_data_add_dict_u64(out, "truncated", t.truncated);
	free(nodes);
	return 0;
}

/* Asks the control thread and converts its answer. */
static int tel_ask(int argc, const char *const *argv, struct rte_tel_data *out)
{
	char err[256];
	int fd = tp_ctl_connect(tel_socket, err, sizeof(err));
	if (fd < 0) {
		rte_tel_data_string(out, err);
		return 0;
	}
	char *reply = malloc(TP_CTL_MAX_REPLY + 1);
	if (!reply) {
		close(fd);
		return -1;
	}
	size_t len = 0;
	int rc;
	if (tp_ctl_call(fd, argc, argv, TEL_TIMEOUT_MS, reply, TP_CTL_MAX_REPLY + 1, &len, err,
			sizeof(err)) != 0) {
		rte_tel_data_string(out, err);
		rc = 0;
	} else {
		rc = tel_reply(reply, len, out);
	}
	free(reply);
	close(fd);
	return rc;
}

static int tel_status(const char *cmd, const char *params, struct rte_tel_data *out)
{
	(void)cmd;
	(void)params;
	const char *argv[] = { "status" };
	return tel_ask(1, argv, out);
}

static int tel_stats(const char *cmd, const char *params, struct rte_tel_data *out)
{
	(void)cmd;
	(void)params;
	const char *argv[] = { "stats" };
	return tel_ask(1, argv, out);
}

static int tel_book(const char *cmd, const char *params, struct rte_tel_data *out)
{
	(void)cmd;
	char sym[64] = "", depth[16] = "";
	if (params) {
		size_t n = strcspn(params, ",");
		snprintf(sym, sizeof(sym), "%.*s", (int)(n < sizeof(sym) ? n : sizeof(sym) - 1),
			 params);
		if (params[n] == ',')
			snprintf(depth, sizeof(depth), "%s", params + n + 1);
	}
	if (!sym[0]) {
		rte_tel_data_string(out, "usage: /tickpipe/book,SYMBOL[,DEPTH]");
		return 0;
	}
	const char *argv[] = { "book", sym, depth };
	return tel_ask(depth[0] ? 3 : 2, argv, out);
}

int tp_ctl_telemetry_register(const char *socket_path)
{
	snprintf(tel_socket, sizeof(tel_socket), "%s",
		 socket_path ? socket_path : TP_CTL_DEFAULT_SOCKET);
	int rc = 0;
	rc |= rte_telemetry_register_cmd("/tickpipe/status", tel_status,
					 "tickpipe status: kill-switch, feeds, lcores, rates");
	rc |= rte_telemetry_register_cmd("/tickpipe/stats", tel_stats,
					 "tickpipe counters: control socket, kill-switch, dataplane");
	rc |= rte_telemetry_register_cmd("/tickpipe/book", tel_book,
					 "tickpipe order book levels. Parameters: SYMBOL[,DEPTH]");
	return rc ? -1 : 0;
}
