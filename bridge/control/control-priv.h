/* SPDX-License-Identifier: MIT */
/* Internal to bridge/control: the BridgeControl struct shared by control.c (lifecycle,
 * media events, stats, HTTP) and colibri-handler.c (IQs, pending replies, expiry). Control
 * thread only. */
#pragma once

#include "bridge/control/channel.h"
#include "bridge/control/control.h"
#include "bridge/control/registry.h"
#include "bridge/control/selection.h"
#include "bridge/control/xmpp.h"
#include "bridge/http/http.h"
#include "bridge/media/media.h"
#include "common/log.h"

G_BEGIN_DECLS

struct _BridgeControl {
    const BridgeConfig *cfg; /* borrowed */
    GMainContext *context;
    BridgeControlHealthFunc health_fn; /* bridge_control_set_health_listener */
    gpointer health_data;
    BridgeMedia *media;
    guint workers; /* media threads actually running */
    BridgeXmpp *xmpp;
    BridgeHttp *http;
    BridgeChannels *channels;   /* colibri-ws, on http's server */
    BridgeSelection *selection; /* layer selection, last-N, dominant speaker */
    BridgeRegistry reg;         /* the one registry of conferences and endpoints */
    GPtrArray *pendings;        /* BridgePending * (owned) awaiting transports */

    gboolean graceful;
    /* bridge_control_free() has begun: the pieces are torn down in order and may be gone
     * (c->xmpp, c->channels, ...); media events and HTTP requests that still arrive (the
     * channels' shutdown iterates the context) touch nothing. */
    gboolean stopping;
    GSourceFunc graceful_done;
    gpointer graceful_data;

    GSource *tick; /* rates for the brewery stats */
    BridgeMediaStats prev;
    gint64 prev_us;
    double pps_in, pps_out, kbps_in, kbps_out;

    const char *srtp_backend;
    double protect_ns_gcm, protect_ns_cm;
    gint64 start_us;

    PaRateLimit refused_rl; /* log lines about refused/malformed requests */
    guint news_sent;        /* endpoint-expired IQs sent to the focus (their ids) */
};

/* colibri-handler.c */
gboolean bridge_control_handle_iq(BridgeControl *c, xmpp_stanza_t *iq);
/* The media plane's ready callback (BridgeMediaCallbacks.ready; @user_data: the control). */
void bridge_control_endpoint_ready(BridgeHandle endpoint, const PaTransport *local,
                                   const GError *error, gpointer user_data);
/* Tells the media plane (when @tell_media) and the channels, drops the endpoint from the
 * registry, fails a reply still waiting for it, and ends the conference when it was the last
 * endpoint. @ep is freed. */
void bridge_control_expire_endpoint(BridgeControl *c, BridgeRegEndpoint *ep, gboolean tell_media,
                                    const char *why);
/* The media plane dropped @ep by itself (it has forgotten the handle): as above, without
 * telling the media plane, except that a conference left without endpoints is kept for
 * bridge.empty_conference_seconds (not in graceful shutdown), so that the focus's
 * re-invitation finds it. @ep is freed. Returns TRUE when the conference ended with it. */
gboolean bridge_control_drop_endpoint(BridgeControl *c, BridgeRegEndpoint *ep, const char *why);
/* Ends the conferences that have no endpoints (kept for the focus; graceful shutdown). */
void bridge_control_end_empty_conferences(BridgeControl *c);
/* Expires every endpoint of @conf and removes it (@conf is freed). */
void bridge_control_expire_conference(BridgeControl *c, BridgeRegConference *conf, const char *why);
/* Frees pending replies without answering (shutdown). */
void bridge_control_drop_pendings(BridgeControl *c);
/* control.c: called when a conference ended (graceful shutdown may be complete). */
void bridge_control_conference_ended(BridgeControl *c);

G_END_DECLS
