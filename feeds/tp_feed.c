/* One feed end to end: arbitration (tp_arb) → ITCH decode (tp_itch) → L3 book (tp_book) →
 * normalized events into a tp_sink. The per-message work is one decode, one book operation
 * and one 64-byte store into a ring slot; nothing here allocates after create. */
#include "tp_feed.h"

#include <stdlib.h>
#include <string.h>

#include "tp_arb.h"
#include "tp_book.h"
#include "tp_itch.h"

#define TP_FEED_SYMBOL_LEN 9 /* 8 characters of ITCH plus the NUL */

struct tp_feed {
	struct tp_feed_params p;
	struct tp_arb *arb;
	struct tp_book *book;
	uint64_t itch_malformed;  /* messages inside valid packets that did not decode */
	uint64_t rx_tsc;          /* RX TSC of the datagram being processed */
	uint8_t any_stale;        /* a gap was declared: every event carries the stale flag */
	struct tp_feed_stats st;  /* msgs[] kept here; the rest merged or summed on demand */
	char (*symbols)[TP_FEED_SYMBOL_LEN]; /* by stock locate, from R messages */
};

void tp_feed_params_defaults(struct tp_feed_params *p)
{
	if (!p->reorder_max_pkts)
		p->reorder_max_pkts = TP_ARB_DEFAULT_MAX_PKTS;
	if (!p->reorder_window_ns)
		p->reorder_window_ns = TP_ARB_DEFAULT_WINDOW_NS;
	if (!p->max_orders)
		p->max_orders = 4u << 20;
}

struct tp_feed *tp_feed_create(const struct tp_feed_params *params)
{
	struct tp_feed *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->p = *params;
	tp_feed_params_defaults(&f->p);
	struct tp_arb_params ap = { .max_pkts = f->p.reorder_max_pkts,
				    .window_ns = f->p.reorder_window_ns };
	tp_arb_params_defaults(&ap);
	struct tp_book_params bp = { .max_orders = f->p.max_orders };
	tp_book_params_defaults(&bp);
	f->arb = tp_arb_create(&ap);
	f->book = tp_book_create(&bp);
	f->symbols = calloc(65536, TP_FEED_SYMBOL_LEN);
	if (!f->arb || !f->book || !f->symbols) {
		tp_feed_free(f);
		return NULL;
	}
	return f;
}

void tp_feed_free(struct tp_feed *f)
{
	if (!f)
		return;
	tp_arb_free(f->arb);
	tp_book_free(f->book);
	free(f->symbols);
	free(f);
}

static inline uint32_t clamp32(uint64_t v) { return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v; }

/* Builds one event in its ring slot, the top of book after the update included. Inlined at
 * every call site: the kind, side and the fields a message type lacks fold into constants,
 * and the event is a run of stores instead of a ten-argument call. */
static inline __attribute__((always_inline)) void emit(struct tp_feed *f, struct tp_sink *sink,
							const struct tp_itch_msg *m,
							uint8_t kind, uint16_t locate,
							uint64_t seq, uint64_t ref,
							uint8_t side, uint32_t price,
							uint32_t qty)
{
	struct tp_event *ev = tp_sink_slot(sink);
	if (!ev)
		return; /* live ring full: the sink counted the drop */
	const struct tp_book_stock *st = tp_book_stock_find(f->book, locate);
	ev->kind = kind;
	ev->msg_type = m->type;
	ev->side = side;
	ev->flags = f->any_stale ? TP_EVF_BOOK_STALE : 0;
	ev->stock_locate = locate;
	ev->feed_id = f->p.feed_id;
	ev->exch_ts_ns = m->timestamp_ns;
	ev->rx_tsc = f->rx_tsc;
	ev->seq = seq;
	ev->order_ref = ref;
	ev->price = price;
	ev->qty = qty;
	if (st) {
		ev->bid_px = st->best_px[0];
		ev->bid_qty = clamp32(st->best_qty[0]);
		ev->ask_px = st->best_px[1];
		ev->ask_qty = clamp32(st->best_qty[1]);
	} else {
		ev->bid_px = ev->bid_qty = ev->ask_px = ev->ask_qty = 0;
	}
	tp_sink_done(sink);
}

static void remember_symbol(struct tp_feed *f, const struct tp_itch_msg *m)
{
	/* A copy, so no pointer into the decoded message leaves this file: once one did, the
	 * compiler kept every field the decoder writes in memory for every message, those
	 * nothing reads included. */
	char stock[8];
	memcpy(stock, m->u.stock_dir.stock, sizeof(stock));
	tp_itch_alpha(f->symbols[m->stock_locate], TP_FEED_SYMBOL_LEN, stock, sizeof(stock));
}

/* Applies one decoded message to the book and emits its event. Messages naming an order the
 * book does not hold are counted by the book and produce no event. */
static void apply(struct tp_feed *f, const struct tp_itch_msg *m, uint64_t seq,
		  struct tp_sink *sink)
{
	struct tp_book_order o;
	uint16_t loc = m->stock_locate;
	int rc;

