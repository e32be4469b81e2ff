#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <rte_cfgfile.h>

#include "config_priv.h"
#include "netaddr.h"

int tp_cfg_where(const struct tp_cfg_ctx *x, const char *sec, const char *key)
{
	int l = tp_cfg_index_line(&x->c->index, sec, key);
	return l ? l : tp_cfg_index_line(&x->c->index, sec, NULL);
}

int tp_cfg_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	if (*s < '0' || *s > '9')
		return -1;
	uint64_t v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int tp_cfg_num(struct tp_cfg_ctx *x, const char *sec, const char *key, const char *val,
	       uint64_t min, uint64_t max, uint64_t *out)
{
	if (tp_cfg_parse_u64(val, min, max, out) != 0)
		TP_CFG_FAIL(x, sec, key, "%s must be a whole number from %llu to %llu, not '%s'", key,
			    (unsigned long long)min, (unsigned long long)max, val);
	return 0;
}

int tp_cfg_entries(struct tp_cfg_ctx *x, struct rte_cfgfile *cf, const char *sec,
		   struct rte_cfgfile_entry *e)
{
	int n = rte_cfgfile_section_num_entries(cf, sec);
	if (n > TP_CFG_MAX_KEYS)
		TP_CFG_FAIL(x, sec, NULL, "too many keys in [%s] (at most %d)", sec, TP_CFG_MAX_KEYS);
	if (n > 0)
		rte_cfgfile_section_entries(cf, sec, e, n);
	return n < 0 ? 0 : n;
}

/* Local short names for the shared helpers. */
#define ctx tp_cfg_ctx
#define CFG_FAIL TP_CFG_FAIL
#define where tp_cfg_where
#define parse_u64 tp_cfg_parse_u64
#define num tp_cfg_num

static int is_pci_addr(const char *s)
{
	/* DDDD:BB:DD.F or BB:DD.F */
	unsigned a, b, d, f;
	char tail;
	if (sscanf(s, "%4x:%2x:%2x.%1x%c", &a, &b, &d, &f, &tail) == 4)
		return 1;
	if (sscanf(s, "%2x:%2x.%1x%c", &b, &d, &f, &tail) == 3)
		return 1;
	return 0;
}

static int check_name(const char *s)
{
	if (!*s)
		return -1;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return -1;
	return 0;
}

static int load_eal(struct ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(e[i].name, "args") == 0)
			snprintf(x->c->eal_args, sizeof(x->c->eal_args), "%s", e[i].value);
		else
			CFG_FAIL(x, sec, e[i].name, "unknown key '%s' in [eal] (known: args)",
				 e[i].name);
	}
	return 0;
}

static int parse_lcores(struct ctx *x, const char *sec, const char *val, struct tp_cfg_port *p,
			unsigned *count)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", val);
	unsigned n = 0;
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t l = strlen(tok);
		while (l && tok[l - 1] == ' ')
			tok[--l] = '\0';
		uint64_t v;
		if (parse_u64(tok, 1, 127, &v) != 0)
			CFG_FAIL(x, sec, "lcores",
				 "lcores must be a comma-separated list of lcore ids from 1 to 127 "
				 "(0 is the main lcore), not '%s'",
				 val);
		if (n == TP_DP_MAX_QUEUES)
			CFG_FAIL(x, sec, "lcores", "more than %d lcores", TP_DP_MAX_QUEUES);
		p->lcores[n++] = (unsigned)v;
	}
	if (n == 0)
		CFG_FAIL(x, sec, "lcores", "lcores is empty");
	*count = n;
	return 0;
}

