/* SPDX-License-Identifier: MIT */
#include "common/log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *log_program = "parley";
static GLogLevelFlags log_max_level = G_LOG_LEVEL_INFO;

static GLogLevelFlags level_from_name(const char *level)
{
    if (!level)
        return 0;
    if (g_ascii_strcasecmp(level, "error") == 0)
        return G_LOG_LEVEL_CRITICAL;
    if (g_ascii_strcasecmp(level, "warning") == 0)
        return G_LOG_LEVEL_WARNING;
    if (g_ascii_strcasecmp(level, "info") == 0)
        return G_LOG_LEVEL_INFO;
    if (g_ascii_strcasecmp(level, "debug") == 0)
        return G_LOG_LEVEL_DEBUG;
    return 0;
}

gboolean pa_log_level_valid(const char *level)
{
    return level_from_name(level) != 0;
}

static const char *level_label(GLogLevelFlags lvl)
{
    if (lvl & G_LOG_LEVEL_ERROR)
        return "FATAL";
    if (lvl & G_LOG_LEVEL_CRITICAL)
        return "ERROR";
    if (lvl & G_LOG_LEVEL_WARNING)
        return "WARN";
    if (lvl & G_LOG_LEVEL_MESSAGE)
        return "NOTE";
    if (lvl & G_LOG_LEVEL_INFO)
        return "INFO";
    return "DEBUG";
}

/* Numeric order: ERROR(4) < CRITICAL(8) < WARNING(16) < MESSAGE(32) < INFO(64) < DEBUG(128). */
static GLogLevelFlags level_bit(GLogLevelFlags lvl)
{
    return lvl & G_LOG_LEVEL_MASK;
}

static GLogWriterOutput writer(GLogLevelFlags lvl, const GLogField *fields, gsize n, gpointer ud)
{
    (void)ud;
    GLogLevelFlags bit = level_bit(lvl);
    if (bit > log_max_level)
        return G_LOG_WRITER_HANDLED;

    const char *domain = NULL, *message = NULL;
    for (gsize i = 0; i < n; i++) {
        if (strcmp(fields[i].key, "GLIB_DOMAIN") == 0)
            domain = fields[i].value;
        else if (strcmp(fields[i].key, "MESSAGE") == 0)
            message = fields[i].value;
    }
    /* Chatty third-party domains (libnice, libsoup) only at debug. */
    if (domain && !g_str_has_prefix(domain, "parley") && bit > G_LOG_LEVEL_WARNING &&
        log_max_level < G_LOG_LEVEL_DEBUG)
        return G_LOG_WRITER_HANDLED;

    GDateTime *now = g_date_time_new_now_utc();
    char stamp[40];
    g_snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%06.3fZ", g_date_time_get_year(now),
               g_date_time_get_month(now), g_date_time_get_day_of_month(now),
               g_date_time_get_hour(now), g_date_time_get_minute(now),
               g_date_time_get_seconds(now));
    g_date_time_unref(now);
    fprintf(stderr, "%s %s %s[%s]: %s\n", stamp, level_label(lvl), log_program,
            domain ? domain : "-", message ? message : "");
    fflush(stderr);
    return G_LOG_WRITER_HANDLED;
}

gboolean pa_log_init(const char *program, const char *level)
{
    GLogLevelFlags lvl = level_from_name(level ? level : "info");
    if (!lvl)
        return FALSE;
    log_program = program;
    log_max_level = lvl;
    g_log_set_writer_func(writer, NULL, NULL);
    return TRUE;
}

gboolean pa_rate_limit_allow(PaRateLimit *rl, gint64 now_us, guint64 *suppressed)
{
    if (rl->last_refill_us == 0)
        rl->last_refill_us = now_us;
    if (rl->interval_us > 0 && now_us > rl->last_refill_us) {
        gint64 add = (now_us - rl->last_refill_us) / rl->interval_us;
        if (add > 0) {
            rl->tokens = (guint)MIN((gint64)rl->burst, (gint64)rl->tokens + add);
            rl->last_refill_us += add * rl->interval_us;
        }
    }
    if (rl->tokens == 0) {
        rl->suppressed++;
        return FALSE;
    }
    rl->tokens--;
    if (suppressed)
        *suppressed = rl->suppressed;
    rl->suppressed = 0;
    return TRUE;
}

gboolean pa_log_peer_domainv(const char *domain, PaRateLimit *rl, gint64 now_us,
                             GLogLevelFlags level, const char *fmt, va_list ap)
{
    guint64 suppressed = 0;
    if (!pa_rate_limit_allow(rl, now_us, &suppressed))
        return FALSE;
    g_autofree char *msg = g_strdup_vprintf(fmt, ap);
    if (suppressed)
        g_log(domain, level, "%s (%" G_GUINT64_FORMAT " similar lines suppressed)", msg,
              suppressed);
    else
        g_log(domain, level, "%s", msg);
    return TRUE;
}

gboolean pa_log_peer_domain(const char *domain, PaRateLimit *rl, gint64 now_us,
                            GLogLevelFlags level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    gboolean logged = pa_log_peer_domainv(domain, rl, now_us, level, fmt, ap);
    va_end(ap);
    return logged;
}
