/* SPDX-License-Identifier: MIT */
/* The bridge channel's pure message logic: parsing and validation of every client class, the
 * drop reasons for bad input, receiver preferences, routing, relayed text with "from", and
 * what the bridge sends (ServerHello, ForwardedSources). */
#include <string.h>

#include "bridge/control/channel-msg.h"
#include "common/colibri/colibri.h"

static BridgeChannelMsgStatus parse(const char *text, BridgeChannelMsg *msg)
{
    g_autofree char *why = NULL;
    BridgeChannelMsgStatus st = bridge_channel_msg_parse(text, strlen(text), msg, &why);
    if (st != BRIDGE_CHANNEL_MSG_OK)
        g_assert_nonnull(why); /* every refusal says why, for the log line */
    return st;
}

static void expect_status(const char *text, BridgeChannelMsgStatus want)
{
    BridgeChannelMsg msg;
    BridgeChannelMsgStatus got = parse(text, &msg);
    if (got != want)
        g_error("%s: expected %s, got %s", text, bridge_channel_drop_reason_name(want),
                bridge_channel_drop_reason_name(got));
    if (got != BRIDGE_CHANNEL_MSG_OK && got != BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS)
        g_assert_null(msg.json);
    bridge_channel_msg_clear(&msg);
}

static void test_bad_input(void)
{
    expect_status("", BRIDGE_CHANNEL_DROP_NOT_JSON);
    expect_status("{", BRIDGE_CHANNEL_DROP_NOT_JSON);
    expect_status("hello", BRIDGE_CHANNEL_DROP_NOT_JSON);
    expect_status("{\"colibriClass\":\"ClientHello\"} trailing", BRIDGE_CHANNEL_DROP_NOT_JSON);
    expect_status("{\"colibriClass\":\"A\",\"colibriClass\":\"B\"}", BRIDGE_CHANNEL_DROP_NOT_JSON);
    expect_status("{\"a\":\"\\u0000\"}", BRIDGE_CHANNEL_DROP_NOT_JSON);
    expect_status("[1,2]", BRIDGE_CHANNEL_DROP_NOT_OBJECT);
    expect_status("42", BRIDGE_CHANNEL_DROP_NOT_OBJECT);
    expect_status("\"ServerHello\"", BRIDGE_CHANNEL_DROP_NOT_OBJECT);
    expect_status("null", BRIDGE_CHANNEL_DROP_NOT_OBJECT);
    expect_status("{}", BRIDGE_CHANNEL_DROP_NO_CLASS);
    expect_status("{\"colibriClass\":5}", BRIDGE_CHANNEL_DROP_NO_CLASS);
    expect_status("{\"colibriClass\":null}", BRIDGE_CHANNEL_DROP_NO_CLASS);
    expect_status("{\"colibriClass\":\"NoSuchThing\"}", BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS);
    /* Classes only the bridge sends are not taken from clients. */
    expect_status("{\"colibriClass\":\"ServerHello\"}", BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS);
    expect_status("{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":[]}",
                  BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS);

    /* Invalid UTF-8 and embedded NULs, with an explicit length. */
    BridgeChannelMsg msg;
    const char bad_utf8[] = "{\"colibriClass\":\"ClientHello\",\"x\":\"\xff\"}";
    g_assert_cmpint(bridge_channel_msg_parse(bad_utf8, sizeof bad_utf8 - 1, &msg, NULL), ==,
                    BRIDGE_CHANNEL_DROP_NOT_JSON);
    const char nul[] = "{\"colibriClass\":\"ClientHello\"}\0{}";
    g_assert_cmpint(bridge_channel_msg_parse(nul, sizeof nul - 1, &msg, NULL), ==,
                    BRIDGE_CHANNEL_DROP_NOT_JSON);
    g_assert_cmpint(bridge_channel_msg_parse(NULL, 0, &msg, NULL), ==,
                    BRIDGE_CHANNEL_DROP_NOT_JSON);

    /* Deep nesting is refused by the parser, not by the stack. */
    GString *deep = g_string_new("{\"colibriClass\":\"EndpointStats\",\"x\":");
    for (int i = 0; i < 20000; i++)
        g_string_append_c(deep, '[');
    for (int i = 0; i < 20000; i++)
        g_string_append_c(deep, ']');
    g_string_append_c(deep, '}');
    g_assert_cmpint(bridge_channel_msg_parse(deep->str, deep->len, &msg, NULL), ==,
                    BRIDGE_CHANNEL_DROP_NOT_JSON);
    g_string_free(deep, TRUE);
}

