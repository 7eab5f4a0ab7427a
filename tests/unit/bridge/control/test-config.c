/* SPDX-License-Identifier: MIT */
/* parley-bridge settings: derived defaults and errors that name the setting. */
#include <glib/gstdio.h>
#include <string.h>

#include "bridge/control/config.h"
#include "common/config.h"

#define BASE "xmpp.domain=Meet.Parley.Test", "xmpp.password=pw", "ice.addresses=127.0.0.1"

static void test_derived(void)
{
    char *ov[] = {BASE, NULL};
    BridgeConfig cfg;
    g_autoptr(GError) err = NULL;
    g_assert_true(bridge_config_load(&cfg, NULL, ov, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(cfg.xmpp_user, ==, "jvb@auth.Meet.Parley.Test");
    g_assert_cmpstr(cfg.xmpp_brewery, ==, "jvbbrewery@internal.auth.Meet.Parley.Test");
    /* focus JIDs are stored normalised (domain lower-cased). */
    g_assert_cmpstr(cfg.xmpp_focus_jids[0], ==, "focus.meet.parley.test");
    g_assert_null(cfg.xmpp_focus_jids[1]);
    g_assert_true(g_str_has_prefix(cfg.xmpp_nickname, "jvb-"));
    g_assert_true(g_str_has_prefix(cfg.xmpp_resource, "parley-bridge-"));
    g_assert_cmpstr(cfg.bridge_id, ==, cfg.xmpp_nickname);
    g_assert_cmpstr(cfg.http_public_url, ==, "http://127.0.0.1:8080");
    g_assert_cmpint(cfg.xmpp_port, ==, 5222);
    g_assert_cmpint(cfg.ice_port, ==, 10000); /* one port per bridge, like Jitsi's */
    g_assert_cmpint(cfg.media_workers, ==, 0);
    g_assert_cmpint(cfg.media_ice_timeout_seconds, ==, 30);
    g_assert_cmpint(cfg.media_timeout_seconds, ==, 60);
    g_assert_cmpstr(cfg.bridge_region, ==, "default");
    g_assert_cmpint(cfg.bridge_presence_interval_seconds, ==, 5);

    /* Two processes get different nicknames and resources. */
    BridgeConfig other;
    g_assert_true(bridge_config_load(&other, NULL, ov, NULL));
    g_assert_cmpstr(other.xmpp_nickname, !=, cfg.xmpp_nickname);
    g_assert_cmpstr(other.xmpp_resource, !=, cfg.xmpp_resource);
    bridge_config_clear(&other);
    bridge_config_clear(&cfg);
}

static void test_file_and_explicit(void)
{
    const char *text = "[xmpp]\ndomain = example.org\npassword = s3cr=t\nnickname = jvb-1\n"
                       "focus_jids = focus.example.org, admin@example.org\n"
                       "[ice]\naddresses = 192.0.2.1, 127.0.0.1\npublic_address = 198.51.100.7\n"
                       "[http]\npublic_url = https://meet.example.org/\n"
                       "[bridge]\nid = b1\nregion = eu-west\n";
    char *path = NULL;
    int fd = g_file_open_tmp("bridge-XXXXXX.conf", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    char *ov[] = {"http.port=9000", NULL};
    BridgeConfig cfg;
    g_autoptr(GError) err = NULL;
    gboolean ok = bridge_config_load(&cfg, path, ov, &err);
    g_unlink(path);
    g_free(path);
    g_assert_no_error(err);
    g_assert_true(ok);
    g_assert_cmpstr(cfg.xmpp_password, ==, "s3cr=t");
    g_assert_cmpstr(cfg.xmpp_nickname, ==, "jvb-1");
    g_assert_cmpstr(cfg.bridge_id, ==, "b1");
    g_assert_cmpstr(cfg.bridge_region, ==, "eu-west");
    g_assert_cmpuint(g_strv_length(cfg.xmpp_focus_jids), ==, 2);
    g_assert_cmpstr(cfg.xmpp_focus_jids[1], ==, "admin@example.org");
    g_assert_cmpuint(g_strv_length(cfg.ice_addresses), ==, 2);
    g_assert_cmpstr(cfg.ice_public_address, ==, "198.51.100.7");
    g_assert_cmpint(cfg.http_port, ==, 9000);
    /* Trailing slash dropped so that URLs can be appended. */
    g_assert_cmpstr(cfg.http_public_url, ==, "https://meet.example.org");
    bridge_config_clear(&cfg);
}

typedef struct {
    const char *override;
    const char *prefix;
} BadCase;

static void test_errors(void)
{
    static const BadCase cases[] = {
        {"xmpp.port=0", "xmpp.port: expected an integer from 1 to 65535"},
        {"xmpp.port=http", "xmpp.port: expected an integer"},
        {"xmpp.host=not a host", "xmpp.host: must be a host name or an IP address"},
        {"xmpp.domain=bad domain", "xmpp.domain: must be a domain name"},
        {"xmpp.user=auth.example.org", "xmpp.user: must be a bare JID with a local part"},
        {"xmpp.brewery=room@muc/nick", "xmpp.brewery: must be a bare JID"},
        {"xmpp.nickname=a b", "xmpp.nickname: may contain only"},
        {"xmpp.focus_jids=focus.x/res", "xmpp.focus_jids: must be a bare JID"},
        {"ice.addresses=localhost", "ice.addresses: must be an IP address"},
        {"ice.addresses=,", "ice.addresses: at least one"},
        {"ice.public_address=example.org", "ice.public_address: must be an IP address"},
        {"ice.port=0", "ice.port: expected an integer from 1 to 65535"},
        {"ice.port_min=20000", "ice.port_min: no such setting"}, /* the range is gone */
        {"media.workers=1000", "media.workers: expected an integer from 0 to 256"},
        {"media.ice_timeout_seconds=0", "media.ice_timeout_seconds: expected an integer"},
        {"http.address=localhost", "http.address: must be an IP address"},
        {"http.public_url=ftp://x", "http.public_url: must start with http:// or https://"},
        {"http.public_url=https://x/?a=b", "http.public_url: must not have a query"},
        {"bridge.id=a/b", "bridge.id: may contain only"},
        {"log.level=loud", "log.level: must be error, warning, info or debug"},
        {"xmpp.tls=off", "xmpp.tls: must be auto, required or insecure"},
        {"xmpp.tls_pin=AB:CD", "xmpp.tls_pin: must be a SHA-256 certificate fingerprint"},
        {"xmpp.tls_pin="
         "zz00000000000000000000000000000000000000000000000000000000000000",
         "xmpp.tls_pin: must be a SHA-256"},
        {"xmpp.tls_ca_file=/nonexistent/ca.pem", "xmpp.tls_ca_file: must be a readable file"},
        {"xmpp.secret=x", "xmpp.secret: no such setting"},
        {"nonsense", "'nonsense': a command-line setting must look like group.key=value"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *ov[] = {BASE, (char *)cases[i].override, NULL};
        BridgeConfig cfg;
        GError *err = NULL;
        if (bridge_config_load(&cfg, NULL, ov, &err))
            g_error("case %s: accepted", cases[i].override);
        if (!g_str_has_prefix(err->message, cases[i].prefix))
            g_error("case %s: message '%s' does not start with '%s'", cases[i].override,
                    err->message, cases[i].prefix);
        g_assert_null(cfg.xmpp_domain); /* cleared on failure */
        g_error_free(err);
    }
    /* Required settings. */
    char *no_password[] = {"xmpp.domain=x.org", "ice.addresses=127.0.0.1", NULL};
    BridgeConfig cfg;
    GError *err = NULL;
    g_assert_false(bridge_config_load(&cfg, NULL, no_password, &err));
    g_assert_true(g_str_has_prefix(err->message, "xmpp.password: required"));
    g_clear_error(&err);
    char *no_addresses[] = {"xmpp.domain=x.org", "xmpp.password=p", NULL};
    g_assert_false(bridge_config_load(&cfg, NULL, no_addresses, &err));
    g_assert_true(g_str_has_prefix(err->message, "ice.addresses: required"));
    g_clear_error(&err);
    g_assert_false(bridge_config_load(&cfg, "/nonexistent/bridge.conf", NULL, &err));
    g_assert_error(err, PA_CONFIG_ERROR, PA_CONFIG_ERROR_FILE);
    g_clear_error(&err);
}

/* TLS to the XMPP server: auto by default; a pin in any usual spelling is stored as 64
 * lowercase hex digits; insecure with a pin or CA file is a contradiction. */
static void test_tls(void)
{
    BridgeConfig cfg;
    char *def[] = {BASE, NULL};
    g_assert_true(bridge_config_load(&cfg, NULL, def, NULL));
    g_assert_cmpstr(cfg.xmpp_tls, ==, "auto");
    g_assert_null(cfg.xmpp_tls_pin);
    g_assert_null(cfg.xmpp_tls_ca_file);
    bridge_config_clear(&cfg);
    static const char *const pins[] = {
        "xmpp.tls_pin=5E:CD:77:CB:76:C8:19:F2:05:13:41:B5:65:69:03:4E:AE:8A:CC:D3:C4:CA:B0:F8:"
        "2D:4A:2E:2F:D1:48:B1:0E",
        "xmpp.tls_pin=sha256:5ecd77cb76c819f2051341b56569034eae8accd3c4cab0f82d4a2e2fd148b10e",
        "xmpp.tls_pin=SHA-256:5ECD77CB76C819F2051341B56569034EAE8ACCD3C4CAB0F82D4A2E2FD148B10E",
    };
    for (guint i = 0; i < G_N_ELEMENTS(pins); i++) {
        char *ov[] = {BASE, (char *)pins[i], NULL};
        g_assert_true(bridge_config_load(&cfg, NULL, ov, NULL));
        g_assert_cmpstr(cfg.xmpp_tls_pin, ==,
                        "5ecd77cb76c819f2051341b56569034eae8accd3c4cab0f82d4a2e2fd148b10e");
        bridge_config_clear(&cfg);
    }
    char *bad[] = {BASE, "xmpp.tls=insecure", (char *)pins[1], NULL};
    g_autoptr(GError) err = NULL;
    g_assert_false(bridge_config_load(&cfg, NULL, bad, &err));
    g_assert_true(g_str_has_prefix(err->message, "xmpp.tls: insecure verifies nothing"));
}

static void test_describe(void)
{
    g_autofree char *text = bridge_config_describe();
    static const char *names[] = {"xmpp.host",
                                  "xmpp.port",
                                  "xmpp.domain",
                                  "xmpp.user",
                                  "xmpp.password",
                                  "xmpp.resource",
                                  "xmpp.brewery",
                                  "xmpp.nickname",
                                  "xmpp.focus_jids",
                                  "ice.addresses",
                                  "ice.public_address",
                                  "ice.port",
                                  "media.workers",
                                  "media.ice_timeout_seconds",
                                  "media.media_timeout_seconds",
                                  "http.address",
                                  "http.port",
                                  "http.public_url",
                                  "bridge.region",
                                  "bridge.id",
                                  "log.level"};
    for (gsize i = 0; i < G_N_ELEMENTS(names); i++)
        if (!strstr(text, names[i]))
            g_error("--help does not list %s", names[i]);
}

/* docs/bridge.md has a row for every setting the schema knows, with the schema's default:
 * the admin page cannot drift from --help. */
static void test_documented(void)
{
    g_autofree char *doc = NULL;
    g_assert_true(g_file_get_contents(TEST_SRCDIR "/../../docs/bridge.md", &doc, NULL, NULL));
    g_autofree char *help = bridge_config_describe();
    g_auto(GStrv) lines = g_strsplit(help, "\n", -1);
    guint checked = 0;
    for (char **l = lines + 1; *l && **l; l++) {
        g_auto(GStrv) words = g_strsplit(g_strstrip(*l), " ", 2);
        const char *name = words[0];
        g_autofree char *cell = g_strdup_printf("\n| `%s` | ", name);
        const char *row = strstr(doc, cell);
        if (!row)
            g_error("docs/bridge.md has no settings row for %s", name);
        g_autofree char *row_text = g_strndup(row + 1, strcspn(row + 1, "\n"));
        const char *def = strstr(*l, "(default: ");
        if (def) {
            g_autofree char *value = g_strndup(def + 10, strcspn(def + 10, ")"));
            if (strcmp(value, "empty") == 0) {
                if (!strstr(row_text, "| derived: ") && !strstr(row_text, "| empty |"))
                    g_error("%s: the row should say 'derived: ...' or 'empty': %s", name, row_text);
            } else {
                g_autofree char *want = g_strdup_printf("| `%s` |", value);
                if (!strstr(row_text, want))
                    g_error("%s: the row should show the default `%s`: %s", name, value, row_text);
            }
        } else if (!strstr(row_text, "| required |")) {
            g_error("%s: the row should say required: %s", name, row_text);
        }
        checked++;
    }
    g_assert_cmpuint(checked, >=, 20);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bridge-config/derived", test_derived);
    g_test_add_func("/bridge-config/file-and-explicit", test_file_and_explicit);
    g_test_add_func("/bridge-config/errors", test_errors);
    g_test_add_func("/bridge-config/tls", test_tls);
    g_test_add_func("/bridge-config/describe", test_describe);
    g_test_add_func("/bridge-config/documented", test_documented);
    return g_test_run();
}
