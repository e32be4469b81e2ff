/* Frames of a capture file, with timestamps in nanoseconds whatever the file's precision.
 * A thin layer over libpcap's offline reader for tests and tools (pcap and pcapng); the live
 * pipeline reads captures through DPDK's net_pcap instead. Not for the hot path. */
#ifndef TP_PCAPREAD_H
#define TP_PCAPREAD_H

#include <stddef.h>
#include <stdint.h>

struct tp_pcapread;

struct tp_pcap_frame {
	const uint8_t *data;   /* valid until the next tp_pcapread_next() or close */
	uint32_t caplen;       /* bytes in data */
	uint32_t wirelen;      /* bytes on the wire (> caplen when the capture was cut short) */
	uint64_t ts_ns;        /* capture time, ns since the epoch */
};

/* NULL on failure, with a one-line reason in err ("PATH: No such file or directory",
 * "PATH: not a capture file (...)"). */
struct tp_pcapread *tp_pcapread_open(const char *path, char *err, size_t errlen);
/* 1: *f is the next frame; 0: end of file; -1: corrupt or truncated file, see
 * tp_pcapread_error(). */
int tp_pcapread_next(struct tp_pcapread *r, struct tp_pcap_frame *f);
const char *tp_pcapread_error(const struct tp_pcapread *r);
/* The capture's link type (DLT_*; 1 = Ethernet). */
int tp_pcapread_linktype(const struct tp_pcapread *r);
/* Frames returned so far. */
uint64_t tp_pcapread_frames(const struct tp_pcapread *r);
void tp_pcapread_close(struct tp_pcapread *r);

#endif
