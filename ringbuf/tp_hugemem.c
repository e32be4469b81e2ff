#include "tp_hugemem.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#ifdef TP_HAVE_HUGETLBFS
#include <hugetlbfs.h>
#endif

static int env_says_no_huge(void)
{
	const char *v = getenv("TP_NO_HUGE");
	return v && *v && strcmp(v, "0") != 0;
}

#ifdef TP_HAVE_HUGETLBFS
/* libhugetlbfs has no call for the free count of the pool; the kernel publishes it. */
static long free_huge_pages_count(long hp)
{
	char path[128];
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%ldkB/free_hugepages",
		 hp / 1024);
	FILE *f = fopen(path, "r");
	if (!f)
		return 0;
	long n = 0;
	if (fscanf(f, "%ld", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}
#endif

int tp_hugemem_available(void)
{
#ifdef TP_HAVE_HUGETLBFS
	long hp = gethugepagesize();
	if (hp <= 0 || hugetlbfs_find_path() == NULL)
		return 0;
	/* A mount alone is not enough: the pool may have no free pages. */
	return free_huge_pages_count(hp) > 0 ? 1 : 0;
#else
	return 0;
#endif
}

static size_t round_up(size_t v, size_t to) { return (v + to - 1) / to * to; }

int tp_hugemem_alloc(struct tp_hugemem *m, size_t len, unsigned flags)
{
	memset(m, 0, sizeof(*m));
	if (len == 0)
		len = 1;
#ifdef TP_HAVE_HUGETLBFS
	if (!(flags & TP_HUGEMEM_F_NO_HUGE) && !env_says_no_huge() && tp_hugemem_available()) {
		size_t hp = (size_t)gethugepagesize();
		size_t want = round_up(len, hp);
		/* Ask only when the pool can hold it: libhugetlbfs prints a warning on every
		 * failed mapping, and a shared pool running dry is an ordinary event here. */
		if ((long)(want / hp) > free_huge_pages_count((long)hp))
			goto normal;
		/* GHP_DEFAULT: no fallback inside the library, we do our own below. */
		void *p = get_huge_pages(want, GHP_DEFAULT);
		if (p) {
			/* no memset: a fresh hugetlbfs mapping is zero-filled by the kernel on first
			 * touch, and touching it all here would make big tables resident at once */
			m->addr = p;
			m->len = want;
			m->huge = 1;
			return 0;
		}
	}
normal:;
#else
	(void)flags;
	(void)env_says_no_huge;
#endif
	size_t pg = (size_t)sysconf(_SC_PAGESIZE);
	size_t want = round_up(len, pg);
	void *p = mmap(NULL, want, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	m->addr = p; /* page-aligned and zero-filled by the kernel */
	m->len = want;
	m->huge = 0;
	return 0;
}

void tp_hugemem_free(struct tp_hugemem *m)
{
	if (!m || !m->addr)
		return;
#ifdef TP_HAVE_HUGETLBFS
	if (m->huge) {
		free_huge_pages(m->addr);
		m->addr = NULL;
		return;
	}
#endif
	munmap(m->addr, m->len);
	m->addr = NULL;
}
