/* NASDAQ OUCH 5.0 order entry: Enter Order ('O') and Cancel Order ('X') encoding, and a
 * decoder (for tests and the simulated exchange).
 *
 * Enter Order, 47 bytes before its appendages; integers big-endian, alpha fields
 * left-justified and space-padded:
 *   off len
 *    0   1  Type 'O'
 *    1   4  UserRefNum       day-unique, strictly increasing per account
 *    5   1  Side             'B' buy, 'S' sell, 'T' sell short, 'E' sell short exempt
 *    6   4  Quantity
 *   10   8  Symbol
 *   18   8  Price            4 implied decimals (the ITCH feed unit)
 *   26   1  Time In Force    '0' day, '3' IOC, '5' GTX, '6' GTT, 'E' after hours
 *   27   1  Display          'Y' visible, 'N' hidden, 'A' attributable, ...
 *   28   1  Capacity         'A' agency, 'P' principal, 'R' riskless, 'O' other
 *   29   1  InterMarket Sweep Eligibility 'Y' / 'N'
 *   30   1  CrossType        'N' continuous market, 'O' opening, 'C' closing, ...
 *   31  14  ClOrdID
 *   45   2  Appendage Length (bytes of optional appendages that follow)
 *   47   .  Optional appendages: TagValue elements, each Length(1) = 1 + value bytes,
 *           OptionTag(1), Value
 * Cancel Order, 9 bytes:
 *    0   1  Type 'X'
 *    1   4  UserRefNum       of the order
 *    5   4  Quantity         the order's new intended size: 0 cancels all that is left
 *
 * The encoders write into caller memory with explicit byte stores (no alignment
 * assumptions, no allocation) and return the length, or 0 when it does not fit. */
#ifndef TP_OUCH_H
#define TP_OUCH_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define TP_OUCH_ENTER_LEN 47u
#define TP_OUCH_CANCEL_LEN 9u
#define TP_OUCH_SYMBOL_LEN 8u
#define TP_OUCH_CLORDID_LEN 14u
#define TP_OUCH_MAX_APPENDAGE 64u  /* what this encoder carries (the gateway's slot size) */

/* Field offsets of Enter Order, for encoders that patch a prebuilt message. */
#define TP_OUCH_O_URN 1u
#define TP_OUCH_O_SIDE 5u
#define TP_OUCH_O_QTY 6u
#define TP_OUCH_O_SYMBOL 10u
#define TP_OUCH_O_PRICE 18u
#define TP_OUCH_O_TIF 26u
#define TP_OUCH_O_CLORDID 31u
#define TP_OUCH_O_APPENDAGE_LEN 45u

/* A few OptionTag values of the spec's appendix. */
#define TP_OUCH_TAG_FIRM 2u      /* 4 alpha */
#define TP_OUCH_TAG_MIN_QTY 3u   /* 4-byte integer */
#define TP_OUCH_TAG_MAX_FLOOR 5u /* 4-byte integer */

struct tp_ouch_enter {
	uint32_t user_ref_num;
	uint8_t side;
	uint32_t qty;
	char symbol[TP_OUCH_SYMBOL_LEN];     /* already padded, as on the wire */
	uint64_t price;
	uint8_t tif, display, capacity, ise, cross_type;
	char clordid[TP_OUCH_CLORDID_LEN];   /* already padded, as on the wire */
	uint16_t appendage_len;
	uint8_t appendage[TP_OUCH_MAX_APPENDAGE];
};

struct tp_ouch_cancel {
	uint32_t user_ref_num;
	uint32_t qty;
};

struct tp_ouch_msg {
	uint8_t type;   /* 'O' or 'X' */
	union {
		struct tp_ouch_enter enter;
		struct tp_ouch_cancel cancel;
	} u;
};

/* Big-endian stores byte by byte: no alignment assumed, no UB. */
static inline void tp_ouch_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void tp_ouch_put_be64(uint8_t *p, uint64_t v)
{
	tp_ouch_put_be32(p, (uint32_t)(v >> 32));
	tp_ouch_put_be32(p + 4, (uint32_t)v);
}

/* Copies a C string into a fixed alpha field: left-justified, space-padded, truncated. */
void tp_ouch_alpha(char *dst, size_t width, const char *src);

/* Appends one TagValue element to an enter's appendages; 0, or -1 when it does not fit. */
int tp_ouch_add_tag(struct tp_ouch_enter *m, uint8_t tag, const void *value, uint8_t len);
int tp_ouch_add_tag_u32(struct tp_ouch_enter *m, uint8_t tag, uint32_t value);

/* Encoders: bytes written, or 0 when cap is too small. */
size_t tp_ouch_encode_enter(uint8_t *buf, size_t cap, const struct tp_ouch_enter *m);
size_t tp_ouch_encode_cancel(uint8_t *buf, size_t cap, uint32_t user_ref_num, uint32_t qty);

/* Decodes one message of exactly len bytes. 0, or -1 for an unknown type, a wrong length or
 * appendages that do not add up. */
int tp_ouch_decode(const uint8_t *buf, size_t len, struct tp_ouch_msg *out);

#ifdef __cplusplus
}
#endif

#endif /* TP_OUCH_H */
