#include "netaddr.h"

#include <stdio.h>

/* Strict on purpose: a typo in a feed address must stop the start, not silently listen on
 * the wrong group. No leading zeros (they read as octal in some tools), no spaces. */
static int parse_dec(const char **p, unsigned max, unsigned *out)
{
	const char *s = *p;
	unsigned v = 0;
	int n = 0;
	while (*s >= '0' && *s <= '9') {
		if (n > 0 && v == 0)
			return -1; /* leading zero */
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return -1;
		s++;
		n++;
	}
	if (n == 0)
		return -1;
	*p = s;
	*out = v;
	return 0;
}

int tp_netaddr_parse(const char *s, uint32_t *ip, uint16_t *port, const char **why)
{
	const char *p = s;
	uint32_t a = 0;
	for (int i = 0; i < 4; i++) {
		unsigned o;
		if (parse_dec(&p, 255, &o) != 0) {
			*why = "expected ip:port with a dotted IPv4 address (a.b.c.d:port)";
			return -1;
		}
		a = a << 8 | o;
		if (i < 3) {
			if (*p != '.') {
				*why = "expected ip:port with a dotted IPv4 address (a.b.c.d:port)";
				return -1;
			}
			p++;
		}
	}
	if (*p != ':') {
		*why = "expected ip:port (the :port is missing)";
		return -1;
	}
	p++;
	unsigned pt;
	if (parse_dec(&p, 65535, &pt) != 0 || pt == 0 || *p != '\0') {
		*why = "port must be a number from 1 to 65535";
		return -1;
	}
	*ip = a;
	*port = (uint16_t)pt;
	return 0;
}

char *tp_netaddr_format(char *buf, size_t len, uint32_t ip, uint16_t port)
{
	snprintf(buf, len, "%u.%u.%u.%u:%u", ip >> 24, (ip >> 16) & 255u, (ip >> 8) & 255u,
		 ip & 255u, port);
	return buf;
}
