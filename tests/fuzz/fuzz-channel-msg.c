/* SPDX-License-Identifier: MIT */
/* Fuzz target: a colibri-ws text frame as the bridge receives it from a client
 * (bridge_channel_msg_parse over the raw bytes, then what the bridge does with a message:
 * the relayed text with "from", and the receiver preferences). Checks, besides "no crash, no
 * leak": the status is a known drop reason or OK, with a JSON object exactly for OK and
 * unknown classes and a reason for every drop; the message's own JSON, written out again,
 * parses to the same verdict; a relayed EndpointMessage/EndpointStats is JSON the bridge
 * itself would accept, naming the bridge's "from"; preferences stay in their documented
 * ranges and applying the same message twice changes nothing more than once; the messages
 * the bridge sends (dominant speaker, sender constraints, connectivity), built from the
 * source names a client sent, are JSON that carries those names back unchanged. */
#include <jansson.h>
#include <math.h>
#include <string.h>

#include "bridge/control/channel-msg.h"
#include "fuzz-xmpp.h"

static char *dump_strv(char **v)
{
    GString *out = g_string_new("[");
    guint n = 0;
    for (char **p = v; p && *p; p++, n++)
        fuzz_dump_str(out, "", *p);
    FUZZ_CHECK(n <= BRIDGE_CHANNEL_MAX_LIST);
    g_string_append(out, " ]");
    return g_string_free(out, FALSE);
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The keys of @h, sorted (the container owns the strings). */
static GPtrArray *sorted_keys(GHashTable *h)
{
    GPtrArray *keys = g_ptr_array_new();
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, h);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(keys, k);
    g_ptr_array_sort(keys, cmp_str);
    return keys;
}

static char *dump_prefs(const BridgeChannelPrefs *p)
{
    FUZZ_CHECK(p->last_n >= -1 && p->last_n <= 100000);
    FUZZ_CHECK(p->selected_sources && p->on_stage_sources && p->audio_list);
    FUZZ_CHECK(p->assumed_bandwidth_bps >= -1);
    FUZZ_CHECK(p->audio <= BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE);
    FUZZ_CHECK(p->audio == BRIDGE_AUDIO_SUBSCRIBE_INCLUDE ||
               p->audio == BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE || !p->audio_list[0]);
    FUZZ_CHECK(g_hash_table_size(p->constraints) <= BRIDGE_CHANNEL_MAX_LIST);
    FUZZ_CHECK(g_hash_table_size(p->video_types) <= BRIDGE_CHANNEL_MAX_LIST);
    GString *out = g_string_new(NULL);
    char *sel = dump_strv(p->selected_sources), *stage = dump_strv(p->on_stage_sources),
         *audio = dump_strv(p->audio_list);
    g_string_append_printf(
        out, "last-n=%d selected=%s on-stage=%s audio=%d %s bw=%" G_GINT64_FORMAT "\n", p->last_n,
        sel, stage, p->audio, audio, p->assumed_bandwidth_bps);
    g_free(sel);
    g_free(stage);
    g_free(audio);
    const BridgeVideoConstraints *all[] = {&p->default_constraints};
    GPtrArray *keys = sorted_keys(p->constraints);
    for (guint i = 0; i <= keys->len; i++) {
        const BridgeVideoConstraints *c =
            i == 0 ? all[0] : g_hash_table_lookup(p->constraints, keys->pdata[i - 1]);
        FUZZ_CHECK(c->max_height >= -1 && c->max_height <= 65535);
        FUZZ_CHECK(isfinite(c->max_frame_rate) && c->max_frame_rate >= -1 &&
                   c->max_frame_rate <= 1000);
        fuzz_dump_str(out, "constraints", i == 0 ? "(default)" : keys->pdata[i - 1]);
        g_string_append_printf(out, " %d %.17g\n", c->max_height, c->max_frame_rate);
    }
    g_ptr_array_unref(keys);
    keys = sorted_keys(p->video_types);
    for (guint i = 0; i < keys->len; i++) {
        int t = GPOINTER_TO_INT(g_hash_table_lookup(p->video_types, keys->pdata[i]));
        FUZZ_CHECK(t >= BRIDGE_VIDEO_TYPE_CAMERA && t <= BRIDGE_VIDEO_TYPE_NONE);
        fuzz_dump_str(out, "video-type", keys->pdata[i]);
        g_string_append_printf(out, " %d\n", t);
    }
    g_ptr_array_unref(keys);
    return g_string_free(out, FALSE);
}

