/* SPDX-License-Identifier: MIT */
/* One endpoint's transport: its NiceAgent (full ICE, controlling, RFC 5245, one stream with
 * one component: rtcp-mux and BUNDLE), DTLS (server role unless the peer answered passive),
 * SRTP once DTLS is done, and its per-tick housekeeping (transport-cc feedback every tick,
 * DTLS retransmissions; timeouts and receiver reports every second).
 *
 * Threads: everything here runs on the endpoint's worker thread; the NiceAgent is created with
 * the worker's GMainContext so all its callbacks come there. The endpoint is owned by the
 * worker's endpoint table (or its graveyard once retired). */
#include "bridge/media/media-priv.h"

#include <errno.h>
#include <string.h>

#define STREAM_COMPONENT 1

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
    if (ep->fd >= 0) {
        ssize_t n;
        do {
            n = sendto(ep->fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ep->peer, ep->peer_len);
        } while (n < 0 && errno == EINTR);
        if (n < 0)
            return; /* EAGAIN/ENOBUFS: a congested socket drops like the network would */
    } else {
        if (nice_agent_send(ep->agent, ep->stream_id, STREAM_COMPONENT, len, (const gchar *)buf) <
            0)
            return;
    }
    BRIDGE_STAT_ADD(w->stats.packets_out, 1);
    BRIDGE_STAT_ADD(w->stats.bytes_out, len);
}

static void dtls_send(const guint8 *data, gsize len, gpointer user_data)
{
    BridgeEndpoint *ep = user_data;
    if (ep->dead || !ep->ice_connected)
        return;
    /* DTLS goes through libnice: it is rare, and the selected pair may still be settling. */
    nice_agent_send(ep->agent, ep->stream_id, STREAM_COMPONENT, len, (const gchar *)data);
}

/* DTLS close_notify to the peer (through libnice, at once), so that a browser whose endpoint
 * the bridge drops (expired by the focus, media timeout, bridge shutdown) learns it now
 * rather than when ICE consent runs out some 30 s later. Only after a completed handshake on
 * a usable pair; bridge_dtls_close() does nothing in FAILED or CLOSED. */
static void endpoint_close(BridgeEndpoint *ep)
{
    if (ep->dtls && !ep->dead && ep->ice_connected &&
        bridge_dtls_state(ep->dtls) == BRIDGE_DTLS_STATE_CONNECTED)
        bridge_dtls_close(ep->dtls);
}

