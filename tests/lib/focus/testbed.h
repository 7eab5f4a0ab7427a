/* SPDX-License-Identifier: MIT */
/* The focus tests' test bed: a libstrophe context and a FocusLink whose transport records what
 * the focus sends and whose clock the test steps (no sockets, no sleeps), optionally with the
 * whole focus on it (a FocusCore built from a config), fed the stanzas an XMPP server, a MUC
 * service, bridges and clients would send, through the same FocusRouter the app uses.
 * What the focus sent is found with structural patterns (stanza-pattern.h).
 *
 * Single-threaded, like the focus. */
#pragma once

#include "common/jingle/jingle.h"
#include "common/xmpp/stanza.h"
#include "focus/core.h"
#include "focus/xmpp/link.h"
#include "focus/xmpp/router.h"
#include "stanza-pattern.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

/* The deployment every test bed uses (xmpp.domain=example.org). */
#define TB_DOMAIN "example.org"
#define TB_COMPONENT "focus.example.org"
#define TB_OCCUPANT "focus.example.org/focus"
#define TB_MUC "conference.example.org"
#define TB_BREWERY "jvbbrewery@internal.auth.example.org"
/* A DTLS fingerprint (sha-256) for transports the tests make up. */
#define TB_FINGERPRINT                                                                             \
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"   \
    "67:89"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_MUC_OWNER "http://jabber.org/protocol/muc#owner"
#define NS_MUC_ADMIN "http://jabber.org/protocol/muc#admin"
#define NS_DISCO_INFO "http://jabber.org/protocol/disco#info"
#define NS_FOCUS "http://jitsi.org/protocol/focus"
#define NS_COLIBRI2 "jitsi:colibri2"
#define NS_JINGLE "urn:xmpp:jingle:1"
#define NS_LOBBY "urn:parley:lobby:0"
#define NS_STANZAS "urn:ietf:params:xml:ns:xmpp-stanzas"

typedef struct {
    xmpp_ctx_t *ctx;
    FocusLink *link;
    FocusRouter *router; /* what testbed_receive() feeds: the core's, or one of the test's own */
    gint64 now_us;
    GPtrArray *sent; /* xmpp_stanza_t* clones, oldest first */
    FocusConfig cfg; /* testbed_init_core() */
    FocusCore *core; /* testbed_init_core(), else NULL */
} TestBed;

/* A link (online, recording, clock at 1000 s) and an empty router the test registers on. */
void testbed_init(TestBed *tb);
/* The whole focus on the link: a FocusCore from the config xmpp.domain=example.org plus
 * @overrides ("group.key=value", NULL-terminated; none is fine), its router fed. */
void testbed_init_core(TestBed *tb, ...) G_GNUC_NULL_TERMINATED;
void testbed_clear(TestBed *tb);

/* Advances the clock and runs what became due. */
void testbed_advance(TestBed *tb, guint ms);
/* The number of stanzas sent so far: look for what comes after it. */
guint testbed_mark(TestBed *tb);

/* A stanza from XML text (transfer full; the test fails on bad XML). */
xmpp_stanza_t *stanza_from(TestBed *tb, const char *xml);
/* The focus receives @stanza (transfer none), then runs what became due, as the app's loop
 * does after every read. */
void testbed_receive_stanza(TestBed *tb, xmpp_stanza_t *stanza);
void testbed_receive(TestBed *tb, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* The @i-th sent stanza (negative: from the end) (transfer none). */
xmpp_stanza_t *sent_at(TestBed *tb, int i);
/* Index of the first stanza sent at or after @from that matches @p, or -1. */
int sent_find(TestBed *tb, guint from, const StanzaPattern *p);
/* Index of the last sent stanza that matches @p, or -1. */
int sent_find_last(TestBed *tb, const StanzaPattern *p);
guint sent_count(TestBed *tb, guint from, const StanzaPattern *p);

/* Answers the sent IQ at @idx as its addressee would: a result with @inner (XML, may be NULL)
 * inside, or an error of @type with @condition (and @extra XML after it, may be NULL). */
void testbed_answer(TestBed *tb, int idx, const char *inner);
void testbed_answer_error(TestBed *tb, int idx, const char *type, const char *condition,
                          const char *extra);

/* ---- the MUC service's and the clients' side ---- */

/* A room request for @room (IQ @id from @from). */
void testbed_request_room(TestBed *tb, const char *id, const char *from, const char *room);
/* The focus's own presence in @room: owner, status 110, and 201 when @created. */
void testbed_room_self(TestBed *tb, const char *room, gboolean created);
/* @nick is in @room with real JID @jid (may be NULL: hidden), @affiliation and @role. */
void testbed_occupant(TestBed *tb, const char *room, const char *nick, const char *jid,
                      const char *affiliation, const char *role);
/* @nick leaves @room (unavailable, affiliation none) with @x_extra inside muc#user. */
void testbed_occupant_left(TestBed *tb, const char *room, const char *nick, const char *x_extra);
/* A room request, the focus's join (room created) and its owner form accepted: READY. */
void testbed_room_ready(TestBed *tb, const char *room);

/* The brewery acknowledges the focus's join (its presence must have been sent). */
void testbed_brewery_joined(TestBed *tb);
/* Bridge @nick (real JID jvb@auth.example.org/@nick-res) with stress @stress, healthy. */
void testbed_bridge_join(TestBed *tb, const char *nick, const char *stress);
void testbed_bridge_leave(TestBed *tb, const char *nick);

/* ---- Jingle ---- */

/* The Jingle inside @iq, either source form (TRUE; pa_jingle_clear() it), or FALSE. */
gboolean jingle_of(xmpp_stanza_t *iq, PaJingle *out);
/* The source with @ssrc in @j, or NULL. */
const PaJingleSource *jingle_source(const PaJingle *j, guint32 ssrc);
/* The group of @semantics whose SSRCs are exactly @ssrcs (@n of them), or NULL. */
const PaJingleSsrcGroup *jingle_group(const PaJingle *j, PaJingleGroupSemantics semantics,
                                      const guint32 *ssrcs, guint n);

G_END_DECLS
