/* SPDX-License-Identifier: MIT */
/* FocusRoom: one conference's MUC room as the focus sees it. It joins the room as occupant
 * "focus" (from the component's full JID <component>/focus), configures it as owner,
 * answers the conference requests waiting for it, tracks the occupants from presence, keeps
 * an owner among the participants, and destroys the room once it has stayed empty.
 *
 * States:
 *   JOINING      join presence sent (or waiting for the connection), waiting for the
 *                focus's own presence (status 110; 201 when the room is new)
 *   CONFIGURING  owner form sent, waiting for its result
 *   READY        conference requests are answered at once; occupants tracked; auto-owner
 *   DESTROYING   destroy sent; requests arriving now are kept for the room's successor
 *   GONE         over; the registry frees the room (hooks->gone was called once)
 * A lost connection sends every live room back to JOINING (re-join and re-configure on
 * reconnect; a room the server lost is created anew and its stale occupants dropped).
 *
 * Timers (all on the FocusLink, owned by the room):
 *   create   create_timeout_ms from each join attempt until READY; on expiry the waiting
 *            requests get wait/service-unavailable and the room ends
 *   empty    READY with no participants: grace_ms after the last one left, or
 *            max(grace_ms, start_timeout_ms) when no one has joined since the last request;
 *            a join cancels it, expiry destroys the room
 *   IQs      owner form, owner grants and destroy time out after iq_timeout_ms
 *
 * Thread: the focus event-loop thread. The room owns its participants and the request
 * stanzas it keeps; hooks are called synchronously and may not free the room (hooks->gone
 * hands it to the registry, which frees it later from a timer). */
#pragma once

#include "focus/xmpp/link.h"
#include "focus/xmpp/muc.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef enum {
    FOCUS_ROOM_JOINING,
    FOCUS_ROOM_CONFIGURING,
    FOCUS_ROOM_READY,
    FOCUS_ROOM_DESTROYING,
    FOCUS_ROOM_GONE,
} FocusRoomState;

const char *focus_room_state_str(FocusRoomState state);

typedef struct _FocusRoom FocusRoom;

/* One occupant other than the focus. Fields are owned by the room and read-only outside it,
 * except the session slot. */
typedef struct {
    char *nick;         /* MUC nickname = endpoint id */
    char *real_jid;     /* full real JID (whois anyone), or NULL */
    char *display_name; /* <nick xmlns=http://jabber.org/protocol/nick>, or NULL */
    char *stats_id;     /* <stats-id>, or NULL */
    FocusMucRole role;
    FocusMucAffiliation affiliation;
    guint64 join_seq; /* order of arrival in this room (lower = earlier) */
    gint64 joined_us; /* link clock when first seen */
    gboolean stale;   /* not re-announced since the focus re-joined */
    gboolean owner_grant_failed;
    /* Per-participant state owned by later layers (Jingle session, bridge endpoint):
     * session_free(session) runs when the participant leaves or the room is freed. */
    gpointer session;
    GDestroyNotify session_free;
} FocusParticipant;

typedef struct {
    /* A participant appeared (READY) or was first seen while (re-)joining. */
    void (*participant_joined)(FocusRoom *room, FocusParticipant *p, gpointer data);
    /* A participant is about to be freed (left, kicked, or dropped as stale). */
    void (*participant_left)(FocusRoom *room, FocusParticipant *p, gpointer data);
    /* The room became READY (after creation or after a re-join). */
    void (*ready)(FocusRoom *room, gpointer data);
    /* The room reached GONE. The room is still valid during the call; the callee must not
     * free it synchronously. */
    void (*gone)(FocusRoom *room, gpointer data);
} FocusRoomHooks;

typedef struct {
    const char *component_jid;  /* "focus.DOMAIN": focusjid in replies (copied) */
    guint grace_ms;             /* empty-room grace (focus.room_grace_seconds) */
    guint start_timeout_ms;     /* minimum wait for the first participant after a request */
    guint create_timeout_ms;    /* join + configure must finish within this */
    guint iq_timeout_ms;        /* owner form, grants, destroy */
    guint max_waiting_requests; /* more than this while creating -> wait/resource-constraint */
} FocusRoomSettings;

/* Defaults: start 15 s, create 15 s, IQ 10 s, 64 waiting requests; grace from the config. */
void focus_room_settings_init(FocusRoomSettings *s, const char *component_jid, guint grace_seconds);

/* A new room in state JOINING for canonical bare JID @jid. Nothing is sent until
 * focus_room_start(). @hooks (copied) and @hooks_data may be NULL. */
FocusRoom *focus_room_new(FocusLink *link, const char *jid, const FocusRoomSettings *settings,
                          const FocusRoomHooks *hooks, gpointer hooks_data);
/* Frees participants (session_free included, no hooks), waiting requests (unanswered) and
 * cancels the room's timers and IQ callbacks. */
void focus_room_free(FocusRoom *room);

/* Sends the join presence if the link is online (else waits for focus_room_on_online()). */
void focus_room_start(FocusRoom *room);

/* A validated conference request for this room (@iq transfer none; the room keeps a copy
 * while it waits). READY: answered now. JOINING/CONFIGURING/DESTROYING: kept (see
 * focus_room_take_requests() for the DESTROYING case). */
void focus_room_add_request(FocusRoom *room, xmpp_stanza_t *iq);

/* Presence from this room's occupants, already parsed (the registry routes by room JID). */
void focus_room_handle_presence(FocusRoom *room, const FocusMucPresence *p);

/* Connection news from the component. */
void focus_room_on_online(FocusRoom *room);
void focus_room_on_offline(FocusRoom *room);

/* Leaves the room (unavailable presence) without destroying it, and goes GONE. For
 * shutdown: the participants see the focus leave and end their conference. */
void focus_room_leave(FocusRoom *room);

/* Requests that arrived while DESTROYING (transfer full: a GPtrArray of xmpp_stanza_t*
 * with a release free func, possibly empty). The registry replays them on a new room. */
GPtrArray *focus_room_take_requests(FocusRoom *room);

const char *focus_room_jid(FocusRoom *room);
FocusRoomState focus_room_state(FocusRoom *room);
/* Participants other than the focus (stale ones included while re-joining). */
guint focus_room_participant_count(FocusRoom *room);
/* (transfer none) or NULL. */
FocusParticipant *focus_room_participant(FocusRoom *room, const char *nick);
/* Participants in join order (transfer container: g_ptr_array_unref). */
GPtrArray *focus_room_participants(FocusRoom *room);
/* TRUE if the room was created by this focus (status 201 at the last join). */
gboolean focus_room_created(FocusRoom *room);

/* Extra elements in the focus's own presence in the room (e.g. <bridgeNotAvailable
 * xmlns="http://jitsi.org/protocol/focus"/>): @element (transfer none, copied) replaces the
 * one with the same name and namespace; NULL element removes it. Sent at once when READY
 * (a presence update), and in every later join presence. */
void focus_room_set_presence_extension(FocusRoom *room, const char *name, const char *ns,
                                       xmpp_stanza_t *element);
/* TRUE if the focus's presence carries an element with this name and namespace. */
gboolean focus_room_has_presence_extension(FocusRoom *room, const char *name, const char *ns);

/* Per-conference state owned by later layers (bridge allocation, media policy): @free_func
 * (may be NULL) runs on the previous data when replaced and on the data when the room is
 * freed. */
void focus_room_set_data(FocusRoom *room, gpointer data, GDestroyNotify free_func);
gpointer focus_room_get_data(FocusRoom *room);

G_END_DECLS
