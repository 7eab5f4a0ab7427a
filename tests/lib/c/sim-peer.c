/* SPDX-License-Identifier: MIT */
/* Simulated WebRTC client for the bridge's media tests and benchmarks (see sim-peer.h). Until
 * take-over its state belongs to the GMainContext it was made on; afterwards the wire's tx
 * leg to the sending thread and the rx leg plus the STUN agent to the receiving thread. */
#include "sim-peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <nice/agent.h>
#include <string.h>
#include <stun/stunagent.h>
#include <unistd.h>
#include <stun/usages/ice.h>

#include "bridge/dtls/dtls.h"
#include "common/rtp/demux.h"
#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"
#include "common/rtp/tcc.h"

struct _SimPeer {
    char *name;
    GMainContext *ctx;
    SimPeerOptions opt;
    NiceAgent *agent;
    guint stream;
    gboolean gathered, ice_connected, failed, dtls_closed, taken_over;
    BridgeDtlsCert *cert;
    BridgeDtls *dtls;
    BridgeSrtpKeys keys;
    BridgeSrtp *srtp; /* libnice mode: both directions; set once DTLS is done */
    GSource *timer;
    SimPeerStats stats;
    guint8 last_sent[1600];
    gsize last_sent_len;
    guint8 last_received[1600]; /* clear */
    gsize last_received_len;
    /* transport-cc: what was sent when, what the bridge reported (track_tcc: 65536 each) */
    guint8 tcc_id;
    guint16 tcc_next;
    gint64 *tcc_sent, *tcc_report;
    gboolean tcc_any_fb;
    /* after take-over (receiving thread: STUN answers) */
    SimPeerWire wire;
    StunAgent stun;
    char *local_pwd, *local_ufrag;
    guint64 tie;
    SimPeerWireStats ws;
    char *check_pwd;       /* key of the checks in flight (the agent keeps a pointer to it) */
    GPtrArray *extra_fds;  /* sockets made by sim_peer_rebind (owned) */
    SimPeerRtpFunc on_rtp; /* every clear RTP packet received (libnice mode) */
    gpointer on_rtp_data;
};

/* ---- ICE and DTLS set-up ---- */

static void dtls_send(const guint8 *data, gsize len, gpointer user_data)
{
    SimPeer *p = user_data;
    nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)data);
}

static void after_dtls(SimPeer *p, BridgeDtlsState st)
{
    if (st == BRIDGE_DTLS_STATE_CONNECTED && !p->srtp) {
        if (!bridge_dtls_get_srtp_keys(p->dtls, &p->keys)) {
            g_printerr("%s: DTLS done without an SRTP profile\n", p->name);
            p->failed = TRUE;
            return;
        }
        GError *error = NULL;
        p->srtp = bridge_srtp_new(&p->keys, &error);
        if (!p->srtp) {
            g_printerr("%s: srtp: %s\n", p->name, error->message);
            g_error_free(error);
            p->failed = TRUE;
        }
    } else if (st == BRIDGE_DTLS_STATE_CLOSED) {
        p->dtls_closed = TRUE; /* close_notify from the bridge */
    } else if (st == BRIDGE_DTLS_STATE_FAILED) {
        g_printerr("%s: DTLS failed: %s\n", p->name, bridge_dtls_error(p->dtls));
        p->failed = TRUE;
    }
}

static void handle_tcc(SimPeer *p, const guint8 *buf, const PaRtcpPacket *pk)
{
    static PaTccStatus st[65536]; /* the GMainContext's thread only */
    PaRtcpTcc h;
    size_t n;
    if (pa_tcc_parse(buf, pk, &h, st, G_N_ELEMENTS(st), &n) != PA_RTCP_OK) {
        p->stats.tcc_feedback_malformed++;
        return;
    }
    if (p->tcc_any_fb && h.fb_count != (guint8)(p->stats.tcc_last_fb_count + 1))
        p->stats.tcc_fb_count_gaps++;
    p->tcc_any_fb = TRUE;
    p->stats.tcc_feedback_received++;
    p->stats.tcc_last_sender_ssrc = h.fb.sender_ssrc;
    p->stats.tcc_last_media_ssrc = h.fb.media_ssrc;
    p->stats.tcc_last_fb_count = h.fb_count;
    for (size_t i = 0; p->tcc_report && i < n; i++)
        p->tcc_report[st[i].seq] =
            st[i].status == PA_TCC_NOT_RECV ? PA_TCC_NOT_RECEIVED : st[i].arrival_us;
}

