/* SPDX-License-Identifier: MIT */
/* XEP-0115 entity capabilities. A client's MUC presence carries <c hash node ver/>, where ver
 * is a hash of what its disco#info answers; the focus keeps the features it learned from one
 * disco#info result under that ver when the result's own hash equals it, so that every later
 * client advertising the same caps (every Parley or Jitsi Meet client of one version) is
 * invited without a disco#info round trip (the conference layer's cache). Pure. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_CAPS "http://jabber.org/protocol/caps"

/* The verification string (XEP-0115 §5.1) of the <query> in disco#info result @result:
 * identities as category/type/lang/name, then features, each sorted and followed by '<'. NULL
 * when the focus cannot verify it: no query or no identity, a duplicate identity or feature,
 * or an extended-information data form (XEP-0128; not hashed here) (transfer full). */
char *focus_caps_string(xmpp_stanza_t *result);

/* The "ver" of @result for hash sha-1: base64 of the SHA-1 of focus_caps_string(@result), or
 * NULL as above (transfer full). */
char *focus_caps_ver(xmpp_stanza_t *result);

G_END_DECLS
