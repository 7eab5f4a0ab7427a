/* SPDX-License-Identifier: MIT */
/* FocusModeration: what a moderator asks the focus to do to others (docs/protocol.md,
 * "Moderation"; the wire in moderation-iq.h).
 *
 *  - Remote mute (Jitsi's convention, as Jicofo): a moderator of the room may mute any
 *    participant's audio, video or screen share; anyone may mute (or unmute) themselves;
 *    nobody may unmute someone else. The focus answers the request, then sends the same
 *    <mute/> with actor to the participant, whose client mutes itself and says so. As in
 *    Jicofo without AV moderation, the bridge is not told to drop that participant's media:
 *    the participant can unmute.
 *  - End the meeting for everyone: a moderator occupant (by its real JID) asks for the room
 *    to be ended: the room is destroyed with a reason every occupant sees (focus_room_end():
 *    the conference layer expires the Colibri2 conference on the bridge at once), and the
 *    request is answered once the MUC service has destroyed the room.
 *
 * A moderator is a participant present in the room with the moderator role, or the owner or
 * admin affiliation (as Jicofo's hasModeratorRights and the lobby's checks).
 *
 * Routes (focus_moderation_add_routes()): <mute/> in the audio, video and desktop mute
 * namespaces and <end-conference/> in urn:parley:end-conference:0, all advertised in
 * disco#info (the web client offers these actions only when the focus lists them).
 *
 * Thread: the focus event-loop thread. The moderation owns the forwarded mute IQs on the link
 * (owner = the FocusModeration); an end request waiting for its room is held by that room (a
 * room listener's state), so a room freed without ending (shutdown) releases it unanswered. */
#pragma once

#include "focus/rooms/registry.h"
#include "focus/xmpp/link.h"
#include "focus/xmpp/router.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusModeration FocusModeration;

/* Acts on the rooms of @registry (transfer none, must outlive the moderation's use;
 * waiting end requests live in the rooms). @muc_domain: the MUC service rooms live on;
 * @occupant_jid: the focus's full JID in rooms ("focus.DOMAIN/focus", the from of the mute
 * IQs it forwards); strings copied. @iq_timeout_ms: how long a forwarded mute may wait for
 * the participant's answer (0: 15 s; the answer only goes to the log). */
FocusModeration *focus_moderation_new(FocusLink *link, FocusRegistry *registry,
                                      const char *muc_domain, const char *occupant_jid,
                                      guint iq_timeout_ms);
void focus_moderation_free(FocusModeration *mod);

/* Registers on @router: the three mute namespaces and FOCUS_NS_END_CONFERENCE, advertised. */
void focus_moderation_add_routes(FocusModeration *mod, FocusRouter *router);

/* A mute IQ (payload <mute/> in a mute namespace; transfer none): exactly one reply, and the
 * forwarded mute when it is someone else's. */
void focus_moderation_handle_mute(FocusModeration *mod, xmpp_stanza_t *iq);
/* An end-conference IQ (transfer none): exactly one reply, now (refused) or once the room is
 * over. */
void focus_moderation_handle_end(FocusModeration *mod, xmpp_stanza_t *iq);

typedef struct {
    guint64 mutes_forwarded; /* someone else muted */
    guint64 self_mutes;      /* own mute or unmute, acknowledged */
    guint64 ends;            /* rooms ended for everyone */
    guint64 refused;         /* requests answered with an error */
} FocusModerationCounts;

void focus_moderation_counts(FocusModeration *mod, FocusModerationCounts *out);

G_END_DECLS
