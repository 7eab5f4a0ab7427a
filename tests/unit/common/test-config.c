/* SPDX-License-Identifier: MIT */
#include "common/config.h"
#include "common/xmpp/jid.h"

#include <glib/gstdio.h>
#include <stddef.h>

typedef struct {
    char *domain;
    int port;
    gboolean verbose;
    char **admins;
    char *secret;
} Cfg;

static const PaSetting schema[] = {
    {"xmpp.domain", PA_SETTING_STRING, NULL, 0, 0, offsetof(Cfg, domain), pa_config_check_domain,
     "XMPP domain"},
    {"xmpp.port", PA_SETTING_INT, "5347", 1, 65535, offsetof(Cfg, port), NULL, "component port"},
    {"log.verbose", PA_SETTING_BOOL, "false", 0, 0, offsetof(Cfg, verbose), NULL, "verbose"},
    {"focus.admins", PA_SETTING_STRING_LIST, "", 0, 0, offsetof(Cfg, admins),
     pa_config_check_bare_jid, "admins"},
    {"xmpp.secret", PA_SETTING_STRING, NULL, 0, 0, offsetof(Cfg, secret), NULL, "secret"},
};

static char *write_tmp(const char *text)
{
    char *path = NULL;
    int fd = g_file_open_tmp("parley-cfg-XXXXXX.conf", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_true(g_file_set_contents(path, text, -1, NULL));
    close(fd);
    return path;
}

static gboolean load(const char *text, char **overrides, Cfg *cfg, GError **error)
{
    g_autofree char *path = text ? write_tmp(text) : NULL;
    gboolean ok = pa_config_load(schema, G_N_ELEMENTS(schema), cfg, path, overrides, error);
    if (path)
        g_unlink(path);
    return ok;
}

static void test_file_and_defaults(void)
{
    Cfg cfg = {0};
    g_autoptr(GError) err = NULL;
    g_assert_true(load("[xmpp]\ndomain = Meet.Example.org\nsecret = s3cr=t;x\n"
                       "[focus]\nadmins = a@b.org , c@d.org,\n",
                       NULL, &cfg, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(cfg.domain, ==, "Meet.Example.org");
    g_assert_cmpint(cfg.port, ==, 5347);
    g_assert_false(cfg.verbose);
    g_assert_cmpstr(cfg.secret, ==, "s3cr=t;x");
    g_assert_cmpuint(g_strv_length(cfg.admins), ==, 2);
    g_assert_cmpstr(cfg.admins[1], ==, "c@d.org");
    pa_config_clear(schema, G_N_ELEMENTS(schema), &cfg);
    g_assert_null(cfg.domain);
}

static void test_overrides_win(void)
{
    Cfg cfg = {0};
    g_autoptr(GError) err = NULL;
    char *ov[] = {"xmpp.port=6000", "log.verbose=yes", "xmpp.secret=x", NULL};
    g_assert_true(load("[xmpp]\ndomain = a.org\nport = 5000\n", ov, &cfg, &err));
    g_assert_cmpint(cfg.port, ==, 6000);
    g_assert_true(cfg.verbose);
    pa_config_clear(schema, G_N_ELEMENTS(schema), &cfg);
}

static void expect_error(const char *text, char **ov, int code, const char *prefix)
{
    Cfg cfg = {0};
    g_autoptr(GError) err = NULL;
    g_assert_false(load(text, ov, &cfg, &err));
    g_assert_error(err, PA_CONFIG_ERROR, code);
    if (!g_str_has_prefix(err->message, prefix))
        g_error("message '%s' does not start with '%s'", err->message, prefix);
    g_assert_null(cfg.domain);
}

static void test_errors_name_setting(void)
{
    char *secret[] = {"xmpp.secret=x", NULL};
    expect_error("[xmpp]\ndomain = a.org\nport = http\n", secret, PA_CONFIG_ERROR_INVALID,
                 "xmpp.port: expected an integer from 1 to 65535, got 'http'");
    expect_error("[xmpp]\ndomain = a.org\nport = 70000\n", secret, PA_CONFIG_ERROR_INVALID,
                 "xmpp.port:");
    expect_error("[xmpp]\ndomain = not a domain\n", secret, PA_CONFIG_ERROR_INVALID,
                 "xmpp.domain: must be a domain name");
    expect_error("[xmpp]\ndomian = a.org\n", secret, PA_CONFIG_ERROR_UNKNOWN,
                 "xmpp.domian: no such setting");
    expect_error("[xmpp]\ndomain = a.org\n", NULL, PA_CONFIG_ERROR_MISSING,
                 "xmpp.secret: required setting is missing");
    expect_error("[log]\nverbose = maybe\n", secret, PA_CONFIG_ERROR_INVALID,
                 "log.verbose: expected true or false");
    expect_error("[focus]\nadmins = a@b.org, x/y@z\n[xmpp]\ndomain=a.org\n", secret,
                 PA_CONFIG_ERROR_INVALID, "focus.admins: must be");
    expect_error("this is not ini\n", secret, PA_CONFIG_ERROR_FILE, "config file");
    char *bad[] = {"nonsense", NULL};
    expect_error("[xmpp]\ndomain = a.org\n", bad, PA_CONFIG_ERROR_INVALID, "'nonsense'");
    char *unknown[] = {"xmpp.nope=1", NULL};
    expect_error("[xmpp]\ndomain = a.org\n", unknown, PA_CONFIG_ERROR_UNKNOWN, "xmpp.nope");
}

static void test_missing_file(void)
{
    Cfg cfg = {0};
    g_autoptr(GError) err = NULL;
    g_assert_false(
        pa_config_load(schema, G_N_ELEMENTS(schema), &cfg, "/nonexistent/x.conf", NULL, &err));
    g_assert_error(err, PA_CONFIG_ERROR, PA_CONFIG_ERROR_FILE);
    g_assert_nonnull(strstr(err->message, "/nonexistent/x.conf"));
}

static void test_describe(void)
{
    g_autofree char *d = pa_config_describe(schema, G_N_ELEMENTS(schema));
    g_assert_nonnull(strstr(d, "xmpp.port"));
    g_assert_nonnull(strstr(d, "(default: 5347)"));
    g_assert_nonnull(strstr(d, "(required)"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/file-and-defaults", test_file_and_defaults);
    g_test_add_func("/config/overrides", test_overrides_win);
    g_test_add_func("/config/errors", test_errors_name_setting);
    g_test_add_func("/config/missing-file", test_missing_file);
    g_test_add_func("/config/describe", test_describe);
    return g_test_run();
}
