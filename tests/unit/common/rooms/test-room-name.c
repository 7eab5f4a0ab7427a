/* SPDX-License-Identifier: MIT */
/* Room-name strength in C against the vectors web/roomname.js is tested with, so the focus's
 * verdict in the conference reply and the web client's pre-join warning agree. */
#include "common/rooms/room-name.h"

#include "common/xmpp/stanza.h"
#include "tests/lib/c/stanza-match.h"

#include <jansson.h>
#include <string.h>

static json_t *load_vectors(void)
{
    g_autofree char *path = g_build_filename(TEST_SRCDIR, "..", "vectors", "room-names.json", NULL);
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc)
        g_error("%s:%d: %s", path, err.line, err.text);
    return doc;
}

static void test_vectors(void)
{
    json_t *doc = load_vectors();
    g_assert_cmpstr(json_string_value(json_object_get(doc, "rule")), ==, PA_ROOM_NAME_RULE);
    json_t *vectors = json_object_get(doc, "vectors");
    g_assert_true(json_is_array(vectors));
    g_assert_cmpuint(json_array_size(vectors), >=, 40);
    size_t i;
    json_t *v;
    guint weak = 0, strong = 0;
    json_array_foreach(vectors, i, v)
    {
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *why = json_string_value(json_object_get(v, "why"));
        g_assert_nonnull(name);
        PaRoomNameReport r;
        g_assert_true(pa_room_name_assess(name, &r));
        if (g_strcmp0(r.normalized, json_string_value(json_object_get(v, "normalized"))) != 0 ||
            r.decoded != json_is_true(json_object_get(v, "decoded")) ||
            r.length != json_integer_value(json_object_get(v, "length")) ||
            r.classes != json_integer_value(json_object_get(v, "classes")) ||
            r.distinct != json_integer_value(json_object_get(v, "distinct")) ||
            r.score != json_integer_value(json_object_get(v, "score")) ||
            r.uuid != json_is_true(json_object_get(v, "uuid")) ||
            strcmp(pa_room_name_strength_str(r.strength),
                   json_string_value(json_object_get(v, "strength"))) != 0)
            g_error("vector %zu \"%s\" (%s): got normalized=\"%s\" decoded=%d length=%u "
                    "classes=%u distinct=%u score=%u uuid=%d %s",
                    i, name, why, r.normalized, r.decoded, r.length, r.classes, r.distinct, r.score,
                    r.uuid, pa_room_name_strength_str(r.strength));
        g_autofree char *norm = pa_room_name_normalize(name);
        g_assert_cmpstr(norm, ==, r.normalized);
        g_assert_cmpint(pa_room_name_strength(name), ==, r.strength);
        if (r.strength == PA_ROOM_NAME_WEAK)
            weak++;
        else
            strong++;
        pa_room_name_report_clear(&r);
    }
    /* The file exercises both verdicts, not one. */
    g_assert_cmpuint(weak, >=, 10);
    g_assert_cmpuint(strong, >=, 10);
    json_decref(doc);
}

static void test_common_names(void)
{
    const char *weak[] = {"test",    "foobar",        "room3",       "meeting",
                          "Test123", "daily-standup", "TeamMeeting", "abcdefghijklmnop"};
    const char *strong[] = {"calm-otter-4821", "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
                            "board-review-2024-q3", "Weekly%20Planning%20Room%207"};
    for (guint i = 0; i < G_N_ELEMENTS(weak); i++)
        g_assert_cmpint(pa_room_name_strength(weak[i]), ==, PA_ROOM_NAME_WEAK);
    for (guint i = 0; i < G_N_ELEMENTS(strong); i++)
        g_assert_cmpint(pa_room_name_strength(strong[i]), ==, PA_ROOM_NAME_STRONG);
}

