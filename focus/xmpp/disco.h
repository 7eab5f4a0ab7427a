/* SPDX-License-Identifier: MIT */
/* Service discovery (XEP-0030 disco#info) and ping (XEP-0199) answers for the component.
 * Pure: builds replies, no I/O. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define FOCUS_NS_DISCO_ITEMS "http://jabber.org/protocol/disco#items"
#define FOCUS_NS_PING "urn:xmpp:ping"

/* Reply to a disco#info IQ: a result with identity category=conference type=focus (plus
 * component/generic) and the focus's features; an error for a node it does not have
 * (item-not-found) or a type other than get (feature-not-implemented) (transfer full). */
xmpp_stanza_t *focus_disco_info_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq);

/* Reply to a disco#items IQ: an empty result (the focus publishes no items) (transfer full). */
xmpp_stanza_t *focus_disco_items_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq);

/* Reply to a ping IQ: an empty result for a get, feature-not-implemented otherwise (transfer full).
 */
xmpp_stanza_t *focus_ping_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq);

/* The features advertised, NULL-terminated (static storage). */
const char *const *focus_disco_features(void);

G_END_DECLS
