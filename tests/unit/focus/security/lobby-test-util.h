/* SPDX-License-Identifier: MIT */
/* Shared set-up for the lobby's unit tests (test-lobby*.c): a lobby with an action array (T),
 * a sample roster, and helpers that inspect the actions a call emitted. Requests are strings
 * whose release is counted in `released`, so a request answered twice, never, or leaked shows
 * up. Each test file includes this once; everything is static, so each file counts its own
 * (G_GNUC_UNUSED: a file need not use every helper; not inline, so the optimiser sees them as
 * before). Thread: the GLib test's main thread only. */
#pragma once

#include "focus/security/lobby.h"

#include <string.h>

/* The focus-lobby program's files register their tests with these (test-lobby.c calls them). */
void lobby_add_toggle_tests(void);
void lobby_add_knock_tests(void);
void lobby_add_room_tests(void);

static int released G_GNUC_UNUSED; /* request handles released (req_free) */

G_GNUC_UNUSED static void req_free(gpointer p)
{
    released++;
    g_free(p);
}

typedef struct {
    FocusLobby *lobby;
    FocusLobbyActions *acts;
    gint64 now;
} T;

G_GNUC_UNUSED static void t_init(T *t, const FocusLobbySettings *s)
{
    released = 0;
    t->lobby = focus_lobby_new(s, req_free);
    t->acts = focus_lobby_actions_new();
    t->now = (gint64)5000 * G_USEC_PER_SEC;
}

G_GNUC_UNUSED static void t_clear(T *t)
{
    focus_lobby_free(t->lobby);
    focus_lobby_actions_free(t->acts);
}

G_GNUC_UNUSED static void reset(T *t)
{
    g_array_set_size(t->acts, 0);
}

/* ---- occupants ---- */

static const FocusLobbyOccupant ann G_GNUC_UNUSED = {
    "ann", "ann@example.org/web", FOCUS_MUC_ROLE_MODERATOR, FOCUS_MUC_AFFILIATION_OWNER};
static const FocusLobbyOccupant bob G_GNUC_UNUSED = {
    "bob", "b1@anon.example.org/x", FOCUS_MUC_ROLE_PARTICIPANT, FOCUS_MUC_AFFILIATION_NONE};
static const FocusLobbyOccupant bob2 G_GNUC_UNUSED = {
    "bob2", "b1@anon.example.org/y", FOCUS_MUC_ROLE_PARTICIPANT, FOCUS_MUC_AFFILIATION_NONE};
static const FocusLobbyOccupant carl G_GNUC_UNUSED = {
    "carl", "carl@example.org/r", FOCUS_MUC_ROLE_PARTICIPANT, FOCUS_MUC_AFFILIATION_MEMBER};
static const FocusLobbyOccupant ghost G_GNUC_UNUSED = {"ghost", NULL, FOCUS_MUC_ROLE_MODERATOR,
                                                       FOCUS_MUC_AFFILIATION_NONE};
static const FocusLobbyOccupant dora G_GNUC_UNUSED = {
    "dora", "dora@example.org/r", FOCUS_MUC_ROLE_MODERATOR, FOCUS_MUC_AFFILIATION_NONE};
static const FocusLobbyOccupant eve G_GNUC_UNUSED = {
    "eve", "eve@example.org/r", FOCUS_MUC_ROLE_PARTICIPANT, FOCUS_MUC_AFFILIATION_ADMIN};

/* ann (owner), bob, bob2 (same account), carl (member), ghost (no real JID), dora (moderator) */
static FocusLobbyOccupant room_items[] G_GNUC_UNUSED = {ann, bob, bob2, carl, ghost, dora};
static const FocusLobbyRoster room G_GNUC_UNUSED = {room_items, G_N_ELEMENTS(room_items)};

#define K1 "k1@anon.example.org/a"
#define K2 "k2@anon.example.org/b"
#define K3 "k3@anon.example.org/c"

/* ---- action helpers ---- */

G_GNUC_UNUSED static guint count(T *t, FocusLobbyActionKind kind)
{
    guint n = 0;
    for (guint i = 0; i < t->acts->len; i++)
        n += focus_lobby_action_at(t->acts, i)->kind == kind;
    return n;
}

