#include "rx_worker.h"

#include <stdio.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf_dyn.h>
#include <rte_pause.h>
#include <rte_prefetch.h>

#include "tp_itch.h"
#include "tp_logprod.h"
#include "tp_netparse.h"

/* A queue that has not delivered its pre-scanned count after this long without a packet
 * is taken as finished (a PMD error), so a replay always ends. */
#define TP_RX_STALL_SEC 2u
/* Feed totals for the stats line are refreshed this often (TSC based). */
#define TP_RX_PUBLISH_HZ 100u

static const uint8_t route_rej[] = {
	[TP_ROUTE_OK] = 0,
	[TP_ROUTE_UNROUTED] = TP_REJ_UNROUTED,
	[TP_ROUTE_NOT_MOLD] = TP_REJ_NOT_MOLD,
	[TP_ROUTE_EXTRA_LINE] = TP_REJ_EXTRA_LINE,
	[TP_ROUTE_FOREIGN] = TP_REJ_FOREIGN,
};

static inline int stopping(const struct tp_rx_worker *w)
{
	return __atomic_load_n(w->stop, __ATOMIC_RELAXED) != 0;
}

static void publish(struct tp_rx_worker *w)
{
	uint64_t msgs = 0, gaps = 0, missing = 0, dups = 0, bad = 0;
	for (unsigned i = 0; i < w->n_owned; i++) {
		const struct tp_feed_stats *fs = tp_feed_stats(w->feeds[w->owned[i]]);
		msgs += fs->messages_total;
		gaps += fs->gap_events;
		missing += fs->messages_missing;
		dups += fs->duplicates;
		bad += fs->malformed;
	}
	struct tp_rx_stats *st = w->st;
	TP_STAT_SET(st->messages, msgs);
	TP_STAT_SET(st->gap_events, gaps);
	TP_STAT_SET(st->messages_missing, missing);
	TP_STAT_SET(st->duplicates, dups);
	TP_STAT_SET(st->malformed, bad);
	TP_STAT_SET(st->events, w->sink.emitted);
	TP_STAT_SET(st->ring_drops, w->sink.drops);
	TP_STAT_SET(st->ring_waits, w->sink.waits);
	if (w->mode == TP_RX_REPLAY_PCAP) {
		uint64_t got = 0, exp = 0;
		for (unsigned i = 0; i < w->nq; i++) {
			got += w->q[i].got;
			exp += w->q[i].expect;
		}
		TP_STAT_SET(st->progress_ppm, exp ? got * 1000000u / exp : 1000000u);
	} else if (w->mode == TP_RX_REPLAY_ITCH && w->bf) {
		double p = tp_binfile_progress(w->bf);
		TP_STAT_SET(st->progress_ppm, p < 0 ? 0 : (uint64_t)(p * 1e6));
	}
}

static void tick_all(struct tp_rx_worker *w, uint64_t now_ns)
{
	for (unsigned i = 0; i < w->n_owned; i++)
		tp_feed_tick(w->feeds[w->owned[i]], now_ns, &w->sink);
}

/* Reorder waits expire on the feed's clock. Ticks happen at fixed steps of that clock, at
 * packet boundaries, so in replay they fall at the same place in every run. */
static inline void maybe_tick(struct tp_rx_worker *w, uint64_t now_ns)
{
	if (now_ns < w->next_tick_ns)
		return;
	if (w->next_tick_ns)
		tick_all(w, now_ns);
	w->next_tick_ns = now_ns + w->tick_period_ns;
}

/* --speed N: hold the packet until the wall clock catches up with its capture time / N.
 * Returns 1 when it had to wait: the events written so far are published first (they must
 * not sit in the sink for the length of the pause), and the caller takes a fresh RX TSC,
 * since the packet "arrives" only now. */
