/* SPDX-License-Identifier: MIT */
/* Layer selection in parley-bridge as a process: a real Prosody, the bridge, a scripted focus
 * that allocates seven endpoints with Colibri2, seven simulated clients (tests/lib/c/sim-peer.h:
 * libnice ICE, DTLS, SRTP) and their colibri-ws channels.
 *
 * alice, erin, frank and gina each send VP8 simulcast as Chrome does: three encodings (180p, 360p,
 * 720p, a SIM group, an RTX SSRC per encoding in FID groups), three temporal layers, a key frame on
 * every encoding when asked (PLI/FIR) and every 2 s, and audio with an RFC 6464 level.
 * bob, carol and dave receive, and say what they want with ReceiverVideoConstraints:
 * - bob asks 180p of everyone: each sender reaches him as one stream on its primary SSRC with
 *   180p key frames, continuous (sequence numbers, timestamps, picture ids, TL0PICIDX checked
 *   packet by packet as a decoder would);
 * - carol puts alice on stage at 720p: she gets alice's 720p encoding after a key frame, erin
 *   at 180p; carol then asks 180p, then 720p again: each switch lands within seconds and her
 *   stream stays continuous across it;
 * - dave asks lastN 1: he gets exactly one video, the dominant speaker's, and when another
 *   sender starts speaking (audio levels) the dominant speaker changes
 *   (DominantSpeakerEndpointChangeEvent to everyone) and dave's one video follows it
 *   (ForwardedSources, LastNEndpointsChangeEvent, the packets themselves); then lastN 2: the
 *   two most recent speakers' videos, exactly those two, following each change of speaker;
 * - senders are told the highest height anyone needs of their source (SenderSourceConstraints);
 * - bob NACKs a packet: the bridge sends it again from its cache as RTX (original sequence
 *   number and payload), not the sender;
 * - no receiver ever gets a non-primary SSRC or a sender's RTX; /metrics counts the switches;
 * - carol's transport-cc feedback reporting heavy loss drives her estimate down: her on-stage
 *   source comes down to its lowest layer, her thumbnail pauses (GET /debug/endpoints and
 *   /metrics say so), the others keep what they asked for.
 * Exit 77 when Prosody is missing. Run under tests/netns-run.sh. */
#include <jansson.h>
#include <libsoup/soup.h>
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/rtp/bytes.h"
#include "common/rtp/rtcp.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"
#include "common/rtp/tcc.h"
#include "common/rtp/vp8.h"
#include "control-harness.h"
#include "tests/lib/c/sim-peer.h"
#include "tests/unit/bridge/forward/sim-stream.h"

#define FOCUS_NICK "focus"
#define MEDIA_PORT 22100
#define CONF "layers-1"
#define N_EP 7
#define N_SENDERS 4
#define T_SWITCH 20000 /* ms: generous, the machine may be loaded */

enum { ALICE, ERIN, FRANK, GINA, BOB, CAROL, DAVE };
static const char *names[N_EP] = {"alice", "erin", "frank", "gina", "bob", "carol", "dave"};

static ItEnv env;
static TestXmpp *focus;
static char *bridge_occupant;
static SimPeer *peers[N_EP];
static char *urls[N_EP];

/* ---- senders ---- */

typedef struct {
    guint32 audio_ssrc;
    guint16 audio_seq;
    gboolean speaking;
    SimVp8 enc[3];
    guint32 rtx[3];
    guint64 fir_pli_seen;
    guint frames;
    gboolean top_off; /* the top encoding not sent (as a browser before its estimate allows) */
} Sender;

static Sender tx[N_SENDERS];

static guint32 primary(guint s)
{
    return tx[s].enc[0].ssrc;
}

/* ---- receivers ---- */

typedef struct {
    SimReceiver sr[N_SENDERS];
    guint64 packets[N_SENDERS];
    guint16 last_key_height[N_SENDERS];
    guint64 foreign;              /* video on an SSRC that is no sender's primary */
    guint8 last[N_SENDERS][1500]; /* the last video packet of each sender */
    gsize last_len[N_SENDERS];
    guint8 rtx[1500]; /* the last RTX packet */
    gsize rtx_len;
    guint64 rtx_count;
    /* Transport-wide sequence numbers received since the last feedback (test_bwe). */
    guint16 tcc_seq[512];
    guint n_tcc;
    guint64 tcc_total;
} Rx;

static Rx rx[N_EP];

