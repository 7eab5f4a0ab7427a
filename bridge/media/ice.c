/* SPDX-License-Identifier: MIT */
/* The bridge's ICE on the single media port (see ice.h for what it does and why).
 *
 * Threads: the endpoint's worker. The worker's StunAgent (w->stun) builds and parses every
 * STUN message and remembers the transactions of the checks the bridge sends; credentials
 * are checked and applied by stun-auth.c (libnice's own HMAC allocates per message), so the
 * agent runs with IGNORE_CREDENTIALS, and without FINGERPRINT while building (stun-auth.c
 * appends MESSAGE-INTEGRITY, then FINGERPRINT). Nothing here runs per media packet: checks
 * arrive once per pair while ICE starts and every few seconds afterwards, and none of it
 * allocates. */
#include "bridge/media/media-priv.h"
#include "bridge/media/stun-auth.h"

#include <errno.h>
#include <stun/usages/ice.h>
#include <string.h>
#include <sys/random.h>

#define UFRAG_HANDLE_CHARS 6
#define MAX_NOMINATION_TRIES 8
#define CONSENT_INTERVAL_MIN_US (4 * G_USEC_PER_SEC)
#define CONSENT_JITTER_US (2 * G_USEC_PER_SEC)
/* PRIORITY the bridge's checks carry (RFC 8445 §7.1.1: a peer-reflexive candidate of the
 * bridge's, type preference 110, component 1). */
#define CHECK_PRIORITY ((110u << 24) | (65535u << 8) | 255u)

#define AGENT_CHECKING                                                                             \
    (STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT |                  \
     STUN_AGENT_USAGE_IGNORE_CREDENTIALS)
#define AGENT_BUILDING                                                                             \
    (STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_IGNORE_CREDENTIALS)

