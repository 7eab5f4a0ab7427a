/* SPDX-License-Identifier: MIT */
/* Fuzz target: the room-security IQs any client may send the focus (focus_security_parse:
 * lobby, password, knock, cancel, admit, refuse; urn:parley:lobby:0) and the error replies
 * to them; on the same input, the MUC service's owner-form reply the focus reads back
 * (focus_security_parse_config). Checks, besides "no crash, no leak": a sentence exactly on
 * failure, and an error reply with the documented condition that carries it and reads back;
 * @out zeroed on failure; on success the room is canonical and a valid room of the service,
 * the sender a full JID, each field within its bounds; a request rebuilt from the parsed one
 * parses the same; the owner form the focus would submit for what it read reads back the
 * same. */
#include <string.h>

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"
#include "focus/security/security-iq.h"
#include "fuzz-xmpp.h"

#define MUC_DOMAIN "conference.example.org"

static const char *condition_of(FocusSecurityStatus st)
{
    switch (st) {
    case FOCUS_SECURITY_UNKNOWN_ELEMENT:
        return "feature-not-implemented";
    case FOCUS_SECURITY_BAD_ROOM:
        return "jid-malformed";
    case FOCUS_SECURITY_WRONG_DOMAIN:
        return "not-allowed";
    case FOCUS_SECURITY_TOO_LONG:
        return "not-acceptable";
    default:
        return "bad-request";
    }
}

static char *dump(const FocusSecurityRequest *r)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "%s enabled=%d", focus_security_kind_str(r->kind), r->enabled);
    fuzz_dump_str(out, "room", r->room);
    fuzz_dump_str(out, "from", r->from);
    fuzz_dump_str(out, "password", r->password);
    fuzz_dump_str(out, "nick", r->nick);
    fuzz_dump_str(out, "knock", r->knock_id);
    fuzz_dump_str(out, "reason", r->reason);
    return g_string_free(out, FALSE);
}

/* The IQ a client would send for @r. */
static xmpp_stanza_t *build(const FocusSecurityRequest *r)
{
    static const char *const names[] = {
        [FOCUS_SECURITY_LOBBY_SET] = "lobby",   [FOCUS_SECURITY_LOBBY_GET] = "lobby",
        [FOCUS_SECURITY_PASSWORD] = "password", [FOCUS_SECURITY_KNOCK] = "knock",
        [FOCUS_SECURITY_CANCEL] = "cancel",     [FOCUS_SECURITY_ADMIT] = "admit",
        [FOCUS_SECURITY_REFUSE] = "refuse",
    };
    xmpp_stanza_t *iq = xmpp_iq_new(fuzz_xmpp_ctx(),
                                    r->kind == FOCUS_SECURITY_LOBBY_GET ? "get" : "set", "rebuilt");
    xmpp_stanza_set_from(iq, r->from);
    xmpp_stanza_t *el = pa_stanza_add_child(iq, names[r->kind], FOCUS_NS_LOBBY);
    xmpp_stanza_set_attribute(el, "room", r->room);
    switch (r->kind) {
    case FOCUS_SECURITY_LOBBY_SET:
        xmpp_stanza_set_attribute(el, "enabled", r->enabled ? "true" : "false");
        break;
    case FOCUS_SECURITY_PASSWORD:
        xmpp_stanza_set_attribute(el, "value", r->password ? r->password : "");
        break;
    case FOCUS_SECURITY_KNOCK:
        xmpp_stanza_set_attribute(el, "nick", r->nick);
        if (r->password)
            xmpp_stanza_set_attribute(el, "password", r->password);
        break;
    case FOCUS_SECURITY_REFUSE:
        if (r->reason)
            xmpp_stanza_set_attribute(el, "reason", r->reason);
        /* fall through */
    case FOCUS_SECURITY_CANCEL:
    case FOCUS_SECURITY_ADMIT:
        xmpp_stanza_set_attribute(el, "knock", r->knock_id);
        break;
    case FOCUS_SECURITY_LOBBY_GET:
        break;
    }
    return iq;
}