/* Caches the selected pair's socket and peer address for direct sends. */
static void update_selected_pair(BridgeEndpoint *ep, NiceCandidate *remote)
{
    bridge_worker_flush(ep->worker);
    g_clear_object(&ep->sock);
    ep->fd = -1;
    if (!remote)
        return;
    GSocket *sock = nice_agent_get_selected_socket(ep->agent, ep->stream_id, STREAM_COMPONENT);
    if (!sock)
        return; /* not a plain UDP socket (e.g. TCP): keep using nice_agent_send */
    if (g_socket_get_protocol(sock) != G_SOCKET_PROTOCOL_UDP &&
        g_socket_get_protocol(sock) != G_SOCKET_PROTOCOL_DEFAULT) {
        g_object_unref(sock);
        return;
    }
    memset(&ep->peer, 0, sizeof ep->peer);
    nice_address_copy_to_sockaddr(&remote->addr, (struct sockaddr *)&ep->peer);
    ep->peer_len =
        ep->peer.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in);
    ep->sock = sock;
    ep->fd = g_socket_get_fd(sock);
    /* A worker that is descheduled for a few milliseconds must not lose a burst of video:
     * ask for roomy buffers (the kernel caps them at net.core.rmem_max / wmem_max). */
    int size = BRIDGE_SOCKET_BUFFER;
    setsockopt(ep->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    setsockopt(ep->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
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
    ep->last_rx_us = g_get_monotonic_time();
    BRIDGE_STAT_ADD(ep->worker->stats.endpoints_connected, 1);
    g_message("room=%s ep=%s: connected (ICE + DTLS, %s) on worker %u", ep->conference_id,
              ep->endpoint_id, bridge_srtp_profile_name(profile), ep->worker->index);
    post_event(ep, BRIDGE_MEDIA_EVENT_CONNECTED, NULL);
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

/* ---- libnice callbacks ---- */

/* Receiving goes through libnice (nice_agent_attach_recv on the worker's context): libnice
 * reads the component's socket in its own GSource, keeps STUN (connectivity checks, consent
 * freshness both ways) and hands every other datagram to on_recv directly, without queueing
 * (the worker's thread owns the context). What that costs, measured on loopback with the
 * media-plane tests (one receiver per packet, 2 shared vCPUs):
 * - about 2.5-3.5 us per received datagram outside Parley's code (GLib poll and dispatch of
 *   one GSource per socket, libnice's agent lock, one recvmsg per datagram), against
 *   1.5-2.5 us for unprotect + copy + protect and ~1.5-2 us for the batched send per
 *   forwarded packet: a third or more of a 1:1 call's per-packet CPU, but amortised over the
 *   receivers of a larger conference (~0.06 us per forwarded packet at 50 receivers);
 * - one malloc per wakeup, not per datagram: libnice reads until the socket is empty and
 *   GLib builds a GError ("would block", message strdup'ed) for the final EAGAIN (0.3-0.6
 *   per forwarded packet in that test, fewer the more datagrams arrive per wakeup). It is
 *   ~1-2% of the wakeup's own cost, and no libnice 0.1.21 receive mode avoids it:
 *   nice_agent_recv_messages_nonblocking() iterates a GMainContext per call and allocates
 *   its own would-block error on top.
 * tests/bench/bridge-load (5 participants at real-time rates, 1 worker) shows the same
 * picture: 5.8 us per forwarded packet against a 3.4 us floor that also reads every datagram
 * with its own recvmsg. Much of the difference is per wakeup (a datagram that arrives alone
 * wakes the worker, polls, dispatches), which a batched reader would not remove at such rates
 * either: only holding datagrams back to batch them would, at a cost in latency.
 * Reading the selected pair's socket ourselves (recvmmsg, one epoll for all endpoints) would
 * remove most of the first item under load, but libnice has no call to hand it a datagram
 * that someone else read: whichever reader takes a STUN packet off the socket must process
 * it. So the bridge would have to take over the post-nomination half of ICE (answer the
 * browser's consent checks with MESSAGE-INTEGRITY and FINGERPRINT, send its own and run the
 * 30 s consent-loss timer instead of libnice, follow pair switches and ICE restarts). Not a
 * cheap or risk-free change for a cost that large conferences amortise; revisit together
 * with a libnice that gains a batch receive or inject call, or an ICE layer of Parley's own. */
static void on_recv(NiceAgent *agent, guint stream_id, guint component_id, guint len, gchar *buf,
                    gpointer data)
{
    BridgeEndpoint *ep = data;
    if (ep->dead)
        return;
    bridge_forward_recv(ep, (guint8 *)buf, len);
}

static void on_state(NiceAgent *agent, guint stream_id, guint component_id, guint state,
                     gpointer data)
{
    BridgeEndpoint *ep = data;
    if (ep->dead)
        return;
    ep->ice_state = state;
    if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) &&
        !ep->ice_connected) {
        ep->ice_connected = TRUE;
        ep->ice_connected_us = g_get_monotonic_time();
        g_info("room=%s ep=%s: ICE connected", ep->conference_id, ep->endpoint_id);
        maybe_start_dtls(ep);
    } else if (state == NICE_COMPONENT_STATE_FAILED) {
        BRIDGE_STAT_ADD(ep->worker->stats.ice_failures, 1);
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED,
                             ep->ice_connected ? "ICE consent lost" : "ICE failed");
    }
}

static void on_selected_pair(NiceAgent *agent, guint stream_id, guint component_id,
                             NiceCandidate *lcand, NiceCandidate *rcand, gpointer data)
{
    BridgeEndpoint *ep = data;
    if (ep->dead)
        return;
    update_selected_pair(ep, rcand);
}

