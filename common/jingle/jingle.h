/* SPDX-License-Identifier: MIT */
/* Jingle (XEP-0166/0167/0176) as the Jitsi dialect uses it between the focus and a client: a
 * plain data model of one <jingle> element plus its XML mapping on libstrophe stanzas
 * (jingle-xml.c) and the compact JSON source map of <json-message> (jingle-json.c).
 *
 *   <jingle xmlns="urn:xmpp:jingle:1" action sid initiator? responder?>
 *     <content creator name senders>
 *       <description xmlns="urn:xmpp:jingle:apps:rtp:1" media maxptime?>
 *         <payload-type .../>... <rtp-hdrext .../>... <extmap-allow-mixed/> <rtcp-mux/>
 *         <source xmlns=ssma:0 ssrc name videoType?><parameter name="msid" value/>
 *                 <ssrc-info xmlns="http://jitsi.org/jitmeet" owner/></source>...
 *         <ssrc-group xmlns=ssma:0 semantics="FID|SIM"><source ssrc/>...</ssrc-group>...
 *       </description>
 *       <transport xmlns=ice-udp ...> (common/xmpp/ice-udp.h) </transport>
 *       <initial-last-n xmlns="jitsi:colibri2" value/>            (session-accept, video)
 *     </content>...
 *     <group xmlns="urn:xmpp:jingle:apps:grouping:0" semantics="BUNDLE"><content name/>...</group>
 *     <bridge-session xmlns="http://jitsi.org/protocol/focus" id region? restart? ice-restart?/>
 *     <ice-state xmlns="http://jitsi.org/protocol/focus">failed</ice-state>      (session-info)
 *     <startmuted xmlns="http://jitsi.org/jitmeet/start-muted" audio video/>
 *     <json-message xmlns="http://jitsi.org/jitmeet">{"sources":{...}}</json-message>
 *     <reason><success/><text>moving</text></reason>
 *   </jingle>
 *
 * The codec part of a description (payload types, header extensions, extmap-allow-mixed) is
 * the same structure Colibri2 carries in <media>: the media description of common/media
 * (PaMediaDesc).
 *
 * Pure: no I/O, no logging, no main loop. Structures are owned by whoever holds them and
 * freed with the matching _clear function. Input from the network is validated and bounded;
 * a malformed element is refused with a status and a reason, never half-parsed. */
#pragma once

#include <glib.h>
#include <strophe.h>

#include "common/colibri/colibri.h"
#include "common/media/media-desc.h"
#include "common/transport.h"
#include "common/xmpp/ice-udp.h"

G_BEGIN_DECLS

#define PA_NS_JINGLE "urn:xmpp:jingle:1"
#define PA_NS_JINGLE_ERRORS "urn:xmpp:jingle:errors:1"
#define PA_NS_JINGLE_GROUPING "urn:xmpp:jingle:apps:grouping:0"
#define PA_NS_JITMEET "http://jitsi.org/jitmeet"
#define PA_NS_JITSI_FOCUS "http://jitsi.org/protocol/focus"
#define PA_NS_START_MUTED "http://jitsi.org/jitmeet/start-muted"

/* Bounds on what a peer may send in one <jingle> (more is refused as too large). */
#define PA_JINGLE_MAX_CONTENTS 16
#define PA_JINGLE_MAX_SOURCES 256       /* sources in one element (all owners) */
#define PA_JINGLE_MAX_GROUPS 256        /* ssrc-groups in one element */
#define PA_JINGLE_MAX_GROUP_SSRCS 16    /* SSRCs in one ssrc-group */
#define PA_JINGLE_MAX_NAME 256          /* bytes in a sid, source name, owner, msid */
#define PA_JINGLE_MAX_JSON (256 * 1024) /* bytes of <json-message> text */

