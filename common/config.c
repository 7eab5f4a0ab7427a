/* SPDX-License-Identifier: MIT */
#include "common/config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK(pa - config - error - quark, pa_config_error)

static void *field(void *out, const PaSetting *s)
{
    return (char *)out + s->offset;
}

static const PaSetting *find_setting(const PaSetting *schema, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(schema[i].name, name) == 0)
            return &schema[i];
    return NULL;
}

static gboolean parse_bool(const char *v, gboolean *out)
{
    static const char *yes[] = {"true", "yes", "on", "1"};
    static const char *no[] = {"false", "no", "off", "0"};
    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (g_ascii_strcasecmp(v, yes[i]) == 0) {
            *out = TRUE;
            return TRUE;
        }
        if (g_ascii_strcasecmp(v, no[i]) == 0) {
            *out = FALSE;
            return TRUE;
        }
    }
    return FALSE;
}

/* Parses @raw into the field of @s, replacing what was there. @origin says where the value
 * came from, for the error message ("in /etc/parley/focus.conf", "on the command line"). */
static gboolean set_value(const PaSetting *s, void *out, const char *raw, const char *origin,
                          GError **error)
{
    g_autofree char *v = g_strstrip(g_strdup(raw));
    switch (s->type) {
    case PA_SETTING_STRING: {
        if (s->check && *v) {
            g_autofree char *why = s->check(v);
            if (why) {
                g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                            "%s: %s, got '%s' (%s)", s->name, why, v, origin);
                return FALSE;
            }
        }
        char **dst = field(out, s);
        g_free(*dst);
        *dst = *v ? g_strdup(v) : NULL;
        return TRUE;
    }
    case PA_SETTING_INT: {
        char *end = NULL;
        errno = 0;
        long long n = strtoll(v, &end, 10);
        if (!*v || errno || *end || n < s->min || n > s->max) {
            g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                        "%s: expected an integer from %" G_GINT64_FORMAT " to %" G_GINT64_FORMAT
                        ", got '%s' (%s)",
                        s->name, s->min, s->max, v, origin);
            return FALSE;
        }
        *(int *)field(out, s) = (int)n;
        return TRUE;
    }
    case PA_SETTING_BOOL: {
        gboolean b;
        if (!parse_bool(v, &b)) {
            g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                        "%s: expected true or false, got '%s' (%s)", s->name, v, origin);
            return FALSE;
        }
        *(gboolean *)field(out, s) = b;
        return TRUE;
    }
    case PA_SETTING_STRING_LIST: {
        char **items = g_strsplit(v, ",", -1);
        GPtrArray *kept = g_ptr_array_new_with_free_func(g_free);
        for (char **it = items; *it; it++) {
            g_strstrip(*it);
            if (!**it)
                continue;
            if (s->check) {
                g_autofree char *why = s->check(*it);
                if (why) {
                    g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                                "%s: %s, got '%s' (%s)", s->name, why, *it, origin);
                    g_ptr_array_free(kept, TRUE);
                    g_strfreev(items);
                    return FALSE;
                }
            }
            g_ptr_array_add(kept, g_strdup(*it));
        }
        g_strfreev(items);
        g_ptr_array_add(kept, NULL);
        char ***dst = field(out, s);
        g_strfreev(*dst);
        *dst = (char **)g_ptr_array_free(kept, FALSE);
        return TRUE;
    }
    }
    g_assert_not_reached();
}

void pa_config_clear(const PaSetting *schema, size_t n, void *out)
{
    for (size_t i = 0; i < n; i++) {
        const PaSetting *s = &schema[i];
        if (s->type == PA_SETTING_STRING)
            g_clear_pointer((char **)field(out, s), g_free);
        else if (s->type == PA_SETTING_STRING_LIST)
            g_clear_pointer((char ***)field(out, s), g_strfreev);
    }
}