static void fill_candidate(PaIceCandidate *pc, const NiceCandidate *c)
{
    memset(pc, 0, sizeof *pc);
    g_strlcpy(pc->foundation, c->foundation, sizeof pc->foundation);
    pc->component = c->component_id;
    g_strlcpy(pc->protocol, "udp", sizeof pc->protocol);
    pc->priority = c->priority;
    nice_address_to_string(&c->addr, pc->ip);
    pc->port = nice_address_get_port(&c->addr);
    static const char *types[] = {"host", "srflx", "prflx", "relay"};
    g_strlcpy(pc->type, c->type <= NICE_CANDIDATE_TYPE_RELAYED ? types[c->type] : "host",
              sizeof pc->type);
    if (c->type != NICE_CANDIDATE_TYPE_HOST) {
        nice_address_to_string(&c->base_addr, pc->rel_addr);
        pc->rel_port = nice_address_get_port(&c->base_addr);
    }
    pc->generation = 0;
    pc->network = 0;
    for (gsize i = 0; i < 10; i++)
        pc->id[i] = "abcdefghijklmnopqrstuvwxyz0123456789"[g_random_int_range(0, 36)];
}

static void on_gathering_done(NiceAgent *agent, guint stream_id, gpointer data)
{
    BridgeEndpoint *ep = data;
    if (ep->dead || ep->gathered)
        return;
    ep->gathered = TRUE;
    BridgeMedia *m = ep->worker->media;

    BridgeResult *r = g_new0(BridgeResult, 1);
    r->type = BRIDGE_RESULT_READY;
    r->ep = ep->handle;
    pa_transport_init(&r->local);
    gchar *ufrag = NULL, *pwd = NULL;
    nice_agent_get_local_credentials(agent, stream_id, &ufrag, &pwd);
    r->local.ufrag = ufrag;
    r->local.pwd = pwd;
    r->local.rtcp_mux = TRUE;
    r->local.fingerprint_hash = g_strdup("sha-256");
    r->local.fingerprint = g_strdup(bridge_dtls_cert_fingerprint(m->cert));
    r->local.setup = g_strdup("actpass");
    GSList *cands = nice_agent_get_local_candidates(agent, stream_id, STREAM_COMPONENT);
    for (GSList *l = cands; l; l = l->next) {
        NiceCandidate *c = l->data;
        if (c->transport != NICE_CANDIDATE_TRANSPORT_UDP)
            continue;
        PaIceCandidate pc;
        fill_candidate(&pc, c);
        g_array_append_val(r->local.candidates, pc);
        if (m->config.public_address && c->type == NICE_CANDIDATE_TYPE_HOST) {
            /* 1:1 NAT: the same socket, reachable at the public address. */
            PaIceCandidate pub = pc;
            g_strlcpy(pub.type, "srflx", sizeof pub.type);
            g_strlcpy(pub.ip, m->config.public_address, sizeof pub.ip);
            g_strlcpy(pub.rel_addr, pc.ip, sizeof pub.rel_addr);
            pub.rel_port = pc.port;
            g_strlcat(pub.foundation, "p", sizeof pub.foundation);
            pub.priority = (100u << 24) | (pc.priority & 0xffffff);
            g_array_append_val(r->local.candidates, pub);
        }
    }
    g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);

    if (r->local.candidates->len == 0) {
        r->error = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED,
                               "no ICE candidates gathered (ice.addresses, port range?)");
        pa_transport_clear(&r->local);
        pa_transport_init(&r->local);
        bridge_media_post_result(m, r);
        g_warning("room=%s ep=%s: no ICE candidates gathered", ep->conference_id, ep->endpoint_id);
        ep->dead = TRUE;
        bridge_worker_retire(ep->worker, ep);
        return;
    }
    g_info("room=%s ep=%s: gathered %u candidates, ufrag %s", ep->conference_id, ep->endpoint_id,
           r->local.candidates->len, r->local.ufrag);
    bridge_media_post_result(m, r);
}

/* ---- lifecycle ---- */

/* The endpoint's NiceAgent on the worker's context: one stream of one component in the port
 * range, on the configured addresses, its callbacks connected. FALSE with @error when libnice
 * refuses any of it. */
