/* SPDX-License-Identifier: MIT */
/* Fuzz target: the moderation requests any occupant or client may send the focus
 * (focus/security/moderation-iq.h): Jitsi's remote mute (focus_moderation_parse_mute) and
 * Parley's end-conference (focus_moderation_parse_end), both tried on every input, with their
 * error replies. Checks, besides "no crash, no leak": a sentence exactly on failure, and an
 * error reply with the documented condition that carries it and reads back; @out zeroed on
 * failure; the same verdict without the sentence pointer. Mute accepted: the room is its own
 * key and a valid room of the service, the actor a full JID of that room whose resource is
 * the actor nick, the target nick non-empty; a request rebuilt from the parsed one parses the
 * same; the mute the focus forwards reads back with the same media, value and actor. End
 * accepted: the room is its own key and a valid room, the sender a full JID; a rebuilt request
 * parses the same. */
#include <string.h>

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/security/moderation-iq.h"
#include "focus/xmpp/muc.h"
#include "fuzz-xmpp.h"

#define MUC_DOMAIN "conference.example.org"
#define OCC "focus.example.org/focus"

static const char *condition_of(FocusModerationStatus st)
{
    switch (st) {
    case FOCUS_MODERATION_BAD_ROOM:
        return "jid-malformed";
    case FOCUS_MODERATION_WRONG_DOMAIN:
        return "not-allowed";
    case FOCUS_MODERATION_NOT_OCCUPANT:
        return "item-not-found";
    default:
        return "bad-request";
    }
}

static void check_room(const char *room)
{
    FUZZ_CHECK(room != NULL);
    char *key = focus_muc_room_key(room);
    fuzz_check_same("room key of the room key", room, key);
    g_free(key);
    if (pa_room_jid_check(room, MUC_DOMAIN) != PA_ROOM_OK)
        fuzz_fail("room key is not a valid room");
}

static char *dump_mute(const FocusMuteRequest *r)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out, "%s mute=%d", focus_mute_media_str(r->media), r->mute);
    fuzz_dump_str(out, "room", r->room);
    fuzz_dump_str(out, "actor", r->actor);
    fuzz_dump_str(out, "nick", r->actor_nick);
    fuzz_dump_str(out, "target", r->target_nick);
    return g_string_free(out, FALSE);
}

static void check_mute_ok(const FocusMuteRequest *r)
{
    FUZZ_CHECK(strcmp(focus_mute_media_str(r->media), "?") != 0);
    FUZZ_CHECK(r->mute == TRUE || r->mute == FALSE);
    check_room(r->room);
    PaJid j;
    FUZZ_CHECK(pa_jid_parse(r->actor, &j) == PA_JID_OK && j.local && j.resource);
    fuzz_check_same("actor nick", j.resource, r->actor_nick);
    pa_jid_clear(&j);
    char *actor_room = pa_jid_bare(r->actor);
    char *actor_key = focus_muc_room_key(actor_room);
    fuzz_check_same("the actor's room", r->room, actor_key);
    g_free(actor_key);
    g_free(actor_room);
    FUZZ_CHECK(!r->target_nick || *r->target_nick);

    /* Rebuilt as the MUC would deliver it; a target outside the room stays outside. */
    char *jid = r->target_nick ? g_strdup_printf("%s/%s", r->room, r->target_nick)
                               : g_strdup("someone@elsewhere.example.org/x");
    xmpp_stanza_t *iq = xmpp_iq_new(fuzz_xmpp_ctx(), "set", "rebuilt");
    xmpp_stanza_set_from(iq, r->actor);
    xmpp_stanza_t *el = pa_stanza_add_child(iq, "mute", focus_mute_media_ns(r->media));
    xmpp_stanza_set_attribute(el, "jid", jid);
    pa_stanza_add_text(el, r->mute ? "true" : "false");
    xmpp_stanza_t *again = fuzz_xmpp_reparse(iq);
    FocusMuteRequest r2;
    char *why = NULL;
    if (focus_moderation_parse_mute(again, MUC_DOMAIN, &r2, &why) != FOCUS_MODERATION_OK) {
        fprintf(stderr, "%s\n", why);
        fuzz_fail("rebuilt mute request refused");
    } else {
        char *want = dump_mute(r), *got = dump_mute(&r2);
        fuzz_check_same("mute request after rebuild", want, got);
        g_free(want);
        g_free(got);
    }
    g_free(why);
    focus_mute_request_clear(&r2);
    xmpp_stanza_release(again);
    xmpp_stanza_release(iq);

    /* What the focus forwards to the target. */
    xmpp_stanza_t *fwd =
        focus_moderation_mute_stanza(fuzz_xmpp_ctx(), OCC, jid, r->media, r->mute, r->actor);
    xmpp_stanza_t *back = fuzz_xmpp_reparse(fwd);
    xmpp_stanza_t *m = pa_stanza_child(back, "mute", focus_mute_media_ns(r->media));
    FUZZ_CHECK(m != NULL);
    GString *a = g_string_new(NULL), *b = g_string_new(NULL);
    fuzz_dump_str(a, "actor", r->actor);
    fuzz_dump_str(b, "actor", xmpp_stanza_get_attribute(m, "actor"));
    fuzz_check_same("actor of the forwarded mute", a->str, b->str);
    g_string_free(a, TRUE);
    g_string_free(b, TRUE);
    char *t = xmpp_stanza_get_text(m);
    fuzz_check_same("value of the forwarded mute", r->mute ? "true" : "false", t ? t : "");
    if (t)
        xmpp_free(fuzz_xmpp_ctx(), t);
    xmpp_stanza_release(back);
    xmpp_stanza_release(fwd);
    g_free(jid);
}