static void check_ok(const FocusSecurityRequest *r)
{
    FUZZ_CHECK(r->kind <= FOCUS_SECURITY_REFUSE);
    FUZZ_CHECK(r->room && r->from);
    char *key = focus_muc_room_key(r->room);
    fuzz_check_same("room key of the room key", r->room, key);
    g_free(key);
    if (pa_room_jid_check(r->room, MUC_DOMAIN) != PA_ROOM_OK)
        fuzz_fail("room key is not a valid room");
    PaJid j;
    FUZZ_CHECK(pa_jid_parse(r->from, &j) == PA_JID_OK && j.resource);
    pa_jid_clear(&j);
    FUZZ_CHECK(!r->password ||
               (*r->password && strlen(r->password) <= FOCUS_SECURITY_MAX_PASSWORD));
    FUZZ_CHECK((r->nick != NULL) == (r->kind == FOCUS_SECURITY_KNOCK));
    if (r->nick) {
        gsize n = strlen(r->nick);
        FUZZ_CHECK(n > 0 && g_utf8_strlen(r->nick, -1) <= FOCUS_SECURITY_MAX_NICK);
        FUZZ_CHECK(!g_ascii_isspace(r->nick[0]) && !g_ascii_isspace(r->nick[n - 1]));
    }
    gboolean wants_id = r->kind == FOCUS_SECURITY_CANCEL || r->kind == FOCUS_SECURITY_ADMIT ||
                        r->kind == FOCUS_SECURITY_REFUSE;
    FUZZ_CHECK((r->knock_id != NULL) == wants_id);
    FUZZ_CHECK(!r->knock_id ||
               (*r->knock_id && strlen(r->knock_id) <= FOCUS_SECURITY_MAX_KNOCK_ID));
    FUZZ_CHECK(!r->reason || (*r->reason && strlen(r->reason) <= FOCUS_SECURITY_MAX_REASON));
    FUZZ_CHECK(!r->password || r->kind == FOCUS_SECURITY_PASSWORD ||
               r->kind == FOCUS_SECURITY_KNOCK);

    xmpp_stanza_t *built = build(r);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(built);
    FocusSecurityRequest r2;
    char *why = NULL;
    if (focus_security_parse(again, MUC_DOMAIN, &r2, &why) != FOCUS_SECURITY_OK) {
        fprintf(stderr, "%s\n", why);
        fuzz_fail("rebuilt security request refused");
    } else {
        char *want = dump(r), *got = dump(&r2);
        fuzz_check_same("security request after rebuild", want, got);
        g_free(want);
        g_free(got);
    }
    g_free(why);
    focus_security_request_clear(&r2);
    xmpp_stanza_release(again);
    xmpp_stanza_release(built);
}

/* The owner form: what the focus reads, submitted again, reads back the same. */
static void check_config(xmpp_stanza_t *stanza)
{
    gboolean members_only = 7, prot = 7;
    char *secret = NULL;
    if (!focus_security_parse_config(stanza, &members_only, &prot, &secret))
        return;
    FUZZ_CHECK(members_only == TRUE || members_only == FALSE);
    FUZZ_CHECK(prot == TRUE || prot == FALSE);
    FUZZ_CHECK(!secret || *secret);
    xmpp_stanza_t *form = focus_security_config_form(fuzz_xmpp_ctx(), "focus.example.org/focus",
                                                     "room@" MUC_DOMAIN, members_only, secret);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(form);
    gboolean m2, p2;
    char *s2 = NULL;
    FUZZ_CHECK(focus_security_parse_config(again, &m2, &p2, &s2));
    FUZZ_CHECK(m2 == members_only);
    FUZZ_CHECK(p2 == (secret != NULL));
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    fuzz_dump_str(a, "secret", secret);
    fuzz_dump_str(b, "secret", s2);
    fuzz_check_same("room secret after the owner form", a->str, b->str);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    g_free(s2);
    g_free(secret);
    xmpp_stanza_release(again);
    xmpp_stanza_release(form);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *iq = fuzz_xmpp_stanza(data, size);
    if (!iq)
        return 0;
    FocusSecurityRequest req;
    char *why = NULL;
    FocusSecurityStatus st = focus_security_parse(iq, MUC_DOMAIN, &req, &why);
    FUZZ_CHECK(st <= FOCUS_SECURITY_TOO_LONG);
    FUZZ_CHECK((st == FOCUS_SECURITY_OK) == (why == NULL));

    FocusSecurityRequest r0;
    FUZZ_CHECK(focus_security_parse(iq, MUC_DOMAIN, &r0, NULL) == st);
    focus_security_request_clear(&r0);

    if (st == FOCUS_SECURITY_OK) {
        FUZZ_CHECK(strcmp(focus_security_kind_str(req.kind), "?") != 0);
        check_ok(&req);
    } else {
        static const FocusSecurityRequest zero;
        FUZZ_CHECK(memcmp(&req, &zero, sizeof zero) == 0);
        xmpp_stanza_t *reply = focus_security_error_reply(fuzz_xmpp_ctx(), iq, st, why);
        fuzz_check_error_reply(reply, condition_of(st), why);
        xmpp_stanza_release(reply);
    }
    check_config(iq);
    g_free(why);
    focus_security_request_clear(&req);
    xmpp_stanza_release(iq);
    return 0;
}
