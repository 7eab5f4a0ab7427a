/* SPDX-License-Identifier: MIT */
/* The offer the focus sends: codecs and header extensions per client features (Jicofo's
 * defaults), feature discovery, the Colibri2 media list, and the whole session-initiate. */
#include "focus/conference/offer.h"

#include "common/xmpp/stanza.h"
#include "stanza-pattern.h"

#include <string.h>

static xmpp_ctx_t *ctx;

/* "111:opus/48000/2{minptime=10,useinbandfec=1}[transport-cc] ..." */
static char *describe(const PaMediaDesc *m)
{
    GString *s = g_string_new("");
    for (guint i = 0; i < m->payload_types->len; i++) {
        const PaMediaPayloadType *pt = &g_array_index(m->payload_types, PaMediaPayloadType, i);
        g_string_append_printf(s, "%s%u:%s/%u", i ? " " : "", pt->id, pt->name, pt->clockrate);
        if (pt->channels)
            g_string_append_printf(s, "/%u", pt->channels);
        if (pt->parameters->len) {
            g_string_append_c(s, '{');
            for (guint k = 0; k < pt->parameters->len; k++) {
                const PaMediaParam *p = &g_array_index(pt->parameters, PaMediaParam, k);
                g_string_append_printf(s, "%s%s=%s", k ? "," : "", p->name, p->value);
            }
            g_string_append_c(s, '}');
        }
        if (pt->rtcp_fbs->len) {
            g_string_append_c(s, '[');
            for (guint k = 0; k < pt->rtcp_fbs->len; k++) {
                const PaMediaRtcpFb *fb = &g_array_index(pt->rtcp_fbs, PaMediaRtcpFb, k);
                g_string_append_printf(s, "%s%s%s%s", k ? "," : "", fb->type,
                                       fb->subtype ? " " : "", fb->subtype ? fb->subtype : "");
            }
            g_string_append_c(s, ']');
        }
    }
    g_string_append(s, " |");
    for (guint i = 0; i < m->hdrexts->len; i++) {
        const PaMediaHdrExt *h = &g_array_index(m->hdrexts, PaMediaHdrExt, i);
        g_string_append_printf(s, " %u=%s", h->id, h->uri);
    }
    if (m->extmap_allow_mixed)
        g_string_append(s, " mixed");
    return g_string_free(s, FALSE);
}

#define FB "[ccm fir,nack,nack pli,transport-cc]"
#define RTXFB "[ccm fir,nack,nack pli]"
#define H264P "{profile-level-id=42e01f;level-asymmetry-allowed=1;packetization-mode=1;}"
#define TCC_URI "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"

static void test_defaults(void)
{
    FocusFeatures f;
    focus_features_default(&f);
    FocusOfferConfig cfg;
    focus_offer_config_default(&cfg);
    PaMediaDesc audio = {0}, video = {0};
    g_assert_true(focus_offer_codecs(&audio, FALSE, &f, &cfg));
    g_assert_true(focus_offer_codecs(&video, TRUE, &f, &cfg));
    g_autofree char *a = describe(&audio);
    g_autofree char *v = describe(&video);
    g_assert_cmpstr(a, ==,
                    "111:opus/48000/2{minptime=10,useinbandfec=1}[transport-cc] "
                    "126:telephone-event/8000 | 1=urn:ietf:params:rtp-hdrext:ssrc-audio-level "
                    "5=" TCC_URI " mixed");
    g_assert_cmpstr(v, ==,
                    "41:AV1/90000" FB " 100:VP8/90000" FB " 107:H264/90000" H264P FB
                    " 101:VP9/90000" FB " 42:rtx/90000{apt=41}" RTXFB " 96:rtx/90000{apt=100}" RTXFB
                    " 97:rtx/90000{apt=101}" RTXFB " 99:rtx/90000{apt=107}"
                    " | 11=https://aomediacodec.github.io/av1-rtp-spec/"
                    "#dependency-descriptor-rtp-header-extension "
                    "3=http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time 5=" TCC_URI
                    " mixed");
    pa_media_desc_clear(&audio);
    pa_media_desc_clear(&video);
}

static void test_remb_no_rtx_mid(void)
{
    FocusFeatures f;
    focus_features_default(&f);
    f.tcc = FALSE;
    f.remb = TRUE;
    f.rtx = FALSE;
    FocusOfferConfig cfg;
    focus_offer_config_default(&cfg);
    cfg.mid = TRUE;
    cfg.telephone_event = FALSE;
    PaMediaDesc audio = {0}, video = {0};
    focus_offer_codecs(&audio, FALSE, &f, &cfg);
    focus_offer_codecs(&video, TRUE, &f, &cfg);
    g_autofree char *a = describe(&audio);
    g_autofree char *v = describe(&video);
    g_assert_cmpstr(a, ==,
                    "111:opus/48000/2{minptime=10,useinbandfec=1} | "
                    "1=urn:ietf:params:rtp-hdrext:ssrc-audio-level "
                    "10=urn:ietf:params:rtp-hdrext:sdes:mid mixed");
    g_assert_null(strstr(v, "rtx"));
    g_assert_null(strstr(v, "transport-cc"));
    g_assert_nonnull(strstr(v, "100:VP8/90000[ccm fir,nack,nack pli,goog-remb]"));
    g_assert_nonnull(strstr(v, "10=urn:ietf:params:rtp-hdrext:sdes:mid"));
    g_assert_null(strstr(v, TCC_URI));
    pa_media_desc_clear(&audio);
    pa_media_desc_clear(&video);
}

