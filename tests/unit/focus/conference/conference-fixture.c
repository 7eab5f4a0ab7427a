/* SPDX-License-Identifier: MIT */
/* The conference tests' fixture (conference-fixture.h). */
#include "conference-fixture.h"

void bridge_join(Fx *fx, const char *nick, const char *stress)
{
    testbed_bridge_join(&fx->tb, nick, stress);
}

void bridge_leave(Fx *fx, const char *nick)
{
    testbed_bridge_leave(&fx->tb, nick);
}

void fx_init(Fx *fx, guint min_participants)
{
    memset(fx, 0, sizeof *fx);
    g_autofree char *min = g_strdup_printf("focus.min_participants=%u", min_participants);
    testbed_init_core(&fx->tb, min, NULL);
    fx->mgr = focus_core_conferences(fx->tb.core);
    fx->br = focus_core_bridges(fx->tb.core);
    fx->reg = focus_core_registry(fx->tb.core);
    focus_core_start(fx->tb.core);
    testbed_brewery_joined(&fx->tb);
    g_assert_true(focus_bridges_joined(fx->br));
}

void fx_clear(Fx *fx)
{
    testbed_clear(&fx->tb);
}

void answer(Fx *fx, int idx, const char *inner)
{
    testbed_answer(&fx->tb, idx, inner);
}

void answer_error(Fx *fx, int idx, const char *condition, const char *extra)
{
    testbed_answer_error(&fx->tb, idx, "cancel", condition, extra);
}

void room_ready(Fx *fx)
{
    testbed_room_ready(&fx->tb, ROOM);
    g_assert_cmpint(focus_room_state(focus_registry_lookup(fx->reg, ROOM)), ==, FOCUS_ROOM_READY);
}

void occupant(Fx *fx, const char *nick)
{
    g_autofree char *jid = g_strdup_printf("%s@example.org/r", nick);
    testbed_occupant(&fx->tb, ROOM, nick, jid, "none", "participant");
}

void disco(Fx *fx, guint from, const char *nick, const char *features)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    int idx = sent_find(&fx->tb, from,
                        STANZA(.name = "iq", .type = "get", .to = to, .from = OCC,
                               .has = {{"query", NS_DISCO_INFO}}));
    g_assert_cmpint(idx, >=, 0);
    if (features)
        answer(fx, idx, features);
    else
        answer_error(fx, idx, "service-unavailable", NULL);
}

void occupant_left(Fx *fx, const char *nick)
{
    testbed_occupant_left(&fx->tb, ROOM, nick, NULL);
}

int find_alloc(Fx *fx, guint from, const char *bridge, const char *nick)
{
    g_autofree char *to = g_strdup_printf(BREWERY "/%s", bridge);
    return sent_find(&fx->tb, from,
                     STANZA(.name = "iq", .type = "set", .to = to,
                            .has = {{"conference-modify", NS_COLIBRI2},
                                    {"endpoint", NULL, {"id", nick, "create", "true"}}}));
}

void answer_alloc(Fx *fx, int idx, const char *nick)
{
    g_autofree char *inner = g_strdup_printf(
        "<conference-modified xmlns='jitsi:colibri2'><endpoint id='%s'><transport><transport "
        "xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='uf%s' "
        "pwd='bridgepasswordbridgepassword'><rtcp-mux/><fingerprint "
        "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>" FP "</fingerprint>"
        "<candidate component='1' foundation='1' generation='0' id='c1' ip='127.0.0.1' "
        "network='0' port='10000' priority='2130706431' protocol='udp' type='host'/>"
        "<web-socket xmlns='http://jitsi.org/protocol/colibri' "
        "url='ws://127.0.0.1:8080/colibri-ws/b/c/%s?pwd=x'/></transport></transport></endpoint>"
        "<sources><media-source type='audio' id='jvb-a0'><source "
        "xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='111' name='jvb-a0'><parameter "
        "name='msid' value='mixedmslabel mixedlabelaudio0'/></source></media-source>"
        "<media-source type='video' id='jvb-v0'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
        "ssrc='222' name='jvb-v0'><parameter name='msid' value='mixedmslabel "
        "mixedlabelvideo0'/></source></media-source></sources></conference-modified>",
        nick, nick, nick);
    answer(fx, idx, inner);
}

