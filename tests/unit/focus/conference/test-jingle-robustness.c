/* SPDX-License-Identifier: MIT */
/* Whatever a participant sends on its Jingle session, the focus answers exactly once and
 * keeps working: seeded random mutations of valid requests (attribute values replaced by
 * hostile ones, elements dropped or repeated, JSON mangled) go through the whole path
 * (pa_jingle_parse, the session checks, source validation, Colibri2 updates, source-add
 * to the other participant), on a conference with two active participants. Run under the
 * sanitizer build this also checks memory safety. PARLEY_ROBUSTNESS_ITERATIONS overrides the
 * count, PARLEY_ROBUSTNESS_SEED the seed. */
#include "focus/bridges/bridges.h"
#include "focus/conference/conference.h"
#include "focus/rooms/registry.h"

#include "testbed.h"

#include <stdlib.h>

#define ROOM "r1@" TB_MUC
#define OCC TB_OCCUPANT
#define BREWERY TB_BREWERY
#define FP TB_FINGERPRINT

typedef struct {
    TestBed tb;
    FocusConferences *mgr;
    GRand *rng;
    char *sid_a;
} Fx;

static void feed_presence(Fx *fx, const char *xml)
{
    testbed_receive(&fx->tb, "%s", xml);
}

static void answer(Fx *fx, int idx, const char *inner)
{
    testbed_answer(&fx->tb, idx, inner);
}

/* Answers every IQ the focus sent since @from that is still unanswered: disco (defaults),
 * allocations (a transport), everything else with an empty result. */
static void answer_all(Fx *fx, guint from)
{
    for (guint i = from; i < fx->tb.sent->len; i++) {
        xmpp_stanza_t *s = fx->tb.sent->pdata[i];
        const char *type = xmpp_stanza_get_type(s);
        if (g_strcmp0(xmpp_stanza_get_name(s), "iq") != 0 ||
            (g_strcmp0(type, "get") != 0 && g_strcmp0(type, "set") != 0))
            continue;
        xmpp_stanza_t *cm = pa_stanza_child(s, "conference-modify", NULL);
        xmpp_stanza_t *ep = cm ? pa_stanza_child(cm, "endpoint", NULL) : NULL;
        if (ep && g_strcmp0(xmpp_stanza_get_attribute(ep, "create"), "true") == 0) {
            g_autofree char *inner = g_strdup_printf(
                "<conference-modified xmlns='jitsi:colibri2'><endpoint id='%s'><transport>"
                "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='bufr' "
                "pwd='bridgepasswordbridgepassword'><fingerprint "
                "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>" FP
                "</fingerprint></transport></transport></endpoint></conference-modified>",
                xmpp_stanza_get_attribute(ep, "id"));
            answer(fx, (int)i, inner);
        } else {
            answer(fx, (int)i, NULL);
        }
    }
}

static const char *const HOSTILE[] = {
    "",
    "0",
    "-1",
    "4294967295",
    "4294967296",
    "99999999999999999999999999",
    "abc",
    "true",
    "false",
    "a b",
    "<&>",
    "\t",
    "alice",
    "alice-a0",
    "bob-v0",
    "jvb",
    "session-accept",
    "source-add",
    "FID",
    "SIM",
    "x/y/z",
    "r1@conference.example.org/bob",
    "1e9",
    "0x10",
    "\xe2\x82\xac\xe2\x82\xac",
    "-0",
    "007",
    "1 2",
    "audio",
    "video",
    "restart",
};

static char *hostile_value(GRand *rng)
{
    guint pick = g_rand_int_range(rng, 0, G_N_ELEMENTS(HOSTILE) + 2);
    if (pick < G_N_ELEMENTS(HOSTILE))
        return g_strdup(HOSTILE[pick]);
    if (pick == G_N_ELEMENTS(HOSTILE))
        return g_strnfill(g_rand_int_range(rng, 200, 3000), 'q');
    return g_strdup_printf("%u", g_rand_int(rng));
}