static int load_port(struct ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_config *c = x->c;
	uint64_t id;
	if (parse_u64(sec + 5, 0, TP_DP_MAX_PORTS - 1, &id) != 0)
		CFG_FAIL(x, sec, NULL, "port sections are [port.N] with N from 0 to %d, not [%s]",
			 TP_DP_MAX_PORTS - 1, sec);
	if (c->n_ports == TP_DP_MAX_PORTS)
		CFG_FAIL(x, sec, NULL, "too many ports (at most %d)", TP_DP_MAX_PORTS);
	struct tp_cfg_port *p = &c->ports[c->n_ports++];
	*p = (struct tp_cfg_port){ .id = (unsigned)id, .rx_queues = 1,
				   .rx_desc = TP_DP_RX_DESC_DEFAULT };
	p->line = where(x, sec, NULL);
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	unsigned nl = 0;
	int have_dev = 0;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		uint64_t u;
		if (strcmp(k, "dev") == 0) {
			if (strchr(v, ' ') || strchr(v, '\t'))
				CFG_FAIL(x, sec, k, "dev may not contain spaces");
			snprintf(p->dev, sizeof(p->dev), "%s", v);
			p->is_pci = is_pci_addr(v);
			if (!p->is_pci && strncmp(v, "net_", 4) != 0)
				CFG_FAIL(x, sec, k,
					 "dev must be a PCI address (0000:01:00.0) or a vdev string "
					 "(net_pcap0,rx_pcap=FILE), not '%s'",
					 v);
			have_dev = 1;
			p->dev_line = where(x, sec, k);
		} else if (strcmp(k, "rx_queues") == 0) {
			if (num(x, sec, k, v, 1, TP_DP_MAX_QUEUES, &u) != 0)
				return -1;
			p->rx_queues = (uint16_t)u;
		} else if (strcmp(k, "rx_desc") == 0) {
			if (num(x, sec, k, v, 64, 16384, &u) != 0)
				return -1;
			p->rx_desc = (uint16_t)u;
		} else if (strcmp(k, "lcores") == 0) {
			if (parse_lcores(x, sec, v, p, &nl) != 0)
				return -1;
			p->lcores_line = where(x, sec, k);
		} else {
			CFG_FAIL(x, sec, k,
				 "unknown key '%s' in [%s] (known: dev, rx_queues, rx_desc, lcores)",
				 k, sec);
		}
	}
	if (!have_dev)
		CFG_FAIL(x, sec, NULL, "[%s] needs dev = PCI address or vdev string", sec);
	if (nl == 0) {
		/* Default: every queue on RX lcore 1, which fits the smallest machine. */
		for (unsigned q = 0; q < p->rx_queues; q++)
			p->lcores[q] = 1;
	} else if (nl != p->rx_queues) {
		CFG_FAIL(x, sec, "lcores", "lcores lists %u lcores for %u rx_queues (one per queue)",
			 nl, p->rx_queues);
	}
	for (unsigned i = 0; i + 1 < c->n_ports; i++) {
		if (c->ports[i].id == p->id)
			CFG_FAIL(x, sec, NULL, "[port.%u] defined twice", p->id);
		if (strcmp(c->ports[i].dev, p->dev) == 0)
			CFG_FAIL(x, sec, "dev", "dev '%s' is already [port.%u]", p->dev,
				 c->ports[i].id);
	}
	return 0;
}

static const char *const line_keys[TP_LINE__COUNT] = { "line_a", "line_b", "retransmit" };

