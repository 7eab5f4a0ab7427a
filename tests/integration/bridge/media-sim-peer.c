/* SPDX-License-Identifier: MIT */
/* Simulated WebRTC client for media-plane tests (see media-sim-peer.h). State belongs to the
 * GMainContext the peer was made on. */
#include "media-sim-peer.h"

#include <nice/agent.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge/dtls/dtls.h"
#include "bridge/srtp/srtp.h"
#include "common/rtp/demux.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"
#include "common/rtp/tcc.h"
#include "sim-connect.h"

struct _MediaSimPeer {
    char *name;
    GMainContext *ctx;
    NiceAgent *agent;
    guint stream;
    gboolean gathered, ice_connected, failed, dtls_closed;
    BridgeDtlsCert *cert;
    BridgeDtls *dtls;
    BridgeSrtp *srtp;
    MediaSimPeerStats stats;
    guint8 last_sent[1600];
    gsize last_sent_len;
    guint8 last_received[1600]; /* clear */
    gsize last_received_len;
    /* transport-cc: what was sent when, what the bridge reported (65536 entries each) */
    guint8 tcc_id;
    guint16 tcc_next;
    gint64 *tcc_sent, *tcc_report;
    gboolean tcc_any_fb;
};

static void dtls_send(const guint8 *data, gsize len, gpointer user_data)
{
    MediaSimPeer *p = user_data;
    nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)data);
}

