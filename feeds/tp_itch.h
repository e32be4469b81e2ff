/* NASDAQ TotalView-ITCH 5.0: message lengths and a field-by-field decoder.
 *
 * Every ITCH 5.0 message has a fixed length set by its type letter, and there is no other
 * framing inside a message, so the length table below is both the validator (a message
 * whose length disagrees with its type is rejected, never half-read) and what lets a
 * BinaryFILE reader whose length prefixes are zero find the next message.
 *
 * All integers on the wire are big-endian and unaligned; they are read with memcpy and a
 * byte swap, which compilers turn into one load and one bswap, and which stays defined
 * behaviour under UBSan. Alpha fields are kept as the raw fixed-width, space-padded bytes
 * (no NUL): copying and trimming costs more than most consumers need, so it is left to
 * tp_itch_alpha() at the edges (reports, the stock directory).
 *
 * Units: Price(4) fields are uint32 in 1/10000 USD; Price(8) fields (MWCB levels) are uint64
 * in 1/100000000 USD; timestamps are nanoseconds since midnight (48 bits on the wire). */
#ifndef TP_ITCH_H
#define TP_ITCH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "tp_bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The 23 message types of ITCH 5.0, in the order of the specification. */
#define TP_ITCH_TYPES "SRHYLVWKJhAFECXDUPQBINO"
#define TP_ITCH_NTYPES 23
/* Longest message (I, NOII): lets a reader check one bound instead of one per type. */
#define TP_ITCH_MAX_MSG_LEN 50u
/* Type, stock locate, tracking number, timestamp: the part every message shares. */
#define TP_ITCH_HEADER_LEN 11u

/* tp_itch_decode() results. */
#define TP_ITCH_OK              0
#define TP_ITCH_E_EMPTY        -1 /* zero bytes: no type to look at */
#define TP_ITCH_E_UNKNOWN_TYPE -2 /* the first byte is not an ITCH 5.0 type */
#define TP_ITCH_E_LENGTH       -3 /* length differs from the type's fixed length */

/* ---- lengths --------------------------------------------------------------------------- */

/* Fixed length per type byte; 0 = not an ITCH 5.0 type. Defined in tp_itch.c. */
extern const uint8_t tp_itch_len_table[256];

/* Length in bytes (type byte included) of a message of this type, 0 for unknown types. */
static inline uint32_t tp_itch_msg_len(uint8_t type)
{
	return tp_itch_len_table[type];
}

/* ---- decoded messages ------------------------------------------------------------------ */

/* S: System Event */
struct tp_itch_sys_event {
	char event_code;               /* O S Q M E C */
};

/* R: Stock Directory */
struct tp_itch_stock_dir {
	char stock[8];
	char market_category;
	char financial_status;
	uint32_t round_lot_size;
	char round_lots_only;
	char issue_classification;
	char issue_subtype[2];
	char authenticity;
	char short_sale_threshold;
	char ipo_flag;
	char luld_ref_price_tier;
	char etp_flag;
	uint32_t etp_leverage_factor;
	char inverse_indicator;
};

/* H: Stock Trading Action */
struct tp_itch_trading_action {
	char stock[8];
	char trading_state;            /* H P Q T */
	char reserved;
	char reason[4];
};

/* Y: Reg SHO Short Sale Price Test Restricted Indicator */
struct tp_itch_reg_sho {
	char stock[8];
	char reg_sho_action;           /* 0 1 2 */
};

/* L: Market Participant Position */
struct tp_itch_mp_position {
	char mpid[4];
	char stock[8];
	char primary_market_maker;
	char market_maker_mode;
	char market_participant_state;
};

/* V: MWCB Decline Level. Price(8): 1/100000000 USD. */
struct tp_itch_mwcb_decline {
	uint64_t level1;
	uint64_t level2;
	uint64_t level3;
};

/* W: MWCB Status */
struct tp_itch_mwcb_status {
	char breached_level;           /* 1 2 3 */
};

/* K: IPO Quoting Period Update */
struct tp_itch_ipo_update {
	char stock[8];
	uint32_t release_time;         /* seconds since midnight */
	char release_qualifier;        /* A C */
	uint32_t ipo_price;
};

/* J: LULD Auction Collar */
struct tp_itch_luld_collar {
	char stock[8];
	uint32_t ref_price;
	uint32_t upper_price;
	uint32_t lower_price;
	uint32_t extension;            /* number of extensions of the halt */
};

/* h: Operational Halt */
struct tp_itch_op_halt {
	char stock[8];
	char market_code;              /* Q B X */
	char halt_action;              /* H T */
};

