/* SPDX-License-Identifier: MIT */
/* The focus's HTTP server (focus/http) on a real loopback socket, answering from a whole
 * focus on the test bed: /metrics moves as rooms, participants, bridges and requests come and
 * go, /about/health says why it is unhealthy, other paths and methods get 404/405, garbage
 * 400, and a client that sends nothing is dropped at its deadline. The server is driven as the
 * focus's loop drives it (prepare, poll, dispatch), in the test's thread; the client side uses
 * blocking sockets with a timeout. Runs in its own network namespace (tests/netns-run.sh). */
#include "focus/http/http-server.h"
#include "focus/http/metrics.h"
#include "testbed.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROOM "r1@conference.example.org"

typedef struct {
    TestBed tb;
    FocusMetricsSources src;
    FocusHttpServer *http;
} Fixture;

static void fixture_init(Fixture *f)
{
    testbed_init_core(&f->tb, NULL);
    f->src = (FocusMetricsSources){
        .registry = focus_core_registry(f->tb.core),
        .conferences = focus_core_conferences(f->tb.core),
        .bridges = focus_core_bridges(f->tb.core),
        .security = focus_core_security(f->tb.core),
        .component = TB_COMPONENT,
        .xmpp_connected = FALSE,
        .started_us = g_get_monotonic_time(),
    };
    g_autoptr(GError) error = NULL;
    f->http = focus_http_server_new("127.0.0.1", 0, focus_metrics_handle, &f->src, &error);
    g_assert_no_error(error);
    f->src.http = f->http;
}

static void fixture_clear(Fixture *f)
{
    focus_http_server_free(f->http);
    testbed_clear(&f->tb);
}

/* One turn of the loop: what the focus's component does around libstrophe. */
static void serve_once(Fixture *f, int max_wait_ms)
{
    struct pollfd fds[FOCUS_HTTP_MAX_CONNECTIONS + 1];
    int timeout = max_wait_ms;
    guint n = focus_http_server_prepare(f->http, fds, G_N_ELEMENTS(fds), &timeout);
    g_assert_cmpint(timeout, <=, max_wait_ms);
    if (poll(fds, n, timeout) > 0)
        focus_http_server_dispatch(f->http, fds, n);
    else
        focus_http_server_dispatch(f->http, fds, 0); /* deadlines */
}

static int client_connect(Fixture *f)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET,
                             .sin_port = htons(focus_http_server_port(f->http)),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof sa), ==, 0);
    return fd;
}

/* Sends @raw on a new connection and serves until the server closes it; returns everything
 * it answered (transfer full). */
static char *exchange(Fixture *f, const char *raw)
{
    int fd = client_connect(f);
    g_assert_cmpint(send(fd, raw, strlen(raw), MSG_NOSIGNAL), ==, (ssize_t)strlen(raw));
    GString *got = g_string_new(NULL);
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    for (;;) {
        g_assert_cmpint(g_get_monotonic_time(), <, end);
        serve_once(f, 20);
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            g_string_append_len(got, buf, n);
            continue;
        }
        if (n == 0)
            break; /* the server closed: the whole response is in */
        g_assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
    }
    close(fd);
    return g_string_free(got, FALSE);
}

