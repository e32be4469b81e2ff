/* IPv4 "a.b.c.d:port" text <-> numbers, for the config file and the reports. */
#ifndef TP_DP_NETADDR_H
#define TP_DP_NETADDR_H

#include <stddef.h>
#include <stdint.h>

/* Parses "a.b.c.d:port" (port 1..65535) into host byte order. Returns 0, or -1 with a
 * reason in `why` (a static string). */
int tp_netaddr_parse(const char *s, uint32_t *ip, uint16_t *port, const char **why);
/* Formats into buf (at least 22 bytes) and returns buf. */
char *tp_netaddr_format(char *buf, size_t len, uint32_t ip, uint16_t port);

#endif
