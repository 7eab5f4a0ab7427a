/* SPDX-License-Identifier: MIT */
#include "focus/focus-config.h"

#include "common/log.h"
#include "common/xmpp/jid.h"

#include <stddef.h>
#include <string.h>

static char *check_log_level(const char *value)
{
    return pa_log_level_valid(value) ? NULL
                                     : g_strdup("must be one of error, warning, info, debug");
}

static char *check_host(const char *value)
{
    for (const char *p = value; *p; p++)
        if (g_ascii_isspace(*p) || *p == '/')
            return g_strdup("must be a host name or an IP address");
    return NULL;
}

static char *check_optional_domain(const char *value)
{
    return *value ? pa_config_check_domain(value) : NULL;
}

static char *check_address(const char *value)
{
    return g_hostname_is_ip_address(value) ? NULL : g_strdup("must be an IP address");
}

static const PaSetting schema[] = {
    {"xmpp.host", PA_SETTING_STRING, "127.0.0.1", 0, 0, offsetof(FocusConfig, xmpp_host),
     check_host, "XMPP server address for the component connection"},
    {"xmpp.port", PA_SETTING_INT, "5347", 1, 65535, offsetof(FocusConfig, xmpp_port), NULL,
     "XMPP server component port (XEP-0114)"},
    {"xmpp.domain", PA_SETTING_STRING, NULL, 0, 0, offsetof(FocusConfig, domain),
     pa_config_check_domain, "XMPP domain of the deployment, e.g. meet.example.org"},
    {"xmpp.component", PA_SETTING_STRING, "", 0, 0, offsetof(FocusConfig, component),
     pa_config_check_domain, "component name; empty means focus.<domain>"},
    {"xmpp.secret", PA_SETTING_STRING, NULL, 0, 0, offsetof(FocusConfig, secret), NULL,
     "component secret shared with the XMPP server"},
    {"focus.muc_domain", PA_SETTING_STRING, "", 0, 0, offsetof(FocusConfig, muc_domain),
     pa_config_check_domain,
     "MUC service of the conference rooms; empty means conference.<domain>"},
    {"focus.brewery", PA_SETTING_STRING, "", 0, 0, offsetof(FocusConfig, brewery),
     pa_config_check_bare_jid,
     "MUC room where bridges announce themselves; empty means jvbbrewery@internal.auth.<domain>"},
    {"focus.min_participants", PA_SETTING_INT, "2", 1, 1000,
     offsetof(FocusConfig, min_participants), NULL,
     "participants needed before media sessions start"},
    {"focus.room_grace_seconds", PA_SETTING_INT, "5", 0, 86400,
     offsetof(FocusConfig, room_grace_seconds), NULL,
     "destroy a room this long after its last participant left"},
    {"auth.login_domain", PA_SETTING_STRING, "", 0, 0, offsetof(FocusConfig, login_domain),
     check_optional_domain,
     "secure domain: only users logged in on this domain (e.g. the meeting domain) open rooms "
     "and become moderators, guests join rooms they opened; empty means anyone opens rooms"},
    {"http.address", PA_SETTING_STRING, "127.0.0.1", 0, 0, offsetof(FocusConfig, http_address),
     check_address, "IP address of /about/health and /metrics"},
    {"http.port", PA_SETTING_INT, "8888", 0, 65535, offsetof(FocusConfig, http_port), NULL,
     "port of /about/health and /metrics; 0 turns the HTTP server off"},
    {"log.level", PA_SETTING_STRING, "info", 0, 0, offsetof(FocusConfig, log_level),
     check_log_level, "error, warning, info or debug"},
};

const PaSetting *focus_config_schema(size_t *n)
{
    if (n)
        *n = G_N_ELEMENTS(schema);
    return schema;
}

static void derive(char **field, const char *prefix, const char *domain, const char *suffix)
{
    if (*field && **field)
        return;
    g_free(*field);
    *field = g_strconcat(prefix, domain, suffix, NULL);
}

