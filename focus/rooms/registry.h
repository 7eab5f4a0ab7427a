/* SPDX-License-Identifier: MIT */
/* FocusRegistry: the conference rooms the focus runs, by canonical room JID. It answers room
 * requests (creating a room for the first request naming it), routes MUC presence and room
 * messages to the right room, passes connection news to every room, and frees rooms once they
 * are GONE (from a timer, so a room is never freed inside one of its own callbacks). Requests
 * that reached a room while it was being destroyed are replayed on a new room with the same
 * JID.
 *
 * Secure domain (settings->login_domain): a request from a user logged in on the login domain
 * opens (creates) the room; a guest's request is answered only for a room that is open (not
 * being destroyed), else auth/not-authorized, and the guest asks again later.
 *
 * Layers follow the rooms through registry listeners: room_added is called for every new
 * room before it starts, and is where a layer attaches its room listener (room.h), so every
 * layer hears every room from its beginning. The registry's own room listener comes after
 * them.
 *
 * Thread: the focus event-loop thread. The registry owns its rooms. */
#pragma once

#include "focus/rooms/room-request.h"
#include "focus/rooms/room.h"
#include "focus/xmpp/link.h"
#include "focus/xmpp/router.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusRegistry FocusRegistry;

#define FOCUS_REGISTRY_EVENTS_VERSION 1

typedef struct {
    guint version; /* FOCUS_REGISTRY_EVENTS_VERSION */
    /* @room was just created (state JOINING, nothing sent yet). */
    void (*room_added)(FocusRegistry *reg, FocusRoom *room, gpointer data);
} FocusRegistryEvents;

/* @settings is copied (its strings too). */
FocusRegistry *focus_registry_new(FocusLink *link, const FocusRoomSettings *settings);
/* Frees every room (their listeners' state included) without telling anyone. Free the layers
 * that listen to rooms after the registry. */
void focus_registry_free(FocusRegistry *reg);

/* Any number of listeners, called in the order added; @events (transfer none) must outlive
 * the registry. Add them before the first room. */
void focus_registry_add_listener(FocusRegistry *reg, const FocusRegistryEvents *events,
                                 gpointer data);

/* Registers on @router: room requests (FOCUS_NS_FOCUS, advertised; needs
 * settings->muc_domain), MUC presence and messages from the rooms. */
void focus_registry_add_routes(FocusRegistry *reg, FocusRouter *router);

/* A room request IQ (transfer none): validated against the MUC domain; refused with an error
 * reply, or handed to focus_registry_add_request(). */
void focus_registry_handle_request(FocusRegistry *reg, xmpp_stanza_t *iq);
/* A validated room request (@iq transfer none, @req->room canonical): creates and starts the
 * room if needed, then hands it the request. */
void focus_registry_add_request(FocusRegistry *reg, xmpp_stanza_t *iq, const FocusRoomRequest *req);

/* Routes MUC presence to its room. Returns TRUE if a room took it; FALSE for presence that
 * is not occupant presence of a known room (ignored). */
gboolean focus_registry_handle_presence(FocusRegistry *reg, xmpp_stanza_t *presence);
/* Routes a message from a room (bare or occupant JID) to it. TRUE if a room took it. */
gboolean focus_registry_handle_message(FocusRegistry *reg, xmpp_stanza_t *message);

void focus_registry_on_online(FocusRegistry *reg);
void focus_registry_on_offline(FocusRegistry *reg);

/* Shutdown: every room leaves (see focus_room_leave()). */
void focus_registry_leave_all(FocusRegistry *reg);

/* Room by JID in any case form (transfer none), or NULL. GONE rooms are not found. */
FocusRoom *focus_registry_lookup(FocusRegistry *reg, const char *room_jid);
guint focus_registry_count(FocusRegistry *reg);
/* Calls @fn for every live room (not GONE), in no particular order; @fn must not create or
 * free rooms. */
void focus_registry_foreach(FocusRegistry *reg, void (*fn)(FocusRoom *room, gpointer data),
                            gpointer data);
/* How room requests were answered so far (transfer none). */
const FocusRoomRequestStats *focus_registry_request_stats(FocusRegistry *reg);

G_END_DECLS
