/* SPDX-License-Identifier: MIT */
/* webrtcbin-based WebRTC peer for bridge tests (see webrtc-peer.h).
 *
 * Threads: the test thread builds and drives the peer; webrtcbin signals (pad-added,
 * on-ice-candidate) arrive on GStreamer threads and only touch the mutex-protected candidate
 * list and atomic counters. */
#include "webrtc-peer.h"

#define GST_USE_UNSTABLE_API
#include <gst/gst.h>
#include <gst/sdp/sdp.h>
#include <gst/webrtc/webrtc.h>
#ifdef WEBRTC_PEER_HAVE_GST_RTP
#include <gst/rtp/rtp.h>
#endif
#include <nice/agent.h>
#include <stdio.h>
#include <string.h>

#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"

struct _WebrtcPeer {
    char *name;
    GstElement *pipe;
    GstElement *wb;
    NiceAgent *agent; /* webrtcbin's, ref held */
    guint32 audio_ssrc, video_ssrc;
    GMutex lock;
    GArray *candidates;                   /* PaIceCandidate, under lock */
    gsize frames;                         /* atomic */
    gsize audio;                          /* atomic */
    gsize rtp_in, rtp_in_ext, rtp_in_mid; /* atomic: RTP out of webrtcbin, with X, with mid */
    char *ufrag, *pwd, *fingerprint;
    gboolean send_mid;
};

static const char *const needed[] = {
    "webrtcbin",    "nicesrc",      "nicesink",      "dtlssrtpenc",  "srtpenc",
    "videotestsrc", "vp8enc",       "rtpvp8pay",     "rtpvp8depay",  "vp8dec",
    "audiotestsrc", "opusenc",      "rtpopuspay",    "rtpopusdepay", "opusdec",
    "fakesink",     "audioconvert", "audioresample", "queue",
};

gboolean webrtc_peer_available(char **reason)
{
    GError *error = NULL;
    if (!gst_init_check(NULL, NULL, &error)) {
        *reason = g_strdup_printf("GStreamer init failed: %s", error->message);
        g_error_free(error);
        return FALSE;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(needed); i++) {
        GstElementFactory *f = gst_element_factory_find(needed[i]);
        if (!f) {
            *reason = g_strdup_printf("GStreamer element %s is missing (gstreamer1.0-plugins-"
                                      "bad / -good / -nice)",
                                      needed[i]);
            return FALSE;
        }
        gst_object_unref(f);
    }
    return TRUE;
}

/* ---- receiving ---- */

#ifdef WEBRTC_PEER_HAVE_GST_RTP
/* The payloader asks for an implementation of each extmap in its output caps: an sdes:mid
 * extension that writes the m-line's MID, so that every packet carries it (a browser sends it
 * in its first packets, until receiver reports acknowledge the SSRC). */
static GstRTPHeaderExtension *on_request_extension(GstElement *pay, guint id, const char *uri,
                                                   gpointer mid)
{
    if (g_strcmp0(uri, WEBRTC_PEER_MID_URI) != 0)
        return NULL;
    GstRTPHeaderExtension *ext = gst_rtp_header_extension_create_from_uri(uri);
    if (!ext)
        return NULL;
    gst_rtp_header_extension_set_id(ext, id);
    g_object_set(ext, "mid", (const char *)mid, NULL);
    return ext;
}
#endif

/* Every RTP packet webrtcbin hands out (after SRTP, before depayloading): count those that
 * still carry an sdes:mid element (id 10, either form). */
static GstPadProbeReturn rtp_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    WebrtcPeer *p = data;
    GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);
    GstMapInfo map;
    if (!buf || !gst_buffer_map(buf, &map, GST_MAP_READ))
        return GST_PAD_PROBE_OK;
    PaRtpHeader h;
    if (pa_rtp_parse(map.data, map.size, &h) == PA_RTP_OK) {
        PaHdrextElem e;
        g_atomic_pointer_add(&p->rtp_in, 1);
        if (h.extension)
            g_atomic_pointer_add(&p->rtp_in_ext, 1);
        if (pa_hdrext_find(map.data, &h, WEBRTC_PEER_MID_ID, &e) == PA_HDREXT_OK)
            g_atomic_pointer_add(&p->rtp_in_mid, 1);
    }
    gst_buffer_unmap(buf, &map);
    return GST_PAD_PROBE_OK;
}

