/* A/B arbitration. Invariants that the code below keeps:
 *  - `expected` only moves forward, by delivering messages or by declaring a hole lost;
 *  - after every public call, each waiting packet starts strictly above `expected` (anything
 *    at or below it has been drained), so the front hole [expected, first waiting seq) is
 *    never empty;
 *  - a gap is declared only to reach a waiting packet (or the packet being pushed), never
 *    past one, so no message that arrived is ever thrown away as missing.
 * Together they make every received message either delivered once or counted as a
 * duplicate, and every sequence number up to `expected` either delivered or counted missing. */
#include "tp_arb.h"

#include <stdlib.h>
#include <string.h>

struct slot {
	uint64_t seq;         /* first message (heartbeat/EOS: next expected) */
	uint64_t arrival_ns;
	uint8_t *data;        /* the copy of the datagram */
	uint32_t len;
	uint16_t count;
	uint8_t line;
};

/* One entry of the output of a call: a run of messages inside one packet, or a gap. */
struct out {
	const uint8_t *p;     /* MSG: next block */
	uint64_t seq;         /* MSG: sequence of that block; GAP: first missing */
	uint64_t n;           /* MSG: blocks left; GAP: missing count */
	uint8_t kind;
	uint8_t line;
};

struct tp_arb {
	struct tp_arb_params prm;
	struct tp_arb_stats st;
	uint64_t expected;
	int have_expected;
	int have_session;
	int ended;
	uint8_t session[TP_MOLD_SESSION_LEN];

	struct slot *slots;       /* max_pkts + 1 of them (see create) */
	uint16_t *order;          /* waiting slot indices sorted by (seq, then arrival) */
	uint32_t nwait;
	uint16_t *freelist;
	uint32_t nfree;
	uint16_t *released;       /* delivered from, kept until the caller has drained them */
	uint32_t nreleased;

	struct out *outq;
	uint32_t out_cap, out_head, out_tail;
	uint8_t *storage;
};

void tp_arb_params_defaults(struct tp_arb_params *p)
{
	if (!p->max_pkts)
		p->max_pkts = TP_ARB_DEFAULT_MAX_PKTS;
	if (!p->window_ns)
		p->window_ns = TP_ARB_DEFAULT_WINDOW_NS;
	if (!p->max_pkt_bytes)
		p->max_pkt_bytes = TP_ARB_DEFAULT_PKT_BYTES;
}

void tp_arb_free(struct tp_arb *a)
{
	if (!a)
		return;
	free(a->slots);
	free(a->order);
	free(a->freelist);
	free(a->released);
	free(a->outq);
	free(a->storage);
	free(a);
}

struct tp_arb *tp_arb_create(const struct tp_arb_params *p)
{
	struct tp_arb_params prm = p ? *p : (struct tp_arb_params){ 0 };
	tp_arb_params_defaults(&prm);
	if (prm.max_pkts > 65535u || prm.max_pkt_bytes < TP_MOLD_HDR_LEN)
		return NULL;

	struct tp_arb *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->prm = prm;
	if (prm.session) {
		memcpy(a->session, prm.session, TP_MOLD_SESSION_LEN);
		a->have_session = 1;
	}
	a->prm.session = NULL; /* the caller's pointer need not outlive create */
	if (prm.start_seq) {
		a->expected = prm.start_seq;
		a->have_expected = 1;
	}

	/* One slot more than the bound: slots released during a call still back what the caller
	 * is about to read, so they only become free at the next call. With max_pkts waiting at
	 * the start of a push, the spare is what the pushed packet can go into even when every
	 * slot it freed by giving up a hole is still being read. */
	uint32_t n = prm.max_pkts + 1;
	/* Per call: at most one gap and one run per waiting packet released, plus a gap and a run
	 * for the packet being pushed. */
	a->out_cap = 2 * n + 4;
	a->slots = calloc(n, sizeof(*a->slots));
	a->order = calloc(n, sizeof(*a->order));
	a->freelist = calloc(n, sizeof(*a->freelist));
	a->released = calloc(n, sizeof(*a->released));
	a->outq = calloc(a->out_cap, sizeof(*a->outq));
	a->storage = malloc((size_t)n * prm.max_pkt_bytes);
	if (!a->slots || !a->order || !a->freelist || !a->released || !a->outq || !a->storage) {
		tp_arb_free(a);
		return NULL;
	}
	for (uint32_t i = 0; i < n; i++) {
		a->slots[i].data = a->storage + (size_t)i * prm.max_pkt_bytes;
		a->freelist[n - 1 - i] = (uint16_t)i;
	}
	a->nfree = n;
	return a;
}

/* Start of every mutating call: what the caller was given last time is no longer needed. */
static void begin_call(struct tp_arb *a)
{
	for (uint32_t i = 0; i < a->nreleased; i++) {
		uint16_t s = a->released[i];
		a->freelist[a->nfree++] = s;
	}
	a->nreleased = 0;
	a->out_head = a->out_tail = 0;
}