	f->st.msgs[m->type]++; /* messages_total is their sum, made in tp_feed_stats() */
	switch (m->type) {
	case 'A':
	case 'F': {
		const struct tp_itch_add *a = &m->u.add;
		if (tp_book_add(f->book, a->order_ref, loc, (uint8_t)a->side, a->price, a->shares) == 0)
			emit(f, sink, m, TP_EV_ADD, loc, seq, a->order_ref, (uint8_t)a->side, a->price,
			     a->shares);
		break;
	}
	case 'E':
	case 'C': {
		const struct tp_itch_exec *e = &m->u.exec;
		rc = tp_book_execute(f->book, e->order_ref, e->shares, &o);
		if (rc == TP_BOOK_ERR_UNKNOWN_REF)
			break;
		emit(f, sink, m, TP_EV_EXECUTE, o.locate, seq, e->order_ref, o.side,
		     m->type == 'C' ? m->u.exec_price.price : o.price, e->shares);
		break;
	}
	case 'X':
		rc = tp_book_cancel(f->book, m->u.cancel.order_ref, m->u.cancel.shares, &o);
		if (rc != TP_BOOK_ERR_UNKNOWN_REF)
			emit(f, sink, m, TP_EV_CANCEL, o.locate, seq, o.ref, o.side, o.price,
			     m->u.cancel.shares);
		break;
	case 'D':
		rc = tp_book_delete(f->book, m->u.del.order_ref, &o);
		if (rc != TP_BOOK_ERR_UNKNOWN_REF)
			emit(f, sink, m, TP_EV_DELETE, o.locate, seq, o.ref, o.side, o.price, o.qty);
		break;
	case 'U': {
		const struct tp_itch_replace *u = &m->u.replace;
		rc = tp_book_replace(f->book, u->orig_order_ref, u->new_order_ref, u->price, u->shares, &o);
		if (rc != TP_BOOK_ERR_UNKNOWN_REF)
			emit(f, sink, m, TP_EV_REPLACE, o.locate, seq, u->new_order_ref, o.side, u->price,
			     u->shares);
		break;
	}
	case 'P':
		emit(f, sink, m, TP_EV_TRADE, loc, seq, m->u.trade.order_ref, (uint8_t)m->u.trade.side,
		     m->u.trade.price, m->u.trade.shares);
		break;
	case 'Q':
		emit(f, sink, m, TP_EV_TRADE, loc, seq, m->u.cross_trade.match_number, 0,
		     m->u.cross_trade.cross_price, clamp32(m->u.cross_trade.shares));
		break;
	case 'B':
		emit(f, sink, m, TP_EV_TRADE, loc, seq, m->u.broken_trade.match_number, 0, 0, 0);
		break;
	case 'R':
		remember_symbol(f, m);
		emit(f, sink, m, TP_EV_STATUS, loc, seq, 0, 0, 0, 0);
		break;
	default:
		emit(f, sink, m, TP_EV_STATUS, loc, seq, 0, 0, 0, 0);
		break;
	}
}

/* Messages looked ahead: the book lines of message i + TP_FEED_AHEAD are requested while
 * message i is applied, so the misses of several messages overlap instead of queueing. */
#define TP_FEED_AHEAD 8u

/* ITCH types whose bytes 11..18 are an order reference the book holds (E C X D U) or is
 * about to take (A F), as bits over type - 'A'. */
#define REF_TYPES ((1ull << ('A' - 'A')) | (1ull << ('F' - 'A')) | (1ull << ('E' - 'A')) | \
		   (1ull << ('C' - 'A')) | (1ull << ('X' - 'A')) | (1ull << ('D' - 'A')) | \
		   (1ull << ('U' - 'A')))

/* A hint only: reads the raw bytes without validating more than the bounds it touches, and
 * a wrong guess costs a wasted line fetch, never a wrong result. */
static inline void prefetch_msg(const struct tp_feed *f, const uint8_t *msg, uint32_t len)
{
	if (len < 19)
		return;
	uint32_t t = (uint32_t)msg[0] - 'A';
	/* Only the order table: stocks and their level arrays are few and stay cached (a
	 * stock-line prefetch here measured no faster). */
	if (t < 64 && ((REF_TYPES >> t) & 1))
		tp_book_prefetch(f->book, tp_be64(msg + 11));
}

static void on_message(struct tp_feed *f, const uint8_t *msg, uint32_t len, uint64_t seq,
		       struct tp_sink *sink)
{
	struct tp_itch_msg m;
	if (__builtin_expect(tp_itch_decode(msg, len, &m) != TP_ITCH_OK, 0)) {
		f->itch_malformed++;
		return;
	}
	apply(f, &m, seq, sink);
}