static inline int pace(struct tp_rx_worker *w, uint64_t t_ns)
{
	if (w->speed <= 0 || t_ns <= w->pace_t0_ns)
		return 0;
	double cycles = (double)(t_ns - w->pace_t0_ns) / w->ns_per_cycle / w->speed;
	uint64_t target = *w->pace_tsc0 + (uint64_t)cycles;
	if (rte_rdtsc() >= target)
		return 0;
	tp_sink_flush(&w->sink);
	while (rte_rdtsc() < target) {
		if (stopping(w))
			break;
		tp_ctl_mbox_serve(&w->mbox);
		rte_pause();
	}
	return 1;
}

/* After the feed took msg: a stock directory entry ('R', locate at bytes 1..2) the feed now
 * knows becomes one symbol record. Cold: one byte compare per message otherwise. */
static void log_symbol(struct tp_rx_worker *w, unsigned feed, const uint8_t *msg, uint32_t len)
{
	if (len < 3 || msg[0] != 'R')
		return;
	uint16_t loc = (uint16_t)((msg[1] << 8) | msg[2]);
	uint64_t *word = &w->sym_seen[feed * 1024u + loc / 64u];
	uint64_t bit = 1ull << (loc % 64u);
	if (*word & bit)
		return;
	const char *sym = tp_feed_symbol(w->feeds[feed], loc);
	if (!sym || !sym[0])
		return;
	*word |= bit;
	tp_log_symbol(w->log, 0, loc, (uint16_t)feed, sym);
}

/* MoldUDP64 block: 20-byte header (session, seq, count), then 2-byte big-endian lengths. */
static void log_symbols_mold(struct tp_rx_worker *w, unsigned feed, const uint8_t *p, size_t n)
{
	if (n < 20)
		return;
	unsigned count = (unsigned)((p[18] << 8) | p[19]);
	size_t off = 20;
	for (unsigned i = 0; i < count && count != 0xffff && off + 2 <= n; i++) {
		uint32_t len = (uint32_t)((p[off] << 8) | p[off + 1]);
		off += 2;
		if (off + len > n)
			return;
		log_symbol(w, feed, p + off, len);
		off += len;
	}
}

static inline void rx_frame(struct tp_rx_worker *w, struct rte_mbuf *m, uint64_t now_ns,
			    uint64_t tsc)
{
	struct tp_rx_stats *st = w->st;
	if (unlikely(m->nb_segs != 1)) {
		TP_STAT_ADD(st->rej[TP_REJ_MULTISEG], 1);
		return;
	}
	struct tp_net_udp u;
	enum tp_net_rc rc = tp_netparse(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &u);
	if (unlikely(rc != TP_NET_OK)) {
		TP_STAT_ADD(st->rej[rc], 1);
		return;
	}
	unsigned feed, line;
	enum tp_route_rc rr = tp_routes_find(&w->routes, &u, &feed, &line);
	if (unlikely(rr != TP_ROUTE_OK)) {
		TP_STAT_ADD(st->rej[route_rej[rr]], 1);
		return;
	}
	uint64_t before = w->sink.emitted;
	tp_feed_rx_mold(w->feeds[feed], u.payload, u.payload_len, line, now_ns, tsc, &w->sink);
	if (unlikely(w->log != NULL))
		log_symbols_mold(w, feed, u.payload, u.payload_len);
	uint64_t n = w->sink.emitted - before;
	if (n)
		tp_lat_add(w->lat, rte_rdtsc() - tsc, n);
}

/* Capture time of a replayed mbuf in ns. net_pcap stamps each mbuf with the pcap record
 * time; its unit (us in DPDK 22.11, which opens captures at microsecond precision) is
 * found once per queue by comparing the first packet with the pre-scan. */