static void handle_rr(SimPeer *p, const guint8 *buf, const PaRtcpPacket *pk)
{
    PaRtcpRr rr;
    p->stats.rr_received++;
    if (pa_rtcp_parse_rr(buf, pk, &rr) == PA_RTCP_OK && rr.report_count > 0) {
        PaRtcpReportBlock b;
        pa_rtcp_read_report_block(buf, rr.blocks_offset, 0, &b);
        p->stats.rr_last_ssrc_reported = b.ssrc;
        p->stats.rr_last_ext_seq = b.ext_highest_seq;
    }
}

static void handle_rtcp(SimPeer *p, const guint8 *buf, gsize len)
{
    p->stats.rtcp_received++;
    PaRtcpIter it;
    PaRtcpPacket pk;
    if (pa_rtcp_iter_init(&it, buf, len) != PA_RTCP_OK)
        return;
    while (pa_rtcp_iter_next(&it, &pk) == PA_RTCP_OK) {
        if (pk.type == PA_RTCP_SR)
            p->stats.sr_received++;
        else if (pk.type == PA_RTCP_RR)
            handle_rr(p, buf, &pk);
        else if (pk.type == PA_RTCP_PSFB && pk.count == PA_RTCP_PSFB_PLI) {
            PaRtcpFb fb;
            if (pa_rtcp_parse_fb(buf, &pk, &fb) == PA_RTCP_OK)
                p->stats.pli_ssrcs[p->stats.pli_received % SIM_PEER_PLI_RING] = fb.media_ssrc;
            p->stats.pli_received++;
        } else if (pk.type == PA_RTCP_PSFB && pk.count == PA_RTCP_PSFB_FIR)
            p->stats.fir_received++;
        else if (pk.type == PA_RTCP_RTPFB && pk.count == PA_RTCP_RTPFB_NACK)
            p->stats.nack_received++;
        else if (pk.type == PA_RTCP_RTPFB && pk.count == PA_RTCP_RTPFB_TCC)
            handle_tcc(p, buf, &pk);
    }
}

static void on_recv(NiceAgent *agent, guint stream, guint comp, guint len, gchar *buf,
                    gpointer data)
{
    SimPeer *p = data;
    guint8 pkt[1600];
    PaDemuxKind kind = pa_demux_classify((const guint8 *)buf, len);
    if (kind == PA_DEMUX_DTLS && p->dtls) {
        after_dtls(p, bridge_dtls_handle(p->dtls, (const guint8 *)buf, len));
        return;
    }
    if ((kind != PA_DEMUX_RTP && kind != PA_DEMUX_RTCP) || !p->srtp || len > sizeof pkt)
        return;
    memcpy(pkt, buf, len);
    gsize l = len;
    BridgeSrtpStatus st = kind == PA_DEMUX_RTCP ? bridge_srtp_unprotect_rtcp(p->srtp, pkt, &l)
                                                : bridge_srtp_unprotect(p->srtp, pkt, &l);
    if (st != BRIDGE_SRTP_OK) {
        p->stats.unprotect_failures++;
        return;
    }
    if (kind == PA_DEMUX_RTCP) {
        handle_rtcp(p, pkt, l);
        return;
    }
    p->stats.rtp_received++;
    p->stats.rtp_bytes += l;
    memcpy(p->last_received, pkt, l);
    p->last_received_len = l;
    p->stats.last_ssrc = pa_rtp_get_ssrc(pkt);
    p->stats.ssrc_sum += p->stats.last_ssrc;
    if (p->on_rtp)
        p->on_rtp(pkt, l, p->on_rtp_data);
}

