/* SPDX-License-Identifier: MIT */
/* One endpoint's transport: its ICE state (ice.c: credentials, the peer's validated
 * addresses, the selected one), DTLS (server role unless the peer answered passive), SRTP once
 * DTLS is done, and its per-tick housekeeping (transport-cc feedback every tick, DTLS and ICE
 * timers; timeouts and receiver reports every second).
 *
 * Threads: everything here runs on the endpoint's worker thread. The endpoint is owned by the
 * worker's endpoint table (or its graveyard once retired). Its timeouts run on the worker's
 * own clock (live_us), which a stopped process does not advance, so a bridge that was
 * suspended for a while does not expire endpoints whose peers are still there. */
#include "bridge/media/media-priv.h"

#include <errno.h>
#include <string.h>

static void post_event(BridgeEndpoint *ep, BridgeMediaEvent event, const char *reason)
{
    BridgeResult *r = g_new0(BridgeResult, 1);
    r->type = BRIDGE_RESULT_EVENT;
    r->ep = ep->handle;
    r->event = event;
    r->reason = g_strdup(reason);
    pa_transport_init(&r->local);
    bridge_media_post_result(ep->worker->media, r);
}

static void endpoint_close(BridgeEndpoint *ep);

void bridge_endpoint_fail(BridgeEndpoint *ep, BridgeMediaEvent event, const char *reason)
{
    if (ep->dead)
        return;
    g_message("room=%s ep=%s: %s (%s)", ep->conference_id, ep->endpoint_id,
              event == BRIDGE_MEDIA_EVENT_TIMEOUT ? "media timeout" : "endpoint failed",
              reason ? reason : "");
    /* A silent peer may still be listening: tell it. (After a failure there is nobody to
     * tell, or DTLS is already closed or failed and sends nothing.) */
    if (event == BRIDGE_MEDIA_EVENT_TIMEOUT)
        endpoint_close(ep);
    post_event(ep, event, reason);
    bridge_worker_retire(ep->worker, ep);
}

/* ---- sending ---- */

void bridge_endpoint_send(BridgeEndpoint *ep, const guint8 *buf, gsize len)
{
    BridgeWorker *w = ep->worker;
    if (ep->fd < 0)
        return;
    ssize_t n;
    do {
        n = sendto(ep->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ep->peer, ep->peer_len);
    } while (n < 0 && errno == EINTR);
    if (n < 0)
        return; /* EAGAIN/ENOBUFS: a congested socket drops like the network would */
    BRIDGE_STAT_ADD(w->stats.packets_out, 1);
    BRIDGE_STAT_ADD(w->stats.bytes_out, len);
}

static void dtls_send(const guint8 *data, gsize len, gpointer user_data)
{
    BridgeEndpoint *ep = user_data;
    if (ep->dead || !ep->ice_connected)
        return;
    bridge_endpoint_send(ep, data, len);
}

/* DTLS close_notify to the peer (at once), so that a browser whose endpoint the bridge drops
 * (expired by the focus, media timeout, bridge shutdown) learns it now rather than when ICE
 * consent runs out some 30 s later. Only after a completed handshake on a selected address;
 * bridge_dtls_close() does nothing in FAILED or CLOSED. */
static void endpoint_close(BridgeEndpoint *ep)
{
    if (ep->dtls && !ep->dead && ep->ice_connected &&
        bridge_dtls_state(ep->dtls) == BRIDGE_DTLS_STATE_CONNECTED)
        bridge_dtls_close(ep->dtls);
}

/* ---- DTLS ---- */