static void test_disco(void)
{
    xmpp_stanza_t *r = xmpp_stanza_new_from_string(
        ctx, "<iq type='result' from='r@c/x'><query xmlns='http://jabber.org/protocol/disco#info'>"
             "<identity category='client' type='web'/>"
             "<feature var='urn:xmpp:jingle:apps:rtp:audio'/>"
             "<feature var='urn:xmpp:jingle:apps:rtp:video'/>"
             "<feature var='urn:ietf:rfc:4588'/><feature var='http://jitsi.org/tcc'/>"
             "<feature var='http://jitsi.org/source-name'/></query></iq>");
    FocusFeatures f;
    focus_features_from_disco(&f, r);
    g_assert_true(f.audio && f.video && f.rtx && f.tcc && f.source_names);
    g_assert_false(f.json_sources); /* not advertised: XML sources */
    g_assert_false(f.remb);
    g_autofree char *str = focus_features_str(&f);
    g_assert_cmpstr(str, ==, "audio video rtx tcc source-names");
    xmpp_stanza_release(r);

    /* Audio only. */
    r = xmpp_stanza_new_from_string(
        ctx, "<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info'>"
             "<feature var='urn:xmpp:jingle:apps:rtp:audio'/>"
             "<feature var='http://jitsi.org/json-encoded-sources'/></query></iq>");
    focus_features_from_disco(&f, r);
    g_assert_true(f.audio && !f.video && f.json_sources);
    PaMediaDesc video = {0};
    FocusOfferConfig cfg;
    focus_offer_config_default(&cfg);
    g_assert_false(focus_offer_codecs(&video, TRUE, &f, &cfg));
    pa_media_desc_clear(&video);
    GArray *media = g_array_new(FALSE, TRUE, sizeof(PaMediaDesc));
    g_array_set_clear_func(media, (GDestroyNotify)pa_media_desc_clear);
    focus_offer_colibri_media(media, &f, &cfg);
    g_assert_cmpuint(media->len, ==, 1);
    g_assert_false(g_array_index(media, PaMediaDesc, 0).video);
    g_array_unref(media);
    xmpp_stanza_release(r);

    /* No media features at all: audio and video are assumed. */
    r = xmpp_stanza_new_from_string(ctx, "<iq type='result'><query "
                                         "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    focus_features_from_disco(&f, r);
    g_assert_true(f.audio && f.video);
    xmpp_stanza_release(r);

    xmpp_stanza_t *q = focus_features_disco_request(ctx, "focus.x/focus", "r@c.x/n");
    g_assert_cmpstr(xmpp_stanza_get_type(q), ==, "get");
    g_assert_cmpstr(xmpp_stanza_get_to(q), ==, "r@c.x/n");
    g_assert_nonnull(pa_stanza_child(q, "query", "http://jabber.org/protocol/disco#info"));
    xmpp_stanza_release(q);
}

static void test_session_initiate(void)
{
    FocusFeatures f;
    focus_features_default(&f);
    FocusOfferConfig cfg;
    focus_offer_config_default(&cfg);
    PaTransport t;
    pa_transport_init(&t);
    t.ufrag = g_strdup("8bl1d1j3b3gk9e");
    t.pwd = g_strdup("3ij4sd0cbu2l3d7ab5aq0dnhf4");
    t.fingerprint_hash = g_strdup("sha-256");
    t.fingerprint = g_strdup("8B:5E:47:1C:2F:9A:0D:3E:61:7B:C4:8F:12:A9:55:E0:3C:7D:9B:24:F1:06:8A:"
                             "CE:42:B3:17:D8:6F:90:25:EA");
    t.setup = g_strdup("actpass");
    t.websocket_url = g_strdup(
        "ws://127.0.0.1:8080/colibri-ws/jvb1/5e4f2c3a-0b1d-4a8e-9c7f-1d2e3f4a5b6c/bob01?pwd=abc");
    PaIceCandidate c = {.component = 1, .priority = 2130706431, .port = 10000, .generation = 0};
    g_strlcpy(c.foundation, "1", sizeof c.foundation);
    g_strlcpy(c.protocol, "udp", sizeof c.protocol);
    g_strlcpy(c.ip, "127.0.0.1", sizeof c.ip);
    g_strlcpy(c.type, "host", sizeof c.type);
    g_strlcpy(c.id, "1a2b3c", sizeof c.id);
    g_array_append_val(t.candidates, c);
    PaJingleSources remote;
    pa_jingle_sources_init(&remote);
    pa_jingle_sources_add(&remote, 1902118822, FALSE, "jvb-a0", "mixedmslabel mixedlabelaudio0",
                          "jvb");
    pa_jingle_sources_add(&remote, 3511420003u, TRUE, "jvb-v0", "mixedmslabel mixedlabelvideo0",
                          "jvb");
    pa_jingle_sources_add(&remote, 104455667, FALSE, "alice01-a0", "alice01-audio-0 t1", "alice01");
    pa_jingle_sources_add(&remote, 2208340011u, TRUE, "alice01-v0", "alice01-video-0 t2",
                          "alice01");
    pa_jingle_sources_add(&remote, 2208340012u, TRUE, "alice01-v0", "alice01-video-0 t2",
                          "alice01");
    guint32 fid[] = {2208340011u, 2208340012u};
    pa_jingle_sources_add_group(&remote, TRUE, PA_JINGLE_GROUP_FID, "alice01", fid, 2);

    for (int json = 1; json >= 0; json--) {
        f.json_sources = json;
        FocusOfferParams p = {
            .sid = "k3j2h1g4f5d6s",
            .initiator = "focus.meet.parley.test/focus",
            .transport = &t,
            .bridge_session_id = "0c6f3a1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b",
            .region = "default",
            .sources = &remote,
            .features = &f,
            .config = &cfg,
        };
        PaJingle j;
        pa_jingle_init(&j);
        focus_offer_build(&j, &p);
        xmpp_stanza_t *iq = pa_jingle_build_iq(
            ctx, &j, p.initiator, "quietowl42@conference.meet.parley.test/bob01", NULL);
        g_autofree char *text = pa_stanza_to_string(iq);
        g_test_message("session-initiate (%s sources): %s", json ? "JSON" : "XML", text);
        if (g_getenv("PARLEY_PRINT_OFFER"))
            g_printerr("%s\n", text);
        /* What lib-jitsi-meet relies on. */
        g_assert_true(stanza_match(
            iq,
            STANZA(.has = {{"jingle", "urn:xmpp:jingle:1", {"action", "session-initiate"}},
                           {"bridge-session", NULL, {"id", "0c6f3a1e-2b4d-4e8f-9a0b-1c2d3e4f5a6b"}},
                           {"description", NULL, {"media", "audio", "maxptime", "60"}},
                           {"fingerprint", NULL, {"setup", "actpass"}},
                           {"web-socket", "http://jitsi.org/protocol/colibri"}},
                   .lacks = {{"content", NULL, {"name", "data"}}})));
        /* BUNDLE: audio, then video, nothing else. */
        xmpp_stanza_t *bundle =
            stanza_find(iq, ELEM(.name = "group", .ns = "urn:xmpp:jingle:apps:grouping:0",
                                 .attrs = {"semantics", "BUNDLE"}));
        g_assert_nonnull(bundle);
        xmpp_stanza_t *first = xmpp_stanza_get_children(bundle);
        g_assert_true(stanza_match(
            first, STANZA(.name = "content", .has = {{"content", NULL, {"name", "audio"}}})));
        xmpp_stanza_t *second = xmpp_stanza_get_next(first);
        g_assert_true(stanza_match(
            second, STANZA(.name = "content", .has = {{"content", NULL, {"name", "video"}}})));
        g_assert_null(xmpp_stanza_get_next(second));
        g_assert_false(stanza_mentions(iq, "sctp"));
        g_assert_false(stanza_mentions(iq, "sdes:mid"));
        g_assert_cmpint(json, ==, stanza_has(iq, ELEM(.name = "json-message")));

        PaJingle back;
        xmpp_stanza_t *wire = xmpp_stanza_new_from_string(ctx, text);
        g_assert_cmpint(pa_jingle_parse(wire, &back, NULL), ==, PA_JINGLE_OK);
        g_assert_cmpuint(back.contents->len, ==, 2);
        for (guint i = 0; i < back.contents->len; i++) {
            const PaJingleContent *ct = &g_array_index(back.contents, PaJingleContent, i);
            g_assert_cmpstr(ct->creator, ==, "initiator");
            g_assert_cmpstr(ct->senders, ==, "both");
            g_assert_true(ct->rtcp_mux);
            g_assert_true(ct->has_transport);
            g_assert_true(ct->transport.rtcp_mux);
            g_assert_cmpuint(ct->transport.candidates->len, ==, 1);
        }
        g_assert_cmpuint(back.sources.sources->len, ==, 5);
        g_assert_cmpstr(pa_jingle_sources_find(&back.sources, 104455667)->owner, ==, "alice01");
        pa_jingle_clear(&back);
        xmpp_stanza_release(wire);
        xmpp_stanza_release(iq);
        pa_jingle_clear(&j);
    }
    pa_jingle_sources_clear(&remote);
    pa_transport_clear(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/jingle/offer/defaults", test_defaults);
    g_test_add_func("/jingle/offer/remb-no-rtx-mid", test_remb_no_rtx_mid);
    g_test_add_func("/jingle/offer/disco", test_disco);
    g_test_add_func("/jingle/offer/session-initiate", test_session_initiate);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
