/* SPDX-License-Identifier: MIT */
/* /metrics text: Prometheus exposition format from a snapshot. */
#include <string.h>

#include "bridge/control/metrics.h"
#include "bridge/srtp/srtp.h"

static BridgeMetricsSnapshot sample(void)
{
    BridgeMetricsSnapshot s = {0};
    s.media.packets_in = 1000;
    s.media.bytes_in = 123456;
    s.media.packets_out = 2000;
    s.media.bytes_out = 654321;
    s.media.rtp_forwarded = 1900;
    for (int r = 0; r < BRIDGE_DROP_N_REASONS; r++)
        s.media.drops[r] = 10 + r;
    s.media.ice_failures = 3;
    s.media.dtls_failures = 4;
    s.media.endpoints_connected = 2;
    s.media.rtcp_in = 501;
    s.media.port = 10000;
    s.media.flows = 6;
    s.media.steering = TRUE;
    s.media.handed_over = 601;
    s.media.ice_checks_answered = 602;
    s.media.ice_checks_sent = 603;
    s.media.keyframe_requests = 502;
    s.media.nacks_forwarded = 503;
    s.media.sr_forwarded = 504;
    s.media.rr_sent = 505;
    s.channel.open = 3;
    s.channel.opened = 7;
    s.channel.replaced = 1;
    for (int r = 0; r < BRIDGE_CHANNEL_REFUSED_N_REASONS; r++)
        s.channel.refused[r] = 30 + r;
    s.channel.messages_in = 4000;
    s.channel.messages_out = 8000;
    for (int r = 0; r < BRIDGE_CHANNEL_DROP_N_REASONS; r++)
        s.channel.dropped[r] = 40 + r;
    s.channel.undeliverable = 9;
    s.conferences = 1;
    s.endpoints = 2;
    s.xmpp_connected = TRUE;
    s.in_brewery = TRUE;
    s.healthy = TRUE;
    s.srtp_backend = "openssl";
    s.protect_ns_gcm = 812.25;
    s.protect_ns_cm = -1;
    s.version = "0.1.0";
    s.bridge_id = "jvb-\"1\"\\x";
    s.region = "eu";
    s.uptime_seconds = 12.5;
    s.selection.bwe_receivers = 3;
    s.selection.bwe_limited = 1;
    s.selection.bwe_sum_bps = 5500000;
    s.selection.bwe_min_bps = 500000;
    s.selection.bwe_buckets[1] = 1; /* <= 500 kbit/s */
    s.selection.bwe_buckets[2] = 1;
    s.selection.bwe_buckets[3] = 2; /* <= 2 Mbit/s */
    s.media.tcc_feedback_in = 77;
    s.media.padding_sent = 12;
    return s;
}

/* Value of the sample line that starts with @series followed by a space. */
static const char *value_of(const char *text, const char *series)
{
    g_autofree char *needle = g_strdup_printf("\n%s ", series);
    const char *p = strstr(text, needle);
    if (!p)
        g_error("no sample %s in:\n%s", series, text);
    return p + strlen(needle);
}

static void expect(const char *text, const char *series, const char *value)
{
    const char *v = value_of(text, series);
    if (strncmp(v, value, strlen(value)) != 0 || v[strlen(value)] != '\n')
        g_error("%s: expected %s, got %.20s", series, value, v);
}

