/* SPDX-License-Identifier: MIT */
/* Fuzz target: the conference request a client sends the focus before joining
 * (focus_room_request_parse), and the replies the focus makes of it. Checks, besides "no
 * crash, no leak": a sentence for the client exactly on failure, valid as text, and an error
 * reply with the documented condition that carries it; @out zeroed on failure; on success
 * the room is canonical (its own key) and still a valid room on the focus's MUC service, the
 * property bounds hold, the result names the room, and a request rebuilt from what was parsed
 * parses to the same thing. */
#include <string.h>

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/rooms/room-request.h"
#include "focus/xmpp/muc.h"
#include "fuzz-xmpp.h"

#define MUC_DOMAIN "conference.example.org"

static char *dump(const FocusRoomRequest *r)
{
    GString *out = g_string_new("conference");
    fuzz_dump_str(out, "room", r->room);
    fuzz_dump_str(out, "machine-uid", r->machine_uid);
    fuzz_dump_str(out, "session-id", r->session_id);
    GList *names = g_list_sort(g_hash_table_get_keys(r->properties), (GCompareFunc)strcmp);
    for (GList *l = names; l; l = l->next) {
        g_string_append(out, "\n property");
        fuzz_dump_str(out, "name", l->data);
        fuzz_dump_str(out, "value", g_hash_table_lookup(r->properties, l->data));
    }
    g_list_free(names);
    return g_string_free(out, FALSE);
}

static xmpp_stanza_t *build_request(const FocusRoomRequest *r)
{
    xmpp_ctx_t *ctx = fuzz_xmpp_ctx();
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", "rebuilt");
    xmpp_stanza_t *conf = pa_stanza_add_child(iq, "conference", FOCUS_NS_FOCUS);
    xmpp_stanza_set_attribute(conf, "room", r->room);
    if (r->machine_uid)
        xmpp_stanza_set_attribute(conf, "machine-uid", r->machine_uid);
    if (r->session_id)
        xmpp_stanza_set_attribute(conf, "session-id", r->session_id);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r->properties);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        xmpp_stanza_t *p = pa_stanza_add_child(conf, "property", NULL);
        xmpp_stanza_set_attribute(p, "name", k);
        xmpp_stanza_set_attribute(p, "value", v);
    }
    return iq;
}

static void check_ok(xmpp_stanza_t *iq, const FocusRoomRequest *r)
{
    xmpp_ctx_t *ctx = fuzz_xmpp_ctx();
    FUZZ_CHECK(r->room && r->properties);
    fuzz_check_xml_text("room key", r->room);
    /* The key is canonical and still names a room the focus serves. */
    char *key = focus_muc_room_key(r->room);
    fuzz_check_same("room key of the room key", r->room, key);
    g_free(key);
    PaRoomStatus rs = pa_room_jid_check(r->room, MUC_DOMAIN);
    if (rs != PA_ROOM_OK) {
        fprintf(stderr, "room key '%s': %s\n", r->room, pa_room_status_str(rs));
        if (!fuzz_fail("room key is not a valid room"))
            return;
    }
    FUZZ_CHECK(!r->machine_uid || *r->machine_uid);
    FUZZ_CHECK(!r->session_id || *r->session_id);
    FUZZ_CHECK(g_hash_table_size(r->properties) <= 32);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, r->properties);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        FUZZ_CHECK(*(char *)k && strlen(k) <= 256);
        FUZZ_CHECK(v && strlen(v) <= 256);
    }

    /* The result tells the client its room. */
    xmpp_stanza_t *res = focus_room_request_result(ctx, iq, r->room, "focus.example.org", TRUE);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(res);
    FUZZ_CHECK(g_strcmp0(xmpp_stanza_get_type(again), "result") == 0);
    xmpp_stanza_t *conf = pa_stanza_child(again, "conference", FOCUS_NS_FOCUS);
    FUZZ_CHECK(conf != NULL);
    fuzz_check_same("room in the result", r->room, xmpp_stanza_get_attribute(conf, "room"));
    xmpp_stanza_release(again);
    xmpp_stanza_release(res);

    /* Rebuilt from the parsed request, through text: the same request. */
    xmpp_stanza_t *built = build_request(r);
    xmpp_stanza_t *back = fuzz_xmpp_reparse(built);
    FocusRoomRequest r2;
    char *why = NULL;
    FocusRoomRequestStatus st = focus_room_request_parse(back, MUC_DOMAIN, &r2, &why);
    if (st != FOCUS_ROOM_REQUEST_OK) {
        fprintf(stderr, "%s\n", why);
        fuzz_fail("rebuilt conference request refused");
    } else {
        char *want = dump(r), *got = dump(&r2);
        fuzz_check_same("conference request after rebuild", want, got);
        g_free(want);
        g_free(got);
    }
    g_free(why);
    focus_room_request_clear(&r2);
    xmpp_stanza_release(back);
    xmpp_stanza_release(built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *iq = fuzz_xmpp_stanza(data, size);
    if (!iq)
        return 0;
    FocusRoomRequest req;
    char *why = NULL;
    FocusRoomRequestStatus st = focus_room_request_parse(iq, MUC_DOMAIN, &req, &why);
    FUZZ_CHECK(st <= FOCUS_ROOM_REQUEST_WRONG_DOMAIN);
    FUZZ_CHECK((st == FOCUS_ROOM_REQUEST_OK) == (why == NULL));

    FocusRoomRequest r0;
    FUZZ_CHECK(focus_room_request_parse(iq, MUC_DOMAIN, &r0, NULL) == st);
    focus_room_request_clear(&r0);

    if (st == FOCUS_ROOM_REQUEST_OK) {
        check_ok(iq, &req);
    } else {
        static const FocusRoomRequest zero;
        FUZZ_CHECK(memcmp(&req, &zero, sizeof zero) == 0);
        const char *cond = st == FOCUS_ROOM_REQUEST_WRONG_DOMAIN ? "not-allowed"
                           : st == FOCUS_ROOM_REQUEST_NOT_OURS   ? "feature-not-implemented"
                                                                 : "bad-request";
        xmpp_stanza_t *reply = focus_room_request_error_reply(fuzz_xmpp_ctx(), iq, st, why);
        fuzz_check_error_reply(reply, cond, why);
        xmpp_stanza_release(reply);
    }
    g_free(why);
    focus_room_request_clear(&req);
    xmpp_stanza_release(iq);
    return 0;
}
