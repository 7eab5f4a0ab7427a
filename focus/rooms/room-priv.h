/* SPDX-License-Identifier: MIT */
/* Internal to focus/rooms/room*.c (and the rooms tests): a room's state and the functions the
 * room's files share. room.c: lifecycle (join, configure, ready, destroy), requests, the
 * focus's own presence; room-occupants.c: participants and auto-owner; room-events.c:
 * listeners and what they hear. Thread: the focus event-loop thread. */
#pragma once

#include "focus/rooms/room.h"

#include "common/xmpp/stanza.h"
#include "focus/rooms/roles.h"

G_BEGIN_DECLS

struct _FocusRoom {
    FocusLink *link;
    char *jid;
    char *occupant_jid; /* <component>/focus: the from of everything the room sends */
    char *component_jid;
    FocusRoomSettings s;

    FocusRoomState state;
    FocusOwnerFormKind form_kind; /* of the owner form in flight */
    gboolean created;             /* status 201 at the last join */
    gboolean ever_ready;          /* a later join is a re-join */
    gboolean awaiting_first_join; /* a request came and no participant joined since */
    gboolean destroy_in_flight;
    guint secret_reads;   /* owner queries for the room's password in this join attempt */
    gboolean destroyed;   /* the MUC service destroyed it (focus_room_destroyed()) */
    char *destroy_reason; /* focus_room_end()'s, or NULL: the default */
    gboolean grant_in_flight;
    gboolean owner_abdicated; /* the last owner right was given up: no auto-owner until a leave */
    char *grant_nick;         /* owner grant in flight for this participant */
    char *grant_jid;

    GHashTable *by_nick; /* nick -> FocusParticipant* (owned) */
    guint64 next_seq;
    GPtrArray *requests; /* room request IQs (xmpp_stanza_t*) waiting for READY */
    guint create_timer;
    guint empty_timer;
    GPtrArray *presence_ext; /* xmpp_stanza_t* in the focus's presence (owned) */

    GPtrArray *listeners; /* FocusRoomListener* (owned), in the order added */
    guint dispatching;    /* depth of events being dispatched */
    gboolean removed;     /* a listener was removed during a dispatch: sweep afterwards */
};

/* room.c */
void focus_room_send(FocusRoom *room, xmpp_stanza_t *stanza); /* transfer full */
void focus_room_send_iq(FocusRoom *room, xmpp_stanza_t *iq, FocusIqCallback cb);
/* READY and empty: (re)arms the empty timer (@restart: even if armed); else cancels it. */
void focus_room_arm_empty(FocusRoom *room, gboolean restart);

/* room-occupants.c */
void focus_room_participant_free(gpointer participant);
void focus_room_remove_participant(FocusRoom *room, FocusParticipant *p, const char *reason);
/* Every participant (only the stale ones with @only_stale). */
void focus_room_remove_all(FocusRoom *room, gboolean only_stale, const char *reason);
void focus_room_elect_owner(FocusRoom *room);
void focus_room_occupant_available(FocusRoom *room, const FocusMucPresence *mp);
void focus_room_occupant_unavailable(FocusRoom *room, const FocusMucPresence *mp);
/* Why an occupant's unavailable presence says it is gone ("kicked", "left", ...). */
const char *focus_room_leave_reason(const FocusMucPresence *mp);

/* room-events.c: tell every listener (in order; removed ones skipped). */
void focus_room_emit_ready(FocusRoom *room);
void focus_room_emit_gone(FocusRoom *room);
void focus_room_emit_joined(FocusRoom *room, FocusParticipant *p);
void focus_room_emit_left(FocusRoom *room, FocusParticipant *p);
void focus_room_emit_occupant_presence(FocusRoom *room, const FocusMucPresence *mp);
void focus_room_emit_config_changed(FocusRoom *room);
void focus_room_emit_destroying(FocusRoom *room);
/* Frees every listener and its state (focus_room_free()). */
void focus_room_listeners_free(FocusRoom *room);

G_END_DECLS
