/* SPDX-License-Identifier: MIT */
/* Fuzz target: MUC occupant presence as the focus receives it from the conference MUC
 * (focus_muc_presence_parse: room and nick from the from JID, muc#user item, status codes,
 * destroy, errors, nick, stats-id). Checks, besides "no crash, no leak": @out zeroed unless
 * OK; on OK the room is a bare JID with a lower-case domain and the nick non-empty, status
 * codes are in range and findable, every string is sendable text; and a presence rebuilt
 * from what was parsed, through text, parses to the same thing. */
#include <string.h>

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"
#include "fuzz-xmpp.h"

static char *dump(const FocusMucPresence *p)
{
    GString *out = g_string_new("presence");
    fuzz_dump_str(out, "room", p->room);
    fuzz_dump_str(out, "nick", p->nick);
    g_string_append_printf(out,
                           " available=%d error=%d muc-user=%d role=%d affiliation=%d"
                           " destroyed=%d status=",
                           p->available, p->is_error, p->has_muc_user, p->role, p->affiliation,
                           p->destroyed);
    for (guint i = 0; i < p->n_status; i++)
        g_string_append_printf(out, "%u,", p->status[i]);
    fuzz_dump_str(out, "condition", p->error_condition);
    fuzz_dump_str(out, "error-text", p->error_text);
    fuzz_dump_str(out, "real-jid", p->real_jid);
    fuzz_dump_str(out, "new-nick", p->new_nick);
    fuzz_dump_str(out, "display-name", p->display_name);
    fuzz_dump_str(out, "stats-id", p->stats_id);
    fuzz_dump_str(out, "destroy-reason", p->destroy_reason);
    return g_string_free(out, FALSE);
}

static void add_text_child(xmpp_stanza_t *parent, const char *name, const char *ns,
                           const char *text)
{
    xmpp_stanza_t *c = pa_stanza_add_child(parent, name, ns);
    if (text)
        pa_stanza_add_text(c, text);
}

/* The presence a MUC service would send for @p. */
static xmpp_stanza_t *build(const FocusMucPresence *p)
{
    xmpp_stanza_t *pr = xmpp_presence_new(fuzz_xmpp_ctx());
    char *from = g_strdup_printf("%s/%s", p->room, p->nick);
    xmpp_stanza_set_from(pr, from);
    g_free(from);
    if (p->is_error) {
        xmpp_stanza_set_type(pr, "error");
        xmpp_stanza_t *err = pa_stanza_add_child(pr, "error", NULL);
        xmpp_stanza_set_attribute(err, "type", "cancel");
        if (p->error_condition)
            pa_stanza_add_child(err, p->error_condition, PA_NS_STANZAS);
        if (p->error_text)
            add_text_child(err, "text", PA_NS_STANZAS, p->error_text);
        return pr;
    }
    if (!p->available)
        xmpp_stanza_set_type(pr, "unavailable");
    if (p->has_muc_user) {
        xmpp_stanza_t *x = pa_stanza_add_child(pr, "x", FOCUS_NS_MUC_USER);
        xmpp_stanza_t *item = pa_stanza_add_child(x, "item", NULL);
        xmpp_stanza_set_attribute(item, "role", focus_muc_role_str(p->role));
        xmpp_stanza_set_attribute(item, "affiliation", focus_muc_affiliation_str(p->affiliation));
        if (p->real_jid)
            xmpp_stanza_set_attribute(item, "jid", p->real_jid);
        if (p->new_nick)
            xmpp_stanza_set_attribute(item, "nick", p->new_nick);
        for (guint i = 0; i < p->n_status; i++) {
            xmpp_stanza_t *s = pa_stanza_add_child(x, "status", NULL);
            char code[8];
            g_snprintf(code, sizeof code, "%u", p->status[i]);
            xmpp_stanza_set_attribute(s, "code", code);
        }
        if (p->destroyed) {
            xmpp_stanza_t *d = pa_stanza_add_child(x, "destroy", NULL);
            if (p->destroy_reason)
                add_text_child(d, "reason", NULL, p->destroy_reason);
        }
    }
    if (p->display_name)
        add_text_child(pr, "nick", FOCUS_NS_NICK, p->display_name);
    if (p->stats_id)
        add_text_child(pr, "stats-id", NULL, p->stats_id);
    return pr;
}

static void check_ok(const FocusMucPresence *p)
{
    FUZZ_CHECK(p->room && p->nick && *p->nick);
    PaJid j;
    FUZZ_CHECK(pa_jid_parse(p->room, &j) == PA_JID_OK);
    FUZZ_CHECK(j.resource == NULL);
    char *lower = g_ascii_strdown(j.domain, -1);
    FUZZ_CHECK(strcmp(lower, j.domain) == 0);
    g_free(lower);
    pa_jid_clear(&j);
    FUZZ_CHECK(!(p->available && p->is_error));
    FUZZ_CHECK(p->n_status <= FOCUS_MUC_MAX_STATUS);
    for (guint i = 0; i < p->n_status; i++) {
        FUZZ_CHECK(p->status[i] >= 100 && p->status[i] <= 999);
        FUZZ_CHECK(focus_muc_presence_has_status(p, p->status[i]));
    }
    FUZZ_CHECK(p->role <= FOCUS_MUC_ROLE_MODERATOR);
    FUZZ_CHECK(p->affiliation <= FOCUS_MUC_AFFILIATION_OWNER);
    if (p->real_jid) {
        FUZZ_CHECK(pa_jid_parse(p->real_jid, &j) == PA_JID_OK);
        pa_jid_clear(&j);
    }
    FUZZ_CHECK(!p->new_nick || *p->new_nick);
    FUZZ_CHECK(!p->error_condition || *p->error_condition);
    FUZZ_CHECK(p->is_error || (!p->error_condition && !p->error_text));
    FUZZ_CHECK(p->destroyed || !p->destroy_reason);
    fuzz_check_xml_text("room", p->room);
    fuzz_check_xml_text("nick", p->nick);
    fuzz_check_xml_text("display name", p->display_name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;
    FocusMucPresence p;
    FocusMucPresenceStatus st = focus_muc_presence_parse(stanza, &p);
    FUZZ_CHECK(st <= FOCUS_MUC_PRESENCE_BAD_TYPE);
    if (st != FOCUS_MUC_PRESENCE_OK) {
        static const FocusMucPresence zero;
        FUZZ_CHECK(memcmp(&p, &zero, sizeof zero) == 0);
    } else {
        check_ok(&p);
        xmpp_stanza_t *built = build(&p);
        xmpp_stanza_t *again = fuzz_xmpp_reparse(built);
        FocusMucPresence p2;
        FUZZ_CHECK(focus_muc_presence_parse(again, &p2) == FOCUS_MUC_PRESENCE_OK);
        char *want = dump(&p), *got = dump(&p2);
        fuzz_check_same("presence after rebuild", want, got);
        g_free(want);
        g_free(got);
        focus_muc_presence_clear(&p2);
        xmpp_stanza_release(again);
        xmpp_stanza_release(built);
    }
    focus_muc_presence_clear(&p);
    xmpp_stanza_release(stanza);
    return 0;
}
