/* SPDX-License-Identifier: MIT */
/* The bridge's control plane: ties the media plane, the XMPP connection (brewery presence,
 * conference-modify, healthcheck), the allocation registry and the HTTP server together.
 *
 * Thread: the control thread. bridge_control_new() must be called with @context pushed as the
 * thread-default context; every callback of the pieces it owns runs on @context. */
#pragma once

#include <glib.h>

#include "bridge/control/config.h"

G_BEGIN_DECLS

typedef struct _BridgeControl BridgeControl;

/* Checks that ice.addresses are local (PA_CONFIG_ERROR otherwise), starts the media workers
 * and the HTTP server; logs the SRTP backend, its measured speed and
 * the DTLS fingerprint. @cfg must outlive the returned object. NULL with @error when a piece
 * cannot start (bad address, port in use, no certificate). (transfer full) */
BridgeControl *bridge_control_new(const BridgeConfig *cfg, GMainContext *context, GError **error);
/* Leaves the brewery, expires everything, stops the workers. */
void bridge_control_free(BridgeControl *c);

/* Connects to the XMPP server (and keeps reconnecting). */
void bridge_control_start(BridgeControl *c);

/* Graceful shutdown: new conferences are refused (GRACEFUL_SHUTDOWN), the brewery hears
 * graceful_shutdown=true at once, and @done runs (on the control thread) when the last
 * conference has ended; immediately if there is none. */
void bridge_control_graceful_shutdown(BridgeControl *c, GSourceFunc done, gpointer user_data);

/* TRUE when the bridge can take conferences; else FALSE and *@reason (transfer full). */
gboolean bridge_control_healthy(BridgeControl *c, char **reason);

/* @fn hears every change of that verdict (@reason NULL when healthy), on the control thread,
 * as the health checks see it (bridge/http); it is called at once with the current one. */
typedef void (*BridgeControlHealthFunc)(gboolean ok, const char *reason, gpointer user_data);
void bridge_control_set_health_listener(BridgeControl *c, BridgeControlHealthFunc fn,
                                        gpointer user_data);

G_END_DECLS
