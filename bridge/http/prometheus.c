/* SPDX-License-Identifier: MIT */
/* Prometheus text writer (see prometheus.h). */
#include "bridge/http/prometheus.h"

void bridge_prom_family(GString *out, const char *name, const char *type, const char *help)
{
    g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* Label values escape backslash, double quote and newline. */
static void append_label_value(GString *out, const char *v)
{
    for (const char *p = v ? v : ""; *p; p++) {
        if (*p == '\\')
            g_string_append(out, "\\\\");
        else if (*p == '"')
            g_string_append(out, "\\\"");
        else if (*p == '\n')
            g_string_append(out, "\\n");
        else
            g_string_append_c(out, *p);
    }
}

static void append_series(GString *out, const char *name, const char *const *labels)
{
    g_string_append(out, name);
    if (!labels || !labels[0])
        return;
    g_string_append_c(out, '{');
    for (guint i = 0; labels[i]; i += 2) {
        g_string_append_printf(out, "%s%s=\"", i ? "," : "", labels[i]);
        append_label_value(out, labels[i + 1]);
        g_string_append_c(out, '"');
    }
    g_string_append_c(out, '}');
}

void bridge_prom_sample(GString *out, const char *name, const char *const *labels, guint64 v)
{
    append_series(out, name, labels);
    g_string_append_printf(out, " %" G_GUINT64_FORMAT "\n", v);
}

void bridge_prom_sample_real(GString *out, const char *name, const char *const *labels, double v)
{
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    append_series(out, name, labels);
    g_string_append_printf(out, " %s\n", g_ascii_formatd(buf, sizeof buf, "%.1f", v));
}

void bridge_prom_metric(GString *out, const char *name, const char *type, const char *help,
                        guint64 v)
{
    bridge_prom_family(out, name, type, help);
    bridge_prom_sample(out, name, NULL, v);
}
