/* SPDX-License-Identifier: MIT */
/* Who should own a room (auto-owner, as Jicofo's AutoOwnerRoleManager does): when no one
 * present holds owner affiliation, the participant present the longest gets it. In a secure
 * domain only participants logged in on the login domain are eligible (as Jicofo's
 * authentication role manager). Pure: the room passes a snapshot and acts on the answer. */
#pragma once

#include "focus/xmpp/muc.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    const char *nick;                /* for logs */
    const char *real_jid;            /* full real JID, NULL if the room hides it */
    FocusMucAffiliation affiliation; /* as last seen in presence */
    guint64 join_seq;                /* lower: joined earlier (present longer) */
    gboolean eligible;               /* FALSE: never make this one owner (a grant to it
                                      * failed, or it is a service such as a recorder) */
} FocusOwnerCandidate;

/* Index in @c of the participant to make owner, or -1 when someone present already is owner
 * or nobody can be (no eligible participant with a real JID). The focus itself is not a
 * candidate: callers leave it out. */
gint focus_roles_elect_owner(const FocusOwnerCandidate *c, guint n);

/* The JID an owner grant names: the bare form of @real_jid (anonymous users have only a
 * full JID: their bare JID is what the room's affiliation list holds) (transfer full), or
 * NULL if @real_jid does not parse. */
char *focus_roles_grant_jid(const char *real_jid);

/* TRUE when @jid (full or bare; may be NULL) is on @domain (compared case-insensitively):
 * in a secure domain, whether someone logged in on the login domain. */
gboolean focus_roles_on_domain(const char *jid, const char *domain);

G_END_DECLS