static void test_values(void)
{
    BridgeMetricsSnapshot s = sample();
    g_autofree char *text = bridge_metrics_format(&s);
    expect(text, "parley_bridge_conferences", "1");
    expect(text, "parley_bridge_bwe_receivers", "3");
    expect(text, "parley_bridge_bwe_limited_receivers", "1");
    expect(text, "parley_bridge_bwe_estimate_min_bits_per_second", "500000");
    expect(text, "parley_bridge_bwe_estimate_bits_per_second_bucket{le=\"500000\"}", "1");
    expect(text, "parley_bridge_bwe_estimate_bits_per_second_bucket{le=\"2000000\"}", "2");
    expect(text, "parley_bridge_bwe_estimate_bits_per_second_bucket{le=\"+Inf\"}", "3");
    expect(text, "parley_bridge_bwe_estimate_bits_per_second_sum", "5500000");
    expect(text, "parley_bridge_bwe_estimate_bits_per_second_count", "3");
    expect(text, "parley_bridge_tcc_feedback_received_total", "77");
    expect(text, "parley_bridge_probe_padding_packets_total", "12");
    expect(text, "parley_bridge_endpoints", "2");
    expect(text, "parley_bridge_endpoints_connected", "2");
    expect(text, "parley_bridge_packets_received_total", "1000");
    expect(text, "parley_bridge_bytes_received_total", "123456");
    expect(text, "parley_bridge_packets_sent_total", "2000");
    expect(text, "parley_bridge_bytes_sent_total", "654321");
    expect(text, "parley_bridge_rtp_forwarded_total", "1900");
    expect(text, "parley_bridge_ice_failures_total", "3");
    expect(text, "parley_bridge_dtls_failures_total", "4");
    expect(text, "parley_bridge_xmpp_connected", "1");
    expect(text, "parley_bridge_healthy", "1");
    expect(text, "parley_bridge_uptime_seconds", "12.5");
    for (int r = 0; r < BRIDGE_DROP_N_REASONS; r++) {
        g_autofree char *series = g_strdup_printf(
            "parley_bridge_packets_dropped_total{reason=\"%s\"}", bridge_drop_reason_name(r));
        g_autofree char *v = g_strdup_printf("%d", 10 + r);
        expect(text, series, v);
    }
    expect(text, "parley_bridge_srtp_backend_info{backend=\"openssl\"}", "1");
    g_autofree char *gcm = g_strdup_printf("parley_bridge_srtp_protect_ns{profile=\"%s\"}",
                                           bridge_srtp_profile_name(BRIDGE_SRTP_AEAD_AES_128_GCM));
    expect(text, gcm, "812.2");
    expect(text, "parley_bridge_rtcp_received_total", "501");
    expect(text, "parley_bridge_keyframe_requests_total", "502");
    expect(text, "parley_bridge_nacks_forwarded_total", "503");
    expect(text, "parley_bridge_sender_reports_forwarded_total", "504");
    expect(text, "parley_bridge_receiver_reports_sent_total", "505");
    expect(text, "parley_bridge_media_port", "10000");
    expect(text, "parley_bridge_media_flows", "6");
    expect(text, "parley_bridge_media_steering", "1");
    expect(text, "parley_bridge_packets_handed_over_total", "601");
    expect(text, "parley_bridge_ice_checks_answered_total", "602");
    expect(text, "parley_bridge_ice_checks_sent_total", "603");
    expect(text, "parley_bridge_packets_dropped_total{reason=\"unknown_address\"}",
           "18"); /* junk from nobody's address: 10 + BRIDGE_DROP_UNKNOWN_ADDRESS */
    expect(text, "parley_bridge_channels_open", "3");
    expect(text, "parley_bridge_channels_opened_total", "7");
    expect(text, "parley_bridge_channels_replaced_total", "1");
    expect(text, "parley_bridge_channel_messages_received_total", "4000");
    expect(text, "parley_bridge_channel_messages_sent_total", "8000");
    expect(text, "parley_bridge_channel_messages_undeliverable_total", "9");
    for (int r = 0; r < BRIDGE_CHANNEL_REFUSED_N_REASONS; r++) {
        g_autofree char *series = g_strdup_printf(
            "parley_bridge_channels_refused_total{reason=\"%s\"}", bridge_channel_refusal_name(r));
        g_autofree char *v = g_strdup_printf("%d", 30 + r);
        expect(text, series, v);
    }
    for (int r = 0; r < BRIDGE_CHANNEL_DROP_N_REASONS; r++) {
        g_autofree char *series =
            g_strdup_printf("parley_bridge_channel_messages_dropped_total{reason=\"%s\"}",
                            bridge_channel_drop_reason_name(r));
        g_autofree char *v = g_strdup_printf("%d", 40 + r);
        expect(text, series, v);
    }
    /* Not measured: no sample rather than a made-up one. */
    g_assert_null(strstr(text, bridge_srtp_profile_name(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80)));
    /* Label values are escaped. */
    g_assert_nonnull(strstr(text, "bridge_id=\"jvb-\\\"1\\\"\\\\x\""));
}

