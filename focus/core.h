/* SPDX-License-Identifier: MIT */
/* FocusCore: the focus without its connection. It builds every layer on a FocusLink (the
 * rooms, the brewery, the conferences, the room security, the moderation), attaches them to each
 * other, and routes every stanza the focus receives through one FocusRouter, each layer having
 * registered what it handles:
 *   IQ     disco#info, disco#items, ping (xmpp/disco); room requests (rooms); Jingle
 *          (conference); urn:parley:lobby:0 (security); remote mute and
 *          urn:parley:end-conference:0 (security/moderation)
 *   presence  the brewery's to the bridges, then occupants' to their rooms (whose listeners
 *          hear it as room events), then what no room took to the security (knockers leaving)
 *   message  a room's to that room (configuration changes reach its listeners)
 * The app (app.h) feeds it from the component; tests feed it stanzas directly, with a link
 * that records what the focus sends and a clock they step.
 *
 * Thread: the focus event-loop thread. The core owns the router and every layer. */
#pragma once

#include "focus/bridges/bridges.h"
#include "focus/conference/conference.h"
#include "focus/focus-config.h"
#include "focus/rooms/registry.h"
#include "focus/security/moderation.h"
#include "focus/security/room-security.h"
#include "focus/xmpp/link.h"
#include "focus/xmpp/router.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusCore FocusCore;

/* @link (transfer none) must outlive the core; @cfg is read now (strings copied). */
FocusCore *focus_core_new(FocusLink *link, const FocusConfig *cfg);
/* Frees the layers without sending anything (focus_core_stop() first for a clean exit). */
void focus_core_free(FocusCore *core);

/* Joins the brewery (now if online, else when online). */
void focus_core_start(FocusCore *core);
/* Shutdown: leaves every room and the brewery. From then on nothing received reaches the
 * layers: get/set IQs are answered cancel/service-unavailable, everything else is dropped. */
void focus_core_stop(FocusCore *core);

/* Connection news: the link is online (again) / went offline. */
void focus_core_on_online(FocusCore *core);
void focus_core_on_offline(FocusCore *core);

/* One stanza the focus received (transfer none). */
void focus_core_receive(FocusCore *core, xmpp_stanza_t *stanza);

/* The layers (transfer none). */
FocusRouter *focus_core_router(FocusCore *core);
FocusRegistry *focus_core_registry(FocusCore *core);
FocusBridges *focus_core_bridges(FocusCore *core);
FocusConferences *focus_core_conferences(FocusCore *core);
FocusRoomSecurity *focus_core_security(FocusCore *core);
FocusModeration *focus_core_moderation(FocusCore *core);

G_END_DECLS