static void check_prefs(const BridgeChannelMsg *msg)
{
    gboolean pref = msg->klass == BRIDGE_CHANNEL_CLASS_RECEIVER_VIDEO_CONSTRAINTS ||
                    msg->klass == BRIDGE_CHANNEL_CLASS_LAST_N ||
                    msg->klass == BRIDGE_CHANNEL_CLASS_SOURCE_VIDEO_TYPE ||
                    msg->klass == BRIDGE_CHANNEL_CLASS_RECEIVER_AUDIO_SUBSCRIPTION;
    BridgeChannelPrefs p;
    bridge_channel_prefs_init(&p);
    FUZZ_CHECK(bridge_channel_prefs_apply(&p, msg) == pref);
    FUZZ_CHECK(p.applied == (pref ? 1u : 0u));
    char *once = dump_prefs(&p);
    FUZZ_CHECK(bridge_channel_prefs_apply(&p, msg) == pref);
    char *twice = dump_prefs(&p);
    fuzz_check_same("preferences after applying the message again", once, twice);
    g_free(once);
    g_free(twice);
    bridge_channel_prefs_clear(&p);
}

/* A relayed message is sent to other clients, and must be one the bridge itself accepts. */
static void check_relay(BridgeChannelMsg *msg)
{
    char *text = bridge_channel_msg_relay_text(msg, "fuzzfrom");
    FUZZ_CHECK(text != NULL);
    BridgeChannelMsg again;
    char *why = NULL;
    BridgeChannelMsgStatus st = bridge_channel_msg_parse(text, strlen(text), &again, &why);
    if (st != BRIDGE_CHANNEL_MSG_OK) {
        fprintf(stderr, "%s: %s\n%s\n", bridge_channel_drop_reason_name(st), why, text);
        fuzz_fail("relayed message refused");
    } else {
        FUZZ_CHECK(again.klass == msg->klass);
        fuzz_check_same("relayed to", msg->to, again.to);
        json_t *from = json_object_get(again.json, "from");
        FUZZ_CHECK(json_is_string(from) && strcmp(json_string_value(from), "fuzzfrom") == 0);
    }
    bridge_channel_msg_clear(&again);
    g_free(why);
    g_free(text);
}

static json_t *load_sent(const char *text, const char *klass)
{
    FUZZ_CHECK(text != NULL);
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
    FUZZ_CHECK(json_is_object(j));
    FUZZ_CHECK(strcmp(json_string_value(json_object_get(j, "colibriClass")), klass) == 0);
    return j;
}

