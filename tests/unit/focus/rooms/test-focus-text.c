/* SPDX-License-Identifier: MIT */
/* What the focus sends back about input it refuses is well-formed XML text, and room keys
 * stay room JIDs (cases the XMPP-side fuzzers found). */
#include "common/jingle/jingle.h"
#include "focus/rooms/room-request.h"
#include "focus/xmpp/muc.h"

#include <string.h>

static xmpp_ctx_t *ctx;

/* A room with many two-byte characters: the reason quotes it cut at 64 bytes. */
static void test_conference_reason_cut(void)
{
    GString *room = g_string_new("a");
    for (int i = 0; i < 40; i++)
        g_string_append(room, "\xc3\xa9");
    g_string_append(room, "@conference.example.org/r");
    g_autofree char *xml =
        g_strdup_printf("<iq type='set' id='1'><conference "
                        "xmlns='http://jitsi.org/protocol/focus' room='%s'/></iq>",
                        room->str);
    g_string_free(room, TRUE);
    xmpp_stanza_t *iq = xmpp_stanza_new_from_string(ctx, xml);
    g_assert_nonnull(iq);
    FocusRoomRequest req;
    g_autofree char *why = NULL;
    g_assert_cmpint(focus_room_request_parse(iq, "conference.example.org", &req, &why), ==,
                    FOCUS_ROOM_REQUEST_BAD_ROOM);
    g_assert_true(pa_jingle_text_ok(why));
    g_assert_nonnull(strstr(why, "..."));
    xmpp_stanza_release(iq);
}

/* NFKC turns a fullwidth '@' or '/' into JID syntax: no key, the request is refused. */
static void test_room_key_nfkc(void)
{
    const char *bad[] = {"a\xef\xbc\xa0"
                         "b@conference.example.org",
                         "a\xef\xbc\x8f"
                         "b@conference.example.org",
                         "\xef\xb7\xba@conference.example.org"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *key = focus_muc_room_key(bad[i]);
        g_assert_null(key);
        g_autofree char *xml = g_strdup_printf("<iq type='set' id='1'><conference "
                                               "xmlns='http://jitsi.org/protocol/focus' "
                                               "room='%s'/></iq>",
                                               bad[i]);
        xmpp_stanza_t *iq = xmpp_stanza_new_from_string(ctx, xml);
        FocusRoomRequest req;
        g_autofree char *why = NULL;
        FocusRoomRequestStatus st =
            focus_room_request_parse(iq, "conference.example.org", &req, &why);
        g_assert_cmpint(st, !=, FOCUS_ROOM_REQUEST_OK);
        g_assert_true(pa_jingle_text_ok(why));
        xmpp_stanza_release(iq);
    }
    g_autofree char *ok = focus_muc_room_key("Caf\xc3\xa9\xef\xbc\xa1@Conference.Example.org");
    g_assert_cmpstr(ok, ==,
                    "caf\xc3\xa9"
                    "a@conference.example.org"); /* fullwidth A folds */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/focus/text/conference-reason-cut", test_conference_reason_cut);
    g_test_add_func("/focus/text/room-key-nfkc", test_room_key_nfkc);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