static void test_too_large(void)
{
    /* A valid message just under and just over the limit. */
    GString *s =
        g_string_new("{\"colibriClass\":\"EndpointMessage\",\"to\":\"\",\"msgPayload\":\"");
    gsize fixed = s->len + 2;
    while (s->len + 2 < BRIDGE_CHANNEL_MSG_MAX_BYTES)
        g_string_append_c(s, 'x');
    g_string_append(s, "\"}");
    g_assert_cmpuint(s->len, ==, BRIDGE_CHANNEL_MSG_MAX_BYTES);
    g_assert_cmpuint(fixed, <, s->len);
    BridgeChannelMsg msg;
    g_assert_cmpint(bridge_channel_msg_parse(s->str, s->len, &msg, NULL), ==,
                    BRIDGE_CHANNEL_MSG_OK);
    bridge_channel_msg_clear(&msg);
    g_string_insert_c(s, fixed, 'y');
    g_autofree char *why = NULL;
    g_assert_cmpint(bridge_channel_msg_parse(s->str, s->len, &msg, &why), ==,
                    BRIDGE_CHANNEL_DROP_TOO_LARGE);
    g_assert_null(msg.json);
    g_assert_nonnull(strstr(why, "65537 bytes"));
    g_string_free(s, TRUE);
}

static void test_endpoint_message(void)
{
    BridgeChannelMsg msg;
    g_assert_cmpint(
        parse("{\"colibriClass\":\"EndpointMessage\",\"to\":\"\",\"msgPayload\":{\"a\":1}}", &msg),
        ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_cmpint(msg.klass, ==, BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE);
    g_assert_null(msg.to); /* "" is a broadcast */
    bridge_channel_msg_clear(&msg);

    g_assert_cmpint(parse("{\"colibriClass\":\"EndpointMessage\",\"msgPayload\":{}}", &msg), ==,
                    BRIDGE_CHANNEL_MSG_OK);
    g_assert_null(msg.to); /* absent too */
    bridge_channel_msg_clear(&msg);

    g_assert_cmpint(parse("{\"colibriClass\":\"EndpointMessage\",\"to\":\"bob\","
                          "\"msgPayload\":{\"type\":\"chat\"},\"from\":\"mallory\"}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_cmpstr(msg.to, ==, "bob");
    /* The bridge sets "from" whatever the sender claimed, and keeps everything else. */
    g_autofree char *text = bridge_channel_msg_relay_text(&msg, "alice");
    bridge_channel_msg_clear(&msg);
    json_t *out = json_loads(text, 0, NULL);
    g_assert_nonnull(out);
    g_assert_cmpstr(json_string_value(json_object_get(out, "from")), ==, "alice");
    g_assert_cmpstr(json_string_value(json_object_get(out, "to")), ==, "bob");
    g_assert_cmpstr(json_string_value(json_object_get(out, "colibriClass")), ==, "EndpointMessage");
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(out, "msgPayload"), "type")),
                    ==, "chat");
    json_decref(out);

    expect_status("{\"colibriClass\":\"EndpointMessage\",\"to\":\"bob\"}",
                  BRIDGE_CHANNEL_DROP_INVALID);
    expect_status("{\"colibriClass\":\"EndpointMessage\",\"to\":7,\"msgPayload\":{}}",
                  BRIDGE_CHANNEL_DROP_INVALID);
    expect_status("{\"colibriClass\":\"EndpointMessage\",\"to\":null,\"msgPayload\":{}}",
                  BRIDGE_CHANNEL_MSG_OK);
}