static inline uint64_t mbuf_time_ns(struct tp_rx_worker *w, struct tp_rx_queue *q,
				    struct rte_mbuf *m, uint64_t fallback)
{
	if (w->ts_off < 0 || !(m->ol_flags & w->ts_flag))
		return fallback;
	uint64_t raw = *RTE_MBUF_DYNFIELD(m, w->ts_off, rte_mbuf_timestamp_t *);
	if (unlikely(q->ts_mult == 0))
		q->ts_mult = raw == q->first_ts_ns ? 1u : 1000u;
	uint64_t t = raw * q->ts_mult;
	if (q->side) {
		struct tp_pcap_frame f;
		if (tp_pcapread_next(q->side, &f) == 1 && f.ts_ns / q->ts_mult == raw &&
		    f.caplen == m->pkt_len)
			return f.ts_ns;
		snprintf(w->warn, sizeof(w->warn),
			 "port %u: capture times fell out of step with net_pcap after %llu packets; "
			 "merging on microseconds from there",
			 q->port, (unsigned long long)tp_pcapread_frames(q->side));
		tp_pcapread_close(q->side);
		q->side = NULL;
	}
	return t;
}

static uint64_t wall_ns(const struct tp_rx_worker *w, uint64_t tsc)
{
	return w->clk_ns0 + (uint64_t)((double)(tsc - w->clk_tsc0) * w->ns_per_cycle);
}

static void finish_feeds(struct tp_rx_worker *w)
{
	for (unsigned i = 0; i < w->n_owned; i++)
		tp_feed_finish(w->feeds[w->owned[i]], &w->sink);
	tp_sink_flush(&w->sink);
}

static void rx_replay_pcap(struct tp_rx_worker *w)
{
	struct rte_mbuf *used[TP_DP_MAX_RXQ * TP_DP_BURST];
	uint64_t pub_cycles = w->tsc_hz / TP_RX_PUBLISH_HZ, last_pub = 0;
	uint64_t clock_ns = 0;
	for (;;) {
		if (stopping(w))
			break;
		tp_ctl_mbox_serve(&w->mbox);
		unsigned open = 0;
		uint64_t tsc = rte_rdtsc();
		for (unsigned i = 0; i < w->nq; i++) {
			struct tp_rx_queue *q = &w->q[i];
			if (q->eof || q->head < q->n)
				continue;
			q->head = 0;
			q->n = rte_eth_rx_burst(q->port, q->queue, q->buf, TP_DP_BURST);
			if (q->n == 0) {
				if (q->idle_since == 0) {
					q->idle_since = tsc;
				} else if (tsc - q->idle_since > TP_RX_STALL_SEC * w->tsc_hz) {
					snprintf(w->warn, sizeof(w->warn),
						 "port %u queue %u ended after %llu of %llu packets",
						 q->port, q->queue, (unsigned long long)q->got,
						 (unsigned long long)q->expect);
					q->eof = 1;
				}
				continue;
			}
			q->idle_since = 0;
			q->got += q->n;
			for (uint16_t k = 0; k < q->n; k++) {
				q->last_ns = mbuf_time_ns(w, q, q->buf[k], q->last_ns);
				q->ts[k] = q->last_ns;
			}
			/* The pre-scan counted the capture: no need to poll past its end. */
			if (q->got >= q->expect)
				q->eof = 1;
		}
		for (unsigned i = 0; i < w->nq; i++)
			open += !w->q[i].eof || w->q[i].head < w->q[i].n;
		if (open == 0)
			break;

		/* Merge: always the queue whose next packet is earliest; stop when a queue
		 * that may still deliver has nothing buffered (its next packet could be the
		 * earliest). Ties go to the lower queue index, so the order is fixed. */
		tsc = rte_rdtsc();
		unsigned nused = 0;
		uint64_t bytes = 0;
		for (;;) {
			struct tp_rx_queue *best = NULL;
			int blocked = 0;
			for (unsigned i = 0; i < w->nq; i++) {
				struct tp_rx_queue *q = &w->q[i];
				if (q->head < q->n) {
					if (!best || q->ts[q->head] < best->ts[best->head])
						best = q;
				} else if (!q->eof) {
					blocked = 1;
				}
			}
			if (blocked || !best)
				break;
			struct rte_mbuf *m = best->buf[best->head];
			uint64_t t = best->ts[best->head];
			best->head++;
			if (best->head < best->n)
				rte_prefetch0(rte_pktmbuf_mtod(best->buf[best->head], void *));
			if (pace(w, t)) {
				if (stopping(w)) {
					best->head--;
					break;
				}
				tsc = rte_rdtsc();
			}
			/* The replay clock never runs backwards, even over a capture that
			 * does. */
			if (t > clock_ns)
				clock_ns = t;
			maybe_tick(w, clock_ns);
			rx_frame(w, m, clock_ns, tsc);
			/* Paced, each packet is "on the wire" alone: publish it now, not at the
			 * next packet's pause (one gap of capture time later). */
			if (w->speed > 0)
				tp_sink_flush(&w->sink);
			bytes += m->pkt_len;
			used[nused++] = m;
		}
		if (nused) {
			tp_sink_flush(&w->sink);
			rte_pktmbuf_free_bulk(used, nused);
			TP_STAT_ADD(w->st->packets, nused);
			TP_STAT_ADD(w->st->bytes, bytes);
			TP_STAT_ADD(w->st->bursts, 1);
		}
		if (tsc - last_pub >= pub_cycles) {
			publish(w);
			last_pub = tsc;
		}
	}
	/* Stopped early: hand back what is still buffered. */
	for (unsigned i = 0; i < w->nq; i++) {
		struct tp_rx_queue *q = &w->q[i];
		if (q->head < q->n)
			rte_pktmbuf_free_bulk(q->buf + q->head, q->n - q->head);
		q->head = q->n = 0;
	}
}