static GstPadProbeReturn count_probe(GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
    g_atomic_pointer_add((gsize *)data, 1);
    return GST_PAD_PROBE_OK;
}

static void on_pad_added(GstElement *wb, GstPad *pad, gpointer data)
{
    WebrtcPeer *p = data;
    if (GST_PAD_DIRECTION(pad) != GST_PAD_SRC)
        return;
    GstCaps *caps = gst_pad_get_current_caps(pad);
    if (!caps)
        caps = gst_pad_query_caps(pad, NULL);
    const GstStructure *s = gst_caps_get_structure(caps, 0);
    const char *media = gst_structure_get_string(s, "media");
    gboolean video = media && strcmp(media, "video") == 0;
    gst_caps_unref(caps);

    const char *desc = video ? "queue ! rtpvp8depay request-keyframe=true ! vp8dec name=dec ! "
                               "fakesink sync=false async=false"
                             : "queue ! rtpopusdepay ! opusdec name=dec ! "
                               "fakesink sync=false async=false";
    GError *error = NULL;
    GstElement *bin = gst_parse_bin_from_description(desc, TRUE, &error);
    if (!bin) {
        g_printerr("%s: decoder bin: %s\n", p->name, error->message);
        g_error_free(error);
        return;
    }
    GstElement *dec = gst_bin_get_by_name(GST_BIN(bin), "dec");
    GstPad *src = gst_element_get_static_pad(dec, "src");
    gst_pad_add_probe(src, GST_PAD_PROBE_TYPE_BUFFER, count_probe,
                      video ? (gpointer)&p->frames : (gpointer)&p->audio, NULL);
    gst_object_unref(src);
    gst_object_unref(dec);
    gst_bin_add(GST_BIN(p->pipe), bin);
    gst_element_sync_state_with_parent(bin);
    gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, rtp_probe, p, NULL);
    GstPad *sink = gst_element_get_static_pad(bin, "sink");
    if (gst_pad_link(pad, sink) != GST_PAD_LINK_OK)
        g_printerr("%s: could not link the %s decoder\n", p->name, video ? "video" : "audio");
    gst_object_unref(sink);
}

/* ---- candidates ---- */

static gboolean parse_candidate(const char *line, PaIceCandidate *c)
{
    /* "candidate:F C TRANSPORT PRIO IP PORT typ TYPE [raddr X rport Y] ..." */
    memset(c, 0, sizeof *c);
    if (g_str_has_prefix(line, "a="))
        line += 2;
    if (!g_str_has_prefix(line, "candidate:"))
        return FALSE;
    char found[33], proto[8], ip[64], type[8];
    unsigned comp, port;
    unsigned long prio;
    if (sscanf(line + 10, "%32s %u %7s %lu %63s %u typ %7s", found, &comp, proto, &prio, ip, &port,
               type) != 7)
        return FALSE;
    g_strlcpy(c->foundation, found, sizeof c->foundation);
    c->component = comp;
    char *lp = g_ascii_strdown(proto, -1);
    g_strlcpy(c->protocol, lp, sizeof c->protocol);
    g_free(lp);
    c->priority = (guint32)prio;
    g_strlcpy(c->ip, ip, sizeof c->ip);
    c->port = (guint16)port;
    g_strlcpy(c->type, type, sizeof c->type);
    return TRUE;
}

static void on_ice_candidate(GstElement *wb, guint mline, const char *cand, gpointer data)
{
    WebrtcPeer *p = data;
    PaIceCandidate c;
    if (!parse_candidate(cand, &c) || strcmp(c.protocol, "udp") != 0 || c.component != 1)
        return;
    g_mutex_lock(&p->lock);
    for (guint i = 0; i < p->candidates->len; i++) {
        PaIceCandidate *o = &g_array_index(p->candidates, PaIceCandidate, i);
        if (strcmp(o->ip, c.ip) == 0 && o->port == c.port) {
            g_mutex_unlock(&p->lock);
            return; /* bundled m-lines repeat the same candidate */
        }
    }
    g_array_append_val(p->candidates, c);
    g_mutex_unlock(&p->lock);
}

