/* SPDX-License-Identifier: MIT */
/* Fuzz target: JIDs as peers write them in from/to/jid/room attributes (pa_jid_parse and the
 * helpers over it, pa_room_jid_check, and the focus's room key focus_muc_room_key), fed the
 * raw bytes of an attribute value. Checks, besides "no crash, no leak": @out zeroed on
 * failure; on success the parts are non-empty, the domain lower-case and valid, and the JID
 * put back together parses to the same parts; the bare/resource/equal helpers agree with
 * the parse; the key of a room accepted by pa_room_jid_check, when it has one, is itself an
 * accepted room and its own key. */
#include <string.h>

#include "common/xmpp/jid.h"
#include "focus/xmpp/muc.h"
#include "fuzz-xmpp.h"

#define MUC_DOMAIN "conference.example.org"

static void check_room(const char *s)
{
    PaRoomStatus rs = pa_room_jid_check(s, MUC_DOMAIN);
    FUZZ_CHECK(rs <= PA_ROOM_BAD_NAME);
    FUZZ_CHECK(strcmp(pa_room_status_str(rs), "?") != 0);
    char *key = focus_muc_room_key(s);
    /* An accepted room may still have no key: a name that NFKC turns into JID syntax
     * (U+FF20 -> '@') is refused there, and the conference request with it. */
    if (rs == PA_ROOM_OK && key) {
        PaRoomStatus ks = pa_room_jid_check(key, MUC_DOMAIN);
        if (ks != PA_ROOM_OK) {
            fprintf(stderr, "room '%s' is accepted, its key '%s' is not: %s\n", s, key,
                    pa_room_status_str(ks));
            fuzz_fail("room key is not a valid room");
        }
        char *key2 = focus_muc_room_key(key);
        fuzz_check_same("room key of the room key", key, key2);
        g_free(key2);
    }
    g_free(key);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, 0, size))
        return 0;
    char *s = g_strndup((const char *)data, size);
    PaJid j;
    PaJidStatus st = pa_jid_parse(s, &j);
    FUZZ_CHECK(st <= PA_JID_BAD_UTF8);
    FUZZ_CHECK(strcmp(pa_jid_status_str(st), "?") != 0);
    if (st != PA_JID_OK) {
        FUZZ_CHECK(!j.local && !j.domain && !j.resource);
        FUZZ_CHECK(pa_jid_bare(s) == NULL);
        FUZZ_CHECK(pa_jid_resource(s) == NULL);
        FUZZ_CHECK(!pa_jid_equal(s, s));
        check_room(s);
        g_free(s);
        return 0;
    }
    FUZZ_CHECK(j.domain && pa_domain_valid(j.domain));
    for (const char *p = j.domain; *p; p++)
        FUZZ_CHECK(!g_ascii_isupper(*p));
    FUZZ_CHECK(!j.local || *j.local);
    FUZZ_CHECK(!j.resource || *j.resource);

    GString *again = g_string_new(NULL);
    if (j.local)
        g_string_append_printf(again, "%s@", j.local);
    g_string_append(again, j.domain);
    if (j.resource)
        g_string_append_printf(again, "/%s", j.resource);
    PaJid j2;
    FUZZ_CHECK(pa_jid_parse(again->str, &j2) == PA_JID_OK);
    fuzz_check_same("local part", j.local, j2.local);
    fuzz_check_same("domain", j.domain, j2.domain);
    fuzz_check_same("resource", j.resource, j2.resource);
    FUZZ_CHECK(pa_jid_equal(s, again->str));
    FUZZ_CHECK(pa_jid_equal(s, s));

    char *bare = pa_jid_bare(s);
    char *want = j.local ? g_strdup_printf("%s@%s", j.local, j.domain) : g_strdup(j.domain);
    fuzz_check_same("bare JID", want, bare);
    char *res = pa_jid_resource(s);
    fuzz_check_same("resource", j.resource, res);

    check_room(s);
    g_free(res);
    g_free(want);
    g_free(bare);
    pa_jid_clear(&j2);
    g_string_free(again, TRUE);
    pa_jid_clear(&j);
    g_free(s);
    return 0;
}
