/* The durable log's on-disk format, version 1.
 *
 * A log is a run of segment files in one directory, named
 *     tickpipe-<YYYYMMDDTHHMMSS.nnnnnnnnnZ>-<NNNNNN>.tplog
 * where the stamp is the UTC start of the logger (the run) and NNNNNN the segment number.
 * Each segment is a 64-byte header followed by records packed back to back. A record is a
 * 32-byte header and a payload of 0..96 bytes; the CRC32C in the first four bytes covers
 * everything after it (rest of the header and the payload), so any flipped bit is caught.
 *
 * Within one run the logger numbers records 0, 1, 2, ... with no gaps, across segments; the
 * reader checks that too, so a missing or reordered segment is found, not just a bad byte.
 *
 * All integers are little-endian (the structs below are the bytes on disk; the format is
 * x86/ARM-native and this header refuses to build elsewhere rather than silently differ).
 * No struct has implicit padding: every byte on disk is a named field.
 */
#ifndef TP_LOGFMT_H
#define TP_LOGFMT_H

#include <stddef.h>
#include <stdint.h>

#include "tp_event.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the tickpipe log format is little-endian; add byte swaps before porting"
#endif

#define TP_LOG_FORMAT_VERSION 1u
#define TP_LOG_SEG_MAGIC "TPLOGSEG" /* 8 bytes, no NUL on disk */
#define TP_LOG_SEG_HDR_SIZE 64u
#define TP_LOG_REC_HDR_SIZE 32u
#define TP_LOG_SLOT_SIZE 128u  /* one ring element: the largest record */
#define TP_LOG_MAX_PAYLOAD (TP_LOG_SLOT_SIZE - TP_LOG_REC_HDR_SIZE)
#define TP_LOG_SEG_PREFIX "tickpipe-"
#define TP_LOG_SEG_SUFFIX ".tplog"

/* tp_log_seg_hdr.flags */
#define TP_LOG_SEGF_AFTER_LOSS 0x1u /* the writer lost records (I/O error) just before this
				     * segment: a seq gap before first_seq is expected */

struct tp_log_seg_hdr {
	char magic[8];        /* TP_LOG_SEG_MAGIC */
	uint16_t version;     /* TP_LOG_FORMAT_VERSION */
	uint16_t hdr_size;    /* TP_LOG_SEG_HDR_SIZE */
	uint32_t segno;       /* 0, 1, 2, ... within the run */
	uint64_t run_id;      /* wall-clock ns when the run started; the same in all its segments */
	uint64_t created_ns;  /* wall clock (CLOCK_REALTIME, ns) when this segment was created */
	uint64_t created_tsc; /* TSC read at that moment: anchors record TSCs to wall time */
	uint64_t tsc_hz;      /* TSC ticks per second, 0 = unknown (no wall time for records) */
	uint64_t first_seq;   /* seq of the first record in this segment */
	uint32_t flags;       /* TP_LOG_SEGF_* */
	uint32_t crc;         /* CRC32C of the 60 bytes before it */
};

enum tp_log_type {
	TP_LOG_EVENT = 1,  /* a normalized market-data event (struct tp_event) */
	TP_LOG_ALERT = 2,  /* a CEP rule fired */
	TP_LOG_HALT = 3,   /* a kill-switch transition (halt or resume) */
	TP_LOG_ORDER = 4,  /* an order action sent by the gateway */
	TP_LOG_FILL = 5,   /* an execution of one of our orders */
	TP_LOG_REJECT = 6, /* an order refused (risk guard, kill-switch, exchange) */
	TP_LOG_STATS = 7,  /* periodic counters of one component */
	TP_LOG_AUDIT = 8,  /* an ops command: who, what, result */
	TP_LOG_NOTE = 9,   /* free-form text */
	TP_LOG_DROP = 10,  /* written by the logger: records a live producer could not enqueue */
	TP_LOG_SYMBOL = 11, /* stock directory entry: locate -> symbol (lets readers filter by name) */
	TP_LOG_NTYPES
};

struct tp_log_hdr {
	uint32_t crc;      /* CRC32C over bytes 4 .. len-1 of this record */
	uint16_t len;      /* header + payload bytes: 32 .. 128 */
	uint8_t type;      /* enum tp_log_type */
	uint8_t producer;  /* id of the ring (stage) it came through; 255 = the logger itself */
	uint64_t seq;      /* record number within the run: 0, 1, 2, ... no gaps */
	uint64_t exch_ns;  /* market time, ns since midnight of the feed; 0 = none */
	uint64_t tsc;      /* producer's TSC at reserve; wall time via the segment header; 0 = none */
};

#define TP_LOG_PRODUCER_LOGGER 255u

/* ---- payloads ------------------------------------------------------------------------ */

