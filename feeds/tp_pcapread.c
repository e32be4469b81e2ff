#include "tp_pcapread.h"

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tp_pcapread {
	pcap_t *p;
	uint64_t frames;
	char path[256];
	char err[PCAP_ERRBUF_SIZE + 300];
};

struct tp_pcapread *tp_pcapread_open(const char *path, char *err, size_t errlen)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	/* Asking for nanosecond precision makes libpcap scale microsecond files for us, so the
	 * caller sees one unit whatever the file's magic says. */
	pcap_t *p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_NANO, ebuf);
	if (!p) {
		if (err && errlen) {
			/* libpcap already names the file in some messages but not all; say it once. */
			size_t pl = strlen(path);
			if (strncmp(ebuf, path, pl) == 0 && ebuf[pl] == ':')
				snprintf(err, errlen, "%s", ebuf);
			else
				snprintf(err, errlen, "%s: %s", path, ebuf[0] ? ebuf : "cannot open");
		}
		return NULL;
	}
	struct tp_pcapread *r = calloc(1, sizeof(*r));
	if (!r) {
		pcap_close(p);
		if (err && errlen)
			snprintf(err, errlen, "%s: out of memory", path);
		return NULL;
	}
	r->p = p;
	snprintf(r->path, sizeof(r->path), "%s", path);
	return r;
}

int tp_pcapread_next(struct tp_pcapread *r, struct tp_pcap_frame *f)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	int rc = pcap_next_ex(r->p, &h, &data);
	if (rc == PCAP_ERROR_BREAK)
		return 0;
	if (rc != 1) {
		snprintf(r->err, sizeof(r->err), "%s: corrupt after %llu frames: %s", r->path,
			 (unsigned long long)r->frames, pcap_geterr(r->p));
		return -1;
	}
	uint64_t sec = h->ts.tv_sec < 0 ? 0 : (uint64_t)h->ts.tv_sec;
	uint64_t frac = h->ts.tv_usec < 0 ? 0 : (uint64_t)h->ts.tv_usec; /* ns, see open */
	f->data = data;
	f->caplen = h->caplen;
	f->wirelen = h->len;
	f->ts_ns = sec * 1000000000u + frac;
	r->frames++;
	return 1;
}

const char *tp_pcapread_error(const struct tp_pcapread *r) { return r->err; }
int tp_pcapread_linktype(const struct tp_pcapread *r) { return pcap_datalink(r->p); }
uint64_t tp_pcapread_frames(const struct tp_pcapread *r) { return r->frames; }

void tp_pcapread_close(struct tp_pcapread *r)
{
	if (!r)
		return;
	pcap_close(r->p);
	free(r);
}
