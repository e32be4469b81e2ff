/* pcap writer with a small time-ordered queue in front of it.
 *
 * File format: classic pcap, nanosecond-resolution magic 0xa1b23c4d written little-endian,
 * version 2.4, snaplen 65535, link type 1 (Ethernet). Record times are `epoch_ns` + the
 * frame's time in ns since midnight of the ITCH day.
 *
 * Frames of the two lines, reordered packets, noise and malformed frames are produced a little
 * out of time order; the queue holds them until the caller promises nothing earlier will come
 * (tp_gen_pcap_flush_before) and writes them sorted by time, ties in queueing order, so the
 * record times of the file never go backwards. */
#ifndef TP_GEN_PCAP_OUT_H
#define TP_GEN_PCAP_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TP_GEN_PCAP_MAGIC_NS 0xa1b23c4du

struct tp_gen_pq_ent {
	uint64_t t;
	uint64_t order;
	uint8_t *frame;
	uint32_t len;
};

struct tp_gen_pcap {
	FILE *f;
	uint64_t epoch_ns;
	uint64_t frames;       /* records written */
	int err;               /* first error: nonzero once a write or an allocation failed */
	struct tp_gen_pq_ent *q;
	size_t qn, qcap;
	uint8_t **spare;       /* free frame buffers */
	size_t nspare, spare_cap;
	uint64_t order;
};

/* Writes the global header. Returns 0 or -1. */
int tp_gen_pcap_open(struct tp_gen_pcap *p, FILE *f, uint64_t epoch_ns);
/* A TP_GEN_FRAME_MAX-byte buffer to build one frame in; NULL (and p->err set) when memory is
 * short. Give it back with tp_gen_pcap_queue or tp_gen_pcap_release. */
uint8_t *tp_gen_pcap_slot(struct tp_gen_pcap *p);
void tp_gen_pcap_release(struct tp_gen_pcap *p, uint8_t *frame);
/* Queues a frame built in a slot, at time t_ns (since midnight). */
void tp_gen_pcap_queue(struct tp_gen_pcap *p, uint8_t *frame, size_t len, uint64_t t_ns);
/* Writes every queued frame earlier than t_ns. Returns 0 or -1. */
int tp_gen_pcap_flush_before(struct tp_gen_pcap *p, uint64_t t_ns);
/* Writes everything still queued. Returns 0 or -1. */
int tp_gen_pcap_finish(struct tp_gen_pcap *p);
/* Frees the queue (the FILE stays the caller's). */
void tp_gen_pcap_free(struct tp_gen_pcap *p);

#endif