static void on_state(NiceAgent *agent, guint stream, guint comp, guint state, gpointer data)
{
    SimPeer *p = data;
    if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) &&
        !p->ice_connected) {
        p->ice_connected = TRUE;
        GSocket *sock = nice_agent_get_selected_socket(agent, stream, 1);
        if (sock) {
            int size = 2 * 1024 * 1024; /* the test thread may lag behind a burst */
            setsockopt(g_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
            g_object_unref(sock);
        }
        if (p->dtls && bridge_dtls_state(p->dtls) == BRIDGE_DTLS_STATE_NEW &&
            bridge_dtls_get_role(p->dtls) == BRIDGE_DTLS_ROLE_CLIENT)
            bridge_dtls_start(p->dtls);
    } else if (state == NICE_COMPONENT_STATE_FAILED && !p->taken_over) {
        g_printerr("%s: ICE failed\n", p->name);
        p->failed = TRUE;
    }
}

static void on_gathered(NiceAgent *agent, guint stream, gpointer data)
{
    ((SimPeer *)data)->gathered = TRUE;
}

static gboolean on_dtls_timer(gpointer data)
{
    SimPeer *p = data;
    if (p->dtls && !p->srtp && bridge_dtls_state(p->dtls) == BRIDGE_DTLS_STATE_CONNECTING &&
        bridge_dtls_timeout_ms(p->dtls) == 0)
        after_dtls(p, bridge_dtls_handle_timeout(p->dtls));
    return G_SOURCE_CONTINUE;
}

SimPeer *sim_peer_new(GMainContext *ctx, const char *name, const SimPeerOptions *options)
{
    SimPeer *p = g_new0(SimPeer, 1);
    p->name = g_strdup(name);
    p->ctx = ctx;
    if (options)
        p->opt = *options;
    p->wire.fd = -1;
    if (p->opt.track_tcc) {
        p->tcc_sent = g_new(gint64, 65536);
        p->tcc_report = g_new(gint64, 65536);
        for (guint i = 0; i < 65536; i++) {
            p->tcc_sent[i] = -1;
            p->tcc_report[i] = SIM_PEER_TCC_UNREPORTED;
        }
    }
    bridge_srtp_global_init();
    GError *error = NULL;
    p->cert = bridge_dtls_cert_new(&error);
    if (!p->cert)
        g_error("%s: certificate: %s", name, error->message);
    if (p->opt.cm_only) {
        static const BridgeSrtpProfile cm = BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80;
        bridge_dtls_cert_set_srtp_profiles(p->cert, &cm, 1);
    }

    p->agent = nice_agent_new(ctx, NICE_COMPATIBILITY_RFC5245);
    g_object_set(p->agent, "controlling-mode", p->opt.controlling, "ice-tcp", FALSE, "upnp", FALSE,
                 NULL);
    NiceAddress a;
    nice_address_init(&a);
    nice_address_set_from_string(&a, p->opt.local_address ? p->opt.local_address : "127.0.0.1");
    nice_agent_add_local_address(p->agent, &a);
    p->stream = nice_agent_add_stream(p->agent, 1);
    g_signal_connect(p->agent, "candidate-gathering-done", G_CALLBACK(on_gathered), p);
    g_signal_connect(p->agent, "component-state-changed", G_CALLBACK(on_state), p);
    nice_agent_attach_recv(p->agent, p->stream, 1, ctx, on_recv, p);
    if (!nice_agent_gather_candidates(p->agent, p->stream))
        g_error("%s: libnice gathered no candidates", name);

    p->timer = g_timeout_source_new(p->opt.dtls_timer_ms ? p->opt.dtls_timer_ms : 50);
    g_source_set_callback(p->timer, on_dtls_timer, p, NULL);
    g_source_attach(p->timer, ctx);
    return p;
}

