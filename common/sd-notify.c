/* SPDX-License-Identifier: MIT */
/* No state (see sd-notify.h). */
#include "common/sd-notify.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int pa_sd_notify(const char *state)
{
    g_return_val_if_fail(state, -EINVAL);
    const char *path = g_getenv("NOTIFY_SOCKET");
    if (!path || !*path)
        return 0;
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t n = strlen(path);
    if ((path[0] != '/' && path[0] != '@') || n < 2 || n >= sizeof sa.sun_path)
        return -EINVAL;
    memcpy(sa.sun_path, path, n);
    /* Abstract namespace: a leading NUL instead of '@', and the length says where it ends. */
    if (path[0] == '@')
        sa.sun_path[0] = '\0';
    socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));

    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    ssize_t sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&sa, len);
    int err = sent < 0 ? errno : 0;
    close(fd);
    return err ? -err : 1;
}

int pa_sd_notifyf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *state = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    return pa_sd_notify(state);
}
