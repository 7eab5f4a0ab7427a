/* SPDX-License-Identifier: MIT */
/* Pure: see channel-msg.h. */
#include "bridge/control/channel-msg.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/colibri/colibri.h"

static const char *const drop_names[BRIDGE_CHANNEL_DROP_N_REASONS] = {
    "too_large", "not_json", "not_object", "no_class", "invalid", "unknown_class", "rate_limited",
};

const char *bridge_channel_drop_reason_name(BridgeChannelMsgStatus s)
{
    if (s == BRIDGE_CHANNEL_MSG_OK)
        return "ok";
    return s >= 0 && s < BRIDGE_CHANNEL_DROP_N_REASONS ? drop_names[s] : "?";
}

static const char *const refusal_names[BRIDGE_CHANNEL_REFUSED_N_REASONS] = {
    "unknown_bridge",
    "unknown_endpoint",
    "bad_password",
};

const char *bridge_channel_refusal_name(BridgeChannelRefusal r)
{
    return r < BRIDGE_CHANNEL_REFUSED_N_REASONS ? refusal_names[r] : "?";
}

/* ---- validation helpers: each returns NULL when fine, else a reason (static text) ---- */

/* Absent and null both mean "not given" (Jitsi's messages leave optional fields null). */
static json_t *field(const json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_null(v) ? NULL : v;
}

/* An integer in [@min, @max]; a real with an integral value counts (JavaScript has one number
 * type). */
static gboolean as_int(const json_t *v, gint64 min, gint64 max, gint64 *out)
{
    gint64 n;
    if (json_is_integer(v)) {
        n = json_integer_value(v);
    } else if (json_is_real(v)) {
        double d = json_real_value(v);
        if (!isfinite(d) || d != floor(d) || d < -9.0e15 || d > 9.0e15)
            return FALSE;
        n = (gint64)d;
    } else {
        return FALSE;
    }
    if (n < min || n > max)
        return FALSE;
    if (out)
        *out = n;
    return TRUE;
}

static gboolean as_number(const json_t *v, double min, double max, double *out)
{
    if (!json_is_number(v))
        return FALSE;
    double d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return FALSE;
    if (out)
        *out = d;
    return TRUE;
}

static gboolean string_list_ok(const json_t *v)
{
    if (!json_is_array(v) || json_array_size(v) > BRIDGE_CHANNEL_MAX_LIST)
        return FALSE;
    size_t i;
    json_t *e;
    json_array_foreach(v, i, e)
    {
        if (!json_is_string(e))
            return FALSE;
    }
    return TRUE;
}

#define MAX_LAST_N 100000
#define MAX_HEIGHT 65535
#define MAX_FRAME_RATE 1000.0
#define MAX_BANDWIDTH_BPS G_GINT64_CONSTANT(1000000000000) /* 1 Tbit/s */

/* {"maxHeight": int, "maxFrameRate": number?} as Jitsi's VideoConstraints. */
static const char *check_constraints(const json_t *v)
{
    if (!json_is_object(v))
        return "constraints must be objects";
    json_t *h = field(v, "maxHeight");
    if (!h || !as_int(h, -1, MAX_HEIGHT, NULL))
        return "maxHeight must be an integer from -1 to 65535";
    json_t *f = field(v, "maxFrameRate");
    if (f && !as_number(f, -1, MAX_FRAME_RATE, NULL))
        return "maxFrameRate must be a number from -1 to 1000";
    return NULL;
}

static const char *check_video_constraints(const json_t *m)
{
    json_t *v;
    if ((v = field(m, "lastN")) && !as_int(v, -1, MAX_LAST_N, NULL))
        return "lastN must be an integer from -1";
    if ((v = field(m, "selectedSources")) && !string_list_ok(v))
        return "selectedSources must be a list of strings";
    if ((v = field(m, "onStageSources")) && !string_list_ok(v))
        return "onStageSources must be a list of strings";
    if ((v = field(m, "defaultConstraints"))) {
        const char *why = check_constraints(v);
        if (why)
            return why;
    }
    if ((v = field(m, "constraints"))) {
        if (!json_is_object(v) || json_object_size(v) > BRIDGE_CHANNEL_MAX_LIST)
            return "constraints must be an object of source name to constraints";
        const char *key;
        json_t *c;
        json_object_foreach(v, key, c)
        {
            const char *why = check_constraints(c);
            if (why)
                return why;
        }
    }
    if ((v = field(m, "assumedBandwidthBps")) && !as_int(v, -1, MAX_BANDWIDTH_BPS, NULL))
        return "assumedBandwidthBps must be an integer from -1";
    return NULL;
}

