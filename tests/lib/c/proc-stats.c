/* SPDX-License-Identifier: MIT */
/* /proc readers (see proc-stats.h). */
#include "proc-stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static gboolean read_small(const char *path, char *buf, gsize cap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return FALSE;
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0)
        return FALSE;
    buf[n] = 0;
    return TRUE;
}

guint64 test_threads_cpu_ns(const char *prefix, guint64 *per_thread, char (*names)[16], guint max,
                            guint *n_threads, guint64 *wait_ns)
{
    guint64 total = 0, wait = 0;
    guint n = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[96], comm[64], stat[128];
        g_snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        if (!read_small(path, comm, sizeof comm) || strncmp(comm, prefix, strlen(prefix)) != 0)
            continue;
        g_snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", e->d_name);
        if (!read_small(path, stat, sizeof stat))
            continue;
        char *rest = NULL;
        guint64 ns = g_ascii_strtoull(stat, &rest, 10);
        total += ns;
        wait += g_ascii_strtoull(rest, NULL, 10);
        if (per_thread && n < max) {
            per_thread[n] = ns;
            g_strlcpy(names[n], g_strchomp(comm), 16);
        }
        n++;
    }
    if (d)
        closedir(d);
    if (n_threads)
        *n_threads = MIN(n, max);
    if (wait_ns)
        *wait_ns = wait;
    return total;
}

guint64 test_process_cpu_ns(int pid, guint64 *wait_ns)
{
    guint64 total = 0, wait = 0;
    char dir[64];
    g_snprintf(dir, sizeof dir, "/proc/%d/task", pid);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        char path[128], stat[128];
        g_snprintf(path, sizeof path, "%s/%s/schedstat", dir, e->d_name);
        if (!read_small(path, stat, sizeof stat))
            continue;
        char *rest = NULL;
        total += g_ascii_strtoull(stat, &rest, 10);
        wait += g_ascii_strtoull(rest, NULL, 10);
    }
    if (d)
        closedir(d);
    if (wait_ns)
        *wait_ns = wait;
    return total;
}

long test_process_rss_kb(int pid)
{
    char path[64], buf[4096];
    g_snprintf(path, sizeof path, "/proc/%d/status", pid);
    if (!read_small(path, buf, sizeof buf))
        return -1;
    const char *p = strstr(buf, "VmRSS:");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

int test_process_fds(int pid)
{
    char path[64];
    g_snprintf(path, sizeof path, "/proc/%d/fd", pid);
    GDir *dir = g_dir_open(path, 0, NULL);
    if (!dir)
        return -1;
    int n = 0;
    while (g_dir_read_name(dir))
        n++;
    g_dir_close(dir);
    return n;
}

long test_rss_kb(void)
{
    char buf[4096];
    if (!read_small("/proc/self/status", buf, sizeof buf))
        return -1;
    const char *p = strstr(buf, "VmRSS:");
    return p ? strtol(p + 6, NULL, 10) : -1;
}

double test_loadavg(void)
{
    char buf[128];
    if (!read_small("/proc/loadavg", buf, sizeof buf))
        return -1;
    return g_ascii_strtod(buf, NULL);
}