static void on_rtp(const guint8 *pkt, gsize len, gpointer data)
{
    Rx *r = data;
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(pkt, len, &h), ==, PA_RTP_OK);
    PaHdrextElem tcc;
    guint16 tseq;
    if (pa_hdrext_find(pkt, &h, 5, &tcc) == PA_HDREXT_OK &&
        pa_hdrext_read_tcc_seq(pkt, &tcc, &tseq) == PA_HDREXT_OK) {
        if (r->n_tcc < G_N_ELEMENTS(r->tcc_seq))
            r->tcc_seq[r->n_tcc++] = tseq;
        r->tcc_total++;
    }
    if (h.payload_type == 96 && len <= sizeof r->rtx) { /* RTX: the bridge answering a NACK */
        memcpy(r->rtx, pkt, len);
        r->rtx_len = len;
        r->rtx_count++;
        return;
    }
    if (h.payload_type != 100) {
        if (h.payload_type != 111)
            r->foreign++;
        return;
    }
    int s = -1;
    for (guint k = 0; k < N_SENDERS; k++)
        if (h.ssrc == primary(k))
            s = (int)k;
    if (s < 0) {
        r->foreign++;
        return;
    }
    if (r->sr[s].have && h.seq != (guint16)(r->sr[s].seq + 1))
        g_printerr("# %s: sender %d seq %u after %u (ts %u, m %d, %" G_GUINT64_FORMAT " packets)\n",
                   names[r - rx], s, h.seq, r->sr[s].seq, h.timestamp, h.marker, r->packets[s]);
    sim_receiver_take(&r->sr[s], pkt, len);
    r->packets[s]++;
    memcpy(r->last[s], pkt, MIN(len, sizeof r->last[s]));
    r->last_len[s] = MIN(len, sizeof r->last[s]);
    BridgeLayerInfo info;
    if (bridge_layer_info_parse(BRIDGE_CODEC_VP8, 0, pkt, &h, NULL, NULL, &info) ==
            BRIDGE_LAYER_OK &&
        info.keyframe && info.height)
        r->last_key_height[s] = info.height;
}

/* ---- colibri-ws ---- */

typedef struct {
    SoupWebsocketConnection *ws;
    gboolean done;
    GPtrArray *msgs; /* json_t * (owned) */
} Chan;

static Chan chans[N_EP];
static SoupSession *session;

static void on_ws_message(SoupWebsocketConnection *ws, gint type, GBytes *bytes, gpointer ud)
{
    Chan *c = ud;
    gsize n;
    const char *d = g_bytes_get_data(bytes, &n);
    json_t *j = json_loadb(d, n, 0, NULL);
    if (j)
        g_ptr_array_add(c->msgs, j);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer ud)
{
    Chan *c = ud;
    c->ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, NULL);
    c->done = TRUE;
    if (c->ws)
        g_signal_connect(c->ws, "message", G_CALLBACK(on_ws_message), c);
}

static gboolean chan_done(gpointer d)
{
    return ((Chan *)d)->done;
}

static gboolean wait_for(ItCond cond, gpointer data, guint ms)
{
    return it_wait_for(focus, cond, data, ms, 10, 5);
}

static void chan_send(guint i, const char *text)
{
    g_assert_nonnull(chans[i].ws);
    soup_websocket_connection_send_text(chans[i].ws, text);
}

static const char *klass(const json_t *j)
{
    return json_string_value(json_object_get(j, "colibriClass"));
}

/* The latest message of class @cls channel @i received, or NULL (transfer none). */
static json_t *latest(guint i, const char *cls)
{
    for (guint k = chans[i].msgs->len; k > 0; k--) {
        json_t *j = g_ptr_array_index(chans[i].msgs, k - 1);
        if (g_strcmp0(klass(j), cls) == 0)
            return j;
    }
    return NULL;
}

/* The latest ForwardedSources of channel @i joined with ",", or "" (transfer full). */
static char *forwarded(guint i)
{
    json_t *j = latest(i, "ForwardedSources");
    GString *s = g_string_new(NULL);
    size_t k;
    json_t *e;
    json_array_foreach(j ? json_object_get(j, "forwardedSources") : NULL, k, e)
        g_string_append_printf(s, "%s%s", k ? "," : "", json_string_value(e));
    return g_string_free(s, FALSE);
}

static const char *dominant(guint i)
{
    json_t *j = latest(i, "DominantSpeakerEndpointChangeEvent");
    return j ? json_string_value(json_object_get(j, "dominantSpeakerEndpoint")) : NULL;
}

/* ---- set-up ---- */

static void add_payload_types(PaColibriEndpoint *ep)
{
    g_array_set_size(ep->media, 2);
    for (int i = 0; i < 2; i++) {
        PaMediaDesc *m = &g_array_index(ep->media, PaMediaDesc, i);
        m->video = i == 1;
        m->payload_types = pa_media_payload_types_new();
        m->hdrexts = pa_media_hdrexts_new();
        PaMediaPayloadType pt = {.id = m->video ? 100 : 111,
                                 .name = g_strdup(m->video ? "VP8" : "opus"),
                                 .clockrate = m->video ? 90000 : 48000,
                                 .channels = m->video ? 0 : 2,
                                 .parameters = pa_media_params_new(),
                                 .rtcp_fbs = pa_media_rtcp_fbs_new()};
        g_array_append_val(m->payload_types, pt);
        if (m->video) {
            PaMediaPayloadType rtx = {.id = 96,
                                      .name = g_strdup("rtx"),
                                      .clockrate = 90000,
                                      .parameters = pa_media_params_new(),
                                      .rtcp_fbs = pa_media_rtcp_fbs_new()};
            PaMediaParam apt = {g_strdup("apt"), g_strdup("100")};
            g_array_append_val(rtx.parameters, apt);
            g_array_append_val(m->payload_types, rtx);
        }
    }
}

