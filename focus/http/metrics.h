/* SPDX-License-Identifier: MIT */
/* What the focus's HTTP server answers (docs/deployment.md, "Health and metrics"):
 *   /about/health  200 "ok" when the focus can run meetings: connected to the XMPP server, in
 *                  the brewery, and at least one bridge can take a new conference; else 503
 *                  "unhealthy: <reason>"
 *   /metrics       the focus's gauges and counters in the Prometheus text format (0.0.4):
 *                  rooms, participants, Jingle sessions by state, bridges and their load,
 *                  conference requests by result, re-invites, lobby knocks
 * Built on demand from the layers' own state and counters; no state here.
 *
 * Thread: the focus event-loop thread (it reads the layers). */
#pragma once

#include "focus/bridges/bridges.h"
#include "focus/conference/conference.h"
#include "focus/http/http-server.h"
#include "focus/rooms/registry.h"
#include "focus/security/room-security.h"

#include <glib.h>

G_BEGIN_DECLS

/* Where the answers come from (all transfer none; the app fills it and keeps it current). */
typedef struct {
    FocusRegistry *registry;
    FocusConferences *conferences;
    FocusBridges *bridges;
    FocusRoomSecurity *security;
    FocusHttpServer *http; /* may be NULL */
    const char *component; /* focus.DOMAIN */
    gboolean xmpp_connected;
    guint xmpp_connects; /* successful connections so far */
    gint64 started_us;   /* g_get_monotonic_time() at start */
} FocusMetricsSources;

/* TRUE when healthy; else FALSE and *@reason (transfer full). */
gboolean focus_metrics_healthy(const FocusMetricsSources *src, char **reason);

/* Appends the Prometheus text of every metric to @out. */
void focus_metrics_render(const FocusMetricsSources *src, GString *out);

/* A FocusHttpHandler (@data: FocusMetricsSources*) serving /about/health and /metrics; 404
 * for anything else. */
void focus_metrics_handle(const FocusHttpRequest *req, FocusHttpResponse *res, gpointer data);

G_END_DECLS