/* Every sample belongs to a family announced with # HELP and # TYPE before it; counters end
 * in _total; the text ends with a newline. */
static void test_format(void)
{
    BridgeMetricsSnapshot s = sample();
    s.xmpp_connected = FALSE;
    g_autofree char *text = bridge_metrics_format(&s);
    g_assert_true(g_str_has_suffix(text, "\n"));
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    g_autoptr(GHashTable) types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    g_autoptr(GHashTable) helps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    guint samples = 0;
    for (char **l = lines; *l; l++) {
        if (!**l)
            continue;
        if (g_str_has_prefix(*l, "# HELP ")) {
            g_auto(GStrv) f = g_strsplit(*l + 7, " ", 2);
            g_assert_nonnull(f[1]);
            g_hash_table_add(helps, g_strdup(f[0]));
            continue;
        }
        if (g_str_has_prefix(*l, "# TYPE ")) {
            g_auto(GStrv) f = g_strsplit(*l + 7, " ", 2);
            g_assert_true(g_strcmp0(f[1], "gauge") == 0 || g_strcmp0(f[1], "counter") == 0 ||
                          g_strcmp0(f[1], "histogram") == 0);
            g_assert_false(g_hash_table_contains(types, f[0])); /* one TYPE per family */
            g_hash_table_insert(types, g_strdup(f[0]), g_strdup(f[1]));
            continue;
        }
        g_assert_false(g_str_has_prefix(*l, "#"));
        gsize n = strcspn(*l, "{ ");
        g_autofree char *name = g_strndup(*l, n);
        const char *type = g_hash_table_lookup(types, name);
        if (!type) { /* a histogram's samples: <family>_bucket, _sum, _count */
            static const char *const suffixes[] = {"_bucket", "_sum", "_count"};
            for (guint k = 0; k < G_N_ELEMENTS(suffixes) && !type; k++) {
                if (!g_str_has_suffix(name, suffixes[k]))
                    continue;
                name[strlen(name) - strlen(suffixes[k])] = '\0';
                type = g_hash_table_lookup(types, name);
                if (g_strcmp0(type, "histogram") != 0)
                    type = NULL;
            }
        }
        if (!type || !g_hash_table_contains(helps, name))
            g_error("sample '%s' without HELP/TYPE", *l);
        if (strcmp(type, "counter") == 0)
            g_assert_true(g_str_has_suffix(name, "_total"));
        const char *value = strrchr(*l, ' ');
        g_assert_nonnull(value);
        char *end = NULL;
        g_ascii_strtod(value + 1, &end);
        g_assert_true(end && *end == '\0');
        samples++;
    }
    g_assert_cmpuint(samples, >=, 20);
    expect(text, "parley_bridge_xmpp_connected", "0");
}

/* docs/bridge.md explains every metric family the bridge exports. */
static void test_documented(void)
{
    g_autofree char *doc = NULL;
    g_assert_true(g_file_get_contents(TEST_SRCDIR "/../../docs/bridge.md", &doc, NULL, NULL));
    BridgeMetricsSnapshot s = sample();
    g_autofree char *text = bridge_metrics_format(&s);
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    guint checked = 0;
    for (char **l = lines; *l; l++) {
        if (!g_str_has_prefix(*l, "# TYPE "))
            continue;
        g_autofree char *name = g_strndup(*l + 7, strcspn(*l + 7, " "));
        g_autofree char *cell = g_strdup_printf("| `%s", name);
        const char *p = strstr(doc, cell);
        /* The name must end there (`name`) or go on with its labels (`name{...}`). */
        while (p && p[strlen(cell)] != '`' && p[strlen(cell)] != '{')
            p = strstr(p + 1, cell);
        if (!p)
            g_error("docs/bridge.md does not document the metric %s", name);
        checked++;
    }
    g_assert_cmpuint(checked, >=, 30);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bridge-metrics/values", test_values);
    g_test_add_func("/bridge-metrics/format", test_format);
    g_test_add_func("/bridge-metrics/documented", test_documented);
    return g_test_run();
}
