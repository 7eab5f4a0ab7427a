/* SPDX-License-Identifier: MIT */
/* The bridge's /metrics body (see metrics.h). */
#include "bridge/control/metrics.h"

#include "bridge/http/prometheus.h"
#include "bridge/srtp/srtp.h"

static void media_metrics(GString *out, const BridgeMediaStats *m)
{
    bridge_prom_metric(out, "parley_bridge_endpoints_connected", "gauge",
                       "Endpoints with ICE and DTLS completed.", m->endpoints_connected);
    bridge_prom_metric(out, "parley_bridge_packets_received_total", "counter",
                       "Datagrams received on the media port.", m->packets_in);
    bridge_prom_metric(out, "parley_bridge_bytes_received_total", "counter",
                       "Bytes received on the media port.", m->bytes_in);
    bridge_prom_metric(out, "parley_bridge_packets_sent_total", "counter",
                       "RTP/RTCP datagrams sent.", m->packets_out);
    bridge_prom_metric(out, "parley_bridge_bytes_sent_total", "counter", "RTP/RTCP bytes sent.",
                       m->bytes_out);
    bridge_prom_metric(out, "parley_bridge_rtp_forwarded_total", "counter",
                       "RTP packets forwarded to receivers.", m->rtp_forwarded);
    bridge_prom_family(out, "parley_bridge_packets_dropped_total", "counter",
                       "Datagrams dropped, by reason.");
    for (int r = 0; r < BRIDGE_DROP_N_REASONS; r++) {
        const char *labels[] = {"reason", bridge_drop_reason_name((BridgeDropReason)r), NULL};
        bridge_prom_sample(out, "parley_bridge_packets_dropped_total", labels, m->drops[r]);
    }
    bridge_prom_metric(out, "parley_bridge_ice_failures_total", "counter",
                       "Endpoints whose ICE failed or timed out.", m->ice_failures);
    bridge_prom_metric(out, "parley_bridge_dtls_failures_total", "counter",
                       "Endpoints whose DTLS handshake failed.", m->dtls_failures);
    bridge_prom_metric(out, "parley_bridge_rtcp_received_total", "counter",
                       "Authenticated RTCP compound packets received.", m->rtcp_in);
    bridge_prom_metric(out, "parley_bridge_keyframe_requests_total", "counter",
                       "Keyframe requests (PLI/FIR) sent to senders, after rate limiting.",
                       m->keyframe_requests);
    bridge_prom_metric(out, "parley_bridge_nacks_forwarded_total", "counter",
                       "NACKs from receivers forwarded to senders.", m->nacks_forwarded);
    bridge_prom_metric(out, "parley_bridge_sender_reports_forwarded_total", "counter",
                       "RTCP sender reports fanned out to receivers.", m->sr_forwarded);
    bridge_prom_metric(out, "parley_bridge_receiver_reports_sent_total", "counter",
                       "RTCP receiver-report compounds the bridge sent to senders.", m->rr_sent);
    bridge_prom_metric(out, "parley_bridge_tcc_feedback_sent_total", "counter",
                       "Transport-wide congestion control feedback packets sent to senders.",
                       m->tcc_feedback_sent);
    bridge_prom_metric(out, "parley_bridge_hdrext_stripped_total", "counter",
                       "Forwarded RTP packets from which mid/rid header extensions were blanked.",
                       m->hdrext_stripped);
    bridge_prom_metric(out, "parley_bridge_media_port", "gauge",
                       "The UDP port every endpoint's media uses.", m->port);
    bridge_prom_metric(out, "parley_bridge_media_flows", "gauge",
                       "Peer addresses (ICE-validated flows) the media workers track.", m->flows);
    bridge_prom_metric(out, "parley_bridge_media_steering", "gauge",
                       "1 while the kernel steers each flow to its endpoint's media worker.",
                       m->steering ? 1 : 0);
    bridge_prom_metric(out, "parley_bridge_packets_handed_over_total", "counter",
                       "Datagrams a media worker read for a flow of another worker and passed on.",
                       m->handed_over);
    bridge_prom_metric(out, "parley_bridge_ice_checks_answered_total", "counter",
                       "Authenticated ICE connectivity and consent checks the bridge answered.",
                       m->ice_checks_answered);
    bridge_prom_metric(out, "parley_bridge_ice_checks_sent_total", "counter",
                       "ICE checks the bridge sent (nomination and consent).", m->ice_checks_sent);
}

