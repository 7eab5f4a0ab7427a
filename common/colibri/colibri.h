/* SPDX-License-Identifier: MIT */
/* Colibri2 (namespace "jitsi:colibri2"): the allocation protocol between the focus and a bridge.
 * This is a plain data model plus its XML mapping on libstrophe stanzas, shared by the bridge
 * (parses conference-modify, builds conference-modified and errors) and the focus (the other
 * way round). Only the subset Parley uses is modelled; unknown elements are ignored, relays are
 * reported so that the bridge can refuse them.
 *
 *   <conference-modify xmlns="jitsi:colibri2" meeting-id name create? expire?>
 *     <endpoint id create? expire? stats-id? muc-role?>
 *       <capability name="source-names"/>
 *       <media type="audio|video"><payload-type/>... <rtp-hdrext/>... <extmap-allow-mixed/></media>
 *       <transport ice-controlling? ice-restart? use-unique-port?>
 *         [<transport xmlns=ice-udp ...>] [<sctp/>]</transport>
 *       <sources><media-source type id><source ssrc name/><ssrc-group semantics>...</media-source>
 *       </sources>
 *       <force-mute audio video/> <initial-last-n value/>
 *     </endpoint>
 *   </conference-modify>
 *   <conference-modified xmlns="jitsi:colibri2"> <endpoint id [expire]><transport>...</endpoint>
 *     <sources>...</sources> </conference-modified>
 *
 * The codecs of <media> and the <media-source>s are the media description shared with Jingle
 * (PaMediaDesc, PaMediaSource: common/media/media-desc.h).
 *
 * Pure: no I/O, no logging, no main loop. Everything here is owned by whoever holds the struct
 * and freed with the matching _clear function. */
#pragma once

#include <glib.h>
#include <strophe.h>

#include "common/media/media-xml.h"
#include "common/transport.h"
#include "common/xmpp/attr.h"

G_BEGIN_DECLS

#define PA_NS_COLIBRI2 "jitsi:colibri2"

/* Bounds on what a peer may send in one request (more is refused as malformed). */
#define PA_COLIBRI_MAX_ID 256                   /* bytes in a conference or endpoint id */
#define PA_COLIBRI_MAX_ENDPOINTS 1000           /* endpoints in one conference-modify */
#define PA_COLIBRI_MAX_ITEMS PA_MEDIA_MAX_ITEMS /* media, sources, groups, ... per parent */

typedef struct {
    char *id;
    gboolean create;
    gboolean expire;
    char *stats_id;      /* NULL when absent */
    char *muc_role;      /* NULL when absent */
    char **capabilities; /* NULL-terminated, never NULL */

    GArray *media; /* of PaMediaDesc */

    gboolean has_transport; /* a colibri2 <transport> was present */
    gboolean ice_controlling;
    gboolean ice_restart;
    gboolean use_unique_port;
    gboolean sctp;    /* <sctp/> inside <transport> */
    gboolean has_ice; /* an ice-udp <transport> was inside it */
    PaTransport ice;  /* always initialised */

    gboolean has_sources; /* <sources> present (possibly empty: "no sources") */
    GArray *sources;      /* of PaMediaSource */

    gboolean has_force_mute;
    gboolean force_mute_audio, force_mute_video;
    gboolean has_initial_last_n;
    gint initial_last_n;
} PaColibriEndpoint;

typedef struct {
    char *meeting_id; /* the conference id; required */
    char *name;       /* conference name (the room JID), may be NULL */
    gboolean create;
    gboolean expire;
    gboolean rtcstats_enabled;
    GArray *endpoints; /* of PaColibriEndpoint */
    guint n_relays;    /* <relay> children (not supported by Parley's bridge) */
} PaColibriConferenceModify;

typedef struct {
    GArray *endpoints; /* of PaColibriEndpoint (id, expire, transport) */
    gboolean has_sources;
    GArray *sources; /* of PaMediaSource: the bridge's feedback sources */
} PaColibriConferenceModified;

void pa_colibri_endpoint_init(PaColibriEndpoint *ep);
void pa_colibri_endpoint_clear(PaColibriEndpoint *ep);
void pa_colibri_modify_init(PaColibriConferenceModify *m);
void pa_colibri_modify_clear(PaColibriConferenceModify *m);
void pa_colibri_modified_init(PaColibriConferenceModified *m);
void pa_colibri_modified_clear(PaColibriConferenceModified *m);

/* Appends a new, initialised endpoint to @endpoints and returns it (transfer none). */
PaColibriEndpoint *pa_colibri_endpoints_add(GArray *endpoints, const char *id);
/* TRUE if the endpoint listed @cap among its capabilities. */
gboolean pa_colibri_endpoint_has_capability(const PaColibriEndpoint *ep, const char *cap);

