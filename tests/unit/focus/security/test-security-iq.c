/* SPDX-License-Identifier: MIT */
/* The security IQs on the wire: every request parsed (and every way one can be malformed
 * answered with its error condition), and every stanza the lobby's actions become. */
#include "focus/security/security-iq.h"

#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"

#include <string.h>

#define MUC "conference.example.org"
#define NS "urn:parley:lobby:0"
#define FROM "u1@example.org/web"

static xmpp_ctx_t *ctx;

static xmpp_stanza_t *xml(const char *s)
{
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(ctx, s);
    if (!st)
        g_error("does not parse: %s", s);
    return st;
}

/* An IQ of @type from @from carrying @payload (XML text in our namespace unless it says
 * otherwise). */
static xmpp_stanza_t *iq(const char *type, const char *from, const char *payload)
{
    g_autofree char *s =
        g_strdup_printf("<iq type='%s' id='q1'%s%s%s to='focus.example.org'>%s</iq>", type,
                        from ? " from='" : "", from ? from : "", from ? "'" : "", payload);
    return xml(s);
}

static FocusSecurityStatus parse(const char *type, const char *from, const char *payload,
                                 FocusSecurityRequest *req, char **why)
{
    xmpp_stanza_t *s = iq(type, from, payload);
    FocusSecurityStatus st = focus_security_parse(s, MUC, req, why);
    xmpp_stanza_release(s);
    return st;
}

static const char *error_type(xmpp_stanza_t *reply)
{
    xmpp_stanza_t *e = pa_stanza_child(reply, "error", NULL);
    return e ? xmpp_stanza_get_type(e) : NULL;
}

static const char *error_text(xmpp_stanza_t *reply)
{
    xmpp_stanza_t *e = pa_stanza_child(reply, "error", NULL);
    xmpp_stanza_t *t = e ? pa_stanza_child(e, "text", PA_NS_STANZAS) : NULL;
    return t ? xmpp_stanza_get_text_ptr(xmpp_stanza_get_children(t)) : NULL;
}

/* Parses, expects @want, and checks the error reply has @etype/@cond and says why. */
static void expect_error(const char *type, const char *from, const char *payload,
                         FocusSecurityStatus want, const char *etype, const char *cond)
{
    FocusSecurityRequest req;
    g_autofree char *why = NULL;
    xmpp_stanza_t *s = iq(type, from, payload);
    FocusSecurityStatus st = focus_security_parse(s, MUC, &req, &why);
    if (st != want)
        g_error("%s: got status %d, want %d (%s)", payload, st, want, why);
    g_assert_null(req.room);
    g_assert_null(req.from);
    g_assert_nonnull(why);
    xmpp_stanza_t *r = focus_security_error_reply(ctx, s, st, why);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "error");
    g_assert_cmpstr(xmpp_stanza_get_id(r), ==, "q1");
    g_assert_cmpstr(xmpp_stanza_get_to(r), ==, from);
    g_assert_cmpstr(error_type(r), ==, etype);
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, cond);
    g_assert_cmpstr(error_text(r), ==, why);
    xmpp_stanza_release(r);
    xmpp_stanza_release(s);
}

/* ---- parsing: the good cases ---- */