static void add_group(PaMediaSource *ms, const char *semantics, const guint32 *ssrcs, guint n)
{
    PaMediaSsrcGroup g = {g_strdup(semantics), g_array_new(FALSE, FALSE, sizeof(guint32))};
    g_array_append_vals(g.ssrcs, ssrcs, n);
    g_array_append_val(ms->groups, g);
}

/* alice's and erin's sources: audio, and video as a SIM group of three with RTX. */
static void add_sender_sources(PaColibriEndpoint *ep, guint s)
{
    g_autofree char *a_id = g_strdup_printf("%s-a0", names[s]);
    g_autofree char *v_id = g_strdup_printf("%s-v0", names[s]);
    pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, FALSE, a_id), tx[s].audio_ssrc, a_id,
                             NULL);
    PaMediaSource *v = pa_media_sources_add(ep->sources, TRUE, v_id);
    guint32 sim[3];
    for (guint e = 0; e < 3; e++) {
        sim[e] = tx[s].enc[e].ssrc;
        pa_media_source_add_ssrc(v, sim[e], v_id, NULL);
        pa_media_source_add_ssrc(v, tx[s].rtx[e], v_id, NULL);
    }
    add_group(v, "SIM", sim, 3);
    for (guint e = 0; e < 3; e++) {
        guint32 fid[2] = {sim[e], tx[s].rtx[e]};
        add_group(v, "FID", fid, 2);
    }
}

static xmpp_stanza_t *modify(PaColibriConferenceModify *m)
{
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), bridge_occupant, m);
    xmpp_stanza_t *r = tx_iq(focus, iq, 10000);
    xmpp_stanza_release(iq);
    g_assert_nonnull(r);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    return r;
}

static gboolean all_gathered(gpointer d)
{
    for (int i = 0; i < N_EP; i++)
        if (!sim_peer_gathered(peers[i]))
            return FALSE;
    return TRUE;
}

static gboolean all_connected(gpointer d)
{
    for (int i = 0; i < N_EP; i++)
        if (!sim_peer_connected(peers[i]))
            return FALSE;
    return TRUE;
}

static void allocate(void)
{
    PaColibriConferenceModify m;
    pa_colibri_modify_init(&m);
    m.meeting_id = g_strdup(CONF);
    m.name = g_strdup(CONF "@conference." IT_DOMAIN);
    m.create = TRUE;
    for (int i = 0; i < N_EP; i++) {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, names[i]);
        ep->create = TRUE;
        ep->has_transport = TRUE;
        ep->ice_controlling = TRUE;
    }
    xmpp_stanza_t *r = modify(&m);
    pa_colibri_modify_clear(&m);
    PaColibriConferenceModified alloc;
    g_assert_cmpint(pa_colibri_parse_modified(r, &alloc, NULL), ==, PA_COLIBRI_OK);
    xmpp_stanza_release(r);
    g_assert_cmpuint(alloc.endpoints->len, ==, N_EP);

    for (int i = 0; i < N_EP; i++)
        peers[i] = sim_peer_new(g_main_context_default(), names[i], NULL);
    g_assert_true(wait_for(all_gathered, NULL, 10000));
    pa_colibri_modify_init(&m);
    m.meeting_id = g_strdup(CONF);
    for (int i = 0; i < N_EP; i++) {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, names[i]);
        ep->has_transport = TRUE;
        ep->has_ice = TRUE;
        sim_peer_get_transport(peers[i], &ep->ice);
        ep->has_sources = TRUE;
        if (i < N_SENDERS)
            add_sender_sources(ep, i);
        add_payload_types(ep);
    }
    r = modify(&m);
    xmpp_stanza_release(r);
    pa_colibri_modify_clear(&m);
    for (int i = 0; i < N_EP; i++) {
        PaColibriEndpoint *ep = &g_array_index(alloc.endpoints, PaColibriEndpoint, i);
        g_assert_cmpstr(ep->id, ==, names[i]);
        urls[i] = g_strdup(ep->ice.websocket_url);
        sim_peer_set_remote(peers[i], &ep->ice);
    }
    pa_colibri_modified_clear(&alloc);
}

static void setup(void)
{
    it_xmpp_start(&env);
    g_autofree char *port = g_strdup_printf("ice.port=%d", MEDIA_PORT);
    const char *const extra[] = {port, NULL};
    it_bridge_start(&env, extra);
    focus = it_focus_connect(60000);
    g_assert_nonnull(focus);
    bridge_occupant = it_focus_find_bridge(focus, FOCUS_NICK, 15000);
    g_assert_nonnull(bridge_occupant);

    for (guint s = 0; s < N_SENDERS; s++) {
        tx[s].audio_ssrc = 0xA0000000u + s;
        tx[s].audio_seq = (guint16)(1000 * s);
        for (guint e = 0; e < 3; e++) {
            /* Starting numbers far apart, so a switch without rewriting would show. */
            sim_vp8_init(&tx[s].enc[e], 0x51000000u + s * 16 + e, (uint8_t)e,
                         (guint16)(60000 + 3000 * e), 1000000u * (e + 1),
                         (guint16)(32000 + 100 * e), (uint8_t)(200 + 20 * e));
            tx[s].enc[e].payload_bytes = 150 * (1 + 2 * e);
            tx[s].rtx[e] = 0x52000000u + s * 16 + e;
        }
    }
    for (int i = 0; i < N_EP; i++) {
        for (guint s = 0; s < N_SENDERS; s++)
            sim_receiver_init(&rx[i].sr[s], primary(s));
    }
    allocate();
    if (!wait_for(all_connected, NULL, 30000))
        g_error("clients did not connect");
    for (int i = 0; i < N_EP; i++)
        sim_peer_set_rtp_handler(peers[i], on_rtp, &rx[i]);

    session = soup_session_new();
    for (int i = 0; i < N_EP; i++) {
        chans[i].msgs = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
        SoupMessage *msg = soup_message_new("GET", urls[i]);
        soup_session_websocket_connect_async(session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                             on_connected, &chans[i]);
        if (!wait_for(chan_done, &chans[i], 10000) || !chans[i].ws)
            g_error("%s: no bridge channel", names[i]);
        g_object_unref(msg);
    }
}