/* ---- lifecycle ---- */

WebrtcPeer *webrtc_peer_new(const char *name, GError **error)
{
    return webrtc_peer_new_full(name, FALSE, error);
}

WebrtcPeer *webrtc_peer_new_full(const char *name, gboolean send_mid, GError **error)
{
#ifndef WEBRTC_PEER_HAVE_GST_RTP
    if (send_mid) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "sending sdes:mid needs gstreamer-rtp-1.0 (WEBRTC_PEER_HAVE_GST_RTP)");
        return NULL;
    }
#endif
    /* With an extmap in its output caps the payloader writes the extension. */
    const char *extmap =
        send_mid ? ",extmap-" G_STRINGIFY(WEBRTC_PEER_MID_ID) "=(string)" WEBRTC_PEER_MID_URI : "";
    WebrtcPeer *p = g_new0(WebrtcPeer, 1);
    p->send_mid = send_mid;
    p->name = g_strdup(name);
    g_mutex_init(&p->lock);
    p->candidates = g_array_new(FALSE, TRUE, sizeof(PaIceCandidate));
    p->audio_ssrc = g_random_int_range(0x10000, G_MAXINT32);
    p->video_ssrc = p->audio_ssrc + 1;

    char *desc = g_strdup_printf(
        "webrtcbin name=wb bundle-policy=max-bundle latency=100 "
        "videotestsrc is-live=true pattern=ball ! video/x-raw,width=320,height=240,framerate=15/1 "
        "! queue ! vp8enc deadline=1 cpu-used=8 keyframe-max-dist=30 target-bitrate=300000 "
        "! rtpvp8pay name=vpay pt=100 ssrc=%u mtu=1200 picture-id-mode=15-bit "
        "! application/x-rtp,media=video,encoding-name=VP8,payload=100,clock-rate=90000%s ! wb. "
        "audiotestsrc is-live=true wave=sine volume=0.3 ! audioconvert ! audioresample "
        "! queue ! opusenc ! rtpopuspay name=apay pt=111 ssrc=%u "
        "! application/x-rtp,media=audio,encoding-name=OPUS,payload=111,clock-rate=48000%s ! wb.",
        p->video_ssrc, extmap, p->audio_ssrc, extmap);
    p->pipe = gst_parse_launch(desc, error);
    g_free(desc);
    if (!p->pipe) {
        webrtc_peer_free(p);
        return NULL;
    }
    p->wb = gst_bin_get_by_name(GST_BIN(p->pipe), "wb");
#ifdef WEBRTC_PEER_HAVE_GST_RTP
    if (send_mid) {
        static const char *const pays[][2] = {{"apay", "0"}, {"vpay", "1"}};
        for (gsize i = 0; i < G_N_ELEMENTS(pays); i++) {
            GstElement *pay = gst_bin_get_by_name(GST_BIN(p->pipe), pays[i][0]);
            g_signal_connect(pay, "request-extension", G_CALLBACK(on_request_extension),
                             (gpointer)pays[i][1]);
            gst_object_unref(pay);
        }
    }
#endif
    g_signal_connect(p->wb, "pad-added", G_CALLBACK(on_pad_added), p);
    g_signal_connect(p->wb, "on-ice-candidate", G_CALLBACK(on_ice_candidate), p);

    /* libnice skips loopback unless told (pitfalls.md): add 127.0.0.1 before any description. */
    GObject *ice = NULL;
    g_object_get(p->wb, "ice-agent", &ice, NULL);
    if (ice && g_object_class_find_property(G_OBJECT_GET_CLASS(ice), "agent"))
        g_object_get(ice, "agent", &p->agent, NULL);
    if (ice)
        g_object_unref(ice);
    if (!p->agent) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                    "webrtcbin's ICE agent exposes no NiceAgent");
        webrtc_peer_free(p);
        return NULL;
    }
    g_object_set(p->agent, "upnp", FALSE, NULL);
    NiceAddress a;
    nice_address_init(&a);
    nice_address_set_from_string(&a, "127.0.0.1");
    nice_agent_add_local_address(p->agent, &a);

    if (gst_element_set_state(p->pipe, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: pipeline refused PLAYING", name);
        webrtc_peer_free(p);
        return NULL;
    }
    return p;
}

