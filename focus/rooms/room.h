/* SPDX-License-Identifier: MIT */
/* FocusRoom: one conference's MUC room as the focus sees it. It joins the room as occupant
 * "focus" (from the component's full JID <component>/focus), configures it as owner,
 * answers the room requests waiting for it, tracks the occupants from presence, keeps
 * an owner among the participants, and destroys the room once it has stayed empty.
 *
 * States:
 *   JOINING      join presence sent (or waiting for the connection), waiting for the
 *                focus's own presence (status 110; 201 when the room is new); refused with
 *                not-authorized (a password), the room's configuration is read as owner and
 *                the join sent again with its password
 *   CONFIGURING  owner form sent, waiting for its result
 *   READY        room requests are answered at once; occupants tracked; auto-owner
 *   DESTROYING   destroy sent (stayed empty, or focus_room_end()); requests arriving now are kept
 *                for the room's successor
 *   GONE         over; the registry frees the room (the listeners heard gone once)
 * A lost connection sends every live room back to JOINING (re-join and re-configure on
 * reconnect; a room the server lost is created anew and its stale occupants dropped).
 *
 * Timers (all on the FocusLink, owned by the room):
 *   create   create_timeout_ms from each join attempt until READY; on expiry the waiting
 *            requests get wait/service-unavailable and the room ends
 *   empty    READY with no participants: grace_ms after the last one left, or
 *            max(grace_ms, start_timeout_ms) when no one has joined since the last request;
 *            a join cancels it, expiry destroys the room
 *   IQs      owner form, password read, owner grants and destroy time out after iq_timeout_ms
 *
 * Layers attach to a room with a listener (focus_room_add_listener()): a FocusRoomEvents of
 * callbacks and the layer's own per-room state, which the room frees with the listener. That
 * is the one way anything above the room follows it; per-participant state stays with the
 * layer (keyed by the FocusParticipant, which lives until participant_left has been heard).
 *
 * Thread: the focus event-loop thread. The room owns its participants, the request stanzas it
 * keeps and its listeners (with their state); listeners are called synchronously and may not
 * free the room (gone hands it to the registry, which frees it later from a timer). */
#pragma once

#include "focus/rooms/room-request.h"
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

/* One occupant other than the focus. Fields are owned by the room and read-only outside it. */
typedef struct {
    char *nick;         /* MUC nickname = endpoint id */
    char *real_jid;     /* full real JID (whois anyone), or NULL */
    char *display_name; /* <nick xmlns=http://jabber.org/protocol/nick>, or NULL */
    char *stats_id;     /* <stats-id>, or NULL */
    char *caps_node;    /* XEP-0115 caps (sha-1) of the latest presence that had them, or NULL */
    char *caps_ver;
    FocusMucRole role;
    FocusMucAffiliation affiliation;
    guint64 join_seq; /* order of arrival in this room (lower = earlier) */
    gint64 joined_us; /* link clock when first seen */
    gboolean stale;   /* not re-announced since the focus re-joined */
    gboolean owner_grant_failed;
} FocusParticipant;

#define FOCUS_ROOM_EVENTS_VERSION 2

/* What a layer hears about a room; @state is what it attached with the listener. Every
 * callback may be NULL. New events are added at the end (and the version raised). */
typedef struct {
    guint version; /* FOCUS_ROOM_EVENTS_VERSION */
    /* The room became READY (after creation or after a re-join). */
    void (*ready)(FocusRoom *room, gpointer state);
    /* The room reached GONE. The room is still valid during the call; nothing may free it. */
    void (*gone)(FocusRoom *room, gpointer state);
    /* A participant appeared (READY) or was first seen while (re-)joining. */
    void (*participant_joined)(FocusRoom *room, FocusParticipant *p, gpointer state);
    /* A participant is about to be freed (left, kicked, or dropped as stale); @p is still in
     * the room during the call. */
    void (*participant_left)(FocusRoom *room, FocusParticipant *p, gpointer state);
    /* The room has applied @presence from one of its occupants (the focus's own included):
     * participants are up to date, one who left is gone. For layers that keep a view of the
     * roster. */
    void (*occupant_presence)(FocusRoom *room, const FocusMucPresence *presence, gpointer state);
    /* Someone changed the room's configuration (groupchat status 104). */
    void (*config_changed)(FocusRoom *room, gpointer state);
    /* Version 2. The room is being destroyed (it stayed empty, its setup failed, or the
     * conference was ended for everyone: focus_room_end()), participants or not: the
     * conference is over, whatever a layer holds for it can go now. participant_left and
     * gone still follow. */
    void (*destroying)(FocusRoom *room, gpointer state);
} FocusRoomEvents;

