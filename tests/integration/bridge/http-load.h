/* SPDX-License-Identifier: MIT */
/* Concurrent HTTP requests with a health probe alongside (the client of the bridge's HTTP
 * load test and benchmark). Thread: the caller's; nothing is kept between runs. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    guint port;
    const char *path; /* what every request asks for, e.g. "/metrics" */
    guint requests;   /* opened all at once */
    guint probe_ms;   /* a GET /about/health this often while requests are open */
    guint deadline_ms;
} HttpLoadSpec;

typedef struct {
    guint answered;   /* 200 */
    guint refused;    /* 503 */
    guint failed;     /* no answer: refused or reset connection, another status, bad reply */
    guint late;       /* answered or refused, but after 10 s */
    guint unfinished; /* still open at the deadline: hung */
    double last_ms;   /* when the last one ended */
    double total_ms;
    GArray *health_ms; /* of double: each probe's answer time */
    guint health_failed;
} HttpLoadResult;

/* Lifts RLIMIT_NOFILE to @want (within the hard limit): one fd per request. */
void http_load_raise_fd_limit(guint want);
void http_load_run(const HttpLoadSpec *spec, HttpLoadResult *r);
void http_load_result_clear(HttpLoadResult *r);
/* The @p th percentile (0..100) of @ms (sorts it), or -1 when empty. */
double http_load_percentile(GArray *ms, double p);

G_END_DECLS