static const char ice_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static int ice_char_value(guint8 c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static void random_bytes(void *buf, gsize n)
{
    guint8 *p = buf;
    while (n > 0) {
        ssize_t r = getrandom(p, n, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            g_error("getrandom failed: %s", g_strerror(errno)); /* no safe credentials */
        p += r;
        n -= (gsize)r;
    }
}

void bridge_ice_credentials(BridgeIce *ice, guint worker, BridgeHandle handle)
{
    guint8 rnd[BRIDGE_ICE_UFRAG_LEN + BRIDGE_ICE_PWD_LEN];
    random_bytes(rnd, sizeof rnd);
    ice->ufrag[0] = ice_chars[worker & 63];
    for (guint i = 0; i < UFRAG_HANDLE_CHARS; i++)
        ice->ufrag[1 + i] = ice_chars[(handle >> (6 * (UFRAG_HANDLE_CHARS - 1 - i))) & 63];
    for (guint i = 1 + UFRAG_HANDLE_CHARS; i < BRIDGE_ICE_UFRAG_LEN; i++)
        ice->ufrag[i] = ice_chars[rnd[i] & 63];
    ice->ufrag[BRIDGE_ICE_UFRAG_LEN] = '\0';
    for (guint i = 0; i < BRIDGE_ICE_PWD_LEN; i++)
        ice->pwd[i] = ice_chars[rnd[BRIDGE_ICE_UFRAG_LEN + i] & 63];
    ice->pwd[BRIDGE_ICE_PWD_LEN] = '\0';
    random_bytes(&ice->tie, sizeof ice->tie);
}

gboolean bridge_ice_ufrag_decode(const guint8 *ufrag, gsize len, guint *worker,
                                 BridgeHandle *handle)
{
    if (len != BRIDGE_ICE_UFRAG_LEN)
        return FALSE;
    int v = ice_char_value(ufrag[0]);
    if (v < 0)
        return FALSE;
    *worker = (guint)v;
    guint64 h = 0;
    for (guint i = 0; i < UFRAG_HANDLE_CHARS; i++) {
        v = ice_char_value(ufrag[1 + i]);
        if (v < 0)
            return FALSE;
        h = (h << 6) | (guint)v;
    }
    if (h > G_MAXUINT32 || h == BRIDGE_HANDLE_NONE)
        return FALSE;
    *handle = (BridgeHandle)h;
    return TRUE;
}

/* ---- sending ---- */

static void send_stun(BridgeWorker *w, guint sock, const BridgeAddr *to, const guint8 *buf,
                      gsize len)
{
    struct sockaddr_storage ss;
    socklen_t sl = bridge_addr_to_sockaddr(to, &ss);
    ssize_t n;
    do {
        n = sendto(w->socks[sock].fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
    } while (n < 0 && errno == EINTR);
    /* A full socket buffer loses the message as the network would; STUN retransmits. */
}

static void forget(BridgeWorker *w, BridgeIcePending *p)
{
    if (p->used)
        stun_agent_forget_transaction(&w->stun, p->id);
    p->used = 0;
}

/* One binding request of the bridge's to address @idx: nominating (USE-CANDIDATE) or a
 * consent check. Needs the peer's credentials. */
static void send_check(BridgeEndpoint *ep, guint idx, gboolean nominate, guint tries)
{
    BridgeWorker *w = ep->worker;
    BridgeIce *ice = &ep->ice;
    if (!ice->remote_ufrag || !ice->remote_pwd)
        return; /* sent when the credentials arrive (bridge_ice_set_remote) */
    BridgeIcePending *p = NULL, *oldest = NULL;
    for (guint i = 0; i < BRIDGE_ICE_MAX_PENDING; i++) {
        BridgeIcePending *q = &ice->pending[i];
        if (!q->used) {
            p = q;
            break;
        }
        if (!oldest || q->sent_us < oldest->sent_us)
            oldest = q;
    }
    if (!p) {
        forget(w, oldest);
        p = oldest;
    }
    char user[300];
    int ulen = g_snprintf(user, sizeof user, "%s:%s", ice->remote_ufrag, ice->ufrag);
    if (ulen <= 0 || ulen >= (int)sizeof user)
        return;
    guint8 out[512];
    StunMessage msg;
    gboolean controlling = ice->peer_role == BRIDGE_ICE_PEER_CONTROLLED;
    w->stun.usage_flags = AGENT_BUILDING;
    size_t n = stun_usage_ice_conncheck_create(
        &w->stun, &msg, out, sizeof out - BRIDGE_STUN_SIGN_ROOM, (const uint8_t *)user,
        (size_t)ulen, NULL, 0, nominate && controlling, controlling, CHECK_PRIORITY, ice->tie, NULL,
        STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    if (n == 0)
        return; /* the agent's transaction table is full: the next tick tries again */
    stun_message_id(&msg, p->id);
    n = bridge_stun_sign(out, n, sizeof out, (const guint8 *)ice->remote_pwd,
                         strlen(ice->remote_pwd));
    p->used = 1;
    p->addr = (guint8)idx;
    p->nominate = (guint8)nominate;
    p->tries = (guint8)tries;
    p->sent_us = w->live_us;
    send_stun(w, ice->addrs[idx].sock, &ice->addrs[idx].addr, out, n);
    BRIDGE_STAT_ADD(w->stats.checks_sent, 1);
}

/* ---- selection ---- */

static gboolean selected_quiet(const BridgeEndpoint *ep)
{
    return ep->ice.selected >= 0 &&
           ep->worker->live_us - ep->ice.selected_rx_us > BRIDGE_ICE_REBIND_QUIET_US;
}

static void select_addr(BridgeEndpoint *ep, guint idx)
{
    BridgeIce *ice = &ep->ice;
    gint64 now = ep->worker->live_us;
    ice->selected = (gint)idx;
    ice->selected_rx_us = now;
    ice->consent_us = now;
    guint32 jitter = 0;
    random_bytes(&jitter, sizeof jitter);
    ice->next_consent_us = now + CONSENT_INTERVAL_MIN_US + jitter % CONSENT_JITTER_US;
    bridge_endpoint_select(ep, ice->addrs[idx].sock, &ice->addrs[idx].addr);
}

/* Address @idx was nominated: use it unless a better nominated one is in use (aggressive
 * nomination: the peer takes the nominated pair of highest priority, and so does the bridge),
 * or at once when the one in use has gone quiet. */
static void nominated(BridgeEndpoint *ep, guint idx)
{
    BridgeIce *ice = &ep->ice;
    ice->addrs[idx].nominated = 1;
    ice->addrs[idx].nominate = 0;
    if (ice->selected < 0 || selected_quiet(ep) ||
        (ice->selected != (gint)idx &&
         ice->addrs[idx].priority > ice->addrs[ice->selected].priority))
        select_addr(ep, idx);
}

/* The slot for a newly validated address @from: a free one, else the least recently checked
 * address that is not selected (its flow is released first, so there is room for the new
 * one). -1 when the flow table is full. */
static gint add_addr(BridgeEndpoint *ep, guint sock, const BridgeAddr *from)
{
    BridgeWorker *w = ep->worker;
    BridgeIce *ice = &ep->ice;
    gint idx = -1;
    if (ice->n_addrs < BRIDGE_ICE_MAX_ADDRS) {
        if (!bridge_worker_flow_bind(w, ep, from, ice->n_addrs))
            return -1;
        idx = (gint)ice->n_addrs++;
    } else {
        for (guint i = 0; i < ice->n_addrs; i++)
            if ((gint)i != ice->selected &&
                (idx < 0 || ice->addrs[i].last_check_us < ice->addrs[idx].last_check_us))
                idx = (gint)i;
        for (guint i = 0; i < BRIDGE_ICE_MAX_PENDING; i++)
            if (ice->pending[i].used && ice->pending[i].addr == idx)
                forget(w, &ice->pending[i]);
        bridge_worker_flow_unbind(w, &ice->addrs[idx].addr);
        if (!bridge_worker_flow_bind(w, ep, from, (guint)idx))
            g_assert_not_reached(); /* the entry just released makes room */
    }
    BridgeIceAddr *a = &ice->addrs[idx];
    memset(a, 0, sizeof *a);
    a->addr = *from;
    a->sock = (guint8)sock;
    return idx;
}

static gint find_addr(const BridgeIce *ice, const BridgeAddr *a)
{
    for (guint i = 0; i < ice->n_addrs; i++)
        if (bridge_addr_equal(&ice->addrs[i].addr, a))
            return (gint)i;
    return -1;
}

/* ---- checks from the peer ---- */

/* USERNAME "<our ufrag>:<the peer's ufrag>"; the peer's part must match once it is
 * signalled. */
static gboolean username_ok(const BridgeIce *ice, const guint8 *username, gsize username_len)
{
    if (username_len < BRIDGE_ICE_UFRAG_LEN + 2 ||
        memcmp(username, ice->ufrag, BRIDGE_ICE_UFRAG_LEN) != 0 ||
        username[BRIDGE_ICE_UFRAG_LEN] != ':')
        return FALSE;
    if (ice->remote_ufrag) {
        gsize rl = strlen(ice->remote_ufrag);
        if (username_len - BRIDGE_ICE_UFRAG_LEN - 1 != rl ||
            memcmp(username + BRIDGE_ICE_UFRAG_LEN + 1, ice->remote_ufrag, rl) != 0)
            return FALSE;
    }
    return TRUE;
}

/* Signs the message the agent built in @out (@n bytes; 0: nothing built) with @key (NULL: a
 * FINGERPRINT only) and sends it. */
static void send_signed(BridgeWorker *w, guint sock, const BridgeAddr *to, guint8 *out, gsize n,
                        gsize cap, const char *key)
{
    n = n ? bridge_stun_sign(out, n, cap, (const guint8 *)key, key ? strlen(key) : 0) : 0;
    if (n)
        send_stun(w, sock, to, out, n);
}

static void send_error(BridgeWorker *w, guint sock, const BridgeAddr *to, StunMessage *req,
                       StunError code)
{
    guint8 out[256];
    StunMessage msg;
    w->stun.usage_flags = AGENT_BUILDING;
    if (!stun_agent_init_error(&w->stun, &msg, out, sizeof out - BRIDGE_STUN_SIGN_ROOM, req, code))
        return;
    send_signed(w, sock, to, out, stun_agent_finish_message(&w->stun, &msg, NULL, 0), sizeof out,
                NULL);
}

static void handle_request(BridgeEndpoint *ep, guint sock, const BridgeAddr *from, guint8 *buf,
                           gsize len)
{
    BridgeWorker *w = ep->worker;
    BridgeIce *ice = &ep->ice;
    StunMessage req;
    w->stun.usage_flags = AGENT_CHECKING;
    StunValidationStatus vs = stun_agent_validate(&w->stun, &req, buf, len, NULL, NULL);
    switch (vs) {
    case STUN_VALIDATION_SUCCESS:
        break;
    case STUN_VALIDATION_BAD_REQUEST:
        bridge_worker_drop(w, BRIDGE_DROP_STUN_MALFORMED);
        send_error(w, sock, from, &req, STUN_ERROR_BAD_REQUEST);
        return;
    case STUN_VALIDATION_UNKNOWN_REQUEST_ATTRIBUTE: {
        guint8 out[256];
        StunMessage msg;
        w->stun.usage_flags = AGENT_BUILDING;
        size_t n = stun_agent_build_unknown_attributes_error(
            &w->stun, &msg, out, sizeof out - BRIDGE_STUN_SIGN_ROOM, &req);
        send_signed(w, sock, from, out, n, sizeof out, NULL);
        bridge_worker_drop(w, BRIDGE_DROP_STUN_MALFORMED);
        return;
    }
    default:
        bridge_worker_drop(w, BRIDGE_DROP_STUN_MALFORMED);
        return;
    }
    uint16_t ulen = 0;
    const guint8 *user = stun_message_find(&req, STUN_ATTRIBUTE_USERNAME, &ulen);
    if (!user || !stun_message_has_attribute(&req, STUN_ATTRIBUTE_MESSAGE_INTEGRITY)) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_MALFORMED);
        send_error(w, sock, from, &req, STUN_ERROR_BAD_REQUEST);
        return;
    }
    if (!username_ok(ice, user, ulen) ||
        !bridge_stun_check_integrity(buf, len, (const guint8 *)ice->pwd, BRIDGE_ICE_PWD_LEN)) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_AUTH);
        send_error(w, sock, from, &req, STUN_ERROR_UNAUTHORIZED);
        return;
    }

    uint64_t q;
    gboolean peer_controlling = stun_message_find64(&req, STUN_ATTRIBUTE_ICE_CONTROLLING, &q) ==
                                STUN_MESSAGE_RETURN_SUCCESS;
    gboolean peer_controlled =
        !peer_controlling &&
        stun_message_find64(&req, STUN_ATTRIBUTE_ICE_CONTROLLED, &q) == STUN_MESSAGE_RETURN_SUCCESS;
    /* The bridge takes the role the peer leaves it (it never claimed one before the peer's
     * first check); a peer that answered one of our checks with 487 stays controlling. */
    if (peer_controlling)
        ice->peer_role = BRIDGE_ICE_PEER_CONTROLLING;
    else if (peer_controlled && ice->peer_role != BRIDGE_ICE_PEER_CONTROLLING)
        ice->peer_role = BRIDGE_ICE_PEER_CONTROLLED;
    else if (!peer_controlled && ice->peer_role == BRIDGE_ICE_PEER_UNKNOWN)
        ice->peer_role = BRIDGE_ICE_PEER_NO_ROLE;
    bool control = peer_controlled && ice->peer_role == BRIDGE_ICE_PEER_CONTROLLED;

    struct sockaddr_storage ss;
    socklen_t sl = bridge_addr_to_sockaddr(from, &ss);
    guint8 out[512];
    size_t n = sizeof out - BRIDGE_STUN_SIGN_ROOM;
    StunMessage resp;
    w->stun.usage_flags = AGENT_BUILDING;
    StunUsageIceReturn r =
        stun_usage_ice_conncheck_create_reply(&w->stun, &req, &resp, out, &n, &ss, sl, &control,
                                              ice->tie, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    send_signed(w, sock, from, out, n, sizeof out,
                r == STUN_USAGE_ICE_RETURN_SUCCESS ? ice->pwd : NULL);
    if (r != STUN_USAGE_ICE_RETURN_SUCCESS)
        return;
    BRIDGE_STAT_ADD(w->stats.checks_answered, 1);

    gint idx = find_addr(ice, from);
    if (idx < 0 && (idx = add_addr(ep, sock, from)) < 0)
        return; /* counted as flow_limit */
    BridgeIceAddr *a = &ice->addrs[idx];
    a->priority = stun_usage_ice_conncheck_priority(&req);
    a->last_check_us = w->live_us;
    a->sock = (guint8)sock;
    if (idx == ice->selected) {
        ice->consent_us = w->live_us; /* consent both ways on the pair in use */
        return;
    }
    switch (ice->peer_role) {
    case BRIDGE_ICE_PEER_CONTROLLING:
        if (stun_usage_ice_conncheck_use_candidate(&req))
            nominated(ep, (guint)idx);
        else if (selected_quiet(ep))
            select_addr(ep, (guint)idx); /* the peer's NAT rebound it */
        break;
    case BRIDGE_ICE_PEER_CONTROLLED:
        /* Triggered check with USE-CANDIDATE: the peer waits for the bridge to nominate. */
        if (ice->selected < 0 || selected_quiet(ep)) {
            a->nominate = 1;
            send_check(ep, (guint)idx, TRUE, 1);
        }
        break;
    default:
        if (ice->selected < 0 || selected_quiet(ep))
            select_addr(ep, (guint)idx);
        break;
    }
}

/* ---- answers to the bridge's checks ---- */

static void handle_response(BridgeEndpoint *ep, guint idx, guint8 *buf, gsize len)
{
    BridgeWorker *w = ep->worker;
    BridgeIce *ice = &ep->ice;
    StunMessage msg;
    w->stun.usage_flags = AGENT_CHECKING;
    StunValidationStatus vs = stun_agent_validate(&w->stun, &msg, buf, len, NULL, NULL);
    if (vs == STUN_VALIDATION_UNMATCHED_RESPONSE) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_UNMATCHED);
        return;
    }
    if (vs != STUN_VALIDATION_SUCCESS) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_AUTH);
        return;
    }
    StunTransactionId id;
    stun_message_id(&msg, id);
    BridgeIcePending *p = NULL;
    for (guint i = 0; i < BRIDGE_ICE_MAX_PENDING && !p; i++)
        if (ice->pending[i].used && memcmp(ice->pending[i].id, id, sizeof id) == 0)
            p = &ice->pending[i];
    if (!p || p->addr != idx) {
        /* Another endpoint's transaction (the address moved meanwhile), or an answer from
         * another address than the check went to: no proof for this pair. */
        if (p)
            p->used = 0; /* the agent forgot it when it validated */
        bridge_worker_drop(w, BRIDGE_DROP_STUN_UNMATCHED);
        return;
    }
    gboolean nominating = p->nominate;
    p->used = 0;
    /* A success must prove the peer knows its password (an error may come unsigned). */
    if (stun_message_get_class(&msg) == STUN_RESPONSE &&
        (!ice->remote_pwd || !bridge_stun_check_integrity(buf, len, (const guint8 *)ice->remote_pwd,
                                                          strlen(ice->remote_pwd)))) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_AUTH);
        return;
    }
    struct sockaddr_storage mapped;
    socklen_t ml = sizeof mapped;
    StunUsageIceReturn r =
        stun_usage_ice_conncheck_process(&msg, &mapped, &ml, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    if (r == STUN_USAGE_ICE_RETURN_ROLE_CONFLICT) {
        /* The peer insists on controlling: the bridge is the controlled side from now on. */
        ice->peer_role = BRIDGE_ICE_PEER_CONTROLLING;
        ice->addrs[idx].nominate = 0;
        return;
    }
    if (r != STUN_USAGE_ICE_RETURN_SUCCESS)
        return;
    if ((gint)idx == ice->selected)
        ice->consent_us = w->live_us;
    if (nominating)
        nominated(ep, idx);
}