void webrtc_peer_free(WebrtcPeer *p)
{
    if (!p)
        return;
    if (p->pipe) {
        gst_element_set_state(p->pipe, GST_STATE_NULL);
        gst_object_unref(p->pipe);
    }
    if (p->wb)
        gst_object_unref(p->wb);
    if (p->agent)
        g_object_unref(p->agent);
    g_array_unref(p->candidates);
    g_mutex_clear(&p->lock);
    g_free(p->ufrag);
    g_free(p->pwd);
    g_free(p->fingerprint);
    g_free(p->name);
    g_free(p);
}

guint32 webrtc_peer_audio_ssrc(WebrtcPeer *p)
{
    return p->audio_ssrc;
}

guint32 webrtc_peer_video_ssrc(WebrtcPeer *p)
{
    return p->video_ssrc;
}

/* ---- negotiation ---- */

static void append_transport(GString *sdp, const PaTransport *t)
{
    g_string_append_printf(sdp, "c=IN IP4 0.0.0.0\r\na=rtcp:9 IN IP4 0.0.0.0\r\n");
    g_string_append_printf(sdp, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", t->ufrag, t->pwd);
    g_string_append_printf(sdp, "a=fingerprint:%s %s\r\na=setup:%s\r\n",
                           t->fingerprint_hash ? t->fingerprint_hash : "sha-256", t->fingerprint,
                           t->setup ? t->setup : "actpass");
    g_string_append(sdp, "a=rtcp-mux\r\n");
    for (guint i = 0; i < t->candidates->len; i++) {
        const PaIceCandidate *c = &g_array_index(t->candidates, PaIceCandidate, i);
        g_string_append_printf(sdp, "a=candidate:%s %u %s %u %s %u typ %s", c->foundation,
                               c->component, "UDP", c->priority, c->ip, c->port, c->type);
        if (c->rel_addr[0])
            g_string_append_printf(sdp, " raddr %s rport %u", c->rel_addr, c->rel_port);
        g_string_append(sdp, "\r\n");
    }
    g_string_append(sdp, "a=end-of-candidates\r\n");
}

static char *build_offer(const PaTransport *t, guint32 ra, guint32 rv, gboolean mid)
{
    GString *sdp = g_string_new(NULL);
    g_string_append_printf(sdp,
                           "v=0\r\no=- %u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                           "a=group:BUNDLE 0 1\r\na=msid-semantic: WMS *\r\n",
                           g_random_int());
    g_string_append(sdp, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n");
    append_transport(sdp, t);
    if (mid)
        g_string_append(sdp,
                        "a=extmap:" G_STRINGIFY(WEBRTC_PEER_MID_ID) " " WEBRTC_PEER_MID_URI "\r\n");
    g_string_append(sdp, "a=mid:0\r\na=sendrecv\r\n"
                         "a=rtpmap:111 OPUS/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n");
    if (ra)
        g_string_append_printf(sdp, "a=ssrc:%u cname:remote\r\na=ssrc:%u msid:remote a0\r\n", ra,
                               ra);
    g_string_append(sdp, "m=video 9 UDP/TLS/RTP/SAVPF 100\r\n");
    append_transport(sdp, t);
    if (mid)
        g_string_append(sdp,
                        "a=extmap:" G_STRINGIFY(WEBRTC_PEER_MID_ID) " " WEBRTC_PEER_MID_URI "\r\n");
    g_string_append(sdp, "a=mid:1\r\na=sendrecv\r\na=rtpmap:100 VP8/90000\r\n"
                         "a=rtcp-fb:100 nack\r\na=rtcp-fb:100 nack pli\r\n"
                         "a=rtcp-fb:100 ccm fir\r\n");
    if (rv)
        g_string_append_printf(sdp, "a=ssrc:%u cname:remote\r\na=ssrc:%u msid:remote v0\r\n", rv,
                               rv);
    return g_string_free(sdp, FALSE);
}

static const char *media_attr(const GstSDPMessage *m, const char *key)
{
    const char *v = gst_sdp_message_get_attribute_val(m, key);
    for (guint i = 0; !v && i < gst_sdp_message_medias_len(m); i++)
        v = gst_sdp_media_get_attribute_val(gst_sdp_message_get_media(m, i), key);
    return v;
}

gboolean webrtc_peer_accept_offer(WebrtcPeer *p, const PaTransport *bridge,
                                  guint32 remote_audio_ssrc, guint32 remote_video_ssrc,
                                  GError **error)
{
    char *text = build_offer(bridge, remote_audio_ssrc, remote_video_ssrc, p->send_mid);
    GstSDPMessage *sdp = NULL;
    gst_sdp_message_new_from_text(text, &sdp);
    g_free(text);
    if (!sdp) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: bad offer SDP", p->name);
        return FALSE;
    }
    GstWebRTCSessionDescription *offer =
        gst_webrtc_session_description_new(GST_WEBRTC_SDP_TYPE_OFFER, sdp);
    GstPromise *pr = gst_promise_new();
    g_signal_emit_by_name(p->wb, "set-remote-description", offer, pr);
    gst_promise_wait(pr);
    gst_promise_unref(pr);
    gst_webrtc_session_description_free(offer);

    pr = gst_promise_new();
    g_signal_emit_by_name(p->wb, "create-answer", NULL, pr);
    GstPromiseResult res = gst_promise_wait(pr);
    const GstStructure *reply = gst_promise_get_reply(pr);
    GstWebRTCSessionDescription *answer = NULL;
    if (res == GST_PROMISE_RESULT_REPLIED && reply)
        gst_structure_get(reply, "answer", GST_TYPE_WEBRTC_SESSION_DESCRIPTION, &answer, NULL);
    if (!answer) {
        GError *e = NULL;
        if (reply)
            gst_structure_get(reply, "error", G_TYPE_ERROR, &e, NULL);
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: create-answer failed: %s", p->name,
                    e ? e->message : "no answer");
        g_clear_error(&e);
        gst_promise_unref(pr);
        return FALSE;
    }
    gst_promise_unref(pr);

    const char *ufrag = media_attr(answer->sdp, "ice-ufrag");
    const char *pwd = media_attr(answer->sdp, "ice-pwd");
    const char *fp = media_attr(answer->sdp, "fingerprint");
    const char *setup = media_attr(answer->sdp, "setup");
    if (!ufrag || !pwd || !fp || !g_str_has_prefix(fp, "sha-256 ")) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: answer lacks ICE/DTLS attributes",
                    p->name);
        gst_webrtc_session_description_free(answer);
        return FALSE;
    }
    if (setup && strcmp(setup, "active") != 0)
        g_printerr("%s: webrtcbin answered setup:%s\n", p->name, setup);
    p->ufrag = g_strdup(ufrag);
    p->pwd = g_strdup(pwd);
    p->fingerprint = g_ascii_strup(fp + strlen("sha-256 "), -1);

    pr = gst_promise_new();
    g_signal_emit_by_name(p->wb, "set-local-description", answer, pr);
    gst_promise_wait(pr);
    gst_promise_unref(pr);
    gst_webrtc_session_description_free(answer);
    return TRUE;
}

