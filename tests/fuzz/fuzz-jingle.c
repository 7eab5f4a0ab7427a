/* SPDX-License-Identifier: MIT */
/* Fuzz target: Jingle as the focus receives it from a client (pa_jingle_parse: contents,
 * codecs, ICE-UDP transports, XML sources and groups, the <json-message> source map, BUNDLE,
 * bridge-session, ice-state, startmuted, reason). Checks, besides "no crash, no leak":
 *  - a reason exactly when parsing fails, and a bad-request reply carrying it that reads
 *    back (the focus answers every malformed Jingle that way);
 *  - on success, every bound and validation jingle.h promises;
 *  - whatever pa_jingle_build makes of the parsed model parses again, and:
 *    the session part (everything but sources) comes back the same; the sources come back
 *    the same through the XML form (as a source-add) and through the JSON form (as the focus
 *    signals them), up to what those forms define: a source without an owner is the
 *    bridge's ("jvb"), and the JSON form carries only FID/SIM groups with SSRCs (the focus's
 *    source map drops the others before signalling) and "camera" for an unset video type. */
#include <string.h>

#include "common/jingle/jingle.h"
#include "common/xmpp/stanza.h"
#include "fuzz-colibri-check.h"
#include "fuzz-dump.h"
#include "fuzz-xmpp.h"

/* ---- invariants ---- */

static void check_text(const char *s, gsize max)
{
    if (!s)
        return;
    FUZZ_CHECK(strlen(s) <= max);
    fuzz_check_xml_text("jingle string", s);
}

static void check_sources(const PaJingleSources *s)
{
    FUZZ_CHECK(s->sources->len <= PA_JINGLE_MAX_SOURCES);
    FUZZ_CHECK(s->groups->len <= PA_JINGLE_MAX_GROUPS);
    for (guint i = 0; i < s->sources->len; i++) {
        const PaJingleSource *src = &g_array_index(s->sources, PaJingleSource, i);
        FUZZ_CHECK(src->ssrc != 0);
        check_text(src->name, PA_JINGLE_MAX_NAME);
        check_text(src->msid, PA_JINGLE_MAX_NAME);
        check_text(src->owner, PA_JINGLE_MAX_NAME);
        FUZZ_CHECK(!src->owner || *src->owner);
        FUZZ_CHECK(src->video || src->video_type == PA_JINGLE_VIDEO_TYPE_UNSET);
        FUZZ_CHECK(src->video_type <= PA_JINGLE_VIDEO_TYPE_DESKTOP);
        const PaJingleSource *found = pa_jingle_sources_find(s, src->ssrc);
        FUZZ_CHECK(found && found->ssrc == src->ssrc);
    }
    for (guint i = 0; i < s->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(s->groups, PaJingleSsrcGroup, i);
        FUZZ_CHECK(g->ssrcs->len <= PA_JINGLE_MAX_GROUP_SSRCS);
        for (guint k = 0; k < g->ssrcs->len; k++)
            FUZZ_CHECK(g_array_index(g->ssrcs, guint32, k) != 0);
        const char *sem = pa_jingle_group_semantics_str(g);
        FUZZ_CHECK(sem && *sem);
        FUZZ_CHECK(pa_jingle_group_semantics_parse(sem) == g->semantics);
        check_text(g->owner, PA_JINGLE_MAX_NAME);
    }
    FUZZ_CHECK(pa_jingle_sources_empty(s) == (s->sources->len == 0 && s->groups->len == 0));
}

