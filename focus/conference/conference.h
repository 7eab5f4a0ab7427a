/* SPDX-License-Identifier: MIT */
/* FocusConferences: the media side of every conference the focus runs. For each room it
 * keeps a FocusConference (its room listener's state, attached when the registry adds the
 * room): the bridge the conference is on, its Colibri2 conference (meeting-id, a UUID per
 * conference; name = the room JID) and bridge session id; and for each participant a member:
 * its client features, its endpoint on the bridge, its Jingle session and its sources.
 *
 * Flow, per participant (bridge-session.c lists the failure paths):
 *  1. once the room is READY and holds >= min_participants participants: pick the bridge
 *     (the conference's, or the least-loaded one); disco#info to the participant's occupant
 *     JID (its features; defaults when that fails); conference-modify to the bridge's brewery
 *     occupant JID creating the endpoint (and the conference, the first time), then
 *     session-initiate from the focus's occupant (the client sees room@muc/focus) with the
 *     bridge's transport, every other participant's sources and the bridge's.
 *     No bridge: <bridgeNotAvailable xmlns="http://jitsi.org/protocol/focus"/> in the
 *     focus's presence, and the invitation waits for a bridge to appear.
 *  2. session-accept: sources validated, transport and sources to the bridge, source-add to
 *     everyone else; transport-info forwarded; source-add/-remove validated and propagated.
 *  3. session-terminate or leaving the room: endpoint expired, source-remove to the rest.
 *     Restart requests (terminate with bridge-session restart, session-info ICE failed) and
 *     bridge failures re-invite: session-terminate (success, "moving"), new session-initiate.
 *  4. the room being destroyed (empty, or ended for everyone): the Colibri2 conference is
 *     expired on its bridge in one request, and every member ends without further signalling.
 *
 * Who is invited is decided by an evaluation of the conference, scheduled (a zero-delay timer
 * on the link) whenever something it depends on changes, so a burst of changes makes one
 * pass.
 *
 * Thread: the focus event-loop thread. The manager owns nothing per room: each conference is
 * its room's listener state (freed with the room) and owns its members. */
#pragma once

#include "focus/bridges/bridges.h"
#include "focus/conference/jingle-session.h"
#include "focus/conference/offer.h"
#include "focus/rooms/registry.h"
#include "focus/rooms/room.h"
#include "focus/xmpp/link.h"
#include "focus/xmpp/router.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusConferences FocusConferences;
typedef struct _FocusConference FocusConference;

typedef struct {
    const char *occupant_jid; /* the focus's full JID, <component>/focus (copied) */
    guint min_participants;   /* invite once the room has this many (focus.min_participants) */
    guint colibri_timeout_ms; /* conference-modify reply wait (15 s) */
    guint jingle_timeout_ms;  /* session-initiate and other focus->client IQs (15 s) */
    guint disco_timeout_ms;   /* disco#info to a participant (5 s) */
    FocusOfferConfig offer;
} FocusConferenceSettings;

void focus_conference_settings_init(FocusConferenceSettings *s, const char *occupant_jid,
                                    guint min_participants);

/* Follows every room of @registry (from its first one: create the manager before any room)
 * and the bridges of @bridges (both transfer none, must outlive the manager). */
FocusConferences *focus_conferences_new(FocusLink *link, const FocusConferenceSettings *settings,
                                        FocusRegistry *registry, FocusBridges *bridges);
/* Free the registry first (the conferences live in its rooms). */
void focus_conferences_free(FocusConferences *mgr);

/* Registers on @router: Jingle IQs from participants and news from bridges (neither
 * advertised). */
void focus_conferences_add_routes(FocusConferences *mgr, FocusRouter *router);

/* A Jingle IQ (get/set with <jingle xmlns="urn:xmpp:jingle:1">) from a participant: answers
 * it (exactly one reply) and acts on it. */
void focus_conferences_handle_jingle(FocusConferences *mgr, xmpp_stanza_t *iq);

/* <endpoint-expired xmlns="urn:parley:bridge:0"/> (common/colibri/bridge-news.h) from a
 * bridge: answered (forbidden unless a known bridge sends it, item-not-found for old news),
 * and the participant re-invited at once. */
void focus_conferences_handle_bridge_news(FocusConferences *mgr, xmpp_stanza_t *iq);

/* ---- introspection (logs, tests, metrics) ---- */

/* For the focus's metrics (focus/http). */
typedef struct {
    guint64 reinvites;      /* participants invited again: restart, ICE failure, bridge lost */
    guint64 caps_hits;      /* features taken from the caps cache (no disco#info round trip) */
    guint64 caps_misses;    /* features asked for with disco#info */
    guint sessions_pending; /* Jingle sessions: session-initiate sent, no accept yet */
    guint sessions_active;  /* accepted */
    guint on_bridge;        /* conferences that have a bridge */
} FocusConferencesStats;

/* Fills @out: the counters, and the gauges counted now. */
void focus_conferences_stats(FocusConferences *mgr, FocusConferencesStats *out);

/* The conference of @room_jid, or NULL (transfer none). */
FocusConference *focus_conferences_lookup(FocusConferences *mgr, const char *room_jid);
const char *focus_conference_meeting_id(FocusConference *conf);
/* Brewery occupant JID of the conference's bridge, or NULL. */
const char *focus_conference_bridge(FocusConference *conf);
const char *focus_conference_bridge_session_id(FocusConference *conf);
/* The participant's Jingle session, or NULL (transfer none). */
const FocusJingleSession *focus_conference_session(FocusConference *conf, const char *nick);
/* The participant's accepted sources, or NULL (transfer none). */
const PaJingleSources *focus_conference_sources(FocusConference *conf, const char *nick);

G_END_DECLS