/* A: Add Order (no MPID). Also the leading part of F, see tp_itch_add_mpid. */
struct tp_itch_add {
	uint64_t order_ref;
	char side;                     /* B S */
	uint32_t shares;
	char stock[8];
	uint32_t price;
};

/* F: Add Order with MPID attribution. `add` comes first so a consumer handling A and F
 * alike may read msg.u.add for both: the bytes are the same type at the same offset. */
struct tp_itch_add_mpid {
	struct tp_itch_add add;
	char attribution[4];
};

/* E: Order Executed */
struct tp_itch_exec {
	uint64_t order_ref;
	uint32_t shares;               /* executed */
	uint64_t match_number;
};

/* C: Order Executed With Price. `exec` first, for the same reason as tp_itch_add_mpid. */
struct tp_itch_exec_price {
	struct tp_itch_exec exec;
	char printable;                /* Y N */
	uint32_t price;                /* execution price */
};

/* X: Order Cancel */
struct tp_itch_cancel {
	uint64_t order_ref;
	uint32_t shares;               /* cancelled */
};

/* D: Order Delete */
struct tp_itch_delete {
	uint64_t order_ref;
};

/* U: Order Replace */
struct tp_itch_replace {
	uint64_t orig_order_ref;
	uint64_t new_order_ref;
	uint32_t shares;
	uint32_t price;
};

/* P: Trade (non-cross) */
struct tp_itch_trade {
	uint64_t order_ref;
	char side;
	uint32_t shares;
	char stock[8];
	uint32_t price;
	uint64_t match_number;
};

/* Q: Cross Trade */
struct tp_itch_cross_trade {
	uint64_t shares;               /* 8 bytes on the wire */
	char stock[8];
	uint32_t cross_price;
	uint64_t match_number;
	char cross_type;               /* O C H I */
};

/* B: Broken Trade */
struct tp_itch_broken_trade {
	uint64_t match_number;
};

/* I: Net Order Imbalance Indicator */
struct tp_itch_noii {
	uint64_t paired_shares;
	uint64_t imbalance_shares;
	char imbalance_direction;      /* B S N O P */
	char stock[8];
	uint32_t far_price;
	uint32_t near_price;
	uint32_t current_ref_price;
	char cross_type;
	char price_variation;
};

/* N: Retail Price Improvement Indicator */
struct tp_itch_rpii {
	char stock[8];
	char interest_flag;            /* B S A N */
};

/* O: Direct Listing with Capital Raise Price Discovery */
struct tp_itch_dlcr {
	char stock[8];
	char open_eligibility;         /* N Y */
	uint32_t min_allowable_price;
	uint32_t max_allowable_price;
	uint32_t near_exec_price;
	uint64_t near_exec_time;
	uint32_t lower_price_collar;
	uint32_t upper_price_collar;
};

struct tp_itch_msg {
	uint8_t type;
	uint16_t stock_locate;
	uint16_t tracking_number;
	uint64_t timestamp_ns;         /* ns since midnight, 48 bits */
	/* Only the member for `type` is written; the others hold whatever was there. */
	union {
		struct tp_itch_sys_event sys_event;         /* S */
		struct tp_itch_stock_dir stock_dir;         /* R */
		struct tp_itch_trading_action trading_action; /* H */
		struct tp_itch_reg_sho reg_sho;             /* Y */
		struct tp_itch_mp_position mp_position;     /* L */
		struct tp_itch_mwcb_decline mwcb_decline;   /* V */
		struct tp_itch_mwcb_status mwcb_status;     /* W */
		struct tp_itch_ipo_update ipo_update;       /* K */
		struct tp_itch_luld_collar luld_collar;     /* J */
		struct tp_itch_op_halt op_halt;             /* h */
		struct tp_itch_add add;                     /* A (and the head of F) */
		struct tp_itch_add_mpid add_mpid;           /* F */
		struct tp_itch_exec exec;                   /* E (and the head of C) */
		struct tp_itch_exec_price exec_price;       /* C */
		struct tp_itch_cancel cancel;               /* X */
		struct tp_itch_delete del;                  /* D */
		struct tp_itch_replace replace;             /* U */
		struct tp_itch_trade trade;                 /* P */
		struct tp_itch_cross_trade cross_trade;     /* Q */
		struct tp_itch_broken_trade broken_trade;   /* B */
		struct tp_itch_noii noii;                   /* I */
		struct tp_itch_rpii rpii;                   /* N */
		struct tp_itch_dlcr dlcr;                   /* O */
	} u;
};