static char *get(Fixture *f, const char *path)
{
    g_autofree char *req = g_strdup_printf("GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
    return exchange(f, req);
}

/* The value of the sample @line_start ("name{labels} ") in a /metrics body, or -1. */
static double sample(const char *body, const char *line_start)
{
    g_auto(GStrv) lines = g_strsplit(body, "\n", -1);
    for (char **l = lines; *l; l++)
        if (g_str_has_prefix(*l, line_start) && (*l)[strlen(line_start)] == ' ')
            return g_ascii_strtod(*l + strlen(line_start) + 1, NULL);
    return -1;
}

static double metric(Fixture *f, const char *line_start)
{
    g_autofree char *r = get(f, "/metrics");
    g_assert_true(g_str_has_prefix(r, "HTTP/1.1 200 OK\r\n"));
    g_assert_nonnull(strstr(r, "Content-Type: text/plain; version=0.0.4"));
    return sample(strstr(r, "\r\n\r\n"), line_start);
}

static void test_metrics_follow_the_focus(void)
{
    Fixture f;
    fixture_init(&f);
    TestBed *tb = &f.tb;
    g_assert_cmpfloat(metric(&f, "parley_focus_rooms{state=\"ready\"}"), ==, 0);
    g_assert_cmpfloat(metric(&f, "parley_focus_participants"), ==, 0);

    focus_core_start(tb->core);
    testbed_brewery_joined(tb);
    testbed_bridge_join(tb, "b1", "0.25");
    f.src.xmpp_connected = TRUE;
    g_assert_cmpfloat(metric(&f, "parley_focus_bridges{state=\"available\"}"), ==, 1);
    g_assert_cmpfloat(metric(&f, "parley_focus_bridge_stress{bridge=\"b1\",region=\"\"}"), ==,
                      0.25);

    testbed_room_ready(tb, ROOM);
    g_assert_cmpfloat(metric(&f, "parley_focus_rooms{state=\"ready\"}"), ==, 1);
    g_assert_cmpfloat(metric(&f, "parley_focus_conference_requests_total{result=\"ready\"}"), ==,
                      1);
    testbed_occupant(tb, ROOM, "alice", "alice@example.org/a", "none", "participant");
    testbed_occupant(tb, ROOM, "bob", "bob@example.org/b", "none", "participant");
    g_assert_cmpfloat(metric(&f, "parley_focus_participants"), ==, 2);
    testbed_occupant_left(tb, ROOM, "bob", NULL);
    g_assert_cmpfloat(metric(&f, "parley_focus_participants"), ==, 1);

    /* A request for a room elsewhere is counted as rejected. */
    testbed_request_room(tb, "bad", "x@example.org/r", "r@conference.evil.org");
    g_assert_cmpfloat(metric(&f, "parley_focus_conference_requests_total{result=\"rejected\"}"), ==,
                      1);
    testbed_bridge_leave(tb, "b1");
    g_assert_cmpfloat(metric(&f, "parley_focus_bridges{state=\"available\"}"), ==, 0);
    fixture_clear(&f);
}

static void test_health(void)
{
    Fixture f;
    fixture_init(&f);
    g_autofree char *r1 = get(&f, "/about/health");
    g_assert_true(g_str_has_prefix(r1, "HTTP/1.1 503 "));
    g_assert_true(g_str_has_suffix(r1, "\r\n\r\nunhealthy: not connected to the XMPP server\n"));

    f.src.xmpp_connected = TRUE;
    focus_core_start(f.tb.core);
    g_autofree char *r2 = get(&f, "/about/health");
    g_assert_true(g_str_has_suffix(r2, "unhealthy: not in the brewery\n"));
    testbed_brewery_joined(&f.tb);
    g_autofree char *r3 = get(&f, "/about/health");
    g_assert_true(g_str_has_suffix(r3, "unhealthy: no bridge in the brewery\n"));
    testbed_bridge_join(&f.tb, "b1", "0.1");
    g_autofree char *r4 = get(&f, "/about/health");
    g_assert_true(g_str_has_prefix(r4, "HTTP/1.1 200 OK\r\n"));
    g_assert_true(g_str_has_suffix(r4, "\r\n\r\nok\n"));
    fixture_clear(&f);
}

static void test_methods_paths_and_garbage(void)
{
    Fixture f;
    fixture_init(&f);
    g_autofree char *nf = get(&f, "/admin");
    g_assert_true(g_str_has_prefix(nf, "HTTP/1.1 404 "));
    g_autofree char *post = exchange(&f, "POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    g_assert_true(g_str_has_prefix(post, "HTTP/1.1 405 "));
    g_assert_nonnull(strstr(post, "\r\nAllow: GET, HEAD\r\n"));
    g_autofree char *bad = exchange(&f, "\x16\x03\x01 not http\r\n\r\n");
    g_assert_true(g_str_has_prefix(bad, "HTTP/1.1 400 "));
    g_autofree char *v2 = exchange(&f, "GET /metrics HTTP/2.0\r\n\r\n");
    g_assert_true(g_str_has_prefix(v2, "HTTP/1.1 505 "));
    /* HEAD: the headers of the GET, no body. */
    g_autofree char *head = exchange(&f, "HEAD /about/health HTTP/1.0\r\n\r\n");
    g_assert_true(g_str_has_prefix(head, "HTTP/1.1 503 "));
    g_assert_true(g_str_has_suffix(head, "\r\n\r\n"));
    g_assert_nonnull(strstr(head, "Content-Length: 44\r\n"));
    const FocusHttpCounts *c = focus_http_server_counts(f.http);
    g_assert_cmpuint(c->refused, ==, 3);
    g_assert_cmpuint(c->answered, ==, 2);
    g_assert_cmpuint(focus_http_server_connections(f.http), ==, 0);
    fixture_clear(&f);
}

/* Clients that connect and say nothing: at most FOCUS_HTTP_MAX_CONNECTIONS are held, each
 * until its deadline; the ones waiting in the backlog are served after that. */
static void test_silent_clients(void)
{
    Fixture f;
    fixture_init(&f);
    focus_http_server_set_timeout_ms(f.http, 300);
    int silent[FOCUS_HTTP_MAX_CONNECTIONS + 4];
    for (guint i = 0; i < G_N_ELEMENTS(silent); i++)
        silent[i] = client_connect(&f);
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    while (focus_http_server_connections(f.http) < FOCUS_HTTP_MAX_CONNECTIONS &&
           g_get_monotonic_time() < end)
        serve_once(&f, 20);
    g_assert_cmpuint(focus_http_server_connections(f.http), ==, FOCUS_HTTP_MAX_CONNECTIONS);
    /* Every one of them is closed by the server (the first ones at their deadline, the rest
     * after being accepted in turn), and a real request still gets its answer. */
    g_autofree char *r = get(&f, "/about/health");
    g_assert_true(g_str_has_prefix(r, "HTTP/1.1 503 "));
    for (guint i = 0; i < G_N_ELEMENTS(silent); i++) {
        char b;
        for (;;) {
            g_assert_cmpint(g_get_monotonic_time(), <, end);
            serve_once(&f, 20);
            ssize_t n = recv(silent[i], &b, 1, MSG_DONTWAIT);
            if (n == 0)
                break;
            g_assert_cmpint(n, <, 0);
        }
        close(silent[i]);
    }
    g_assert_cmpuint(focus_http_server_counts(f.http)->timed_out, ==, G_N_ELEMENTS(silent));
    fixture_clear(&f);
}

static void test_port_in_use(void)
{
    Fixture f;
    fixture_init(&f);
    g_autoptr(GError) error = NULL;
    FocusHttpServer *second = focus_http_server_new("127.0.0.1", focus_http_server_port(f.http),
                                                    focus_metrics_handle, &f.src, &error);
    g_assert_null(second);
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
    g_assert_nonnull(strstr(error->message, "http.port"));
    fixture_clear(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Refused requests are logged as warnings (rate-limited): expected here, not fatal. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/focus-http/metrics-follow-the-focus", test_metrics_follow_the_focus);
    g_test_add_func("/focus-http/health", test_health);
    g_test_add_func("/focus-http/methods-paths-and-garbage", test_methods_paths_and_garbage);
    g_test_add_func("/focus-http/silent-clients", test_silent_clients);
    g_test_add_func("/focus-http/port-in-use", test_port_in_use);
    return g_test_run();
}
