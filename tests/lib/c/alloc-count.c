/* SPDX-License-Identifier: MIT */
/* Allocation counter (alloc-count.h): replaces malloc, calloc, realloc and the aligned
 * variants for the whole process and forwards to glibc's own entry points. */
#include "alloc-count.h"

#ifdef TEST_COUNT_ALLOCS
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t a, size_t b);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);

static atomic_int counting;    /* 0 off, 1 counting, 2 counting with breakdown */
static atomic_uint generation; /* bumped per window: invalidates the per-thread cache */
static atomic_ullong n_total, n_nice, n_srtp;
static unsigned long long trace_first; /* PARLEY_ALLOC_TRACE: stacks of the first N (breakdown) */
static __thread unsigned cached_generation;
static __thread int cached_media;
static __thread int in_hook;

static void classify(void)
{
    void *bt[32];
    int depth = backtrace(bt, 32);
    for (int i = 2; i < depth; i++) {
        Dl_info info;
        if (!dladdr(bt[i], &info) || !info.dli_fname)
            continue;
        if (strstr(info.dli_fname, "libsrtp2")) {
            atomic_fetch_add_explicit(&n_srtp, 1, memory_order_relaxed);
            return;
        }
        if (strstr(info.dli_fname, "libnice")) {
            atomic_fetch_add_explicit(&n_nice, 1, memory_order_relaxed);
            return;
        }
    }
}

static inline void note(void)
{
    int mode = atomic_load_explicit(&counting, memory_order_relaxed);
    if (!mode || in_hook)
        return;
    unsigned g = atomic_load_explicit(&generation, memory_order_relaxed);
    if (cached_generation != g) {
        char name[17] = "";
        prctl(PR_GET_NAME, name, 0, 0, 0);
        cached_media = strncmp(name, "media-", 6) == 0;
        cached_generation = g;
    }
    if (!cached_media)
        return;
    unsigned long long k = atomic_fetch_add_explicit(&n_total, 1, memory_order_relaxed);
    if (mode == 2) {
        in_hook = 1; /* backtrace() may allocate on its first call */
        classify();
        if (k < trace_first) {
            void *bt[24];
            int depth = backtrace(bt, 24);
            dprintf(2, "--- media-thread allocation %llu\n", k);
            backtrace_symbols_fd(bt, depth, 2);
        }
        in_hook = 0;
    }
}

void *malloc(size_t n)
{
    note();
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    note();
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    note();
    return __libc_realloc(p, n);
}

void *aligned_alloc(size_t align, size_t n)
{
    note();
    return __libc_memalign(align, n);
}

void *memalign(size_t align, size_t n)
{
    note();
    return __libc_memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    note();
    void *p = __libc_memalign(align, n);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

gboolean test_alloc_available(void)
{
    return TRUE;
}

void test_alloc_start(gboolean breakdown)
{
    if (breakdown) {
        const char *e = getenv("PARLEY_ALLOC_TRACE");
        trace_first = e ? strtoull(e, NULL, 10) : 0;
        void *bt[2];
        backtrace(bt, 2); /* loads libgcc_s now, not inside a hook */
    }
    atomic_store(&n_total, 0);
    atomic_store(&n_nice, 0);
    atomic_store(&n_srtp, 0);
    atomic_fetch_add(&generation, 1);
    atomic_store(&counting, breakdown ? 2 : 1);
}

void test_alloc_stop(TestAllocCounts *out)
{
    atomic_store(&counting, 0);
    out->total = atomic_load(&n_total);
    out->libnice = atomic_load(&n_nice);
    out->libsrtp = atomic_load(&n_srtp);
}

#else

gboolean test_alloc_available(void)
{
    return FALSE;
}

void test_alloc_start(gboolean breakdown)
{
}

void test_alloc_stop(TestAllocCounts *out)
{
    out->total = out->libnice = out->libsrtp = 0;
}

#endif
