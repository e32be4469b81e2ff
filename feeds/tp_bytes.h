/* Big-endian field access for wire formats (ITCH, MoldUDP64, IPv4/UDP, OUCH): unaligned-safe
 * loads and stores through memcpy, which compilers turn into one move plus a byte swap. */
#ifndef TP_BYTES_H
#define TP_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t tp_be16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	return v;
}

static inline uint32_t tp_be32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap32(v);
#endif
	return v;
}

static inline uint64_t tp_be64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	return v;
}

/* 6-byte field (the ITCH timestamp) as two loads that stay inside it: one 8-byte load would
 * touch two bytes beyond the field, which may lie past the end of the buffer. */
static inline uint64_t tp_be48(const uint8_t *p)
{
	return ((uint64_t)tp_be16(p) << 32) | tp_be32(p + 2);
}

static inline void tp_put_be16(uint8_t *p, uint16_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap16(v);
#endif
	memcpy(p, &v, sizeof v);
}

static inline void tp_put_be64(uint8_t *p, uint64_t v)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	v = __builtin_bswap64(v);
#endif
	memcpy(p, &v, sizeof v);
}

#endif
