/* SPDX-License-Identifier: MIT */
/* Source validation (ownership, SSRC conflicts, limits, groups), removal, simulcast
 * stripping, per-receiver differences and the Colibri2 form. */
#include "focus/conference/source-map.h"

#include <string.h>

static void add_src(PaJingleSources *s, guint32 ssrc, gboolean video, const char *name,
                    const char *msid)
{
    pa_jingle_sources_add(s, ssrc, video, name, msid, NULL);
}

static void add_group(PaJingleSources *s, PaJingleGroupSemantics sem, guint n, ...)
{
    guint32 ssrcs[16];
    va_list ap;
    va_start(ap, n);
    for (guint i = 0; i < n; i++)
        ssrcs[i] = va_arg(ap, guint32);
    va_end(ap);
    pa_jingle_sources_add_group(s, TRUE, sem, NULL, ssrcs, n);
}

typedef struct {
    PaJingleSources existing, add, out;
    FocusSsrcOwners *others;
    char *why;
} Fx;

static void fx_init(Fx *fx)
{
    memset(fx, 0, sizeof *fx);
    pa_jingle_sources_init(&fx->existing);
    pa_jingle_sources_init(&fx->add);
    pa_jingle_sources_init(&fx->out);
    fx->others = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(fx->others, GUINT_TO_POINTER(9999), "bob");
}

static void fx_clear(Fx *fx)
{
    pa_jingle_sources_clear(&fx->existing);
    pa_jingle_sources_clear(&fx->add);
    pa_jingle_sources_clear(&fx->out);
    g_hash_table_unref(fx->others);
    g_free(fx->why);
}

static FocusSourcesStatus validate(Fx *fx)
{
    g_clear_pointer(&fx->why, g_free);
    pa_jingle_sources_clear(&fx->out);
    pa_jingle_sources_init(&fx->out);
    return focus_sources_validate_add(&fx->existing, &fx->add, "alice", fx->others, &fx->out,
                                      &fx->why);
}

static void test_accept_normalises(void)
{
    Fx fx;
    fx_init(&fx);
    add_src(&fx.add, 1, FALSE, "alice-a0", "m a");
    add_src(&fx.add, 2, TRUE, NULL, "m v");
    add_src(&fx.add, 3, TRUE, NULL, "m v");
    add_src(&fx.add, 2, TRUE, NULL, "m v"); /* listed twice: once is kept */
    add_group(&fx.add, PA_JINGLE_GROUP_FID, 2, 2u, 3u);
    add_group(&fx.add, PA_JINGLE_GROUP_FID, 2, 2u, 3u); /* repeated group: dropped */
    add_group(&fx.add, PA_JINGLE_GROUP_SIM, 0);         /* empty group: dropped */
    g_assert_cmpint(validate(&fx), ==, FOCUS_SOURCES_OK);
    g_assert_cmpuint(fx.out.sources->len, ==, 3);
    g_assert_cmpuint(fx.out.groups->len, ==, 1);
    const PaJingleSource *v = pa_jingle_sources_find(&fx.out, 2);
    g_assert_cmpstr(v->name, ==, "alice-v0");
    g_assert_cmpstr(v->owner, ==, "alice");
    g_assert_cmpstr(g_array_index(fx.out.groups, PaJingleSsrcGroup, 0).owner, ==, "alice");
    fx_clear(&fx);
}

static void expect(Fx *fx, FocusSourcesStatus want, const char *why_part)
{
    FocusSourcesStatus st = validate(fx);
    if (st != want || (why_part && (!fx->why || !strstr(fx->why, why_part))))
        g_error("got %d (%s), want %d with '%s'", st, fx->why ? fx->why : "", want,
                why_part ? why_part : "");
    if (st != FOCUS_SOURCES_OK)
        g_assert_cmpuint(fx->out.sources->len, ==, 0);
}