/* struct tp_event field for field, without its 64-byte alignment (the payload sits at offset
 * 32 of the record); tp_logfmt.c asserts the offsets match so the copy is one memcpy. */
struct tp_log_event {
	uint8_t kind;
	uint8_t msg_type;
	uint8_t side;
	uint8_t flags;
	uint16_t stock_locate;
	uint16_t feed_id;
	uint64_t exch_ts_ns;
	uint64_t rx_tsc;
	uint64_t seq;
	uint64_t order_ref;
	uint32_t price;
	uint32_t qty;
	uint32_t bid_px;
	uint32_t bid_qty;
	uint32_t ask_px;
	uint32_t ask_qty;
};

struct tp_log_alert {
	uint32_t rule;         /* rule id */
	uint16_t stock_locate; /* 0 = not symbol-specific */
	uint16_t feed_id;
	uint64_t event_seq;    /* transport seq of the event that fired it */
	int64_t value;         /* what was measured */
	int64_t limit;         /* the threshold it crossed */
	char name[24];         /* rule name, NUL-padded */
};

enum { TP_LOG_HALT_HALTED = 1, TP_LOG_HALT_RESUMED = 2 };
enum { TP_LOG_SCOPE_GLOBAL = 0, TP_LOG_SCOPE_SYMBOL = 1 };

struct tp_log_halt {
	uint8_t state;         /* TP_LOG_HALT_* */
	uint8_t scope;         /* TP_LOG_SCOPE_* */
	uint16_t stock_locate; /* for TP_LOG_SCOPE_SYMBOL */
	uint32_t rule;         /* rule id that halted, 0 = ops */
	uint32_t epoch;        /* kill-switch epoch after the transition */
	uint32_t reason;
	uint64_t event_seq;    /* transport seq of the breaking event, 0 = none */
	uint64_t trigger_tsc;  /* RX TSC of the breaking packet, 0 = none */
	char source[24];       /* rule name or "ops:<user>", NUL-padded */
};

struct tp_log_order {
	uint64_t client_id;    /* our order id */
	uint64_t order_ref;    /* exchange reference, 0 until acknowledged */
	uint16_t stock_locate;
	uint8_t side;          /* 'B' or 'S' */
	uint8_t action;        /* 'N' new, 'C' cancel, 'R' replace */
	uint32_t price;        /* feed units (ITCH: 1/10000 USD) */
	uint32_t qty;
	uint32_t strategy;     /* which strategy or account sent it */
};

struct tp_log_fill {
	uint64_t client_id;
	uint64_t match_id;
	uint16_t stock_locate;
	uint8_t side;
	uint8_t liquidity;     /* 'A' added, 'R' removed, 0 = unknown */
	uint32_t price;
	uint32_t qty;
	uint32_t leaves;       /* quantity still open */
};

struct tp_log_reject {
	uint64_t client_id;
	uint16_t stock_locate;
	uint8_t side;
	uint8_t source;        /* 'R' risk guard, 'K' kill-switch, 'X' exchange, 'G' gateway */
	uint32_t reason;
	uint32_t price;
	uint32_t qty;
	char text[24];         /* NUL-padded */
};

#define TP_LOG_STATS_MAX 11
enum { TP_LOG_STATS_LOGGER = 1 }; /* other sources are numbered by their owners */

/* The logger's own stats record (source TP_LOG_STATS_LOGGER), counters in this order. */
enum {
	TP_LOG_LSTAT_RECORDS, TP_LOG_LSTAT_BYTES, TP_LOG_LSTAT_FLUSHES, TP_LOG_LSTAT_SEGMENTS,
	TP_LOG_LSTAT_DROPS, TP_LOG_LSTAT_BAD_SLOTS, TP_LOG_LSTAT_WRITE_ERRORS, TP_LOG_LSTAT_COUNT
};

struct tp_log_stats {
	uint16_t source;       /* whose counters */
	uint16_t count;        /* counters used, <= TP_LOG_STATS_MAX */
	uint32_t interval_ms;  /* period they cover, 0 = cumulative */
	uint64_t counters[TP_LOG_STATS_MAX];
};

struct tp_log_audit {
	uint32_t uid;
	uint32_t gid;
	int32_t pid;
	int32_t result;        /* 0 = done, else negative errno or a command-specific code */
	char command[16];      /* NUL-padded */
	char args[64];         /* NUL-padded, truncated */
};

struct tp_log_drop {
	uint32_t producer;     /* producer id */
	uint32_t reserved;     /* 0 */
	uint64_t total;        /* records it dropped since it was created */
	uint64_t since_last;   /* since the previous drop record of this producer */
};

struct tp_log_symbol {
	uint16_t stock_locate;
	uint16_t feed_id;
	uint32_t reserved;     /* 0 */
	char symbol[8];        /* as on the feed: space-padded for ITCH */
};

/* A note's payload is 0..96 bytes of text, no terminator; the length is in hdr.len. */

