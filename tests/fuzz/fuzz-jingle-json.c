/* SPDX-License-Identifier: MIT */
/* Fuzz target: the text of Jingle's <json-message> (pa_jingle_sources_from_json), the
 * compact source map lib-jitsi-meet and Jicofo exchange, fed as raw bytes (the Jingle target
 * reaches it too, but through XML). Checks, besides "no crash, no leak": a reason exactly on
 * failure, sendable as text (it ends up in the focus's bad-request reply); on failure @out
 * is unchanged, as jingle.h promises; what is parsed is appended after what @out held and is
 * within bounds; and the map written back (pa_jingle_sources_to_json_message) parses to the
 * same sources. */
#include <string.h>

#include "common/jingle/jingle.h"
#include "fuzz-dump.h"
#include "fuzz-xmpp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (memchr(data, 0, size) || size > PA_JINGLE_MAX_JSON)
        return 0;
    char *json = g_strndup((const char *)data, size);

    /* @out already holds a source: it must survive a failure, and precede what is added. */
    PaJingleSources out;
    pa_jingle_sources_init(&out);
    pa_jingle_sources_add(&out, 42, TRUE, "held-v0", NULL, "held");
    char *before = fuzz_dump_jingle_sources(&out, FALSE);
    char *why = NULL;
    PaJingleStatus st = pa_jingle_sources_from_json(json, &out, &why);
    FUZZ_CHECK(st == PA_JINGLE_OK || st == PA_JINGLE_MALFORMED || st == PA_JINGLE_TOO_LARGE);
    FUZZ_CHECK((st == PA_JINGLE_OK) == (why == NULL));
    fuzz_check_xml_text("json-message reason", why);

    PaJingleSources o0;
    pa_jingle_sources_init(&o0);
    FUZZ_CHECK(pa_jingle_sources_from_json(json, &o0, NULL) == st);

    if (st != PA_JINGLE_OK) {
        char *after = fuzz_dump_jingle_sources(&out, FALSE);
        fuzz_check_same("sources after a refused json-message", before, after);
        g_free(after);
    } else {
        const PaJingleSource *held = &g_array_index(out.sources, PaJingleSource, 0);
        FUZZ_CHECK(held->ssrc == 42 && strcmp(held->owner, "held") == 0);
        FUZZ_CHECK(out.sources->len == o0.sources->len + 1);
        FUZZ_CHECK(out.groups->len == o0.groups->len);
        FUZZ_CHECK(o0.sources->len <= PA_JINGLE_MAX_SOURCES);
        FUZZ_CHECK(o0.groups->len <= PA_JINGLE_MAX_GROUPS);
        for (guint i = 0; i < o0.sources->len; i++) {
            const PaJingleSource *s = &g_array_index(o0.sources, PaJingleSource, i);
            FUZZ_CHECK(s->ssrc != 0 && s->owner && *s->owner);
            FUZZ_CHECK(strlen(s->owner) <= PA_JINGLE_MAX_NAME);
            FUZZ_CHECK(!s->name || strlen(s->name) <= PA_JINGLE_MAX_NAME);
            FUZZ_CHECK(!s->msid || strlen(s->msid) <= PA_JINGLE_MAX_NAME);
            FUZZ_CHECK(s->video ? s->video_type != PA_JINGLE_VIDEO_TYPE_UNSET
                                : s->video_type == PA_JINGLE_VIDEO_TYPE_UNSET);
        }
        for (guint i = 0; i < o0.groups->len; i++) {
            const PaJingleSsrcGroup *g = &g_array_index(o0.groups, PaJingleSsrcGroup, i);
            FUZZ_CHECK(g->semantics != PA_JINGLE_GROUP_OTHER && g->owner && *g->owner);
            FUZZ_CHECK(g->ssrcs->len >= 1 && g->ssrcs->len <= PA_JINGLE_MAX_GROUP_SSRCS);
        }

        char *text = pa_jingle_sources_to_json_message(&o0);
        PaJingleSources o2;
        pa_jingle_sources_init(&o2);
        char *why2 = NULL;
        if (pa_jingle_sources_from_json(text, &o2, &why2) != PA_JINGLE_OK) {
            fprintf(stderr, "%s\n%s\n", why2, text);
            fuzz_fail("written source map refused");
        } else {
            char *want = fuzz_dump_jingle_sources(&o0, TRUE);
            char *got = fuzz_dump_jingle_sources(&o2, TRUE);
            fuzz_check_same("sources after writing the map", want, got);
            g_free(want);
            g_free(got);
        }
        g_free(why2);
        g_free(text);
        pa_jingle_sources_clear(&o2);
    }
    pa_jingle_sources_clear(&o0);
    g_free(why);
    g_free(before);
    pa_jingle_sources_clear(&out);
    g_free(json);
    return 0;
}
