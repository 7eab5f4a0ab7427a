/* SPDX-License-Identifier: MIT */
/* FocusRegistry: the conference rooms the focus runs, by canonical room JID. It creates a
 * room for the first conference request naming it, routes MUC presence to the right room,
 * passes connection news to every room, and frees rooms once they are GONE (from a timer, so
 * a room is never freed inside one of its own callbacks). Requests that reached a room while
 * it was being destroyed are replayed on a new room with the same JID.
 *
 * Thread: the focus event-loop thread. The registry owns its rooms. */
#pragma once

#include "focus/rooms/room-request.h"
#include "focus/xmpp/link.h"
#include "focus/rooms/room.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusRegistry FocusRegistry;

/* @settings is copied (its component_jid too). @hooks (may be NULL) are given to every room;
 * the registry chains its own handling of hooks->gone after the caller's. */
FocusRegistry *focus_registry_new(FocusLink *link, const FocusRoomSettings *settings,
                                  const FocusRoomHooks *hooks, gpointer hooks_data);
void focus_registry_free(FocusRegistry *reg);

/* A validated conference request (@iq transfer none, @req->room canonical): creates and
 * starts the room if needed, then hands it the request. */
void focus_registry_handle_conference(FocusRegistry *reg, xmpp_stanza_t *iq,
                                      const FocusRoomRequest *req);

/* Routes MUC presence to its room. Returns TRUE if a room took it; FALSE for presence that
 * is not occupant presence of a known room (ignored). */
gboolean focus_registry_handle_presence(FocusRegistry *reg, xmpp_stanza_t *presence);

void focus_registry_on_online(FocusRegistry *reg);
void focus_registry_on_offline(FocusRegistry *reg);

/* Shutdown: every room leaves (see focus_room_leave()). */
void focus_registry_leave_all(FocusRegistry *reg);

/* Room by JID in any case form (transfer none), or NULL. GONE rooms are not found. */
FocusRoom *focus_registry_lookup(FocusRegistry *reg, const char *room_jid);
guint focus_registry_count(FocusRegistry *reg);

G_END_DECLS
