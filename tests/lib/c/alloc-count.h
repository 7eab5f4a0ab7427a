/* SPDX-License-Identifier: MIT */
/* Heap allocation counter for the media-plane tests and the benchmarks: counts malloc-family
 * calls made on threads whose name starts with "media-" (the bridge's workers) while counting
 * is on. Linking it replaces malloc for the whole process. It counts only when built with
 * TEST_COUNT_ALLOCS (glibc, no sanitizer: sanitizers bring their own malloc; meson defines it
 * then); otherwise test_alloc_available() is FALSE and the counts stay 0.
 *
 * Threads: start/stop from any one thread; the counters are atomics. A thread's "is it a
 * media worker" answer is cached on its first allocation inside a counting window, so
 * counting must start after the workers have named themselves (GLib names a thread when it
 * starts). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    guint64 total;   /* on media-* threads */
    guint64 libnice; /* of which with libnice on the stack (only with breakdown) */
    guint64 libsrtp; /* of which with libsrtp2 on the stack (only with breakdown) */
} TestAllocCounts;

gboolean test_alloc_available(void);
/* @breakdown: also attribute each allocation to libnice / libsrtp2 from its call stack
 * (backtrace + dladdr: microseconds per allocation, so it inflates CPU figures). With
 * breakdown, the environment variable PARLEY_ALLOC_TRACE=N prints the call stacks of the
 * window's first N allocations to stderr. */
void test_alloc_start(gboolean breakdown);
void test_alloc_stop(TestAllocCounts *out);

G_END_DECLS