static void layer_metrics(GString *out, const BridgeMediaStats *m, const BridgeSelectionStats *l)
{
    bridge_prom_metric(out, "parley_bridge_video_projected_total", "counter",
                       "Video packets sent to receivers through their layer projection.",
                       m->video_projected);
    bridge_prom_metric(out, "parley_bridge_video_withheld_total", "counter",
                       "Video packet copies not sent to a receiver: another encoding, a filtered "
                       "layer, a paused source (last-N) or waiting for a key frame.",
                       m->video_withheld);
    bridge_prom_metric(out, "parley_bridge_layer_switches_total", "counter",
                       "Encoding switches (and starts) of receivers' projections.",
                       m->layer_switches);
    bridge_prom_metric(out, "parley_bridge_switch_keyframe_requests_total", "counter",
                       "Key frames receivers' projections asked senders for (before the "
                       "per-source limit).",
                       m->switch_keyframes);
    bridge_prom_metric(out, "parley_bridge_retransmissions_sent_total", "counter",
                       "NACKed packets the bridge sent again from its own cache.", m->rtx_sent);
    bridge_prom_metric(out, "parley_bridge_retransmissions_missed_total", "counter",
                       "NACKed packets the bridge could not send again (not cached, or too old).",
                       m->rtx_missed);
    bridge_prom_metric(out, "parley_bridge_rtx_mirror_caches", "gauge",
                       "Retransmission caches a media thread keeps of sources sent on another "
                       "one, for its receivers' NACKs.",
                       m->rtx_mirrors);
    bridge_prom_metric(out, "parley_bridge_sender_rtx_dropped_total", "counter",
                       "Senders' own RTX packets of layered sources, not forwarded.",
                       m->sender_rtx_dropped);
    bridge_prom_metric(out, "parley_bridge_allocations_total", "counter",
                       "Layer allocations run (per receiver).", l->allocations);
    bridge_prom_metric(out, "parley_bridge_dominant_speaker_changes_total", "counter",
                       "Dominant speaker changes announced.", l->speaker_changes);
    bridge_prom_metric(out, "parley_bridge_video_sources_forwarded", "gauge",
                       "Video sources forwarded now, summed over receivers.", l->forwarded_sources);
    bridge_prom_metric(out, "parley_bridge_video_sources_paused", "gauge",
                       "Video sources not forwarded now (last-N, maxHeight 0), summed over "
                       "receivers.",
                       l->paused_sources);
    bridge_prom_metric(out, "parley_bridge_allocated_bits_per_second", "gauge",
                       "What the allocated layers cost, summed over receivers.", l->forwarded_bps);
}