static void test_refusals(void)
{
    Fx fx;
    /* Someone else's SSRC. */
    fx_init(&fx);
    add_src(&fx.add, 9999, FALSE, "alice-a0", NULL);
    expect(&fx, FOCUS_SOURCES_INVALID, "already used by bob");
    fx_clear(&fx);
    /* A name of another endpoint, or a bare prefix. */
    fx_init(&fx);
    add_src(&fx.add, 5, FALSE, "bob-a0", NULL);
    expect(&fx, FOCUS_SOURCES_INVALID, "does not belong to endpoint alice");
    fx_clear(&fx);
    fx_init(&fx);
    add_src(&fx.add, 5, FALSE, "alicex-a0", NULL);
    expect(&fx, FOCUS_SOURCES_INVALID, "does not belong");
    fx_clear(&fx);
    /* Already signalled by the sender. */
    fx_init(&fx);
    add_src(&fx.existing, 5, FALSE, "alice-a0", NULL);
    add_src(&fx.add, 5, FALSE, "alice-a0", NULL);
    expect(&fx, FOCUS_SOURCES_INVALID, "already signalled");
    fx_clear(&fx);
    /* Same SSRC as audio and video. */
    fx_init(&fx);
    add_src(&fx.add, 5, FALSE, "alice-a0", NULL);
    add_src(&fx.add, 5, TRUE, "alice-v0", NULL);
    expect(&fx, FOCUS_SOURCES_INVALID, "both audio and video");
    fx_clear(&fx);
    /* Groups: unknown semantics, FID size, unknown SSRC. */
    fx_init(&fx);
    add_src(&fx.add, 5, TRUE, "alice-v0", NULL);
    pa_jingle_sources_add_group(&fx.add, TRUE, PA_JINGLE_GROUP_OTHER, NULL, (guint32[]){5}, 1);
    expect(&fx, FOCUS_SOURCES_INVALID, "not supported");
    fx_clear(&fx);
    fx_init(&fx);
    add_src(&fx.add, 5, TRUE, "alice-v0", NULL);
    add_src(&fx.add, 6, TRUE, "alice-v0", NULL);
    add_src(&fx.add, 7, TRUE, "alice-v0", NULL);
    add_group(&fx.add, PA_JINGLE_GROUP_FID, 3, 5u, 6u, 7u);
    expect(&fx, FOCUS_SOURCES_INVALID, "FID group with 3");
    fx_clear(&fx);
    fx_init(&fx);
    add_src(&fx.add, 5, TRUE, "alice-v0", NULL);
    add_group(&fx.add, PA_JINGLE_GROUP_FID, 2, 5u, 9999u);
    expect(&fx, FOCUS_SOURCES_INVALID, "not a source of alice");
    fx_clear(&fx);
    /* A group over sources signalled earlier is fine. */
    fx_init(&fx);
    add_src(&fx.existing, 5, TRUE, "alice-v0", NULL);
    add_src(&fx.add, 6, TRUE, "alice-v0", NULL);
    add_group(&fx.add, PA_JINGLE_GROUP_FID, 2, 5u, 6u);
    expect(&fx, FOCUS_SOURCES_OK, NULL);
    g_assert_cmpuint(fx.out.groups->len, ==, 1);
    fx_clear(&fx);
}

static void test_limits(void)
{
    Fx fx;
    fx_init(&fx);
    for (guint i = 1; i <= FOCUS_SOURCES_MAX_SSRCS; i++)
        add_src(&fx.existing, i, TRUE, "alice-v0", NULL);
    add_src(&fx.add, 100, TRUE, "alice-v1", NULL);
    expect(&fx, FOCUS_SOURCES_LIMIT, "more than 20 sources");
    fx_clear(&fx);

    fx_init(&fx);
    for (guint i = 1; i <= FOCUS_SOURCES_MAX_SSRCS; i++)
        add_src(&fx.add, i, TRUE, "alice-v0", NULL);
    expect(&fx, FOCUS_SOURCES_OK, NULL); /* exactly at the limit */
    fx_clear(&fx);

    fx_init(&fx);
    for (guint i = 1; i <= 2; i++)
        add_src(&fx.existing, i, TRUE, "alice-v0", NULL);
    for (guint i = 0; i < FOCUS_SOURCES_MAX_GROUPS; i++)
        pa_jingle_sources_add_group(&fx.existing, TRUE, PA_JINGLE_GROUP_SIM, "alice",
                                    (guint32[]){1, 2, i + 100}, 3);
    add_group(&fx.add, PA_JINGLE_GROUP_FID, 2, 1u, 2u);
    expect(&fx, FOCUS_SOURCES_LIMIT, "ssrc-groups");
    fx_clear(&fx);
}

