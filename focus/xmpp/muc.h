/* SPDX-License-Identifier: MIT */
/* Multi-User Chat (XEP-0045) as the focus uses it: occupant presence parsed into a struct,
 * and builders for the stanzas the focus sends to a room (join, leave, owner form, affiliation
 * change, destroy). Pure: no I/O, no logging, no state; stanzas are made in the caller's
 * xmpp_ctx_t. Safe to call with anything a peer sends. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_MUC "http://jabber.org/protocol/muc"
#define FOCUS_NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define FOCUS_NS_MUC_OWNER "http://jabber.org/protocol/muc#owner"
#define FOCUS_NS_MUC_ADMIN "http://jabber.org/protocol/muc#admin"
#define FOCUS_NS_DATA "jabber:x:data"
#define FOCUS_NS_NICK "http://jabber.org/protocol/nick"

/* The MUC nickname the focus always uses: lib-jitsi-meet treats a Jingle offer from any
 * other occupant as peer-to-peer. */
#define FOCUS_MUC_NICK "focus"

typedef enum {
    FOCUS_MUC_ROLE_NONE = 0,
    FOCUS_MUC_ROLE_VISITOR,
    FOCUS_MUC_ROLE_PARTICIPANT,
    FOCUS_MUC_ROLE_MODERATOR,
} FocusMucRole;

typedef enum {
    FOCUS_MUC_AFFILIATION_NONE = 0,
    FOCUS_MUC_AFFILIATION_OUTCAST,
    FOCUS_MUC_AFFILIATION_MEMBER,
    FOCUS_MUC_AFFILIATION_ADMIN,
    FOCUS_MUC_AFFILIATION_OWNER,
} FocusMucAffiliation;

const char *focus_muc_role_str(FocusMucRole role);
const char *focus_muc_affiliation_str(FocusMucAffiliation affiliation);

/* Status codes of XEP-0045 §15.6 that the focus acts on. */
#define FOCUS_MUC_STATUS_SELF 110
#define FOCUS_MUC_STATUS_CREATED 201
#define FOCUS_MUC_STATUS_NICK_CHANGED 303
#define FOCUS_MUC_STATUS_KICKED 307
#define FOCUS_MUC_STATUS_BANNED 301
#define FOCUS_MUC_STATUS_AFFILIATION_CHANGED 321
#define FOCUS_MUC_STATUS_MEMBERS_ONLY 322
#define FOCUS_MUC_STATUS_SHUTDOWN 332

#define FOCUS_MUC_MAX_STATUS 8

typedef enum {
    FOCUS_MUC_PRESENCE_OK = 0,
    FOCUS_MUC_PRESENCE_BAD_FROM, /* no from, or it does not parse as a JID */
    FOCUS_MUC_PRESENCE_NO_NICK,  /* from the bare room JID (ejabberd sends some): ignore */
    FOCUS_MUC_PRESENCE_BAD_TYPE, /* subscribe, probe, ... : not occupant presence */
} FocusMucPresenceStatus;

typedef struct {
    char *room;            /* bare room JID, domain lower-cased */
    char *nick;            /* the occupant's nickname (the from resource) */
    gboolean available;    /* FALSE for type="unavailable" and type="error" */
    gboolean is_error;     /* type="error": a join refused, usually */
    char *error_condition; /* with is_error: "not-allowed", ... (NULL if absent) */
    char *error_text;      /* with is_error: the error's <text>, or NULL */
    gboolean has_muc_user; /* carried <x xmlns=muc#user> */
    FocusMucRole role;
    FocusMucAffiliation affiliation;
    char *real_jid;     /* item@jid (full JID) when the room shows it, else NULL */
    char *new_nick;     /* item@nick on status 303, else NULL */
    char *display_name; /* <nick xmlns=http://jabber.org/protocol/nick>, else NULL */
    char *stats_id;     /* <stats-id>, else NULL */
    char *caps_node;    /* XEP-0115 <c hash='sha-1' node ver/>: node and ver (both or neither) */
    char *caps_ver;
    gboolean destroyed; /* <destroy/> inside muc#user: the room is gone */
    char *destroy_reason;
    guint n_status;
    guint16 status[FOCUS_MUC_MAX_STATUS]; /* the first FOCUS_MUC_MAX_STATUS status codes */
} FocusMucPresence;