/* ---- media ---- */

static void send_frame(guint s)
{
    Sender *t = &tx[s];
    SimPeerStats st;
    sim_peer_get_stats(peers[s], &st);
    gboolean key = t->frames % 50 == 0 || st.pli_received + st.fir_received != t->fir_pli_seen;
    t->fir_pli_seen = st.pli_received + st.fir_received;
    for (guint e = 0; e < (t->top_off ? 2u : 3u); e++) {
        SimPkt pkts[8];
        unsigned n = 0;
        sim_vp8_frame(&t->enc[e], key, pkts, &n, G_N_ELEMENTS(pkts));
        for (unsigned k = 0; k < n; k++)
            sim_peer_send_rtp_packet(peers[s], pkts[k].data, pkts[k].len);
    }
    t->frames++;
}

static guint ticks;

/* 20 ms of media: audio from both senders, a video frame every other tick (25 fps). */
static void tick(void)
{
    for (guint s = 0; s < N_SENDERS; s++) {
        Sender *t = &tx[s];
        /* A microphone's level: its background noise, or speech well above it, varying as
         * real levels do (the speaker identification judges each against its own floor). */
        int level = t->speaking ? 20 + g_random_int_range(0, 10) : 90 + g_random_int_range(0, 8);
        sim_peer_send_rtp(peers[s], t->audio_ssrc, 111, t->audio_seq, t->audio_seq * 960u, 60,
                          level);
        t->audio_seq++;
        if (ticks % 2 == 0)
            send_frame(s);
    }
    ticks++;
    it_pump(focus, 20, 5);
}

typedef gboolean (*Check)(void);

/* Media flows until @check holds: the milliseconds it took, or -1 after @ms. */
static gint64 media_until(Check check, guint ms)
{
    gint64 start = g_get_monotonic_time();
    while (g_get_monotonic_time() - start < (gint64)ms * 1000) {
        tick();
        if (check())
            return (g_get_monotonic_time() - start) / 1000;
    }
    return -1;
}

static void media_for(guint ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < end)
        tick();
}

static double metric(const char *series)
{
    g_autofree char *body = NULL;
    if (it_http_get(env.http_port, "/metrics", &body) != 200)
        return -1;
    return it_metric(body, series);
}

/* ---- tests ---- */

static gboolean layers_as_asked(void)
{
    return rx[BOB].last_key_height[ALICE] == 180 && rx[BOB].last_key_height[ERIN] == 180 &&
           rx[CAROL].last_key_height[ALICE] == 720 && rx[CAROL].last_key_height[ERIN] == 180;
}

