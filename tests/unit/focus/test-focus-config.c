/* SPDX-License-Identifier: MIT */
/* parley-focus settings and command line: defaults and derived names, errors that name the
 * setting, the CLI options. */
#include "focus/focus-config.h"

#include <glib/gstdio.h>
#include <unistd.h>

static void test_derived_defaults(void)
{
    char *over[] = {"xmpp.domain=meet.example.org", "xmpp.secret=s", NULL};
    FocusConfig cfg;
    g_autoptr(GError) err = NULL;
    g_assert_true(focus_config_load(&cfg, NULL, over, &err));
    g_assert_no_error(err);
    g_assert_cmpstr(cfg.xmpp_host, ==, "127.0.0.1");
    g_assert_cmpint(cfg.xmpp_port, ==, 5347);
    g_assert_cmpstr(cfg.component, ==, "focus.meet.example.org");
    g_assert_cmpstr(cfg.muc_domain, ==, "conference.meet.example.org");
    g_assert_cmpstr(cfg.brewery, ==, "jvbbrewery@internal.auth.meet.example.org");
    g_assert_cmpint(cfg.min_participants, ==, 2);
    g_assert_cmpint(cfg.room_grace_seconds, ==, 5);
    g_assert_cmpstr(cfg.log_level, ==, "info");
    g_autofree char *occ = focus_config_occupant_jid(&cfg);
    g_assert_cmpstr(occ, ==, "focus.meet.example.org/focus");
    focus_config_clear(&cfg);
}

static void test_file_then_overrides(void)
{
    char *path = NULL;
    int fd = g_file_open_tmp("parley-focus-XXXXXX.conf", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    close(fd);
    g_assert_true(g_file_set_contents(path,
                                      "[xmpp]\ndomain = a.org\nsecret = x=y\ncomponent = f.a.org\n"
                                      "[focus]\nmuc_domain = muc.a.org\nroom_grace_seconds = 9\n",
                                      -1, NULL));
    char *over[] = {"focus.room_grace_seconds=0", "xmpp.port=5348", NULL};
    FocusConfig cfg;
    g_autoptr(GError) err = NULL;
    g_assert_true(focus_config_load(&cfg, path, over, &err));
    g_assert_cmpstr(cfg.secret, ==, "x=y");
    g_assert_cmpstr(cfg.component, ==, "f.a.org");
    g_assert_cmpstr(cfg.muc_domain, ==, "muc.a.org");
    g_assert_cmpstr(cfg.brewery, ==, "jvbbrewery@internal.auth.a.org");
    g_assert_cmpint(cfg.room_grace_seconds, ==, 0);
    g_assert_cmpint(cfg.xmpp_port, ==, 5348);
    focus_config_clear(&cfg);
    g_unlink(path);
    g_free(path);
}

/* Each bad setting fails with a message that starts with the setting's name. */
static void test_errors_name_the_setting(void)
{
    static const struct {
        const char *set;
        const char *prefix;
    } cases[] = {
        {"xmpp.port=0", "xmpp.port: "},
        {"xmpp.port=http", "xmpp.port: "},
        {"xmpp.domain=not a domain", "xmpp.domain: "},
        {"xmpp.component=bad/name", "xmpp.component: "},
        {"focus.muc_domain=-x-", "focus.muc_domain: "},
        {"focus.brewery=room@muc/res", "focus.brewery: "},
        {"focus.min_participants=0", "focus.min_participants: "},
        {"focus.room_grace_seconds=-1", "focus.room_grace_seconds: "},
        {"log.level=loud", "log.level: "},
        {"xmpp.host=a b", "xmpp.host: "},
        {"focus.muc_domain=focus.a.org", "focus.muc_domain: "},
        {"nope.key=1", "nope.key: "},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *over[] = {"xmpp.domain=a.org", "xmpp.secret=s", (char *)cases[i].set, NULL};
        FocusConfig cfg;
        g_autoptr(GError) err = NULL;
        g_assert_false(focus_config_load(&cfg, NULL, over, &err));
        g_assert_nonnull(err);
        if (!g_str_has_prefix(err->message, cases[i].prefix))
            g_error("%s: got '%s'", cases[i].set, err->message);
        g_assert_null(cfg.domain);
    }
}

static void test_required(void)
{
    FocusConfig cfg;
    g_autoptr(GError) err = NULL;
    char *no_secret[] = {"xmpp.domain=a.org", NULL};
    g_assert_false(focus_config_load(&cfg, NULL, no_secret, &err));
    g_assert_true(g_str_has_prefix(err->message, "xmpp.secret: "));
    g_clear_error(&err);
    char *no_domain[] = {"xmpp.secret=s", NULL};
    g_assert_false(focus_config_load(&cfg, NULL, no_domain, &err));
    g_assert_true(g_str_has_prefix(err->message, "xmpp.domain: "));
}

static void test_cli(void)
{
    char *argv[] = {"parley-focus", "--config",    "/etc/x.conf",    "--set",
                    "a.b=1",        "--set=c.d=2", "--check-config", NULL};
    FocusCli cli;
    g_autoptr(GError) err = NULL;
    g_assert_true(focus_cli_parse(G_N_ELEMENTS(argv) - 1, argv, &cli, &err));
    g_assert_cmpstr(cli.config_path, ==, "/etc/x.conf");
    g_assert_cmpuint(g_strv_length(cli.overrides), ==, 2);
    g_assert_cmpstr(cli.overrides[1], ==, "c.d=2");
    g_assert_true(cli.check_config);
    g_assert_false(cli.help);
    g_assert_cmpstr(argv[1], ==, "--config"); /* argv untouched */
    focus_cli_clear(&cli);

    char *plain[] = {"parley-focus", NULL};
    g_assert_true(focus_cli_parse(1, plain, &cli, &err));
    g_assert_nonnull(cli.overrides);
    g_assert_null(cli.overrides[0]);
    focus_cli_clear(&cli);

    char *bad[] = {"parley-focus", "--bogus", NULL};
    g_assert_false(focus_cli_parse(2, bad, &cli, &err));
    g_assert_nonnull(strstr(err->message, "--bogus"));
    focus_cli_clear(&cli);
    g_clear_error(&err);

    char *stray[] = {"parley-focus", "xmpp.domain=a", NULL};
    g_assert_false(focus_cli_parse(2, stray, &cli, &err));
    focus_cli_clear(&cli);
}

static void test_help_lists_settings(void)
{
    g_autofree char *help = focus_cli_help();
    size_t n = 0;
    const PaSetting *s = focus_config_schema(&n);
    g_assert_cmpuint(n, >=, 10);
    for (size_t i = 0; i < n; i++)
        g_assert_nonnull(strstr(help, s[i].name));
    g_assert_nonnull(strstr(help, "--check-config"));
    g_assert_nonnull(strstr(help, "--set"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/focus/config/derived-defaults", test_derived_defaults);
    g_test_add_func("/focus/config/file-then-overrides", test_file_then_overrides);
    g_test_add_func("/focus/config/errors-name-the-setting", test_errors_name_the_setting);
    g_test_add_func("/focus/config/required", test_required);
    g_test_add_func("/focus/config/cli", test_cli);
    g_test_add_func("/focus/config/help", test_help_lists_settings);
    return g_test_run();
}
