/* SPDX-License-Identifier: MIT */
/* FocusJingleSession: the focus's Jingle session with one participant (the media leg from
 * that participant's client to the bridge), and the rules for what the participant may send
 * on it. Pure state plus stanza builders: sending, timers and the bridge are the
 * conference's business (member.c, jingle-requests.c).
 *
 * States (as Jicofo's JingleSession):
 *   PENDING  session-initiate sent, no session-accept yet
 *   ACTIVE   session-accept received: source-add/-remove flow both ways
 *   ENDED    terminated by either side (or replaced by a new session on re-invite)
 *
 * Incoming requests are checked in this order (focus_jingle_check()):
 *   no session for this participant, another sid, or another sender
 *        -> cancel/item-not-found + <unknown-session xmlns="urn:xmpp:jingle:errors:1"/>
 *           (a sid this participant had before and that has ended -> cancel/gone instead,
 *            as Jicofo answers for ended sessions)
 *   the session has ended                -> cancel/gone
 *   an action the focus does not take (session-initiate, content-*, transport-replace,
 *   description-info, security-info, unknown) -> cancel/feature-not-implemented
 *   session-accept on an ACTIVE session  -> cancel/unexpected-request + <out-of-order/>
 * Malformed Jingle (pa_jingle_parse() failing) is modify/bad-request before all this.
 *
 * The session's state changes here only (focus_jingle_session_accepted(),
 * focus_jingle_session_end()); everything else reads it.
 *
 * Thread: the focus event-loop thread. Owned by the participant's conference member. */
#pragma once

#include "common/jingle/jingle.h"
#include "common/xmpp/stanza.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef enum {
    FOCUS_JINGLE_PENDING,
    FOCUS_JINGLE_ACTIVE,
    FOCUS_JINGLE_ENDED,
} FocusJingleState;

const char *focus_jingle_state_str(FocusJingleState state);

typedef struct _FocusJingleSession FocusJingleSession;

/* A new PENDING session with a fresh random sid. @local_jid: the focus's full JID (from of
 * what the focus sends, initiator); @peer_jid: the participant's occupant JID room@muc/nick;
 * @json_sources: sources are signalled in the JSON form; @bridge_session_id: the Colibri
 * session this Jingle session belongs to; @bridge_region may be NULL. Strings copied. */
FocusJingleSession *focus_jingle_session_new(const char *local_jid, const char *peer_jid,
                                             gboolean json_sources, const char *bridge_session_id,
                                             const char *bridge_region);
void focus_jingle_session_free(FocusJingleSession *s);

const char *focus_jingle_session_sid(const FocusJingleSession *s);
FocusJingleState focus_jingle_session_state(const FocusJingleSession *s);
const char *focus_jingle_session_peer(const FocusJingleSession *s);
const char *focus_jingle_session_bridge_session_id(const FocusJingleSession *s);
gboolean focus_jingle_session_json_sources(const FocusJingleSession *s);

/* PENDING -> ACTIVE: the participant's session-accept was taken. FALSE (nothing changed) from
 * any other state. */
gboolean focus_jingle_session_accepted(FocusJingleSession *s);
/* -> ENDED (either side terminated it, or it was refused or replaced). */
void focus_jingle_session_end(FocusJingleSession *s);

/* The remote sources the participant has been told about (offer plus later changes). */
const PaJingleSources *focus_jingle_session_signalled(const FocusJingleSession *s);
/* They are now @sources (copied). */
void focus_jingle_session_set_signalled(FocusJingleSession *s, const PaJingleSources *sources);

/* Why an incoming request is refused. */
typedef struct {
    PaErrorType type;
    const char *condition;     /* RFC 6120 condition */
    gboolean has_jingle_error; /* add the Jingle error condition below */
    PaJingleErrorCondition jingle_error;
    const char *text;
} FocusJingleRefusal;

/* Checks request @j (parsed, from @from) against the participant's current session @s (may
 * be NULL) and the sids of its ended sessions (@ended_sids: NULL-terminated, may be NULL).
 * Returns TRUE when the request may be handled; otherwise fills @refusal. */
gboolean focus_jingle_check(const FocusJingleSession *s, const char *const *ended_sids,
                            const char *from, const PaJingle *j, FocusJingleRefusal *refusal);

/* The error reply for @request (transfer full). */
xmpp_stanza_t *focus_jingle_refusal_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *request,
                                          const FocusJingleRefusal *refusal);

/* IQs the focus sends on @s (transfer full, no id; from local_jid to peer_jid). */
xmpp_stanza_t *focus_jingle_initiate_iq(xmpp_ctx_t *ctx, const FocusJingleSession *s,
                                        const PaJingle *offer);
/* source-add / source-remove with @sources in the session's form. */
xmpp_stanza_t *focus_jingle_sources_iq(xmpp_ctx_t *ctx, const FocusJingleSession *s,
                                       PaJingleAction action, const PaJingleSources *sources);
/* session-terminate with <reason><@reason/><text>@text</text></reason> (text may be NULL). */
xmpp_stanza_t *focus_jingle_terminate_iq(xmpp_ctx_t *ctx, const FocusJingleSession *s,
                                         const char *reason, const char *text);

/* Restart requests (session-terminate with restart, session-info ICE failed): at most one
 * per min_interval and max_requests per interval, as Jicofo's defaults (5 s; 5 per 60 s). */
typedef struct {
    gint64 min_interval_us;
    gint64 interval_us;
    guint max_requests;
    gint64 stamps[16]; /* accepted requests within interval, oldest first */
    guint n;
} FocusRestartLimit;

void focus_restart_limit_init(FocusRestartLimit *l);
/* TRUE (and counted) if a restart requested at @now_us may go ahead. */
gboolean focus_restart_limit_accept(FocusRestartLimit *l, gint64 now_us);

G_END_DECLS
