/* SPDX-License-Identifier: MIT */
/* The room request (<conference xmlns="http://jitsi.org/protocol/focus"/>): what is accepted,
 * what is refused with which error, and the reply clients read. */
#include "focus/rooms/room-request.h"

#include "testbed.h"

#define MUC "conference.example.org"

static FocusRoomRequestStatus parse(TestBed *tb, const char *xml, FocusRoomRequest *req, char **why)
{
    xmpp_stanza_t *iq = stanza_from(tb, xml);
    FocusRoomRequestStatus st = focus_room_request_parse(iq, MUC, req, why);
    xmpp_stanza_release(iq);
    return st;
}

static void test_valid(void)
{
    TestBed tb;
    testbed_init(&tb);
    FocusRoomRequest req;
    g_autofree char *why = NULL;
    g_assert_cmpint(parse(&tb,
                          "<iq type='set' id='1' from='u@example.org/r' to='focus.example.org'>"
                          "<conference xmlns='http://jitsi.org/protocol/focus' "
                          "room='MyRoom@Conference.Example.org' machine-uid='m1'>"
                          "<property name='startAudioMuted' value='3'/>"
                          "<property name='rtcstatsEnabled' value='false'/>"
                          "<property value='noname'/></conference></iq>",
                          &req, &why),
                    ==, FOCUS_ROOM_REQUEST_OK);
    g_assert_null(why);
    g_assert_cmpstr(req.room, ==, "myroom@conference.example.org");
    g_assert_cmpstr(req.machine_uid, ==, "m1");
    g_assert_null(req.session_id);
    g_assert_cmpuint(g_hash_table_size(req.properties), ==, 2);
    g_assert_cmpstr(g_hash_table_lookup(req.properties, "startAudioMuted"), ==, "3");
    focus_room_request_clear(&req);
    testbed_clear(&tb);
}

static void test_rejections(void)
{
    static const struct {
        const char *xml;
        FocusRoomRequestStatus st;
        const char *type, *cond, *text_part;
    } cases[] = {
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus'/></iq>",
         FOCUS_ROOM_REQUEST_NO_ROOM, "modify", "bad-request", "room"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room=''/></iq>",
         FOCUS_ROOM_REQUEST_NO_ROOM, "modify", "bad-request", "room"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='r@conference.example.org/nick'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "invalid room"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "invalid room"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='a b@@x'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "invalid room"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='r@conference.evil.org'/></iq>",
         FOCUS_ROOM_REQUEST_WRONG_DOMAIN, "cancel", "not-allowed", MUC},
        {"<iq type='get' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='r@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_TYPE, "modify", "bad-request", "set"},
        /* Control and format characters (Cc, Cf) and private use (Co) in the name. */
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='ab\xe2\x80\xae"
         "cd@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "U+202E"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' "
         "room='ab\xe2\x81\xa7@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "U+2067"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' "
         "room='\xe2\x80\x8bx@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "U+200B"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='x\xc2\x85@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "invalid room"}, /* Cc: not a JID */
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' room='x\xc2\xad@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "U+00AD"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' "
         "room='x\xf3\xa0\x81\x81@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "U+E0041"},
        {"<iq type='set' id='a' from='u@example.org/r'><conference "
         "xmlns='http://jitsi.org/protocol/focus' "
         "room='x\xee\x80\x80@conference.example.org'/></iq>",
         FOCUS_ROOM_REQUEST_BAD_ROOM, "modify", "bad-request", "U+E000"},
    };
    TestBed tb;
    testbed_init(&tb);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        xmpp_stanza_t *iq = stanza_from(&tb, cases[i].xml);
        FocusRoomRequest req;
        g_autofree char *why = NULL;
        FocusRoomRequestStatus st = focus_room_request_parse(iq, MUC, &req, &why);
        g_assert_cmpint(st, ==, cases[i].st);
        g_assert_null(req.room);
        xmpp_stanza_t *r = focus_room_request_error_reply(tb.ctx, iq, st, why);
        g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "error");
        g_assert_cmpstr(xmpp_stanza_get_id(r), ==, "a");
        g_assert_cmpstr(xmpp_stanza_get_to(r), ==, "u@example.org/r");
        xmpp_stanza_t *err = pa_stanza_child(r, "error", NULL);
        g_assert_cmpstr(xmpp_stanza_get_type(err), ==, cases[i].type);
        g_assert_cmpstr(pa_stanza_error_condition(r), ==, cases[i].cond);
        g_autofree char *text = stanza_text_of(r, ELEM(.name = "text", .ns = NS_STANZAS));
        if (!text || !strstr(text, cases[i].text_part))
            g_error("case %u: '%s' lacks '%s'", i, text, cases[i].text_part);
        xmpp_stanza_release(r);
        xmpp_stanza_release(iq);
    }
    testbed_clear(&tb);
}

static void test_not_conference(void)
{
    TestBed tb;
    testbed_init(&tb);
    FocusRoomRequest req;
    g_assert_cmpint(
        parse(&tb, "<iq type='set' id='1'><conference xmlns='urn:other'/></iq>", &req, NULL), ==,
        FOCUS_ROOM_REQUEST_NOT_OURS);
    testbed_clear(&tb);
}

static void test_result(void)
{
    TestBed tb;
    testbed_init(&tb);
    xmpp_stanza_t *iq = stanza_from(&tb, "<iq type='set' id='q7' from='u@example.org/r' "
                                         "to='focus.example.org'><conference "
                                         "xmlns='http://jitsi.org/protocol/focus' "
                                         "room='r@conference.example.org'/></iq>");
    xmpp_stanza_t *r = focus_room_request_result(tb.ctx, iq, "r@conference.example.org",
                                                 "focus.example.org", TRUE);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_cmpstr(xmpp_stanza_get_id(r), ==, "q7");
    g_assert_cmpstr(xmpp_stanza_get_from(r), ==, "focus.example.org");
    g_assert_cmpstr(xmpp_stanza_get_to(r), ==, "u@example.org/r");
    xmpp_stanza_t *conf = pa_stanza_child(r, "conference", FOCUS_NS_FOCUS);
    g_assert_nonnull(conf);
    g_assert_cmpstr(xmpp_stanza_get_attribute(conf, "ready"), ==, "true");
    g_assert_cmpstr(xmpp_stanza_get_attribute(conf, "focusjid"), ==, "focus.example.org");
    g_assert_cmpstr(xmpp_stanza_get_attribute(conf, "room"), ==, "r@conference.example.org");
    g_assert_true(stanza_has(
        r, ELEM(.name = "property", .attrs = {"name", "authentication", "value", "false"})));
    xmpp_stanza_release(r);
    xmpp_stanza_release(iq);
    testbed_clear(&tb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/focus/conference-iq/valid", test_valid);
    g_test_add_func("/focus/conference-iq/rejections", test_rejections);
    g_test_add_func("/focus/conference-iq/not-conference", test_not_conference);
    g_test_add_func("/focus/conference-iq/result", test_result);
    return g_test_run();
}