typedef struct _FocusRoomListener FocusRoomListener;

typedef struct {
    const char *component_jid;  /* "focus.DOMAIN": focusjid in replies (copied) */
    guint grace_ms;             /* empty-room grace (focus.room_grace_seconds) */
    guint start_timeout_ms;     /* minimum wait for the first participant after a request */
    guint create_timeout_ms;    /* join + configure must finish within this */
    guint iq_timeout_ms;        /* owner form, grants, destroy */
    guint max_waiting_requests; /* more than this while creating -> wait/resource-constraint */
    const char *muc_domain;     /* where rooms may be (room requests, focus_registry); copied */
    /* Secure domain (auth.login_domain), or NULL: only participants logged in on this domain
     * become owner, and answers say authentication=true. Not copied by the room: it must
     * outlive it (the registry's copy does). */
    const char *login_domain;
    /* Where the room counts the answers it sends to room requests, or NULL (not owned). */
    FocusRoomRequestStats *stats;
} FocusRoomSettings;

/* Defaults: start 15 s, create 15 s, IQ 10 s, 64 waiting requests, no MUC domain, no login
 * domain, no stats; grace from the config. */
void focus_room_settings_init(FocusRoomSettings *s, const char *component_jid, guint grace_seconds);

/* A new room in state JOINING for canonical bare JID @jid. Nothing is sent until
 * focus_room_start(). */
FocusRoom *focus_room_new(FocusLink *link, const char *jid, const FocusRoomSettings *settings);
/* Frees participants and waiting requests (unanswered) without telling the listeners, then
 * the listeners' state, and cancels the room's timers and IQ callbacks. */
void focus_room_free(FocusRoom *room);

/* Attaches a layer: @events (transfer none, must outlive the listener: a static const per
 * layer, which also names the layer for focus_room_listener_state()) are called in the order
 * listeners were added; @state_free (may be NULL) runs on @state when the listener is removed
 * or the room freed. A listener added while an event is being dispatched hears the next one.
 * Returns the listener (transfer none). */
FocusRoomListener *focus_room_add_listener(FocusRoom *room, const FocusRoomEvents *events,
                                           gpointer state, GDestroyNotify state_free);
/* Detaches @listener. Safe from inside any listener's callback (its own included): it is not
 * called again, and its state is freed once the dispatch in progress has returned. */
void focus_room_remove_listener(FocusRoom *room, FocusRoomListener *listener);
/* The state attached with @events, or NULL if that layer is not attached. */
gpointer focus_room_listener_state(FocusRoom *room, const FocusRoomEvents *events);
/* Typed access for the layer that owns @events: FOCUS_ROOM_STATE(room, &my_events, MyState). */
#define FOCUS_ROOM_STATE(room, events, Type) ((Type *)focus_room_listener_state((room), (events)))

/* Sends the join presence if the link is online (else waits for focus_room_on_online()). */
void focus_room_start(FocusRoom *room);

/* A validated room request for this room (@iq transfer none; the room keeps a copy
 * while it waits). READY: answered now. JOINING/CONFIGURING/DESTROYING: kept (see
 * focus_room_take_requests() for the DESTROYING case). */
void focus_room_add_request(FocusRoom *room, xmpp_stanza_t *iq);

/* Presence from this room's occupants, already parsed (the registry routes by room JID). */
void focus_room_handle_presence(FocusRoom *room, const FocusMucPresence *p);
/* A message from the room (transfer none): status 104 tells the listeners config_changed. */
void focus_room_handle_message(FocusRoom *room, xmpp_stanza_t *message);

/* Connection news from the component. */
void focus_room_on_online(FocusRoom *room);
void focus_room_on_offline(FocusRoom *room);

/* Leaves the room (unavailable presence) without destroying it, and goes GONE. For
 * shutdown: the participants see the focus leave and end their conference. */
void focus_room_leave(FocusRoom *room);

/* Ends the conference for everyone (a moderator's request): a READY room goes DESTROYING now,
 * whoever is in it. The listeners hear destroying, then the MUC service is asked to destroy
 * the room with @reason (copied; shown to every occupant in the destroy presence; NULL: the
 * default). A room already DESTROYING keeps its first reason. Either way the listeners hear
 * gone once it is over, and focus_room_destroyed() says whether the service destroyed it.
 * FALSE (nothing done) in any other state. */
gboolean focus_room_end(FocusRoom *room, const char *reason);
/* TRUE once the MUC service has destroyed the room (its result to the destroy, or a destroy
 * presence); FALSE if the room ended any other way (the focus left, a failed destroy). */
gboolean focus_room_destroyed(FocusRoom *room);

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

G_END_DECLS