static void dtls_connected(BridgeEndpoint *ep)
{
    BridgeSrtpKeys keys;
    if (!bridge_dtls_get_srtp_keys(ep->dtls, &keys)) {
        BRIDGE_STAT_ADD(ep->worker->stats.dtls_failures, 1);
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED, "no SRTP profile negotiated");
        return;
    }
    GError *error = NULL;
    ep->srtp = bridge_srtp_new(&keys, &error);
    BridgeSrtpProfile profile = keys.profile; /* for the log line: the keys are wiped now */
    memset(&keys, 0, sizeof keys);
    if (!ep->srtp) {
        BRIDGE_STAT_ADD(ep->worker->stats.dtls_failures, 1);
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED, error->message);
        g_error_free(error);
        return;
    }
    ep->connected = TRUE;
    ep->last_rx_us = ep->worker->live_us;
    BRIDGE_STAT_ADD(ep->worker->stats.endpoints_connected, 1);
    g_message("room=%s ep=%s: connected (ICE + DTLS, %s) on worker %u after %.0f ms",
              ep->conference_id, ep->endpoint_id, bridge_srtp_profile_name(profile),
              ep->worker->index, (ep->worker->live_us - ep->created_us) / 1000.0);
    post_event(ep, BRIDGE_MEDIA_EVENT_CONNECTED, NULL);
    /* A new receiver: whatever the others send reaches it from the next keyframe on, so ask
     * for one now rather than wait for the periodic one or the receiver's own PLI. */
    if (ep->conf)
        bridge_forward_request_keyframes(ep->worker, ep->conf, ep);
}

static void dtls_after(BridgeEndpoint *ep, BridgeDtlsState st)
{
    if (st == BRIDGE_DTLS_STATE_CONNECTED && !ep->srtp && !ep->dead) {
        dtls_connected(ep);
    } else if ((st == BRIDGE_DTLS_STATE_FAILED || st == BRIDGE_DTLS_STATE_CLOSED) && !ep->dead) {
        if (st == BRIDGE_DTLS_STATE_FAILED)
            BRIDGE_STAT_ADD(ep->worker->stats.dtls_failures, 1);
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED,
                             st == BRIDGE_DTLS_STATE_CLOSED ? "DTLS closed by peer"
                                                            : bridge_dtls_error(ep->dtls));
    }
}

/* Called by the receive path for a DTLS datagram. */
void bridge_endpoint_dtls_input(BridgeEndpoint *ep, const guint8 *buf, gsize len)
{
    if (!ep->dtls) {
        bridge_worker_drop(ep->worker, BRIDGE_DROP_NOT_READY);
        return;
    }
    BridgeDtlsState before = bridge_dtls_state(ep->dtls);
    if (before == BRIDGE_DTLS_STATE_FAILED || before == BRIDGE_DTLS_STATE_CLOSED) {
        bridge_worker_drop(ep->worker, BRIDGE_DROP_DTLS);
        return;
    }
    guint64 drops = bridge_dtls_get_drops(ep->dtls, NULL);
    BridgeDtlsState st = bridge_dtls_handle(ep->dtls, buf, len);
    if (bridge_dtls_get_drops(ep->dtls, NULL) != drops)
        bridge_worker_drop(ep->worker, BRIDGE_DROP_DTLS);
    dtls_after(ep, st);
}

static void maybe_start_dtls(BridgeEndpoint *ep)
{
    if (ep->dtls && ep->ice_connected && ep->role == BRIDGE_DTLS_ROLE_CLIENT &&
        bridge_dtls_state(ep->dtls) == BRIDGE_DTLS_STATE_NEW)
        bridge_dtls_start(ep->dtls);
}

/* ---- ICE ---- */

void bridge_endpoint_select(BridgeEndpoint *ep, guint sock, const BridgeAddr *addr)
{
    char now[BRIDGE_ADDR_STRLEN], before[BRIDGE_ADDR_STRLEN];
    BridgeWorker *w = ep->worker;
    gboolean first = !ep->ice_connected;
    BridgeAddr old = {0};
    if (!first && ep->fd >= 0)
        bridge_addr_from_sockaddr(&old, (struct sockaddr *)&ep->peer, ep->peer_len);
    /* Datagrams queued for the old address go there: they were protected for this leg and
     * are as good as sent. */
    ep->fd = w->socks[sock].fd;
    ep->peer_len = bridge_addr_to_sockaddr(addr, &ep->peer);
    ep->ice_connected = TRUE;
    if (first) {
        g_info("room=%s ep=%s: ICE connected, peer %s (%s) after %.0f ms", ep->conference_id,
               ep->endpoint_id, bridge_addr_to_string(addr, now),
               ep->ice.peer_role == BRIDGE_ICE_PEER_CONTROLLED ? "bridge nominated"
                                                               : "peer nominated",
               (w->live_us - ep->created_us) / 1000.0);
        maybe_start_dtls(ep);
    } else if (!bridge_addr_equal(&old, addr)) {
        g_message("room=%s ep=%s: peer moved from %s to %s", ep->conference_id, ep->endpoint_id,
                  bridge_addr_to_string(&old, before), bridge_addr_to_string(addr, now));
    }
}