/* ---- XML ---- */

typedef enum {
    PA_COLIBRI_OK = 0,
    PA_COLIBRI_NOT_COLIBRI, /* not a conference-modify / conference-modified element */
    PA_COLIBRI_MALFORMED,   /* a required attribute is missing or a value is invalid */
    PA_COLIBRI_TOO_LARGE,   /* a bound above was exceeded */
} PaColibriStatus;

const char *pa_colibri_status_str(PaColibriStatus st);

/* Parses a <conference-modify> element, or an <iq> holding one, into @out (initialised by
 * this call; clear it with pa_colibri_modify_clear whatever the result). On failure *@reason
 * (if not NULL) names what is wrong (transfer full). */
PaColibriStatus pa_colibri_parse_modify(xmpp_stanza_t *stanza, PaColibriConferenceModify *out,
                                        char **reason);
/* Builds <conference-modify xmlns="jitsi:colibri2"> (transfer full). */
xmpp_stanza_t *pa_colibri_build_modify(xmpp_ctx_t *ctx, const PaColibriConferenceModify *m);

/* Same for <conference-modified>. */
PaColibriStatus pa_colibri_parse_modified(xmpp_stanza_t *stanza, PaColibriConferenceModified *out,
                                          char **reason);
xmpp_stanza_t *pa_colibri_build_modified(xmpp_ctx_t *ctx, const PaColibriConferenceModified *m);

/* ---- <initial-last-n xmlns="jitsi:colibri2" value/> ----
 * Colibri2 carries it in an <endpoint>, Jingle in a video <content> of a session-accept: one
 * reader and one writer for both. */

#define PA_COLIBRI_LAST_N_MAX 10000

/* Reads @e's value (a decimal from -1, "all", to PA_COLIBRI_LAST_N_MAX) into *@out. A missing
 * or bad value fails with PA_PARSE_MALFORMED and the reason "@kind @id: initial-last-n value"
 * (@id NULL: "?"). */
gboolean pa_colibri_initial_last_n_parse(PaParseState *ps, xmpp_stanza_t *e, const char *kind,
                                         const char *id, gint *out);
/* Adds <initial-last-n value/> in @ns (NULL: inherited from @parent) to @parent. */
void pa_colibri_initial_last_n_build(xmpp_stanza_t *parent, const char *ns, gint value);

/* ---- Errors ---- */

/* Why a conference-modify failed. The first five carry <error xmlns="jitsi:colibri2" reason>;
 * the others are plain XMPP conditions. */
typedef enum {
    PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND,      /* item-not-found */
    PA_COLIBRI_ERROR_CONFERENCE_ALREADY_EXISTS, /* conflict */
    PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT,          /* item-not-found + <endpoint id> */
    PA_COLIBRI_ERROR_GRACEFUL_SHUTDOWN,         /* service-unavailable */
    PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED,   /* feature-not-implemented */
    PA_COLIBRI_ERROR_BAD_REQUEST,               /* bad-request (malformed) */
    PA_COLIBRI_ERROR_FORBIDDEN,                 /* forbidden: sender is not a focus */
    PA_COLIBRI_ERROR_ENDPOINT_CONFLICT,         /* conflict: endpoint id already exists */
    PA_COLIBRI_ERROR_INTERNAL,                  /* internal-server-error */
    PA_COLIBRI_ERROR_UNSPECIFIED, /* parse result: an error without a reason we know */
} PaColibriError;

/* "CONFERENCE_NOT_FOUND", ... or NULL for errors without a colibri2 reason. */
const char *pa_colibri_error_reason(PaColibriError e);
/* The RFC 6120 condition ("item-not-found"). */
const char *pa_colibri_error_condition(PaColibriError e);

/* A new error reply to @request with the condition, <text>@text</text> (may be NULL), the
 * colibri2 <error reason> and, for UNKNOWN_ENDPOINT, <endpoint xmlns=colibri2 id=@endpoint_id/>
 * (transfer full). */
xmpp_stanza_t *pa_colibri_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *request, PaColibriError e,
                                      const char *endpoint_id, const char *text);

/* Reads an error IQ: returns the colibri2 reason (UNSPECIFIED if none or unknown, with the
 * XMPP condition still readable via pa_stanza_error_condition) and, if @endpoint_id is not
 * NULL, the <endpoint id> (transfer full, NULL when absent). */
PaColibriError pa_colibri_error_parse(xmpp_stanza_t *error_iq, char **endpoint_id);

G_END_DECLS
