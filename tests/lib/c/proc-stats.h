/* SPDX-License-Identifier: MIT */
/* What this process (or another) costs, from /proc: CPU time of threads by name, resident
 * size, and the machine's load, for the media-plane tests' figures and the benchmarks. Any
 * thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CPU time (ns) of this process's threads whose name starts with @prefix, summed
 * (/proc/self/task/<tid>/schedstat: time on CPU). When @per_thread is not NULL, each thread's
 * figure is stored there (up to @max entries, in directory order) with its name in @names
 * (16 bytes each); *@n_threads gets how many. *@wait_ns (if not NULL) gets the summed time
 * those threads were runnable but waiting for a CPU (schedstat's second field). */
guint64 test_threads_cpu_ns(const char *prefix, guint64 *per_thread, char (*names)[16], guint max,
                            guint *n_threads, guint64 *wait_ns);
/* Resident set size of this process in kB (-1 if unknown). */
long test_rss_kb(void);
/* CPU time (ns) of every thread of process @pid, summed (schedstat: exact, unlike the clock
 * ticks of /proc/<pid>/stat); 0 if it is gone. *@wait_ns as above. */
guint64 test_process_cpu_ns(int pid, guint64 *wait_ns);
/* Resident set size of process @pid in kB (-1 if unknown). */
long test_process_rss_kb(int pid);
/* Open file descriptors of process @pid (/proc/<pid>/fd entries; -1 if unknown). */
int test_process_fds(int pid);
/* The 1-minute load average (-1 if unknown). */
double test_loadavg(void);

G_END_DECLS