static void test_remove(void)
{
    PaJingleSources existing, remove, removed;
    pa_jingle_sources_init(&existing);
    pa_jingle_sources_init(&remove);
    pa_jingle_sources_init(&removed);
    pa_jingle_sources_add(&existing, 1, FALSE, "alice-a0", "m a", "alice");
    pa_jingle_sources_add(&existing, 2, TRUE, "alice-v0", "m v", "alice");
    pa_jingle_sources_add(&existing, 3, TRUE, "alice-v0", "m v", "alice");
    pa_jingle_sources_add_group(&existing, TRUE, PA_JINGLE_GROUP_FID, "alice", (guint32[]){2, 3},
                                2);

    add_src(&remove, 9999, TRUE, NULL, NULL);
    g_autofree char *why = NULL;
    g_assert_cmpint(focus_sources_validate_remove(&existing, &remove, "alice", &removed, &why), ==,
                    FOCUS_SOURCES_INVALID);
    g_assert_nonnull(strstr(why, "not a source of alice"));
    g_assert_cmpuint(removed.sources->len, ==, 0);

    pa_jingle_sources_clear(&remove);
    pa_jingle_sources_init(&remove);
    add_src(&remove, 2, TRUE, NULL, NULL); /* by SSRC only: takes the FID group along */
    g_assert_cmpint(focus_sources_validate_remove(&existing, &remove, "alice", &removed, NULL), ==,
                    FOCUS_SOURCES_OK);
    g_assert_cmpuint(removed.sources->len, ==, 1);
    g_assert_cmpstr(g_array_index(removed.sources, PaJingleSource, 0).msid, ==, "m v");
    g_assert_cmpuint(removed.groups->len, ==, 1);
    focus_sources_subtract(&existing, &removed);
    g_assert_cmpuint(existing.sources->len, ==, 2);
    g_assert_cmpuint(existing.groups->len, ==, 0);
    g_assert_null(pa_jingle_sources_find(&existing, 2));
    pa_jingle_sources_clear(&existing);
    pa_jingle_sources_clear(&remove);
    pa_jingle_sources_clear(&removed);
}

static void test_strip_simulcast(void)
{
    PaJingleSources in, out;
    pa_jingle_sources_init(&in);
    pa_jingle_sources_init(&out);
    for (guint32 s = 1; s <= 6; s++)
        pa_jingle_sources_add(&in, s, TRUE, "alice-v0", "m v", "alice");
    pa_jingle_sources_add(&in, 7, FALSE, "alice-a0", "m a", "alice");
    pa_jingle_sources_add_group(&in, TRUE, PA_JINGLE_GROUP_SIM, "alice", (guint32[]){1, 2, 3}, 3);
    pa_jingle_sources_add_group(&in, TRUE, PA_JINGLE_GROUP_FID, "alice", (guint32[]){1, 4}, 2);
    pa_jingle_sources_add_group(&in, TRUE, PA_JINGLE_GROUP_FID, "alice", (guint32[]){2, 5}, 2);
    pa_jingle_sources_add_group(&in, TRUE, PA_JINGLE_GROUP_FID, "alice", (guint32[]){3, 6}, 2);
    focus_sources_strip_simulcast(&in, &out);
    g_assert_cmpuint(out.sources->len, ==, 3); /* 1, its RTX 4, and the audio */
    g_assert_nonnull(pa_jingle_sources_find(&out, 1));
    g_assert_nonnull(pa_jingle_sources_find(&out, 4));
    g_assert_nonnull(pa_jingle_sources_find(&out, 7));
    g_assert_cmpuint(out.groups->len, ==, 1);
    const PaJingleSsrcGroup *g = &g_array_index(out.groups, PaJingleSsrcGroup, 0);
    g_assert_cmpint(g->semantics, ==, PA_JINGLE_GROUP_FID);
    g_assert_cmpuint(g_array_index(g->ssrcs, guint32, 1), ==, 4);
    pa_jingle_sources_clear(&in);
    pa_jingle_sources_clear(&out);
}