static void check_ok(const PaJingle *j)
{
    FUZZ_CHECK(j->action_name && *j->action_name && strlen(j->action_name) <= 64);
    FUZZ_CHECK(j->action == pa_jingle_action_parse(j->action_name));
    FUZZ_CHECK(j->sid && *j->sid && strlen(j->sid) <= PA_JINGLE_MAX_NAME);
    check_text(j->initiator, 3072);
    check_text(j->responder, 3072);
    FUZZ_CHECK(j->contents->len <= PA_JINGLE_MAX_CONTENTS);
    for (guint i = 0; i < j->contents->len; i++) {
        const PaJingleContent *c = &g_array_index(j->contents, PaJingleContent, i);
        check_text(c->name, 64);
        check_text(c->creator, 32);
        check_text(c->senders, 32);
        check_text(c->media, 64); /* the media attribute (32), or else the name (64) */
        FUZZ_CHECK(c->has_description || (!c->media && c->rtp.payload_types->len == 0));
        FUZZ_CHECK(c->rtp.video == (g_strcmp0(c->media, "video") == 0));
        fuzz_check_colibri_media(&c->rtp, TRUE);
        FUZZ_CHECK(c->maxptime <= 100000);
        if (c->has_transport)
            fuzz_check_transport(&c->transport);
        if (c->has_initial_last_n)
            FUZZ_CHECK(c->initial_last_n >= -1 && c->initial_last_n <= 10000);
        const char *key = c->has_description && c->media ? c->media : c->name;
        if (key)
            FUZZ_CHECK(pa_jingle_find_content(j, key) != NULL);
    }
    FUZZ_CHECK(j->has_bundle || j->bundle->len == 0);
    FUZZ_CHECK(j->bundle->len <= PA_JINGLE_MAX_CONTENTS);
    for (guint i = 0; i < j->bundle->len; i++)
        check_text(j->bundle->pdata[i], 64);
    check_text(j->bridge_session_id, PA_JINGLE_MAX_NAME);
    check_text(j->bridge_session_region, PA_JINGLE_MAX_NAME);
    FUZZ_CHECK(j->has_bridge_session || (!j->bridge_session_id && !j->bridge_session_region));
    check_text(j->ice_state, 64);
    if (j->ice_state)
        FUZZ_CHECK(!g_ascii_isspace(j->ice_state[0]) &&
                   (!*j->ice_state || !g_ascii_isspace(j->ice_state[strlen(j->ice_state) - 1])));
    FUZZ_CHECK(j->has_reason || (!j->reason && !j->reason_text));
    check_text(j->reason, 64);
    check_text(j->reason_text, 1024);
    check_sources(&j->sources);
    const PaTransport *t = pa_jingle_first_transport(j);
    FUZZ_CHECK(!t || j->contents->len > 0);
}

/* ---- dumps ---- */

/* Everything but the sources. json_sources is left out: it only says which form sources
 * took. */
static char *dump_session(const PaJingle *j)
{
    GString *out = g_string_new("jingle");
    g_string_append_printf(out, " action=%d", j->action);
    /* A known action is written by its canonical name ("addsource" -> "source-add"). */
    if (j->action == PA_JINGLE_ACTION_UNKNOWN)
        fuzz_dump_str(out, "action-name", j->action_name);
    fuzz_dump_str(out, "sid", j->sid);
    fuzz_dump_str(out, "initiator", j->initiator);
    fuzz_dump_str(out, "responder", j->responder);
    g_string_append_c(out, '\n');
    for (guint i = 0; i < j->contents->len; i++) {
        const PaJingleContent *c = &g_array_index(j->contents, PaJingleContent, i);
        g_string_append(out, " content");
        fuzz_dump_str(out, "name", c->name);
        fuzz_dump_str(out, "creator", c->creator);
        fuzz_dump_str(out, "senders", c->senders);
        g_string_append_printf(out, " description=%d", c->has_description);
        /* A description without media (and a content without name) is written media="". */
        fuzz_dump_str(out, "media", c->has_description && !c->media ? "" : c->media);
        g_string_append_printf(out, " maxptime=%u rtcp-mux=%d transport=%d last-n=%d/%d\n",
                               c->maxptime, c->rtcp_mux, c->has_transport, c->has_initial_last_n,
                               c->initial_last_n);
        fuzz_dump_colibri_media(out, &c->rtp, TRUE);
        if (c->has_transport) {
            g_string_append(out, "  ");
            fuzz_dump_transport(out, &c->transport);
        }
    }
    g_string_append_printf(out, " bundle=%d", j->has_bundle);
    for (guint i = 0; i < j->bundle->len; i++)
        fuzz_dump_str(out, "", j->bundle->pdata[i]);
    g_string_append_printf(out, "\n bridge-session=%d restart=%d ice-restart=%d",
                           j->has_bridge_session, j->bridge_session_restart,
                           j->bridge_session_ice_restart);
    fuzz_dump_str(out, "id", j->bridge_session_id);
    fuzz_dump_str(out, "region", j->bridge_session_region);
    fuzz_dump_str(out, "\n ice-state", j->ice_state);
    g_string_append_printf(out, " reason=%d", j->has_reason);
    /* A <reason> needs a condition (XEP-0166): the builder writes <success/> when none. */
    fuzz_dump_str(out, "condition", j->has_reason && !j->reason ? "success" : j->reason);
    fuzz_dump_str(out, "text", j->reason_text);
    g_string_append_printf(out, " startmuted=%d audio=%d video=%d\n", j->has_start_muted,
                           j->start_muted_audio, j->start_muted_video);
    return g_string_free(out, FALSE);
}

