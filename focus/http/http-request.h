/* SPDX-License-Identifier: MIT */
/* The request head of the focus's small HTTP server (http-server.h): enough of HTTP/1.x
 * (RFC 9112) for a monitoring system to GET /about/health and /metrics. Pure: no I/O, no
 * state, no logging; fuzzed (tests/fuzz/fuzz-http-request.c).
 *
 * Accepted: a request line "METHOD SP origin-form SP HTTP/1.0|1.1 CRLF", header lines (each
 * with a ':' and no control characters), an empty line. The body (none is expected) is not
 * read. Bare LF line ends are accepted as RFC 9112 allows. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The longest request head the server reads; anything longer is refused. */
#define FOCUS_HTTP_MAX_HEAD 8192

typedef enum {
    FOCUS_HTTP_PARSE_OK = 0,     /* a whole head: @out is filled */
    FOCUS_HTTP_PARSE_INCOMPLETE, /* no empty line yet: read more */
    FOCUS_HTTP_PARSE_BAD,        /* malformed: 400 */
    FOCUS_HTTP_PARSE_VERSION,    /* not HTTP/1.0 or HTTP/1.1: 505 */
} FocusHttpParseStatus;

typedef struct {
    char method[16]; /* "GET", "HEAD", ... (token, at most 15 characters) */
    char path[256];  /* the path of the request target, without the query; starts with '/' */
    gboolean http10; /* HTTP/1.0 */
    gsize head_len;  /* bytes of the head, empty line included */
} FocusHttpRequest;

/* Parses the head at the start of @buf (@len bytes, need not be NUL-terminated). */
FocusHttpParseStatus focus_http_request_parse(const char *buf, gsize len, FocusHttpRequest *out);

G_END_DECLS
