/* Which feed, and which of its lines, a UDP datagram belongs to. Two ways:
 *  - by destination (a config is given): each feed's line_a / line_b / retransmit address;
 *  - by MoldUDP64 session (no config): the 10-byte session in the header picks the feed, so
 *    the A and B copies of a session arbitrate together; the first destination seen for the
 *    session is line A (0), the second line B (1), any further one is refused.
 * One table per RX lcore: only its owner reads or writes it, so the line discovery of the
 * session mode needs no synchronisation. Feeds owned by another lcore are marked, and their
 * datagrams refused (a tp_feed belongs to exactly one thread). Linear search behind a
 * last-hit cache: a handful of feeds per lcore, and consecutive packets mostly repeat. */
#ifndef TP_DP_ROUTES_H
#define TP_DP_ROUTES_H

#include <stdint.h>
#include <string.h>

#include "dp_limits.h"
#include "tp_mold.h"
#include "tp_netparse.h"

enum tp_route_rc {
	TP_ROUTE_OK = 0,
	TP_ROUTE_UNROUTED,    /* by destination: no feed has this address */
	TP_ROUTE_NOT_MOLD,    /* by session: too short for MoldUDP64, or an unknown session */
	TP_ROUTE_EXTRA_LINE,  /* by session: a third destination for one session */
	TP_ROUTE_FOREIGN,     /* the feed belongs to another RX lcore */
};

struct tp_route_dst {
	uint32_t ip;
	uint16_t port;
	uint8_t line;     /* 0 = A, 1 = B (a retransmission server's replies count as B) */
	uint8_t mine;
	uint16_t feed;    /* global feed index */
};

struct tp_route_sess {
	uint8_t id[TP_MOLD_SESSION_LEN];
	uint8_t mine;
	uint8_t nlines;
	uint16_t feed;
	uint16_t port[2];
	uint32_t ip[2];
};

struct tp_routes {
	int by_session;
	unsigned last;
	unsigned n_dst;
	struct tp_route_dst dst[TP_DP_MAX_FEEDS * 3];
	unsigned n_sess;
	struct tp_route_sess sess[TP_DP_MAX_FEEDS];
};

static inline enum tp_route_rc tp_routes_find(struct tp_routes *t, const struct tp_net_udp *u,
					      unsigned *feed, unsigned *line)
{
	if (!t->by_session) {
		const struct tp_route_dst *d = &t->dst[t->last];
		if (!(t->n_dst && d->ip == u->dst_ip && d->port == u->dst_port)) {
			d = 0;
			for (unsigned i = 0; i < t->n_dst; i++) {
				if (t->dst[i].ip == u->dst_ip && t->dst[i].port == u->dst_port) {
					t->last = i;
					d = &t->dst[i];
					break;
				}
			}
			if (!d)
				return TP_ROUTE_UNROUTED;
		}
		if (!d->mine)
			return TP_ROUTE_FOREIGN;
		*feed = d->feed;
		*line = d->line;
		return TP_ROUTE_OK;
	}

	if (u->payload_len < TP_MOLD_HDR_LEN)
		return TP_ROUTE_NOT_MOLD;
	struct tp_route_sess *s = &t->sess[t->last];
	if (!(t->n_sess && memcmp(s->id, u->payload, TP_MOLD_SESSION_LEN) == 0)) {
		s = 0;
		for (unsigned i = 0; i < t->n_sess; i++) {
			if (memcmp(t->sess[i].id, u->payload, TP_MOLD_SESSION_LEN) == 0) {
				t->last = i;
				s = &t->sess[i];
				break;
			}
		}
		if (!s)
			return TP_ROUTE_NOT_MOLD;
	}
	if (!s->mine)
		return TP_ROUTE_FOREIGN;
	*feed = s->feed;
	for (unsigned l = 0; l < s->nlines; l++) {
		if (s->ip[l] == u->dst_ip && s->port[l] == u->dst_port) {
			*line = l;
			return TP_ROUTE_OK;
		}
	}
	if (s->nlines == 2)
		return TP_ROUTE_EXTRA_LINE;
	s->ip[s->nlines] = u->dst_ip;
	s->port[s->nlines] = u->dst_port;
	*line = s->nlines++;
	return TP_ROUTE_OK;
}

#endif
