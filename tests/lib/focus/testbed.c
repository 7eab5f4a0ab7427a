/* SPDX-License-Identifier: MIT */
/* Single-threaded (see testbed.h). The test bed owns its context, link, router (or core) and
 * the copies of what the focus sent. */
#include "testbed.h"

#include <stdarg.h>
#include <string.h>

static void record(xmpp_stanza_t *stanza, gpointer data)
{
    TestBed *tb = data;
    g_ptr_array_add(tb->sent, xmpp_stanza_clone(stanza));
}

static void release(gpointer data)
{
    xmpp_stanza_release(data);
}

static gint64 clock_now(gpointer data)
{
    return ((TestBed *)data)->now_us;
}

static void init_link(TestBed *tb)
{
    memset(tb, 0, sizeof *tb);
    xmpp_initialize();
    tb->ctx = xmpp_ctx_new(NULL, NULL);
    tb->link = focus_link_new(tb->ctx, TB_COMPONENT);
    tb->now_us = 1000 * G_USEC_PER_SEC;
    tb->sent = g_ptr_array_new_with_free_func(release);
    focus_link_set_transport(tb->link, record, tb);
    focus_link_set_clock(tb->link, clock_now, tb);
    focus_link_set_online(tb->link, TRUE);
}

void testbed_init(TestBed *tb)
{
    init_link(tb);
    tb->router = focus_router_new(tb->link);
}

void testbed_init_core(TestBed *tb, ...)
{
    init_link(tb);
    g_autoptr(GPtrArray) overrides = g_ptr_array_new();
    g_ptr_array_add(overrides, "xmpp.domain=" TB_DOMAIN);
    g_ptr_array_add(overrides, "xmpp.secret=test-secret");
    va_list ap;
    va_start(ap, tb);
    for (const char *o; (o = va_arg(ap, const char *));)
        g_ptr_array_add(overrides, (gpointer)o);
    va_end(ap);
    g_ptr_array_add(overrides, NULL);
    g_autoptr(GError) error = NULL;
    if (!focus_config_load(&tb->cfg, NULL, (char *const *)overrides->pdata, &error))
        g_error("test bed config: %s", error->message);
    tb->core = focus_core_new(tb->link, &tb->cfg);
    tb->router = focus_core_router(tb->core);
}

void testbed_clear(TestBed *tb)
{
    if (tb->core) {
        focus_core_free(tb->core);
        focus_config_clear(&tb->cfg);
    } else {
        focus_router_free(tb->router);
    }
    g_ptr_array_free(tb->sent, TRUE);
    focus_link_free(tb->link);
    xmpp_ctx_free(tb->ctx);
    xmpp_shutdown();
    memset(tb, 0, sizeof *tb);
}

void testbed_advance(TestBed *tb, guint ms)
{
    tb->now_us += (gint64)ms * 1000;
    focus_link_run_due(tb->link);
}

guint testbed_mark(TestBed *tb)
{
    return tb->sent->len;
}

xmpp_stanza_t *stanza_from(TestBed *tb, const char *xml)
{
    xmpp_stanza_t *s = xmpp_stanza_new_from_string(tb->ctx, xml);
    if (!s)
        g_error("not XML: %s", xml);
    return s;
}

void testbed_receive_stanza(TestBed *tb, xmpp_stanza_t *stanza)
{
    focus_router_receive(tb->router, stanza);
    focus_link_run_due(tb->link);
}

void testbed_receive(TestBed *tb, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *xml = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xmpp_stanza_t *s = stanza_from(tb, xml);
    testbed_receive_stanza(tb, s);
    xmpp_stanza_release(s);
}

/* ---- what the focus sent ---- */

xmpp_stanza_t *sent_at(TestBed *tb, int i)
{
    guint idx = i >= 0 ? (guint)i : tb->sent->len - (guint)(-i);
    g_assert_cmpuint(idx, <, tb->sent->len);
    return tb->sent->pdata[idx];
}

int sent_find(TestBed *tb, guint from, const StanzaPattern *p)
{
    for (guint i = from; i < tb->sent->len; i++)
        if (stanza_match(tb->sent->pdata[i], p))
            return (int)i;
    return -1;
}

int sent_find_last(TestBed *tb, const StanzaPattern *p)
{
    for (guint i = tb->sent->len; i > 0; i--)
        if (stanza_match(tb->sent->pdata[i - 1], p))
            return (int)i - 1;
    return -1;
}

guint sent_count(TestBed *tb, guint from, const StanzaPattern *p)
{
    guint n = 0;
    for (guint i = from; i < tb->sent->len; i++)
        n += stanza_match(tb->sent->pdata[i], p);
    return n;
}

void testbed_answer(TestBed *tb, int idx, const char *inner)
{
    xmpp_stanza_t *iq = sent_at(tb, idx);
    g_assert_cmpstr(xmpp_stanza_get_name(iq), ==, "iq");
    /* An IQ to no one is answered by the server, from the domain. */
    const char *to = xmpp_stanza_get_to(iq) ? xmpp_stanza_get_to(iq) : TB_DOMAIN;
    testbed_receive(tb, "<iq type='result' id='%s' from='%s' to='%s'>%s</iq>",
                    xmpp_stanza_get_id(iq), to, xmpp_stanza_get_from(iq), inner ? inner : "");
}

