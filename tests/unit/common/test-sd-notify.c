/* SPDX-License-Identifier: MIT */
/* The service-manager notification (common/sd-notify.h): what a listener on $NOTIFY_SOCKET
 * receives, on a socket path and in the abstract namespace, and that nothing happens (and
 * nothing breaks) without one. Runs in its own network namespace (abstract AF_UNIX names
 * belong to it). */
#include "common/sd-notify.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A datagram socket bound to @name ("/path" or "@abstract"); returns the fd. */
static int listen_on(const char *name)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strlen(name);
    memcpy(sa.sun_path, name, n);
    if (name[0] == '@')
        sa.sun_path[0] = '\0';
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (name[0] == '/'));
    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, len), ==, 0);
    return fd;
}

static char *receive(int fd)
{
    char buf[512];
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    g_assert_cmpint(n, >, 0);
    buf[n] = '\0';
    return g_strdup(buf);
}

static void test_path_socket(void)
{
    g_autofree char *dir = g_dir_make_tmp("sd-notify-XXXXXX", NULL);
    g_assert_nonnull(dir);
    g_autofree char *path = g_build_filename(dir, "notify", NULL);
    int fd = listen_on(path);
    g_setenv("NOTIFY_SOCKET", path, TRUE);

    g_assert_cmpint(pa_sd_notify("READY=1\nSTATUS=connected"), ==, 1);
    g_autofree char *got = receive(fd);
    g_assert_cmpstr(got, ==, "READY=1\nSTATUS=connected");

    g_assert_cmpint(pa_sd_notifyf("STATUS=%u rooms", 3u), ==, 1);
    g_autofree char *got2 = receive(fd);
    g_assert_cmpstr(got2, ==, "STATUS=3 rooms");

    close(fd);
    unlink(path);
    /* The listener is gone: the error comes back, nothing crashes. */
    g_assert_cmpint(pa_sd_notify("STATUS=x"), <, 0);
    g_rmdir(dir);
    g_unsetenv("NOTIFY_SOCKET");
}

static void test_abstract_socket(void)
{
    g_autofree char *name = g_strdup_printf("@parley-sd-notify-test-%d", (int)getpid());
    int fd = listen_on(name);
    g_setenv("NOTIFY_SOCKET", name, TRUE);
    g_assert_cmpint(pa_sd_notify("STOPPING=1"), ==, 1);
    g_autofree char *got = receive(fd);
    g_assert_cmpstr(got, ==, "STOPPING=1");
    close(fd);
    g_unsetenv("NOTIFY_SOCKET");
}

static void test_without_systemd(void)
{
    g_unsetenv("NOTIFY_SOCKET");
    g_assert_cmpint(pa_sd_notify("READY=1"), ==, 0);
    g_setenv("NOTIFY_SOCKET", "", TRUE);
    g_assert_cmpint(pa_sd_notify("READY=1"), ==, 0);
    /* Not a path and not abstract; and too long for sun_path. */
    g_setenv("NOTIFY_SOCKET", "relative/path", TRUE);
    g_assert_cmpint(pa_sd_notify("READY=1"), ==, -EINVAL);
    g_autofree char *long_path = g_strnfill(200, 'x');
    long_path[0] = '/';
    g_setenv("NOTIFY_SOCKET", long_path, TRUE);
    g_assert_cmpint(pa_sd_notify("READY=1"), ==, -EINVAL);
    g_unsetenv("NOTIFY_SOCKET");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sd-notify/path-socket", test_path_socket);
    g_test_add_func("/sd-notify/abstract-socket", test_abstract_socket);
    g_test_add_func("/sd-notify/without-systemd", test_without_systemd);
    return g_test_run();
}