static void on_gap(struct tp_feed *f, uint64_t first, uint64_t count, struct tp_sink *sink)
{
	/* A lost message may have touched any stock: every book of the feed is suspect. */
	tp_book_set_stale_all(f->book, 1);
	f->any_stale = 1;
	struct tp_event *ev = tp_sink_slot(sink);
	if (!ev)
		return;
	*ev = (struct tp_event){ .kind = TP_EV_GAP, .flags = TP_EVF_BOOK_STALE,
				 .feed_id = f->p.feed_id, .rx_tsc = f->rx_tsc, .seq = first,
				 .qty = clamp32(count) };
	tp_sink_done(sink);
}

/* Hands on everything the arbiter has ready, in sequence order. Items are pulled
 * TP_FEED_AHEAD ahead of the one applied (they all stay valid until the next push, tick or
 * finish), so each message's book lines are on their way before it is applied. */
static void drain(struct tp_feed *f, struct tp_sink *sink)
{
	struct tp_arb_item q[TP_FEED_AHEAD];
	enum tp_arb_kind k[TP_FEED_AHEAD];
	unsigned head = 0, n = 0;
	int more = 1;
	for (;;) {
		while (more && n < TP_FEED_AHEAD) {
			unsigned i = (head + n) % TP_FEED_AHEAD;
			k[i] = tp_arb_next(f->arb, &q[i]);
			if (k[i] == TP_ARB_NONE) {
				more = 0;
				break;
			}
			if (k[i] == TP_ARB_MSG)
				prefetch_msg(f, q[i].msg, q[i].len);
			n++;
		}
		if (!n)
			return;
		if (k[head] == TP_ARB_MSG)
			on_message(f, q[head].msg, q[head].len, q[head].seq, sink);
		else
			on_gap(f, q[head].seq, q[head].count, sink);
		head = (head + 1) % TP_FEED_AHEAD;
		n--;
	}
}

void tp_feed_rx_mold(struct tp_feed *f, const uint8_t *payload, uint32_t len, unsigned line,
		     uint64_t now_ns, uint64_t rx_tsc, struct tp_sink *sink)
{
	f->rx_tsc = rx_tsc;
	tp_arb_push(f->arb, payload, len, line, now_ns);
	drain(f, sink); /* before returning: in-order messages point into the caller's buffer */
}

void tp_feed_tick(struct tp_feed *f, uint64_t now_ns, struct tp_sink *sink)
{
	tp_arb_tick(f->arb, now_ns);
	drain(f, sink);
}

void tp_feed_finish(struct tp_feed *f, struct tp_sink *sink)
{
	tp_arb_finish(f->arb);
	drain(f, sink);
}

void tp_feed_rx_itch(struct tp_feed *f, const uint8_t *msg, uint32_t len, uint64_t seq,
		     struct tp_sink *sink)
{
	f->rx_tsc = 0;
	on_message(f, msg, len, seq, sink);
}

void tp_feed_rx_itch_burst(struct tp_feed *f, const uint8_t *const *msgs, const uint32_t *lens,
			   uint32_t n, uint64_t first_seq, struct tp_sink *sink)
{
	f->rx_tsc = 0;
	uint32_t i;
	for (i = 0; i < n && i < TP_FEED_AHEAD; i++)
		prefetch_msg(f, msgs[i], lens[i]);
	for (i = 0; i + TP_FEED_AHEAD < n; i++) {
		prefetch_msg(f, msgs[i + TP_FEED_AHEAD], lens[i + TP_FEED_AHEAD]);
		on_message(f, msgs[i], lens[i], first_seq + i, sink);
	}
	for (; i < n; i++)
		on_message(f, msgs[i], lens[i], first_seq + i, sink);
}

void tp_feed_prefetch_itch(const struct tp_feed *f, const uint8_t *msg, uint32_t len)
{
	prefetch_msg(f, msg, len);
}

const struct tp_feed_stats *tp_feed_stats(const struct tp_feed *cf)
{
	struct tp_feed *f = (struct tp_feed *)cf; /* the merged view is a cache, not state */
	const struct tp_arb_stats *a = tp_arb_stats(f->arb);
	f->st.packets = a->packets;
	f->st.heartbeats = a->heartbeats;
	f->st.gap_events = a->gap_events;
	f->st.messages_missing = a->messages_missing;
	f->st.duplicates = a->duplicates;
	f->st.malformed = a->malformed + f->itch_malformed;
	f->st.unknown_refs = tp_book_errors(f->book, TP_BOOK_ERR_UNKNOWN_REF);
	f->st.end_of_session = a->end_of_session;
	uint64_t total = 0;
	for (unsigned t = 0; t < 256; t++)
		total += f->st.msgs[t];
	f->st.messages_total = total;
	return &f->st;
}

const struct tp_book *tp_feed_book(const struct tp_feed *f) { return f->book; }

int tp_feed_is_stale(const struct tp_feed *f, uint16_t stock_locate)
{
	return f->any_stale || tp_book_is_stale(f->book, stock_locate);
}

const char *tp_feed_symbol(const struct tp_feed *f, uint16_t stock_locate)
{
	const char *s = f->symbols[stock_locate];
	return s[0] ? s : NULL;
}
