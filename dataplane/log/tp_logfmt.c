/* Names, checksums and file names of the log format. See tp_logfmt.h. */
#include "tp_logfmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "tp_crc32c.h"

/* The event payload is a struct tp_event copied with one memcpy: the layouts must agree. */
#define TP_SAME_FIELD(f)                                                                   \
	_Static_assert(offsetof(struct tp_log_event, f) == offsetof(struct tp_event, f) &&   \
			       sizeof(((struct tp_log_event *)0)->f) ==                      \
				       sizeof(((struct tp_event *)0)->f),                    \
		       "tp_log_event." #f " must match tp_event." #f)
TP_SAME_FIELD(kind);
TP_SAME_FIELD(msg_type);
TP_SAME_FIELD(side);
TP_SAME_FIELD(flags);
TP_SAME_FIELD(stock_locate);
TP_SAME_FIELD(feed_id);
TP_SAME_FIELD(exch_ts_ns);
TP_SAME_FIELD(rx_tsc);
TP_SAME_FIELD(seq);
TP_SAME_FIELD(order_ref);
TP_SAME_FIELD(price);
TP_SAME_FIELD(qty);
TP_SAME_FIELD(bid_px);
TP_SAME_FIELD(bid_qty);
TP_SAME_FIELD(ask_px);
TP_SAME_FIELD(ask_qty);

static const char *const type_names[TP_LOG_NTYPES] = {
	[TP_LOG_EVENT] = "event", [TP_LOG_ALERT] = "alert",   [TP_LOG_HALT] = "halt",
	[TP_LOG_ORDER] = "order", [TP_LOG_FILL] = "fill",     [TP_LOG_REJECT] = "reject",
	[TP_LOG_STATS] = "stats", [TP_LOG_AUDIT] = "audit",   [TP_LOG_NOTE] = "note",
	[TP_LOG_DROP] = "drop",   [TP_LOG_SYMBOL] = "symbol",
};

const char *tp_log_type_name(unsigned type)
{
	return type < TP_LOG_NTYPES ? type_names[type] : NULL;
}

unsigned tp_log_type_from_name(const char *name)
{
	for (unsigned t = 1; t < TP_LOG_NTYPES; t++)
		if (type_names[t] && strcasecmp(name, type_names[t]) == 0)
			return t;
	if (*name < '0' || *name > '9')
		return 0;
	char *end;
	unsigned long v = strtoul(name, &end, 10);
	return (*end == '\0' && v >= 1 && v <= 255) ? (unsigned)v : 0;
}

uint32_t tp_log_rec_crc(const void *rec, uint32_t len)
{
	return tp_crc32c(0, (const uint8_t *)rec + 4, len - 4);
}

uint32_t tp_log_seg_hdr_crc(const struct tp_log_seg_hdr *h)
{
	return tp_crc32c(0, h, offsetof(struct tp_log_seg_hdr, crc));
}

uint64_t tp_log_wall_ns(const struct tp_log_seg_hdr *seg, uint64_t tsc)
{
	if (!seg || seg->tsc_hz == 0 || tsc == 0 || seg->created_ns == 0)
		return 0;
	/* Signed: records reserved just before a rotation carry a TSC older than the anchor of
	 * the segment they land in. 128-bit: hours of ticks times 1e9 overflow 64 bits. */
	__int128 d = (__int128)(int64_t)(tsc - seg->created_tsc);
	__int128 w = (__int128)seg->created_ns + d * 1000000000 / (__int128)seg->tsc_hz;
	return w > 0 ? (uint64_t)w : 0;
}

int tp_log_seg_name(char *buf, size_t size, uint64_t run_id, uint32_t segno)
{
	time_t secs = (time_t)(run_id / 1000000000u);
	struct tm tm;
	if (!gmtime_r(&secs, &tm))
		return -1;
	int n = snprintf(buf, size, TP_LOG_SEG_PREFIX "%04d%02d%02dT%02d%02d%02d.%09uZ-%06u"
				    TP_LOG_SEG_SUFFIX,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (unsigned)(run_id % 1000000000u), segno);
	return (n < 0 || (size_t)n >= size) ? -1 : n;
}

int tp_log_seg_parse_name(const char *base, uint64_t *run_id, uint32_t *segno)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	unsigned frac, seg;
	int end = 0;
	/* fixed widths: exactly what tp_log_seg_name writes, nothing looser */
	if (sscanf(base, TP_LOG_SEG_PREFIX "%4d%2d%2dT%2d%2d%2d.%9uZ-%u" TP_LOG_SEG_SUFFIX "%n",
		   &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec,
		   &frac, &seg, &end) != 8 ||
	    end == 0 || base[end] != '\0' || frac >= 1000000000u)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	time_t secs = timegm(&tm);
	if (secs < 0)
		return -1;
	*run_id = (uint64_t)secs * 1000000000u + frac;
	*segno = seg;
	return 0;
}