static void test_parse_each_request(void)
{
    FocusSecurityRequest r;
    g_assert_cmpint(parse("set", FROM,
                          "<lobby xmlns='" NS "' room='Team-Room@Conference.Example.org' "
                          "enabled='true'/>",
                          &r, NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_cmpint(r.kind, ==, FOCUS_SECURITY_LOBBY_SET);
    g_assert_cmpstr(r.room, ==, "team-room@conference.example.org");
    g_assert_cmpstr(r.from, ==, FROM);
    g_assert_true(r.enabled);
    focus_security_request_clear(&r);
    g_assert_null(r.room);

    const char *offs[] = {"false", "0"};
    for (guint i = 0; i < 2; i++) {
        g_autofree char *p =
            g_strdup_printf("<lobby xmlns='" NS "' room='r@" MUC "' enabled='%s'/>", offs[i]);
        g_assert_cmpint(parse("set", FROM, p, &r, NULL), ==, FOCUS_SECURITY_OK);
        g_assert_false(r.enabled);
        focus_security_request_clear(&r);
    }
    g_assert_cmpint(
        parse("set", FROM, "<lobby xmlns='" NS "' room='r@" MUC "' enabled='1'/>", &r, NULL), ==,
        FOCUS_SECURITY_OK);
    g_assert_true(r.enabled);
    focus_security_request_clear(&r);

    g_assert_cmpint(parse("get", FROM, "<lobby xmlns='" NS "' room='r@" MUC "'/>", &r, NULL), ==,
                    FOCUS_SECURITY_OK);
    g_assert_cmpint(r.kind, ==, FOCUS_SECURITY_LOBBY_GET);
    focus_security_request_clear(&r);

    g_assert_cmpint(parse("set", FROM,
                          "<password xmlns='" NS "' room='r@" MUC "' value='s3cret &amp; more'/>",
                          &r, NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_cmpint(r.kind, ==, FOCUS_SECURITY_PASSWORD);
    g_assert_cmpstr(r.password, ==, "s3cret & more");
    focus_security_request_clear(&r);
    g_assert_cmpint(
        parse("set", FROM, "<password xmlns='" NS "' room='r@" MUC "' value=''/>", &r, NULL), ==,
        FOCUS_SECURITY_OK);
    g_assert_null(r.password); /* removes it */
    focus_security_request_clear(&r);

    g_assert_cmpint(parse("set", "k@anon.example.org/x",
                          "<knock xmlns='" NS "' room='r@" MUC "' nick='  Kim Ödegaard  '/>", &r,
                          NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_cmpint(r.kind, ==, FOCUS_SECURITY_KNOCK);
    g_assert_cmpstr(r.nick, ==, "Kim Ödegaard");
    g_assert_null(r.password);
    focus_security_request_clear(&r);
    g_assert_cmpint(parse("set", "k@anon.example.org/x",
                          "<knock xmlns='" NS "' room='r@" MUC "' nick='Kim' password='pw'/>", &r,
                          NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_cmpstr(r.password, ==, "pw");
    focus_security_request_clear(&r);
    g_assert_cmpint(parse("set", "k@anon.example.org/x",
                          "<knock xmlns='" NS "' room='r@" MUC "' nick='Kim' password=''/>", &r,
                          NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_null(r.password);
    focus_security_request_clear(&r);

    const char *kinds[] = {"cancel", "admit"};
    const FocusSecurityKind want[] = {FOCUS_SECURITY_CANCEL, FOCUS_SECURITY_ADMIT};
    for (guint i = 0; i < 2; i++) {
        g_autofree char *p =
            g_strdup_printf("<%s xmlns='" NS "' room='r@" MUC "' knock='k12'/>", kinds[i]);
        g_assert_cmpint(parse("set", FROM, p, &r, NULL), ==, FOCUS_SECURITY_OK);
        g_assert_cmpint(r.kind, ==, want[i]);
        g_assert_cmpstr(r.knock_id, ==, "k12");
        focus_security_request_clear(&r);
    }
    g_assert_cmpint(parse("set", FROM,
                          "<refuse xmlns='" NS "' room='r@" MUC "' knock='k3' reason='Sorry'/>", &r,
                          NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_cmpint(r.kind, ==, FOCUS_SECURITY_REFUSE);
    g_assert_cmpstr(r.knock_id, ==, "k3");
    g_assert_cmpstr(r.reason, ==, "Sorry");
    focus_security_request_clear(&r);
    g_assert_cmpint(parse("set", FROM,
                          "<refuse xmlns='" NS "' room='r@" MUC "' knock='k3' reason=''/>", &r,
                          NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_null(r.reason);
    focus_security_request_clear(&r);

    /* The payload need not be the first child; other namespaces are skipped. */
    g_assert_cmpint(parse("set", FROM,
                          "<x xmlns='urn:other'/><admit xmlns='" NS "' room='r@" MUC
                          "' knock='k1'/>",
                          &r, NULL),
                    ==, FOCUS_SECURITY_OK);
    g_assert_cmpint(r.kind, ==, FOCUS_SECURITY_ADMIT);
    focus_security_request_clear(&r);

    for (int k = FOCUS_SECURITY_LOBBY_SET; k <= FOCUS_SECURITY_REFUSE; k++)
        g_assert_cmpstr(focus_security_kind_str(k), !=, "?");
}

/* ---- parsing: every malformed input ---- */

static void test_parse_errors(void)
{
    /* Not ours, unknown, wrong type. */
    expect_error("set", FROM, "<lobby xmlns='urn:other' room='r@" MUC "' enabled='true'/>",
                 FOCUS_SECURITY_NOT_OURS, "modify", "bad-request");
    expect_error("set", FROM, "", FOCUS_SECURITY_NOT_OURS, "modify", "bad-request");
    expect_error("set", FROM, "<open-sesame xmlns='" NS "' room='r@" MUC "'/>",
                 FOCUS_SECURITY_UNKNOWN_ELEMENT, "cancel", "feature-not-implemented");
    expect_error("get", FROM, "<knock xmlns='" NS "' room='r@" MUC "' nick='a'/>",
                 FOCUS_SECURITY_BAD_TYPE, "modify", "bad-request");
    expect_error("get", FROM, "<admit xmlns='" NS "' room='r@" MUC "' knock='k1'/>",
                 FOCUS_SECURITY_BAD_TYPE, "modify", "bad-request");
    expect_error("result", FROM, "<lobby xmlns='" NS "' room='r@" MUC "'/>",
                 FOCUS_SECURITY_BAD_TYPE, "modify", "bad-request");
    /* The sender. */
    expect_error("set", NULL, "<admit xmlns='" NS "' room='r@" MUC "' knock='k1'/>",
                 FOCUS_SECURITY_BAD_FROM, "modify", "bad-request");
    expect_error("set", "u1@example.org", "<admit xmlns='" NS "' room='r@" MUC "' knock='k1'/>",
                 FOCUS_SECURITY_BAD_FROM, "modify", "bad-request");
    expect_error("set", "@bad/x", "<admit xmlns='" NS "' room='r@" MUC "' knock='k1'/>",
                 FOCUS_SECURITY_BAD_FROM, "modify", "bad-request");
    /* The room. */
    expect_error("set", FROM, "<admit xmlns='" NS "' knock='k1'/>", FOCUS_SECURITY_NO_ROOM,
                 "modify", "bad-request");
    expect_error("set", FROM, "<admit xmlns='" NS "' room='' knock='k1'/>", FOCUS_SECURITY_NO_ROOM,
                 "modify", "bad-request");
    expect_error("set", FROM, "<admit xmlns='" NS "' room='" MUC "' knock='k1'/>",
                 FOCUS_SECURITY_BAD_ROOM, "modify", "jid-malformed");
    expect_error("set", FROM, "<admit xmlns='" NS "' room='r@" MUC "/nick' knock='k1'/>",
                 FOCUS_SECURITY_BAD_ROOM, "modify", "jid-malformed");
    expect_error("set", FROM, "<admit xmlns='" NS "' room='a b@@x' knock='k1'/>",
                 FOCUS_SECURITY_BAD_ROOM, "modify", "jid-malformed");
    expect_error("set", FROM, "<admit xmlns='" NS "' room='r@muc.elsewhere.org' knock='k1'/>",
                 FOCUS_SECURITY_WRONG_DOMAIN, "cancel", "not-allowed");
    /* lobby set */
    expect_error("set", FROM, "<lobby xmlns='" NS "' room='r@" MUC "'/>", FOCUS_SECURITY_BAD_VALUE,
                 "modify", "bad-request");
    expect_error("set", FROM, "<lobby xmlns='" NS "' room='r@" MUC "' enabled='yes'/>",
                 FOCUS_SECURITY_BAD_VALUE, "modify", "bad-request");
    /* password */
    expect_error("set", FROM, "<password xmlns='" NS "' room='r@" MUC "'/>",
                 FOCUS_SECURITY_BAD_VALUE, "modify", "bad-request");
    g_autofree char *long_pw = g_strnfill(FOCUS_SECURITY_MAX_PASSWORD + 1, 'p');
    g_autofree char *p1 =
        g_strdup_printf("<password xmlns='" NS "' room='r@" MUC "' value='%s'/>", long_pw);
    expect_error("set", FROM, p1, FOCUS_SECURITY_TOO_LONG, "modify", "not-acceptable");
    expect_error("set", FROM, "<password xmlns='" NS "' room='r@" MUC "' value='a&#9;b'/>",
                 FOCUS_SECURITY_BAD_VALUE, "modify", "bad-request");
    /* knock */
    expect_error("set", FROM, "<knock xmlns='" NS "' room='r@" MUC "'/>", FOCUS_SECURITY_BAD_VALUE,
                 "modify", "bad-request");
    expect_error("set", FROM, "<knock xmlns='" NS "' room='r@" MUC "' nick='   '/>",
                 FOCUS_SECURITY_BAD_VALUE, "modify", "bad-request");
    expect_error("set", FROM, "<knock xmlns='" NS "' room='r@" MUC "' nick='a&#10;b'/>",
                 FOCUS_SECURITY_BAD_VALUE, "modify", "bad-request");
    g_autofree char *long_nick = g_strnfill(FOCUS_SECURITY_MAX_NICK + 1, 'n');
    g_autofree char *p2 =
        g_strdup_printf("<knock xmlns='" NS "' room='r@" MUC "' nick='%s'/>", long_nick);
    expect_error("set", FROM, p2, FOCUS_SECURITY_TOO_LONG, "modify", "not-acceptable");
    g_autofree char *huge_nick = g_strnfill(4096, 'n');
    g_autofree char *p3 =
        g_strdup_printf("<knock xmlns='" NS "' room='r@" MUC "' nick='%s'/>", huge_nick);
    expect_error("set", FROM, p3, FOCUS_SECURITY_TOO_LONG, "modify", "not-acceptable");
    g_autofree char *p4 = g_strdup_printf(
        "<knock xmlns='" NS "' room='r@" MUC "' nick='Kim' password='%s'/>", long_pw);
    expect_error("set", FROM, p4, FOCUS_SECURITY_TOO_LONG, "modify", "not-acceptable");
    /* knock ids and reasons */
    expect_error("set", FROM, "<cancel xmlns='" NS "' room='r@" MUC "'/>", FOCUS_SECURITY_BAD_VALUE,
                 "modify", "bad-request");
    expect_error("set", FROM, "<admit xmlns='" NS "' room='r@" MUC "' knock=''/>",
                 FOCUS_SECURITY_BAD_VALUE, "modify", "bad-request");
    g_autofree char *long_id = g_strnfill(FOCUS_SECURITY_MAX_KNOCK_ID + 1, 'k');
    g_autofree char *p5 =
        g_strdup_printf("<refuse xmlns='" NS "' room='r@" MUC "' knock='%s'/>", long_id);
    expect_error("set", FROM, p5, FOCUS_SECURITY_TOO_LONG, "modify", "not-acceptable");
    g_autofree char *long_reason = g_strnfill(FOCUS_SECURITY_MAX_REASON + 1, 'r');
    g_autofree char *p6 = g_strdup_printf(
        "<refuse xmlns='" NS "' room='r@" MUC "' knock='k1' reason='%s'/>", long_reason);
    expect_error("set", FROM, p6, FOCUS_SECURITY_TOO_LONG, "modify", "not-acceptable");
    expect_error("set", FROM,
                 "<refuse xmlns='" NS "' room='r@" MUC "' knock='k1' reason='a&#13;b'/>",
                 FOCUS_SECURITY_BAD_VALUE, "modify", "bad-request");
}

static void test_parse_limits_are_inclusive(void)
{
    FocusSecurityRequest r;
    /* Exactly at the limit: accepted. Multi-byte nicks count characters, not bytes. */
    g_autofree char *nick = g_strnfill(FOCUS_SECURITY_MAX_NICK, 'n');
    GString *wide = g_string_new(NULL);
    for (int i = 0; i < FOCUS_SECURITY_MAX_NICK; i++)
        g_string_append(wide, "\xc3\xa9"); /* é */
    g_autofree char *pw = g_strnfill(FOCUS_SECURITY_MAX_PASSWORD, 'p');
    const char *nicks[] = {nick, wide->str};
    for (guint i = 0; i < 2; i++) {
        g_autofree char *p = g_strdup_printf(
            "<knock xmlns='" NS "' room='r@" MUC "' nick='%s' password='%s'/>", nicks[i], pw);
        g_assert_cmpint(parse("set", FROM, p, &r, NULL), ==, FOCUS_SECURITY_OK);
        g_assert_cmpuint(g_utf8_strlen(r.nick, -1), ==, FOCUS_SECURITY_MAX_NICK);
        g_assert_cmpuint(strlen(r.password), ==, FOCUS_SECURITY_MAX_PASSWORD);
        focus_security_request_clear(&r);
    }
    g_string_free(wide, TRUE);
}

/* ---- replies ---- */

static void test_lobby_errors(void)
{
    struct {
        FocusLobbyStatus st;
        const char *type, *cond;
    } map[] = {
        {FOCUS_LOBBY_ERR_FORBIDDEN, "auth", "forbidden"},
        {FOCUS_LOBBY_ERR_NO_KNOCK, "cancel", "item-not-found"},
        {FOCUS_LOBBY_ERR_IN_ROOM, "cancel", "not-allowed"},
        {FOCUS_LOBBY_ERR_DUPLICATE, "cancel", "conflict"},
        {FOCUS_LOBBY_ERR_FULL, "wait", "resource-constraint"},
        {FOCUS_LOBBY_ERR_BAD_PASSWORD, "auth", "not-authorized"},
        {FOCUS_LOBBY_ERR_TOO_MANY_TRIES, "wait", "policy-violation"},
        {FOCUS_LOBBY_ERR_BUSY, "wait", "unexpected-request"},
        {FOCUS_LOBBY_ERR_MUC_FAILED, "wait", "internal-server-error"},
        {FOCUS_LOBBY_ERR_ENDED, "cancel", "item-not-found"},
    };
    xmpp_stanza_t *req = iq("set", FROM, "<admit xmlns='" NS "' room='r@" MUC "' knock='k1'/>");
    g_assert_null(focus_security_lobby_error(ctx, req, FOCUS_LOBBY_OK));
    for (guint i = 0; i < G_N_ELEMENTS(map); i++) {
        xmpp_stanza_t *r = focus_security_lobby_error(ctx, req, map[i].st);
        g_assert_cmpstr(error_type(r), ==, map[i].type);
        g_assert_cmpstr(pa_stanza_error_condition(r), ==, map[i].cond);
        g_assert_cmpstr(error_text(r), ==, focus_lobby_status_str(map[i].st));
        g_assert_cmpstr(xmpp_stanza_get_to(r), ==, FROM);
        xmpp_stanza_release(r);
    }
    xmpp_stanza_t *r = focus_security_no_room_reply(ctx, req);
    g_assert_cmpstr(error_type(r), ==, "cancel");
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "item-not-found");
    xmpp_stanza_release(r);
    xmpp_stanza_release(req);
}

static void test_results(void)
{
    xmpp_stanza_t *req =
        iq("set", "k@anon.example.org/x", "<knock xmlns='" NS "' room='r@" MUC "' nick='Kim'/>");
    xmpp_stanza_t *r =
        focus_security_knock_result(ctx, req, "r@" MUC, "k7", FOCUS_LOBBY_KNOCK_PENDING);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_cmpstr(xmpp_stanza_get_id(r), ==, "q1");
    xmpp_stanza_t *k = pa_stanza_child(r, "knock", NS);
    g_assert_nonnull(k);
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "room"), ==, "r@" MUC);
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "id"), ==, "k7");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "status"), ==, "pending");
    xmpp_stanza_release(r);

    /* focus_security_reply picks the shape from the action. */
    FocusLobbyAction a = {.kind = FOCUS_LOBBY_ACTION_REPLY,
                          .status = FOCUS_LOBBY_OK,
                          .knock_status = FOCUS_LOBBY_KNOCK_OPEN};
    r = focus_security_reply(ctx, req, FOCUS_SECURITY_KNOCK, "r@" MUC, &a);
    k = pa_stanza_child(r, "knock", NS);
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "status"), ==, "open");
    g_assert_null(xmpp_stanza_get_attribute(k, "id"));
    xmpp_stanza_release(r);
    r = focus_security_reply(ctx, req, FOCUS_SECURITY_ADMIT, "r@" MUC, &a);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_null(xmpp_stanza_get_children(r));
    xmpp_stanza_release(r);
    a.status = FOCUS_LOBBY_ERR_DUPLICATE;
    r = focus_security_reply(ctx, req, FOCUS_SECURITY_KNOCK, "r@" MUC, &a);
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "conflict");
    xmpp_stanza_release(r);
    xmpp_stanza_release(req);

    /* Lobby state, with the pending knocks for a moderator. */
    req = iq("get", FROM, "<lobby xmlns='" NS "' room='r@" MUC "'/>");
    FocusLobbyKnock k1 = {
        "k1", "Kim", "k1@anon.example.org/a", "k1@anon.example.org", 100 * G_USEC_PER_SEC, FALSE};
    FocusLobbyKnock k2 = {
        "k2", "Lou", "k2@anon.example.org/b", "k2@anon.example.org", 130 * G_USEC_PER_SEC, TRUE};
    GPtrArray *ks = g_ptr_array_new();
    g_ptr_array_add(ks, &k1);
    g_ptr_array_add(ks, &k2);
    r = focus_security_lobby_result(ctx, req, "r@" MUC, TRUE, FALSE, ks, 165 * G_USEC_PER_SEC);
    xmpp_stanza_t *l = pa_stanza_child(r, "lobby", NS);
    g_assert_cmpstr(xmpp_stanza_get_attribute(l, "enabled"), ==, "true");
    g_assert_cmpstr(xmpp_stanza_get_attribute(l, "password"), ==, "false");
    k = xmpp_stanza_get_children(l);
    g_assert_cmpstr(xmpp_stanza_get_name(k), ==, "knock");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "id"), ==, "k1");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "nick"), ==, "Kim");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "jid"), ==, "k1@anon.example.org/a");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "waiting"), ==, "65");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "status"), ==, "pending");
    g_assert_null(xmpp_stanza_get_next(k)); /* k2 is being admitted: not listed */
    xmpp_stanza_release(r);
    /* A participant sees the state only. */
    r = focus_security_lobby_result(ctx, req, "r@" MUC, FALSE, TRUE, NULL, 0);
    l = pa_stanza_child(r, "lobby", NS);
    g_assert_cmpstr(xmpp_stanza_get_attribute(l, "enabled"), ==, "false");
    g_assert_cmpstr(xmpp_stanza_get_attribute(l, "password"), ==, "true");
    g_assert_null(xmpp_stanza_get_children(l));
    xmpp_stanza_release(r);
    g_ptr_array_unref(ks);
    xmpp_stanza_release(req);
}