static void out_push(struct tp_arb *a, struct out o)
{
	/* out_cap covers the worst case (see create); the check only guards memory. */
	if (a->out_tail < a->out_cap)
		a->outq[a->out_tail++] = o;
}

static void declare_gap(struct tp_arb *a, uint64_t first, uint64_t count, uint64_t *by)
{
	a->st.gap_events++;
	a->st.messages_missing += count;
	(*by)++;
	out_push(a, (struct out){ .kind = TP_ARB_GAP, .seq = first, .n = count });
	a->expected = first + count;
}

/* Delivers what is new in a packet that starts at or below `expected`. */
static void deliver(struct tp_arb *a, const uint8_t *blocks, size_t blocks_len, uint64_t seq,
		    uint16_t count, unsigned line)
{
	uint64_t skip = a->expected - seq;
	if (skip >= count) {
		a->st.duplicates += count;
		return;
	}
	struct tp_mold_iter it = { blocks, blocks + blocks_len };
	const uint8_t *m;
	uint16_t l;
	for (uint64_t i = 0; i < skip; i++)
		tp_mold_iter_next(&it, &m, &l);
	uint64_t n = count - skip;
	a->st.duplicates += skip;
	a->st.messages += n;
	out_push(a, (struct out){ .kind = TP_ARB_MSG, .p = it.p, .seq = a->expected, .n = n,
				  .line = (uint8_t)line });
	a->expected += n;
}

/* Releases waiting packets that are now in order. `filled`: they are in order because a
 * packet filled their hole (rather than because a gap was declared). */
static void drain(struct tp_arb *a, int filled)
{
	uint32_t k = 0;
	while (k < a->nwait && a->slots[a->order[k]].seq <= a->expected) {
		uint16_t si = a->order[k++];
		struct slot *s = &a->slots[si];
		deliver(a, s->data + TP_MOLD_HDR_LEN, s->len - TP_MOLD_HDR_LEN, s->seq, s->count,
			s->line);
		a->released[a->nreleased++] = si;
		if (filled)
			a->st.reorder_filled++;
	}
	if (k) {
		memmove(a->order, a->order + k, (a->nwait - k) * sizeof(*a->order));
		a->nwait -= k;
	}
}

/* Gives up on the front hole and delivers what waited behind it. */
static void give_up_front(struct tp_arb *a, uint64_t *by)
{
	uint64_t first_waiting = a->slots[a->order[0]].seq;
	declare_gap(a, a->expected, first_waiting - a->expected, by);
	drain(a, 0);
}

/* A waiting packet already holds everything this one has. */
static int redundant(const struct tp_arb *a, uint64_t seq, uint16_t count)
{
	for (uint32_t k = 0; k < a->nwait; k++) {
		const struct slot *s = &a->slots[a->order[k]];
		if (s->seq > seq)
			break;
		if (seq + count <= s->seq + s->count)
			return 1;
	}
	return 0;
}

static void store(struct tp_arb *a, const uint8_t *buf, size_t len, const struct tp_mold_pkt *pkt,
		  unsigned line, uint64_t now_ns)
{
	uint16_t si = a->freelist[--a->nfree];
	struct slot *s = &a->slots[si];
	memcpy(s->data, buf, len);
	s->len = (uint32_t)len;
	s->seq = pkt->seq;
	s->count = pkt->count;
	s->line = (uint8_t)line;
	s->arrival_ns = now_ns;
	/* Insertion sort: the buffer is small and usually holds one or two packets. Equal
	 * sequences keep arrival order. */
	uint32_t k = a->nwait;
	while (k > 0 && a->slots[a->order[k - 1]].seq > pkt->seq) {
		a->order[k] = a->order[k - 1];
		k--;
	}
	a->order[k] = si;
	a->nwait++;
	a->st.reorder_waits++;
}

static int expired(const struct tp_arb *a, const struct slot *s, uint64_t now_ns)
{
	/* A clock that steps back (two lines, unordered capture) must not look like a long wait. */
	return now_ns > s->arrival_ns && now_ns - s->arrival_ns > a->prm.window_ns;
}

static int any_expired(const struct tp_arb *a, uint64_t now_ns)
{
	for (uint32_t k = 0; k < a->nwait; k++)
		if (expired(a, &a->slots[a->order[k]], now_ns))
			return 1;
	return 0;
}

/* Every hole below a packet that waited too long is given up on, lowest first. */
static void expire(struct tp_arb *a, uint64_t now_ns)
{
	while (a->nwait && any_expired(a, now_ns))
		give_up_front(a, &a->st.gaps_by_time);
}

