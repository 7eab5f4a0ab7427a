/* SPDX-License-Identifier: MIT */
/* The media description both signalling protocols carry: one media type's codecs (payload
 * types with their parameters and rtcp-fb, RTP header extensions, extmap-allow-mixed) and the
 * media sources a participant sends (SSRCs with name and msid, SSRC groups). Colibri2 carries
 * it in <media> and <media-source> (common/colibri), Jingle in <description>
 * (common/jingle); both map it to and from XML with common/media/media-xml.h.
 *
 * Pure data: no I/O, no logging, no main loop. Everything here is owned by whoever holds the
 * struct and freed with the matching _clear function (or the GArray's clear function: every
 * array made by the constructors below frees its elements). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bounds on what a peer may send (more is refused as too large). */
#define PA_MEDIA_MAX_ITEMS 128 /* payload types, parameters, sources, groups ... per parent */
#define PA_MEDIA_MAX_NAME 256  /* bytes in a source name or msid */

typedef struct {
    char *name;
    char *value;
} PaMediaParam;

typedef struct {
    char *type;    /* "nack", "ccm", "goog-remb", "transport-cc" */
    char *subtype; /* "pli", "fir" or NULL */
} PaMediaRtcpFb;

typedef struct {
    guint8 id;  /* 0..127 */
    char *name; /* "opus", "VP8", "rtx" */
    guint clockrate;
    guint channels;     /* 0 when absent */
    GArray *parameters; /* of PaMediaParam */
    GArray *rtcp_fbs;   /* of PaMediaRtcpFb */
} PaMediaPayloadType;

typedef struct {
    guint8 id; /* 1..255 */
    char *uri;
} PaMediaHdrExt;

/* One media type's codecs and header extensions. */
typedef struct {
    gboolean video;        /* type="video", else "audio" */
    GArray *payload_types; /* of PaMediaPayloadType */
    GArray *hdrexts;       /* of PaMediaHdrExt */
    gboolean extmap_allow_mixed;
} PaMediaDesc;

/* One SSRC of a media source. */
typedef struct {
    guint32 ssrc;
    char *name; /* source name, may be NULL */
    char *msid; /* <parameter name="msid" value>, may be NULL */
} PaMediaSsrc;

typedef struct {
    char *semantics; /* "FID", "SIM", "FEC-FR" */
    GArray *ssrcs;   /* of guint32, in order */
} PaMediaSsrcGroup;

/* One named media source (a track): its SSRCs and their groups. */
typedef struct {
    gboolean video;
    char *id; /* the source name, e.g. "abcd1234-v0" */
    gboolean synthetic;
    GArray *sources; /* of PaMediaSsrc */
    GArray *groups;  /* of PaMediaSsrcGroup */
} PaMediaSource;

/* Zeroes @m, sets @video and allocates its (empty) arrays. */
void pa_media_desc_init(PaMediaDesc *m, gboolean video);
void pa_media_desc_clear(PaMediaDesc *m);
void pa_media_source_clear(PaMediaSource *ms);

/* Appends a new media source (type, id) to @sources and returns it (transfer none). */
PaMediaSource *pa_media_sources_add(GArray *sources, gboolean video, const char *id);
/* Appends an SSRC to @ms (strings copied, may be NULL). */
void pa_media_source_add_ssrc(PaMediaSource *ms, guint32 ssrc, const char *name, const char *msid);

/* New empty GArrays with the right clear functions (transfer full). */
GArray *pa_media_params_new(void);        /* of PaMediaParam */
GArray *pa_media_rtcp_fbs_new(void);      /* of PaMediaRtcpFb */
GArray *pa_media_payload_types_new(void); /* of PaMediaPayloadType */
GArray *pa_media_hdrexts_new(void);       /* of PaMediaHdrExt */
GArray *pa_media_descs_new(void);         /* of PaMediaDesc */
GArray *pa_media_ssrcs_new(void);         /* of PaMediaSsrc */
GArray *pa_media_ssrc_groups_new(void);   /* of PaMediaSsrcGroup */
GArray *pa_media_sources_new(void);       /* of PaMediaSource */

G_END_DECLS
