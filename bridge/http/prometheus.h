/* SPDX-License-Identifier: MIT */
/* The Prometheus text exposition format (version 0.0.4), written into a GString: one
 * "# HELP" and "# TYPE" pair per metric family, then its samples, label values escaped.
 * Pure: no I/O, no state. What the bridge exports is bridge/control/metrics.c. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "# HELP @name @help" and "# TYPE @name @type" (@type: "counter", "gauge"). */
void bridge_prom_family(GString *out, const char *name, const char *type, const char *help);

/* One sample line "@name{l1="v1",...} @v". @labels is NULL or a NULL-terminated list of
 * name, value pairs ({"reason", "malformed", NULL}); values may hold any characters
 * (backslash, double quote and newline are escaped; NULL is written as ""). */
void bridge_prom_sample(GString *out, const char *name, const char *const *labels, guint64 v);
/* The same with a real value, written with one decimal ("%.1f", C locale). */
void bridge_prom_sample_real(GString *out, const char *name, const char *const *labels, double v);

/* A family with one unlabelled sample. */
void bridge_prom_metric(GString *out, const char *name, const char *type, const char *help,
                        guint64 v);

G_END_DECLS