static enum tp_arb_push_rc take(struct tp_arb *a, const uint8_t *payload, size_t len,
				unsigned line, uint64_t now_ns)
{
	if (line > 1) {
		a->st.malformed++;
		return TP_ARB_MALFORMED;
	}
	a->st.packets_line[line]++;

	struct tp_mold_pkt pkt;
	enum tp_mold_rc rc = tp_mold_parse(payload, len, &pkt);
	if (rc != TP_MOLD_OK) {
		a->st.malformed++;
		a->st.malformed_rc[rc]++;
		return TP_ARB_MALFORMED;
	}
	if (!a->have_session) {
		memcpy(a->session, pkt.session, TP_MOLD_SESSION_LEN);
		a->have_session = 1;
	} else if (!tp_mold_same_session(&pkt, a->session)) {
		a->st.malformed++;
		a->st.foreign++;
		return TP_ARB_FOREIGN;
	}
	if (pkt.kind == TP_MOLD_HEARTBEAT) {
		a->st.heartbeats++;
	} else if (pkt.kind == TP_MOLD_END_SESSION) {
		a->st.end_of_session++;
		a->ended = 1;
	}
	if (!a->have_expected) {
		a->expected = pkt.seq;
		a->have_expected = 1;
	}

	/* A heartbeat or end-of-session packet is a packet of zero messages at the next expected
	 * sequence: one above `expected` reveals a hole and waits like any other packet, so the
	 * other line can still fill the hole before it. */
	int fits = len <= a->prm.max_pkt_bytes, oversize_counted = 0;
	for (;;) {
		if (pkt.seq <= a->expected) {
			int dup = pkt.count && a->expected - pkt.seq >= pkt.count;
			deliver(a, pkt.blocks, pkt.blocks_len, pkt.seq, pkt.count, line);
			drain(a, 1);
			return dup ? TP_ARB_DUPLICATE : TP_ARB_IN_ORDER;
		}
		if (redundant(a, pkt.seq, pkt.count)) {
			a->st.duplicates += pkt.count;
			return TP_ARB_DUPLICATE;
		}
		if (fits && a->nwait < a->prm.max_pkts && a->nfree) {
			store(a, payload, len, &pkt, line, now_ns);
			return TP_ARB_BUFFERED;
		}
		/* No room, or too big to keep a copy of: give up on the lowest hole, the one in
		 * front of this packet or the one in front of the first waiting packet, and look
		 * again. Each round either puts this packet in order or frees a slot. */
		if (!fits && !oversize_counted) {
			a->st.oversize++;
			oversize_counted = 1;
		}
		if (!a->nwait || pkt.seq <= a->slots[a->order[0]].seq)
			declare_gap(a, a->expected, pkt.seq - a->expected, &a->st.gaps_by_space);
		else
			give_up_front(a, &a->st.gaps_by_space);
	}
}

enum tp_arb_push_rc tp_arb_push(struct tp_arb *a, const uint8_t *payload, size_t len,
				unsigned line, uint64_t now_ns)
{
	begin_call(a);
	a->st.packets++;
	/* The packet goes first: if it is the one that fills a hole whose wait just ran out,
	 * filling beats declaring the hole lost. */
	enum tp_arb_push_rc res = take(a, payload, len, line, now_ns);
	expire(a, now_ns);
	return res;
}

void tp_arb_tick(struct tp_arb *a, uint64_t now_ns)
{
	begin_call(a);
	expire(a, now_ns);
}

void tp_arb_finish(struct tp_arb *a)
{
	begin_call(a);
	while (a->nwait)
		give_up_front(a, &a->st.gaps_at_finish);
}

enum tp_arb_kind tp_arb_next(struct tp_arb *a, struct tp_arb_item *it)
{
	while (a->out_head < a->out_tail) {
		struct out *o = &a->outq[a->out_head];
		if (o->kind == TP_ARB_GAP) {
			*it = (struct tp_arb_item){ .seq = o->seq, .count = o->n };
			a->out_head++;
			return TP_ARB_GAP;
		}
		if (o->n == 0) {
			a->out_head++;
			continue;
		}
		/* Validated at push: the block is whole. */
		uint16_t l = tp_be16(o->p);
		*it = (struct tp_arb_item){ .msg = o->p + 2, .len = l, .seq = o->seq, .count = 1,
					    .line = o->line };
		o->p += 2u + l;
		o->seq++;
		if (--o->n == 0)
			a->out_head++;
		return TP_ARB_MSG;
	}
	return TP_ARB_NONE;
}

const struct tp_arb_stats *tp_arb_stats(const struct tp_arb *a) { return &a->st; }
uint64_t tp_arb_expected(const struct tp_arb *a) { return a->expected; }
uint32_t tp_arb_waiting(const struct tp_arb *a) { return a->nwait; }
int tp_arb_ended(const struct tp_arb *a) { return a->ended; }

const uint8_t *tp_arb_session(const struct tp_arb *a)
{
	return a->have_session ? a->session : NULL;
}

int tp_arb_front_hole(const struct tp_arb *a, uint64_t *seq, uint64_t *count)
{
	if (!a->nwait)
		return 0;
	*seq = a->expected;
	*count = a->slots[a->order[0]].seq - a->expected;
	return 1;
}