static gboolean agent_new(BridgeEndpoint *ep, GError **error)
{
    BridgeWorker *w = ep->worker;
    BridgeMedia *m = w->media;
    ep->agent =
        nice_agent_new_full(w->ctx, NICE_COMPATIBILITY_RFC5245,
                            NICE_AGENT_OPTION_ICE_TRICKLE | NICE_AGENT_OPTION_CONSENT_FRESHNESS);
    g_object_set(ep->agent, "controlling-mode", TRUE, "ice-tcp", FALSE, "ice-udp", TRUE, "upnp",
                 FALSE, NULL);
    for (char **a = m->config.local_addresses; *a; a++) {
        NiceAddress addr;
        nice_address_init(&addr);
        /* bridge_media_new() checked that each is an IP address. */
        if (!nice_address_set_from_string(&addr, *a) ||
            !nice_agent_add_local_address(ep->agent, &addr)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnice refused local address %s",
                        *a);
            return FALSE;
        }
    }
    ep->stream_id = nice_agent_add_stream(ep->agent, STREAM_COMPONENT);
    if (!ep->stream_id) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnice refused a stream");
        return FALSE;
    }
    if (m->config.port_max) /* bridge_media_new() applied the range rule: both set or none */
        nice_agent_set_port_range(ep->agent, ep->stream_id, STREAM_COMPONENT, m->config.port_min,
                                  m->config.port_max);
    g_signal_connect(ep->agent, "candidate-gathering-done", G_CALLBACK(on_gathering_done), ep);
    g_signal_connect(ep->agent, "component-state-changed", G_CALLBACK(on_state), ep);
    g_signal_connect(ep->agent, "new-selected-pair-full", G_CALLBACK(on_selected_pair), ep);
    if (!nice_agent_attach_recv(ep->agent, ep->stream_id, STREAM_COMPONENT, w->ctx, on_recv, ep)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "libnice refused the receive callback");
        return FALSE;
    }
    return TRUE;
}

BridgeEndpoint *bridge_endpoint_new(BridgeWorker *w, BridgeMsg *create, GError **error)
{
    BridgeMedia *m = w->media;
    BridgeEndpoint *ep = g_new0(BridgeEndpoint, 1);
    ep->handle = create->ep;
    ep->conference_id = g_strdup(create->conference_id);
    ep->endpoint_id = g_strdup(create->endpoint_id);
    ep->worker = w;
    ep->fd = -1;
    ep->role = BRIDGE_DTLS_ROLE_SERVER;
    ep->created_us = g_get_monotonic_time();
    ep->hdrext = m->hdrext;
    bridge_tcc_recv_init(&ep->tcc);

    if (!agent_new(ep, error)) {
        bridge_endpoint_free(ep);
        return NULL;
    }
    ep->conf = bridge_worker_conf_get(w, create->conf);
    g_ptr_array_add(ep->conf->endpoints, ep);
    bridge_handle_table_insert(&w->endpoints, ep->handle, ep);

    if (!nice_agent_gather_candidates(ep->agent, ep->stream_id)) {
        bridge_worker_conf_remove_endpoint(w, ep);
        bridge_handle_table_remove(&w->endpoints, ep->handle);
        bridge_endpoint_free(ep);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                    "ICE gathering failed: no usable local address or port in %u-%u",
                    m->config.port_min, m->config.port_max);
        return NULL;
    }
    return ep;
}

void bridge_endpoint_free(BridgeEndpoint *ep)
{
    if (!ep)
        return;
    /* Queued datagrams may name this endpoint's socket: send them before it closes. */
    bridge_worker_flush(ep->worker);
    /* Expired or the worker stopping (a retired endpoint is dead and sends nothing). */
    endpoint_close(ep);
    if (ep->connected)
        BRIDGE_STAT_ADD(ep->worker->stats.endpoints_connected, -1);
    if (ep->conf)
        bridge_worker_conf_remove_endpoint(ep->worker, ep);
    g_clear_object(&ep->sock);
    if (ep->agent) {
        g_signal_handlers_disconnect_by_data(ep->agent, ep);
        if (ep->stream_id)
            nice_agent_attach_recv(ep->agent, ep->stream_id, STREAM_COMPONENT, ep->worker->ctx,
                                   NULL, NULL);
        g_object_unref(ep->agent);
    }
    if (ep->dtls)
        bridge_dtls_free(ep->dtls);
    if (ep->srtp)
        bridge_srtp_free(ep->srtp);
    g_free(ep->conference_id);
    g_free(ep->endpoint_id);
    g_free(ep);
}

