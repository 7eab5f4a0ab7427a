/* SPDX-License-Identifier: MIT */
/* Telling the service manager how the process is doing: systemd's notification protocol
 * (sd_notify(3)), written out here instead of linking libsystemd. The protocol is one
 * datagram of newline-separated KEY=VALUE lines ("READY=1", "STATUS=...", "STOPPING=1") sent
 * to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or '@' for the abstract namespace).
 * systemd documents it as stable for reimplementation; doing it by hand costs 60 lines,
 * keeps the programs free of a libsystemd dependency, and lets tests listen on a socket of
 * their own.
 *
 * No state: each call opens, sends and closes. Safe from any thread. Outside systemd
 * (no $NOTIFY_SOCKET) every call does nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends @state ("READY=1\nSTATUS=connected"). Returns 1 when sent, 0 when there is no
 * $NOTIFY_SOCKET, or a negative errno (a bad socket address is -EINVAL). */
int pa_sd_notify(const char *state);
/* The same with a printf format. */
int pa_sd_notifyf(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

G_END_DECLS