/* ---- lifecycle ---- */

/* The transport the ready callback reports: the endpoint's credentials and the bridge's
 * candidates (the same media port for every endpoint). */
static void post_ready(BridgeEndpoint *ep)
{
    BridgeMedia *m = ep->worker->media;
    BridgeResult *r = g_new0(BridgeResult, 1);
    r->type = BRIDGE_RESULT_READY;
    r->ep = ep->handle;
    pa_transport_init(&r->local);
    r->local.ufrag = g_strdup(ep->ice.ufrag);
    r->local.pwd = g_strdup(ep->ice.pwd);
    r->local.rtcp_mux = TRUE;
    r->local.fingerprint_hash = g_strdup("sha-256");
    r->local.fingerprint = g_strdup(bridge_dtls_cert_fingerprint(m->cert));
    r->local.setup = g_strdup("actpass");
    g_array_append_vals(r->local.candidates, m->candidates->data, m->candidates->len);
    bridge_media_post_result(m, r);
}

BridgeEndpoint *bridge_endpoint_new(BridgeWorker *w, BridgeMsg *create, GError **error)
{
    BridgeMedia *m = w->media;
    if (bridge_handle_table_get(&w->endpoints, create->ep)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_EXISTS, "endpoint handle in use");
        return NULL;
    }
    BridgeEndpoint *ep = g_new0(BridgeEndpoint, 1);
    ep->handle = create->ep;
    ep->conference_id = g_strdup(create->conference_id);
    ep->endpoint_id = g_strdup(create->endpoint_id);
    ep->worker = w;
    ep->fd = -1;
    ep->role = BRIDGE_DTLS_ROLE_SERVER;
    ep->created_us = w->live_us;
    ep->hdrext = m->hdrext;
    ep->shared = g_steal_pointer(&create->shared);
    bridge_tcc_recv_init(&ep->tcc);
    bridge_egress_init(ep);
    bridge_ice_init(ep);
    ep->conf = bridge_worker_conf_get(w, create->conf);
    g_ptr_array_add(ep->conf->endpoints, ep);
    bridge_handle_table_insert(&w->endpoints, ep->handle, ep);
    g_info("room=%s ep=%s: ICE ufrag %s on worker %u", ep->conference_id, ep->endpoint_id,
           ep->ice.ufrag, w->index);
    post_ready(ep);
    return ep;
}

void bridge_endpoint_free(BridgeEndpoint *ep)
{
    if (!ep)
        return;
    /* Expired or the worker stopping (a retired endpoint is dead and sends nothing). */
    endpoint_close(ep);
    bridge_worker_flush(ep->worker);
    if (ep->connected)
        BRIDGE_STAT_ADD(ep->worker->stats.endpoints_connected, -1);
    if (ep->conf)
        bridge_worker_conf_remove_endpoint(ep->worker, ep);
    bridge_ice_clear(ep);
    if (ep->dtls)
        bridge_dtls_free(ep->dtls);
    if (ep->srtp)
        bridge_srtp_free(ep->srtp);
    bridge_egress_clear(ep);
    bridge_video_endpoint_clear(ep);
    g_free(ep->conference_id);
    g_free(ep->endpoint_id);
    g_free(ep);
}