void bridge_ice_input(BridgeWorker *w, guint sock, const BridgeAddr *from, BridgeFlow *flow,
                      guint8 *buf, gsize len, gboolean handed)
{
    if (stun_message_validate_buffer_length(buf, len, TRUE) != (int)len) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_MALFORMED);
        return;
    }
    StunMessage peek = {.buffer = buf, .buffer_len = len};
    if (stun_message_get_method(&peek) != STUN_BINDING) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_MALFORMED);
        return;
    }
    StunClass cls = stun_message_get_class(&peek);
    if (cls == STUN_INDICATION)
        return; /* a keepalive (RFC 8445 §11): nothing to answer */
    if (cls != STUN_REQUEST) {
        /* An answer to one of our checks: they only go to addresses that checked with us,
         * i.e. known flows. */
        if (!flow || (handed && flow->owner != w->index)) {
            bridge_worker_drop(w, BRIDGE_DROP_STUN_UNMATCHED);
            return;
        }
        if (flow->owner != w->index) {
            bridge_worker_hand_over(w, flow->owner, sock, from, buf, len);
            return;
        }
        BridgeEndpoint *ep = bridge_handle_table_get(&w->endpoints, flow->ep);
        if (!ep || ep->dead) {
            bridge_worker_drop(w, BRIDGE_DROP_STUN_UNMATCHED);
            return;
        }
        handle_response(ep, flow->cand, buf, len);
        return;
    }
    /* A check: its USERNAME's first half is one of our ufrags, which names the worker and the
     * endpoint. */
    uint16_t ulen = 0;
    const guint8 *user = stun_message_find(&peek, STUN_ATTRIBUTE_USERNAME, &ulen);
    if (!user) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_MALFORMED);
        return;
    }
    const guint8 *colon = memchr(user, ':', ulen);
    gsize local_len = colon ? (gsize)(colon - user) : ulen;
    guint worker;
    BridgeHandle handle;
    if (!bridge_ice_ufrag_decode(user, local_len, &worker, &handle) ||
        worker >= w->media->n_workers || (handed && worker != w->index)) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_UNKNOWN_USER);
        return;
    }
    if (worker != w->index) {
        bridge_worker_hand_over(w, worker, sock, from, buf, len);
        return;
    }
    BridgeEndpoint *ep = bridge_handle_table_get(&w->endpoints, handle);
    if (!ep || ep->dead || memcmp(ep->ice.ufrag, user, BRIDGE_ICE_UFRAG_LEN) != 0) {
        bridge_worker_drop(w, BRIDGE_DROP_STUN_UNKNOWN_USER);
        return;
    }
    handle_request(ep, sock, from, buf, len);
}

