/* SPDX-License-Identifier: MIT */
/* The listeners of a room (see room.h) and what they hear. Thread: the focus event-loop
 * thread. The room owns its listener records and, through them, the layers' per-room state.
 *
 * A listener removed while an event is being dispatched is only marked: the dispatch skips
 * it, and the record (with its state) is freed once the outermost dispatch has returned, so a
 * callback may remove any listener, itself included, and keep using its own state until it
 * returns. */
#include "focus/rooms/room-priv.h"

#include <string.h>

struct _FocusRoomListener {
    const FocusRoomEvents *ev;
    gpointer state;
    GDestroyNotify state_free;
    gboolean removed;
};

static void listener_free(FocusRoomListener *l)
{
    if (l->state && l->state_free)
        l->state_free(l->state);
    g_free(l);
}

FocusRoomListener *focus_room_add_listener(FocusRoom *room, const FocusRoomEvents *events,
                                           gpointer state, GDestroyNotify state_free)
{
    g_return_val_if_fail(events && events->version == FOCUS_ROOM_EVENTS_VERSION, NULL);
    FocusRoomListener *l = g_new0(FocusRoomListener, 1);
    l->ev = events;
    l->state = state;
    l->state_free = state_free;
    g_ptr_array_add(room->listeners, l);
    return l;
}

void focus_room_remove_listener(FocusRoom *room, FocusRoomListener *listener)
{
    if (!listener || listener->removed || !g_ptr_array_find(room->listeners, listener, NULL))
        return;
    listener->removed = TRUE;
    if (room->dispatching) {
        room->removed = TRUE; /* swept when the dispatch returns */
        return;
    }
    g_ptr_array_remove(room->listeners, listener);
    listener_free(listener);
}

gpointer focus_room_listener_state(FocusRoom *room, const FocusRoomEvents *events)
{
    for (guint i = 0; i < room->listeners->len; i++) {
        FocusRoomListener *l = room->listeners->pdata[i];
        if (l->ev == events && !l->removed)
            return l->state;
    }
    return NULL;
}

void focus_room_listeners_free(FocusRoom *room)
{
    /* No dispatch can be running: freeing a room from inside its own event is not allowed. */
    for (guint i = 0; i < room->listeners->len; i++)
        listener_free(room->listeners->pdata[i]);
    g_ptr_array_set_size(room->listeners, 0);
}

/* ---- dispatch ---- */

static void sweep(FocusRoom *room)
{
    if (room->dispatching || !room->removed)
        return;
    room->removed = FALSE;
    for (guint i = 0; i < room->listeners->len;) {
        FocusRoomListener *l = room->listeners->pdata[i];
        if (l->removed) {
            g_ptr_array_remove_index(room->listeners, i); /* order kept */
            listener_free(l);
        } else {
            i++;
        }
    }
}

/* Walks the listeners present when the event started (later ones hear the next event). */
#define EMIT(room, member, ...)                                                                    \
    do {                                                                                           \
        guint n_ = (room)->listeners->len;                                                         \
        (room)->dispatching++;                                                                     \
        for (guint i_ = 0; i_ < n_; i_++) {                                                        \
            FocusRoomListener *l_ = (room)->listeners->pdata[i_];                                  \
            if (!l_->removed && l_->ev->member)                                                    \
                l_->ev->member(__VA_ARGS__, l_->state);                                            \
        }                                                                                          \
        (room)->dispatching--;                                                                     \
        sweep(room);                                                                               \
    } while (0)

void focus_room_emit_ready(FocusRoom *room)
{
    EMIT(room, ready, room);
}

void focus_room_emit_gone(FocusRoom *room)
{
    EMIT(room, gone, room);
}

void focus_room_emit_joined(FocusRoom *room, FocusParticipant *p)
{
    EMIT(room, participant_joined, room, p);
}

void focus_room_emit_left(FocusRoom *room, FocusParticipant *p)
{
    EMIT(room, participant_left, room, p);
}

void focus_room_emit_occupant_presence(FocusRoom *room, const FocusMucPresence *mp)
{
    EMIT(room, occupant_presence, room, mp);
}

void focus_room_emit_config_changed(FocusRoom *room)
{
    EMIT(room, config_changed, room);
}

void focus_room_emit_destroying(FocusRoom *room)
{
    EMIT(room, destroying, room);
}

/* ---- messages ---- */

void focus_room_handle_message(FocusRoom *room, xmpp_stanza_t *message)
{
    if (room->state == FOCUS_ROOM_GONE)
        return;
    /* Subjects, chat and bounced messages: nothing the focus acts on. */
    xmpp_stanza_t *x = pa_stanza_child(message, "x", FOCUS_NS_MUC_USER);
    for (xmpp_stanza_t *s = x ? xmpp_stanza_get_children(x) : NULL; s;
         s = xmpp_stanza_get_next(s)) {
        if (xmpp_stanza_is_tag(s) && strcmp(xmpp_stanza_get_name(s), "status") == 0 &&
            g_strcmp0(xmpp_stanza_get_attribute(s, "code"), "104") == 0) {
            focus_room_emit_config_changed(room);
            return;
        }
    }
}
