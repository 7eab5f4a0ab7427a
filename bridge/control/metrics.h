/* SPDX-License-Identifier: MIT */
/* /metrics: what the bridge exports, in the Prometheus text format (bridge/http/prometheus.h).
 * Pure: a snapshot struct in, text out; control.c gathers the snapshot on the control thread
 * when bridge/http asks for the body. */
#pragma once

#include <glib.h>

#include "bridge/control/channel-msg.h"
#include "bridge/control/selection.h"
#include "bridge/http/http.h"
#include "bridge/media/media.h"

G_BEGIN_DECLS

typedef struct {
    BridgeMediaStats media; /* zeroed if the media plane is not running */
    guint conferences;      /* allocated by the focus (control registry) */
    guint endpoints;
    BridgeChannelStats channel;     /* colibri-ws */
    BridgeSelectionStats selection; /* layer selection, last-N, dominant speaker */
    BridgeHttpStats http;           /* the HTTP server's connections */
    gboolean xmpp_connected;
    gboolean in_brewery;
    gboolean healthy;
    gboolean graceful_shutdown;
    const char *srtp_backend; /* "openssl", ... or NULL when unknown */
    double protect_ns_gcm;    /* measured srtp_protect cost; < 0 when not measured */
    double protect_ns_cm;
    const char *version;
    const char *bridge_id;
    const char *region;
    double uptime_seconds;
} BridgeMetricsSnapshot;

/* The full /metrics body (transfer full). Every metric has # HELP and # TYPE lines; counters
 * end in _total; label values are escaped. */
char *bridge_metrics_format(const BridgeMetricsSnapshot *s);

G_END_DECLS