static gboolean video_type_from(const char *s, BridgeVideoType *out)
{
    static const struct {
        const char *name;
        BridgeVideoType t;
    } types[] = {{"camera", BRIDGE_VIDEO_TYPE_CAMERA},
                 {"desktop", BRIDGE_VIDEO_TYPE_DESKTOP},
                 {"desktop_high_fps", BRIDGE_VIDEO_TYPE_DESKTOP_HIGH_FPS},
                 {"none", BRIDGE_VIDEO_TYPE_NONE}};
    for (gsize i = 0; s && i < G_N_ELEMENTS(types); i++) {
        /* Jitsi Videobridge reads enum names case-insensitively ("CAMERA", "camera"). */
        if (g_ascii_strcasecmp(s, types[i].name) == 0) {
            if (out)
                *out = types[i].t;
            return TRUE;
        }
    }
    return FALSE;
}

static const char *check_source_video_type(const json_t *m)
{
    json_t *name = field(m, "sourceName");
    if (!json_is_string(name) || json_string_length(name) == 0)
        return "sourceName must be a non-empty string";
    json_t *type = field(m, "videoType");
    if (!json_is_string(type) || !video_type_from(json_string_value(type), NULL))
        return "videoType must be camera, desktop, desktop_high_fps or none";
    return NULL;
}

/* "Custom" (current Jitsi Videobridge: include and exclude lists) is returned as -1. */
static gboolean audio_mode_from(const char *s, int *out)
{
    static const char *const modes[] = {"All", "None", "Include", "Exclude"};
    if (s && g_ascii_strcasecmp(s, "Custom") == 0) {
        if (out)
            *out = -1;
        return TRUE;
    }
    for (gsize i = 0; s && i < G_N_ELEMENTS(modes); i++) {
        if (g_ascii_strcasecmp(s, modes[i]) == 0) {
            if (out)
                *out = (int)i;
            return TRUE;
        }
    }
    return FALSE;
}

/* Three shapes: {"mode": "All|None|Include|Exclude", "list": [...]}; Jitsi Videobridge's
 * current {"mode": "Custom", "include": [...], "exclude": [...]}; and {"all": bool,
 * "include": [...], "exclude": [...]}. */
static const char *check_audio_subscription(const json_t *m)
{
    json_t *mode = field(m, "mode");
    if (mode) {
        int mode_v = 0;
        if (!json_is_string(mode) || !audio_mode_from(json_string_value(mode), &mode_v))
            return "mode must be All, None, Include, Exclude or Custom";
        json_t *list = field(m, "list");
        if (list && !string_list_ok(list))
            return "list must be a list of strings";
        json_t *inc = field(m, "include"), *exc = field(m, "exclude");
        if (mode_v < 0 && ((inc && !string_list_ok(inc)) || (exc && !string_list_ok(exc))))
            return "include and exclude must be lists of strings";
        return NULL;
    }
    json_t *all = field(m, "all"), *inc = field(m, "include"), *exc = field(m, "exclude");
    if (!all && !inc && !exc)
        return "needs mode (or all/include/exclude)";
    if (all && !json_is_boolean(all))
        return "all must be true or false";
    if ((inc && !string_list_ok(inc)) || (exc && !string_list_ok(exc)))
        return "include and exclude must be lists of strings";
    return NULL;
}

/* ---- parsing ---- */

static const struct {
    const char *name;
    BridgeChannelClass klass;
} classes[] = {
    {"ClientHello", BRIDGE_CHANNEL_CLASS_CLIENT_HELLO},
    {"EndpointMessage", BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE},
    {"EndpointStats", BRIDGE_CHANNEL_CLASS_ENDPOINT_STATS},
    {"ReceiverVideoConstraints", BRIDGE_CHANNEL_CLASS_RECEIVER_VIDEO_CONSTRAINTS},
    {"LastNChangedEvent", BRIDGE_CHANNEL_CLASS_LAST_N},
    {"SourceVideoTypeMessage", BRIDGE_CHANNEL_CLASS_SOURCE_VIDEO_TYPE},
    {"ReceiverAudioSubscription", BRIDGE_CHANNEL_CLASS_RECEIVER_AUDIO_SUBSCRIPTION},
};