typedef enum {
    PA_JINGLE_ACTION_UNKNOWN = 0, /* an action this model does not know (see action_name) */
    PA_JINGLE_SESSION_INITIATE,
    PA_JINGLE_SESSION_ACCEPT,
    PA_JINGLE_SESSION_INFO,
    PA_JINGLE_SESSION_TERMINATE,
    PA_JINGLE_TRANSPORT_INFO,
    PA_JINGLE_TRANSPORT_ACCEPT,
    PA_JINGLE_TRANSPORT_REJECT,
    PA_JINGLE_TRANSPORT_REPLACE,
    PA_JINGLE_SOURCE_ADD,    /* also read from the legacy "addsource" */
    PA_JINGLE_SOURCE_REMOVE, /* also read from the legacy "removesource" */
    PA_JINGLE_CONTENT_ADD,
    PA_JINGLE_CONTENT_MODIFY,
    PA_JINGLE_CONTENT_REMOVE,
    PA_JINGLE_CONTENT_ACCEPT,
    PA_JINGLE_CONTENT_REJECT,
    PA_JINGLE_DESCRIPTION_INFO,
    PA_JINGLE_SECURITY_INFO,
} PaJingleAction;

/* The wire name ("session-initiate"), or NULL for PA_JINGLE_ACTION_UNKNOWN. */
const char *pa_jingle_action_str(PaJingleAction action);
/* PA_JINGLE_ACTION_UNKNOWN for NULL or an unknown name. */
PaJingleAction pa_jingle_action_parse(const char *name);

typedef enum {
    PA_JINGLE_VIDEO_TYPE_UNSET = 0, /* audio, or a video source that did not say */
    PA_JINGLE_VIDEO_TYPE_CAMERA,
    PA_JINGLE_VIDEO_TYPE_DESKTOP,
} PaJingleVideoType;

typedef struct {
    guint32 ssrc;   /* 1..2^32-1 */
    gboolean video; /* from the content/description media, or the JSON list it was in */
    char *name;     /* source name "<endpoint>-v0", or NULL */
    char *msid;     /* "<stream> <track>", or NULL */
    char *owner;    /* endpoint id (the resource of a JID owner), "jvb", or NULL */
    PaJingleVideoType video_type;
} PaJingleSource;

typedef enum {
    PA_JINGLE_GROUP_FID = 0, /* RTX: primary, retransmission */
    PA_JINGLE_GROUP_SIM,     /* simulcast layers, lowest first */
    PA_JINGLE_GROUP_OTHER,   /* anything else (semantics kept as text) */
} PaJingleGroupSemantics;

typedef struct {
    gboolean video;
    PaJingleGroupSemantics semantics;
    char *semantics_name; /* as received ("FEC-FR"); the canonical name for FID/SIM */
    char *owner;          /* as for sources; NULL when unknown */
    GArray *ssrcs;        /* of guint32, in order */
} PaJingleSsrcGroup;

/* A set of sources and groups, possibly of several owners. */
typedef struct {
    GArray *sources; /* of PaJingleSource */
    GArray *groups;  /* of PaJingleSsrcGroup */
} PaJingleSources;

void pa_jingle_sources_init(PaJingleSources *s);
void pa_jingle_sources_clear(PaJingleSources *s);
/* Replaces @dst (initialised) by a deep copy of @src. */
void pa_jingle_sources_copy(PaJingleSources *dst, const PaJingleSources *src);
/* Appends deep copies of everything in @src to @dst. */
void pa_jingle_sources_append(PaJingleSources *dst, const PaJingleSources *src);
/* Appends a source (strings copied; NULL allowed) and returns it (transfer none). */
PaJingleSource *pa_jingle_sources_add(PaJingleSources *s, guint32 ssrc, gboolean video,
                                      const char *name, const char *msid, const char *owner);
/* Appends a group with @n SSRCs and returns it (transfer none). */
PaJingleSsrcGroup *pa_jingle_sources_add_group(PaJingleSources *s, gboolean video,
                                               PaJingleGroupSemantics semantics, const char *owner,
                                               const guint32 *ssrcs, guint n);