int find_initiate(Fx *fx, guint from, const char *nick)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    return sent_find(&fx->tb, from,
                     STANZA(.name = "iq", .type = "set", .to = to, .from = OCC,
                            .has = {{"jingle", NS_JINGLE, {"action", "session-initiate"}}}));
}

char *sid_of(Fx *fx, int idx)
{
    xmpp_stanza_t *j = pa_stanza_child(sent_at(&fx->tb, idx), "jingle", "urn:xmpp:jingle:1");
    return g_strdup(xmpp_stanza_get_attribute(j, "sid"));
}

int client_jingle(Fx *fx, const char *nick, const char *action, const char *sid, const char *inner)
{
    g_autofree char *id = g_strdup_printf("cj%u", ++fx->next_id);
    guint before = testbed_mark(&fx->tb);
    testbed_receive(&fx->tb,
                    "<iq type='set' id='%s' from='" ROOM "/%s' to='" OCC "'><jingle "
                    "xmlns='urn:xmpp:jingle:1' action='%s' sid='%s'>%s</jingle></iq>",
                    id, nick, action, sid, inner ? inner : "");
    const StanzaPattern *reply = STANZA(.name = "iq", .id = id);
    int r = sent_find(&fx->tb, before, reply);
    g_assert_cmpint(r, >=, 0);
    g_assert_cmpuint(sent_count(&fx->tb, before, reply), ==, 1); /* exactly one reply */
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, r)), ==, OCC);
    return r;
}

gboolean carries(Fx *fx, int idx, const char *owner, guint32 ssrc)
{
    if (idx < 0)
        return FALSE;
    PaJingle j;
    if (!jingle_of(sent_at(&fx->tb, idx), &j))
        return FALSE;
    const PaJingleSource *s = jingle_source(&j, ssrc);
    gboolean ok = s && g_strcmp0(s->owner, owner) == 0;
    pa_jingle_clear(&j);
    return ok;
}

int find_sources(Fx *fx, guint from, const char *action, const char *nick, const char *owner,
                 guint32 ssrc)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    for (guint i = from; i < fx->tb.sent->len; i++) {
        int idx = sent_find(&fx->tb, i,
                            STANZA(.name = "iq", .type = "set", .to = to, .from = OCC,
                                   .has = {{"jingle", NS_JINGLE, {"action", action}}}));
        if (idx < 0)
            return -1;
        if (carries(fx, idx, owner, ssrc))
            return idx;
        i = (guint)idx;
    }
    return -1;
}

const char *reply_type(Fx *fx, int idx)
{
    return xmpp_stanza_get_type(sent_at(&fx->tb, idx));
}

const char *reply_condition(Fx *fx, int idx)
{
    return pa_stanza_error_condition(sent_at(&fx->tb, idx));
}

char *accept_inner(const char *nick, guint32 base)
{
    return g_strdup_printf(
        "<content creator='responder' name='audio' senders='both'><description "
        "xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='111' name='opus' "
        "clockrate='48000' channels='2'/><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
        "ssrc='%u' name='%s-a0'><parameter name='msid' value='%s-a t1'/></source><rtcp-mux/>"
        "</description>" TRANSPORT_ACTIVE "</content>"
        "<content creator='responder' name='video' senders='both'><initial-last-n "
        "xmlns='jitsi:colibri2' value='-1'/><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
        "media='video'><payload-type id='100' name='VP8' clockrate='90000'/>"
        "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='%u' name='%s-v0'><parameter "
        "name='msid' value='%s-v t2'/></source><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
        "ssrc='%u' name='%s-v0'><parameter name='msid' value='%s-v t2'/></source>"
        "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'><source ssrc='%u'/>"
        "<source ssrc='%u'/></ssrc-group></description>" TRANSPORT_ACTIVE "</content>",
        base, nick, nick, base + 1, nick, nick, base + 2, nick, nick, base + 1, base + 2);
}

