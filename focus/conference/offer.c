/* SPDX-License-Identifier: MIT */
/* Pure (see offer.h). */
#include "focus/conference/offer.h"

#include "common/media/media-desc.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/disco.h"

#include <string.h>

#define URI_AUDIO_LEVEL "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
#define URI_MID "urn:ietf:params:rtp-hdrext:sdes:mid"
#define URI_TCC "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
#define URI_AV1_DD                                                                                 \
    "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension"
#define URI_ABS_SEND_TIME "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"

#define H264_PROFILE "42e01f;level-asymmetry-allowed=1;packetization-mode=1;"

/* ---- features ---- */

void focus_features_default(FocusFeatures *f)
{
    memset(f, 0, sizeof *f);
    f->audio = f->video = TRUE;
    f->rtx = f->tcc = TRUE;
    f->source_names = TRUE;
    f->json_sources = TRUE;
}

void focus_features_from_disco(FocusFeatures *f, xmpp_stanza_t *result)
{
    memset(f, 0, sizeof *f);
    xmpp_stanza_t *q = pa_stanza_child(result, "query", FOCUS_NS_DISCO_INFO);
    for (xmpp_stanza_t *c = q ? xmpp_stanza_get_children(q) : NULL; c;
         c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c) || g_strcmp0(xmpp_stanza_get_name(c), "feature") != 0)
            continue;
        const char *var = xmpp_stanza_get_attribute(c, "var");
        if (!var)
            continue;
        if (strcmp(var, FOCUS_FEATURE_AUDIO) == 0)
            f->audio = TRUE;
        else if (strcmp(var, FOCUS_FEATURE_VIDEO) == 0)
            f->video = TRUE;
        else if (strcmp(var, FOCUS_FEATURE_RTX) == 0)
            f->rtx = TRUE;
        else if (strcmp(var, FOCUS_FEATURE_TCC) == 0)
            f->tcc = TRUE;
        else if (strcmp(var, FOCUS_FEATURE_REMB) == 0)
            f->remb = TRUE;
        else if (strcmp(var, FOCUS_FEATURE_OPUS_RED) == 0)
            f->opus_red = TRUE;
        else if (strcmp(var, FOCUS_FEATURE_SOURCE_NAMES) == 0)
            f->source_names = TRUE;
        else if (strcmp(var, FOCUS_FEATURE_JSON_SOURCES) == 0)
            f->json_sources = TRUE;
    }
    if (!f->audio && !f->video)
        f->audio = f->video = TRUE;
}

xmpp_stanza_t *focus_features_disco_request(xmpp_ctx_t *ctx, const char *from, const char *to)
{
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "get", NULL);
    xmpp_stanza_set_from(iq, from);
    xmpp_stanza_set_to(iq, to);
    pa_stanza_add_child(iq, "query", FOCUS_NS_DISCO_INFO);
    return iq;
}