static void bwe_metrics(GString *out, const BridgeMediaStats *m, const BridgeSelectionStats *l)
{
    bridge_prom_metric(out, "parley_bridge_bwe_receivers", "gauge",
                       "Receivers with a bandwidth estimate (their transport-cc feedback arrives).",
                       l->bwe_receivers);
    bridge_prom_metric(out, "parley_bridge_bwe_limited_receivers", "gauge",
                       "Receivers whose estimate keeps them below their ideal allocation.",
                       l->bwe_limited);
    bridge_prom_metric(out, "parley_bridge_bwe_estimate_sum_bits_per_second", "gauge",
                       "Bandwidth estimates toward receivers, summed.", l->bwe_sum_bps);
    bridge_prom_metric(out, "parley_bridge_bwe_estimate_min_bits_per_second", "gauge",
                       "The lowest bandwidth estimate toward a receiver (0: none).",
                       l->bwe_min_bps);
    bridge_prom_family(out, "parley_bridge_bwe_estimate_bits_per_second", "histogram",
                       "Bandwidth estimates toward receivers now.");
    for (guint b = 0; b < BRIDGE_SELECTION_BWE_BUCKETS; b++) {
        char le[32];
        g_snprintf(le, sizeof le, "%" G_GUINT64_FORMAT, bridge_selection_bwe_bucket_bps[b]);
        const char *labels[] = {"le", le, NULL};
        bridge_prom_sample(out, "parley_bridge_bwe_estimate_bits_per_second_bucket", labels,
                           l->bwe_buckets[b]);
    }
    const char *inf[] = {"le", "+Inf", NULL};
    bridge_prom_sample(out, "parley_bridge_bwe_estimate_bits_per_second_bucket", inf,
                       l->bwe_receivers);
    bridge_prom_sample(out, "parley_bridge_bwe_estimate_bits_per_second_sum", NULL, l->bwe_sum_bps);
    bridge_prom_sample(out, "parley_bridge_bwe_estimate_bits_per_second_count", NULL,
                       l->bwe_receivers);
    bridge_prom_metric(out, "parley_bridge_bwe_reallocations_total", "counter",
                       "Conference allocations a receiver's estimate change caused.",
                       l->bwe_reallocations);
    bridge_prom_metric(out, "parley_bridge_tcc_feedback_received_total", "counter",
                       "Receivers' transport-cc feedback packets fed to their estimates.",
                       m->tcc_feedback_in);
    bridge_prom_metric(out, "parley_bridge_bwe_probes_total", "counter",
                       "Probe clusters started toward receivers.", m->probes);
    bridge_prom_metric(out, "parley_bridge_probe_padding_packets_total", "counter",
                       "Padding-only RTP packets sent to receivers while probing.",
                       m->padding_sent);
    bridge_prom_metric(out, "parley_bridge_probe_padding_bytes_total", "counter",
                       "Bytes of those padding packets on the wire.", m->padding_bytes);
}

static void channel_metrics(GString *out, const BridgeChannelStats *ch)
{
    bridge_prom_metric(out, "parley_bridge_channels_open", "gauge",
                       "colibri-ws bridge channels open now (at most one per endpoint).", ch->open);
    bridge_prom_metric(out, "parley_bridge_channels_opened_total", "counter",
                       "colibri-ws bridge channels accepted.", ch->opened);
    bridge_prom_metric(out, "parley_bridge_channels_replaced_total", "counter",
                       "Bridge channels closed because their endpoint connected again.",
                       ch->replaced);
    bridge_prom_family(out, "parley_bridge_channels_refused_total", "counter",
                       "colibri-ws requests refused before the WebSocket upgrade, by reason.");
    for (int r = 0; r < BRIDGE_CHANNEL_REFUSED_N_REASONS; r++) {
        const char *labels[] = {"reason", bridge_channel_refusal_name((BridgeChannelRefusal)r),
                                NULL};
        bridge_prom_sample(out, "parley_bridge_channels_refused_total", labels, ch->refused[r]);
    }
    bridge_prom_metric(out, "parley_bridge_channel_messages_received_total", "counter",
                       "Bridge channel messages (WebSocket frames) received from endpoints.",
                       ch->messages_in);
    bridge_prom_metric(out, "parley_bridge_channel_messages_sent_total", "counter",
                       "Bridge channel messages sent to endpoints (relayed and the bridge's own).",
                       ch->messages_out);
    bridge_prom_family(out, "parley_bridge_channel_messages_dropped_total", "counter",
                       "Bridge channel messages received and not used, by reason.");
    for (int r = 0; r < BRIDGE_CHANNEL_DROP_N_REASONS; r++) {
        const char *labels[] = {"reason",
                                bridge_channel_drop_reason_name((BridgeChannelMsgStatus)r), NULL};
        bridge_prom_sample(out, "parley_bridge_channel_messages_dropped_total", labels,
                           ch->dropped[r]);
    }
    bridge_prom_metric(out, "parley_bridge_channel_messages_undeliverable_total", "counter",
                       "EndpointMessages addressed to an endpoint without an open bridge channel.",
                       ch->undeliverable);
}

