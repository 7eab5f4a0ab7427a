/* SPDX-License-Identifier: MIT */
/* No state (see metrics.h): everything is read from the layers when asked. */
#include "focus/http/metrics.h"

#include <string.h>

gboolean focus_metrics_healthy(const FocusMetricsSources *src, char **reason)
{
    const char *why = NULL;
    if (!src->xmpp_connected)
        why = "not connected to the XMPP server";
    else if (!focus_bridges_joined(src->bridges))
        why = "not in the brewery";
    else if (focus_bridges_count_available(src->bridges) == 0)
        why = focus_bridges_count(src->bridges) ? "no bridge can take a new conference"
                                                : "no bridge in the brewery";
    if (why && reason)
        *reason = g_strdup(why);
    return why == NULL;
}

/* A label value in the exposition format: backslash, double quote and newline escaped. */
static void append_label_value(GString *out, const char *v)
{
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\' || *p == '"')
            g_string_append_c(out, '\\');
        if (*p == '\n') {
            g_string_append(out, "\\n");
            continue;
        }
        g_string_append_c(out, *p);
    }
}

static void header(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metric(GString *out, const char *name, const char *type, const char *help,
                   guint64 value)
{
    header(out, name, type, help);
    g_string_append_printf(out, "%s %" G_GUINT64_FORMAT "\n", name, value);
}

/* ---- rooms ---- */

typedef struct {
    guint by_state[FOCUS_ROOM_GONE + 1];
    guint participants;
} RoomCounts;

static void count_room(FocusRoom *room, gpointer data)
{
    RoomCounts *rc = data;
    rc->by_state[focus_room_state(room)]++;
    rc->participants += focus_room_participant_count(room);
}

static void render_rooms(const FocusMetricsSources *src, GString *out)
{
    RoomCounts rc;
    memset(&rc, 0, sizeof rc);
    focus_registry_foreach(src->registry, count_room, &rc);
    header(out, "parley_focus_rooms", "gauge",
           "conference rooms by state (joining, configuring, ready, destroying)");
    for (FocusRoomState st = FOCUS_ROOM_JOINING; st < FOCUS_ROOM_GONE; st++)
        g_string_append_printf(out, "parley_focus_rooms{state=\"%s\"} %u\n",
                               focus_room_state_str(st), rc.by_state[st]);
    metric(out, "parley_focus_participants", "gauge", "participants in every room (not the focus)",
           rc.participants);

    const FocusRoomRequestStats *rs = focus_registry_request_stats(src->registry);
    header(out, "parley_focus_conference_requests_total", "counter",
           "conference requests answered, by result: ready, not_authorized (secure domain: no "
           "logged-in user opened the room yet), rejected (invalid), failed (room not set up)");
    g_string_append_printf(
        out,
        "parley_focus_conference_requests_total{result=\"ready\"} %" G_GUINT64_FORMAT "\n"
        "parley_focus_conference_requests_total{result=\"not_authorized\"} "
        "%" G_GUINT64_FORMAT "\n"
        "parley_focus_conference_requests_total{result=\"rejected\"} %" G_GUINT64_FORMAT "\n"
        "parley_focus_conference_requests_total{result=\"failed\"} %" G_GUINT64_FORMAT "\n",
        rs->ready, rs->not_authorized, rs->rejected, rs->failed);
}

/* ---- media ---- */

static void render_conferences(const FocusMetricsSources *src, GString *out)
{
    FocusConferencesStats cs;
    focus_conferences_stats(src->conferences, &cs);
    header(out, "parley_focus_jingle_sessions", "gauge",
           "Jingle sessions with participants: pending (offer sent) or active (accepted)");
    g_string_append_printf(out,
                           "parley_focus_jingle_sessions{state=\"pending\"} %u\n"
                           "parley_focus_jingle_sessions{state=\"active\"} %u\n",
                           cs.sessions_pending, cs.sessions_active);
    metric(out, "parley_focus_conferences_on_bridge", "gauge",
           "conferences that have a bridge (media allocated)", cs.on_bridge);
    metric(out, "parley_focus_reinvites_total", "counter",
           "participants invited again (client restart, ICE failure, bridge lost or moved)",
           cs.reinvites);
    header(out, "parley_focus_participant_features_total", "counter",
           "how the focus learned a participant's features before inviting it: from the caps "
           "cache (no round trip) or with disco#info");
    g_string_append_printf(out,
                           "parley_focus_participant_features_total{from=\"caps-cache\"} "
                           "%" G_GUINT64_FORMAT "\n"
                           "parley_focus_participant_features_total{from=\"disco\"} "
                           "%" G_GUINT64_FORMAT "\n",
                           cs.caps_hits, cs.caps_misses);
}

typedef struct {
    FocusBridges *bridges;
    GString *stress, *conferences, *participants, *available;
    guint n_available;
} BridgeRender;

static void bridge_labels(GString *s, const char *name, const FocusBridge *b)
{
    g_string_append_printf(s, "%s{bridge=\"", name);
    append_label_value(s, b->stats.relay_id ? b->stats.relay_id : b->nick);
    g_string_append(s, "\",region=\"");
    append_label_value(s, b->stats.region ? b->stats.region : "");
    g_string_append(s, "\"} ");
}

static void render_bridge(const FocusBridge *b, gpointer data)
{
    BridgeRender *r = data;
    gboolean available = focus_bridges_available(r->bridges, b);
    r->n_available += available;
    bridge_labels(r->stress, "parley_focus_bridge_stress", b);
    g_string_append_printf(r->stress, "%g\n", b->stats.stress);
    bridge_labels(r->conferences, "parley_focus_bridge_conferences", b);
    g_string_append_printf(r->conferences, "%u\n", b->stats.conferences);
    bridge_labels(r->participants, "parley_focus_bridge_participants", b);
    g_string_append_printf(r->participants, "%u\n", b->stats.participants);
    bridge_labels(r->available, "parley_focus_bridge_available", b);
    g_string_append_printf(r->available, "%d\n", available ? 1 : 0);
}

static void render_bridges(const FocusMetricsSources *src, GString *out)
{
    BridgeRender r = {src->bridges,       g_string_new(NULL), g_string_new(NULL),
                      g_string_new(NULL), g_string_new(NULL), 0};
    focus_bridges_foreach(src->bridges, render_bridge, &r);
    guint known = focus_bridges_count(src->bridges);
    header(out, "parley_focus_bridges", "gauge",
           "bridges in the brewery: available (can take a new conference) or unavailable "
           "(unhealthy, draining, shutting down, recently failed)");
    g_string_append_printf(out,
                           "parley_focus_bridges{state=\"available\"} %u\n"
                           "parley_focus_bridges{state=\"unavailable\"} %u\n",
                           r.n_available, known - MIN(known, r.n_available));
    header(out, "parley_focus_bridge_stress", "gauge",
           "each bridge's stress_level (0-1; 0.8 counts as overloaded), as it reports it");
    g_string_append(out, r.stress->str);
    header(out, "parley_focus_bridge_conferences", "gauge", "conferences each bridge reports");
    g_string_append(out, r.conferences->str);
    header(out, "parley_focus_bridge_participants", "gauge", "endpoints each bridge reports");
    g_string_append(out, r.participants->str);
    header(out, "parley_focus_bridge_available", "gauge",
           "1 when the bridge can take a new conference");
    g_string_append(out, r.available->str);
    g_string_free(r.stress, TRUE);
    g_string_free(r.conferences, TRUE);
    g_string_free(r.participants, TRUE);
    g_string_free(r.available, TRUE);
}

void focus_metrics_render(const FocusMetricsSources *src, GString *out)
{
    header(out, "parley_focus_build_info", "gauge", "always 1; the labels identify the focus");
    g_string_append_printf(out, "parley_focus_build_info{version=\"%s\",component=\"",
                           PARLEY_VERSION);
    append_label_value(out, src->component);
    g_string_append(out, "\"} 1\n");
    metric(out, "parley_focus_uptime_seconds", "gauge", "seconds since the focus started",
           (guint64)MAX(0, (g_get_monotonic_time() - src->started_us) / G_USEC_PER_SEC));
    metric(out, "parley_focus_xmpp_connected", "gauge",
           "1 while the component connection to the XMPP server is up", src->xmpp_connected);
    metric(out, "parley_focus_xmpp_connects_total", "counter",
           "successful connections to the XMPP server (more than 1: it reconnected)",
           src->xmpp_connects);
    metric(out, "parley_focus_brewery_joined", "gauge", "1 while the focus is in the brewery",
           focus_bridges_joined(src->bridges));
    metric(out, "parley_focus_healthy", "gauge", "1 when /about/health says ok",
           focus_metrics_healthy(src, NULL));
    render_rooms(src, out);
    render_conferences(src, out);
    render_bridges(src, out);
    metric(out, "parley_focus_lobby_knocks_total", "counter",
           "requests to be let in through a lobby",
           focus_room_security_knocks_total(src->security));
    metric(out, "parley_focus_lobby_knocks_waiting", "gauge",
           "knocks waiting for a moderator now (every room)",
           focus_room_security_knocks_waiting(src->security));
    if (src->http) {
        const FocusHttpCounts *hc = focus_http_server_counts(src->http);
        header(out, "parley_focus_http_requests_total", "counter",
               "requests to this HTTP server: answered, refused (malformed, wrong method or "
               "version), timed_out (connection closed at its deadline)");
        g_string_append_printf(
            out,
            "parley_focus_http_requests_total{result=\"answered\"} %" G_GUINT64_FORMAT "\n"
            "parley_focus_http_requests_total{result=\"refused\"} %" G_GUINT64_FORMAT "\n"
            "parley_focus_http_requests_total{result=\"timed_out\"} "
            "%" G_GUINT64_FORMAT "\n",
            hc->answered, hc->refused, hc->timed_out);
    }
}

void focus_metrics_handle(const FocusHttpRequest *req, FocusHttpResponse *res, gpointer data)
{
    const FocusMetricsSources *src = data;
    if (strcmp(req->path, "/about/health") == 0) {
        g_autofree char *reason = NULL;
        if (focus_metrics_healthy(src, &reason)) {
            g_string_append(res->body, "ok\n");
        } else {
            res->status = 503;
            g_string_append_printf(res->body, "unhealthy: %s\n", reason);
        }
        return;
    }
    if (strcmp(req->path, "/metrics") == 0) {
        res->content_type = "text/plain; version=0.0.4; charset=utf-8";
        focus_metrics_render(src, res->body);
        return;
    }
    res->status = 404;
    g_string_append(res->body, "not found: /about/health and /metrics are served here\n");
}