static int load_feed(struct ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct tp_config *c = x->c;
	const char *name = sec + 5;
	if (check_name(name) != 0 || strlen(name) >= TP_DP_NAME_LEN)
		CFG_FAIL(x, sec, NULL,
			 "feed names use letters, digits, '_' and '-' (at most %d): [%s]",
			 TP_DP_NAME_LEN - 1, sec);
	if (c->n_feeds == TP_DP_MAX_FEEDS)
		CFG_FAIL(x, sec, NULL, "too many feeds (at most %d)", TP_DP_MAX_FEEDS);
	struct tp_cfg_feed *f = &c->feeds[c->n_feeds++];
	*f = (struct tp_cfg_feed){ .reorder_packets = 64, .reorder_window_ns = 100000 };
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->line = where(x, sec, NULL);
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *k = e[i].name, *v = e[i].value;
		uint64_t u;
		int li = -1;
		for (int j = 0; j < TP_LINE__COUNT; j++)
			if (strcmp(k, line_keys[j]) == 0)
				li = j;
		if (li >= 0) {
			const char *why;
			if (tp_netaddr_parse(v, &f->ip[li], &f->udp[li], &why) != 0)
				CFG_FAIL(x, sec, k, "%s = '%s': %s", k, v, why);
			f->has[li] = 1;
		} else if (strcmp(k, "protocol") == 0) {
			if (strcmp(v, "itch50-moldudp64") != 0)
				CFG_FAIL(x, sec, k, "unknown protocol '%s' (known: itch50-moldudp64)",
					 v);
			f->protocol = TP_PROTO_ITCH50_MOLDUDP64;
		} else if (strcmp(k, "reorder_packets") == 0) {
			if (num(x, sec, k, v, 1, 65535, &u) != 0)
				return -1;
			f->reorder_packets = (uint32_t)u;
		} else if (strcmp(k, "reorder_window_us") == 0) {
			if (num(x, sec, k, v, 1, 60000000, &u) != 0)
				return -1;
			f->reorder_window_ns = u * 1000u;
		} else if (strcmp(k, "max_orders") == 0) {
			if (num(x, sec, k, v, 1, 1u << 30, &u) != 0)
				return -1;
			f->max_orders = (uint32_t)u;
		} else if (strcmp(k, "port") == 0) {
			if (num(x, sec, k, v, 0, TP_DP_MAX_PORTS - 1, &u) != 0)
				return -1;
			f->port = (unsigned)u;
			f->port_line = where(x, sec, k);
		} else if (strcmp(k, "queue") == 0) {
			if (num(x, sec, k, v, 0, TP_DP_MAX_QUEUES - 1, &u) != 0)
				return -1;
			f->queue = (unsigned)u;
			f->queue_line = where(x, sec, k);
		} else {
			CFG_FAIL(x, sec, k,
				 "unknown key '%s' in [%s] (known: protocol, line_a, line_b, "
				 "retransmit, reorder_packets, reorder_window_us, max_orders, port, "
				 "queue)",
				 k, sec);
		}
	}
	if (!f->protocol)
		CFG_FAIL(x, sec, NULL, "[%s] needs protocol = itch50-moldudp64", sec);
	if (!f->has[TP_LINE_A])
		CFG_FAIL(x, sec, NULL, "[%s] needs line_a = ip:port", sec);
	/* One destination, one meaning: a datagram must map to exactly one feed and line. */
	for (int a = 0; a < TP_LINE__COUNT; a++) {
		if (!f->has[a])
			continue;
		for (int b = 0; b < a; b++)
			if (f->has[b] && f->ip[a] == f->ip[b] && f->udp[a] == f->udp[b])
				CFG_FAIL(x, sec, line_keys[a], "%s is the same address as %s",
					 line_keys[a], line_keys[b]);
		for (unsigned o = 0; o + 1 < c->n_feeds; o++)
			for (int b = 0; b < TP_LINE__COUNT; b++)
				if (c->feeds[o].has[b] && c->feeds[o].ip[b] == f->ip[a] &&
				    c->feeds[o].udp[b] == f->udp[a])
					CFG_FAIL(x, sec, line_keys[a],
						 "%s is already %s of [feed.%s]", line_keys[a],
						 line_keys[b], c->feeds[o].name);
	}
	return 0;
}

static int load_rings(struct ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		uint64_t u;
		if (strcmp(e[i].name, "size") != 0)
			CFG_FAIL(x, sec, e[i].name, "unknown key '%s' in [rings] (known: size)",
				 e[i].name);
		if (num(x, sec, "size", e[i].value, 64, 1u << 24, &u) != 0)
			return -1;
		if (u & (u - 1))
			CFG_FAIL(x, sec, "size", "size must be a power of two, not %llu",
				 (unsigned long long)u);
		x->c->ring_size = (uint32_t)u;
	}
	return 0;
}