void sim_peer_free(SimPeer *p)
{
    if (!p)
        return;
    g_source_destroy(p->timer);
    g_source_unref(p->timer);
    nice_agent_attach_recv(p->agent, p->stream, 1, p->ctx, NULL, NULL);
    g_signal_handlers_disconnect_by_data(p->agent, p);
    g_object_unref(p->agent);
    bridge_dtls_free(p->dtls);
    bridge_srtp_free(p->srtp);
    bridge_srtp_free(p->wire.tx);
    bridge_srtp_free(p->wire.rx);
    bridge_dtls_cert_free(p->cert);
    memset(&p->keys, 0, sizeof p->keys);
    g_free(p->tcc_sent);
    g_free(p->tcc_report);
    g_free(p->local_pwd);
    g_free(p->local_ufrag);
    g_free(p->check_pwd);
    if (p->extra_fds) {
        for (guint i = 0; i < p->extra_fds->len; i++)
            close(GPOINTER_TO_INT(p->extra_fds->pdata[i]));
        g_ptr_array_unref(p->extra_fds);
    }
    g_free(p->name);
    g_free(p);
}

gboolean sim_peer_gathered(SimPeer *p)
{
    return p->gathered;
}

void sim_peer_get_transport(SimPeer *p, PaTransport *out)
{
    gchar *ufrag = NULL, *pwd = NULL;
    nice_agent_get_local_credentials(p->agent, p->stream, &ufrag, &pwd);
    g_free(out->ufrag);
    g_free(out->pwd);
    out->ufrag = ufrag;
    out->pwd = pwd;
    out->rtcp_mux = TRUE;
    g_free(out->fingerprint_hash);
    out->fingerprint_hash = g_strdup("sha-256");
    g_free(out->fingerprint);
    out->fingerprint = g_strdup(bridge_dtls_cert_fingerprint(p->cert));
    g_free(out->setup);
    out->setup = g_strdup("active");
    GSList *cands = nice_agent_get_local_candidates(p->agent, p->stream, 1);
    for (GSList *l = cands; l; l = l->next) {
        NiceCandidate *c = l->data;
        PaIceCandidate pc;
        memset(&pc, 0, sizeof pc);
        g_strlcpy(pc.foundation, c->foundation, sizeof pc.foundation);
        pc.component = 1;
        g_strlcpy(pc.protocol, "udp", sizeof pc.protocol);
        pc.priority = c->priority;
        nice_address_to_string(&c->addr, pc.ip);
        pc.port = nice_address_get_port(&c->addr);
        g_strlcpy(pc.type, "host", sizeof pc.type);
        g_array_append_val(out->candidates, pc);
    }
    g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
}

void sim_peer_set_remote(SimPeer *p, const PaTransport *bridge)
{
    nice_agent_set_remote_credentials(p->agent, p->stream, bridge->ufrag, bridge->pwd);
    GSList *list = NULL;
    for (guint i = 0; i < bridge->candidates->len; i++) {
        const PaIceCandidate *pc = &g_array_index(bridge->candidates, PaIceCandidate, i);
        NiceCandidate *c = nice_candidate_new(NICE_CANDIDATE_TYPE_HOST);
        c->stream_id = p->stream;
        c->component_id = 1;
        c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
        c->priority = pc->priority;
        g_strlcpy(c->foundation, pc->foundation, sizeof c->foundation);
        nice_address_set_from_string(&c->addr, pc->ip);
        nice_address_set_port(&c->addr, pc->port);
        list = g_slist_append(list, c);
    }
    nice_agent_set_remote_candidates(p->agent, p->stream, 1, list);
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
    gboolean server = bridge->setup && g_ascii_strcasecmp(bridge->setup, "active") == 0;
    p->dtls = bridge_dtls_new(p->cert, server ? BRIDGE_DTLS_ROLE_SERVER : BRIDGE_DTLS_ROLE_CLIENT,
                              dtls_send, p);
    bridge_dtls_set_remote_fingerprint(
        p->dtls, bridge->fingerprint_hash ? bridge->fingerprint_hash : "sha-256",
        bridge->fingerprint);
    if (p->ice_connected && !server)
        bridge_dtls_start(p->dtls);
}

