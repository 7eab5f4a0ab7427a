/* SPDX-License-Identifier: MIT */
/* FocusApp: parley-focus assembled: the component connection built from the config, the
 * core (core.h) on its FocusLink, fed every stanza the component receives and its connection
 * news, and the HTTP server of /about/health and /metrics (focus/http), polled by the same
 * loop. The service manager (systemd Type=notify) hears READY=1 once the component
 * connection is first up, and STATUS= lines as it comes and goes (common/sd-notify.h).
 *
 * Thread: one thread, which calls focus_app_iterate() (or focus_app_run(), which loops until
 * SIGINT/SIGTERM). The app owns the component, the core (and so everything below them) and
 * the HTTP server. */
#pragma once

#include "focus/core.h"
#include "focus/focus-config.h"
#include "focus/rooms/registry.h"
#include "focus/xmpp/component.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FocusApp FocusApp;

/* Knobs tests turn; production uses zeros (= defaults). */
typedef struct {
    guint keepalive_ms;       /* 0: 30 s; G_MAXUINT: no keepalive */
    guint backoff_initial_ms; /* 0: 500 ms */
    guint backoff_max_ms;     /* 0: 30 s */
} FocusAppOptions;

/* @cfg must stay valid for the app's lifetime. @opt may be NULL. No HTTP server yet. */
FocusApp *focus_app_new(const FocusConfig *cfg, const FocusAppOptions *opt);
/* Starts the HTTP server on cfg->http_address and cfg->http_port (nothing when the port is
 * 0). FALSE with @error when it cannot listen. */
gboolean focus_app_listen_http(FocusApp *app, GError **error);
/* The HTTP server's port, or 0 when there is none. */
guint16 focus_app_http_port(FocusApp *app);
void focus_app_free(FocusApp *app);

void focus_app_start(FocusApp *app);
void focus_app_iterate(FocusApp *app, guint max_wait_ms);
/* Leaves every room, closes the stream (waiting at most @timeout_ms). */
void focus_app_stop(FocusApp *app, guint timeout_ms);

FocusComponent *focus_app_component(FocusApp *app);
FocusCore *focus_app_core(FocusApp *app);
FocusRegistry *focus_app_registry(FocusApp *app);

/* Runs until SIGINT or SIGTERM, then stops cleanly. Returns the process exit code. */
int focus_app_run(const FocusConfig *cfg);

G_END_DECLS
