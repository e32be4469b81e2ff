/* ITCH 5.0 encoder of the generator: one function per message type, each writing the whole
 * message (type byte first, all integers big-endian) and returning its length.
 *
 * This is deliberately independent of feeds/: the generator is the oracle that the decoder
 * is tested against, so it must not share the decoder's tables or mistakes. Layouts follow
 * the NASDAQ TotalView-ITCH 5.0 specification; every message begins with
 *     type u8 | stock locate u16 | tracking number u16 | timestamp u48 (ns since midnight)
 * Prices are Price(4) (1/10000 USD) except the MWCB levels, which are Price(8). `stock`
 * arguments are 8 bytes, already space-padded. Output buffers need TP_GEN_ITCH_MAX_LEN. */
#ifndef TP_GEN_ITCH_ENC_H
#define TP_GEN_ITCH_ENC_H

#include <stddef.h>
#include <stdint.h>

#define TP_GEN_ITCH_MAX_LEN 50u
#define TP_GEN_ITCH_NTYPES  23u

/* The 23 message types in specification order; the index into this string is the type index
 * used by every per-type counter of the generator. */
extern const char tp_gen_itch_types[TP_GEN_ITCH_NTYPES + 1];

/* Length of a message of `type` including the type byte; 0 for a type ITCH 5.0 does not have. */
size_t tp_gen_itch_len(uint8_t type);
/* Index of `type` in tp_gen_itch_types, or -1. */
int tp_gen_itch_type_index(uint8_t type);

struct tp_gen_itch_hdr {
	uint16_t locate;
	uint16_t tracking;
	uint64_t ts_ns;       /* ns since midnight; only the low 48 bits go on the wire */
};

typedef struct tp_gen_itch_hdr tp_gen_hdr;

size_t tp_gen_itch_system_event(uint8_t *o, const tp_gen_hdr *h, char code);
size_t tp_gen_itch_stock_directory(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
				   uint32_t round_lot);
size_t tp_gen_itch_trading_action(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
				  char state, const char reason[4]);
size_t tp_gen_itch_reg_sho(uint8_t *o, const tp_gen_hdr *h, const char stock[8], char action);
size_t tp_gen_itch_mpp(uint8_t *o, const tp_gen_hdr *h, const char mpid[4], const char stock[8],
		       char primary, char mode, char state);
size_t tp_gen_itch_mwcb_decline(uint8_t *o, const tp_gen_hdr *h, uint64_t level1,
				uint64_t level2, uint64_t level3);
size_t tp_gen_itch_mwcb_status(uint8_t *o, const tp_gen_hdr *h, char level);
size_t tp_gen_itch_ipo_update(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
			      uint32_t release_s, char qualifier, uint32_t price);
size_t tp_gen_itch_luld_collar(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
			       uint32_t ref_price, uint32_t upper, uint32_t lower,
			       uint32_t extension);
size_t tp_gen_itch_op_halt(uint8_t *o, const tp_gen_hdr *h, const char stock[8],
			   char market, char action);
size_t tp_gen_itch_add(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, char side,
		       uint32_t shares, const char stock[8], uint32_t price);
size_t tp_gen_itch_add_mpid(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, char side,
			    uint32_t shares, const char stock[8], uint32_t price,
			    const char mpid[4]);
size_t tp_gen_itch_exec(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, uint32_t shares,
			uint64_t match);
size_t tp_gen_itch_exec_price(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, uint32_t shares,
			      uint64_t match, char printable, uint32_t price);
size_t tp_gen_itch_cancel(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, uint32_t shares);
size_t tp_gen_itch_delete(uint8_t *o, const tp_gen_hdr *h, uint64_t ref);
size_t tp_gen_itch_replace(uint8_t *o, const tp_gen_hdr *h, uint64_t old_ref, uint64_t new_ref,
			   uint32_t shares, uint32_t price);
size_t tp_gen_itch_trade(uint8_t *o, const tp_gen_hdr *h, uint64_t ref, char side,
			 uint32_t shares, const char stock[8], uint32_t price, uint64_t match);
size_t tp_gen_itch_cross(uint8_t *o, const tp_gen_hdr *h, uint64_t shares, const char stock[8],
			 uint32_t price, uint64_t match, char cross_type);
size_t tp_gen_itch_broken(uint8_t *o, const tp_gen_hdr *h, uint64_t match);
size_t tp_gen_itch_noii(uint8_t *o, const tp_gen_hdr *h, uint64_t paired, uint64_t imbalance,
			char direction, const char stock[8], uint32_t far_price,
			uint32_t near_price, uint32_t ref_price, char cross_type, char variation);
size_t tp_gen_itch_rpii(uint8_t *o, const tp_gen_hdr *h, const char stock[8], char flag);
size_t tp_gen_itch_dlcr(uint8_t *o, const tp_gen_hdr *h, const char stock[8], char eligible,
			uint32_t min_price, uint32_t max_price, uint32_t near_price,
			uint64_t near_time, uint32_t lower_collar, uint32_t upper_collar);

#endif
