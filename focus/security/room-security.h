/* SPDX-License-Identifier: MIT */
/* FocusRoomSecurity: the lobby and password of every room, wired to the wire. It keeps one
 * FocusLobby per room (by canonical room JID), answers the urn:parley:lobby:0 IQs, turns the
 * lobby's actions into stanzas on the FocusLink (member grants and configuration forms as IQs
 * to the room whose outcome it reports back, notifications, replies), runs the knock-expiry
 * timer, and follows the rooms' occupants. Protocol and model: docs/security.md.
 *
 * Wiring (the focus app):
 *   - focus_component_add_iq_handler(comp, FOCUS_NS_LOBBY, ...) -> focus_room_security_handle_iq
 *   - every presence, after the registry has seen it -> focus_room_security_presence
 *   - every message -> focus_room_security_message (status 104: re-read the configuration)
 *   - room hooks: ready -> focus_room_security_room_ready, gone -> focus_room_security_room_gone
 * Rooms are looked up in the registry each time (never kept), so a room freed by the registry
 * is simply not found.
 *
 * Thread: the focus event-loop thread. The object owns the lobbies, the requests they hold and
 * its timers and IQ callbacks on the link (owner = the per-room state). */
#pragma once

#include "focus/security/lobby.h"
#include "focus/xmpp/link.h"
#include "focus/rooms/registry.h"
#include "focus/rooms/room.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusRoomSecurity FocusRoomSecurity;

/* @muc_domain: the MUC service rooms live on; @occupant_jid: the focus's full JID in rooms
 * ("focus.DOMAIN/focus", the from of grants and forms); strings copied. @settings NULL:
 * defaults. @iq_timeout_ms: how long a grant or form may take (0: 10 s). */
FocusRoomSecurity *focus_room_security_new(FocusLink *link, FocusRegistry *registry,
                                           const char *muc_domain, const char *occupant_jid,
                                           const FocusLobbySettings *settings, guint iq_timeout_ms);
/* Drops every lobby: waiting requests are released unanswered, timers and IQ callbacks
 * cancelled. Free it before the registry and the link. */
void focus_room_security_free(FocusRoomSecurity *sec);

/* An IQ get/set whose payload is in FOCUS_NS_LOBBY (transfer none). Sends exactly one reply,
 * now or when the room operation it waits for is done. */
void focus_room_security_handle_iq(FocusRoomSecurity *sec, xmpp_stanza_t *iq);

/* Any presence the focus receives (transfer none): occupant presence of a room with a lobby
 * updates who is a moderator, who needs a grant, who gets the pending knocks; unavailable
 * presence from anyone else closes that full JID's knocks (the knocker went offline). Call it
 * after the registry handled the presence, so the room's occupants are current. */
void focus_room_security_presence(FocusRoomSecurity *sec, xmpp_stanza_t *presence);

/* A groupchat message from a room (transfer none): with muc#user status 104 (configuration
 * changed) the focus reads the room's configuration again and adopts what others changed. */
void focus_room_security_message(FocusRoomSecurity *sec, xmpp_stanza_t *message);

/* Room hooks. ready: the lobby follows the occupants; a room the server had lost and the
 * focus re-created gets its lobby and password back; a room the focus found existing (it did
 * not create it, e.g. after a restart) has its configuration read and adopted. gone: knockers
 * are told the conference ended, waiting requests get an error, the lobby is dropped. */
void focus_room_security_room_ready(FocusRoomSecurity *sec, FocusRoom *room);
void focus_room_security_room_gone(FocusRoomSecurity *sec, FocusRoom *room);

/* The lobby of @room_jid if one exists (transfer none), for logs and tests. */
FocusLobby *focus_room_security_lobby(FocusRoomSecurity *sec, const char *room_jid);

G_END_DECLS