/* Parses @presence into @out (strings owned by @out, free with focus_muc_presence_clear()).
 * On anything but FOCUS_MUC_PRESENCE_OK @out is zeroed. Presence without muc#user is still
 * OK (has_muc_user FALSE): rooms that hide everything send such presence. */
FocusMucPresenceStatus focus_muc_presence_parse(xmpp_stanza_t *presence, FocusMucPresence *out);
void focus_muc_presence_clear(FocusMucPresence *p);
gboolean focus_muc_presence_has_status(const FocusMucPresence *p, guint code);

/* <presence from=@from to=@room/@nick><x xmlns=muc/></presence> (transfer full). */
xmpp_stanza_t *focus_muc_join_presence(xmpp_ctx_t *ctx, const char *from, const char *room,
                                       const char *nick);
/* <presence type=unavailable from=@from to=@room/@nick/> (transfer full). */
xmpp_stanza_t *focus_muc_leave_presence(xmpp_ctx_t *ctx, const char *from, const char *room,
                                        const char *nick);

typedef enum {
    /* A room the focus has just created (status 201): the whole configuration. */
    FOCUS_OWNER_FORM_INITIAL,
    /* A room that already existed (re-join after a reconnect): only what the focus depends
     * on (real JIDs visible, not persistent), so a moderator's password or lobby stays. */
    FOCUS_OWNER_FORM_REASSERT,
} FocusOwnerFormKind;

/* IQ set to @room with a submitted muc#owner configuration form (transfer full, no id).
 * INITIAL: whois=anyone (clients recognise the focus by its real JID), persistentroom=0
 * (the room goes when the conference ends), membersonly=0, publicroom=0 (not listed in
 * disco#items), moderatedroom=0, passwordprotectedroom=0. REASSERT: whois and persistent. */
xmpp_stanza_t *focus_muc_owner_form(xmpp_ctx_t *ctx, const char *from, const char *room,
                                    FocusOwnerFormKind kind);

/* IQ @type ("get", "set") to @room with an empty <query xmlns=muc#owner/>, which *@query
 * points to (transfer full, no id; *@query transfer none). */
xmpp_stanza_t *focus_muc_owner_iq(xmpp_ctx_t *ctx, const char *type, const char *from,
                                  const char *room, xmpp_stanza_t **query);
/* A submitted room configuration form added to @query (<x xmlns=jabber:x:data type=submit>
 * with FORM_TYPE muc#roomconfig); add fields with focus_muc_form_field() (transfer none). */
xmpp_stanza_t *focus_muc_config_form(xmpp_stanza_t *query);
/* <field var=@var [type=@type]><value>@value</value></field> added to @form ("" gives an
 * empty <value/>). */
void focus_muc_form_field(xmpp_stanza_t *form, const char *var, const char *value,
                          const char *type);

/* IQ set to @room: <query xmlns=muc#admin><item affiliation=@affiliation jid=@bare_jid/>
 * (transfer full, no id). */
xmpp_stanza_t *focus_muc_set_affiliation(xmpp_ctx_t *ctx, const char *from, const char *room,
                                         const char *bare_jid, FocusMucAffiliation affiliation);

/* IQ set to @room: <query xmlns=muc#owner><destroy><reason>@reason</reason></destroy>
 * (transfer full, no id; @reason may be NULL). */
xmpp_stanza_t *focus_muc_destroy(xmpp_ctx_t *ctx, const char *from, const char *room,
                                 const char *reason);

/* The canonical key of a room JID: local part case-folded and NFKC-normalised (what the
 * server's nodeprep does to it), domain lower-cased. NULL if @room is not a bare JID with a
 * local part (transfer full). */
char *focus_muc_room_key(const char *room);

/* Text content of the first child @name (ns may be NULL: any) as a new string, or NULL. */
char *focus_stanza_child_text(xmpp_stanza_t *parent, const char *name, const char *ns);

G_END_DECLS