static void srtp_metrics(GString *out, const BridgeMetricsSnapshot *s)
{
    bridge_prom_family(out, "parley_bridge_srtp_backend_info", "gauge",
                       "SRTP crypto implementation in use (always 1).");
    const char *backend[] = {"backend", s->srtp_backend ? s->srtp_backend : "unknown", NULL};
    bridge_prom_sample(out, "parley_bridge_srtp_backend_info", backend, 1);
    bridge_prom_family(out, "parley_bridge_srtp_protect_ns", "gauge",
                       "Measured srtp_protect cost per 1200-byte RTP packet at start-up, by "
                       "profile.");
    const struct {
        BridgeSrtpProfile p;
        double ns;
    } prof[] = {{BRIDGE_SRTP_AEAD_AES_128_GCM, s->protect_ns_gcm},
                {BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, s->protect_ns_cm}};
    for (gsize i = 0; i < G_N_ELEMENTS(prof); i++) {
        if (prof[i].ns < 0)
            continue;
        const char *labels[] = {"profile", bridge_srtp_profile_name(prof[i].p), NULL};
        bridge_prom_sample_real(out, "parley_bridge_srtp_protect_ns", labels, prof[i].ns);
    }
}

char *bridge_metrics_format(const BridgeMetricsSnapshot *s)
{
    GString *out = g_string_sized_new(4096);
    bridge_prom_family(out, "parley_bridge_build_info", "gauge",
                       "Build of this bridge (always 1).");
    const char *build[] = {"version", s->version, "bridge_id", s->bridge_id,
                           "region",  s->region,  NULL};
    bridge_prom_sample(out, "parley_bridge_build_info", build, 1);
    bridge_prom_family(out, "parley_bridge_uptime_seconds", "gauge",
                       "Seconds since the bridge started.");
    bridge_prom_sample_real(out, "parley_bridge_uptime_seconds", NULL, s->uptime_seconds);

    bridge_prom_metric(out, "parley_bridge_xmpp_connected", "gauge",
                       "1 while logged in to the XMPP server, else 0.", s->xmpp_connected ? 1 : 0);
    bridge_prom_metric(out, "parley_bridge_brewery_joined", "gauge",
                       "1 while present in the brewery MUC, else 0.", s->in_brewery ? 1 : 0);
    bridge_prom_metric(out, "parley_bridge_healthy", "gauge",
                       "1 when the bridge can take conferences (the /about/health verdict).",
                       s->healthy ? 1 : 0);
    bridge_prom_metric(out, "parley_bridge_graceful_shutdown", "gauge",
                       "1 once graceful shutdown started (no new conferences).",
                       s->graceful_shutdown ? 1 : 0);
    bridge_prom_metric(out, "parley_bridge_conferences", "gauge",
                       "Conferences allocated by the focus.", s->conferences);
    bridge_prom_metric(out, "parley_bridge_endpoints", "gauge", "Endpoints allocated by the focus.",
                       s->endpoints);
    media_metrics(out, &s->media);
    layer_metrics(out, &s->media, &s->selection);
    bwe_metrics(out, &s->media, &s->selection);
    channel_metrics(out, &s->channel);
    bridge_prom_metric(out, "parley_bridge_http_connections", "gauge",
                       "HTTP connections open (health, metrics, colibri-ws).", s->http.connections);
    bridge_prom_metric(out, "parley_bridge_http_refused_total", "counter",
                       "HTTP connections answered 503 at once: too many open, or no file "
                       "descriptor left.",
                       s->http.refused);
    srtp_metrics(out, s);
    return g_string_free(out, FALSE);
}
