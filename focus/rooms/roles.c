/* SPDX-License-Identifier: MIT */
/* Pure (see roles.h). */
#include "focus/rooms/roles.h"

#include "common/xmpp/jid.h"

gint focus_roles_elect_owner(const FocusOwnerCandidate *c, guint n)
{
    gint best = -1;
    for (guint i = 0; i < n; i++) {
        if (c[i].affiliation == FOCUS_MUC_AFFILIATION_OWNER)
            return -1;
        if (!c[i].eligible || !c[i].real_jid)
            continue;
        if (best < 0 || c[i].join_seq < c[best].join_seq)
            best = (gint)i;
    }
    return best;
}

char *focus_roles_grant_jid(const char *real_jid)
{
    return real_jid ? pa_jid_bare(real_jid) : NULL;
}

gboolean focus_roles_on_domain(const char *jid, const char *domain)
{
    if (!jid || !domain)
        return FALSE;
    PaJid j;
    if (pa_jid_parse(jid, &j) != PA_JID_OK)
        return FALSE;
    gboolean on = g_ascii_strcasecmp(j.domain, domain) == 0;
    pa_jid_clear(&j);
    return on;
}