static BridgeChannelMsgStatus fail(BridgeChannelMsg *out, BridgeChannelMsgStatus st, char **why,
                                   char *text)
{
    bridge_channel_msg_clear(out);
    if (why)
        *why = text;
    else
        g_free(text);
    return st;
}

BridgeChannelMsgStatus bridge_channel_msg_parse(const char *data, gsize len, BridgeChannelMsg *out,
                                                char **why)
{
    memset(out, 0, sizeof *out);
    if (why)
        *why = NULL;
    if (len > BRIDGE_CHANNEL_MSG_MAX_BYTES)
        return fail(out, BRIDGE_CHANNEL_DROP_TOO_LARGE, why,
                    g_strdup_printf("%" G_GSIZE_FORMAT " bytes, more than %d", len,
                                    BRIDGE_CHANNEL_MSG_MAX_BYTES));
    if (!data || !g_utf8_validate_len(data, len, NULL))
        return fail(out, BRIDGE_CHANNEL_DROP_NOT_JSON, why, g_strdup("not UTF-8 text"));

    json_error_t err;
    /* DECODE_ANY so that a bare scalar reads as "not an object" rather than "not JSON";
     * duplicate keys are refused as Jitsi Videobridge does. jansson bounds nesting depth. */
    out->json = json_loadb(data, len, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &err);
    if (!out->json)
        return fail(out, BRIDGE_CHANNEL_DROP_NOT_JSON, why,
                    g_strdup_printf("not JSON: %s at offset %d", err.text, err.position));
    if (!json_is_object(out->json))
        return fail(out, BRIDGE_CHANNEL_DROP_NOT_OBJECT, why, g_strdup("not a JSON object"));
    json_t *cls = json_object_get(out->json, "colibriClass");
    if (!json_is_string(cls))
        return fail(out, BRIDGE_CHANNEL_DROP_NO_CLASS, why, g_strdup("no colibriClass string"));
    const char *name = json_string_value(cls);

    out->klass = BRIDGE_CHANNEL_CLASS_UNKNOWN;
    for (gsize i = 0; i < G_N_ELEMENTS(classes); i++)
        if (strcmp(name, classes[i].name) == 0)
            out->klass = classes[i].klass;

    const char *bad = NULL;
    json_t *v;
    switch (out->klass) {
    case BRIDGE_CHANNEL_CLASS_UNKNOWN:
        if (why)
            *why = g_strdup_printf("unknown colibriClass %.64s", name);
        return BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS;
    case BRIDGE_CHANNEL_CLASS_CLIENT_HELLO:
    case BRIDGE_CHANNEL_CLASS_ENDPOINT_STATS:
        break;
    case BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE:
        v = field(out->json, "to");
        if (v && !json_is_string(v))
            bad = "to must be a string";
        else if (!json_object_get(out->json, "msgPayload"))
            bad = "msgPayload is missing";
        else if (v && json_string_length(v) > 0)
            out->to = json_string_value(v);
        break;
    case BRIDGE_CHANNEL_CLASS_RECEIVER_VIDEO_CONSTRAINTS:
        bad = check_video_constraints(out->json);
        break;
    case BRIDGE_CHANNEL_CLASS_LAST_N:
        v = field(out->json, "lastN");
        if (!v || !as_int(v, -1, MAX_LAST_N, NULL))
            bad = "lastN must be an integer from -1";
        break;
    case BRIDGE_CHANNEL_CLASS_SOURCE_VIDEO_TYPE:
        bad = check_source_video_type(out->json);
        break;
    case BRIDGE_CHANNEL_CLASS_RECEIVER_AUDIO_SUBSCRIPTION:
        bad = check_audio_subscription(out->json);
        break;
    }
    if (bad)
        return fail(out, BRIDGE_CHANNEL_DROP_INVALID, why, g_strdup_printf("%s: %s", name, bad));
    return BRIDGE_CHANNEL_MSG_OK;
}

void bridge_channel_msg_clear(BridgeChannelMsg *msg)
{
    if (msg->json)
        json_decref(msg->json);
    memset(msg, 0, sizeof *msg);
}

/* json_dumps allocates with jansson's allocator (malloc); hand out GLib memory. */
static char *dump(const json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    if (!s)
        return NULL;
    char *copy = g_strdup(s);
    free(s);
    return copy;
}

char *bridge_channel_msg_relay_text(const BridgeChannelMsg *msg, const char *from_endpoint)
{
    g_return_val_if_fail(msg->json && from_endpoint, NULL);
    json_object_set_new(msg->json, "from", json_string(from_endpoint));
    return dump(msg->json);
}