gboolean sim_peer_connected(SimPeer *p)
{
    return p->srtp != NULL;
}

gboolean sim_peer_failed(SimPeer *p)
{
    return p->failed;
}

gboolean sim_peer_dtls_closed(SimPeer *p)
{
    return p->dtls_closed;
}

BridgeSrtpProfile sim_peer_srtp_profile(SimPeer *p)
{
    return p->keys.profile;
}

/* ---- media through libnice ---- */

static gboolean send_rtp(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                         gsize payload_len, const guint8 *ext, size_t ext_len, uint16_t profile)
{
    if (!p->srtp)
        return FALSE;
    guint8 payload[1200];
    g_assert(payload_len <= sizeof payload);
    for (gsize i = 0; i < payload_len; i++)
        payload[i] = (guint8)(seq + i);
    PaRtpBuild b = {
        .payload_type = pt,
        .seq = seq,
        .timestamp = ts,
        .ssrc = ssrc,
        .extension = ext_len > 0,
        .ext_profile = profile,
        .ext = ext,
        .ext_len = ext_len,
        .payload = payload,
        .payload_len = payload_len,
    };
    gsize len = pa_rtp_build(p->last_sent, sizeof p->last_sent, &b);
    g_assert(len > 0);
    if (bridge_srtp_protect(p->srtp, p->last_sent, &len, sizeof p->last_sent) != BRIDGE_SRTP_OK)
        return FALSE;
    p->last_sent_len = len;
    return nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)p->last_sent) == (gint)len;
}

gboolean sim_peer_send_rtp(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                           gsize payload_len, int audio_level)
{
    guint8 ext[16];
    uint16_t profile = 0;
    size_t ext_len = 0;
    PaHdrextWrite e[2];
    guint n = 0;
    guint8 lv = (guint8)(0x80 | (audio_level & 0x7f)), tcc[2];
    if (audio_level >= 0)
        e[n++] = (PaHdrextWrite){.id = 1, .len = 1, .data = &lv};
    if (p->tcc_id) {
        tcc[0] = (guint8)(p->tcc_next >> 8);
        tcc[1] = (guint8)p->tcc_next;
        e[n++] = (PaHdrextWrite){.id = p->tcc_id, .len = 2, .data = tcc};
    }
    if (n)
        ext_len = pa_hdrext_write_block(ext, sizeof ext, false, e, n, &profile);
    gint64 now = g_get_monotonic_time(); /* before sending: the bridge may read it at once */
    gboolean ok = send_rtp(p, ssrc, pt, seq, ts, payload_len, ext, ext_len, profile);
    if (ok && p->tcc_id) {
        if (p->tcc_sent)
            p->tcc_sent[p->tcc_next] = now;
        p->tcc_next++;
    }
    return ok;
}

gboolean sim_peer_send_rtp_ext(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                               gsize payload_len, const PaHdrextWrite *elems, guint n_elems,
                               gboolean two_byte)
{
    guint8 ext[512];
    uint16_t profile = 0;
    size_t ext_len = pa_hdrext_write_block(ext, sizeof ext, two_byte, elems, n_elems, &profile);
    g_assert(ext_len > 0 || n_elems == 0);
    return send_rtp(p, ssrc, pt, seq, ts, payload_len, ext, ext_len, profile);
}

gboolean sim_peer_send_rtp_block(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                                 gsize payload_len, const guint8 *block, gsize block_len,
                                 guint16 profile)
{
    return send_rtp(p, ssrc, pt, seq, ts, payload_len, block, block_len, profile);
}