static void test_constraints(void)
{
    chan_send(BOB, "{\"colibriClass\":\"ReceiverVideoConstraints\","
                   "\"defaultConstraints\":{\"maxHeight\":180}}");
    chan_send(CAROL, "{\"colibriClass\":\"ReceiverVideoConstraints\","
                     "\"onStageSources\":[\"alice-v0\"],\"defaultConstraints\":{\"maxHeight\":180},"
                     "\"constraints\":{\"alice-v0\":{\"maxHeight\":720}}}");
    gint64 ms = media_until(layers_as_asked, T_SWITCH);
    if (ms < 0)
        g_error("layers not as asked: bob %u/%u carol %u/%u", rx[BOB].last_key_height[ALICE],
                rx[BOB].last_key_height[ERIN], rx[CAROL].last_key_height[ALICE],
                rx[CAROL].last_key_height[ERIN]);
    g_printerr("# figures: bob 180p and carol 720p of alice after %" G_GINT64_FORMAT " ms\n", ms);
    /* A window: the layers stay put, and what arrives is one continuous stream per sender
     * (on_rtp checks every packet). */
    guint64 before[2] = {rx[BOB].packets[ALICE], rx[CAROL].packets[ALICE]};
    media_for(2000);
    g_assert_true(layers_as_asked());
    g_assert_cmpuint(rx[BOB].packets[ALICE], >, before[0] + 20);
    g_assert_cmpuint(rx[CAROL].packets[ALICE], >, before[1] + 20);
    for (int i = BOB; i <= DAVE; i++)
        g_assert_cmpuint(rx[i].foreign, ==, 0);
    /* Senders hear what is needed of them. */
    json_t *sc = latest(ALICE, "SenderSourceConstraints");
    g_assert_nonnull(sc);
    g_assert_cmpstr(json_string_value(json_object_get(sc, "sourceName")), ==, "alice-v0");
    g_assert_cmpint(json_integer_value(json_object_get(sc, "maxHeight")), ==, 720);
    sc = latest(ERIN, "SenderSourceConstraints");
    g_assert_nonnull(sc);
    g_assert_cmpint(json_integer_value(json_object_get(sc, "maxHeight")), ==, 180);
    /* Per endpoint on request: these simulated receivers send no transport-cc feedback, so
     * they have no estimate and their allocation is unlimited (what they asked for). */
    g_autofree char *body = NULL;
    g_assert_cmpuint(it_http_get(env.http_port, "/debug/endpoints", &body), ==, 200);
    json_t *dbg = json_loads(body, 0, NULL);
    g_assert_nonnull(dbg);
    json_t *eps = json_object_get(dbg, "endpoints");
    g_assert_true(json_is_array(eps));
    gboolean seen_carol = FALSE;
    for (size_t i = 0; i < json_array_size(eps); i++) {
        json_t *e = json_array_get(eps, i);
        g_assert_true(json_is_null(json_object_get(e, "bwe")));
        g_assert_false(json_is_true(json_object_get(e, "limited_by_estimate")));
        if (g_strcmp0(json_string_value(json_object_get(e, "endpoint")), "carol") != 0)
            continue;
        seen_carol = TRUE;
        json_t *fw = json_object_get(e, "forwarded_sources");
        gboolean alice = FALSE;
        for (size_t k = 0; k < json_array_size(fw); k++)
            alice |= g_strcmp0(json_string_value(json_array_get(fw, k)), "alice-v0") == 0;
        g_assert_true(alice);
        g_assert_cmpint(json_integer_value(json_object_get(e, "allocated_bps")), >, 0);
    }
    g_assert_true(seen_carol);
    json_decref(dbg);
    g_assert_cmpfloat(metric("parley_bridge_bwe_receivers"), ==, 0);
}

static gboolean carol_low(void)
{
    return rx[CAROL].last_key_height[ALICE] == 180;
}

static gboolean carol_high(void)
{
    return rx[CAROL].last_key_height[ALICE] == 720;
}

static void test_switch(void)
{
    guint64 keys0 = rx[CAROL].sr[ALICE].keyframes;
    chan_send(CAROL, "{\"colibriClass\":\"ReceiverVideoConstraints\","
                     "\"constraints\":{\"alice-v0\":{\"maxHeight\":180}}}");
    gint64 down = media_until(carol_low, T_SWITCH);
    g_assert_cmpint(down, >=, 0);
    chan_send(CAROL, "{\"colibriClass\":\"ReceiverVideoConstraints\","
                     "\"constraints\":{\"alice-v0\":{\"maxHeight\":720}}}");
    gint64 up = media_until(carol_high, T_SWITCH);
    g_assert_cmpint(up, >=, 0);
    media_for(500);
    g_assert_true(carol_high());
    g_printerr("# figures: carol's switch of alice 720p->180p in %" G_GINT64_FORMAT
               " ms, back to 720p in %" G_GINT64_FORMAT " ms (key frames seen %u)\n",
               down, up, rx[CAROL].sr[ALICE].keyframes - (guint)keys0);
    /* The switches happened on one continuous stream: on_rtp checked every packet. */
    g_assert_cmpuint(rx[CAROL].foreign, ==, 0);
    g_assert_cmpfloat(metric("parley_bridge_layer_switches_total"), >=, 3);
}

static guint64 rtx_before;

static gboolean bob_got_rtx(void)
{
    return rx[BOB].rtx_count > rtx_before;
}

/* bob "loses" the last packet of alice he got and NACKs it: the bridge sends it again from
 * its cache, as RTX on alice's RTX SSRC (the one receivers are told), with the original
 * sequence number (OSN) in front of the very payload bob got the first time. */
static void test_nack(void)
{
    media_for(200);
    guint8 orig[1500];
    gsize olen = rx[BOB].last_len[ALICE];
    g_assert_cmpuint(olen, >, 12);
    memcpy(orig, rx[BOB].last[ALICE], olen);
    PaRtpHeader oh;
    g_assert_cmpint(pa_rtp_parse(orig, olen, &oh), ==, PA_RTP_OK);
    guint8 nack[64];
    size_t consumed = 0;
    gsize n =
        pa_rtcp_write_nack(nack, sizeof nack, 0xB0B0B0B0u, primary(ALICE), &oh.seq, 1, &consumed);
    g_assert_cmpuint(n, >, 0);
    double sent0 = metric("parley_bridge_retransmissions_sent_total");
    rtx_before = rx[BOB].rtx_count;
    /* No media meanwhile: the answer must come from the cache, not from a new packet. */
    g_assert_true(sim_peer_send_rtcp(peers[BOB], nack, n));
    gint64 end = g_get_monotonic_time() + T_SWITCH * 1000;
    while (!bob_got_rtx() && g_get_monotonic_time() < end)
        it_pump(focus, 10, 5);
    g_assert_true(bob_got_rtx());
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(rx[BOB].rtx, rx[BOB].rtx_len, &h), ==, PA_RTP_OK);
    g_assert_cmphex(h.ssrc, ==, tx[ALICE].rtx[0]);
    g_assert_cmpuint(h.payload_len, ==, oh.payload_len + 2);
    const guint8 *p = rx[BOB].rtx + h.payload_offset;
    g_assert_cmpuint(pa_rd16(p), ==, oh.seq);
    g_assert_cmpmem(p + 2, h.payload_len - 2, orig + oh.payload_offset, oh.payload_len);
    g_assert_cmpuint(h.timestamp, ==, oh.timestamp);
    g_assert_cmpfloat(metric("parley_bridge_retransmissions_sent_total"), >=, sent0 + 1);
    g_assert_cmpfloat(metric("parley_bridge_sender_rtx_dropped_total"), ==, 0);
}