static void test_diff(void)
{
    PaJingleSources have, want, added, removed;
    pa_jingle_sources_init(&have);
    pa_jingle_sources_init(&want);
    pa_jingle_sources_init(&added);
    pa_jingle_sources_init(&removed);
    pa_jingle_sources_add(&have, 10, FALSE, "jvb-a0", "x", "jvb");
    pa_jingle_sources_add(&have, 1, FALSE, "bob-a0", "m", "bob");
    pa_jingle_sources_add(&have, 2, TRUE, "bob-v0", "m", "bob");
    pa_jingle_sources_add(&want, 10, FALSE, "jvb-a0", "x", "jvb");
    pa_jingle_sources_add(&want, 2, TRUE, "bob-v0", "m2", "bob"); /* changed msid */
    pa_jingle_sources_add(&want, 3, TRUE, "carol-v0", "m", "carol");
    pa_jingle_sources_add_group(&want, TRUE, PA_JINGLE_GROUP_FID, "carol", (guint32[]){3, 4}, 2);
    focus_sources_diff(&have, &want, &added, &removed);
    g_assert_cmpuint(removed.sources->len, ==, 2); /* 1, and 2 as it was */
    g_assert_nonnull(pa_jingle_sources_find(&removed, 1));
    g_assert_cmpstr(pa_jingle_sources_find(&removed, 2)->msid, ==, "m");
    g_assert_cmpuint(added.sources->len, ==, 2);
    g_assert_cmpstr(pa_jingle_sources_find(&added, 2)->msid, ==, "m2");
    g_assert_nonnull(pa_jingle_sources_find(&added, 3));
    g_assert_cmpuint(added.groups->len, ==, 1);
    g_assert_cmpuint(removed.groups->len, ==, 0);
    g_assert_null(pa_jingle_sources_find(&added, 10));
    pa_jingle_sources_clear(&have);
    pa_jingle_sources_clear(&want);
    pa_jingle_sources_clear(&added);
    pa_jingle_sources_clear(&removed);
}

static void test_colibri(void)
{
    PaJingleSources s, back;
    pa_jingle_sources_init(&s);
    pa_jingle_sources_init(&back);
    pa_jingle_sources_add(&s, 1, FALSE, "alice-a0", "m a", "alice");
    pa_jingle_sources_add(&s, 2, TRUE, "alice-v0", "m v", "alice");
    pa_jingle_sources_add(&s, 3, TRUE, "alice-v0", "m v", "alice");
    pa_jingle_sources_add(&s, 4, TRUE, "alice-v1", "m d", "alice");
    pa_jingle_sources_add_group(&s, TRUE, PA_JINGLE_GROUP_FID, "alice", (guint32[]){2, 3}, 2);
    GArray *c = focus_sources_to_colibri(&s);
    g_assert_cmpuint(c->len, ==, 3);
    const PaMediaSource *v0 = &g_array_index(c, PaMediaSource, 1);
    g_assert_cmpstr(v0->id, ==, "alice-v0");
    g_assert_true(v0->video);
    g_assert_cmpuint(v0->sources->len, ==, 2);
    g_assert_cmpuint(v0->groups->len, ==, 1);
    g_assert_cmpstr(g_array_index(v0->groups, PaMediaSsrcGroup, 0).semantics, ==, "FID");
    focus_sources_from_colibri(c, "x", &back);
    g_assert_cmpuint(back.sources->len, ==, 4);
    g_assert_cmpuint(back.groups->len, ==, 1);
    g_assert_cmpstr(pa_jingle_sources_find(&back, 4)->name, ==, "alice-v1");
    g_assert_cmpstr(pa_jingle_sources_find(&back, 4)->owner, ==, "x");
    g_array_unref(c);
    pa_jingle_sources_clear(&s);
    pa_jingle_sources_clear(&back);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/jingle/sources/accept-normalises", test_accept_normalises);
    g_test_add_func("/jingle/sources/refusals", test_refusals);
    g_test_add_func("/jingle/sources/limits", test_limits);
    g_test_add_func("/jingle/sources/remove", test_remove);
    g_test_add_func("/jingle/sources/strip-simulcast", test_strip_simulcast);
    g_test_add_func("/jingle/sources/diff", test_diff);
    g_test_add_func("/jingle/sources/colibri", test_colibri);
    return g_test_run();
}