static gboolean load_file(const PaSetting *schema, size_t n, void *out, const char *path,
                          gboolean *seen, GError **error)
{
    g_autoptr(GKeyFile) kf = g_key_file_new();
    g_autoptr(GError) local = NULL;
    if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
        g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_FILE, "config file %s: %s", path,
                    local->message);
        return FALSE;
    }
    g_autofree char *origin = g_strdup_printf("in %s", path);
    g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
    for (char **g = groups; *g; g++) {
        g_auto(GStrv) keys = g_key_file_get_keys(kf, *g, NULL, NULL);
        for (char **k = keys; k && *k; k++) {
            g_autofree char *name = g_strdup_printf("%s.%s", *g, *k);
            const PaSetting *s = find_setting(schema, n, name);
            if (!s) {
                g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_UNKNOWN,
                            "%s: no such setting (%s)", name, origin);
                return FALSE;
            }
            /* Raw value: GKeyFile's escapes are not wanted for paths and secrets. */
            g_autofree char *raw = g_key_file_get_value(kf, *g, *k, NULL);
            if (!set_value(s, out, raw ? raw : "", origin, error))
                return FALSE;
            seen[s - schema] = TRUE;
        }
    }
    return TRUE;
}

gboolean pa_config_load(const PaSetting *schema, size_t n, void *out, const char *path,
                        char *const *overrides, GError **error)
{
    g_return_val_if_fail(schema && out, FALSE);
    g_autofree gboolean *seen = g_new0(gboolean, n);

    for (size_t i = 0; i < n; i++) {
        if (schema[i].default_value) {
            if (!set_value(&schema[i], out, schema[i].default_value, "built-in default", error))
                goto fail;
            seen[i] = TRUE;
        }
    }
    if (path && !load_file(schema, n, out, path, seen, error))
        goto fail;
    for (char *const *o = overrides; o && *o; o++) {
        const char *eq = strchr(*o, '=');
        if (!eq || eq == *o) {
            g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                        "'%s': a command-line setting must look like group.key=value", *o);
            goto fail;
        }
        g_autofree char *name = g_strndup(*o, (gsize)(eq - *o));
        g_strstrip(name);
        const PaSetting *s = find_setting(schema, n, name);
        if (!s) {
            g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_UNKNOWN,
                        "%s: no such setting (on the command line)", name);
            goto fail;
        }
        if (!set_value(s, out, eq + 1, "on the command line", error))
            goto fail;
        seen[s - schema] = TRUE;
    }
    for (size_t i = 0; i < n; i++) {
        const PaSetting *s = &schema[i];
        gboolean empty =
            !seen[i] || (s->type == PA_SETTING_STRING && *(char **)field(out, s) == NULL);
        if (empty && !s->default_value) {
            g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_MISSING,
                        "%s: required setting is missing (%s)", s->name,
                        s->help ? s->help : "no description");
            goto fail;
        }
    }
    return TRUE;

fail:
    pa_config_clear(schema, n, out);
    return FALSE;
}

static const char *type_name(PaSettingType t)
{
    switch (t) {
    case PA_SETTING_STRING:
        return "string";
    case PA_SETTING_INT:
        return "integer";
    case PA_SETTING_BOOL:
        return "boolean";
    case PA_SETTING_STRING_LIST:
        return "list";
    }
    return "?";
}

char *pa_config_describe(const PaSetting *schema, size_t n)
{
    GString *out = g_string_new("Settings (config file \"[group]\" + \"key = value\", or "
                                "--set group.key=value):\n");
    for (size_t i = 0; i < n; i++) {
        const PaSetting *s = &schema[i];
        g_string_append_printf(out, "  %-28s %-8s %s", s->name, type_name(s->type),
                               s->help ? s->help : "");
        if (s->type == PA_SETTING_INT)
            g_string_append_printf(out, " [%" G_GINT64_FORMAT "..%" G_GINT64_FORMAT "]", s->min,
                                   s->max);
        if (s->default_value)
            g_string_append_printf(out, " (default: %s)",
                                   *s->default_value ? s->default_value : "empty");
        else
            g_string_append(out, " (required)");
        g_string_append_c(out, '\n');
    }
    return g_string_free(out, FALSE);
}