/* ---- lifecycle and timers ---- */

void bridge_ice_init(BridgeEndpoint *ep)
{
    memset(&ep->ice, 0, sizeof ep->ice);
    bridge_ice_credentials(&ep->ice, ep->worker->index, ep->handle);
    ep->ice.selected = -1;
}

void bridge_ice_clear(BridgeEndpoint *ep)
{
    BridgeIce *ice = &ep->ice;
    for (guint i = 0; i < BRIDGE_ICE_MAX_PENDING; i++)
        forget(ep->worker, &ice->pending[i]);
    for (guint i = 0; i < ice->n_addrs; i++)
        bridge_worker_flow_unbind(ep->worker, &ice->addrs[i].addr);
    ice->n_addrs = 0;
    ice->selected = -1;
    g_clear_pointer(&ice->remote_ufrag, g_free);
    g_clear_pointer(&ice->remote_pwd, g_free);
}

void bridge_ice_set_remote(BridgeEndpoint *ep, const char *ufrag, const char *pwd)
{
    BridgeIce *ice = &ep->ice;
    if (!ufrag || !pwd)
        return;
    if (g_strcmp0(ice->remote_ufrag, ufrag) == 0 && g_strcmp0(ice->remote_pwd, pwd) == 0)
        return;
    /* The transactions in flight were keyed with the old password. */
    for (guint i = 0; i < BRIDGE_ICE_MAX_PENDING; i++)
        forget(ep->worker, &ice->pending[i]);
    g_free(ice->remote_ufrag);
    g_free(ice->remote_pwd);
    ice->remote_ufrag = g_strdup(ufrag);
    ice->remote_pwd = g_strdup(pwd);
    /* Checks the peer sent before its credentials reached the bridge wait for a nomination. */
    for (guint i = 0; i < ice->n_addrs; i++)
        if (ice->addrs[i].nominate)
            send_check(ep, i, TRUE, 1);
}

