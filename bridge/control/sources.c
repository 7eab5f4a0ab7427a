/* SPDX-License-Identifier: MIT */
/* An endpoint's signalled video sources and payload types as the media plane needs them
 * (sources.h). Pure. */
#include "bridge/control/sources.h"

#include <string.h>

#include "bridge/forward/layer.h"

static const PaMediaSsrcGroup *find_group(const PaMediaSource *ms, const char *semantics,
                                          guint32 first)
{
    for (guint g = 0; ms->groups && g < ms->groups->len; g++) {
        const PaMediaSsrcGroup *grp = &g_array_index(ms->groups, PaMediaSsrcGroup, g);
        if (grp->semantics && g_ascii_strcasecmp(grp->semantics, semantics) == 0 &&
            grp->ssrcs->len >= 1 && (!first || g_array_index(grp->ssrcs, guint32, 0) == first))
            return grp;
    }
    return NULL;
}

static gboolean is_rtx(const PaMediaSource *ms, guint32 ssrc)
{
    for (guint g = 0; ms->groups && g < ms->groups->len; g++) {
        const PaMediaSsrcGroup *grp = &g_array_index(ms->groups, PaMediaSsrcGroup, g);
        if (grp->semantics && g_ascii_strcasecmp(grp->semantics, "FID") == 0 &&
            grp->ssrcs->len == 2 && g_array_index(grp->ssrcs, guint32, 1) == ssrc)
            return TRUE;
    }
    return FALSE;
}

gboolean bridge_source_encodings(const PaMediaSource *ms, BridgeMediaVideoSource *out)
{
    memset(out, 0, sizeof *out);
    const PaMediaSsrcGroup *sim = find_group(ms, "SIM", 0);
    if (sim) {
        for (guint k = 0; k < sim->ssrcs->len && out->n_encodings < BRIDGE_MAX_ENCODINGS; k++)
            out->ssrcs[out->n_encodings++] = g_array_index(sim->ssrcs, guint32, k);
    } else {
        for (guint k = 0; ms->sources && k < ms->sources->len && !out->n_encodings; k++) {
            guint32 v = g_array_index(ms->sources, PaMediaSsrc, k).ssrc;
            if (!is_rtx(ms, v))
                out->ssrcs[out->n_encodings++] = v;
        }
    }
    for (guint e = 0; e < out->n_encodings; e++) {
        const PaMediaSsrcGroup *fid = find_group(ms, "FID", out->ssrcs[e]);
        if (fid && fid->ssrcs->len == 2)
            out->rtx[e] = g_array_index(fid->ssrcs, guint32, 1);
    }
    return out->n_encodings > 0;
}

/* The payload types an "rtx" payload type's apt parameter names go in @rtx. */
static void rtx_of(const PaMediaPayloadType *pt, guint8 rtx[128])
{
    for (guint k = 0; pt->parameters && k < pt->parameters->len; k++) {
        const PaMediaParam *p = &g_array_index(pt->parameters, PaMediaParam, k);
        guint64 apt;
        if (p->name && strcmp(p->name, "apt") == 0 && p->value &&
            g_ascii_string_to_unsigned(p->value, 10, 0, 127, &apt, NULL))
            rtx[apt] = pt->id;
    }
}

void bridge_source_codec_maps(const GArray *media, guint8 codec[128], guint8 rtx[128])
{
    memset(codec, 0, 128);
    memset(rtx, 0, 128);
    guint n = 0;
    for (guint i = 0; media && i < media->len; i++) {
        const PaMediaDesc *m = &g_array_index(media, PaMediaDesc, i);
        for (guint j = 0; m->video && m->payload_types && j < m->payload_types->len; j++) {
            const PaMediaPayloadType *pt = &g_array_index(m->payload_types, PaMediaPayloadType, j);
            if (pt->id > 127)
                continue;
            n++;
            if (pt->name && g_ascii_strcasecmp(pt->name, "rtx") == 0)
                rtx_of(pt, rtx);
            else
                codec[pt->id] = (guint8)bridge_codec_from_name(pt->name);
        }
    }
    if (n)
        return;
    static const guint8 defaults[][3] = {
        {100, BRIDGE_CODEC_VP8, 96},
        {101, BRIDGE_CODEC_VP9, 97},
        {107, BRIDGE_CODEC_H264, 99},
        {41, BRIDGE_CODEC_AV1, 42},
    };
    for (guint i = 0; i < G_N_ELEMENTS(defaults); i++) {
        codec[defaults[i][0]] = defaults[i][1];
        rtx[defaults[i][0]] = defaults[i][2];
    }
}