gboolean webrtc_peer_gathering_done(WebrtcPeer *p)
{
    GstWebRTCICEGatheringState st = GST_WEBRTC_ICE_GATHERING_STATE_NEW;
    g_object_get(p->wb, "ice-gathering-state", &st, NULL);
    return st == GST_WEBRTC_ICE_GATHERING_STATE_COMPLETE;
}

void webrtc_peer_get_transport(WebrtcPeer *p, PaTransport *out)
{
    g_free(out->ufrag);
    out->ufrag = g_strdup(p->ufrag);
    g_free(out->pwd);
    out->pwd = g_strdup(p->pwd);
    g_free(out->fingerprint_hash);
    out->fingerprint_hash = g_strdup("sha-256");
    g_free(out->fingerprint);
    out->fingerprint = g_strdup(p->fingerprint);
    g_free(out->setup);
    out->setup = g_strdup("active");
    out->rtcp_mux = TRUE;
    g_mutex_lock(&p->lock);
    g_array_append_vals(out->candidates, p->candidates->data, p->candidates->len);
    g_mutex_unlock(&p->lock);
}

gboolean webrtc_peer_ice_connected(WebrtcPeer *p)
{
    GstWebRTCICEConnectionState st = GST_WEBRTC_ICE_CONNECTION_STATE_NEW;
    g_object_get(p->wb, "ice-connection-state", &st, NULL);
    return st == GST_WEBRTC_ICE_CONNECTION_STATE_CONNECTED ||
           st == GST_WEBRTC_ICE_CONNECTION_STATE_COMPLETED;
}

