/* libFuzzer target: bytes -> Ethernet/IPv4/UDP parse -> MoldUDP64 parse -> A/B arbitration.
 *
 * Input: byte 0 picks the reorder bound (1..8 packets), byte 1 the window; then records
 *   flags u8      bit 0: line; bit 1: wrap the bytes in a valid Eth/IPv4/UDP frame (so the
 *                 arbiter sees plenty of well-formed Mold); bit 2: VLAN tag when wrapping;
 *                 bits 3..7: time step (x 16 ns) before this record
 *   len   u16 BE  record length (cut to what is left); 0 = a tick instead of a packet
 *   bytes
 * Each packet lives in its own exact-size heap buffer, freed right after the drain, so a read
 * past its end or after the arbiter should have copied it is caught by ASan.
 *
 * Beyond "no crash", the target checks what the arbiter promises: output in strict sequence
 * order (messages and gaps tile the sequence space), every accepted message delivered once or
 * counted duplicate, and counters that match what came out. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mold_testutil.h"
#include "tp_arb.h"
#include "tp_mold.h"
#include "tp_netparse.h"

struct outcheck {
	uint64_t next;      /* sequence the next item must start at; valid once `started` */
	int started;
	uint64_t msgs, gaps, missing;
};

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void drain(struct tp_arb *a, struct outcheck *oc)
{
	struct tp_arb_item it;
	enum tp_arb_kind k;
	while ((k = tp_arb_next(a, &it)) != TP_ARB_NONE) {
		if (oc->started)
			check(it.seq == oc->next);
		oc->started = 1;
		if (k == TP_ARB_MSG) {
			check(it.count == 1 && it.line <= 1);
			/* Touch every byte so ASan checks the pointer. */
			volatile uint8_t sink = 0;
			for (uint16_t i = 0; i < it.len; i++)
				sink ^= it.msg[i];
			(void)sink;
			oc->msgs++;
			oc->next = it.seq + 1;
		} else {
			check(k == TP_ARB_GAP && it.count > 0);
			oc->gaps++;
			oc->missing += it.count;
			oc->next = it.seq + it.count;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	struct tp_arb_params prm = {
		.max_pkts = 1u + (data[0] & 7u),
		.window_ns = 16u * (1u + data[1]),
		.max_pkt_bytes = (data[0] & 8u) ? 64u : 0u, /* sometimes tiny: oversize path */
	};
	struct tp_arb *a = tp_arb_create(&prm);
	if (!a)
		return 0;
	struct outcheck oc = { 0 };
	uint64_t now = 1000, accepted_msgs = 0;
	size_t off = 2;

	while (off < size) {
		uint8_t flags = data[off++];
		size_t len = 0;
		if (size - off >= 2) {
			len = (size_t)data[off] << 8 | data[off + 1];
			off += 2;
		} else {
			off = size;
		}
		if (len > size - off)
			len = size - off;
		const uint8_t *rec = data + off;
		off += len;
		now += 16u * (flags >> 3);
		if (len == 0) {
			tp_arb_tick(a, now);
			drain(a, &oc);
			continue;
		}

		uint8_t *frame;
		size_t flen;
		if (flags & 2) {
			struct tu_frame_opts o = { .vlan = (flags & 4) ? 141 : -1 };
			uint8_t *tmp = malloc(18 + 20 + 8 + len);
			flen = tu_frame(tmp, rec, len, &o);
			frame = malloc(flen);
			memcpy(frame, tmp, flen);
			free(tmp);
		} else {
			frame = malloc(len);
			memcpy(frame, rec, len);
			flen = len;
		}

		struct tp_net_udp u;
		if (tp_netparse(frame, flen, &u) == TP_NET_OK) {
			check(u.payload >= frame && u.payload + u.payload_len <= frame + flen);
			struct tp_mold_pkt p;
			uint16_t count = 0;
			if (tp_mold_parse(u.payload, u.payload_len, &p) == TP_MOLD_OK) {
				struct tp_mold_iter it;
				const uint8_t *m;
				uint16_t l;
				unsigned n = 0;
				tp_mold_iter_init(&it, &p);
				while (tp_mold_iter_next(&it, &m, &l))
					n++;
				check(n == p.count);
				count = p.count;
			}
			enum tp_arb_push_rc rc =
				tp_arb_push(a, u.payload, u.payload_len, flags & 1, now);
			if (rc == TP_ARB_IN_ORDER || rc == TP_ARB_BUFFERED || rc == TP_ARB_DUPLICATE)
				accepted_msgs += count;
			drain(a, &oc);
		}
		free(frame);
	}

	tp_arb_finish(a);
	drain(a, &oc);
	const struct tp_arb_stats *st = tp_arb_stats(a);
	check(tp_arb_waiting(a) == 0);
	check(st->messages + st->duplicates == accepted_msgs);
	check(st->messages == oc.msgs);
	check(st->gap_events == oc.gaps);
	check(st->messages_missing == oc.missing);
	check(st->gaps_by_time + st->gaps_by_space + st->gaps_at_finish == st->gap_events);
	tp_arb_free(a);
	return 0;
}
