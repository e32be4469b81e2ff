/* CRC32C backends. See tp_crc32c.h. */
#include "tp_crc32c.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#define TP_CRC_X86 1
#else
#define TP_CRC_X86 0
#endif

#define TP_CRC32C_POLY 0x82F63B78u /* reflected Castagnoli */

/* ---- slicing-by-8 ------------------------------------------------------------------- */

/* tbl[k][b]: the CRC of byte b followed by k zero bytes. Built once at first use: 8 KiB that
 * would be noise as a literal in the source. */
static uint32_t tbl[8][256];
static pthread_once_t tbl_once = PTHREAD_ONCE_INIT;

static void tbl_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (TP_CRC32C_POLY & (0u - (c & 1u)));
		tbl[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int k = 1; k < 8; k++)
			tbl[k][i] = (tbl[k - 1][i] >> 8) ^ tbl[0][tbl[k - 1][i] & 0xffu];
}

uint32_t tp_crc32c_sw(uint32_t crc, const void *buf, size_t len)
{
	pthread_once(&tbl_once, tbl_init);
	const uint8_t *p = buf;
	uint32_t c = ~crc;
	while (len >= 8) {
		/* explicit little-endian assembly: the byte order the reflected CRC consumes */
		uint32_t lo = ((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24) ^ c;
		uint32_t hi = (uint32_t)p[4] | (uint32_t)p[5] << 8 | (uint32_t)p[6] << 16 |
			      (uint32_t)p[7] << 24;
		c = tbl[7][lo & 0xffu] ^ tbl[6][(lo >> 8) & 0xffu] ^ tbl[5][(lo >> 16) & 0xffu] ^
		    tbl[4][lo >> 24] ^ tbl[3][hi & 0xffu] ^ tbl[2][(hi >> 8) & 0xffu] ^
		    tbl[1][(hi >> 16) & 0xffu] ^ tbl[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len--)
		c = tbl[0][(c ^ *p++) & 0xffu] ^ (c >> 8);
	return ~c;
}

/* ---- SSE4.2 ------------------------------------------------------------------------- */

#if TP_CRC_X86
__attribute__((target("sse4.2"))) static uint32_t crc_hw(uint32_t crc, const uint8_t *p,
							size_t len)
{
	uint64_t c = (uint32_t)~crc;
	while (len >= 8) {
		uint64_t v;
		memcpy(&v, p, 8); /* unaligned load without UB */
		c = _mm_crc32_u64(c, v);
		p += 8;
		len -= 8;
	}
	uint32_t c32 = (uint32_t)c;
	while (len--)
		c32 = _mm_crc32_u8(c32, *p++);
	return ~c32;
}

int tp_crc32c_hw_available(void)
{
#if defined(__SSE4_2__)
	return 1;
#else
	/* 0 = not asked yet, 1 = no, 2 = yes; relaxed: every thread computes the same answer */
	static _Atomic int state;
	int s = atomic_load_explicit(&state, memory_order_relaxed);
	if (s == 0) {
		__builtin_cpu_init();
		s = __builtin_cpu_supports("sse4.2") ? 2 : 1;
		atomic_store_explicit(&state, s, memory_order_relaxed);
	}
	return s == 2;
#endif
}

uint32_t tp_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return crc_hw(crc, buf, len);
}

uint32_t tp_crc32c(uint32_t crc, const void *buf, size_t len)
{
#if defined(__SSE4_2__)
	return crc_hw(crc, buf, len);
#else
	if (__builtin_expect(tp_crc32c_hw_available(), 1))
		return crc_hw(crc, buf, len);
	return tp_crc32c_sw(crc, buf, len);
#endif
}

#else /* no x86-64 */

int tp_crc32c_hw_available(void) { return 0; }

uint32_t tp_crc32c_hw(uint32_t crc, const void *buf, size_t len)
{
	return tp_crc32c_sw(crc, buf, len);
}

uint32_t tp_crc32c(uint32_t crc, const void *buf, size_t len)
{
	return tp_crc32c_sw(crc, buf, len);
}

#endif