void two_invited(Fx *fx, char **sid_a, char **sid_b)
{
    room_ready(fx);
    occupant(fx, "alice");
    /* Alone: nothing is asked or allocated. */
    g_assert_cmpint(sent_find(&fx->tb, 0, DISCO), ==, -1);
    g_assert_cmpint(sent_find(&fx->tb, 0, MODIFY()), ==, -1);
    guint mark = fx->tb.sent->len;
    occupant(fx, "bob");
    disco(fx, mark, "alice", JSON_FEATURES);
    disco(fx, mark, "bob", NULL); /* disco fails: LJM defaults (JSON sources) */
    int aa = find_alloc(fx, mark, "b1", "alice");
    int ab = find_alloc(fx, mark, "b1", "bob");
    g_assert_cmpint(aa, >=, 0);
    g_assert_cmpint(ab, >, aa);
    xmpp_stanza_t *cm_a = pa_stanza_child(sent_at(&fx->tb, aa), "conference-modify", NULL);
    xmpp_stanza_t *cm_b = pa_stanza_child(sent_at(&fx->tb, ab), "conference-modify", NULL);
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm_a, "create"), ==, "true");
    g_assert_null(xmpp_stanza_get_attribute(cm_b, "create"));
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm_a, "name"), ==, ROOM);
    FocusConference *conf = focus_conferences_lookup(fx->mgr, ROOM);
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm_a, "meeting-id"), ==,
                    focus_conference_meeting_id(conf));
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, aa)), ==, OCC);
    g_assert_true(stanza_match(sent_at(&fx->tb, aa),
                               STANZA(.has = {{"capability", NULL, {"name", "source-names"}},
                                              {"transport", NULL, {"ice-controlling", "true"}},
                                              {"media", NULL, {"type", "audio"}},
                                              {"media", NULL, {"type", "video"}},
                                              {"payload-type", NULL, {"name", "VP8"}}})));

    mark = fx->tb.sent->len;
    answer_alloc(fx, aa, "alice");
    answer_alloc(fx, ab, "bob");
    int ia = find_initiate(fx, mark, "alice");
    int ib = find_initiate(fx, mark, "bob");
    g_assert_cmpint(ia, >=, 0);
    g_assert_cmpint(ib, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, ia)), ==, OCC);
    /* The bridge's transport for alice, its colibri-ws URL, the bridge session. */
    g_assert_true(stanza_match(
        sent_at(&fx->tb, ia),
        STANZA(.has = {
                   {"transport", NULL, {"ufrag", "ufalice"}},
                   {"web-socket", NULL, {"url", "ws://127.0.0.1:8080/colibri-ws/b/c/alice?pwd=x"}},
                   {"bridge-session",
                    NS_FOCUS,
                    {"id", focus_conference_bridge_session_id(conf)}}})));
    /* The bridge's own sources, in the JSON form. */
    PaJingle offer;
    g_assert_true(jingle_of(sent_at(&fx->tb, ia), &offer));
    g_assert_true(offer.json_sources);
    g_assert_cmpstr(jingle_source(&offer, 222)->owner, ==, "jvb");
    g_assert_true(jingle_source(&offer, 222)->video);
    g_assert_cmpstr(jingle_source(&offer, 111)->owner, ==, "jvb");
    pa_jingle_clear(&offer);
    *sid_a = sid_of(fx, ia);
    *sid_b = sid_of(fx, ib);
    /* Answered: the session stays pending until session-accept. */
    answer(fx, ia, NULL);
    answer(fx, ib, NULL);
    g_assert_cmpint(focus_jingle_session_state(focus_conference_session(conf, "alice")), ==,
                    FOCUS_JINGLE_PENDING);
}