static void test_random_uuids_are_strong(void)
{
    for (int i = 0; i < 200; i++) {
        g_autofree char *u = g_uuid_string_random();
        PaRoomNameReport r;
        pa_room_name_assess(u, &r);
        g_assert_true(r.uuid);
        g_assert_cmpint(r.strength, ==, PA_ROOM_NAME_STRONG);
        pa_room_name_report_clear(&r);
        g_autofree char *upper = g_ascii_strup(u, -1);
        g_assert_cmpint(pa_room_name_strength(upper), ==, PA_ROOM_NAME_STRONG);
    }
}

static void test_bad_input(void)
{
    PaRoomNameReport r;
    g_assert_false(pa_room_name_assess(NULL, &r));
    g_assert_cmpstr(r.normalized, ==, "");
    g_assert_cmpint(r.strength, ==, PA_ROOM_NAME_WEAK);
    pa_room_name_report_clear(&r);
    /* Invalid UTF-8 (a lone continuation byte, an overlong slash): weak, never a crash. */
    const char *bad[] = {"abc\x80-meeting-room-2024", "\xc0\xaf\xc0\xaf\xc0\xaf\xc0\xaf"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_false(pa_room_name_assess(bad[i], &r));
        g_assert_cmpint(r.strength, ==, PA_ROOM_NAME_WEAK);
        pa_room_name_report_clear(&r);
        g_assert_null(pa_room_name_normalize(bad[i]));
    }
    g_assert_cmpint(pa_room_name_strength(""), ==, PA_ROOM_NAME_WEAK);
    /* Percent-escapes that decode to invalid UTF-8 or NUL are taken literally. */
    g_autofree char *lit = pa_room_name_normalize("%FF%FE%00");
    g_assert_cmpstr(lit, ==, "%ff%fe%00");
    g_autofree char *trail = pa_room_name_normalize("abc%4");
    g_assert_cmpstr(trail, ==, "abc%4");
}

static void test_jid_and_property(void)
{
    g_assert_cmpint(pa_room_name_strength_of_jid("test@conference.example.org"), ==,
                    PA_ROOM_NAME_WEAK);
    g_assert_cmpint(pa_room_name_strength_of_jid("Calm-Otter-4821@conference.example.org"), ==,
                    PA_ROOM_NAME_STRONG);
    g_assert_cmpint(pa_room_name_strength_of_jid("conference.example.org"), ==, PA_ROOM_NAME_WEAK);
    g_assert_cmpint(pa_room_name_strength_of_jid("@@"), ==, PA_ROOM_NAME_WEAK);
    g_assert_cmpint(pa_room_name_strength_of_jid(NULL), ==, PA_ROOM_NAME_WEAK);

    xmpp_initialize();
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
    xmpp_stanza_t *conf = pa_stanza_element(ctx, "conference", "http://jitsi.org/protocol/focus");
    g_assert_cmpint(
        pa_room_name_add_property(conf, "f47ac10b-58cc-4372-a567-0e02b2c3d479@c.example.org"), ==,
        PA_ROOM_NAME_STRONG);
    pa_room_name_add_property(conf, "test@c.example.org");
    test_assert_stanza_count(conf,
                             "conference/property{http://jitsi.org/protocol/focus}"
                             "[name=roomNameStrength]",
                             2);
    xmpp_stanza_t *p = xmpp_stanza_get_children(conf);
    g_assert_cmpstr(xmpp_stanza_get_attribute(p, "value"), ==, "strong");
    p = xmpp_stanza_get_next(p);
    g_assert_cmpstr(xmpp_stanza_get_attribute(p, "name"), ==, "roomNameStrength");
    g_assert_cmpstr(xmpp_stanza_get_attribute(p, "value"), ==, "weak");
    xmpp_stanza_release(conf);
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/room-name/vectors", test_vectors);
    g_test_add_func("/room-name/common-names", test_common_names);
    g_test_add_func("/room-name/random-uuids", test_random_uuids_are_strong);
    g_test_add_func("/room-name/bad-input", test_bad_input);
    g_test_add_func("/room-name/jid-and-property", test_jid_and_property);
    return g_test_run();
}