static void rx_live(struct tp_rx_worker *w)
{
	struct rte_mbuf *pkts[TP_DP_BURST];
	uint64_t pub_cycles = w->tsc_hz / TP_RX_PUBLISH_HZ, last_pub = 0;
	uint64_t tick_cycles = (uint64_t)((double)w->tick_period_ns / w->ns_per_cycle);
	uint64_t next_tick = rte_rdtsc() + tick_cycles;
	while (!stopping(w)) {
		tp_ctl_mbox_serve(&w->mbox);
		uint64_t tsc = rte_rdtsc();
		for (unsigned i = 0; i < w->nq; i++) {
			struct tp_rx_queue *q = &w->q[i];
			uint16_t n = rte_eth_rx_burst(q->port, q->queue, pkts, TP_DP_BURST);
			if (n == 0)
				continue;
			tsc = rte_rdtsc();
			uint64_t now_ns = wall_ns(w, tsc);
			uint64_t bytes = 0;
			for (uint16_t k = 0; k < n; k++) {
				if (k + 1 < n)
					rte_prefetch0(rte_pktmbuf_mtod(pkts[k + 1], void *));
				bytes += pkts[k]->pkt_len;
				rx_frame(w, pkts[k], now_ns, tsc);
			}
			tp_sink_flush(&w->sink);
			/* Drops reach the CEP's overflow rule now, not at the next publish. */
			if (unlikely(w->sink.drops != w->st->ring_drops))
				TP_STAT_SET(w->st->ring_drops, w->sink.drops);
			rte_pktmbuf_free_bulk(pkts, n);
			q->got += n;
			TP_STAT_ADD(w->st->packets, n);
			TP_STAT_ADD(w->st->bytes, bytes);
			TP_STAT_ADD(w->st->bursts, 1);
		}
		if (tsc >= next_tick) {
			tick_all(w, wall_ns(w, tsc));
			tp_sink_flush(&w->sink);
			next_tick = tsc + tick_cycles;
		}
		if (tsc - last_pub >= pub_cycles) {
			publish(w);
			last_pub = tsc;
		}
	}
}

/* BinaryFILE: no transport, no port; the same feed, sink and ring as a capture. Messages
 * go to the feed in bursts (tp_feed_rx_itch_burst prefetches the book lines a few messages
 * ahead), copied out of the reader first because its pointers last only until its next
 * call. Pacing (--speed) follows the ITCH timestamps, the only clock such a file has, one
 * message at a time. */
