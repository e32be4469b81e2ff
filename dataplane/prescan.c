#include "prescan.h"

#include <stdio.h>
#include <string.h>

#include "tp_netparse.h"
#include "tp_pcapread.h"

static int printable_session(const uint8_t *s)
{
	for (unsigned i = 0; i < TP_MOLD_SESSION_LEN; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* Feed index of a datagram, or -1. Mirrors tp_routes_find(), minus the line bookkeeping. */
static int classify(struct tp_prescan *ps, const struct tp_config *cfg, const struct tp_net_udp *u,
		    char *err, size_t errlen, const char *path)
{
	if (cfg && cfg->n_feeds) {
		for (unsigned i = 0; i < cfg->n_feeds; i++)
			for (int l = 0; l < TP_LINE__COUNT; l++)
				if (cfg->feeds[i].has[l] && cfg->feeds[i].ip[l] == u->dst_ip &&
				    cfg->feeds[i].udp[l] == u->dst_port)
					return (int)i;
		return -1;
	}
	if (u->payload_len < TP_MOLD_HDR_LEN)
		return -1;
	for (unsigned i = 0; i < ps->n_sessions; i++)
		if (memcmp(ps->sessions[i], u->payload, TP_MOLD_SESSION_LEN) == 0)
			return (int)i;
	/* A new session only from a well-formed packet with an ASCII session: junk that
	 * happens to be 20 bytes long must not become a feed. */
	struct tp_mold_pkt pkt;
	if (!printable_session(u->payload) ||
	    tp_mold_parse(u->payload, u->payload_len, &pkt) != TP_MOLD_OK)
		return -1;
	if (ps->n_sessions == TP_DP_MAX_FEEDS) {
		snprintf(err, errlen, "%s: more than %d MoldUDP64 sessions", path, TP_DP_MAX_FEEDS);
		return -2;
	}
	memcpy(ps->sessions[ps->n_sessions], u->payload, TP_MOLD_SESSION_LEN);
	return (int)ps->n_sessions++;
}

static unsigned find_root(unsigned *parent, unsigned i)
{
	while (parent[i] != i)
		i = parent[i] = parent[parent[i]];
	return i;
}

int tp_prescan_pcaps(const char *const *paths, unsigned n, const struct tp_config *cfg,
		     struct tp_prescan *ps, char *err, size_t errlen)
{
	memset(ps, 0, sizeof(*ps));
	int have_first = 0;
	for (unsigned fi = 0; fi < n; fi++) {
		struct tp_prescan_file *pf = &ps->files[fi];
		pf->path = paths[fi];
		struct tp_pcapread *r = tp_pcapread_open(paths[fi], err, errlen);
		if (!r)
			return -1;
		if (tp_pcapread_linktype(r) != 1) {
			snprintf(err, errlen, "%s: link type %d is not Ethernet", paths[fi],
				 tp_pcapread_linktype(r));
			tp_pcapread_close(r);
			return -1;
		}
		struct tp_pcap_frame f;
		int rc;
		while ((rc = tp_pcapread_next(r, &f)) == 1) {
			if (pf->packets == 0)
				pf->first_ts_ns = f.ts_ns;
			pf->last_ts_ns = f.ts_ns;
			pf->packets++;
			pf->bytes += f.caplen;
			struct tp_net_udp u;
			if (tp_netparse(f.data, f.caplen, &u) != TP_NET_OK)
				continue;
			int feed = classify(ps, cfg, &u, err, errlen, paths[fi]);
			if (feed == -2) {
				tp_pcapread_close(r);
				return -1;
			}
			if (feed >= 0)
				pf->feeds |= (uint64_t)1 << feed;
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s", tp_pcapread_error(r));
			tp_pcapread_close(r);
			return -1;
		}
		tp_pcapread_close(r);
		if (pf->packets && (!have_first || pf->first_ts_ns < ps->first_ts_ns)) {
			ps->first_ts_ns = pf->first_ts_ns;
			have_first = 1;
		}
	}
	ps->n_files = n;

	/* Files that share a feed are one group. */
	unsigned parent[TP_DP_MAX_PCAPS];
	for (unsigned i = 0; i < n; i++)
		parent[i] = i;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			if (ps->files[i].feeds & ps->files[j].feeds) {
				unsigned a = find_root(parent, i), b = find_root(parent, j);
				if (a != b)
					parent[b > a ? b : a] = b > a ? a : b;
			}
	unsigned gid[TP_DP_MAX_PCAPS];
	for (unsigned i = 0; i < n; i++)
		gid[i] = ~0u;
	for (unsigned i = 0; i < n; i++) {
		unsigned root = find_root(parent, i);
		if (gid[root] == ~0u)
			gid[root] = ps->n_groups++;
		ps->files[i].group = gid[root];
	}
	return 0;
}
