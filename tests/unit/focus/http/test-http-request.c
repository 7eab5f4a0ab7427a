/* SPDX-License-Identifier: MIT */
/* The request head of the focus's HTTP server (focus/http/http-request.h): what a scrape or a
 * probe sends is understood, everything malformed is refused, and a head cut anywhere is
 * "incomplete" until its empty line arrives. */
#include "focus/http/http-request.h"

#include <string.h>

static FocusHttpParseStatus parse(const char *s, FocusHttpRequest *r)
{
    return focus_http_request_parse(s, strlen(s), r);
}

static void test_scrapes_and_probes(void)
{
    FocusHttpRequest r;
    const char *scrape = "GET /metrics HTTP/1.1\r\nHost: 127.0.0.1:8888\r\n"
                         "Accept: text/plain;version=0.0.4;q=1\r\n\r\n";
    g_assert_cmpint(parse(scrape, &r), ==, FOCUS_HTTP_PARSE_OK);
    g_assert_cmpstr(r.method, ==, "GET");
    g_assert_cmpstr(r.path, ==, "/metrics");
    g_assert_false(r.http10);
    g_assert_cmpuint(r.head_len, ==, strlen(scrape));

    /* A query is not part of the path; bare LF line ends; HTTP/1.0; HEAD. */
    g_assert_cmpint(parse("HEAD /about/health?x=1 HTTP/1.0\nUser-Agent: probe\n\n", &r), ==,
                    FOCUS_HTTP_PARSE_OK);
    g_assert_cmpstr(r.method, ==, "HEAD");
    g_assert_cmpstr(r.path, ==, "/about/health");
    g_assert_true(r.http10);

    /* What follows the head (a body, a pipelined request) is not part of it. */
    const char *two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n";
    g_assert_cmpint(parse(two, &r), ==, FOCUS_HTTP_PARSE_OK);
    g_assert_cmpstr(r.path, ==, "/a");
    g_assert_cmpuint(r.head_len, ==, strlen("GET /a HTTP/1.1\r\n\r\n"));

    /* Any other method parses: the server answers it 405. */
    g_assert_cmpint(parse("DELETE /metrics HTTP/1.1\r\n\r\n", &r), ==, FOCUS_HTTP_PARSE_OK);
    g_assert_cmpstr(r.method, ==, "DELETE");
}

static void test_incomplete_until_the_empty_line(void)
{
    const char *head = "GET /metrics HTTP/1.1\r\nHost: h\r\n\r\n";
    FocusHttpRequest r;
    for (gsize n = 0; n < strlen(head); n++)
        g_assert_cmpint(focus_http_request_parse(head, n, &r), ==, FOCUS_HTTP_PARSE_INCOMPLETE);
    g_assert_cmpint(focus_http_request_parse(head, strlen(head), &r), ==, FOCUS_HTTP_PARSE_OK);
}

static void test_malformed(void)
{
    FocusHttpRequest r;
    const char *bad[] = {
        "\r\n\r\n",                                  /* no request line */
        "GET\r\n\r\n",                               /* no target */
        "GET  /x HTTP/1.1\r\n\r\n",                  /* empty target */
        "G(T /x HTTP/1.1\r\n\r\n",                   /* not a token */
        "GET x HTTP/1.1\r\n\r\n",                    /* not origin-form */
        "GET http://evil.example/ HTTP/1.1\r\n\r\n", /* absolute-form */
        "GET /x HTTP/1.1 extra\r\n\r\n",             /* trailing words */
        "GET /x\x7f HTTP/1.1\r\n\r\n",               /* control character */
        "GET /x FTP/1.1\r\n\r\n",                    /* not HTTP */
        "GET /x HTTP/1.1\r\nNoColon\r\n\r\n",        /* header without ':' */
        "GET /x HTTP/1.1\r\n folded: x\r\n\r\n",     /* obsolete folding */
        "GET /x HTTP/1.1\r\nBad Name: x\r\n\r\n",    /* space in a field name */
        "GET /x HTTP/1.1\r\nX: a\x01z\r\n\r\n",      /* control character in a value */
        "AVERYLONGMETHODNAME /x HTTP/1.1\r\n\r\n",   /* method over 15 characters */
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        if (focus_http_request_parse(bad[i], strlen(bad[i]), &r) != FOCUS_HTTP_PARSE_BAD)
            g_error("accepted: %s", bad[i]);
    }
    /* NUL inside the request line. */
    const char nul[] = "GET /a\0b HTTP/1.1\r\n\r\n";
    g_assert_cmpint(focus_http_request_parse(nul, sizeof nul - 1, &r), ==, FOCUS_HTTP_PARSE_BAD);
    /* Another HTTP version: 505. */
    g_assert_cmpint(parse("GET /x HTTP/2.0\r\n\r\n", &r), ==, FOCUS_HTTP_PARSE_VERSION);
    /* A path longer than the server keeps. */
    g_autofree char *as = g_strnfill(300, 'a');
    g_autofree char *longpath = g_strdup_printf("GET /%s HTTP/1.1\r\n\r\n", as);
    g_assert_cmpint(parse(longpath, &r), ==, FOCUS_HTTP_PARSE_BAD);
}

static void test_head_size_limit(void)
{
    /* Headers without an end, as long as the limit: refused, not "incomplete" forever. */
    GString *s = g_string_new("GET /metrics HTTP/1.1\r\n");
    while (s->len < FOCUS_HTTP_MAX_HEAD)
        g_string_append(s, "X-Padding: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n");
    FocusHttpRequest r;
    g_assert_cmpint(focus_http_request_parse(s->str, s->len, &r), ==, FOCUS_HTTP_PARSE_BAD);
    g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/http-request/scrapes-and-probes", test_scrapes_and_probes);
    g_test_add_func("/http-request/incomplete", test_incomplete_until_the_empty_line);
    g_test_add_func("/http-request/malformed", test_malformed);
    g_test_add_func("/http-request/head-size-limit", test_head_size_limit);
    return g_test_run();
}