guint64 webrtc_peer_frames_decoded(WebrtcPeer *p)
{
    return (guint64)g_atomic_pointer_get((gsize *)&p->frames);
}

guint64 webrtc_peer_audio_buffers(WebrtcPeer *p)
{
    return (guint64)g_atomic_pointer_get((gsize *)&p->audio);
}

void webrtc_peer_rtp_received(WebrtcPeer *p, guint64 *packets, guint64 *with_ext, guint64 *with_mid)
{
    *packets = (guint64)g_atomic_pointer_get((gsize *)&p->rtp_in);
    *with_ext = (guint64)g_atomic_pointer_get((gsize *)&p->rtp_in_ext);
    *with_mid = (guint64)g_atomic_pointer_get((gsize *)&p->rtp_in_mid);
}

/* webrtcbin bundles everything into one libnice stream; find the one with a selected pair. */
static guint selected_stream(WebrtcPeer *p, NiceCandidate **l, NiceCandidate **r)
{
    for (guint id = 1; id < 16; id++) {
        NiceCandidate *lc = NULL, *rc = NULL;
        if (nice_agent_get_selected_pair(p->agent, id, 1, &lc, &rc) && lc && rc) {
            if (l)
                *l = lc;
            if (r)
                *r = rc;
            return id;
        }
    }
    return 0;
}

gboolean webrtc_peer_send_raw(WebrtcPeer *p, const guint8 *data, gsize len)
{
    guint id = selected_stream(p, NULL, NULL);
    if (!id)
        return FALSE;
    return nice_agent_send(p->agent, id, 1, len, (const gchar *)data) == (gint)len;
}

void webrtc_peer_selected_ports(WebrtcPeer *p, guint16 *local, guint16 *remote)
{
    NiceCandidate *l = NULL, *r = NULL;
    *local = *remote = 0;
    if (selected_stream(p, &l, &r)) {
        *local = nice_address_get_port(&l->addr);
        *remote = nice_address_get_port(&r->addr);
    }
}

/* ---- two peers ---- */

gboolean webrtc_pair_gathered(gpointer pair)
{
    WebrtcPeer *const *peers = pair;
    return webrtc_peer_gathering_done(peers[0]) && webrtc_peer_gathering_done(peers[1]);
}

typedef struct {
    WebrtcPeer *const *peers;
    guint64 frames[2], audio[2];
} PairWant;

static gboolean pair_has_media(gpointer d)
{
    PairWant *w = d;
    for (int i = 0; i < 2; i++)
        if (webrtc_peer_frames_decoded(w->peers[i]) < w->frames[i] ||
            webrtc_peer_audio_buffers(w->peers[i]) < w->audio[i])
            return FALSE;
    return TRUE;
}

gboolean webrtc_pair_wait_media(WebrtcPeer *const pair[2], const char *const names[2], guint frames,
                                guint audio, guint ms, WebrtcPairWaitFn wait)
{
    PairWant w = {.peers = pair};
    for (int i = 0; i < 2; i++) {
        w.frames[i] = webrtc_peer_frames_decoded(pair[i]) + frames;
        w.audio[i] = webrtc_peer_audio_buffers(pair[i]) + audio;
    }
    gboolean ok = wait(pair_has_media, &w, ms);
    for (int i = 0; i < 2; i++)
        g_test_message(
            "%s: %" G_GUINT64_FORMAT " video frames decoded, %" G_GUINT64_FORMAT " audio buffers",
            names[i], webrtc_peer_frames_decoded(pair[i]), webrtc_peer_audio_buffers(pair[i]));
    return ok;
}