void testbed_answer_error(TestBed *tb, int idx, const char *type, const char *condition,
                          const char *extra)
{
    xmpp_stanza_t *iq = sent_at(tb, idx);
    g_assert_cmpstr(xmpp_stanza_get_name(iq), ==, "iq");
    const char *to = xmpp_stanza_get_to(iq) ? xmpp_stanza_get_to(iq) : TB_DOMAIN;
    testbed_receive(
        tb,
        "<iq type='error' id='%s' from='%s' to='%s'><error type='%s'><%s xmlns='" NS_STANZAS
        "'/>%s</error></iq>",
        xmpp_stanza_get_id(iq), to, xmpp_stanza_get_from(iq), type, condition, extra ? extra : "");
}

/* ---- the MUC service's and the clients' side ---- */

void testbed_request_room(TestBed *tb, const char *id, const char *from, const char *room)
{
    testbed_receive(tb,
                    "<iq type='set' id='%s' from='%s' to='" TB_COMPONENT
                    "'><conference xmlns='" NS_FOCUS "' room='%s'/></iq>",
                    id, from, room);
}

void testbed_room_self(TestBed *tb, const char *room, gboolean created)
{
    testbed_receive(tb,
                    "<presence from='%s/focus' to='" TB_OCCUPANT "'><x xmlns='" NS_MUC_USER
                    "'><item affiliation='owner' role='moderator' jid='" TB_OCCUPANT
                    "'/>%s<status code='110'/></x></presence>",
                    room, created ? "<status code='201'/>" : "");
}

void testbed_occupant(TestBed *tb, const char *room, const char *nick, const char *jid,
                      const char *affiliation, const char *role)
{
    g_autofree char *jid_attr = jid ? g_strdup_printf(" jid='%s'", jid) : g_strdup("");
    testbed_receive(tb,
                    "<presence from='%s/%s' to='" TB_OCCUPANT "'><x xmlns='" NS_MUC_USER
                    "'><item affiliation='%s' role='%s'%s/></x></presence>",
                    room, nick, affiliation, role, jid_attr);
}

void testbed_occupant_left(TestBed *tb, const char *room, const char *nick, const char *x_extra)
{
    testbed_receive(tb,
                    "<presence type='unavailable' from='%s/%s' to='" TB_OCCUPANT
                    "'><x xmlns='" NS_MUC_USER "'><item affiliation='none' role='none'/>%s</x>"
                    "</presence>",
                    room, nick, x_extra ? x_extra : "");
}

void testbed_room_ready(TestBed *tb, const char *room)
{
    guint mark = testbed_mark(tb);
    testbed_request_room(tb, "room-request", "client@" TB_DOMAIN "/r", room);
    testbed_room_self(tb, room, TRUE);
    int form = sent_find(
        tb, mark,
        STANZA(.name = "iq", .type = "set", .to = room, .has = {{"query", NS_MUC_OWNER}}));
    g_assert_cmpint(form, >=, 0);
    testbed_answer(tb, form, NULL);
}

void testbed_brewery_joined(TestBed *tb)
{
    g_assert_cmpint(
        sent_find(tb, 0,
                  STANZA(.name = "presence", .to = TB_BREWERY "/focus", .has = {{"x", NS_MUC}})),
        >=, 0);
    testbed_receive(tb, "<presence from='" TB_BREWERY "/focus' to='" TB_OCCUPANT
                        "'><x xmlns='" NS_MUC_USER
                        "'><item affiliation='owner' role='moderator' jid='" TB_OCCUPANT
                        "'/><status code='110'/></x></presence>");
}

void testbed_bridge_join(TestBed *tb, const char *nick, const char *stress)
{
    testbed_receive(tb,
                    "<presence from='" TB_BREWERY "/%s' to='" TB_OCCUPANT "'><x xmlns='" NS_MUC_USER
                    "'><item affiliation='none' role='participant' jid='jvb@auth." TB_DOMAIN
                    "/%s-res'/></x><stats xmlns='http://jitsi.org/protocol/colibri'><stat "
                    "name='stress_level' value='%s'/><stat name='healthy' value='true'/></stats>"
                    "</presence>",
                    nick, nick, stress);
}

void testbed_bridge_leave(TestBed *tb, const char *nick)
{
    testbed_receive(tb,
                    "<presence type='unavailable' from='" TB_BREWERY "/%s' to='" TB_OCCUPANT
                    "'><x xmlns='" NS_MUC_USER "'><item affiliation='none' role='none'/></x>"
                    "</presence>",
                    nick);
}

/* ---- Jingle ---- */

gboolean jingle_of(xmpp_stanza_t *iq, PaJingle *out)
{
    g_autofree char *why = NULL;
    if (pa_jingle_parse(iq, out, &why) == PA_JINGLE_OK)
        return TRUE;
    g_test_message("not Jingle: %s", why ? why : "?");
    pa_jingle_clear(out);
    return FALSE;
}

const PaJingleSource *jingle_source(const PaJingle *j, guint32 ssrc)
{
    for (guint i = 0; i < j->sources.sources->len; i++) {
        const PaJingleSource *s = &g_array_index(j->sources.sources, PaJingleSource, i);
        if (s->ssrc == ssrc)
            return s;
    }
    return NULL;
}

const PaJingleSsrcGroup *jingle_group(const PaJingle *j, PaJingleGroupSemantics semantics,
                                      const guint32 *ssrcs, guint n)
{
    for (guint i = 0; i < j->sources.groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(j->sources.groups, PaJingleSsrcGroup, i);
        if (g->semantics != semantics || g->ssrcs->len != n)
            continue;
        if (memcmp(g->ssrcs->data, ssrcs, n * sizeof *ssrcs) == 0)
            return g;
    }
    return NULL;
}