/* The bridge's own messages about names a client chose (its selected sources). */
static void check_builders(const BridgeChannelMsg *msg)
{
    if (msg->klass != BRIDGE_CHANNEL_CLASS_RECEIVER_VIDEO_CONSTRAINTS)
        return;
    json_t *sel = json_object_get(msg->json, "selectedSources");
    if (!json_is_array(sel) || json_array_size(sel) == 0)
        return;
    GPtrArray *names = g_ptr_array_new();
    size_t i;
    json_t *e;
    json_array_foreach(sel, i, e)
    {
        g_ptr_array_add(names, (gpointer)json_string_value(e));
    }
    g_ptr_array_add(names, NULL);
    const char *first = names->pdata[0];
    char *dom = bridge_channel_dominant_speaker(first, (const char *const *)names->pdata, FALSE);
    json_t *j = load_sent(dom, "DominantSpeakerEndpointChangeEvent");
    FUZZ_CHECK(strcmp(json_string_value(json_object_get(j, "dominantSpeakerEndpoint")), first) ==
               0);
    json_t *prev = json_object_get(j, "previousSpeakers");
    json_array_foreach(prev, i, e)
    {
        FUZZ_CHECK(strcmp(json_string_value(e), first) != 0);
    }
    json_decref(j);
    g_free(dom);
    char *ssc = bridge_channel_sender_source_constraints(first, (int)json_array_size(sel) - 2);
    j = load_sent(ssc, "SenderSourceConstraints");
    FUZZ_CHECK(strcmp(json_string_value(json_object_get(j, "sourceName")), first) == 0);
    FUZZ_CHECK(json_integer_value(json_object_get(j, "maxHeight")) >= -1);
    json_decref(j);
    g_free(ssc);
    char *conn = bridge_channel_connectivity_status(first, json_array_size(sel) % 2);
    j = load_sent(conn, "EndpointConnectivityStatusChangeEvent");
    FUZZ_CHECK(strcmp(json_string_value(json_object_get(j, "endpoint")), first) == 0);
    json_decref(j);
    g_free(conn);
    g_ptr_array_unref(names);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    BridgeChannelMsg msg;
    char *why = NULL;
    BridgeChannelMsgStatus st = bridge_channel_msg_parse((const char *)data, size, &msg, &why);
    FUZZ_CHECK(st == BRIDGE_CHANNEL_MSG_OK || (st >= 0 && st < BRIDGE_CHANNEL_DROP_N_REASONS));
    FUZZ_CHECK(strcmp(bridge_channel_drop_reason_name(st), "?") != 0);
    gboolean has_json = st == BRIDGE_CHANNEL_MSG_OK || st == BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS;
    FUZZ_CHECK((msg.json != NULL) == has_json);
    FUZZ_CHECK(!has_json || json_is_object(msg.json));
    FUZZ_CHECK((st == BRIDGE_CHANNEL_MSG_OK) == (why == NULL));
    FUZZ_CHECK(st != BRIDGE_CHANNEL_MSG_OK || msg.klass != BRIDGE_CHANNEL_CLASS_UNKNOWN);
    FUZZ_CHECK(st != BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS ||
               msg.klass == BRIDGE_CHANNEL_CLASS_UNKNOWN);
    FUZZ_CHECK(!msg.to || (*msg.to && msg.klass == BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE));
    if (size > BRIDGE_CHANNEL_MSG_MAX_BYTES)
        FUZZ_CHECK(st == BRIDGE_CHANNEL_DROP_TOO_LARGE);
    else if (!g_utf8_validate_len((const char *)data, size, NULL))
        FUZZ_CHECK(st == BRIDGE_CHANNEL_DROP_NOT_JSON);

    BridgeChannelMsg m0;
    FUZZ_CHECK(bridge_channel_msg_parse((const char *)data, size, &m0, NULL) == st);
    bridge_channel_msg_clear(&m0);

    if (has_json) {
        /* Written out again (as the bridge would relay it), the same verdict. */
        char *text = json_dumps(msg.json, JSON_COMPACT);
        FUZZ_CHECK(text != NULL);
        if (strlen(text) <= BRIDGE_CHANNEL_MSG_MAX_BYTES) {
            BridgeChannelMsg m2;
            BridgeChannelMsgStatus st2 = bridge_channel_msg_parse(text, strlen(text), &m2, NULL);
            FUZZ_CHECK(st2 == st && m2.klass == msg.klass);
            fuzz_check_same("message target after dump and parse", msg.to, m2.to);
            bridge_channel_msg_clear(&m2);
        }
        free(text);
        if (st == BRIDGE_CHANNEL_MSG_OK) {
            check_prefs(&msg);
            check_builders(&msg);
            if (msg.klass == BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE ||
                msg.klass == BRIDGE_CHANNEL_CLASS_ENDPOINT_STATS)
                check_relay(&msg);
        }
    }
    g_free(why);
    bridge_channel_msg_clear(&msg);
    return 0;
}
