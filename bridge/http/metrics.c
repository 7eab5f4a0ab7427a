/* SPDX-License-Identifier: MIT */
#include "bridge/http/metrics.h"

#include "bridge/srtp/srtp.h"

static void header(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void metric_u(GString *out, const char *name, const char *type, const char *help, guint64 v)
{
    header(out, name, type, help);
    g_string_append_printf(out, "%s %" G_GUINT64_FORMAT "\n", name, v);
}

/* Label values escape backslash, double quote and newline. */
static void append_label_value(GString *out, const char *v)
{
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\')
            g_string_append(out, "\\\\");
        else if (*p == '"')
            g_string_append(out, "\\\"");
        else if (*p == '\n')
            g_string_append(out, "\\n");
        else
            g_string_append_c(out, *p);
    }
}

static void append_double(GString *out, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    g_string_append(out, g_ascii_formatd(buf, sizeof buf, "%.1f", v));
}

char *bridge_metrics_format(const BridgeMetricsSnapshot *s)
{
    GString *out = g_string_sized_new(4096);
    const BridgeMediaStats *m = &s->media;

    header(out, "parley_bridge_build_info", "gauge", "Build of this bridge (always 1).");
    g_string_append(out, "parley_bridge_build_info{version=\"");
    append_label_value(out, s->version);
    g_string_append(out, "\",bridge_id=\"");
    append_label_value(out, s->bridge_id);
    g_string_append(out, "\",region=\"");
    append_label_value(out, s->region);
    g_string_append(out, "\"} 1\n");

    header(out, "parley_bridge_uptime_seconds", "gauge", "Seconds since the bridge started.");
    g_string_append(out, "parley_bridge_uptime_seconds ");
    append_double(out, s->uptime_seconds);
    g_string_append_c(out, '\n');

    metric_u(out, "parley_bridge_xmpp_connected", "gauge",
             "1 while logged in to the XMPP server, else 0.", s->xmpp_connected ? 1 : 0);
    metric_u(out, "parley_bridge_brewery_joined", "gauge",
             "1 while present in the brewery MUC, else 0.", s->in_brewery ? 1 : 0);
    metric_u(out, "parley_bridge_healthy", "gauge",
             "1 when the bridge can take conferences (the /about/health verdict).",
             s->healthy ? 1 : 0);
    metric_u(out, "parley_bridge_graceful_shutdown", "gauge",
             "1 once graceful shutdown started (no new conferences).",
             s->graceful_shutdown ? 1 : 0);

    metric_u(out, "parley_bridge_conferences", "gauge", "Conferences allocated by the focus.",
             s->conferences);
    metric_u(out, "parley_bridge_endpoints", "gauge", "Endpoints allocated by the focus.",
             s->endpoints);
    metric_u(out, "parley_bridge_endpoints_connected", "gauge",
             "Endpoints with ICE and DTLS completed.", m->endpoints_connected);

    metric_u(out, "parley_bridge_packets_received_total", "counter",
             "Datagrams received on ICE sockets.", m->packets_in);
    metric_u(out, "parley_bridge_bytes_received_total", "counter", "Bytes received on ICE sockets.",
             m->bytes_in);
    metric_u(out, "parley_bridge_packets_sent_total", "counter", "RTP/RTCP datagrams sent.",
             m->packets_out);
    metric_u(out, "parley_bridge_bytes_sent_total", "counter", "RTP/RTCP bytes sent.",
             m->bytes_out);
    metric_u(out, "parley_bridge_rtp_forwarded_total", "counter",
             "RTP packets forwarded to receivers.", m->rtp_forwarded);

    header(out, "parley_bridge_packets_dropped_total", "counter",
           "Received datagrams dropped, by reason.");
    for (int r = 0; r < BRIDGE_DROP_N_REASONS; r++) {
        g_string_append(out, "parley_bridge_packets_dropped_total{reason=\"");
        append_label_value(out, bridge_drop_reason_name((BridgeDropReason)r));
        g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n", m->drops[r]);
    }

    metric_u(out, "parley_bridge_ice_failures_total", "counter",
             "Endpoints whose ICE failed or timed out.", m->ice_failures);
    metric_u(out, "parley_bridge_dtls_failures_total", "counter",
             "Endpoints whose DTLS handshake failed.", m->dtls_failures);

    metric_u(out, "parley_bridge_rtcp_received_total", "counter",
             "Authenticated RTCP compound packets received.", m->rtcp_in);
    metric_u(out, "parley_bridge_keyframe_requests_total", "counter",
             "Keyframe requests (PLI/FIR) sent to senders, after rate limiting.",
             m->keyframe_requests);
    metric_u(out, "parley_bridge_nacks_forwarded_total", "counter",
             "NACKs from receivers forwarded to senders.", m->nacks_forwarded);
    metric_u(out, "parley_bridge_sender_reports_forwarded_total", "counter",
             "RTCP sender reports fanned out to receivers.", m->sr_forwarded);
    metric_u(out, "parley_bridge_receiver_reports_sent_total", "counter",
             "RTCP receiver-report compounds the bridge sent to senders.", m->rr_sent);
    metric_u(out, "parley_bridge_tcc_feedback_sent_total", "counter",
             "Transport-wide congestion control feedback packets sent to senders.",
             m->tcc_feedback_sent);
    metric_u(out, "parley_bridge_hdrext_stripped_total", "counter",
             "Forwarded RTP packets from which mid/rid header extensions were blanked.",
             m->hdrext_stripped);

    const BridgeChannelStats *ch = &s->channel;
    metric_u(out, "parley_bridge_channels_open", "gauge",
             "colibri-ws bridge channels open now (at most one per endpoint).", ch->open);
    metric_u(out, "parley_bridge_channels_opened_total", "counter",
             "colibri-ws bridge channels accepted.", ch->opened);
    metric_u(out, "parley_bridge_channels_replaced_total", "counter",
             "Bridge channels closed because their endpoint connected again.", ch->replaced);
    header(out, "parley_bridge_channels_refused_total", "counter",
           "colibri-ws requests refused before the WebSocket upgrade, by reason.");
    for (int r = 0; r < BRIDGE_CHANNEL_REFUSED_N_REASONS; r++) {
        g_string_append(out, "parley_bridge_channels_refused_total{reason=\"");
        append_label_value(out, bridge_channel_refusal_name((BridgeChannelRefusal)r));
        g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n", ch->refused[r]);
    }
    metric_u(out, "parley_bridge_channel_messages_received_total", "counter",
             "Bridge channel messages (WebSocket frames) received from endpoints.",
             ch->messages_in);
    metric_u(out, "parley_bridge_channel_messages_sent_total", "counter",
             "Bridge channel messages sent to endpoints (relayed and the bridge's own).",
             ch->messages_out);
    header(out, "parley_bridge_channel_messages_dropped_total", "counter",
           "Bridge channel messages received and not used, by reason.");
    for (int r = 0; r < BRIDGE_CHANNEL_DROP_N_REASONS; r++) {
        g_string_append(out, "parley_bridge_channel_messages_dropped_total{reason=\"");
        append_label_value(out, bridge_channel_drop_reason_name((BridgeChannelMsgStatus)r));
        g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n", ch->dropped[r]);
    }
    metric_u(out, "parley_bridge_channel_messages_undeliverable_total", "counter",
             "EndpointMessages addressed to an endpoint without an open bridge channel.",
             ch->undeliverable);

    header(out, "parley_bridge_srtp_backend_info", "gauge",
           "SRTP crypto implementation in use (always 1).");
    g_string_append(out, "parley_bridge_srtp_backend_info{backend=\"");
    append_label_value(out, s->srtp_backend ? s->srtp_backend : "unknown");
    g_string_append(out, "\"} 1\n");

    header(out, "parley_bridge_srtp_protect_ns", "gauge",
           "Measured srtp_protect cost per 1200-byte RTP packet at start-up, by profile.");
    const struct {
        BridgeSrtpProfile p;
        double ns;
    } prof[] = {{BRIDGE_SRTP_AEAD_AES_128_GCM, s->protect_ns_gcm},
                {BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, s->protect_ns_cm}};
    for (gsize i = 0; i < G_N_ELEMENTS(prof); i++) {
        if (prof[i].ns < 0)
            continue;
        g_string_append(out, "parley_bridge_srtp_protect_ns{profile=\"");
        append_label_value(out, bridge_srtp_profile_name(prof[i].p));
        g_string_append(out, "\"} ");
        append_double(out, prof[i].ns);
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}
