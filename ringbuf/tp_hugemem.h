/* Large, cache-line-aligned allocations backed by hugepages when the machine has any, with
 * a transparent fallback to ordinary pages. Used for rings and other big preallocated
 * tables, so TLB misses stay off the hot path where the machine allows it. */
#ifndef TP_HUGEMEM_H
#define TP_HUGEMEM_H

#include <stddef.h>

#define TP_HUGEMEM_F_NO_HUGE 0x1u /* skip hugepages, ordinary pages only */

struct tp_hugemem {
	void *addr;
	size_t len;   /* bytes actually mapped (rounded up to the page size used) */
	int huge;     /* 1 when the memory is hugepage-backed */
};

/* Allocates `len` zeroed bytes aligned to at least 64. Returns 0, or -ENOMEM. Setting the
 * environment variable TP_NO_HUGE=1 has the same effect as TP_HUGEMEM_F_NO_HUGE. */
int tp_hugemem_alloc(struct tp_hugemem *m, size_t len, unsigned flags);
void tp_hugemem_free(struct tp_hugemem *m);

/* 1 when libhugetlbfs is compiled in and a hugetlbfs mount with free pages is usable. */
int tp_hugemem_available(void);

#endif