/* ---- routing ---- */

gboolean bridge_channel_route_includes(const char *from, const char *to, const char *candidate)
{
    if (!candidate || g_strcmp0(candidate, from) == 0)
        return FALSE;
    return !to || !*to || strcmp(to, candidate) == 0;
}

gboolean bridge_channel_stats_relayed(guint endpoints)
{
    return endpoints < BRIDGE_CHANNEL_STATS_MAX_ENDPOINTS;
}

/* ---- receiver preferences ---- */

void bridge_channel_prefs_init(BridgeChannelPrefs *p)
{
    memset(p, 0, sizeof *p);
    p->last_n = -1;
    p->selected_sources = g_new0(char *, 1);
    p->on_stage_sources = g_new0(char *, 1);
    p->default_constraints = (BridgeVideoConstraints){180, -1};
    p->constraints = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    p->assumed_bandwidth_bps = -1;
    p->video_types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    p->audio = BRIDGE_AUDIO_SUBSCRIBE_ALL;
    p->audio_list = g_new0(char *, 1);
}

void bridge_channel_prefs_clear(BridgeChannelPrefs *p)
{
    g_strfreev(p->selected_sources);
    g_strfreev(p->on_stage_sources);
    g_strfreev(p->audio_list);
    if (p->constraints)
        g_hash_table_destroy(p->constraints);
    if (p->video_types)
        g_hash_table_destroy(p->video_types);
    memset(p, 0, sizeof *p);
}

/* A validated list of strings (or NULL: empty). */
static char **strv_from(const json_t *list)
{
    GStrvBuilder *b = g_strv_builder_new();
    size_t i;
    json_t *e;
    if (list) {
        json_array_foreach(list, i, e)
        {
            g_strv_builder_add(b, json_string_value(e));
        }
    }
    char **v = g_strv_builder_end(b);
    g_strv_builder_unref(b);
    return v;
}

static void replace_strv(char ***dst, const json_t *list)
{
    g_strfreev(*dst);
    *dst = strv_from(list);
}

static BridgeVideoConstraints constraints_from(const json_t *v)
{
    gint64 h = -1;
    double f = -1;
    as_int(field(v, "maxHeight"), -1, MAX_HEIGHT, &h);
    json_t *fr = field(v, "maxFrameRate");
    if (fr)
        as_number(fr, -1, MAX_FRAME_RATE, &f);
    return (BridgeVideoConstraints){(int)h, f};
}

static void apply_video_constraints(BridgeChannelPrefs *p, const json_t *m)
{
    json_t *v;
    gint64 n;
    if ((v = field(m, "lastN")) && as_int(v, -1, MAX_LAST_N, &n))
        p->last_n = (int)n;
    if ((v = field(m, "selectedSources")))
        replace_strv(&p->selected_sources, v);
    if ((v = field(m, "onStageSources")))
        replace_strv(&p->on_stage_sources, v);
    if ((v = field(m, "defaultConstraints")))
        p->default_constraints = constraints_from(v);
    if ((v = field(m, "constraints"))) {
        g_hash_table_remove_all(p->constraints);
        const char *key;
        json_t *c;
        json_object_foreach(v, key, c)
        {
            BridgeVideoConstraints *vc = g_new(BridgeVideoConstraints, 1);
            *vc = constraints_from(c);
            g_hash_table_replace(p->constraints, g_strdup(key), vc);
        }
    }
    if ((v = field(m, "assumedBandwidthBps")) && as_int(v, -1, MAX_BANDWIDTH_BPS, &n))
        p->assumed_bandwidth_bps = n;
}

static gboolean apply_source_video_type(BridgeChannelPrefs *p, const json_t *m)
{
    const char *name = json_string_value(field(m, "sourceName"));
    BridgeVideoType t = BRIDGE_VIDEO_TYPE_CAMERA;
    video_type_from(json_string_value(field(m, "videoType")), &t);
    /* An endpoint has a handful of sources: a bounded table keeps a misbehaving client from
     * growing it without end. */
    if (!g_hash_table_contains(p->video_types, name) &&
        g_hash_table_size(p->video_types) >= BRIDGE_CHANNEL_MAX_LIST)
        return FALSE;
    g_hash_table_replace(p->video_types, g_strdup(name), GINT_TO_POINTER(t));
    return TRUE;
}