static int load_log(struct ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (strcmp(e[i].name, "dir") != 0)
			CFG_FAIL(x, sec, e[i].name, "unknown key '%s' in [log] (known: dir)",
				 e[i].name);
		struct stat st;
		if (stat(e[i].value, &st) == 0 && !S_ISDIR(st.st_mode))
			CFG_FAIL(x, sec, "dir", "dir '%s' exists and is not a directory",
				 e[i].value);
		snprintf(x->c->log_dir, sizeof(x->c->log_dir), "%s", e[i].value);
	}
	return 0;
}

static int load_ctl(struct ctx *x, struct rte_cfgfile *cf, const char *sec)
{
	struct rte_cfgfile_entry e[TP_CFG_MAX_KEYS];
	int n = tp_cfg_entries(x, cf, sec, e);
	if (n < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		const char *v = e[i].value;
		if (strcmp(e[i].name, "socket") == 0) {
			if (strcmp(v, "off") != 0 && v[0] != '/')
				CFG_FAIL(x, sec, "socket", "socket must be an absolute path or off, not "
					 "'%s'", v);
			if (strlen(v) >= sizeof(x->c->ctl_socket))
				CFG_FAIL(x, sec, "socket", "socket path longer than %zu bytes",
					 sizeof(x->c->ctl_socket) - 1);
			snprintf(x->c->ctl_socket, sizeof(x->c->ctl_socket), "%s", v);
		} else if (strcmp(e[i].name, "group") == 0) {
			if (!v[0] || strlen(v) >= sizeof(x->c->ctl_group))
				CFG_FAIL(x, sec, "group", "group must be a group name or number");
			snprintf(x->c->ctl_group, sizeof(x->c->ctl_group), "%s", v);
		} else {
			CFG_FAIL(x, sec, e[i].name, "unknown key '%s' in [ctl] (known: socket, group)",
				 e[i].name);
		}
	}
	return 0;
}

int tp_config_load(const char *path, struct tp_config *c, char *err, size_t errlen)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->ring_size = TP_DP_RING_DEFAULT;
	tp_cfg_strat_defaults(&c->strat);
	if (tp_cfg_index_build(path, &c->index, err, errlen) != 0)
		return -1;
	struct ctx x = { .c = c, .err = err, .errlen = errlen };

	struct rte_cfgfile_parameters params = { .comment_character = '#' };
	struct rte_cfgfile *cf = rte_cfgfile_load_with_params(path, 0, &params);
	if (!cf) {
		/* The line scan accepted it, so this is a file rte_cfgfile reads differently. */
		snprintf(err, errlen, "%s:1: rte_cfgfile could not read the file", path);
		tp_config_free(c);
		return -1;
	}
	int ns = rte_cfgfile_num_sections(cf, NULL, 0);
	char **names = calloc(ns > 0 ? (size_t)ns : 1, sizeof(char *));
	int rc = names ? 0 : -1;
	for (int i = 0; names && i < ns; i++) {
		names[i] = calloc(1, CFG_NAME_LEN);
		if (!names[i])
			rc = -1;
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: out of memory", path);
	} else {
		rte_cfgfile_sections(cf, names, ns);
		for (int i = 0; i < ns && rc == 0; i++) {
			const char *s = names[i];
			if (strcmp(s, "eal") == 0)
				rc = load_eal(&x, cf, s);
			else if (strncmp(s, "port.", 5) == 0)
				rc = load_port(&x, cf, s);
			else if (strncmp(s, "feed.", 5) == 0)
				rc = load_feed(&x, cf, s);
			else if (strcmp(s, "rings") == 0)
				rc = load_rings(&x, cf, s);
			else if (strcmp(s, "log") == 0)
				rc = load_log(&x, cf, s);
			else if (strcmp(s, "ctl") == 0)
				rc = load_ctl(&x, cf, s);
			else if (strcmp(s, "rules") == 0)
				rc = tp_cfg_load_rules(&x, cf, s);
			else if (strncmp(s, "rule.", 5) == 0)
				rc = tp_cfg_load_rule(&x, cf, s);
			else if (strcmp(s, "risk") == 0)
				rc = tp_cfg_load_risk(&x, cf, s);
			else if (strcmp(s, "strategy") == 0)
				rc = tp_cfg_load_strategy(&x, cf, s);
			else if (strcmp(s, "killswitch") == 0)
				rc = tp_cfg_load_killswitch(&x, cf, s);
			else if (strcmp(s, "gateway") == 0)
				rc = tp_cfg_load_gateway(&x, cf, s);
			else if (strcmp(s, "simex") == 0)
				rc = tp_cfg_load_simex(&x, cf, s);
			else {
				int l = where(&x, s, NULL);
				snprintf(err, errlen,
					 "%s:%d: unknown section [%s] (known: eal, port.N, feed.NAME, "
					 "rings, log, ctl, rules, rule.NAME, risk, strategy, "
					 "killswitch, gateway, simex)",
					 path, l ? l : 1, s);
				rc = -1;
			}
		}
		if (rc == 0)
			rc = tp_cfg_strategy_finish(&x);
	}
	for (int i = 0; names && i < ns; i++)
		free(names[i]);
	free(names);
	rte_cfgfile_close(cf);
	if (rc != 0)
		tp_config_free(c);
	return rc;
}