/* ---- stanzas for actions ---- */

static const char *field(xmpp_stanza_t *form, const char *var)
{
    for (xmpp_stanza_t *f = xmpp_stanza_get_children(form); f; f = xmpp_stanza_get_next(f)) {
        if (g_strcmp0(xmpp_stanza_get_attribute(f, "var"), var) != 0)
            continue;
        xmpp_stanza_t *v = pa_stanza_child(f, "value", NULL);
        g_assert_nonnull(v);
        xmpp_stanza_t *t = xmpp_stanza_get_children(v);
        return t ? xmpp_stanza_get_text_ptr(t) : "";
    }
    return NULL;
}

static void test_action_stanzas(void)
{
    const char *comp = "focus.example.org", *occ = "focus.example.org/focus", *room = "r@" MUC;

    FocusLobbyAction g = {
        .kind = FOCUS_LOBBY_ACTION_GRANT_MEMBER, .op = 3, .jid = "k1@anon.example.org"};
    xmpp_stanza_t *s = focus_security_action_stanza(ctx, comp, occ, room, &g);
    g_assert_cmpstr(xmpp_stanza_get_name(s), ==, "iq");
    g_assert_cmpstr(xmpp_stanza_get_type(s), ==, "set");
    g_assert_cmpstr(xmpp_stanza_get_from(s), ==, occ);
    g_assert_cmpstr(xmpp_stanza_get_to(s), ==, room);
    xmpp_stanza_t *item =
        pa_stanza_child(pa_stanza_child(s, "query", FOCUS_NS_MUC_ADMIN), "item", NULL);
    g_assert_cmpstr(xmpp_stanza_get_attribute(item, "affiliation"), ==, "member");
    g_assert_cmpstr(xmpp_stanza_get_attribute(item, "jid"), ==, "k1@anon.example.org");
    xmpp_stanza_release(s);

    FocusLobbyAction c = {.kind = FOCUS_LOBBY_ACTION_SUBMIT_CONFIG, .members_only = TRUE};
    s = focus_security_action_stanza(ctx, comp, occ, room, &c);
    g_assert_cmpstr(xmpp_stanza_get_from(s), ==, occ);
    xmpp_stanza_t *x =
        pa_stanza_child(pa_stanza_child(s, "query", FOCUS_NS_MUC_OWNER), "x", FOCUS_NS_DATA);
    g_assert_cmpstr(xmpp_stanza_get_type(x), ==, "submit");
    g_assert_cmpstr(field(x, "FORM_TYPE"), ==, "http://jabber.org/protocol/muc#roomconfig");
    g_assert_cmpstr(field(x, "muc#roomconfig_membersonly"), ==, "1");
    g_assert_cmpstr(field(x, "muc#roomconfig_passwordprotectedroom"), ==, "0");
    g_assert_cmpstr(field(x, "muc#roomconfig_roomsecret"), ==, "");
    /* Nothing else: whois, persistence and the rest stay as the room has them. */
    g_assert_null(field(x, "muc#roomconfig_whois"));
    g_assert_null(field(x, "muc#roomconfig_persistentroom"));
    xmpp_stanza_release(s);

    c.members_only = FALSE;
    c.secret = "pa<ss>";
    s = focus_security_action_stanza(ctx, comp, occ, room, &c);
    x = pa_stanza_child(pa_stanza_child(s, "query", FOCUS_NS_MUC_OWNER), "x", FOCUS_NS_DATA);
    g_assert_cmpstr(field(x, "muc#roomconfig_membersonly"), ==, "0");
    g_assert_cmpstr(field(x, "muc#roomconfig_passwordprotectedroom"), ==, "1");
    g_assert_cmpstr(field(x, "muc#roomconfig_roomsecret"), ==, "pa<ss>");
    /* The form parses back to what it says. */
    gboolean mo, prot;
    g_autofree char *secret = NULL;
    g_assert_true(focus_security_parse_config(s, &mo, &prot, &secret));
    g_assert_false(mo);
    g_assert_true(prot);
    g_assert_cmpstr(secret, ==, "pa<ss>");
    xmpp_stanza_release(s);
    s = focus_security_config_form(ctx, occ, room, FALSE, "");
    x = pa_stanza_child(pa_stanza_child(s, "query", FOCUS_NS_MUC_OWNER), "x", FOCUS_NS_DATA);
    g_assert_cmpstr(field(x, "muc#roomconfig_passwordprotectedroom"), ==, "0");
    xmpp_stanza_release(s);

    FocusLobbyAction n = {.kind = FOCUS_LOBBY_ACTION_NOTIFY_KNOCK,
                          .to = "ann@example.org/web",
                          .knock_id = "k1",
                          .knock_status = FOCUS_LOBBY_KNOCK_PENDING,
                          .nick = "Kim",
                          .knocker_jid = "k1@anon.example.org/a"};
    s = focus_security_action_stanza(ctx, comp, occ, room, &n);
    g_assert_cmpstr(xmpp_stanza_get_name(s), ==, "message");
    g_assert_cmpstr(xmpp_stanza_get_type(s), ==, "headline");
    g_assert_cmpstr(xmpp_stanza_get_from(s), ==, comp);
    g_assert_cmpstr(xmpp_stanza_get_to(s), ==, "ann@example.org/web");
    xmpp_stanza_t *k = pa_stanza_child(s, "knock", NS);
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "room"), ==, room);
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "id"), ==, "k1");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "status"), ==, "pending");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "nick"), ==, "Kim");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "jid"), ==, "k1@anon.example.org/a");
    g_assert_null(xmpp_stanza_get_attribute(k, "by"));
    g_assert_null(xmpp_stanza_get_attribute(k, "reason"));
    xmpp_stanza_release(s);

    /* To the knocker: no name or JID echoed, but who decided and why. */
    n.to = "k1@anon.example.org/a";
    n.to_knocker = TRUE;
    n.knock_status = FOCUS_LOBBY_KNOCK_REFUSED;
    n.by = "ann";
    n.reason = "Private meeting";
    s = focus_security_action_stanza(ctx, comp, occ, room, &n);
    k = pa_stanza_child(s, "knock", NS);
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "status"), ==, "refused");
    g_assert_null(xmpp_stanza_get_attribute(k, "nick"));
    g_assert_null(xmpp_stanza_get_attribute(k, "jid"));
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "by"), ==, "ann");
    g_assert_cmpstr(xmpp_stanza_get_attribute(k, "reason"), ==, "Private meeting");
    xmpp_stanza_release(s);

    FocusLobbyAction st = {.kind = FOCUS_LOBBY_ACTION_NOTIFY_STATE,
                           .to = "bob@example.org/x",
                           .enabled = TRUE,
                           .has_password = TRUE};
    s = focus_security_action_stanza(ctx, comp, occ, room, &st);
    g_assert_cmpstr(xmpp_stanza_get_type(s), ==, "headline");
    xmpp_stanza_t *l = pa_stanza_child(s, "lobby", NS);
    g_assert_cmpstr(xmpp_stanza_get_attribute(l, "enabled"), ==, "true");
    g_assert_cmpstr(xmpp_stanza_get_attribute(l, "password"), ==, "true");
    g_assert_cmpstr(xmpp_stanza_get_attribute(l, "room"), ==, room);
    /* The password itself never travels in a notification: no value, nothing inside. */
    g_assert_null(xmpp_stanza_get_attribute(l, "value"));
    g_assert_null(xmpp_stanza_get_children(l));
    g_assert_true(xmpp_stanza_get_children(s) == l && !xmpp_stanza_get_next(l));
    xmpp_stanza_release(s);

    FocusLobbyAction rep = {.kind = FOCUS_LOBBY_ACTION_REPLY};
    g_assert_null(focus_security_action_stanza(ctx, comp, occ, room, &rep));
}