/* Custom (or the all/include/exclude shape): a non-empty include list is what is heard,
 * less what is excluded; otherwise everyone but the exclude list. */
static void apply_include_exclude(BridgeChannelPrefs *p, gboolean everyone, const json_t *inc,
                                  const json_t *exc)
{
    if (!everyone && inc && json_array_size(inc) > 0) {
        GStrvBuilder *b = g_strv_builder_new();
        size_t i, j;
        json_t *e, *x;
        json_array_foreach(inc, i, e)
        {
            gboolean excluded = FALSE;
            json_array_foreach(exc, j, x)
            {
                excluded |= g_strcmp0(json_string_value(x), json_string_value(e)) == 0;
            }
            if (!excluded)
                g_strv_builder_add(b, json_string_value(e));
        }
        g_strfreev(p->audio_list);
        p->audio_list = g_strv_builder_end(b);
        g_strv_builder_unref(b);
        p->audio = p->audio_list[0] ? BRIDGE_AUDIO_SUBSCRIBE_INCLUDE : BRIDGE_AUDIO_SUBSCRIBE_NONE;
        return;
    }
    gboolean some_excluded = exc && json_array_size(exc) > 0;
    p->audio = some_excluded ? BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE : BRIDGE_AUDIO_SUBSCRIBE_ALL;
    replace_strv(&p->audio_list, some_excluded ? exc : NULL);
}

static void apply_audio_subscription(BridgeChannelPrefs *p, const json_t *m)
{
    json_t *mode = field(m, "mode");
    int mode_v = 0;
    if (mode && audio_mode_from(json_string_value(mode), &mode_v) && mode_v < 0) {
        json_t *inc = field(m, "include");
        apply_include_exclude(p, !inc || json_array_size(inc) == 0, inc, field(m, "exclude"));
        return;
    }
    if (mode) {
        p->audio = (BridgeAudioSubscription)mode_v;
        replace_strv(&p->audio_list, p->audio == BRIDGE_AUDIO_SUBSCRIBE_INCLUDE ||
                                             p->audio == BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE
                                         ? field(m, "list")
                                         : NULL);
        return;
    }
    json_t *all = field(m, "all"), *inc = field(m, "include"), *exc = field(m, "exclude");
    gboolean everyone = all ? json_is_true(all) : inc == NULL;
    if (everyone) {
        gboolean some_excluded = exc && json_array_size(exc) > 0;
        p->audio = some_excluded ? BRIDGE_AUDIO_SUBSCRIBE_EXCLUDE : BRIDGE_AUDIO_SUBSCRIBE_ALL;
        replace_strv(&p->audio_list, some_excluded ? exc : NULL);
    } else {
        gboolean some_included = inc && json_array_size(inc) > 0;
        p->audio = some_included ? BRIDGE_AUDIO_SUBSCRIBE_INCLUDE : BRIDGE_AUDIO_SUBSCRIBE_NONE;
        replace_strv(&p->audio_list, some_included ? inc : NULL);
    }
}

gboolean bridge_channel_prefs_apply(BridgeChannelPrefs *p, const BridgeChannelMsg *msg)
{
    gint64 n = -1;
    switch (msg->klass) {
    case BRIDGE_CHANNEL_CLASS_RECEIVER_VIDEO_CONSTRAINTS:
        apply_video_constraints(p, msg->json);
        p->video_constraints_received = TRUE;
        break;
    case BRIDGE_CHANNEL_CLASS_LAST_N:
        as_int(field(msg->json, "lastN"), -1, MAX_LAST_N, &n);
        p->last_n = (int)n;
        break;
    case BRIDGE_CHANNEL_CLASS_SOURCE_VIDEO_TYPE:
        if (!apply_source_video_type(p, msg->json))
            return FALSE;
        break;
    case BRIDGE_CHANNEL_CLASS_RECEIVER_AUDIO_SUBSCRIPTION:
        apply_audio_subscription(p, msg->json);
        break;
    default:
        return FALSE;
    }
    p->applied++;
    return TRUE;
}

BridgeVideoConstraints bridge_channel_prefs_constraints_for(const BridgeChannelPrefs *p,
                                                            const char *source_name)
{
    const BridgeVideoConstraints *c =
        source_name ? g_hash_table_lookup(p->constraints, source_name) : NULL;
    return c ? *c : p->default_constraints;
}