/* net_pcap reads its rx_pcap file only when EAL probes it, and a missing one surfaces as
 * "no such ethdev". Say which file and which line instead. */
static int check_pcap_vdev(const struct tp_config *c, const struct tp_cfg_port *p, char *err,
			   size_t errlen)
{
	if (p->is_pci || strncmp(p->dev, "net_pcap", 8) != 0)
		return 0;
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", p->dev);
	char *save = NULL;
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strncmp(t, "rx_pcap=", 8) != 0)
			continue;
		FILE *f = fopen(t + 8, "rb");
		if (!f) {
			snprintf(err, errlen, "%s:%d: rx_pcap %s: %s", c->path, p->dev_line, t + 8,
				 strerror(errno));
			return -1;
		}
		fclose(f);
	}
	return 0;
}

int tp_config_check_run(const struct tp_config *c, char *err, size_t errlen)
{
	if (c->n_ports == 0) {
		snprintf(err, errlen, "%s:1: run needs at least one [port.N] section", c->path);
		return -1;
	}
	if (c->n_feeds == 0) {
		snprintf(err, errlen, "%s:1: run needs at least one [feed.NAME] section", c->path);
		return -1;
	}
	for (unsigned i = 0; i < c->n_ports; i++)
		if (check_pcap_vdev(c, &c->ports[i], err, errlen) != 0)
			return -1;
	for (unsigned i = 0; i < c->n_feeds; i++) {
		const struct tp_cfg_feed *f = &c->feeds[i];
		const struct tp_cfg_port *p = NULL;
		for (unsigned j = 0; j < c->n_ports; j++)
			if (c->ports[j].id == f->port)
				p = &c->ports[j];
		if (!p) {
			snprintf(err, errlen, "%s:%d: [feed.%s] port %u has no [port.%u] section",
				 c->path, f->port_line ? f->port_line : f->line, f->name, f->port,
				 f->port);
			return -1;
		}
		if (f->queue >= p->rx_queues) {
			snprintf(err, errlen, "%s:%d: [feed.%s] queue %u but [port.%u] has %u rx_queues",
				 c->path, f->queue_line ? f->queue_line : f->line, f->name, f->queue,
				 p->id, p->rx_queues);
			return -1;
		}
	}
	return tp_cfg_strategy_check_run(c, err, errlen);
}

void tp_config_free(struct tp_config *c)
{
	tp_cfg_index_free(&c->index);
}