static void rx_replay_itch(struct tp_rx_worker *w)
{
	struct tp_feed *f = w->feeds[w->owned[0]];
	uint8_t copy[TP_DP_BURST][TP_ITCH_MAX_MSG_LEN];
	const uint8_t *msgs[TP_DP_BURST];
	uint32_t lens[TP_DP_BURST];
	uint64_t seq = 0, pub_cycles = w->tsc_hz / TP_RX_PUBLISH_HZ, last_pub = 0;
	int started = 0;
	while (!stopping(w)) {
		tp_ctl_mbox_serve(&w->mbox);
		uint64_t tsc = rte_rdtsc();
		uint64_t before = w->sink.emitted;
		uint32_t n = 0;
		int rc = 1;
		for (unsigned k = 0; k < TP_DP_BURST; k++) {
			const uint8_t *msg;
			uint32_t len;
			rc = tp_binfile_next(w->bf, &msg, &len);
			if (rc != 1)
				break;
			if (w->speed > 0 && len >= TP_ITCH_HEADER_LEN) {
				uint64_t t = tp_be48(msg + 5);
				if (!started) {
					w->pace_t0_ns = t;
					started = 1;
				}
				pace(w, t);
				tp_feed_rx_itch(f, msg, len, ++seq, &w->sink);
				if (w->log)
					log_symbol(w, w->owned[0], msg, len);
				continue;
			}
			if (len > TP_ITCH_MAX_MSG_LEN) {
				/* Not an ITCH 5.0 length: the feed counts it; keep the order. */
				tp_feed_rx_itch_burst(f, msgs, lens, n, seq + 1, &w->sink);
				seq += n;
				n = 0;
				tp_feed_rx_itch(f, msg, len, ++seq, &w->sink);
				continue;
			}
			memcpy(copy[n], msg, len);
			msgs[n] = copy[n];
			lens[n] = len;
			n++;
		}
		if (n) {
			tp_feed_rx_itch_burst(f, msgs, lens, n, seq + 1, &w->sink);
			seq += n;
			for (uint32_t k = 0; w->log && k < n; k++)
				log_symbol(w, w->owned[0], msgs[k], lens[k]);
		}
		tp_sink_flush(&w->sink);
		uint64_t ev = w->sink.emitted - before;
		if (ev)
			tp_lat_add(w->lat, rte_rdtsc() - tsc, ev);
		TP_STAT_ADD(w->st->bursts, 1);
		if (tsc - last_pub >= pub_cycles) {
			const struct tp_binfile_stats *bs = tp_binfile_get_stats(w->bf);
			TP_STAT_SET(w->st->packets, bs->messages);
			TP_STAT_SET(w->st->bytes, bs->bytes);
			publish(w);
			last_pub = tsc;
		}
		if (rc != 1) {
			w->bf_rc = rc;
			break;
		}
	}
	const struct tp_binfile_stats *bs = tp_binfile_get_stats(w->bf);
	TP_STAT_SET(w->st->packets, bs->messages);
	TP_STAT_SET(w->st->bytes, bs->bytes);
}

int tp_rx_main(void *arg)
{
	struct tp_rx_worker *w = arg;
	w->ts_off = rte_mbuf_dynfield_lookup(RTE_MBUF_DYNFIELD_TIMESTAMP_NAME, NULL);
	int bit = rte_mbuf_dynflag_lookup(RTE_MBUF_DYNFLAG_RX_TIMESTAMP_NAME, NULL);
	w->ts_flag = bit >= 0 ? RTE_BIT64(bit) : 0;
	if (bit < 0)
		w->ts_off = -1;
	w->tsc_hz = rte_get_tsc_hz();
	w->ns_per_cycle = 1e9 / (double)w->tsc_hz;

	switch (w->mode) {
	case TP_RX_REPLAY_PCAP:
		rx_replay_pcap(w);
		break;
	case TP_RX_REPLAY_ITCH:
		rx_replay_itch(w);
		break;
	case TP_RX_LIVE:
		rx_live(w);
		break;
	}
	/* End of input (or stop): whatever waits in a reorder buffer is delivered or
	 * declared missing, so the counts add up. */
	finish_feeds(w);
	publish(w);
	/* release pairs with the consumer's acquire: every event flushed above is visible
	 * to it once it sees done. */
	__atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
	return 0;
}