/* Escapes for an attribute value in single quotes. */
static char *attr_escape(const char *v)
{
    GString *s = g_string_new("");
    for (const char *p = v; *p; p++) {
        if (*p == '<')
            g_string_append(s, "&lt;");
        else if (*p == '&')
            g_string_append(s, "&amp;");
        else if (*p == '\'')
            g_string_append(s, "&apos;");
        else
            g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

/* One random change to @xml: an attribute value replaced, a self-closing element dropped or
 * repeated, or the JSON text mangled. */
static char *mutate(GRand *rng, const char *xml)
{
    GString *s = g_string_new(xml);
    guint kind = g_rand_int_range(rng, 0, 4);
    if (kind <= 1) {
        /* Attribute values: ='...' */
        GArray *spots = g_array_new(FALSE, FALSE, sizeof(guint));
        for (const char *p = strstr(s->str, "='"); p; p = strstr(p + 2, "='")) {
            guint off = (guint)(p - s->str) + 2;
            g_array_append_val(spots, off);
        }
        if (spots->len) {
            guint off = g_array_index(spots, guint, g_rand_int_range(rng, 0, (gint32)spots->len));
            const char *end = strchr(s->str + off, '\'');
            g_autofree char *v = hostile_value(rng);
            g_autofree char *e = attr_escape(v);
            g_string_erase(s, off, end - (s->str + off));
            g_string_insert(s, off, e);
        }
        g_array_unref(spots);
    } else if (kind == 2) {
        /* A self-closing element: drop it or repeat it. */
        GArray *spots = g_array_new(FALSE, FALSE, sizeof(guint));
        for (const char *p = strstr(s->str, "/>"); p; p = strstr(p + 2, "/>")) {
            const char *start = p;
            while (start > s->str && *start != '<')
                start--;
            if (start[1] == '/' || start[1] == 'i') /* not a closing tag, not the iq */
                continue;
            guint off = (guint)(start - s->str);
            g_array_append_val(spots, off);
        }
        if (spots->len) {
            guint off = g_array_index(spots, guint, g_rand_int_range(rng, 0, (gint32)spots->len));
            const char *end = strstr(s->str + off, "/>") + 2;
            g_autofree char *el = g_strndup(s->str + off, end - (s->str + off));
            if (g_rand_boolean(rng))
                g_string_erase(s, off, strlen(el));
            else
                g_string_insert(s, off, el);
        }
        g_array_unref(spots);
    } else {
        /* Inside the JSON (if any): replace a character. */
        char *jm = strstr(s->str, "{&quot;");
        if (jm) {
            guint off = (guint)(jm - s->str) + 1 + g_rand_int_range(rng, 0, 40);
            static const char junk[] = "[]{},:0-9\"x";
            if (off < s->len && s->str[off] != '&' && s->str[off] != '<')
                s->str[off] = junk[g_rand_int_range(rng, 0, sizeof junk - 1)];
        }
    }
    return g_string_free(s, FALSE);
}

#define TR                                                                                         \
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='cli1' "                        \
    "pwd='clientpasswordclientpassword'><rtcp-mux/><fingerprint "                                  \
    "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='active'>" FP "</fingerprint>"       \
    "<candidate component='1' foundation='2' generation='0' id='k1' ip='127.0.0.1' network='0' "   \
    "port='40000' priority='2122260223' protocol='udp' type='host'/></transport>"

/* Valid requests from alice (SID is replaced by her session id). */
static const char *const TEMPLATES[] = {
    "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='SID'><content name='video'>"
    "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'><source "
    "xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='7001' name='alice-v1' videoType='desktop'>"
    "<parameter name='msid' value='d t'/><ssrc-info xmlns='http://jitsi.org/jitmeet' "
    "owner='alice'/></source><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='7002' "
    "name='alice-v1'/><ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'>"
    "<source ssrc='7001'/><source ssrc='7002'/></ssrc-group></description></content></jingle>",
    "<jingle xmlns='urn:xmpp:jingle:1' action='source-remove' sid='SID'><content name='audio'>"
    "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><source "
    "xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1001'/></description></content></jingle>",
    "<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' sid='SID'><content "
    "name='audio' creator='responder'>" TR "</content></jingle>",
    "<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='SID'><ice-state "
    "xmlns='http://jitsi.org/protocol/focus'>failed</ice-state><bridge-session "
    "xmlns='http://jitsi.org/protocol/focus' id='x'/></jingle>",
    "<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='SID'><reason><success/>"
    "<text>bye</text></reason><bridge-session xmlns='http://jitsi.org/protocol/focus' id='x' "
    "restart='false'/></jingle>",
    "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='SID'><json-message "
    "xmlns='http://jitsi.org/jitmeet'>{&quot;sources&quot;:{&quot;alice&quot;:[[{&quot;s&quot;:"
    "8001,&quot;n&quot;:&quot;alice-v2&quot;}],[[&quot;f&quot;,8001,8002]],[{&quot;s&quot;:8003,"
    "&quot;n&quot;:&quot;alice-a1&quot;}]]}}</json-message></jingle>",
    "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='SID'><content "
    "creator='responder' name='video'><initial-last-n xmlns='jitsi:colibri2' value='3'/>"
    "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'><payload-type id='100' "
    "name='VP8' clockrate='90000'><parameter name='x' value='y'/><rtcp-fb "
    "xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/></payload-type>"
    "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='3' uri='u:x'/>"
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='9001' name='alice-v0'/>"
    "</description>" TR "</content></jingle>",
};

static void fx_init(Fx *fx, guint32 seed)
{
    memset(fx, 0, sizeof *fx);
    testbed_init_core(&fx->tb, "focus.min_participants=2", NULL);
    fx->rng = g_rand_new_with_seed(seed);
    fx->mgr = focus_core_conferences(fx->tb.core);
    focus_core_start(fx->tb.core);
    feed_presence(fx, "<presence from='" BREWERY "/focus'><x "
                      "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' "
                      "role='moderator' jid='" OCC "'/><status code='110'/></x></presence>");
    feed_presence(fx, "<presence from='" BREWERY "/b1'><x "
                      "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
                      "role='participant' jid='jvb@auth.example.org/b1'/></x></presence>");
    testbed_request_room(&fx->tb, "c1", "c@example.org/r", ROOM);
    feed_presence(fx, "<presence from='" ROOM "/focus'><x "
                      "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' "
                      "role='moderator' jid='" OCC "'/><status code='201'/><status "
                      "code='110'/></x></presence>");
    answer_all(fx, 0);
}

static void join(Fx *fx, const char *nick)
{
    g_autofree char *xml = g_strdup_printf(
        "<presence from='" ROOM "/%s'><x xmlns='http://jabber.org/protocol/muc#user'><item "
        "affiliation='none' role='participant' jid='%s@example.org/r'/></x></presence>",
        nick, nick);
    guint mark = fx->tb.sent->len;
    feed_presence(fx, xml);
    /* Disco, allocations and offers may come in rounds. */
    for (int round = 0; round < 4; round++) {
        guint now = fx->tb.sent->len;
        answer_all(fx, mark);
        mark = now;
    }
}

/* Sends @inner from @nick; asserts exactly one reply; returns its type. */
static const char *request(Fx *fx, const char *nick, const char *inner, guint n)
{
    g_autofree char *id = g_strdup_printf("rq%u", n);
    g_autofree char *xml = g_strdup_printf(
        "<iq type='set' id='%s' from='" ROOM "/%s' to='" OCC "'>%s</iq>", id, nick, inner);
    xmpp_stanza_t *iq = xmpp_stanza_new_from_string(fx->tb.ctx, xml);
    if (!iq)
        return NULL; /* the mutation broke the XML: the server would not pass it on */
    guint mark = fx->tb.sent->len;
    testbed_receive_stanza(&fx->tb, iq);
    xmpp_stanza_release(iq);
    const StanzaPattern *reply = STANZA(.name = "iq", .id = id);
    guint replies = sent_count(&fx->tb, mark, reply);
    if (replies != 1)
        g_error("%u replies to %s", replies, xml);
    int r = sent_find(&fx->tb, mark, reply);
    const char *type = xmpp_stanza_get_type(sent_at(&fx->tb, r));
    answer_all(fx, mark); /* whatever else the focus sent (updates, offers, source-add) */
    return type;
}

static void test_mutations(void)
{
    const char *seed_env = g_getenv("PARLEY_ROBUSTNESS_SEED");
    guint32 seed = seed_env ? (guint32)strtoul(seed_env, NULL, 10) : 20261126u;
    const char *it_env = g_getenv("PARLEY_ROBUSTNESS_ITERATIONS");
    guint iterations = it_env ? (guint)strtoul(it_env, NULL, 10) : 3000;
    Fx fx;
    fx_init(&fx, seed);
    join(&fx, "alice");
    join(&fx, "bob");
    guint counts[3] = {0}; /* result, error, unparsable */
    for (guint n = 0; n < iterations; n++) {
        /* Keep alice in a session the requests can reach. */
        FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
        const FocusJingleSession *s = conf ? focus_conference_session(conf, "alice") : NULL;
        if (!s) {
            /* Ended or re-invited: leave and join again for a fresh session. */
            guint mark = fx.tb.sent->len;
            feed_presence(&fx, "<presence type='unavailable' from='" ROOM "/alice'/>");
            answer_all(&fx, mark);
            join(&fx, "alice");
            conf = focus_conferences_lookup(fx.mgr, ROOM);
            s = conf ? focus_conference_session(conf, "alice") : NULL;
            if (!s)
                continue;
        }
        g_autofree char *sid = g_strdup(focus_jingle_session_sid(s));
        if (focus_jingle_session_state(s) == FOCUS_JINGLE_PENDING) {
            g_autofree char *acc = g_strdup_printf(
                "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='%s'><content "
                "name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
                "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1001' name='alice-a0'/>"
                "</description>" TR "</content></jingle>",
                sid);
            request(&fx, "alice", acc, 1000000 + n);
        }
        const char *tpl = TEMPLATES[g_rand_int_range(fx.rng, 0, G_N_ELEMENTS(TEMPLATES))];
        GString *valid = g_string_new(tpl);
        g_string_replace(valid, "SID", sid, 0);
        g_autofree char *bad = mutate(fx.rng, valid->str);
        g_string_free(valid, TRUE);
        const char *type = request(&fx, g_rand_int_range(fx.rng, 0, 10) ? "alice" : "bob", bad, n);
        counts[type == NULL ? 2 : g_strcmp0(type, "result") == 0 ? 0 : 1]++;
        if (g_rand_int_range(fx.rng, 0, 50) == 0)
            testbed_advance(&fx.tb, 16000); /* let timers (IQ timeouts, retries) run */
    }
    g_test_message("seed %u: %u results, %u errors, %u unparsable", seed, counts[0], counts[1],
                   counts[2]);
    g_assert_cmpuint(counts[0], >, 0);
    g_assert_cmpuint(counts[1], >, 0);
    g_rand_free(fx.rng);
    testbed_clear(&fx.tb);
}

static void quiet(const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    /* Thousands of refusals are logged: drop them unless asked for. */
    if (!g_getenv("PARLEY_ROBUSTNESS_VERBOSE"))
        g_log_set_handler("parley-focus",
                          G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_INFO |
                              G_LOG_LEVEL_DEBUG,
                          quiet, NULL);
    g_test_add_func("/jingle/robustness/mutations", test_mutations);
    return g_test_run();
}