gboolean sim_peer_send_rtcp(SimPeer *p, const guint8 *pkt, gsize len)
{
    if (!p->srtp)
        return FALSE;
    guint8 buf[1600];
    g_assert(len + 32 <= sizeof buf);
    memcpy(buf, pkt, len);
    if (bridge_srtp_protect_rtcp(p->srtp, buf, &len, sizeof buf) != BRIDGE_SRTP_OK)
        return FALSE;
    return nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)buf) == (gint)len;
}

gboolean sim_peer_send_rtp_packet(SimPeer *p, const guint8 *pkt, gsize len)
{
    if (!p->srtp)
        return FALSE;
    guint8 buf[1600];
    g_assert(len + 32 <= sizeof buf);
    memcpy(buf, pkt, len);
    if (bridge_srtp_protect(p->srtp, buf, &len, sizeof buf) != BRIDGE_SRTP_OK)
        return FALSE;
    return nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)buf) == (gint)len;
}

void sim_peer_set_rtp_handler(SimPeer *p, SimPeerRtpFunc fn, gpointer data)
{
    p->on_rtp = fn;
    p->on_rtp_data = data;
}

gboolean sim_peer_send_raw(SimPeer *p, const guint8 *data, gsize len)
{
    return nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)data) == (gint)len;
}

const guint8 *sim_peer_last_sent(SimPeer *p, gsize *len)
{
    *len = p->last_sent_len;
    return p->last_sent;
}

const guint8 *sim_peer_last_received(SimPeer *p, gsize *len)
{
    *len = p->last_received_len;
    return p->last_received;
}

guint16 sim_peer_remote_port(SimPeer *p)
{
    NiceCandidate *l = NULL, *r = NULL;
    if (!nice_agent_get_selected_pair(p->agent, p->stream, 1, &l, &r) || !r)
        return 0;
    return nice_address_get_port(&r->addr);
}

void sim_peer_get_stats(SimPeer *p, SimPeerStats *out)
{
    *out = p->stats;
}

void sim_peer_enable_tcc(SimPeer *p, guint8 id, guint16 first_seq)
{
    p->tcc_id = id;
    p->tcc_next = first_seq;
}

void sim_peer_tcc_skip(SimPeer *p, guint16 n)
{
    p->tcc_next = (guint16)(p->tcc_next + n);
}

gint64 sim_peer_tcc_report(SimPeer *p, guint16 seq)
{
    g_assert(p->tcc_report); /* track_tcc */
    return p->tcc_report[seq];
}

gint64 sim_peer_tcc_sent_us(SimPeer *p, guint16 seq)
{
    g_assert(p->tcc_sent); /* track_tcc */
    return p->tcc_sent[seq];
}

/* ---- media on the raw socket ---- */