void bridge_endpoint_set_remote(BridgeEndpoint *ep, const PaTransport *remote)
{
    BridgeMedia *m = ep->worker->media;
    if (remote->ufrag && remote->pwd)
        bridge_ice_set_remote(ep, remote->ufrag, remote->pwd);
    if (ep->dead)
        return;
    if (remote->fingerprint && !ep->dtls) {
        if (remote->setup && g_ascii_strcasecmp(remote->setup, "passive") == 0)
            ep->role = BRIDGE_DTLS_ROLE_CLIENT;
        ep->dtls = bridge_dtls_new(m->cert, ep->role, dtls_send, ep);
        const char *hash = remote->fingerprint_hash ? remote->fingerprint_hash : "sha-256";
        if (!bridge_dtls_set_remote_fingerprint(ep->dtls, hash, remote->fingerprint)) {
            BRIDGE_STAT_ADD(ep->worker->stats.dtls_failures, 1);
            bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED, "unusable remote fingerprint");
            return;
        }
        maybe_start_dtls(ep);
    }
    /* Remote candidates are not needed: the bridge answers the peer's checks and learns its
     * addresses from them (ice.h). */
}

BridgeSource *bridge_endpoint_source(BridgeEndpoint *ep, guint32 ssrc, gboolean create)
{
    for (guint i = 0; i < ep->n_sources; i++)
        if (ep->sources[i].ssrc == ssrc)
            return &ep->sources[i];
    if (!create || ep->n_sources == BRIDGE_EP_MAX_SSRCS)
        return NULL;
    BridgeSource *s = &ep->sources[ep->n_sources++];
    memset(s, 0, sizeof *s);
    s->ssrc = ssrc;
    s->audio_level = 127;
    return s;
}

void bridge_endpoint_set_ssrcs(BridgeEndpoint *ep, const BridgeMediaSsrc *ssrcs, guint n)
{
    /* Keep learned sources (they carry receive statistics); refresh the announced flags. */
    for (guint i = 0; i < ep->n_sources; i++)
        ep->sources[i].announced = FALSE;
    for (guint i = 0; i < n; i++) {
        BridgeSource *s = bridge_endpoint_source(ep, ssrcs[i].ssrc, TRUE);
        if (!s) {
            g_warning("room=%s ep=%s: more than %d sources, ignoring the rest", ep->conference_id,
                      ep->endpoint_id, BRIDGE_EP_MAX_SSRCS);
            break;
        }
        gboolean was_seen = s->seen;
        s->announced = TRUE;
        s->video = ssrcs[i].video;
        if (!was_seen)
            bridge_recv_stats_init(&s->rx, s->video ? 90000 : 48000);
    }
    /* Drop sources neither announced nor seen. */
    guint j = 0;
    for (guint i = 0; i < ep->n_sources; i++)
        if (ep->sources[i].announced || ep->sources[i].seen)
            ep->sources[j++] = ep->sources[i];
    ep->n_sources = j;
    bridge_video_map_sources(ep);
}

void bridge_endpoint_tick(BridgeEndpoint *ep, gboolean slow)
{
    BridgeMedia *m = ep->worker->media;
    gint64 now = ep->worker->live_us;
    if (ep->dtls && !ep->srtp) {
        BridgeDtlsState st = bridge_dtls_state(ep->dtls);
        if (st == BRIDGE_DTLS_STATE_CONNECTING && bridge_dtls_timeout_ms(ep->dtls) == 0)
            dtls_after(ep, bridge_dtls_handle_timeout(ep->dtls));
        if (ep->dead)
            return;
    }
    bridge_ice_tick(ep);
    if (ep->dead)
        return;
    if (ep->connected) {
        bridge_rtcp_send_transport_feedback(ep);
        bridge_egress_tick(ep);
    }
    if (!slow)
        return;
    if (!ep->connected) {
        if (m->config.ice_timeout_s &&
            now - ep->created_us > (gint64)m->config.ice_timeout_s * G_USEC_PER_SEC) {
            if (!ep->ice_connected)
                BRIDGE_STAT_ADD(ep->worker->stats.ice_failures, 1);
            else
                BRIDGE_STAT_ADD(ep->worker->stats.dtls_failures, 1);
            bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED,
                                 ep->ice_connected ? "DTLS not done in time"
                                                   : "ICE not connected in time");
        }
        return;
    }
    if (m->config.media_timeout_s &&
        now - ep->last_rx_us > (gint64)m->config.media_timeout_s * G_USEC_PER_SEC) {
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_TIMEOUT, "no media received");
        return;
    }
    bridge_rtcp_send_receiver_report(ep, ep->worker->now_us);
    bridge_video_publish(ep);
}
