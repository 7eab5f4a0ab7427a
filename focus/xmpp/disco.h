/* SPDX-License-Identifier: MIT */
/* Service discovery (XEP-0030 disco#info, disco#items) and ping (XEP-0199) for the component.
 * The features disco#info lists are the namespaces the layers advertised on the router
 * (focus_router_add_iq() with advertise), so each layer registers its own; this module adds
 * disco#info, disco#items and ping themselves. The reply builders are pure. */
#pragma once

#include "focus/xmpp/router.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define FOCUS_NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define FOCUS_NS_PING "urn:xmpp:ping"

/* Registers the disco#info, disco#items and ping handlers on @router (advertised). */
void focus_disco_add_routes(FocusRouter *router);

/* Reply to a disco#info IQ: a result with identity category=conference type=focus (plus
 * component/generic) and @features (NULL-terminated); an error for a node it does not have
 * (item-not-found) or a type other than get (feature-not-implemented) (transfer full). */
xmpp_stanza_t *focus_disco_info_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                      const char *const *features);

/* Reply to a disco#items IQ: an empty result (the focus publishes no items) (transfer full). */
xmpp_stanza_t *focus_disco_items_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq);

/* Reply to a ping IQ: an empty result for a get, feature-not-implemented otherwise (transfer
 * full). */
xmpp_stanza_t *focus_ping_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq);

G_END_DECLS