gboolean pa_jingle_sources_empty(const PaJingleSources *s);
/* The source with @ssrc, or NULL (transfer none). */
const PaJingleSource *pa_jingle_sources_find(const PaJingleSources *s, guint32 ssrc);
/* Sets the owner of every source and group to @owner (copied). */
void pa_jingle_sources_set_owner(PaJingleSources *s, const char *owner);

/* "FID", "SIM"; for OTHER the group's own name. */
const char *pa_jingle_group_semantics_str(const PaJingleSsrcGroup *g);
/* FID or SIM (case-insensitive), else OTHER. */
PaJingleGroupSemantics pa_jingle_group_semantics_parse(const char *name);

typedef struct {
    char *name;    /* "audio", "video", "data" */
    char *creator; /* "initiator" | "responder", or NULL */
    char *senders; /* "both", ..., or NULL */

    gboolean has_description;
    char *media;       /* description@media: "audio", "video", "application", ... */
    PaMediaDesc rtp;   /* codecs; rtp.video follows media; arrays always allocated */
    guint maxptime;    /* 0: absent */
    gboolean rtcp_mux; /* <rtcp-mux/> inside the description */

    gboolean has_transport; /* an ice-udp <transport> was present */
    PaTransport transport;  /* always initialised */

    gboolean has_initial_last_n; /* <initial-last-n xmlns="jitsi:colibri2" value/> */
    gint initial_last_n;
} PaJingleContent;

typedef struct {
    PaJingleAction action;
    char *action_name; /* the attribute as received (for logs and unknown actions) */
    char *sid;
    char *initiator;  /* may be NULL */
    char *responder;  /* may be NULL */
    GArray *contents; /* of PaJingleContent */

    gboolean has_bundle;
    GPtrArray *bundle; /* content names of the BUNDLE group (char*, owned) */

    gboolean has_bridge_session;
    char *bridge_session_id;     /* may be NULL */
    char *bridge_session_region; /* may be NULL */
    gboolean bridge_session_restart;
    gboolean bridge_session_ice_restart;

    char *ice_state; /* <ice-state> text, or NULL */

    gboolean has_reason;
    char *reason;      /* the condition element's name ("success"), or NULL */
    char *reason_text; /* <text>, or NULL */

    gboolean has_start_muted;
    gboolean start_muted_audio, start_muted_video;

    /* Sources of every content (XML form) and of the <json-message> (JSON form), in that
     * order. Building: written in the form json_sources says. */
    PaJingleSources sources;
    gboolean json_sources; /* parse: a json-message carried sources; build: use JSON form */
} PaJingle;

void pa_jingle_init(PaJingle *j);
void pa_jingle_clear(PaJingle *j);

/* Appends an initialised content (strings copied, may be NULL) and returns it (transfer
 * none). */
PaJingleContent *pa_jingle_add_content(PaJingle *j, const char *name, const char *creator,
                                       const char *senders);
/* Sets the content's description media ("audio", "video") and has_description. */
void pa_jingle_content_set_media(PaJingleContent *c, const char *media);
/* The first content whose description media (or, without a description, name) is @media,
 * or NULL (transfer none). */
PaJingleContent *pa_jingle_find_content(const PaJingle *j, const char *media);
/* The first content's ice-udp transport, or NULL (transfer none). Under BUNDLE every content
 * carries the same one. */
const PaTransport *pa_jingle_first_transport(const PaJingle *j);

/* ---- XML ---- */

typedef enum {
    PA_JINGLE_OK = 0,
    PA_JINGLE_NOT_JINGLE, /* not a <jingle xmlns="urn:xmpp:jingle:1"> (or an IQ holding one) */
    PA_JINGLE_MALFORMED,  /* a required attribute is missing or a value is invalid */
    PA_JINGLE_TOO_LARGE,  /* a bound above was exceeded */
} PaJingleStatus;

