/* SPDX-License-Identifier: MIT */
/* parley-focus settings and command line.
 *
 * The settings table (see common/config.h) plus the derivations the focus needs once the
 * table is loaded: xmpp.component, focus.muc_domain and focus.brewery default to names
 * built from xmpp.domain; an empty auth.login_domain becomes NULL. Pure: no I/O besides reading the
 * config file, no logging. Used from the main thread only, before the event loop starts. */
#pragma once

#include "common/config.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    /* [xmpp] */
    char *xmpp_host;
    int xmpp_port;
    char *domain;
    char *component; /* never NULL after focus_config_load(): derived if empty */
    char *secret;
    /* [focus] */
    char *muc_domain; /* derived if empty */
    char *brewery;    /* derived if empty */
    int min_participants;
    int room_grace_seconds;
    /* [auth] */
    char *login_domain; /* secure domain: NULL when empty (anyone opens rooms) */
    /* [http] */
    char *http_address;
    int http_port; /* 0: no HTTP server */
    /* [log] */
    char *log_level;
} FocusConfig;

/* The settings table (static storage, transfer none); @n receives its length. */
const PaSetting *focus_config_schema(size_t *n);

/* Loads defaults, then @path (may be NULL), then @overrides ("group.key=value", NULL-terminated,
 * may be NULL), then fills the derived names. On failure returns FALSE with @error whose
 * message starts with the setting's name ("xmpp.port: ..."), and @out is cleared.
 * On success free with focus_config_clear(). */
gboolean focus_config_load(FocusConfig *out, const char *path, char *const *overrides,
                           GError **error);
void focus_config_clear(FocusConfig *cfg);

/* The full JID the focus uses as a MUC occupant: "<component>/focus" (transfer full). */
char *focus_config_occupant_jid(const FocusConfig *cfg);

/* Command line: [--config FILE] [--set group.key=value]... [--check-config] [--help]
 * [--version]. */
typedef struct {
    char *config_path; /* NULL when not given */
    char **overrides;  /* NULL-terminated, never NULL after a successful parse */
    gboolean check_config;
    gboolean help;
    gboolean version;
} FocusCli;

/* Parses @argv (not modified). Returns FALSE with @error ("Unknown option --x") on a usage
 * error; free @out with focus_cli_clear() either way. */
gboolean focus_cli_parse(int argc, char **argv, FocusCli *out, GError **error);
void focus_cli_clear(FocusCli *cli);

/* The --help text: usage, options and every setting with its default (transfer full). */
char *focus_cli_help(void);

G_END_DECLS
