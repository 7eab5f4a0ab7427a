/* SPDX-License-Identifier: MIT */
/* FocusRoomSecurity: the lobby and password of every room, wired to the wire. It attaches a
 * Guard to every room of the registry (a room listener): the room's FocusLobby, created when
 * the room is first ready, answers the urn:parley:lobby:0 IQs, turns the lobby's actions into
 * stanzas on the FocusLink (member grants and configuration forms as IQs to the room whose
 * outcome it reports back, notifications, replies), runs the knock-expiry timer, and follows
 * the room's occupants and configuration through the room's events. Protocol and model:
 * docs/security.md.
 *
 * Routes (focus_room_security_add_routes()): the FOCUS_NS_LOBBY IQs, and presence no room
 * took (a knocker's unavailable closes its knocks).
 *
 * Thread: the focus event-loop thread. The rooms own the Guards (and so the lobbies, the
 * requests they hold, their timers and IQ callbacks on the link). */
#pragma once

#include "focus/rooms/registry.h"
#include "focus/rooms/room.h"
#include "focus/security/lobby.h"
#include "focus/xmpp/link.h"
#include "focus/xmpp/router.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusRoomSecurity FocusRoomSecurity;

/* Follows every room of @registry from its first one (create it before any room).
 * @muc_domain: the MUC service rooms live on; @occupant_jid: the focus's full JID in rooms
 * ("focus.DOMAIN/focus", the from of grants and forms); strings copied. @settings NULL:
 * defaults. @iq_timeout_ms: how long a grant or form may take (0: 10 s). */
FocusRoomSecurity *focus_room_security_new(FocusLink *link, FocusRegistry *registry,
                                           const char *muc_domain, const char *occupant_jid,
                                           const FocusLobbySettings *settings, guint iq_timeout_ms);
/* Free the registry first: the rooms own the lobbies (waiting requests are released
 * unanswered, timers and IQ callbacks cancelled, when they go). */
void focus_room_security_free(FocusRoomSecurity *sec);

/* Registers on @router: FOCUS_NS_LOBBY IQs (advertised), and knockers' presence (add it after
 * the registry's routes: presence no room took). */
void focus_room_security_add_routes(FocusRoomSecurity *sec, FocusRouter *router);

/* An IQ get/set whose payload is in FOCUS_NS_LOBBY (transfer none). Sends exactly one reply,
 * now or when the room operation it waits for is done. */
void focus_room_security_handle_iq(FocusRoomSecurity *sec, xmpp_stanza_t *iq);

/* The lobby of @room_jid if one exists (transfer none), for logs and tests. */
FocusLobby *focus_room_security_lobby(FocusRoomSecurity *sec, const char *room_jid);

/* For the focus's metrics: knock requests taken so far, and knocks waiting now (every room). */
guint64 focus_room_security_knocks_total(FocusRoomSecurity *sec);
guint focus_room_security_knocks_waiting(FocusRoomSecurity *sec);

G_END_DECLS
