/* SPDX-License-Identifier: MIT */
/* Table-driven configuration shared by parley-focus and parley-bridge.
 *
 * A program describes its settings once (name "group.key", type, default, limits, help) and
 * gets: loading from an INI-style file (GKeyFile: "[group]" then "key = value"), overrides
 * from the command line ("group.key=value"), --help text, and errors that name the setting
 * and say what is wrong with it ("xmpp.port: expected an integer from 1 to 65535, got 'x'").
 * Unknown settings in the file are errors too, so a typo cannot silently keep a default.
 * Pure: no main loop, no logging. */
#pragma once

#include <glib.h>
#include <stddef.h>

G_BEGIN_DECLS

typedef enum {
    PA_SETTING_STRING,      /* char *  (g_free) */
    PA_SETTING_INT,         /* int, within [min, max] */
    PA_SETTING_BOOL,        /* gboolean: true/false/yes/no/1/0/on/off */
    PA_SETTING_STRING_LIST, /* char ** (g_strfreev), comma-separated, items trimmed */
} PaSettingType;

/* Optional extra check for a parsed string value. Return NULL when fine, else a newly
 * allocated reason ("must be a domain name") that becomes part of the error. */
typedef char *(*PaSettingCheck)(const char *value);

typedef struct {
    const char *name; /* "group.key" */
    PaSettingType type;
    const char *default_value; /* textual default; NULL means the setting is required */
    gint64 min, max;           /* PA_SETTING_INT bounds (inclusive) */
    size_t offset;             /* offsetof(YourConfig, field) */
    PaSettingCheck check;      /* may be NULL */
    const char *help;          /* one line for --help */
} PaSetting;

#define PA_CONFIG_ERROR (pa_config_error_quark())
GQuark pa_config_error_quark(void);

typedef enum {
    PA_CONFIG_ERROR_FILE,    /* file missing or unreadable or not valid INI */
    PA_CONFIG_ERROR_UNKNOWN, /* a setting that the program does not have */
    PA_CONFIG_ERROR_MISSING, /* a required setting has no value */
    PA_CONFIG_ERROR_INVALID, /* a value of the wrong type, out of range, or refused by check */
} PaConfigError;

/* Fills @out from defaults, then @path (may be NULL: no file), then @overrides
 * (NULL-terminated "group.key=value" strings, may be NULL). On failure returns FALSE, sets
 * @error with a message that starts with the setting's name, and leaves @out cleared.
 * Call pa_config_clear() on success when done. */
gboolean pa_config_load(const PaSetting *schema, size_t n_settings, void *out, const char *path,
                        char *const *overrides, GError **error);

/* Frees the strings and lists the schema put in @out, and zeroes them. */
void pa_config_clear(const PaSetting *schema, size_t n_settings, void *out);

/* Text for --help listing each setting, its type, default and help line (transfer full). */
char *pa_config_describe(const PaSetting *schema, size_t n_settings);

/* Checks of XMPP values (domains, JIDs) live with the JIDs: common/xmpp/jid.h. */

G_END_DECLS
