/* ITCH 5.0 message encoders (see itch_enc.h). Byte-by-byte stores: no alignment assumptions
 * and no host byte order in the output. */
#include "itch_enc.h"

#include <string.h>

const char tp_gen_itch_types[TP_GEN_ITCH_NTYPES + 1] = "SRHYLVWKJhAFECXDUPQBINO";

/* Lengths from the specification, in the order of tp_gen_itch_types. */
static const uint8_t type_len[TP_GEN_ITCH_NTYPES] = {
	12, 39, 25, 20, 26, 35, 12, 28, 35, 21, 36, 40, 31, 36, 23, 19, 35, 44, 40, 19, 50, 20, 48,
};

int tp_gen_itch_type_index(uint8_t type)
{
	const char *p = type ? strchr(tp_gen_itch_types, type) : NULL;
	return p ? (int)(p - tp_gen_itch_types) : -1;
}

size_t tp_gen_itch_len(uint8_t type)
{
	int i = tp_gen_itch_type_index(type);
	return i < 0 ? 0 : type_len[i];
}

static uint8_t *put8(uint8_t *p, uint8_t v)
{
	*p = v;
	return p + 1;
}

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
	return p + 4;
}

static uint8_t *put48(uint8_t *p, uint64_t v)
{
	for (int i = 5; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
	return p + 6;
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
	return p + 8;
}

static uint8_t *putn(uint8_t *p, const char *s, size_t n)
{
	memcpy(p, s, n);
	return p + n;
}

static uint8_t *head(uint8_t *p, char type, const tp_gen_hdr *h)
{
	p = put8(p, (uint8_t)type);
	p = put16(p, h->locate);
	p = put16(p, h->tracking);
	return put48(p, h->ts_ns);
}

static size_t done(const uint8_t *start, const uint8_t *end)
{
	return (size_t)(end - start);
}

size_t tp_gen_itch_system_event(uint8_t *o, const tp_gen_hdr *h, char code)
{
	uint8_t *p = head(o, 'S', h);
	p = put8(p, (uint8_t)code);
	return done(o, p);
}

size_t tp_gen_itch_stock_directory(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
				   uint32_t round_lot)
{
	uint8_t *p = head(o, 'R', h);
	p = putn(p, stock, 8);
	p = put8(p, 'Q');          /* market category: NASDAQ Global Select */
	p = put8(p, 'N');          /* financial status: normal */
	p = put32(p, round_lot);
	p = put8(p, 'N');          /* round lots only: no */
	p = put8(p, 'C');          /* issue classification: common stock */
	p = putn(p, "Z ", 2);      /* issue sub-type */
	p = put8(p, 'P');          /* authenticity: production */
	p = put8(p, 'N');          /* short sale threshold */
	p = put8(p, 'N');          /* IPO flag */
	p = put8(p, '1');          /* LULD reference price tier */
	p = put8(p, 'N');          /* ETP flag */
	p = put32(p, 0);           /* ETP leverage factor */
	p = put8(p, 'N');          /* inverse indicator */
	return done(o, p);
}

size_t tp_gen_itch_trading_action(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
				  char state, const char reason[4])
{
	uint8_t *p = head(o, 'H', h);
	p = putn(p, stock, 8);
	p = put8(p, (uint8_t)state);
	p = put8(p, ' ');          /* reserved */
	p = putn(p, reason, 4);
	return done(o, p);
}

size_t tp_gen_itch_reg_sho(uint8_t *o, const tp_gen_hdr *h, const char stock[8], char action)
{
	uint8_t *p = head(o, 'Y', h);
	p = putn(p, stock, 8);
	p = put8(p, (uint8_t)action);
	return done(o, p);
}

size_t tp_gen_itch_mpp(uint8_t *o, const tp_gen_hdr *h, const char mpid[4], const char stock[8],
		       char primary, char mode, char state)
{
	uint8_t *p = head(o, 'L', h);
	p = putn(p, mpid, 4);
	p = putn(p, stock, 8);
	p = put8(p, (uint8_t)primary);
	p = put8(p, (uint8_t)mode);
	p = put8(p, (uint8_t)state);
	return done(o, p);
}

size_t tp_gen_itch_mwcb_decline(uint8_t *o, const tp_gen_hdr *h, uint64_t level1,
				uint64_t level2, uint64_t level3)
{
	uint8_t *p = head(o, 'V', h);
	p = put64(p, level1);
	p = put64(p, level2);
	p = put64(p, level3);
	return done(o, p);
}

size_t tp_gen_itch_mwcb_status(uint8_t *o, const tp_gen_hdr *h, char level)
{
	uint8_t *p = head(o, 'W', h);
	p = put8(p, (uint8_t)level);
	return done(o, p);
}

size_t tp_gen_itch_ipo_update(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
			      uint32_t release_s, char qualifier, uint32_t price)
{
	uint8_t *p = head(o, 'K', h);
	p = putn(p, stock, 8);
	p = put32(p, release_s);
	p = put8(p, (uint8_t)qualifier);
	p = put32(p, price);
	return done(o, p);
}

size_t tp_gen_itch_luld_collar(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
			       uint32_t ref_price, uint32_t upper, uint32_t lower,
			       uint32_t extension)
{
	uint8_t *p = head(o, 'J', h);
	p = putn(p, stock, 8);
	p = put32(p, ref_price);
	p = put32(p, upper);
	p = put32(p, lower);
	p = put32(p, extension);
	return done(o, p);
}

size_t tp_gen_itch_op_halt(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
			   char market, char action)
{
	uint8_t *p = head(o, 'h', h);
	p = putn(p, stock, 8);
	p = put8(p, (uint8_t)market);
	p = put8(p, (uint8_t)action);
	return done(o, p);
}

size_t tp_gen_itch_add(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, char side,
		       uint32_t shares, const char stock[8], uint32_t price)
{
	uint8_t *p = head(o, 'A', h);
	p = put64(p, ref);
	p = put8(p, (uint8_t)side);
	p = put32(p, shares);
	p = putn(p, stock, 8);
	p = put32(p, price);
	return done(o, p);
}

size_t tp_gen_itch_add_mpid(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, char side,
			    uint32_t shares, const char stock[8], uint32_t price,
			    const char mpid[4])
{
	uint8_t *p = head(o, 'F', h);
	p = put64(p, ref);
	p = put8(p, (uint8_t)side);
	p = put32(p, shares);
	p = putn(p, stock, 8);
	p = put32(p, price);
	p = putn(p, mpid, 4);
	return done(o, p);
}

size_t tp_gen_itch_exec(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, uint32_t shares,
			uint64_t match)
{
	uint8_t *p = head(o, 'E', h);
	p = put64(p, ref);
	p = put32(p, shares);
	p = put64(p, match);
	return done(o, p);
}

size_t tp_gen_itch_exec_price(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, uint32_t shares,
			      uint64_t match, char printable, uint32_t price)
{
	uint8_t *p = head(o, 'C', h);
	p = put64(p, ref);
	p = put32(p, shares);
	p = put64(p, match);
	p = put8(p, (uint8_t)printable);
	p = put32(p, price);
	return done(o, p);
}

size_t tp_gen_itch_cancel(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, uint32_t shares)
{
	uint8_t *p = head(o, 'X', h);
	p = put64(p, ref);
	p = put32(p, shares);
	return done(o, p);
}

size_t tp_gen_itch_delete(uint8_t *o, const tp_gen_hdr *h, uint64_t ref)
{
	uint8_t *p = head(o, 'D', h);
	p = put64(p, ref);
	return done(o, p);
}

size_t tp_gen_itch_replace(uint8_t *o, const tp_gen_hdr *h, uint64_t old_ref, uint64_t new_ref,
			   uint32_t shares, uint32_t price)
{
	uint8_t *p = head(o, 'U', h);
	p = put64(p, old_ref);
	p = put64(p, new_ref);
	p = put32(p, shares);
	p = put32(p, price);
	return done(o, p);
}

size_t tp_gen_itch_trade(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, char side,
			 uint32_t shares, const char stock[8], uint32_t price, uint64_t match)
{
	uint8_t *p = head(o, 'P', h);
	p = put64(p, ref);
	p = put8(p, (uint8_t)side);
	p = put32(p, shares);
	p = putn(p, stock, 8);
	p = put32(p, price);
	p = put64(p, match);
	return done(o, p);
}

size_t tp_gen_itch_cross(uint8_t *o, const tp_gen_hdr *h, uint64_t shares, const char stock[8],
			 uint32_t price, uint64_t match, char cross_type)
{
	uint8_t *p = head(o, 'Q', h);
	p = put64(p, shares);
	p = putn(p, stock, 8);
	p = put32(p, price);
	p = put64(p, match);
	p = put8(p, (uint8_t)cross_type);
	return done(o, p);
}

size_t tp_gen_itch_broken(uint8_t *o, const tp_gen_hdr *h, uint64_t match)
{
	uint8_t *p = head(o, 'B', h);
	p = put64(p, match);
	return done(o, p);
}

size_t tp_gen_itch_noii(uint8_t *o, const tp_gen_hdr *h, uint64_t paired, uint64_t imbalance,
			char direction, const char stock[8], uint32_t far_price,
			uint32_t near_price, uint32_t ref_price, char cross_type, char variation)
{
	uint8_t *p = head(o, 'I', h);
	p = put64(p, paired);
	p = put64(p, imbalance);
	p = put8(p, (uint8_t)direction);
	p = putn(p, stock, 8);
	p = put32(p, far_price);
	p = put32(p, near_price);
	p = put32(p, ref_price);
	p = put8(p, (uint8_t)cross_type);
	p = put8(p, (uint8_t)variation);
	return done(o, p);
}

size_t tp_gen_itch_rpii(uint8_t *o, const tp_gen_hdr *h, const char stock[8], char flag)
{
	uint8_t *p = head(o, 'N', h);
	p = putn(p, stock, 8);
	p = put8(p, (uint8_t)flag);
	return done(o, p);
}

size_t tp_gen_itch_dlcr(uint8_t *o, const tp_gen_hdr *h, const char stock[8], char eligible,
			uint32_t min_price, uint32_t max_price, uint32_t near_price,
			uint64_t near_time, uint32_t lower_collar, uint32_t upper_collar)
{
	uint8_t *p = head(o, 'O', h);
	p = putn(p, stock, 8);
	p = put8(p, (uint8_t)eligible);
	p = put32(p, min_price);
	p = put32(p, max_price);
	p = put32(p, near_price);
	p = put64(p, near_time);
	p = put32(p, lower_collar);
	p = put32(p, upper_collar);
	return done(o, p);
}