gboolean bridge_channel_prefs_lists(const BridgeChannelPrefs *p, const char *source_name,
                                    gboolean selected, guint *index)
{
    char **list = selected ? p->selected_sources : p->on_stage_sources;
    for (guint i = 0; source_name && list[i]; i++) {
        if (strcmp(list[i], source_name) == 0) {
            if (index)
                *index = i;
            return TRUE;
        }
    }
    return FALSE;
}

/* ---- what the bridge sends ---- */

char *bridge_channel_server_hello(const char *version)
{
    json_t *j = json_pack("{s:s}", "colibriClass", "ServerHello");
    if (version)
        json_object_set_new(j, "version", json_string(version));
    char *s = dump(j);
    json_decref(j);
    return s;
}

char *bridge_channel_forwarded_sources(const char *const *names)
{
    json_t *list = json_array();
    for (const char *const *n = names; n && *n; n++)
        json_array_append_new(list, json_string(*n));
    json_t *j =
        json_pack("{s:s,s:o}", "colibriClass", "ForwardedSources", "forwardedSources", list);
    char *s = dump(j);
    json_decref(j);
    return s;
}

char *bridge_channel_dominant_speaker(const char *endpoint, const char *const *previous,
                                      gboolean silence)
{
    g_return_val_if_fail(endpoint, NULL);
    json_t *list = json_array();
    for (const char *const *e = previous; e && *e; e++)
        if (strcmp(*e, endpoint) != 0)
            json_array_append_new(list, json_string(*e));
    json_t *j = json_pack("{s:s,s:s,s:o,s:b}", "colibriClass", "DominantSpeakerEndpointChangeEvent",
                          "dominantSpeakerEndpoint", endpoint, "previousSpeakers", list, "silence",
                          silence ? 1 : 0);
    char *s = dump(j);
    json_decref(j);
    return s;
}

static json_t *str_array(const char *const *v)
{
    json_t *list = json_array();
    for (; v && *v; v++)
        json_array_append_new(list, json_string(*v));
    return list;
}

char *bridge_channel_last_n_endpoints(const char *const *last_n, const char *const *entering,
                                      const char *const *conference)
{
    json_t *j = json_pack("{s:s,s:o,s:o,s:o}", "colibriClass", "LastNEndpointsChangeEvent",
                          "lastNEndpoints", str_array(last_n), "endpointsEnteringLastN",
                          str_array(entering), "conferenceEndpoints", str_array(conference));
    char *s = dump(j);
    json_decref(j);
    return s;
}

char *bridge_channel_sender_source_constraints(const char *source, int max_height)
{
    g_return_val_if_fail(source, NULL);
    json_t *j = json_pack("{s:s,s:s,s:i}", "colibriClass", "SenderSourceConstraints", "sourceName",
                          source, "maxHeight", max_height < -1 ? -1 : max_height);
    char *s = dump(j);
    json_decref(j);
    return s;
}

char *bridge_channel_connection_stats(guint64 bps)
{
    json_t *j =
        json_pack("{s:s,s:I}", "colibriClass", "ConnectionStats", "estimatedDownlinkBandwidth",
                  (json_int_t)(bps > G_MAXINT64 ? G_MAXINT64 : bps));
    char *s = dump(j);
    json_decref(j);
    return s;
}

char *bridge_channel_connectivity_status(const char *endpoint, gboolean active)
{
    g_return_val_if_fail(endpoint, NULL);
    json_t *j = json_pack("{s:s,s:s,s:s}", "colibriClass", "EndpointConnectivityStatusChangeEvent",
                          "endpoint", endpoint, "active", active ? "true" : "false");
    char *s = dump(j);
    json_decref(j);
    return s;
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

char **bridge_channel_forwarded_for(const BridgeRegEndpoint *receiver)
{
    GPtrArray *names = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, receiver->conference->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        const BridgeRegEndpoint *ep = v;
        if (ep == receiver || !ep->sources)
            continue;
        for (guint i = 0; i < ep->sources->len; i++) {
            const PaMediaSource *ms = &g_array_index(ep->sources, PaMediaSource, i);
            if (ms->video && ms->id && *ms->id)
                g_ptr_array_add(names, ms->id);
        }
    }
    g_ptr_array_sort(names, cmp_str);
    char **out = g_new0(char *, names->len + 1);
    guint n = 0;
    for (guint i = 0; i < names->len; i++)
        if (n == 0 || strcmp(out[n - 1], names->pdata[i]) != 0)
            out[n++] = g_strdup(names->pdata[i]);
    g_ptr_array_unref(names);
    return out;
}