char *focus_features_str(const FocusFeatures *f)
{
    GString *s = g_string_new("");
    const struct {
        gboolean on;
        const char *name;
    } all[] = {
        {f->audio, "audio"},
        {f->video, "video"},
        {f->rtx, "rtx"},
        {f->tcc, "tcc"},
        {f->remb, "remb"},
        {f->opus_red, "opus-red"},
        {f->source_names, "source-names"},
        {f->json_sources, "json-sources"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(all); i++)
        if (all[i].on)
            g_string_append_printf(s, "%s%s", s->len ? " " : "", all[i].name);
    return g_string_free(s, FALSE);
}

/* ---- codecs ---- */

void focus_offer_config_default(FocusOfferConfig *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->telephone_event = TRUE;
}

static PaMediaPayloadType *add_pt(PaMediaDesc *m, guint8 id, const char *name, guint clock,
                                  guint channels)
{
    g_array_set_size(m->payload_types, m->payload_types->len + 1);
    PaMediaPayloadType *pt =
        &g_array_index(m->payload_types, PaMediaPayloadType, m->payload_types->len - 1);
    memset(pt, 0, sizeof *pt);
    pt->id = id;
    pt->name = g_strdup(name);
    pt->clockrate = clock;
    pt->channels = channels;
    pt->parameters = pa_media_params_new();
    pt->rtcp_fbs = pa_media_rtcp_fbs_new();
    return pt;
}

static void add_param(PaMediaPayloadType *pt, const char *name, const char *value)
{
    PaMediaParam p = {g_strdup(name), g_strdup(value)};
    g_array_append_val(pt->parameters, p);
}

static void add_fb(PaMediaPayloadType *pt, const char *type, const char *subtype)
{
    PaMediaRtcpFb fb = {g_strdup(type), g_strdup(subtype)};
    g_array_append_val(pt->rtcp_fbs, fb);
}

static void add_hdrext(PaMediaDesc *m, guint8 id, const char *uri)
{
    PaMediaHdrExt h = {id, g_strdup(uri)};
    g_array_append_val(m->hdrexts, h);
}

/* ccm fir, nack, nack pli, then REMB or TCC feedback. */
static void add_video_fbs(PaMediaPayloadType *pt, const FocusFeatures *f)
{
    add_fb(pt, "ccm", "fir");
    add_fb(pt, "nack", NULL);
    add_fb(pt, "nack", "pli");
    if (f->remb && !f->tcc)
        add_fb(pt, "goog-remb", NULL);
    if (f->tcc)
        add_fb(pt, "transport-cc", NULL);
}

static void add_rtx(PaMediaDesc *m, guint8 id, guint8 apt, gboolean with_fbs)
{
    char buf[8];
    g_snprintf(buf, sizeof buf, "%u", apt);
    PaMediaPayloadType *pt = add_pt(m, id, "rtx", 90000, 0);
    add_param(pt, "apt", buf);
    if (with_fbs) {
        add_fb(pt, "ccm", "fir");
        add_fb(pt, "nack", NULL);
        add_fb(pt, "nack", "pli");
    }
}

gboolean focus_offer_codecs(PaMediaDesc *rtp, gboolean video, const FocusFeatures *f,
                            const FocusOfferConfig *cfg)
{
    if (!rtp->payload_types)
        rtp->payload_types = pa_media_payload_types_new();
    if (!rtp->hdrexts)
        rtp->hdrexts = pa_media_hdrexts_new();
    rtp->video = video;
    if (!video) {
        if (!f->audio)
            return FALSE;
        PaMediaPayloadType *opus = add_pt(rtp, 111, "opus", 48000, 2);
        add_param(opus, "minptime", "10");
        add_param(opus, "useinbandfec", "1");
        if (f->tcc)
            add_fb(opus, "transport-cc", NULL);
        if (cfg->telephone_event)
            add_pt(rtp, 126, "telephone-event", 8000, 0);
        add_hdrext(rtp, 1, URI_AUDIO_LEVEL);
        if (cfg->mid)
            add_hdrext(rtp, 10, URI_MID);
        if (f->tcc)
            add_hdrext(rtp, 5, URI_TCC);
        rtp->extmap_allow_mixed = TRUE;
        return TRUE;
    }
    if (!f->video)
        return FALSE;
    add_video_fbs(add_pt(rtp, 41, "AV1", 90000, 0), f);
    add_video_fbs(add_pt(rtp, 100, "VP8", 90000, 0), f);
    PaMediaPayloadType *h264 = add_pt(rtp, 107, "H264", 90000, 0);
    add_video_fbs(h264, f);
    add_param(h264, "profile-level-id", H264_PROFILE);
    add_video_fbs(add_pt(rtp, 101, "VP9", 90000, 0), f);
    if (f->rtx) {
        add_rtx(rtp, 42, 41, TRUE);
        add_rtx(rtp, 96, 100, TRUE);
        add_rtx(rtp, 97, 101, TRUE);
        add_rtx(rtp, 99, 107, FALSE);
    }
    add_hdrext(rtp, 11, URI_AV1_DD);
    add_hdrext(rtp, 3, URI_ABS_SEND_TIME);
    if (cfg->mid)
        add_hdrext(rtp, 10, URI_MID);
    if (f->tcc)
        add_hdrext(rtp, 5, URI_TCC);
    rtp->extmap_allow_mixed = TRUE;
    return TRUE;
}

void focus_offer_colibri_media(GArray *media, const FocusFeatures *f, const FocusOfferConfig *cfg)
{
    for (int video = 0; video <= 1; video++) {
        PaMediaDesc m = {0};
        if (focus_offer_codecs(&m, video, f, cfg))
            g_array_append_val(media, m);
        else
            pa_media_desc_clear(&m);
    }
}

void focus_offer_build(PaJingle *out, const FocusOfferParams *p)
{
    out->action = PA_JINGLE_SESSION_INITIATE;
    g_free(out->sid);
    out->sid = g_strdup(p->sid);
    g_free(out->initiator);
    out->initiator = g_strdup(p->initiator);
    static const char *const medias[] = {"audio", "video"};
    for (guint i = 0; i < G_N_ELEMENTS(medias); i++) {
        gboolean video = i == 1;
        if (video ? !p->features->video : !p->features->audio)
            continue;
        PaJingleContent *c = pa_jingle_add_content(out, medias[i], "initiator", "both");
        pa_jingle_content_set_media(c, medias[i]);
        focus_offer_codecs(&c->rtp, video, p->features, p->config);
        c->rtcp_mux = TRUE;
        if (!video)
            c->maxptime = 60;
        c->has_transport = TRUE;
        pa_transport_copy(&c->transport, p->transport);
        c->transport.rtcp_mux = TRUE;
        if (!c->transport.setup && c->transport.fingerprint)
            c->transport.setup = g_strdup("actpass"); /* the bridge is the DTLS server */
        g_ptr_array_add(out->bundle, g_strdup(medias[i]));
    }
    out->has_bundle = out->bundle->len > 0;
    out->has_bridge_session = TRUE;
    out->bridge_session_id = g_strdup(p->bridge_session_id);
    out->bridge_session_region = g_strdup(p->region);
    if (p->sources)
        pa_jingle_sources_copy(&out->sources, p->sources);
    out->json_sources = p->features->json_sources;
}