/* ---- round trips ---- */

/* pa_jingle_build(@j), through text, parsed again into @out. FALSE (after fuzz_fail) if
 * the parser refuses what the builder made. */
static gboolean rebuild(const PaJingle *j, PaJingle *out)
{
    xmpp_stanza_t *built = pa_jingle_build(fuzz_xmpp_ctx(), j);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(built);
    char *why = NULL;
    PaJingleStatus st = pa_jingle_parse(again, out, &why);
    gboolean ok = st == PA_JINGLE_OK;
    if (!ok) {
        char *text = fuzz_xmpp_text(built);
        fprintf(stderr, "%s: %s\n%s\n", pa_jingle_status_str(st), why, text);
        g_free(text);
        fuzz_fail("rebuilt jingle refused");
    }
    g_free(why);
    xmpp_stanza_release(again);
    xmpp_stanza_release(built);
    return ok;
}

static void check_session_round_trip(PaJingle *j)
{
    /* Known bug "long media": a description without media takes the content's name (up to 64
     * bytes) as its media, which is written as media= and refused over 32 bytes. */
    for (guint i = 0; fuzz_known_bug("long media") && i < j->contents->len; i++) {
        const char *m = g_array_index(j->contents, PaJingleContent, i).media;
        if (m && strlen(m) > 32)
            return;
    }
    /* Without sources: those are checked on their own below. */
    PaJingleSources saved = j->sources;
    pa_jingle_sources_init(&j->sources);
    PaJingle j2;
    if (rebuild(j, &j2)) {
        char *want = dump_session(j), *got = dump_session(&j2);
        fuzz_check_same("jingle session after build and parse", want, got);
        g_free(want);
        g_free(got);
    }
    pa_jingle_clear(&j2);
    pa_jingle_sources_clear(&j->sources);
    j->sources = saved;
}

/* TAB, LF, CR or DEL: what a JSON source name may hold and an XML one may not. */
static gboolean json_only_text(const char *s)
{
    return s && strpbrk(s, "\t\n\r\x7f") != NULL;
}

static void check_sources_round_trip(const PaJingleSources *s, gboolean json_form)
{
    PaJingle k;
    pa_jingle_init(&k);
    k.action = PA_JINGLE_SOURCE_ADD;
    k.sid = g_strdup("fuzz");
    k.json_sources = json_form;
    pa_jingle_sources_copy(&k.sources, s);
    /* Known bug "json name": such names come in through JSON, and their XML form is refused. */
    for (guint i = k.sources.sources->len; !json_form && fuzz_known_bug("json name") && i-- > 0;) {
        const PaJingleSource *src = &g_array_index(k.sources.sources, PaJingleSource, i);
        if (json_only_text(src->name) || json_only_text(src->msid) || json_only_text(src->owner))
            g_array_remove_index(k.sources.sources, i);
    }
    PaJingle k2;
    if (rebuild(&k, &k2)) {
        char *want = fuzz_dump_jingle_sources(&k.sources, json_form),
             *got = fuzz_dump_jingle_sources(&k2.sources, json_form);
        fuzz_check_same(json_form ? "sources after the JSON form" : "sources after the XML form",
                        want, got);
        g_free(want);
        g_free(got);
    }
    pa_jingle_clear(&k2);
    pa_jingle_clear(&k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;
    PaJingle j;
    char *why = NULL;
    PaJingleStatus st = pa_jingle_parse(stanza, &j, &why);
    FUZZ_CHECK(st <= PA_JINGLE_TOO_LARGE);
    FUZZ_CHECK(strcmp(pa_jingle_status_str(st), "?") != 0);
    FUZZ_CHECK((st == PA_JINGLE_OK) == (why == NULL));

    PaJingle j0;
    FUZZ_CHECK(pa_jingle_parse(stanza, &j0, NULL) == st);
    pa_jingle_clear(&j0);

    if (st == PA_JINGLE_OK) {
        check_ok(&j);
        check_session_round_trip(&j);
        check_sources_round_trip(&j.sources, FALSE);
        check_sources_round_trip(&j.sources, TRUE);
    } else {
        /* What the focus answers a malformed Jingle with. */
        xmpp_stanza_t *reply =
            pa_stanza_error_reply(fuzz_xmpp_ctx(), stanza, PA_ERR_MODIFY, "bad-request", why, NULL);
        fuzz_check_error_reply(reply, "bad-request", why);
        xmpp_stanza_release(reply);
    }
    g_free(why);
    pa_jingle_clear(&j);
    xmpp_stanza_release(stanza);
    return 0;
}
