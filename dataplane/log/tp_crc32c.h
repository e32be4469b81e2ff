/* CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of every log record.
 *
 * Chained like zlib's crc32: start from 0 and pass each result back in, so
 * tp_crc32c(tp_crc32c(0, a, n), b, m) == tp_crc32c(0, a ++ b, n + m).
 *
 * The backend is the SSE4.2 crc32 instruction when the build targets it (__SSE4_2__), else
 * on x86-64 the same instruction behind a one-time CPU check, else slicing-by-8 tables.
 */
#ifndef TP_CRC32C_H
#define TP_CRC32C_H

#include <stddef.h>
#include <stdint.h>

uint32_t tp_crc32c(uint32_t crc, const void *buf, size_t len);

/* The two backends, for tests and benchmarks. tp_crc32c_hw must only be called when
 * tp_crc32c_hw_available() says so. */
uint32_t tp_crc32c_sw(uint32_t crc, const void *buf, size_t len);
uint32_t tp_crc32c_hw(uint32_t crc, const void *buf, size_t len);
int tp_crc32c_hw_available(void);

#endif /* TP_CRC32C_H */