/* Decodes one message of exactly `len` bytes. Returns TP_ITCH_OK or a TP_ITCH_E_* code;
 * reads no byte at or past p[len] (p may be NULL when len is 0). On error `m` may have been
 * partly written.
 *
 * Inline because it is the hot path: in the caller's loop the compiler drops the stores to
 * fields the caller never reads (a book needs a few of them), which roughly halves the cost
 * per message. Offsets are those of the specification; every body starts at byte 11. */
static inline int tp_itch_decode(const uint8_t *p, uint32_t len, struct tp_itch_msg *m)
{
	if (len == 0)
		return TP_ITCH_E_EMPTY;
	uint8_t type = p[0];
	uint32_t want = tp_itch_len_table[type];
	if (want == 0)
		return TP_ITCH_E_UNKNOWN_TYPE;
	/* One exact-length check covers every field read below: each case reads only
	 * offsets inside its type's fixed length. */
	if (len != want)
		return TP_ITCH_E_LENGTH;

	m->type = type;
	m->stock_locate = tp_be16(p + 1);
	m->tracking_number = tp_be16(p + 3);
	m->timestamp_ns = tp_be48(p + 5);

	switch (type) {
	case 'A': {
		struct tp_itch_add *a = &m->u.add;
		a->order_ref = tp_be64(p + 11);
		a->side = (char)p[19];
		a->shares = tp_be32(p + 20);
		memcpy(a->stock, p + 24, sizeof(a->stock));
		a->price = tp_be32(p + 32);
		break;
	}
	case 'F': {
		struct tp_itch_add_mpid *f = &m->u.add_mpid;
		f->add.order_ref = tp_be64(p + 11);
		f->add.side = (char)p[19];
		f->add.shares = tp_be32(p + 20);
		memcpy(f->add.stock, p + 24, sizeof(f->add.stock));
		f->add.price = tp_be32(p + 32);
		memcpy(f->attribution, p + 36, sizeof(f->attribution));
		break;
	}
	case 'E': {
		struct tp_itch_exec *e = &m->u.exec;
		e->order_ref = tp_be64(p + 11);
		e->shares = tp_be32(p + 19);
		e->match_number = tp_be64(p + 23);
		break;
	}
	case 'C': {
		struct tp_itch_exec_price *c = &m->u.exec_price;
		c->exec.order_ref = tp_be64(p + 11);
		c->exec.shares = tp_be32(p + 19);
		c->exec.match_number = tp_be64(p + 23);
		c->printable = (char)p[31];
		c->price = tp_be32(p + 32);
		break;
	}
	case 'X':
		m->u.cancel.order_ref = tp_be64(p + 11);
		m->u.cancel.shares = tp_be32(p + 19);
		break;
	case 'D':
		m->u.del.order_ref = tp_be64(p + 11);
		break;
	case 'U': {
		struct tp_itch_replace *u = &m->u.replace;
		u->orig_order_ref = tp_be64(p + 11);
		u->new_order_ref = tp_be64(p + 19);
		u->shares = tp_be32(p + 27);
		u->price = tp_be32(p + 31);
		break;
	}
	case 'P': {
		struct tp_itch_trade *t = &m->u.trade;
		t->order_ref = tp_be64(p + 11);
		t->side = (char)p[19];
		t->shares = tp_be32(p + 20);
		memcpy(t->stock, p + 24, sizeof(t->stock));
		t->price = tp_be32(p + 32);
		t->match_number = tp_be64(p + 36);
		break;
	}
	case 'Q': {
		struct tp_itch_cross_trade *q = &m->u.cross_trade;
		q->shares = tp_be64(p + 11);
		memcpy(q->stock, p + 19, sizeof(q->stock));
		q->cross_price = tp_be32(p + 27);
		q->match_number = tp_be64(p + 31);
		q->cross_type = (char)p[39];
		break;
	}
	case 'B':
		m->u.broken_trade.match_number = tp_be64(p + 11);
		break;
	case 'S':
		m->u.sys_event.event_code = (char)p[11];
		break;
	case 'R': {
		struct tp_itch_stock_dir *r = &m->u.stock_dir;
		memcpy(r->stock, p + 11, sizeof(r->stock));
		r->market_category = (char)p[19];
		r->financial_status = (char)p[20];
		r->round_lot_size = tp_be32(p + 21);
		r->round_lots_only = (char)p[25];
		r->issue_classification = (char)p[26];
		memcpy(r->issue_subtype, p + 27, sizeof(r->issue_subtype));
		r->authenticity = (char)p[29];
		r->short_sale_threshold = (char)p[30];
		r->ipo_flag = (char)p[31];
		r->luld_ref_price_tier = (char)p[32];
		r->etp_flag = (char)p[33];
		r->etp_leverage_factor = tp_be32(p + 34);
		r->inverse_indicator = (char)p[38];
		break;
	}
	case 'H': {
		struct tp_itch_trading_action *h = &m->u.trading_action;
		memcpy(h->stock, p + 11, sizeof(h->stock));
		h->trading_state = (char)p[19];
		h->reserved = (char)p[20];
		memcpy(h->reason, p + 21, sizeof(h->reason));
		break;
	}
	case 'Y':
		memcpy(m->u.reg_sho.stock, p + 11, sizeof(m->u.reg_sho.stock));
		m->u.reg_sho.reg_sho_action = (char)p[19];
		break;
	case 'L': {
		struct tp_itch_mp_position *l = &m->u.mp_position;
		memcpy(l->mpid, p + 11, sizeof(l->mpid));
		memcpy(l->stock, p + 15, sizeof(l->stock));
		l->primary_market_maker = (char)p[23];
		l->market_maker_mode = (char)p[24];
		l->market_participant_state = (char)p[25];
		break;
	}
	case 'V':
		m->u.mwcb_decline.level1 = tp_be64(p + 11);
		m->u.mwcb_decline.level2 = tp_be64(p + 19);
		m->u.mwcb_decline.level3 = tp_be64(p + 27);
		break;
	case 'W':
		m->u.mwcb_status.breached_level = (char)p[11];
		break;
	case 'K': {
		struct tp_itch_ipo_update *k = &m->u.ipo_update;
		memcpy(k->stock, p + 11, sizeof(k->stock));
		k->release_time = tp_be32(p + 19);
		k->release_qualifier = (char)p[23];
		k->ipo_price = tp_be32(p + 24);
		break;
	}
	case 'J': {
		struct tp_itch_luld_collar *j = &m->u.luld_collar;
		memcpy(j->stock, p + 11, sizeof(j->stock));
		j->ref_price = tp_be32(p + 19);
		j->upper_price = tp_be32(p + 23);
		j->lower_price = tp_be32(p + 27);
		j->extension = tp_be32(p + 31);
		break;
	}
	case 'h':
		memcpy(m->u.op_halt.stock, p + 11, sizeof(m->u.op_halt.stock));
		m->u.op_halt.market_code = (char)p[19];
		m->u.op_halt.halt_action = (char)p[20];
		break;
	case 'I': {
		struct tp_itch_noii *i = &m->u.noii;
		i->paired_shares = tp_be64(p + 11);
		i->imbalance_shares = tp_be64(p + 19);
		i->imbalance_direction = (char)p[27];
		memcpy(i->stock, p + 28, sizeof(i->stock));
		i->far_price = tp_be32(p + 36);
		i->near_price = tp_be32(p + 40);
		i->current_ref_price = tp_be32(p + 44);
		i->cross_type = (char)p[48];
		i->price_variation = (char)p[49];
		break;
	}
	case 'N':
		memcpy(m->u.rpii.stock, p + 11, sizeof(m->u.rpii.stock));
		m->u.rpii.interest_flag = (char)p[19];
		break;
	case 'O': {
		struct tp_itch_dlcr *o = &m->u.dlcr;
		memcpy(o->stock, p + 11, sizeof(o->stock));
		o->open_eligibility = (char)p[19];
		o->min_allowable_price = tp_be32(p + 20);
		o->max_allowable_price = tp_be32(p + 24);
		o->near_exec_price = tp_be32(p + 28);
		o->near_exec_time = tp_be64(p + 32);
		o->lower_price_collar = tp_be32(p + 40);
		o->upper_price_collar = tp_be32(p + 44);
		break;
	}
	default:
		/* Unreachable while the switch and the table list the same 23 letters. */
		return TP_ITCH_E_UNKNOWN_TYPE;
	}
	return TP_ITCH_OK;
}

/* Human-readable name of a type ("Add Order", ...), "Unknown" for other bytes. */
const char *tp_itch_type_name(uint8_t type);

/* Copies a space-padded alpha field of `n` bytes into `dst` (capacity `dstsz`, at least 1)
 * without the trailing spaces (or NULs) and NUL-terminated; truncates to fit. Returns the length
 * written. E.g. tp_itch_alpha(sym, sizeof sym, m.u.add.stock, 8). */
size_t tp_itch_alpha(char *dst, size_t dstsz, const char *src, size_t n);

#ifdef __cplusplus
}
#endif

#endif
