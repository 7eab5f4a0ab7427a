/* SPDX-License-Identifier: MIT */
#include "bridge/control/config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stddef.h>
#include <unistd.h>
#include <string.h>

#include "common/config.h"
#include "common/xmpp/jid.h"
#include "common/log.h"

static char *check_ip(const char *v)
{
    return g_hostname_is_ip_address(v) ? NULL : g_strdup("must be an IP address");
}

static char *check_host(const char *v)
{
    return g_hostname_is_ip_address(v) || pa_domain_valid(v)
               ? NULL
               : g_strdup("must be a host name or an IP address");
}

static char *check_jid_with_local(const char *v)
{
    PaJid jid;
    if (pa_jid_parse(v, &jid) != PA_JID_OK)
        return g_strdup("must be a JID such as name@example.org");
    gboolean ok = jid.local && !jid.resource;
    pa_jid_clear(&jid);
    return ok ? NULL : g_strdup("must be a bare JID with a local part (name@example.org)");
}

/* Used in MUC nicknames and URL paths: keep to characters that need no escaping. */
static char *check_token(const char *v)
{
    gsize n = strlen(v);
    if (n > 64)
        return g_strdup("must be at most 64 characters");
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum(v[i]) && v[i] != '-' && v[i] != '_' && v[i] != '.')
            return g_strdup("may contain only letters, digits, '-', '_' and '.'");
    return NULL;
}

static char *check_resource(const char *v)
{
    for (const char *p = v; *p; p++)
        if ((guchar)*p <= 0x20 || *p == 0x7f)
            return g_strdup("must not contain spaces or control characters");
    return strlen(v) > 256 ? g_strdup("must be at most 256 bytes") : NULL;
}

static char *check_url(const char *v)
{
    if (!g_str_has_prefix(v, "http://") && !g_str_has_prefix(v, "https://"))
        return g_strdup("must start with http:// or https://");
    if (!g_uri_is_valid(v, G_URI_FLAGS_NONE, NULL))
        return g_strdup("must be a valid URL");
    if (strchr(v, '?') || strchr(v, '#'))
        return g_strdup("must not have a query or fragment");
    return NULL;
}

static char *check_tls(const char *v)
{
    return g_strv_contains((const char *const[]){"auto", "required", "insecure", NULL}, v)
               ? NULL
               : g_strdup("must be auto, required or insecure");
}

static char *check_readable(const char *v)
{
    return g_file_test(v, G_FILE_TEST_IS_REGULAR) && g_access(v, R_OK) == 0
               ? NULL
               : g_strdup("must be a readable file");
}

/* A SHA-256 fingerprint: 32 bytes in hex, with or without ':' between them, any case;
 * "sha256:" or "sha-256:" in front is allowed. */
static char *normalise_pin(const char *v)
{
    const char *p = v;
    if (g_ascii_strncasecmp(p, "sha256:", 7) == 0)
        p += 7;
    else if (g_ascii_strncasecmp(p, "sha-256:", 8) == 0)
        p += 8;
    GString *hex = g_string_new(NULL);
    for (; *p; p++) {
        if (*p == ':' || *p == ' ')
            continue;
        if (!g_ascii_isxdigit(*p)) {
            g_string_free(hex, TRUE);
            return NULL;
        }
        g_string_append_c(hex, g_ascii_tolower(*p));
    }
    if (hex->len != 64) {
        g_string_free(hex, TRUE);
        return NULL;
    }
    return g_string_free(hex, FALSE);
}

static char *check_pin(const char *v)
{
    g_autofree char *n = normalise_pin(v);
    return n ? NULL
             : g_strdup("must be a SHA-256 certificate fingerprint: 32 bytes in hex, e.g. "
                        "AB:CD:... (openssl x509 -fingerprint -sha256)");
}

static char *check_level(const char *v)
{
    return pa_log_level_valid(v) ? NULL : g_strdup("must be error, warning, info or debug");
}