/* ---- reading the room configuration ---- */

static void test_parse_config(void)
{
    gboolean mo = TRUE, prot = TRUE;
    char *secret = NULL;
    /* Prosody 0.12 style: no passwordprotectedroom field; the secret says it. */
    xmpp_stanza_t *r =
        xml("<iq type='result' from='r@" MUC "' id='c1'><query "
            "xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>"
            "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/"
            "muc#roomconfig</value></field>"
            "<field var='muc#roomconfig_membersonly' type='boolean'><value>0</value></field>"
            "<field var='muc#roomconfig_roomsecret' type='text-private'><value>abc</value></field>"
            "</x></query></iq>");
    g_assert_true(focus_security_parse_config(r, &mo, &prot, &secret));
    g_assert_false(mo);
    g_assert_true(prot);
    g_assert_cmpstr(secret, ==, "abc");
    g_clear_pointer(&secret, g_free);
    xmpp_stanza_release(r);

    /* ejabberd style: booleans as true/false, an explicit passwordprotectedroom, empty
     * secret. */
    r = xml("<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'>"
            "<x xmlns='jabber:x:data' type='form'>"
            "<field var='muc#roomconfig_membersonly' type='boolean'><value>true</value></field>"
            "<field var='muc#roomconfig_passwordprotectedroom' "
            "type='boolean'><value>false</value></field>"
            "<field var='muc#roomconfig_roomsecret' type='text-private'><value/></field>"
            "</x></query></iq>");
    g_assert_true(focus_security_parse_config(r, &mo, &prot, &secret));
    g_assert_true(mo);
    g_assert_false(prot);
    g_assert_null(secret);
    xmpp_stanza_release(r);

    /* A secret field without value at all, no membersonly field. */
    r = xml("<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'>"
            "<x xmlns='jabber:x:data' type='form'>"
            "<field var='muc#roomconfig_roomsecret' type='text-private'/></x></query></iq>");
    g_assert_true(focus_security_parse_config(r, &mo, &prot, &secret));
    g_assert_false(mo);
    g_assert_false(prot);
    g_assert_null(secret);
    xmpp_stanza_release(r);

    /* Not a form: nothing is claimed. */
    const char *bad[] = {"<iq type='result'/>",
                         "<iq type='result'><query xmlns='http://jabber.org/protocol/muc#owner'/>"
                         "</iq>",
                         "<iq type='error'><query xmlns='http://jabber.org/protocol/muc#admin'>"
                         "<x xmlns='jabber:x:data'/></query></iq>"};
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        mo = prot = TRUE;
        r = xml(bad[i]);
        g_assert_false(focus_security_parse_config(r, &mo, &prot, &secret));
        g_assert_true(mo && prot);
        g_assert_null(secret);
        xmpp_stanza_release(r);
    }

    r = focus_security_config_query(ctx, "focus.example.org/focus", "r@" MUC);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "get");
    g_assert_cmpstr(xmpp_stanza_get_to(r), ==, "r@" MUC);
    g_assert_nonnull(pa_stanza_child(r, "query", FOCUS_NS_MUC_OWNER));
    xmpp_stanza_release(r);
}