static const char *want_dominant;
static guint want_mask; /* senders whose video dave should get, a bit each */
static guint64 dave_base[N_SENDERS];

/* dave's latest ForwardedSources as a sender mask. */
static guint dave_forwarded_mask(void)
{
    g_autofree char *f = forwarded(DAVE);
    g_auto(GStrv) parts = g_strsplit(f, ",", -1);
    guint mask = 0;
    for (guint k = 0; parts[k]; k++)
        for (guint s = 0; s < N_SENDERS; s++) {
            g_autofree char *v = g_strdup_printf("%s-v0", names[s]);
            if (strcmp(parts[k], v) == 0)
                mask |= 1u << s;
        }
    return mask;
}

static gboolean dave_follows(void)
{
    if (g_strcmp0(dominant(BOB), want_dominant) != 0 ||
        g_strcmp0(dominant(DAVE), want_dominant) != 0 || dave_forwarded_mask() != want_mask)
        return FALSE;
    for (guint s = 0; s < N_SENDERS; s++)
        if ((want_mask & (1u << s)) && rx[DAVE].packets[s] <= dave_base[s] + 10)
            return FALSE;
    return TRUE;
}

/* Only @speaker speaks; dave then gets exactly the videos in @mask, @speaker first among them
 * as the dominant speaker. */
static void expect_dave_gets(guint speaker, guint mask)
{
    for (guint s = 0; s < N_SENDERS; s++)
        tx[s].speaking = s == speaker;
    want_dominant = names[speaker];
    want_mask = mask;
    memcpy(dave_base, rx[DAVE].packets, sizeof dave_base);
    gint64 ms = media_until(dave_follows, T_SWITCH);
    if (ms < 0) {
        g_autofree char *f = forwarded(DAVE);
        g_error("dave: dominant %s, forwarded %s (want %s with mask %x), packets %" G_GUINT64_FORMAT
                "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                dominant(DAVE), f, want_dominant, mask, rx[DAVE].packets[0], rx[DAVE].packets[1],
                rx[DAVE].packets[2], rx[DAVE].packets[3]);
    }
    g_printerr("# figures: %s dominant and dave's %d video(s) after %" G_GINT64_FORMAT " ms\n",
               names[speaker], __builtin_popcount(mask), ms);
    /* Then a window in which exactly those flow. */
    media_for(300);
    memcpy(dave_base, rx[DAVE].packets, sizeof dave_base);
    media_for(1500);
    for (guint s = 0; s < N_SENDERS; s++) {
        if (mask & (1u << s))
            g_assert_cmpuint(rx[DAVE].packets[s], >, dave_base[s] + 20);
        else
            g_assert_cmpuint(rx[DAVE].packets[s], ==, dave_base[s]);
    }
    json_t *ln = latest(DAVE, "LastNEndpointsChangeEvent");
    g_assert_nonnull(ln);
    json_t *list = json_object_get(ln, "lastNEndpoints");
    g_assert_cmpuint(json_array_size(list), ==, (guint)__builtin_popcount(mask));
    /* In priority order: the dominant speaker first. */
    g_assert_cmpstr(json_string_value(json_array_get(list, 0)), ==, names[speaker]);
}

static void test_last_n_speaker(void)
{
    chan_send(DAVE, "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":1,"
                    "\"defaultConstraints\":{\"maxHeight\":180}}");
    expect_dave_gets(ALICE, 1u << ALICE);
    expect_dave_gets(ERIN, 1u << ERIN);
    expect_dave_gets(ALICE, 1u << ALICE);
    /* bob (no last-N) kept all four all along. */
    g_assert_cmpstr(forwarded(BOB), ==, "alice-v0,erin-v0,frank-v0,gina-v0");
    g_assert_cmpuint(rx[DAVE].foreign, ==, 0);
}

/* lastN 2 with four senders: the two most recent speakers, following each change. */
static void test_last_n_two(void)
{
    chan_send(DAVE, "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":2,"
                    "\"defaultConstraints\":{\"maxHeight\":180}}");
    expect_dave_gets(FRANK, 1u << FRANK | 1u << ALICE);
    expect_dave_gets(GINA, 1u << GINA | 1u << FRANK);
    expect_dave_gets(ERIN, 1u << ERIN | 1u << GINA);
    expect_dave_gets(GINA, 1u << GINA | 1u << ERIN);
    g_assert_cmpuint(rx[DAVE].foreign, ==, 0);
    for (guint s = 0; s < N_SENDERS; s++)
        tx[s].speaking = FALSE;
}