static void test_endpoint_stats(void)
{
    BridgeChannelMsg msg;
    g_assert_cmpint(parse("{\"colibriClass\":\"EndpointStats\",\"bitrate\":{\"upload\":1}}", &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_cmpint(msg.klass, ==, BRIDGE_CHANNEL_CLASS_ENDPOINT_STATS);
    g_autofree char *text = bridge_channel_msg_relay_text(&msg, "e1");
    bridge_channel_msg_clear(&msg);
    g_assert_nonnull(strstr(text, "\"from\":\"e1\""));
    g_assert_nonnull(strstr(text, "\"bitrate\":{\"upload\":1}"));
    g_assert_true(bridge_channel_stats_relayed(19));
    g_assert_false(bridge_channel_stats_relayed(20));
    g_assert_false(bridge_channel_stats_relayed(100));
}

static void test_routing(void)
{
    /* Broadcast: everyone but the sender. */
    g_assert_true(bridge_channel_route_includes("a", NULL, "b"));
    g_assert_true(bridge_channel_route_includes("a", "", "c"));
    g_assert_false(bridge_channel_route_includes("a", "", "a"));
    /* Unicast: only the target. */
    g_assert_true(bridge_channel_route_includes("a", "b", "b"));
    g_assert_false(bridge_channel_route_includes("a", "b", "c"));
    g_assert_false(bridge_channel_route_includes("a", "b", "a"));
    /* Never back to the sender, even when it names itself. */
    g_assert_false(bridge_channel_route_includes("a", "a", "a"));
    g_assert_false(bridge_channel_route_includes("a", "b", NULL));
}

static void test_prefs_video_constraints(void)
{
    BridgeChannelPrefs p;
    bridge_channel_prefs_init(&p);
    g_assert_cmpint(p.last_n, ==, -1);
    g_assert_cmpint(p.default_constraints.max_height, ==, 180);
    g_assert_cmpint(p.assumed_bandwidth_bps, ==, -1);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_ALL);

    BridgeChannelMsg msg;
    g_assert_cmpint(parse("{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":3,"
                          "\"selectedSources\":[\"a-v0\"],\"onStageSources\":[\"b-v0\",\"c-v0\"],"
                          "\"defaultConstraints\":{\"maxHeight\":360},"
                          "\"constraints\":{\"b-v0\":{\"maxHeight\":720,\"maxFrameRate\":30},"
                          "\"c-v0\":{\"maxHeight\":0}},\"assumedBandwidthBps\":2.5e6}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.last_n, ==, 3);
    g_assert_cmpuint(g_strv_length(p.selected_sources), ==, 1);
    g_assert_cmpstr(p.selected_sources[0], ==, "a-v0");
    g_assert_cmpuint(g_strv_length(p.on_stage_sources), ==, 2);
    g_assert_cmpint(p.default_constraints.max_height, ==, 360);
    g_assert_cmpfloat(p.default_constraints.max_frame_rate, ==, -1);
    g_assert_cmpuint(g_hash_table_size(p.constraints), ==, 2);
    const BridgeVideoConstraints *b = g_hash_table_lookup(p.constraints, "b-v0");
    g_assert_cmpint(b->max_height, ==, 720);
    g_assert_cmpfloat(b->max_frame_rate, ==, 30);
    g_assert_cmpint(p.assumed_bandwidth_bps, ==, 2500000);

    /* Incremental: absent fields stay, present ones replace (a new constraints map replaces
     * the old one whole). */
    g_assert_cmpint(parse("{\"colibriClass\":\"ReceiverVideoConstraints\",\"constraints\":{"
                          "\"d-v0\":{\"maxHeight\":-1}},\"selectedSources\":null}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.last_n, ==, 3);
    g_assert_cmpuint(g_strv_length(p.selected_sources), ==, 1);
    g_assert_cmpuint(g_hash_table_size(p.constraints), ==, 1);
    g_assert_true(g_hash_table_contains(p.constraints, "d-v0"));

    g_assert_cmpint(parse("{\"colibriClass\":\"LastNChangedEvent\",\"lastN\":-1}", &msg), ==,
                    BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.last_n, ==, -1);
    g_assert_cmpuint(p.applied, ==, 3);

    /* Bad values are refused whole: nothing changes. */
    const char *bad[] = {
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":\"5\"}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":-2}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":1.5}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"selectedSources\":\"a\"}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"onStageSources\":[1]}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"defaultConstraints\":{}}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"defaultConstraints\":{\"maxHeight\":"
        "99999}}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"constraints\":[]}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"constraints\":{\"a\":{\"maxHeight\":"
        "180,\"maxFrameRate\":\"x\"}}}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"assumedBandwidthBps\":true}",
        "{\"colibriClass\":\"LastNChangedEvent\"}",
        "{\"colibriClass\":\"LastNChangedEvent\",\"lastN\":1e300}",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++)
        expect_status(bad[i], BRIDGE_CHANNEL_DROP_INVALID);

    /* A list longer than the limit. */
    GString *s =
        g_string_new("{\"colibriClass\":\"ReceiverVideoConstraints\",\"selectedSources\":[");
    for (int i = 0; i <= BRIDGE_CHANNEL_MAX_LIST; i++)
        g_string_append_printf(s, "%s\"s%d\"", i ? "," : "", i);
    g_string_append(s, "]}");
    expect_status(s->str, BRIDGE_CHANNEL_DROP_INVALID);
    g_string_free(s, TRUE);

    /* Classes that are not preferences do not apply. */
    g_assert_cmpint(parse("{\"colibriClass\":\"ClientHello\"}", &msg), ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_false(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    bridge_channel_prefs_clear(&p);
}

static void test_prefs_video_type_and_audio(void)
{
    BridgeChannelPrefs p;
    bridge_channel_prefs_init(&p);
    BridgeChannelMsg msg;
    g_assert_cmpint(parse("{\"colibriClass\":\"SourceVideoTypeMessage\",\"sourceName\":\"a-v0\","
                          "\"videoType\":\"desktop\"}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(p.video_types, "a-v0")), ==,
                    BRIDGE_VIDEO_TYPE_DESKTOP);
    g_assert_cmpint(parse("{\"colibriClass\":\"SourceVideoTypeMessage\",\"sourceName\":\"a-v0\","
                          "\"videoType\":\"DESKTOP_HIGH_FPS\"}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(GPOINTER_TO_INT(g_hash_table_lookup(p.video_types, "a-v0")), ==,
                    BRIDGE_VIDEO_TYPE_DESKTOP_HIGH_FPS);
    expect_status("{\"colibriClass\":\"SourceVideoTypeMessage\",\"sourceName\":\"a-v0\","
                  "\"videoType\":\"hologram\"}",
                  BRIDGE_CHANNEL_DROP_INVALID);
    expect_status("{\"colibriClass\":\"SourceVideoTypeMessage\",\"sourceName\":\"\","
                  "\"videoType\":\"camera\"}",
                  BRIDGE_CHANNEL_DROP_INVALID);
    expect_status("{\"colibriClass\":\"SourceVideoTypeMessage\",\"videoType\":\"camera\"}",
                  BRIDGE_CHANNEL_DROP_INVALID);

    /* The table of video types is bounded. */
    for (int i = 0; i < BRIDGE_CHANNEL_MAX_LIST + 5; i++) {
        g_autofree char *t =
            g_strdup_printf("{\"colibriClass\":\"SourceVideoTypeMessage\",\"sourceName\":\"s%d\","
                            "\"videoType\":\"camera\"}",
                            i);
        g_assert_cmpint(parse(t, &msg), ==, BRIDGE_CHANNEL_MSG_OK);
        gboolean stored = bridge_channel_prefs_apply(&p, &msg);
        bridge_channel_msg_clear(&msg);
        g_assert_true(stored == (i < BRIDGE_CHANNEL_MAX_LIST - 1)); /* a-v0 is in there */
    }
    g_assert_cmpuint(g_hash_table_size(p.video_types), ==, BRIDGE_CHANNEL_MAX_LIST);

    /* lib-jitsi-meet's shape. */
    g_assert_cmpint(parse("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Include\","
                          "\"list\":[\"a-a0\",\"b-a0\"]}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_INCLUDE);
    g_assert_cmpuint(g_strv_length(p.audio_list), ==, 2);
    g_assert_cmpint(
        parse("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"All\"}", &msg), ==,
        BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_ALL);
    g_assert_cmpuint(g_strv_length(p.audio_list), ==, 0);
    /* The all/include/exclude shape. */
    g_assert_cmpint(parse("{\"colibriClass\":\"ReceiverAudioSubscription\",\"all\":true,"
                          "\"exclude\":[\"x-a0\"]}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE);
    g_assert_cmpstr(p.audio_list[0], ==, "x-a0");
    g_assert_cmpint(parse("{\"colibriClass\":\"ReceiverAudioSubscription\",\"all\":false}", &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_NONE);

    expect_status("{\"colibriClass\":\"ReceiverAudioSubscription\"}", BRIDGE_CHANNEL_DROP_INVALID);
    expect_status("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Some\"}",
                  BRIDGE_CHANNEL_DROP_INVALID);
    expect_status("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Include\","
                  "\"list\":\"a\"}",
                  BRIDGE_CHANNEL_DROP_INVALID);
    expect_status("{\"colibriClass\":\"ReceiverAudioSubscription\",\"all\":1}",
                  BRIDGE_CHANNEL_DROP_INVALID);

    /* Jitsi Videobridge's current shape: Custom with include and exclude lists. */
    g_assert_cmpint(parse("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Custom\","
                          "\"include\":[\"a-a0\",\"b-a0\",\"c-a0\"],\"exclude\":[\"b-a0\"]}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_INCLUDE);
    g_assert_cmpuint(g_strv_length(p.audio_list), ==, 2);
    g_assert_cmpstr(p.audio_list[1], ==, "c-a0");
    g_assert_cmpint(parse("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Custom\","
                          "\"exclude\":[\"b-a0\"]}",
                          &msg),
                    ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE);
    g_assert_cmpstr(p.audio_list[0], ==, "b-a0");
    g_assert_cmpint(
        parse("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Custom\"}", &msg), ==,
        BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_cmpint(p.audio, ==, BRIDGE_AUDIO_SUBSCRIBE_ALL);
    expect_status("{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Custom\","
                  "\"include\":\"a\"}",
                  BRIDGE_CHANNEL_DROP_INVALID);
    bridge_channel_prefs_clear(&p);
}

/* What the allocation reads from the stored preferences. */
static void test_prefs_for_allocation(void)
{
    BridgeChannelPrefs p;
    bridge_channel_prefs_init(&p);
    g_assert_false(p.video_constraints_received);
    BridgeVideoConstraints c = bridge_channel_prefs_constraints_for(&p, "a-v0");
    g_assert_cmpint(c.max_height, ==, 180);
    BridgeChannelMsg msg;
    g_assert_cmpint(
        parse("{\"colibriClass\":\"ReceiverVideoConstraints\",\"onStageSources\":[\"b-v0\"],"
              "\"selectedSources\":[\"c-v0\",\"a-v0\"],\"defaultConstraints\":{\"maxHeight\":360},"
              "\"constraints\":{\"b-v0\":{\"maxHeight\":720}}}",
              &msg),
        ==, BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_true(p.video_constraints_received);
    g_assert_cmpint(bridge_channel_prefs_constraints_for(&p, "b-v0").max_height, ==, 720);
    g_assert_cmpint(bridge_channel_prefs_constraints_for(&p, "a-v0").max_height, ==, 360);
    g_assert_cmpint(bridge_channel_prefs_constraints_for(&p, NULL).max_height, ==, 360);
    guint idx = 99;
    g_assert_true(bridge_channel_prefs_lists(&p, "b-v0", FALSE, &idx));
    g_assert_cmpuint(idx, ==, 0);
    g_assert_false(bridge_channel_prefs_lists(&p, "b-v0", TRUE, NULL));
    g_assert_true(bridge_channel_prefs_lists(&p, "a-v0", TRUE, &idx));
    g_assert_cmpuint(idx, ==, 1);
    g_assert_false(bridge_channel_prefs_lists(&p, "z-v0", TRUE, NULL));
    /* A LastNChangedEvent is not a ReceiverVideoConstraints, and leaves the rest. */
    bridge_channel_prefs_clear(&p);
    bridge_channel_prefs_init(&p);
    g_assert_cmpint(parse("{\"colibriClass\":\"LastNChangedEvent\",\"lastN\":2}", &msg), ==,
                    BRIDGE_CHANNEL_MSG_OK);
    g_assert_true(bridge_channel_prefs_apply(&p, &msg));
    bridge_channel_msg_clear(&msg);
    g_assert_false(p.video_constraints_received);
    g_assert_cmpint(p.last_n, ==, 2);
    bridge_channel_prefs_clear(&p);
}

/* Parses @text as JSON (a message the bridge sends must be one). */
static json_t *load(const char *text)
{
    json_error_t err;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &err);
    if (!j)
        g_error("%s: %s", text, err.text);
    return j;
}

static void test_server_events(void)
{
    const char *prev[] = {"bob", "alice", "carol", NULL};
    g_autofree char *dom = bridge_channel_dominant_speaker("alice", prev, FALSE);
    json_t *j = load(dom);
    g_assert_cmpstr(json_string_value(json_object_get(j, "colibriClass")), ==,
                    "DominantSpeakerEndpointChangeEvent");
    g_assert_cmpstr(json_string_value(json_object_get(j, "dominantSpeakerEndpoint")), ==, "alice");
    json_t *list = json_object_get(j, "previousSpeakers");
    /* The new dominant speaker is not among its own previous speakers. */
    g_assert_cmpuint(json_array_size(list), ==, 2);
    g_assert_cmpstr(json_string_value(json_array_get(list, 0)), ==, "bob");
    g_assert_cmpstr(json_string_value(json_array_get(list, 1)), ==, "carol");
    g_assert_true(json_is_false(json_object_get(j, "silence")));
    json_decref(j);
    g_autofree char *alone = bridge_channel_dominant_speaker("x\"y", NULL, TRUE);
    j = load(alone);
    g_assert_cmpstr(json_string_value(json_object_get(j, "dominantSpeakerEndpoint")), ==, "x\"y");
    g_assert_cmpuint(json_array_size(json_object_get(j, "previousSpeakers")), ==, 0);
    g_assert_true(json_is_true(json_object_get(j, "silence")));
    json_decref(j);

    g_autofree char *ssc = bridge_channel_sender_source_constraints("a-v0", 360);
    g_assert_cmpstr(ssc, ==,
                    "{\"colibriClass\":\"SenderSourceConstraints\",\"sourceName\":\"a-v0\","
                    "\"maxHeight\":360}");
    g_autofree char *ssc_all = bridge_channel_sender_source_constraints("a-v0", -7);
    j = load(ssc_all);
    g_assert_cmpint(json_integer_value(json_object_get(j, "maxHeight")), ==, -1);
    json_decref(j);

    g_autofree char *stats = bridge_channel_connection_stats(G_GUINT64_CONSTANT(12345678901));
    g_assert_cmpstr(stats, ==,
                    "{\"colibriClass\":\"ConnectionStats\","
                    "\"estimatedDownlinkBandwidth\":12345678901}");
    g_autofree char *on = bridge_channel_connectivity_status("bob", TRUE);
    g_assert_cmpstr(on, ==,
                    "{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\","
                    "\"endpoint\":\"bob\",\"active\":\"true\"}");
    g_autofree char *off = bridge_channel_connectivity_status("bob", FALSE);
    j = load(off);
    g_assert_cmpstr(json_string_value(json_object_get(j, "active")), ==, "false");
    json_decref(j);
    /* None of these is a message a client may send the bridge. */
    const char *sent[] = {dom, ssc, stats, on};
    for (gsize i = 0; i < G_N_ELEMENTS(sent); i++)
        expect_status(sent[i], BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS);
}

static void test_server_messages(void)
{
    g_autofree char *hello = bridge_channel_server_hello("1.2.3");
    g_assert_cmpstr(hello, ==, "{\"colibriClass\":\"ServerHello\",\"version\":\"1.2.3\"}");
    g_autofree char *bare = bridge_channel_server_hello(NULL);
    g_assert_cmpstr(bare, ==, "{\"colibriClass\":\"ServerHello\"}");
    const char *names[] = {"a-v0", "b-v0", NULL};
    g_autofree char *fwd = bridge_channel_forwarded_sources(names);
    g_assert_cmpstr(
        fwd, ==,
        "{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":[\"a-v0\",\"b-v0\"]}");
    g_autofree char *none = bridge_channel_forwarded_sources(NULL);
    g_assert_cmpstr(none, ==, "{\"colibriClass\":\"ForwardedSources\",\"forwardedSources\":[]}");
    /* JVB's form: "active" is a string. */
    g_autofree char *off = bridge_channel_connectivity_status("ab\"c", FALSE);
    g_assert_cmpstr(off, ==,
                    "{\"colibriClass\":\"EndpointConnectivityStatusChangeEvent\",\"endpoint\":"
                    "\"ab\\\"c\",\"active\":\"false\"}");
    g_autofree char *on = bridge_channel_connectivity_status("x", TRUE);
    g_assert_nonnull(strstr(on, "\"active\":\"true\""));
}

static void add_sources(BridgeRegEndpoint *ep, const char *const *video, const char *const *audio)
{
    ep->sources = pa_media_sources_new();
    guint32 ssrc = g_str_hash(ep->id);
    for (const char *const *v = video; v && *v; v++)
        pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, TRUE, *v), ssrc++, *v, NULL);
    for (const char *const *a = audio; a && *a; a++)
        pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, FALSE, *a), ssrc++, *a, NULL);
}

static void test_forwarded_for(void)
{
    BridgeRegistry reg;
    bridge_registry_init(&reg);
    BridgeRegConference *conf = bridge_reg_conference_add(&reg, "c1", NULL);
    BridgeRegEndpoint *a = bridge_reg_endpoint_add(&reg, conf, "a");
    BridgeRegEndpoint *b = bridge_reg_endpoint_add(&reg, conf, "b");
    BridgeRegEndpoint *c = bridge_reg_endpoint_add(&reg, conf, "c"); /* no sources yet */
    const char *av[] = {"a-v0", NULL}, *aa[] = {"a-a0", NULL};
    const char *bv[] = {"b-v1", "b-v0", NULL}, *ba[] = {"b-a0", NULL};
    add_sources(a, av, aa);
    add_sources(b, bv, ba);

    /* Video only, others only, sorted. */
    g_auto(GStrv) for_a = bridge_channel_forwarded_for(a);
    const char *want_a[] = {"b-v0", "b-v1", NULL};
    g_assert_true(g_strv_equal((const char *const *)for_a, want_a));
    g_auto(GStrv) for_c = bridge_channel_forwarded_for(c);
    const char *want_c[] = {"a-v0", "b-v0", "b-v1", NULL};
    g_assert_true(g_strv_equal((const char *const *)for_c, want_c));
    BridgeRegConference *alone = bridge_reg_conference_add(&reg, "c2", NULL);
    g_auto(GStrv) none = bridge_channel_forwarded_for(bridge_reg_endpoint_add(&reg, alone, "z"));
    g_assert_cmpuint(g_strv_length(none), ==, 0);

    /* An endpoint leaving takes its sources with it. */
    bridge_reg_endpoint_remove(&reg, b);
    g_auto(GStrv) after = bridge_channel_forwarded_for(c);
    const char *want_after[] = {"a-v0", NULL};
    g_assert_true(g_strv_equal((const char *const *)after, want_after));
    bridge_registry_clear(&reg);
}

static void test_names(void)
{
    g_assert_cmpstr(bridge_channel_drop_reason_name(BRIDGE_CHANNEL_DROP_TOO_LARGE), ==,
                    "too_large");
    g_assert_cmpstr(bridge_channel_drop_reason_name(BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS), ==,
                    "unknown_class");
    g_assert_cmpstr(bridge_channel_drop_reason_name(BRIDGE_CHANNEL_DROP_RATE_LIMITED), ==,
                    "rate_limited");
    g_assert_cmpstr(bridge_channel_drop_reason_name(BRIDGE_CHANNEL_MSG_OK), ==, "ok");
    for (int r = 0; r < BRIDGE_CHANNEL_DROP_N_REASONS; r++)
        g_assert_cmpstr(bridge_channel_drop_reason_name(r), !=, "?");
    for (int r = 0; r < BRIDGE_CHANNEL_REFUSED_N_REASONS; r++)
        g_assert_cmpstr(bridge_channel_refusal_name(r), !=, "?");
    g_assert_cmpstr(bridge_channel_refusal_name(BRIDGE_CHANNEL_REFUSED_BAD_PASSWORD), ==,
                    "bad_password");
}

/* Random bytes and mutated valid messages never crash and always get a status. */
static void test_garbage(void)
{
    const char *seeds[] = {
        "{\"colibriClass\":\"EndpointMessage\",\"to\":\"b\",\"msgPayload\":{\"x\":[1,2,{}]}}",
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"constraints\":{\"a\":{\"maxHeight\":1}}}",
        "{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Include\",\"list\":[\"a\"]}",
    };
    GRand *rand = g_rand_new_with_seed(7);
    for (int round = 0; round < 3000; round++) {
        const char *seed = seeds[round % G_N_ELEMENTS(seeds)];
        gsize len = strlen(seed);
        char buf[256];
        memcpy(buf, seed, len);
        int flips = g_rand_int_range(rand, 1, 6);
        for (int f = 0; f < flips; f++)
            buf[g_rand_int_range(rand, 0, (gint32)len)] = (char)g_rand_int_range(rand, 0, 256);
        gsize cut = round % 7 == 0 ? (gsize)g_rand_int_range(rand, 0, (gint32)len) : len;
        BridgeChannelMsg msg;
        g_autofree char *why = NULL;
        BridgeChannelMsgStatus st = bridge_channel_msg_parse(buf, cut, &msg, &why);
        if (st == BRIDGE_CHANNEL_MSG_OK) {
            BridgeChannelPrefs p;
            bridge_channel_prefs_init(&p);
            bridge_channel_prefs_apply(&p, &msg);
            bridge_channel_prefs_clear(&p);
            if (msg.klass == BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE)
                g_free(bridge_channel_msg_relay_text(&msg, "a"));
        } else {
            g_assert_nonnull(why);
        }
        bridge_channel_msg_clear(&msg);
    }
    g_rand_free(rand);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/channel-msg/bad-input", test_bad_input);
    g_test_add_func("/channel-msg/too-large", test_too_large);
    g_test_add_func("/channel-msg/endpoint-message", test_endpoint_message);
    g_test_add_func("/channel-msg/endpoint-stats", test_endpoint_stats);
    g_test_add_func("/channel-msg/routing", test_routing);
    g_test_add_func("/channel-msg/prefs-video-constraints", test_prefs_video_constraints);
    g_test_add_func("/channel-msg/prefs-video-type-and-audio", test_prefs_video_type_and_audio);
    g_test_add_func("/channel-msg/server-messages", test_server_messages);
    g_test_add_func("/channel-msg/server-events", test_server_events);
    g_test_add_func("/channel-msg/prefs-for-allocation", test_prefs_for_allocation);
    g_test_add_func("/channel-msg/forwarded-for", test_forwarded_for);
    g_test_add_func("/channel-msg/names", test_names);
    g_test_add_func("/channel-msg/garbage", test_garbage);
    return g_test_run();
}