/* Random attribute values (any XML-legal text, any length) on every request: a status, never a
 * crash, and what parses keeps the promises of the header. */
static void test_parse_random(void)
{
    const char *names[] = {"lobby", "password", "knock", "cancel", "admit", "refuse", "other"};
    const char *attrs[] = {"room", "enabled", "value", "nick", "password", "knock", "reason"};
    const gunichar pool[] = {'a',  'Z',   '0',   ' ',    '@',    '/',     '.',
                             '&',  '<',   '"',   '\'',   0x9,    0xA,     0xD,
                             0xE9, 0x130, 0x3A3, 0x4E2D, 0xFEFF, 0x1F389, 0x10FFFD};
    guint accepted = 0;
    for (int i = 0; i < 3000; i++) {
        GString *x = g_string_new(NULL);
        g_string_append_printf(x, "<%s xmlns='" NS "'",
                               names[g_test_rand_int_range(0, G_N_ELEMENTS(names))]);
        for (guint a = 0; a < G_N_ELEMENTS(attrs); a++) {
            if (g_test_rand_int_range(0, 3) == 0)
                continue;
            GString *v = g_string_new(NULL);
            int shape = g_test_rand_int_range(0, 20);
            if (a == 0 && shape < 15) {
                g_string_append(v, "r@" MUC); /* mostly a valid room, to reach the rest */
            } else if (a == 1 && shape < 15) {
                const char *b[] = {"true", "false", "1", "0", "yes", ""};
                g_string_append(v, b[g_test_rand_int_range(0, G_N_ELEMENTS(b))]);
            } else {
                int max = shape < 10 ? 8 : shape < 17 ? 70 : 600;
                int len = g_test_rand_int_range(0, max + 1);
                for (int k = 0; k < len; k++)
                    g_string_append_unichar(v, pool[g_test_rand_int_range(0, G_N_ELEMENTS(pool))]);
            }
            g_autofree char *esc = g_markup_escape_text(v->str, -1);
            g_string_append_printf(x, " %s='%s'", attrs[a], esc);
            g_string_free(v, TRUE);
        }
        g_string_append(x, "/>");
        FocusSecurityRequest r;
        g_autofree char *why = NULL;
        xmpp_stanza_t *q = iq(g_test_rand_bit() ? "set" : "get", FROM, x->str);
        FocusSecurityStatus st = focus_security_parse(q, MUC, &r, &why);
        if (st == FOCUS_SECURITY_OK) {
            accepted++;
            g_assert_null(why);
            g_assert_cmpstr(r.room, ==, "r@" MUC);
            if (r.nick) {
                g_assert_cmpuint(g_utf8_strlen(r.nick, -1), <=, FOCUS_SECURITY_MAX_NICK);
                g_assert_cmpuint(g_utf8_strlen(r.nick, -1), >=, 1);
            }
            for (const char *f = r.nick; f && *f; f++)
                g_assert_cmpuint((guchar)*f, >=, 0x20);
            g_assert_true(!r.password || strlen(r.password) <= FOCUS_SECURITY_MAX_PASSWORD);
            g_assert_true(!r.reason || strlen(r.reason) <= FOCUS_SECURITY_MAX_REASON);
            g_assert_true(!r.knock_id || strlen(r.knock_id) <= FOCUS_SECURITY_MAX_KNOCK_ID);
        } else {
            g_assert_nonnull(why);
            xmpp_stanza_t *e = focus_security_error_reply(ctx, q, st, why);
            g_assert_nonnull(pa_stanza_error_condition(e));
            xmpp_stanza_release(e);
        }
        focus_security_request_clear(&r);
        xmpp_stanza_release(q);
        g_string_free(x, TRUE);
    }
    g_assert_cmpuint(accepted, >=, 200); /* the invariants above were exercised */
}