static void after_dtls(MediaSimPeer *p, BridgeDtlsState st)
{
    if (st == BRIDGE_DTLS_STATE_CONNECTED && !p->srtp) {
        BridgeSrtpKeys keys;
        if (!bridge_dtls_get_srtp_keys(p->dtls, &keys)) {
            p->failed = TRUE;
            return;
        }
        GError *error = NULL;
        p->srtp = bridge_srtp_new(&keys, &error);
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

static void handle_tcc(MediaSimPeer *p, const guint8 *buf, const PaRtcpPacket *pk)
{
    static PaTccStatus st[65536]; /* test thread only */
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
    for (size_t i = 0; i < n; i++)
        p->tcc_report[st[i].seq] =
            st[i].status == PA_TCC_NOT_RECV ? PA_TCC_NOT_RECEIVED : st[i].arrival_us;
}

static void handle_rtcp(MediaSimPeer *p, const guint8 *buf, gsize len)
{
    p->stats.rtcp_received++;
    PaRtcpIter it;
    PaRtcpPacket pk;
    if (pa_rtcp_iter_init(&it, buf, len) != PA_RTCP_OK)
        return;
    while (pa_rtcp_iter_next(&it, &pk) == PA_RTCP_OK) {
        if (pk.type == PA_RTCP_SR) {
            p->stats.sr_received++;
        } else if (pk.type == PA_RTCP_RR) {
            PaRtcpRr rr;
            p->stats.rr_received++;
            if (pa_rtcp_parse_rr(buf, &pk, &rr) == PA_RTCP_OK && rr.report_count > 0) {
                PaRtcpReportBlock b;
                pa_rtcp_read_report_block(buf, rr.blocks_offset, 0, &b);
                p->stats.rr_last_ssrc_reported = b.ssrc;
                p->stats.rr_last_ext_seq = b.ext_highest_seq;
            }
        } else if (pk.type == PA_RTCP_PSFB && pk.count == PA_RTCP_PSFB_PLI) {
            p->stats.pli_received++;
        } else if (pk.type == PA_RTCP_PSFB && pk.count == PA_RTCP_PSFB_FIR) {
            p->stats.fir_received++;
        } else if (pk.type == PA_RTCP_RTPFB && pk.count == PA_RTCP_RTPFB_NACK) {
            p->stats.nack_received++;
        } else if (pk.type == PA_RTCP_RTPFB && pk.count == PA_RTCP_RTPFB_TCC) {
            handle_tcc(p, buf, &pk);
        }
    }
}

static void on_recv(NiceAgent *agent, guint stream, guint comp, guint len, gchar *buf,
                    gpointer data)
{
    MediaSimPeer *p = data;
    guint8 pkt[1600];
    if (len > sizeof pkt)
        return;
    PaDemuxKind kind = pa_demux_classify((const guint8 *)buf, len);
    if (kind == PA_DEMUX_DTLS && p->dtls) {
        after_dtls(p, bridge_dtls_handle(p->dtls, (const guint8 *)buf, len));
        return;
    }
    if ((kind != PA_DEMUX_RTP && kind != PA_DEMUX_RTCP) || !p->srtp)
        return;
    memcpy(pkt, buf, len);
    gsize l = len;
    if (kind == PA_DEMUX_RTCP) {
        if (bridge_srtp_unprotect_rtcp(p->srtp, pkt, &l) != BRIDGE_SRTP_OK) {
            p->stats.unprotect_failures++;
            return;
        }
        handle_rtcp(p, pkt, l);
        return;
    }
    if (bridge_srtp_unprotect(p->srtp, pkt, &l) != BRIDGE_SRTP_OK) {
        p->stats.unprotect_failures++;
        return;
    }
    p->stats.rtp_received++;
    p->stats.rtp_bytes += l;
    memcpy(p->last_received, pkt, l);
    p->last_received_len = l;
    p->stats.last_ssrc = pa_rtp_get_ssrc(pkt);
}

static void on_state(NiceAgent *agent, guint stream, guint comp, guint state, gpointer data)
{
    MediaSimPeer *p = data;
    if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) &&
        !p->ice_connected) {
        p->ice_connected = TRUE;
        GSocket *sock = nice_agent_get_selected_socket(agent, stream, 1);
        if (sock) {
            int size = 2 * 1024 * 1024; /* the test thread may lag behind a burst */
            setsockopt(g_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
            g_object_unref(sock);
        }
        if (p->dtls && bridge_dtls_state(p->dtls) == BRIDGE_DTLS_STATE_NEW)
            bridge_dtls_start(p->dtls);
    } else if (state == NICE_COMPONENT_STATE_FAILED) {
        p->failed = TRUE;
    }
}

static void on_gathered(NiceAgent *agent, guint stream, gpointer data)
{
    ((MediaSimPeer *)data)->gathered = TRUE;
}

static gboolean on_dtls_timer(gpointer data)
{
    MediaSimPeer *p = data;
    if (p->dtls && !p->srtp && bridge_dtls_state(p->dtls) == BRIDGE_DTLS_STATE_CONNECTING &&
        bridge_dtls_timeout_ms(p->dtls) == 0)
        after_dtls(p, bridge_dtls_handle_timeout(p->dtls));
    return G_SOURCE_CONTINUE;
}

MediaSimPeer *media_sim_peer_new(GMainContext *ctx, const char *name)
{
    MediaSimPeer *p = g_new0(MediaSimPeer, 1);
    p->name = g_strdup(name);
    p->ctx = ctx;
    p->tcc_sent = g_new(gint64, 65536);
    p->tcc_report = g_new(gint64, 65536);
    for (guint i = 0; i < 65536; i++) {
        p->tcc_sent[i] = -1;
        p->tcc_report[i] = MEDIA_SIM_TCC_UNREPORTED;
    }
    bridge_srtp_global_init();
    p->cert = bridge_dtls_cert_new(NULL);
    g_assert(p->cert);
    p->agent = sim_connect_agent_new(ctx, G_CALLBACK(on_gathered), G_CALLBACK(on_state),
                                     on_recv, p, &p->stream);
    g_assert(p->agent);
    GSource *t = g_timeout_source_new(50);
    g_source_set_callback(t, on_dtls_timer, p, NULL);
    g_source_attach(t, ctx);
    g_source_unref(t);
    return p;
}

void media_sim_peer_free(MediaSimPeer *p)
{
    if (!p)
        return;
    g_source_remove_by_user_data(p);
    nice_agent_attach_recv(p->agent, p->stream, 1, p->ctx, NULL, NULL);
    g_signal_handlers_disconnect_by_data(p->agent, p);
    g_object_unref(p->agent);
    bridge_dtls_free(p->dtls);
    bridge_srtp_free(p->srtp);
    bridge_dtls_cert_free(p->cert);
    g_free(p->tcc_sent);
    g_free(p->tcc_report);
    g_free(p->name);
    g_free(p);
}

gboolean media_sim_peer_gathered(MediaSimPeer *p)
{
    return p->gathered;
}

void media_sim_peer_get_transport(MediaSimPeer *p, PaTransport *out)
{
    sim_connect_get_transport(p->agent, p->stream, p->cert, out);
}

void media_sim_peer_set_remote(MediaSimPeer *p, const PaTransport *bridge)
{
    p->dtls = sim_connect_set_remote(p->agent, p->stream, bridge, p->cert, dtls_send, p,
                                     p->ice_connected);
}

gboolean media_sim_peer_connected(MediaSimPeer *p)
{
    return p->srtp != NULL;
}

gboolean media_sim_peer_failed(MediaSimPeer *p)
{
    return p->failed;
}

gboolean media_sim_peer_dtls_closed(MediaSimPeer *p)
{
    return p->dtls_closed;
}

static gboolean send_rtp(MediaSimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
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

gboolean media_sim_peer_send_rtp(MediaSimPeer *p, guint32 ssrc, guint8 pt, guint16 seq,
                                 guint32 ts, gsize payload_len, int audio_level)
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
    if (ok && p->tcc_id)
        p->tcc_sent[p->tcc_next++] = now;
    return ok;
}

gboolean media_sim_peer_send_rtp_ext(MediaSimPeer *p, guint32 ssrc, guint8 pt, guint16 seq,
                                     guint32 ts, gsize payload_len, const PaHdrextWrite *elems,
                                     guint n_elems, gboolean two_byte)
{
    guint8 ext[512];
    uint16_t profile = 0;
    size_t ext_len = pa_hdrext_write_block(ext, sizeof ext, two_byte, elems, n_elems, &profile);
    g_assert(ext_len > 0 || n_elems == 0);
    return send_rtp(p, ssrc, pt, seq, ts, payload_len, ext, ext_len, profile);
}

gboolean media_sim_peer_send_rtp_block(MediaSimPeer *p, guint32 ssrc, guint8 pt, guint16 seq,
                                       guint32 ts, gsize payload_len, const guint8 *block,
                                       gsize block_len, guint16 profile)
{
    return send_rtp(p, ssrc, pt, seq, ts, payload_len, block, block_len, profile);
}

const guint8 *media_sim_peer_last_received(MediaSimPeer *p, gsize *len)
{
    *len = p->last_received_len;
    return p->last_received;
}

gboolean media_sim_peer_send_rtcp(MediaSimPeer *p, const guint8 *pkt, gsize len)
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

gboolean media_sim_peer_send_raw(MediaSimPeer *p, const guint8 *data, gsize len)
{
    return nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)data) == (gint)len;
}

const guint8 *media_sim_peer_last_sent(MediaSimPeer *p, gsize *len)
{
    *len = p->last_sent_len;
    return p->last_sent;
}

guint16 media_sim_peer_remote_port(MediaSimPeer *p)
{
    NiceCandidate *l = NULL, *r = NULL;
    if (!nice_agent_get_selected_pair(p->agent, p->stream, 1, &l, &r) || !r)
        return 0;
    return nice_address_get_port(&r->addr);
}

void media_sim_peer_get_stats(MediaSimPeer *p, MediaSimPeerStats *out)
{
    *out = p->stats;
}

void media_sim_peer_enable_tcc(MediaSimPeer *p, guint8 id, guint16 first_seq)
{
    p->tcc_id = id;
    p->tcc_next = first_seq;
}

void media_sim_peer_tcc_skip(MediaSimPeer *p, guint16 n)
{
    p->tcc_next = (guint16)(p->tcc_next + n);
}

gint64 media_sim_peer_tcc_report(MediaSimPeer *p, guint16 seq)
{
    return p->tcc_report[seq];
}

gint64 media_sim_peer_tcc_sent_us(MediaSimPeer *p, guint16 seq)
{
    return p->tcc_sent[seq];
}