gboolean focus_config_load(FocusConfig *out, const char *path, char *const *overrides,
                           GError **error)
{
    g_return_val_if_fail(out, FALSE);
    memset(out, 0, sizeof *out);
    if (!pa_config_load(schema, G_N_ELEMENTS(schema), out, path, overrides, error))
        return FALSE;
    derive(&out->component, "focus.", out->domain, "");
    derive(&out->muc_domain, "conference.", out->domain, "");
    derive(&out->brewery, "jvbbrewery@internal.auth.", out->domain, "");
    if (out->login_domain && !*out->login_domain)
        g_clear_pointer(&out->login_domain, g_free);
    /* The derived names are built from a valid domain, but can still exceed DNS limits. */
    if (!pa_domain_valid(out->component) || !pa_domain_valid(out->muc_domain)) {
        gboolean comp = !pa_domain_valid(out->component);
        g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                    "%s: derived name '%s' is not a valid domain; set it explicitly",
                    comp ? "xmpp.component" : "focus.muc_domain",
                    comp ? out->component : out->muc_domain);
        focus_config_clear(out);
        return FALSE;
    }
    if (g_ascii_strcasecmp(out->component, out->muc_domain) == 0) {
        g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                    "focus.muc_domain: must differ from xmpp.component ('%s')", out->component);
        focus_config_clear(out);
        return FALSE;
    }
    return TRUE;
}

void focus_config_clear(FocusConfig *cfg)
{
    pa_config_clear(schema, G_N_ELEMENTS(schema), cfg);
}

char *focus_config_occupant_jid(const FocusConfig *cfg)
{
    return g_strdup_printf("%s/focus", cfg->component);
}

/* ---- command line ---- */

static GOptionContext *cli_context(FocusCli *out)
{
    GOptionEntry entries[] = {
        {"config", 'c', 0, G_OPTION_ARG_FILENAME, out ? &out->config_path : NULL,
         "read settings from FILE (INI: [group] key = value)", "FILE"},
        {"set", 's', 0, G_OPTION_ARG_STRING_ARRAY, out ? &out->overrides : NULL,
         "override one setting (repeatable)", "group.key=value"},
        {"check-config", 0, 0, G_OPTION_ARG_NONE, out ? &out->check_config : NULL,
         "validate the settings and exit", NULL},
        {"help", 'h', 0, G_OPTION_ARG_NONE, out ? &out->help : NULL, "show this help", NULL},
        {"version", 'V', 0, G_OPTION_ARG_NONE, out ? &out->version : NULL,
         "print the version and exit", NULL},
        {NULL},
    };
    GOptionContext *oc = g_option_context_new("- Parley conference focus (XEP-0114 component)");
    /* Our own --help: GLib's would exit() from inside the parser. */
    g_option_context_set_help_enabled(oc, FALSE);
    g_option_context_add_main_entries(oc, entries, NULL);
    return oc;
}

gboolean focus_cli_parse(int argc, char **argv, FocusCli *out, GError **error)
{
    g_return_val_if_fail(out, FALSE);
    memset(out, 0, sizeof *out);
    g_autoptr(GOptionContext) oc = cli_context(out);
    /* g_option_context_parse_strv() edits the vector: hand it a copy. */
    g_auto(GStrv) args = g_new0(char *, (gsize)argc + 1);
    for (int i = 0; i < argc; i++)
        args[i] = g_strdup(argv[i]);
    gboolean ok = g_option_context_parse_strv(oc, &args, error);
    if (ok && args[0] && args[1]) {
        g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                    "unexpected argument '%s' (settings go through --set group.key=value)",
                    args[1]);
        ok = FALSE;
    }
    if (!out->overrides)
        out->overrides = g_new0(char *, 1);
    return ok;
}

void focus_cli_clear(FocusCli *cli)
{
    g_clear_pointer(&cli->config_path, g_free);
    g_clear_pointer(&cli->overrides, g_strfreev);
}

char *focus_cli_help(void)
{
    FocusCli dummy;
    memset(&dummy, 0, sizeof dummy);
    g_autoptr(GOptionContext) oc = cli_context(&dummy);
    g_autofree char *settings = pa_config_describe(schema, G_N_ELEMENTS(schema));
    g_option_context_set_description(oc, settings);
    char *help = g_option_context_get_help(oc, TRUE, NULL);
    return help;
}
