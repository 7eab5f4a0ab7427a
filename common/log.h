/* SPDX-License-Identifier: MIT */
/* Parley logging: one line per event on stderr, GLib log domains per library.
 *
 * Every program calls pa_log_init() once at start. Libraries log with g_message/g_warning/
 * g_info/g_debug under their own G_LOG_DOMAIN (set in meson: "parley-common", "parley-focus",
 * "parley-bridge"). Lines about a conference or endpoint carry "room=" / "ep=" ids.
 * Nothing on a per-packet path logs: count instead, and log network faults with pa_log_peer(). */
#pragma once

#include <glib.h>
#include <stdarg.h>

G_BEGIN_DECLS

/* Installs the structured writer. @level: "error", "warning", "info" or "debug"
 * (messages below it are dropped). Returns FALSE for an unknown level. */
gboolean pa_log_init(const char *program, const char *level);

/* TRUE when @level names a log level pa_log_init() accepts. */
gboolean pa_log_level_valid(const char *level);

/* A token bucket for log lines triggered by peers: at most @burst lines, refilled at one per
 * @interval_us. Not thread-safe: keep one per thread or per owner. */
typedef struct {
    gint64 interval_us;
    guint burst;
    guint tokens;
    gint64 last_refill_us;
    guint64 suppressed; /* lines dropped since the last allowed one */
} PaRateLimit;

#define PA_RATE_LIMIT_INIT(interval_us_, burst_)                                                   \
    {                                                                                              \
        (interval_us_), (burst_), (burst_), 0, 0                                                   \
    }

/* TRUE if a line may be logged now (@now_us from g_get_monotonic_time() or a test clock).
 * When it returns TRUE, *@suppressed (if not NULL) receives how many were dropped before. */
gboolean pa_rate_limit_allow(PaRateLimit *rl, gint64 now_us, guint64 *suppressed);

/* The one way to log a line a peer caused (bad input from the network, a refused request):
 *   pa_log_peer(&rl, now_us, G_LOG_LEVEL_WARNING, "room=%s: ...", ...);
 * logs at @level under the caller's G_LOG_DOMAIN if @rl allows a line at @now_us, with
 * " (N similar lines suppressed)" appended when lines were dropped since the last one; the
 * message is only formatted when it is logged. @now_us comes from the module's clock (the
 * injectable one where the module has one, so tests stepping time see the same limits).
 * Returns TRUE if the line was logged. */
#define pa_log_peer(rl, now_us, level, ...)                                                        \
    pa_log_peer_domain(G_LOG_DOMAIN, (rl), (now_us), (level), __VA_ARGS__)
#define pa_log_peerv(rl, now_us, level, fmt, ap)                                                   \
    pa_log_peer_domainv(G_LOG_DOMAIN, (rl), (now_us), (level), (fmt), (ap))
gboolean pa_log_peer_domain(const char *domain, PaRateLimit *rl, gint64 now_us,
                            GLogLevelFlags level, const char *fmt, ...) G_GNUC_PRINTF(5, 6);
gboolean pa_log_peer_domainv(const char *domain, PaRateLimit *rl, gint64 now_us,
                             GLogLevelFlags level, const char *fmt, va_list ap) G_GNUC_PRINTF(5, 0);

G_END_DECLS