static guint64 dave_erin_base;

static gboolean dave_gets_erin(void)
{
    return rx[DAVE].packets[ERIN] > dave_erin_base + 10;
}

/* erin does not send her top encoding; dave, who had paused her, puts her on stage at 720p.
 * The allocation targets the best encoding she sends (the layer rates say the top one is
 * silent), so the key frame the bridge asks for is of an encoding she sends (a browser ignores
 * a request for a stream it is not sending), and dave gets her at <= 360p at once rather than
 * waiting for a layer that does not come. */
static void test_start_below_a_layer_not_sent(void)
{
    tx[ERIN].top_off = TRUE;
    chan_send(DAVE, "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":-1,"
                    "\"defaultConstraints\":{\"maxHeight\":180},"
                    "\"constraints\":{\"erin-v0\":{\"maxHeight\":0}}}");
    media_for(1500);
    dave_erin_base = rx[DAVE].packets[ERIN];
    media_for(500);
    g_assert_cmpuint(rx[DAVE].packets[ERIN], ==, dave_erin_base); /* paused */
    SimPeerStats st;
    sim_peer_get_stats(peers[ERIN], &st);
    guint64 plis = st.pli_received;
    chan_send(DAVE, "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":-1,"
                    "\"onStageSources\":[\"erin-v0\"],\"defaultConstraints\":{\"maxHeight\":180},"
                    "\"constraints\":{\"erin-v0\":{\"maxHeight\":720}}}");
    gint64 ms = media_until(dave_gets_erin, T_SWITCH);
    g_assert_cmpint(ms, >=, 0);
    sim_peer_get_stats(peers[ERIN], &st);
    g_assert_cmpuint(st.pli_received, >, plis);
    guint32 first = st.pli_ssrcs[plis % SIM_PEER_PLI_RING];
    g_printerr("# figures: dave gets erin (top layer off) after %" G_GINT64_FORMAT
               " ms; first key frame request on %08x (encodings %08x %08x %08x)\n",
               ms, first, tx[ERIN].enc[0].ssrc, tx[ERIN].enc[1].ssrc, tx[ERIN].enc[2].ssrc);
    g_assert_true(first == tx[ERIN].enc[0].ssrc || first == tx[ERIN].enc[1].ssrc);
    g_assert_cmpuint(rx[DAVE].last_key_height[ERIN], <=, 360);
    g_assert_cmpuint(rx[DAVE].foreign, ==, 0);
    tx[ERIN].top_off = FALSE;
}

/* ---- bandwidth estimation ---- */

static guint8 carol_fb_count;

/* Carol's transport-cc feedback about what reached her since the last one, every other
 * packet reported lost when @lossy (a link dropping half: the loss-based limit halves the
 * estimate every 300 ms down to its floor). */
static void carol_feedback(gboolean lossy)
{
    Rx *r = &rx[CAROL];
    if (!r->n_tcc)
        return;
    guint16 base = r->tcc_seq[0], high = base;
    for (guint i = 0; i < r->n_tcc; i++) {
        if ((gint16)(guint16)(r->tcc_seq[i] - base) < 0)
            base = r->tcc_seq[i];
        if ((gint16)(guint16)(r->tcc_seq[i] - high) > 0)
            high = r->tcc_seq[i];
    }
    gint64 arrival[512];
    guint n = MIN((guint16)(high - base) + 1u, G_N_ELEMENTS(arrival));
    for (guint i = 0; i < n; i++)
        arrival[i] = PA_TCC_NOT_RECEIVED;
    gint64 now = g_get_monotonic_time();
    for (guint i = 0; i < r->n_tcc; i++) {
        guint k = (guint16)(r->tcc_seq[i] - base);
        if (k < n && !(lossy && k % 2))
            arrival[k] = now + 100 * (gint64)k;
    }
    r->n_tcc = 0;
    guint8 fb[1200];
    gsize consumed = 0;
    gsize len = pa_tcc_write(fb, sizeof fb, 0xCA01, primary(ALICE), base, carol_fb_count++, arrival,
                             n, &consumed);
    if (len)
        g_assert_true(sim_peer_send_rtcp(peers[CAROL], fb, len));
}

static gboolean carol_lossy_low(void)
{
    carol_feedback(TRUE);
    return rx[CAROL].last_key_height[ALICE] == 180;
}

static json_t *debug_endpoint(const char *id)
{
    g_autofree char *body = NULL;
    g_assert_cmpuint(it_http_get(env.http_port, "/debug/endpoints", &body), ==, 200);
    json_t *dbg = json_loads(body, 0, NULL);
    g_assert_nonnull(dbg);
    json_t *eps = json_object_get(dbg, "endpoints"), *found = NULL;
    for (size_t i = 0; i < json_array_size(eps) && !found; i++)
        if (g_strcmp0(json_string_value(json_object_get(json_array_get(eps, i), "endpoint")), id) ==
            0)
            found = json_incref(json_array_get(eps, i));
    json_decref(dbg);
    return found;
}