#define F(x) offsetof(BridgeConfig, x)
static const PaSetting schema[] = {
    {"xmpp.host", PA_SETTING_STRING, "127.0.0.1", 0, 0, F(xmpp_host), check_host,
     "XMPP server to log in to (c2s)"},
    {"xmpp.port", PA_SETTING_INT, "5222", 1, 65535, F(xmpp_port), NULL, "XMPP c2s port"},
    {"xmpp.domain", PA_SETTING_STRING, NULL, 0, 0, F(xmpp_domain), pa_config_check_domain,
     "XMPP domain of the deployment, e.g. meet.example.org"},
    {"xmpp.user", PA_SETTING_STRING, "", 0, 0, F(xmpp_user), check_jid_with_local,
     "account the bridge logs in with (empty: jvb@auth.<domain>)"},
    {"xmpp.password", PA_SETTING_STRING, NULL, 0, 0, F(xmpp_password), NULL,
     "password of that account"},
    {"xmpp.resource", PA_SETTING_STRING, "", 0, 0, F(xmpp_resource), check_resource,
     "XMPP resource (empty: random per process)"},
    {"xmpp.brewery", PA_SETTING_STRING, "", 0, 0, F(xmpp_brewery), check_jid_with_local,
     "brewery MUC room (empty: jvbbrewery@internal.auth.<domain>)"},
    {"xmpp.nickname", PA_SETTING_STRING, "", 0, 0, F(xmpp_nickname), check_token,
     "nickname in the brewery (empty: random)"},
    {"xmpp.focus_jids", PA_SETTING_STRING_LIST, "", 0, 0, F(xmpp_focus_jids),
     pa_config_check_bare_jid,
     "bare JIDs allowed to send conference-modify (empty: focus.<domain>)"},
    {"xmpp.tls", PA_SETTING_STRING, "auto", 0, 0, F(xmpp_tls), check_tls,
     "TLS to the XMPP server: auto (required and verified, except that a loopback xmpp.host may "
     "be plaintext), required (verified, even on loopback), insecure (used when offered, "
     "certificate NOT verified)"},
    {"xmpp.tls_ca_file", PA_SETTING_STRING, "", 0, 0, F(xmpp_tls_ca_file), check_readable,
     "PEM file of CA certificates trusted besides the system's (empty: system CAs only)"},
    {"xmpp.tls_pin", PA_SETTING_STRING, "", 0, 0, F(xmpp_tls_pin), check_pin,
     "SHA-256 fingerprint the server's certificate must have (empty: none); CAs are then not "
     "consulted"},
    {"ice.addresses", PA_SETTING_STRING_LIST, NULL, 0, 0, F(ice_addresses), check_ip,
     "local IP addresses the media port is bound on and offered as ICE candidates, e.g. "
     "192.0.2.10,127.0.0.1"},
    {"ice.public_address", PA_SETTING_STRING, "", 0, 0, F(ice_public_address), check_ip,
     "public IP advertised in addition (NAT); empty: none"},
    {"ice.port", PA_SETTING_INT, "10000", 1, 65535, F(ice_port), NULL,
     "the UDP port every endpoint's media uses (one port per bridge)"},
    {"media.workers", PA_SETTING_INT, "0", 0, 256, F(media_workers), NULL,
     "media threads (0: one per CPU)"},
    {"media.ice_timeout_seconds", PA_SETTING_INT, "30", 1, 3600, F(media_ice_timeout_seconds), NULL,
     "expire an endpoint whose ICE has not connected by then"},
    {"media.media_timeout_seconds", PA_SETTING_INT, "60", 1, 3600, F(media_timeout_seconds), NULL,
     "expire a connected endpoint that sent nothing for this long"},
    {"http.address", PA_SETTING_STRING, "127.0.0.1", 0, 0, F(http_address), check_ip,
     "address of the HTTP server (/about/health, /metrics, /colibri-ws)"},
    {"http.port", PA_SETTING_INT, "8080", 1, 65535, F(http_port), NULL, "HTTP port"},
    {"http.public_url", PA_SETTING_STRING, "", 0, 0, F(http_public_url), check_url,
     "base URL clients reach the HTTP server at (empty: http://<address>:<port>)"},
    {"http.websocket_ping_seconds", PA_SETTING_INT, "20", 0, 3600, F(http_websocket_ping_seconds),
     NULL, "ping idle colibri-ws channels this often so proxies keep them open (0: never)"},
    {"http.max_connections", PA_SETTING_INT, "4096", 1, 1000000, F(http_max_connections), NULL,
     "HTTP connections open at once (colibri-ws included); more get 503 at once (at most half "
     "the process's file descriptor limit)"},
    {"bridge.region", PA_SETTING_STRING, "default", 0, 0, F(bridge_region), check_token,
     "region reported to the focus"},
    {"bridge.id", PA_SETTING_STRING, "", 0, 0, F(bridge_id), check_token,
     "bridge id in colibri-ws URLs and stats (empty: the nickname)"},
    {"bridge.presence_interval_seconds", PA_SETTING_INT, "5", 1, 3600,
     F(bridge_presence_interval_seconds), NULL, "how often stats are published in the brewery"},
    {"bridge.empty_conference_seconds", PA_SETTING_INT, "30", 0, 3600,
     F(bridge_empty_conference_seconds), NULL,
     "how long a conference whose endpoints the bridge dropped (ICE/DTLS failure, no media) "
     "waits for the focus to re-invite into it (0: it ends at once)"},
    {"log.level", PA_SETTING_STRING, "info", 0, 0, F(log_level), check_level,
     "error, warning, info or debug"},
};
#undef F