static NiceCandidate *to_nice_candidate(const PaIceCandidate *pc, guint stream_id)
{
    if (!pa_ice_candidate_valid(pc) || g_ascii_strcasecmp(pc->protocol, "udp") != 0)
        return NULL;
    if (pc->component != STREAM_COMPONENT)
        return NULL; /* rtcp-mux: component 2 is never used */
    NiceCandidateType type = NICE_CANDIDATE_TYPE_HOST;
    if (strcmp(pc->type, "srflx") == 0)
        type = NICE_CANDIDATE_TYPE_SERVER_REFLEXIVE;
    else if (strcmp(pc->type, "prflx") == 0)
        type = NICE_CANDIDATE_TYPE_PEER_REFLEXIVE;
    else if (strcmp(pc->type, "relay") == 0)
        type = NICE_CANDIDATE_TYPE_RELAYED;
    NiceCandidate *c = nice_candidate_new(type);
    c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
    c->stream_id = stream_id;
    c->component_id = STREAM_COMPONENT;
    c->priority = pc->priority;
    g_strlcpy(c->foundation, pc->foundation[0] ? pc->foundation : "1", sizeof c->foundation);
    if (!nice_address_set_from_string(&c->addr, pc->ip)) {
        nice_candidate_free(c);
        return NULL;
    }
    nice_address_set_port(&c->addr, pc->port);
    return c;
}

void bridge_endpoint_set_remote(BridgeEndpoint *ep, const PaTransport *remote)
{
    BridgeMedia *m = ep->worker->media;
    if (remote->ufrag && remote->pwd &&
        !nice_agent_set_remote_credentials(ep->agent, ep->stream_id, remote->ufrag, remote->pwd)) {
        BRIDGE_STAT_ADD(ep->worker->stats.ice_failures, 1);
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED, "libnice refused the ICE credentials");
        return;
    }

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

    GSList *list = NULL;
    guint skipped = 0;
    for (guint i = 0; remote->candidates && i < remote->candidates->len; i++) {
        NiceCandidate *c =
            to_nice_candidate(&g_array_index(remote->candidates, PaIceCandidate, i), ep->stream_id);
        if (c)
            list = g_slist_prepend(list, c);
        else
            skipped++;
    }
    if (list) {
        int n = nice_agent_set_remote_candidates(ep->agent, ep->stream_id, STREAM_COMPONENT, list);
        g_info("room=%s ep=%s: %d remote candidates added (%u skipped)", ep->conference_id,
               ep->endpoint_id, n, skipped);
    }
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
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
}

void bridge_endpoint_tick(BridgeEndpoint *ep, gint64 now_us, gboolean slow)
{
    BridgeMedia *m = ep->worker->media;
    if (ep->dtls && !ep->srtp) {
        BridgeDtlsState st = bridge_dtls_state(ep->dtls);
        if (st == BRIDGE_DTLS_STATE_CONNECTING && bridge_dtls_timeout_ms(ep->dtls) == 0)
            dtls_after(ep, bridge_dtls_handle_timeout(ep->dtls));
        if (ep->dead)
            return;
    }
    if (ep->connected)
        bridge_rtcp_send_transport_feedback(ep);
    if (!slow)
        return;
    if (!ep->connected) {
        if (now_us - ep->created_us > (gint64)m->config.ice_timeout_s * G_USEC_PER_SEC &&
            m->config.ice_timeout_s) {
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
        now_us - ep->last_rx_us > (gint64)m->config.media_timeout_s * G_USEC_PER_SEC) {
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_TIMEOUT, "no media received");
        return;
    }
    bridge_rtcp_send_receiver_report(ep, now_us);
}
