/* SPDX-License-Identifier: MIT */
/* Whatever peers send must never crash the focus or corrupt its rooms: seeded random
 * presence, IQ replies and room requests (valid, half-valid and garbage) thrown at the
 * registry and its rooms through the router, with time moving on. Meant to run under
 * ASan/UBSan too. */
#include "focus/rooms/registry.h"

#include "testbed.h"

static const char *pick(GRand *r, const char *const *v, guint n)
{
    return v[g_rand_int_range(r, 0, (gint32)n)];
}

#define PICK(r, arr) pick((r), (arr), G_N_ELEMENTS(arr))

static const char *const rooms[] = {"r1@conference.example.org",
                                    "r2@conference.example.org",
                                    "R1@Conference.example.org",
                                    "r1@conference.other.org",
                                    "conference.example.org",
                                    "",
                                    "@@",
                                    "a b@conference.example.org"};
static const char *const nicks[] = {"focus", "focus", "aaa", "bbb", "ccc", "", "x/y", "\xc3\xa4"};
static const char *const ptypes[] = {NULL,    NULL,        NULL,    "unavailable", "unavailable",
                                     "error", "subscribe", "probe", "bogus"};
static const char *const roles[] = {"moderator", "participant", "visitor", "none", "king", ""};
static const char *const affs[] = {"owner", "admin", "member", "none", "outcast", "god", ""};
static const char *const jids[] = {"u@example.org/r", "focus.example.org/focus", "@@", "", "a@b",
                                   "x@example.org/r2"};
static const char *const codes[] = {"110", "201", "303", "307",   "301", "321",
                                    "332", "abc", "",    "99999", "100"};

static void add_attr(GRand *r, xmpp_stanza_t *s, const char *name, const char *const *v, guint n)
{
    if (g_rand_boolean(r))
        xmpp_stanza_set_attribute(s, name, pick(r, v, n));
}

static xmpp_stanza_t *random_presence(TestBed *tb, GRand *r)
{
    xmpp_stanza_t *p = xmpp_presence_new(tb->ctx);
    if (g_rand_int_range(r, 0, 10) > 0) {
        g_autofree char *from = g_rand_boolean(r)
                                    ? g_strdup_printf("%s/%s", PICK(r, rooms), PICK(r, nicks))
                                    : g_strdup(PICK(r, rooms));
        xmpp_stanza_set_from(p, from);
    }
    const char *type = PICK(r, ptypes);
    if (type)
        xmpp_stanza_set_type(p, type);
    if (g_rand_int_range(r, 0, 4) > 0) {
        xmpp_stanza_t *x = pa_stanza_add_child(p, "x", "http://jabber.org/protocol/muc#user");
        for (int i = g_rand_int_range(r, 0, 4); i > 0; i--) {
            xmpp_stanza_t *item = pa_stanza_add_child(x, "item", NULL);
            add_attr(r, item, "role", roles, G_N_ELEMENTS(roles));
            add_attr(r, item, "affiliation", affs, G_N_ELEMENTS(affs));
            add_attr(r, item, "jid", jids, G_N_ELEMENTS(jids));
            add_attr(r, item, "nick", nicks, G_N_ELEMENTS(nicks));
        }
        for (int i = g_rand_int_range(r, 0, 4); i > 0; i--) {
            xmpp_stanza_t *st = pa_stanza_add_child(x, "status", NULL);
            add_attr(r, st, "code", codes, G_N_ELEMENTS(codes));
        }
        if (g_rand_int_range(r, 0, 8) == 0) {
            xmpp_stanza_t *d = pa_stanza_add_child(x, "destroy", NULL);
            if (g_rand_boolean(r))
                pa_stanza_add_child(d, "reason", NULL);
        }
    }
    if (g_rand_boolean(r))
        pa_stanza_add_text(pa_stanza_add_child(p, "nick", "http://jabber.org/protocol/nick"),
                           PICK(r, nicks));
    if (g_rand_boolean(r))
        pa_stanza_add_child(p, "stats-id", NULL);
    if (type && strcmp(type, "error") == 0 && g_rand_boolean(r)) {
        xmpp_stanza_t *e = pa_stanza_add_child(p, "error", NULL);
        if (g_rand_boolean(r))
            pa_stanza_add_child(e, "not-allowed", PA_NS_STANZAS);
        if (g_rand_boolean(r))
            pa_stanza_add_child(e, "text", PA_NS_STANZAS);
    }
    return p;
}

/* An answer to one of the IQs the focus has sent (or to none), maybe from the wrong JID. */
static xmpp_stanza_t *random_reply(TestBed *tb, GRand *r)
{
    xmpp_stanza_t *iq = xmpp_iq_new(tb->ctx, g_rand_boolean(r) ? "result" : "error", NULL);
    if (tb->sent->len && g_rand_int_range(r, 0, 4) > 0) {
        /* Mostly one of the latest: those are the ones still waiting for an answer. */
        guint back = g_rand_int_range(r, 0, 8) ? 4u : tb->sent->len;
        back = MIN(back, tb->sent->len);
        guint k = (guint)g_rand_int_range(r, 0, (gint32)back);
        xmpp_stanza_t *s = tb->sent->pdata[tb->sent->len - 1 - k];
        if (xmpp_stanza_get_id(s))
            xmpp_stanza_set_id(iq, xmpp_stanza_get_id(s));
        if (xmpp_stanza_get_to(s) && g_rand_int_range(r, 0, 5) > 0)
            xmpp_stanza_set_from(iq, xmpp_stanza_get_to(s));
    } else {
        xmpp_stanza_set_id(iq, "random");
    }
    return iq;
}