/* The action of @kind to @to (NULL: any), the @nth such (0-based), or NULL. */
G_GNUC_UNUSED static FocusLobbyAction *find(T *t, FocusLobbyActionKind kind, const char *to,
                                            guint nth)
{
    for (guint i = 0; i < t->acts->len; i++) {
        FocusLobbyAction *a = focus_lobby_action_at(t->acts, i);
        if (a->kind == kind && (!to || g_strcmp0(a->to, to) == 0) && nth-- == 0)
            return a;
    }
    return NULL;
}

/* Exactly one REPLY for request @name; returns it (the request is taken and freed). */
G_GNUC_UNUSED static FocusLobbyAction *reply_to(T *t, const char *name)
{
    FocusLobbyAction *found = NULL;
    for (guint i = 0; i < t->acts->len; i++) {
        FocusLobbyAction *a = focus_lobby_action_at(t->acts, i);
        if (a->kind == FOCUS_LOBBY_ACTION_REPLY && a->request && strcmp(a->request, name) == 0) {
            g_assert_null(found);
            found = a;
        }
    }
    g_assert_nonnull(found);
    req_free(found->request);
    found->request = NULL;
    return found;
}

G_GNUC_UNUSED static FocusLobbyStatus status_of(T *t, const char *name)
{
    return reply_to(t, name)->status;
}

/* The op id of the only GRANT_MEMBER for @bare. */
G_GNUC_UNUSED static guint grant_op(T *t, const char *bare)
{
    guint op = 0;
    for (guint i = 0; i < t->acts->len; i++) {
        FocusLobbyAction *a = focus_lobby_action_at(t->acts, i);
        if (a->kind == FOCUS_LOBBY_ACTION_GRANT_MEMBER && strcmp(a->jid, bare) == 0) {
            g_assert_cmpuint(op, ==, 0);
            op = a->op;
        }
    }
    g_assert_cmpuint(op, !=, 0);
    return op;
}

G_GNUC_UNUSED static FocusLobbyAction *config_action(T *t)
{
    g_assert_cmpuint(count(t, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG), ==, 1);
    return find(t, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG, NULL, 0);
}

/* Turns the lobby on with every MUC operation succeeding. */
G_GNUC_UNUSED static void enable(T *t, const FocusLobbyRoster *r)
{
    reset(t);
    focus_lobby_request_toggle(t->lobby, r, ann.real_jid, TRUE, g_strdup("on"), t->acts);
    for (guint round = 0; round < 4 && focus_lobby_phase(t->lobby) != FOCUS_LOBBY_PHASE_ON;
         round++) {
        g_autoptr(GArray) ops = g_array_new(FALSE, FALSE, sizeof(guint));
        for (guint i = 0; i < t->acts->len; i++) {
            FocusLobbyAction *a = focus_lobby_action_at(t->acts, i);
            if (a->kind == FOCUS_LOBBY_ACTION_GRANT_MEMBER ||
                a->kind == FOCUS_LOBBY_ACTION_SUBMIT_CONFIG)
                g_array_append_val(ops, a->op);
        }
        reset(t);
        for (guint i = 0; i < ops->len; i++)
            focus_lobby_op_done(t->lobby, r, g_array_index(ops, guint, i), TRUE, t->acts);
        FocusLobbyAction *rep = find(t, FOCUS_LOBBY_ACTION_REPLY, NULL, 0);
        if (rep)
            g_assert_cmpint(status_of(t, "on"), ==, FOCUS_LOBBY_OK);
    }
    g_assert_cmpint(focus_lobby_phase(t->lobby), ==, FOCUS_LOBBY_PHASE_ON);
    reset(t);
}

/* The moderator sets password @pw (accepted at once: the lobby is on). */
G_GNUC_UNUSED static void set_password_on(T *t, const char *pw)
{
    reset(t);
    focus_lobby_request_password(t->lobby, &room, ann.real_jid, pw, g_strdup("pw"), t->acts);
    g_assert_cmpint(status_of(t, "pw"), ==, FOCUS_LOBBY_OK);
    reset(t);
}

/* A pending knock from @jid; returns its id (transfer full). */
G_GNUC_UNUSED static char *knock(T *t, const FocusLobbyRoster *r, const char *jid, const char *nick)
{
    reset(t);
    focus_lobby_request_knock(t->lobby, r, t->now, jid, nick, NULL, g_strdup("knock"), t->acts);
    FocusLobbyAction *rep = reply_to(t, "knock");
    g_assert_cmpint(rep->status, ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(rep->knock_status, ==, FOCUS_LOBBY_KNOCK_PENDING);
    char *id = g_strdup(rep->knock_id);
    reset(t);
    return id;
}