union tp_log_payload {
	struct tp_log_event event;
	struct tp_log_alert alert;
	struct tp_log_halt halt;
	struct tp_log_order order;
	struct tp_log_fill fill;
	struct tp_log_reject reject;
	struct tp_log_stats stats;
	struct tp_log_audit audit;
	struct tp_log_drop drop;
	struct tp_log_symbol symbol;
	char note[TP_LOG_MAX_PAYLOAD];
	uint8_t raw[TP_LOG_MAX_PAYLOAD];
};

/* One ring element, and what the reader hands back: a record in memory. */
struct tp_log_slot {
	struct tp_log_hdr hdr;
	union tp_log_payload u;
};

_Static_assert(sizeof(struct tp_log_seg_hdr) == TP_LOG_SEG_HDR_SIZE, "segment header size");
_Static_assert(offsetof(struct tp_log_seg_hdr, crc) == TP_LOG_SEG_HDR_SIZE - 4, "seg crc");
_Static_assert(sizeof(struct tp_log_hdr) == TP_LOG_REC_HDR_SIZE, "record header size");
_Static_assert(sizeof(struct tp_log_event) == 64, "event payload");
_Static_assert(sizeof(struct tp_log_alert) == 56, "alert payload");
_Static_assert(sizeof(struct tp_log_halt) == 56, "halt payload");
_Static_assert(sizeof(struct tp_log_order) == 32, "order payload");
_Static_assert(sizeof(struct tp_log_fill) == 32, "fill payload");
_Static_assert(sizeof(struct tp_log_reject) == 48, "reject payload");
_Static_assert(sizeof(struct tp_log_stats) == 96, "stats payload");
_Static_assert(sizeof(struct tp_log_audit) == 96, "audit payload");
_Static_assert(sizeof(struct tp_log_drop) == 24, "drop payload");
_Static_assert(sizeof(struct tp_log_symbol) == 16, "symbol payload");
_Static_assert(sizeof(union tp_log_payload) == TP_LOG_MAX_PAYLOAD, "payload union");
_Static_assert(sizeof(struct tp_log_slot) == TP_LOG_SLOT_SIZE, "slot size");

/* Record length (header + payload) of a type: the exact length for fixed types, the maximum
 * for a note, 0 for an unknown type. A switch so that a constant type folds at compile time
 * on the hot path. */
static inline uint32_t tp_log_type_len(unsigned type)
{
	switch (type) {
	case TP_LOG_EVENT: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_event);
	case TP_LOG_ALERT: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_alert);
	case TP_LOG_HALT: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_halt);
	case TP_LOG_ORDER: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_order);
	case TP_LOG_FILL: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_fill);
	case TP_LOG_REJECT: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_reject);
	case TP_LOG_STATS: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_stats);
	case TP_LOG_AUDIT: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_audit);
	case TP_LOG_NOTE: return TP_LOG_SLOT_SIZE;
	case TP_LOG_DROP: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_drop);
	case TP_LOG_SYMBOL: return TP_LOG_REC_HDR_SIZE + sizeof(struct tp_log_symbol);
	default: return 0;
	}
}

/* Is (type, len) a record this version writes? Fixed types need their exact length; a note
 * any length from a bare header to a full slot. */
static inline int tp_log_len_valid(unsigned type, unsigned len)
{
	if (type == TP_LOG_NOTE)
		return len >= TP_LOG_REC_HDR_SIZE && len <= TP_LOG_SLOT_SIZE;
	uint32_t want = tp_log_type_len(type);
	return want != 0 && len == want;
}

/* "event", "alert", ...; NULL for an unknown type. */
const char *tp_log_type_name(unsigned type);
/* The type of a name (as above, case-insensitive) or a decimal number 1..255; 0 if neither. */
unsigned tp_log_type_from_name(const char *name);

/* CRC of a record as stored in hdr.crc: over bytes 4 .. len-1 of the record at rec. */
uint32_t tp_log_rec_crc(const void *rec, uint32_t len);
/* CRC of a segment header as stored in its crc field. */
uint32_t tp_log_seg_hdr_crc(const struct tp_log_seg_hdr *h);

/* Wall-clock ns of a record TSC, using its segment's anchor; 0 when either is unknown. */
uint64_t tp_log_wall_ns(const struct tp_log_seg_hdr *seg, uint64_t tsc);

/* Segment file name of a run and segment number into buf (size >= 64): returns the length,
 * or -1 if it does not fit. */
int tp_log_seg_name(char *buf, size_t size, uint64_t run_id, uint32_t segno);
/* Parses a base name made by tp_log_seg_name; returns 0 and the run and segment, or -1. */
int tp_log_seg_parse_name(const char *base, uint64_t *run_id, uint32_t *segno);

#endif /* TP_LOGFMT_H */
