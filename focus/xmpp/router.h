/* SPDX-License-Identifier: MIT */
/* FocusRouter: where every stanza the focus receives goes. The layers register what they
 * handle; the router owns no policy of its own.
 *
 *  - IQ result/error: to the FocusLink's pending requests (unsolicited ones are dropped).
 *  - IQ get/set without a from: dropped (nobody to answer). A type other than get/set:
 *    modify/bad-request; no payload element: modify/bad-request; a payload namespace nobody
 *    registered: cancel/service-unavailable; a registered namespace with another element than
 *    the one registered: cancel/feature-not-implemented. Otherwise the namespace's handler,
 *    which sends exactly one reply.
 *  - presence and message: offered to the handlers of that kind in the order they were added,
 *    until one takes it (returns TRUE); nobody taking it is fine (debug log).
 *
 * Namespaces registered with @advertise are the features disco#info lists
 * (focus_router_features()): each layer advertises what it serves, in registration order.
 *
 * Thread: the focus event-loop thread. The router owns its tables; handler data stays owned
 * by whoever registered it and must outlive the router (or the routing). */
#pragma once

#include "focus/xmpp/link.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

typedef struct _FocusRouter FocusRouter;

/* An IQ get/set whose payload (@payload, its first child element; both transfer none) is in
 * the handler's namespace. Must send exactly one reply. */
typedef void (*FocusIqHandler)(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data);
/* A presence or message (transfer none): TRUE if it was for this handler (routing stops). */
typedef gboolean (*FocusStanzaHandler)(xmpp_stanza_t *stanza, gpointer data);

/* Replies and errors go out on @link (transfer none, must outlive the router). */
FocusRouter *focus_router_new(FocusLink *link);
void focus_router_free(FocusRouter *router);

FocusLink *focus_router_link(FocusRouter *router);

/* IQ payloads in @ns (copied) go to @handler; @element (copied, NULL: any) is the one element
 * of that namespace the handler takes. @advertise: list @ns in disco#info. A second handler
 * for @ns replaces the first (its feature keeps its place). */
void focus_router_add_iq(FocusRouter *router, const char *ns, const char *element,
                         gboolean advertise, FocusIqHandler handler, gpointer data);
void focus_router_add_presence(FocusRouter *router, FocusStanzaHandler handler, gpointer data);
void focus_router_add_message(FocusRouter *router, FocusStanzaHandler handler, gpointer data);

/* The advertised namespaces in registration order, NULL-terminated (transfer none: valid
 * until the next focus_router_add_iq()). */
const char *const *focus_router_features(FocusRouter *router);

/* Routes one received stanza (transfer none). */
void focus_router_receive(FocusRouter *router, xmpp_stanza_t *stanza);

G_END_DECLS