gboolean sim_peer_take_over(SimPeer *p, SimPeerWire *out)
{
    if (!p->srtp)
        return FALSE;
    NiceCandidate *l = NULL, *r = NULL;
    if (!nice_agent_get_selected_pair(p->agent, p->stream, 1, &l, &r) || !r)
        return FALSE;
    GSocket *sock = nice_agent_get_selected_socket(p->agent, p->stream, 1);
    if (!sock)
        return FALSE;
    /* libnice stops reading the socket: everything that arrives is the wire's from now on,
     * even if the peer's context is still iterated. */
    nice_agent_attach_recv(p->agent, p->stream, 1, p->ctx, NULL, NULL);
    p->wire.fd = g_socket_get_fd(sock);
    g_object_unref(sock); /* the agent keeps the socket open until it is freed */
    memset(&p->wire.peer, 0, sizeof p->wire.peer);
    nice_address_copy_to_sockaddr(&r->addr, (struct sockaddr *)&p->wire.peer);
    p->wire.peer_len = p->wire.peer.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                          : sizeof(struct sockaddr_in);
    GError *error = NULL;
    p->wire.tx = bridge_srtp_new(&p->keys, &error);
    if (p->wire.tx)
        p->wire.rx = bridge_srtp_new(&p->keys, &error);
    if (!p->wire.rx) {
        g_printerr("%s: SRTP: %s\n", p->name, error->message);
        g_error_free(error);
        return FALSE;
    }
    nice_agent_get_local_credentials(p->agent, p->stream, &p->local_ufrag, &p->local_pwd);
    stun_agent_init(&p->stun, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    p->tie = ((guint64)g_random_int() << 32) | g_random_int();
    p->taken_over = TRUE;
    *out = p->wire;
    return TRUE;
}

static bool stun_password(StunAgent *agent, StunMessage *msg, uint8_t *username,
                          uint16_t username_len, uint8_t **password, size_t *password_len,
                          void *user_data)
{
    SimPeer *p = user_data;
    *password = (uint8_t *)p->local_pwd;
    *password_len = strlen(p->local_pwd);
    return true;
}

gboolean sim_peer_answer_stun(SimPeer *p, const guint8 *buf, gsize len,
                              const struct sockaddr_storage *from, socklen_t from_len)
{
    StunMessage req, resp;
    if (stun_agent_validate(&p->stun, &req, buf, len, stun_password, p) !=
            STUN_VALIDATION_SUCCESS ||
        stun_message_get_class(&req) != STUN_REQUEST)
        return FALSE;
    guint8 out[512];
    size_t out_len = sizeof out;
    bool control = false;
    StunUsageIceReturn r = stun_usage_ice_conncheck_create_reply(
        &p->stun, &req, &resp, out, &out_len, from, from_len, &control, p->tie,
        STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    if (r != STUN_USAGE_ICE_RETURN_SUCCESS || !out_len)
        return FALSE;
    return sendto(p->wire.fd, out, out_len, MSG_DONTWAIT, (const struct sockaddr *)from,
                  from_len) == (ssize_t)out_len;
}

/* ---- the wire on one thread ---- */

gboolean sim_peer_rebind(SimPeer *p)
{
    if (!p->taken_over)
        return FALSE;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    if (fd < 0 || bind(fd, (struct sockaddr *)&me, sizeof me) < 0) {
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    if (!p->extra_fds)
        p->extra_fds = g_ptr_array_new();
    g_ptr_array_add(p->extra_fds, GINT_TO_POINTER(fd));
    p->wire.fd = fd;
    return TRUE;
}

guint16 sim_peer_wire_port(SimPeer *p)
{
    struct sockaddr_in me;
    socklen_t len = sizeof me;
    if (p->wire.fd < 0 || getsockname(p->wire.fd, (struct sockaddr *)&me, &len) < 0)
        return 0;
    return ntohs(me.sin_port);
}

gboolean sim_peer_wire_check(SimPeer *p, const char *ufrag, const char *pwd, gboolean controlling,
                             gboolean nominate)
{
    if (!p->taken_over)
        return FALSE;
    /* Checks in flight keep a pointer to their key: one password at a time. */
    if (g_strcmp0(p->check_pwd, pwd) != 0) {
        g_free(p->check_pwd);
        p->check_pwd = g_strdup(pwd);
    }
    char *user = g_strdup_printf("%s:%s", ufrag, p->local_ufrag);
    guint8 out[512];
    StunMessage msg;
    size_t n = stun_usage_ice_conncheck_create(
        &p->stun, &msg, out, sizeof out, (const uint8_t *)user, strlen(user),
        (const uint8_t *)p->check_pwd, strlen(p->check_pwd), nominate, controlling,
        (126u << 24) | (65535u << 8) | 255u, p->tie, NULL, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    g_free(user);
    if (!n)
        return FALSE;
    return sendto(p->wire.fd, out, n, MSG_DONTWAIT, (const struct sockaddr *)&p->wire.peer,
                  p->wire.peer_len) == (ssize_t)n;
}

gboolean sim_peer_wire_send_rtp(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                                gsize payload_len)
{
    if (!p->taken_over)
        return FALSE;
    guint8 payload[1200], buf[1600];
    g_assert(payload_len <= sizeof payload);
    for (gsize i = 0; i < payload_len; i++)
        payload[i] = (guint8)(seq + i);
    PaRtpBuild b = {.payload_type = pt,
                    .seq = seq,
                    .timestamp = ts,
                    .ssrc = ssrc,
                    .payload = payload,
                    .payload_len = payload_len};
    gsize len = pa_rtp_build(buf, sizeof buf, &b);
    if (!len || bridge_srtp_protect(p->wire.tx, buf, &len, sizeof buf) != BRIDGE_SRTP_OK)
        return FALSE;
    return sendto(p->wire.fd, buf, len, MSG_DONTWAIT, (const struct sockaddr *)&p->wire.peer,
                  p->wire.peer_len) == (ssize_t)len;
}

static void wire_stun(SimPeer *p, const guint8 *buf, gsize len, const struct sockaddr_storage *from,
                      socklen_t from_len)
{
    StunMessage peek = {.buffer = (uint8_t *)buf, .buffer_len = len};
    if (stun_message_validate_buffer_length(buf, len, TRUE) != (int)len) {
        p->ws.other++;
        return;
    }
    if (stun_message_get_class(&peek) == STUN_REQUEST) {
        if (sim_peer_answer_stun(p, buf, len, from, from_len))
            p->ws.checks_answered++;
        else
            p->ws.other++;
        return;
    }
    StunMessage msg;
    if (stun_agent_validate(&p->stun, &msg, buf, len, NULL, NULL) != STUN_VALIDATION_SUCCESS) {
        p->ws.other++;
        return;
    }
    if (stun_message_get_class(&msg) == STUN_RESPONSE) {
        p->ws.responses_ok++;
    } else {
        int code = 0;
        stun_message_find_error(&msg, &code);
        p->ws.responses_error++;
        p->ws.last_error = code;
    }
}

static void wire_one(SimPeer *p, guint8 *buf, gsize len, const struct sockaddr_storage *from,
                     socklen_t from_len)
{
    PaDemuxKind kind = pa_demux_classify(buf, len);
    if (kind == PA_DEMUX_STUN) {
        wire_stun(p, buf, len, from, from_len);
        return;
    }
    if (kind != PA_DEMUX_RTP && kind != PA_DEMUX_RTCP) {
        p->ws.other++;
        return;
    }
    gsize l = len;
    BridgeSrtpStatus st = kind == PA_DEMUX_RTCP ? bridge_srtp_unprotect_rtcp(p->wire.rx, buf, &l)
                                                : bridge_srtp_unprotect(p->wire.rx, buf, &l);
    if (st != BRIDGE_SRTP_OK) {
        p->ws.bad++;
        return;
    }
    if (kind == PA_DEMUX_RTP) {
        p->ws.rtp++;
        p->ws.last_ssrc = pa_rtp_get_ssrc(buf);
        return;
    }
    p->ws.rtcp++;
    PaRtcpIter it;
    PaRtcpPacket pk;
    if (pa_rtcp_iter_init(&it, buf, l) != PA_RTCP_OK)
        return;
    while (pa_rtcp_iter_next(&it, &pk) == PA_RTCP_OK)
        if (pk.type == PA_RTCP_PSFB && pk.count == PA_RTCP_PSFB_PLI)
            p->ws.pli++;
}

void sim_peer_wire_poll(SimPeer *p, guint ms)
{
    if (!p->taken_over)
        return;
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    do {
        guint8 buf[1600];
        struct sockaddr_storage from;
        socklen_t fl = sizeof from;
        ssize_t n =
            recvfrom(p->wire.fd, buf, sizeof buf, MSG_DONTWAIT, (struct sockaddr *)&from, &fl);
        if (n > 0)
            wire_one(p, buf, (gsize)n, &from, fl);
        else
            g_usleep(500);
    } while (g_get_monotonic_time() < end);
}

void sim_peer_wire_stats(SimPeer *p, SimPeerWireStats *out)
{
    *out = p->ws;
}