static void check_end_ok(const FocusEndRequest *r)
{
    check_room(r->room);
    PaJid j;
    FUZZ_CHECK(pa_jid_parse(r->from, &j) == PA_JID_OK && j.resource);
    pa_jid_clear(&j);
    xmpp_stanza_t *iq = xmpp_iq_new(fuzz_xmpp_ctx(), "set", "rebuilt");
    xmpp_stanza_set_from(iq, r->from);
    xmpp_stanza_t *el = pa_stanza_add_child(iq, "end-conference", FOCUS_NS_END_CONFERENCE);
    xmpp_stanza_set_attribute(el, "room", r->room);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(iq);
    FocusEndRequest r2;
    char *why = NULL;
    if (focus_moderation_parse_end(again, MUC_DOMAIN, &r2, &why) != FOCUS_MODERATION_OK) {
        fprintf(stderr, "%s\n", why);
        fuzz_fail("rebuilt end-conference request refused");
    } else {
        GString *a = g_string_new(NULL), *b = g_string_new(NULL);
        fuzz_dump_str(a, "room", r->room);
        fuzz_dump_str(a, "from", r->from);
        fuzz_dump_str(b, "room", r2.room);
        fuzz_dump_str(b, "from", r2.from);
        fuzz_check_same("end-conference request after rebuild", a->str, b->str);
        g_string_free(a, TRUE);
        g_string_free(b, TRUE);
    }
    g_free(why);
    focus_end_request_clear(&r2);
    xmpp_stanza_release(again);
    xmpp_stanza_release(iq);
}

static void check_failed(xmpp_stanza_t *iq, FocusModerationStatus st, const char *why,
                         const void *out, size_t size)
{
    static const char zero[64];
    FUZZ_CHECK(size <= sizeof zero && memcmp(out, zero, size) == 0);
    xmpp_stanza_t *reply = focus_moderation_error_reply(fuzz_xmpp_ctx(), iq, st, why);
    fuzz_check_error_reply(reply, condition_of(st), why);
    xmpp_stanza_release(reply);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *iq = fuzz_xmpp_stanza(data, size);
    if (!iq)
        return 0;

    FocusMuteRequest mr, m0;
    char *why = NULL;
    FocusModerationStatus st = focus_moderation_parse_mute(iq, MUC_DOMAIN, &mr, &why);
    FUZZ_CHECK(st <= FOCUS_MODERATION_NOT_OCCUPANT);
    FUZZ_CHECK((st == FOCUS_MODERATION_OK) == (why == NULL));
    FUZZ_CHECK(focus_moderation_parse_mute(iq, MUC_DOMAIN, &m0, NULL) == st);
    focus_mute_request_clear(&m0);
    if (st == FOCUS_MODERATION_OK)
        check_mute_ok(&mr);
    else
        check_failed(iq, st, why, &mr, sizeof mr);
    focus_mute_request_clear(&mr);
    g_free(why);

    FocusEndRequest er, e0;
    why = NULL;
    st = focus_moderation_parse_end(iq, MUC_DOMAIN, &er, &why);
    FUZZ_CHECK(st <= FOCUS_MODERATION_NOT_OCCUPANT && st != FOCUS_MODERATION_NOT_OCCUPANT);
    FUZZ_CHECK((st == FOCUS_MODERATION_OK) == (why == NULL));
    FUZZ_CHECK(focus_moderation_parse_end(iq, MUC_DOMAIN, &e0, NULL) == st);
    focus_end_request_clear(&e0);
    if (st == FOCUS_MODERATION_OK)
        check_end_ok(&er);
    else
        check_failed(iq, st, why, &er, sizeof er);
    focus_end_request_clear(&er);
    g_free(why);
    xmpp_stanza_release(iq);
    return 0;
}