void bridge_ice_tick(BridgeEndpoint *ep)
{
    BridgeWorker *w = ep->worker;
    BridgeIce *ice = &ep->ice;
    gint64 now = w->live_us;
    for (guint i = 0; i < BRIDGE_ICE_MAX_PENDING; i++) {
        BridgeIcePending *p = &ice->pending[i];
        if (!p->used)
            continue;
        /* Nominating checks: RTO 100 ms doubling to 800 ms (RFC 8445 §14.3 pacing is per
         * agent; one endpoint sends a handful). Consent checks: until the next one. */
        gint64 rto =
            p->nominate ? MIN(100000 << MIN(p->tries - 1, 3), 800000) : CONSENT_INTERVAL_MIN_US;
        if (now - p->sent_us < rto)
            continue;
        guint idx = p->addr, tries = p->tries;
        gboolean again = p->nominate && tries < MAX_NOMINATION_TRIES && ice->addrs[idx].nominate;
        forget(w, p);
        if (again)
            send_check(ep, idx, TRUE, tries + 1);
    }
    if (ice->selected < 0)
        return;
    if (now >= ice->next_consent_us) {
        guint32 jitter = 0;
        random_bytes(&jitter, sizeof jitter);
        ice->next_consent_us = now + CONSENT_INTERVAL_MIN_US + jitter % CONSENT_JITTER_US;
        send_check(ep, (guint)ice->selected, FALSE, 1);
    }
    if (now - ice->consent_us > BRIDGE_ICE_CONSENT_TIMEOUT_US) {
        BRIDGE_STAT_ADD(w->stats.ice_failures, 1);
        bridge_endpoint_fail(ep, BRIDGE_MEDIA_EVENT_FAILED, "ICE consent lost");
    }
}