/* A quoted value cut at its byte limit must not split a UTF-8 sequence (fuzz finding): the
 * error text goes back as XML, and half a character makes the server close the stream. */
static void test_error_text_cut_at_character(void)
{
    /* 63 ASCII bytes then a 2-byte character straddling the 64-byte limit, in a room name
     * that is invalid (a space), an element name and an IQ type. */
    GString *name = g_string_new(NULL);
    for (int i = 0; i < 63; i++)
        g_string_append_c(name, 'a');
    g_string_append(name, "\xc3\xa9 x\xc3\xa9\xc3\xa9");
    const char *payloads[3];
    g_autofree char *p0 = g_strdup_printf("<lobby xmlns='" NS "' room='%s@" MUC "'/>", name->str);
    g_autofree char *p1 =
        g_strdup_printf("<a123456789012345678901234567890\xc3\xa9\xc3\xa9 xmlns='" NS "'/>");
    payloads[0] = p0;
    payloads[1] = p1;
    payloads[2] = "<lobby xmlns='" NS "' room='r@" MUC "'/>";
    const char *types[3] = {"get", "set", "abcdefghijklmno\xc3\xa9\xc3\xa9"};
    for (int i = 0; i < 3; i++) {
        FocusSecurityRequest req;
        g_autofree char *why = NULL;
        FocusSecurityStatus st = parse(types[i], FROM, payloads[i], &req, &why);
        g_assert_cmpint(st, !=, FOCUS_SECURITY_OK);
        g_assert_nonnull(why);
        g_assert_true(g_utf8_validate(why, -1, NULL));
        g_assert_nonnull(strstr(why, "..."));
    }
    g_string_free(name, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/security-iq/parse", test_parse_each_request);
    g_test_add_func("/security-iq/parse-errors", test_parse_errors);
    g_test_add_func("/security-iq/parse-limits", test_parse_limits_are_inclusive);
    g_test_add_func("/security-iq/lobby-errors", test_lobby_errors);
    g_test_add_func("/security-iq/results", test_results);
    g_test_add_func("/security-iq/action-stanzas", test_action_stanzas);
    g_test_add_func("/security-iq/parse-config", test_parse_config);
    g_test_add_func("/security-iq/parse-random", test_parse_random);
    g_test_add_func("/security-iq/error-text-cut-at-character", test_error_text_cut_at_character);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