static xmpp_stanza_t *random_request(TestBed *tb, GRand *r)
{
    static const char *const types[] = {"set", "set", "get", "result", NULL};
    xmpp_stanza_t *iq = xmpp_iq_new(tb->ctx, "set", "req");
    const char *t = PICK(r, types);
    if (t)
        xmpp_stanza_set_type(iq, t);
    else
        xmpp_stanza_del_attribute(iq, "type");
    xmpp_stanza_set_from(iq, "client@example.org/r");
    xmpp_stanza_t *c = pa_stanza_add_child(
        iq, "conference", g_rand_int_range(r, 0, 6) ? FOCUS_NS_FOCUS : "urn:other");
    add_attr(r, c, "room", rooms, G_N_ELEMENTS(rooms));
    for (int i = g_rand_int_range(r, 0, 3); i > 0; i--) {
        xmpp_stanza_t *prop = pa_stanza_add_child(c, "property", NULL);
        add_attr(r, prop, "name", nicks, G_N_ELEMENTS(nicks));
        add_attr(r, prop, "value", nicks, G_N_ELEMENTS(nicks));
    }
    return iq;
}

typedef struct {
    guint ready;        /* steps that ended with a READY room */
    guint participants; /* steps that ended with a participant in a room */
    guint destroying;
} Reached;

static void run_seed(guint32 seed, guint rounds, Reached *reached)
{
    TestBed tb;
    testbed_init(&tb);
    FocusRoomSettings rs;
    focus_room_settings_init(&rs, "focus.example.org", 1);
    rs.muc_domain = TB_MUC;
    FocusRegistry *reg = focus_registry_new(tb.link, &rs);
    focus_registry_add_routes(reg, tb.router);
    GRand *r = g_rand_new_with_seed(seed);
    for (guint i = 0; i < rounds; i++) {
        xmpp_stanza_t *s = NULL;
        switch (g_rand_int_range(r, 0, 12)) {
        case 0:
        case 1: {
            s = random_request(&tb, r);
            testbed_receive_stanza(&tb, s);
            break;
        }
        case 2:
        case 3:
            s = random_reply(&tb, r);
            testbed_receive_stanza(&tb, s);
            break;
        case 4:
            testbed_advance(
                &tb, (guint)g_rand_int_range(r, 0, g_rand_int_range(r, 0, 10) ? 2000 : 20000));
            break;
        case 5:
            if (g_rand_int_range(r, 0, 20) == 0) {
                focus_link_set_online(tb.link, FALSE);
                focus_link_fail_pending(tb.link);
                focus_registry_on_offline(reg);
                focus_link_set_online(tb.link, TRUE);
                focus_registry_on_online(reg);
            }
            break;
        default:
            s = random_presence(&tb, r);
            testbed_receive_stanza(&tb, s);
            break;
        }
        if (s)
            xmpp_stanza_release(s);
        g_assert_cmpuint(focus_registry_count(reg), <=, 2);
        for (guint k = 0; k < 2; k++) {
            FocusRoom *room = focus_registry_lookup(reg, rooms[k]);
            if (!room)
                continue;
            reached->ready += focus_room_state(room) == FOCUS_ROOM_READY;
            reached->destroying += focus_room_state(room) == FOCUS_ROOM_DESTROYING;
            reached->participants += focus_room_participant_count(room) > 0;
        }
        /* Keep memory flat: what was sent matters only for picking reply ids. */
        if (tb.sent->len > 200)
            g_ptr_array_remove_range(tb.sent, 0, 100);
    }
    /* Whatever happened, time makes every room settle: ready ones with nobody in them end. */
    for (int i = 0; i < 10; i++)
        testbed_advance(&tb, 20000);
    g_rand_free(r);
    focus_registry_free(reg);
    testbed_clear(&tb);
}

static void test_random(void)
{
    Reached reached = {0};
    for (guint32 seed = 1; seed <= 40; seed++)
        run_seed(seed, 2000, &reached);
    /* The noise must reach the deep states, or the test proves little. */
    g_test_message("steps with a ready room %u, with participants %u, destroying %u", reached.ready,
                   reached.participants, reached.destroying);
    g_assert_cmpuint(reached.ready, >, 300);
    g_assert_cmpuint(reached.participants, >, 1000);
    g_assert_cmpuint(reached.destroying, >, 5);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Peers' nonsense is logged as warnings on purpose: only criticals abort. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_log_set_handler("parley-focus", G_LOG_LEVEL_MASK, (GLogFunc)g_log_default_handler, NULL);
    g_test_add_func("/focus/robustness/random-stanzas", test_random);
    return g_test_run();
}