const char *pa_jingle_status_str(PaJingleStatus st);

/* Parses a <jingle> element, or an <iq> holding one, into @out (initialised by this call;
 * clear it with pa_jingle_clear() whatever the result). action and sid are required; an
 * unknown action is not an error (action = PA_JINGLE_ACTION_UNKNOWN). Unknown elements are
 * ignored. Sources found in XML get video from their content; a JID owner is reduced to its
 * resource. On failure *@reason (if not NULL) names what is wrong (transfer full). */
PaJingleStatus pa_jingle_parse(xmpp_stanza_t *stanza, PaJingle *out, char **reason);

/* Builds the <jingle> element for @j (transfer full): contents (description with codecs, and
 * sources when !json_sources; transport), BUNDLE group, bridge-session, ice-state,
 * startmuted, reason, then the json-message when json_sources and there are sources (or the
 * action is session-initiate, source-add or source-remove). Sources whose media has no
 * content get a content of their own (<content name=audio|video><description media/>). */
xmpp_stanza_t *pa_jingle_build(xmpp_ctx_t *ctx, const PaJingle *j);

/* <iq type="set" from to id?><jingle .../></iq> (transfer full; id NULL: none set). */
xmpp_stanza_t *pa_jingle_build_iq(xmpp_ctx_t *ctx, const PaJingle *j, const char *from,
                                  const char *to, const char *id);

/* ---- JSON source map ---- */

/* The compact map of <json-message>'s "sources" value (transfer full):
 *   {"<owner>":[[videoSources],[videoGroups],[audioSources](,[audioGroups])], ...}
 * owners in order of first appearance (sources and groups without an owner are listed
 * under "jvb", as Jicofo lists the bridge's own), source {"s":ssrc,"n":name,"m":msid,"v":"d"
 * (desktop only)}, group ["f"|"s",ssrc,...]; groups other than FID/SIM are left out. */
char *pa_jingle_sources_to_json_map(const PaJingleSources *s);
/* {"sources":<map>} (transfer full). */
char *pa_jingle_sources_to_json_message(const PaJingleSources *s);

/* Parses the text of a <json-message> ({"sources":{...}}; other members ignored, a message
 * without "sources" yields nothing) and appends what it holds to @out. Owners that are JIDs
 * are reduced to their resource. On failure @out is unchanged and *@reason (if not NULL) says
 * why (transfer full). */
PaJingleStatus pa_jingle_sources_from_json(const char *json, PaJingleSources *out, char **reason);

/* ---- text that goes back into XML ---- */

/* TRUE if @s (NUL-terminated) is valid UTF-8 made only of characters XML 1.0 allows in text,
 * control characters excluded. Values read from JSON must pass this before they are put in a
 * stanza: a character XML forbids makes the server close the sender's stream. */
gboolean pa_jingle_text_ok(const char *s);
/* A copy of @s with invalid UTF-8 and every character XML 1.0 forbids (and control
 * characters) replaced, safe as the <text> of an error (transfer full; NULL for NULL). */
char *pa_jingle_safe_text(const char *s);

/* ---- errors ---- */

/* The Jingle-specific error conditions of XEP-0166 §10, carried as an application condition
 * <name xmlns="urn:xmpp:jingle:errors:1"/>. */
typedef enum {
    PA_JINGLE_ERROR_UNKNOWN_SESSION,
    PA_JINGLE_ERROR_OUT_OF_ORDER,
    PA_JINGLE_ERROR_TIE_BREAK,
    PA_JINGLE_ERROR_UNSUPPORTED_INFO,
} PaJingleErrorCondition;

/* A new application condition element for pa_stanza_error_reply() (transfer full). */
xmpp_stanza_t *pa_jingle_error_condition(xmpp_ctx_t *ctx, PaJingleErrorCondition cond);

G_END_DECLS
