/* SPDX-License-Identifier: MIT */
/* parley-bridge settings: the schema (names, defaults, help), loading from file + --set
 * overrides, derived defaults (user, brewery, focus JIDs, nickname, resource, public URL) and
 * cross-setting checks. Errors name the setting: "ice.port: must be between 1 and 65535,
 * got 0". Pure apart from randomness for the nickname and resource. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    /* [xmpp] */
    char *xmpp_host;
    int xmpp_port;
    char *xmpp_domain;
    char *xmpp_user; /* derived: jvb@auth.<domain> */
    char *xmpp_password;
    char *xmpp_resource;    /* derived: random per process */
    char *xmpp_brewery;     /* derived: jvbbrewery@internal.auth.<domain> */
    char *xmpp_nickname;    /* derived: random */
    char **xmpp_focus_jids; /* derived: focus.<domain> */
    char *xmpp_tls;         /* auto | required | insecure */
    char *xmpp_tls_ca_file; /* PEM CA certificates trusted besides the system's, or NULL */
    char *xmpp_tls_pin;     /* normalised: 64 lowercase hex digits, or NULL */
    /* [ice] */
    char **ice_addresses;
    char *ice_public_address;
    int ice_port; /* the one UDP port of every endpoint */
    /* [media] */
    int media_workers;
    int media_ice_timeout_seconds;
    int media_timeout_seconds;
    /* [http] */
    char *http_address;
    int http_port;
    char *http_public_url; /* derived: http://<address>:<port> */
    int http_websocket_ping_seconds;
    int http_max_connections;
    /* [bridge] */
    char *bridge_region;
    char *bridge_id; /* derived: the nickname */
    int bridge_presence_interval_seconds;
    int bridge_empty_conference_seconds;
    /* [log] */
    char *log_level;
} BridgeConfig;

/* Loads defaults, @path (may be NULL) and @overrides ("group.key=value", NULL-terminated,
 * may be NULL), fills derived values and checks the whole. FALSE with @error (PA_CONFIG_ERROR,
 * message starting with the setting's name) on failure; @cfg is then cleared. */
gboolean bridge_config_load(BridgeConfig *cfg, const char *path, char *const *overrides,
                            GError **error);
void bridge_config_clear(BridgeConfig *cfg);

/* --help text for the settings (transfer full). */
char *bridge_config_describe(void);

G_END_DECLS