static char *random_token(const char *prefix)
{
    return g_strdup_printf("%s%08x", prefix, g_random_int());
}

gboolean bridge_config_load(BridgeConfig *cfg, const char *path, char *const *overrides,
                            GError **error)
{
    memset(cfg, 0, sizeof *cfg);
    if (!pa_config_load(schema, G_N_ELEMENTS(schema), cfg, path, overrides, error))
        return FALSE;

    if (!cfg->ice_addresses || !cfg->ice_addresses[0]) {
        g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_MISSING,
                    "ice.addresses: at least one local IP address is required (the media port "
                    "is bound on each and offered to browsers)");
        goto fail;
    }

    if (!cfg->xmpp_user)
        cfg->xmpp_user = g_strdup_printf("jvb@auth.%s", cfg->xmpp_domain);
    if (!cfg->xmpp_brewery)
        cfg->xmpp_brewery = g_strdup_printf("jvbbrewery@internal.auth.%s", cfg->xmpp_domain);
    if (!cfg->xmpp_resource)
        cfg->xmpp_resource = random_token("parley-bridge-");
    if (!cfg->xmpp_nickname)
        cfg->xmpp_nickname = random_token("jvb-");
    if (!cfg->xmpp_focus_jids || !cfg->xmpp_focus_jids[0]) {
        g_strfreev(cfg->xmpp_focus_jids);
        cfg->xmpp_focus_jids = g_new0(char *, 2);
        cfg->xmpp_focus_jids[0] = g_strdup_printf("focus.%s", cfg->xmpp_domain);
    }
    /* JIDs compare case-insensitively in their domain; store them normalised. */
    for (char **j = cfg->xmpp_focus_jids; *j; j++) {
        char *bare = pa_jid_bare(*j);
        g_free(*j);
        *j = bare;
    }
    if (cfg->xmpp_tls_pin) {
        char *n = normalise_pin(cfg->xmpp_tls_pin);
        g_free(cfg->xmpp_tls_pin);
        cfg->xmpp_tls_pin = n;
    }
    if (g_strcmp0(cfg->xmpp_tls, "insecure") == 0 && (cfg->xmpp_tls_pin || cfg->xmpp_tls_ca_file)) {
        g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                    "xmpp.tls: insecure verifies nothing, so xmpp.tls_pin and xmpp.tls_ca_file "
                    "would be ignored: use required (or auto) with them");
        goto fail;
    }
    if (!cfg->bridge_id)
        cfg->bridge_id = g_strdup(cfg->xmpp_nickname);
    if (!cfg->http_public_url) {
        cfg->http_public_url = g_strdup_printf("http://%s:%d", cfg->http_address, cfg->http_port);
    } else {
        gsize n = strlen(cfg->http_public_url);
        while (n > 0 && cfg->http_public_url[n - 1] == '/')
            cfg->http_public_url[--n] = '\0';
    }
    return TRUE;

fail:
    bridge_config_clear(cfg);
    return FALSE;
}

void bridge_config_clear(BridgeConfig *cfg)
{
    pa_config_clear(schema, G_N_ELEMENTS(schema), cfg);
}

char *bridge_config_describe(void)
{
    return pa_config_describe(schema, G_N_ELEMENTS(schema));
}