/* The senders stamp transport-wide sequence numbers on their audio (as browsers do): carol
 * gets her own, consecutive. Her feedback reporting half of them lost drives her estimate
 * down: alice, on stage at 720p, comes down to her lowest layer (an on-stage camera is never
 * suspended), the thumbnails are paused, and the bridge says carol is limited by her
 * estimate; the other receivers, without feedback, keep what they asked for. */
static void test_bwe(void)
{
    for (guint s = 0; s < N_SENDERS; s++)
        sim_peer_enable_tcc(peers[s], 5, (guint16)(1000 + 20000 * s));
    chan_send(CAROL, "{\"colibriClass\":\"ReceiverVideoConstraints\","
                     "\"onStageSources\":[\"alice-v0\"],\"defaultConstraints\":{\"maxHeight\":180},"
                     "\"constraints\":{\"alice-v0\":{\"maxHeight\":720}}}");
    g_assert_cmpint(media_until(carol_high, T_SWITCH), >=, 0);
    rx[CAROL].n_tcc = 0;
    media_for(200);
    g_assert_cmpuint(rx[CAROL].n_tcc, >=, 10);
    for (guint i = 1; i < rx[CAROL].n_tcc; i++)
        g_assert_cmpuint(rx[CAROL].tcc_seq[i], ==, (guint16)(rx[CAROL].tcc_seq[i - 1] + 1));
    gint64 ms = media_until(carol_lossy_low, T_SWITCH);
    if (ms < 0)
        g_error("carol still gets alice at %u lines", rx[CAROL].last_key_height[ALICE]);
    g_printerr(
        "# figures: carol's feedback reporting 50%% loss: alice 720p -> 180p in %" G_GINT64_FORMAT
        " ms\n",
        ms);
    json_t *c = debug_endpoint("carol");
    g_assert_nonnull(c);
    json_t *bwe = json_object_get(c, "bwe");
    g_assert_true(json_is_object(bwe));
    g_printerr("# figures: carol's estimate %" JSON_INTEGER_FORMAT " bit/s, loss %.2f, "
               "allocated %" JSON_INTEGER_FORMAT " bit/s\n",
               json_integer_value(json_object_get(bwe, "estimate_bps")),
               json_real_value(json_object_get(bwe, "loss_fraction")),
               json_integer_value(json_object_get(c, "allocated_bps")));
    /* Well below where it started (2.5 Mbit/s) and what 720p and the thumbnails cost. */
    g_assert_cmpint(json_integer_value(json_object_get(bwe, "estimate_bps")), <, 600000);
    g_assert_true(json_is_true(json_object_get(c, "limited_by_estimate")));
    json_decref(c);
    g_assert_cmpfloat(metric("parley_bridge_bwe_receivers"), ==, 1);
    g_assert_cmpfloat(metric("parley_bridge_bwe_limited_receivers"), ==, 1);
    g_assert_cmpfloat(metric("parley_bridge_tcc_feedback_received_total"), >, 0);
    /* The thumbnails: nothing left for them. */
    for (guint k = 0; k < 20; k++) {
        tick();
        carol_feedback(TRUE);
    }
    g_assert_cmpstr(forwarded(CAROL), ==, "alice-v0");
    /* bob has no estimate: every source, as he asked. */
    g_assert_cmpstr(forwarded(BOB), ==, "alice-v0,erin-v0,frank-v0,gina-v0");
    c = debug_endpoint("bob");
    g_assert_true(json_is_null(json_object_get(c, "bwe")));
    json_decref(c);
    g_assert_cmpuint(rx[CAROL].foreign, ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    it_env_init(&env);
    env.http_port = 18084;
    it_dump_log_on_abort(&env);
    setup();
    g_test_add_func("/bridge-layers/constraints", test_constraints);
    g_test_add_func("/bridge-layers/switch", test_switch);
    g_test_add_func("/bridge-layers/nack", test_nack);
    g_test_add_func("/bridge-layers/last-n-speaker", test_last_n_speaker);
    g_test_add_func("/bridge-layers/last-n-two", test_last_n_two);
    g_test_add_func("/bridge-layers/start-below-a-layer-not-sent",
                    test_start_below_a_layer_not_sent);
    g_test_add_func("/bridge-layers/bwe", test_bwe);
    int rc = g_test_run();
    if (rc != 0 || g_getenv("PARLEY_SHOW_BRIDGE_LOG")) {
        g_autofree char *log = NULL;
        if (g_file_get_contents(env.bridge_log, &log, NULL, NULL))
            g_printerr("---- bridge log ----\n%s----\n", log);
    }
    for (int i = 0; i < N_EP; i++) {
        if (chans[i].ws) {
            soup_websocket_connection_close(chans[i].ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
            g_object_unref(chans[i].ws);
        }
        if (chans[i].msgs)
            g_ptr_array_unref(chans[i].msgs);
        sim_peer_free(peers[i]);
        g_free(urls[i]);
    }
    g_clear_object(&session);
    if (env.bridge_pid)
        g_assert_cmpint(it_bridge_stop(&env), ==, 0);
    tx_free(focus);
    g_free(bridge_occupant);
    it_env_cleanup(&env);
    xmpp_shutdown();
    return rc;
}
