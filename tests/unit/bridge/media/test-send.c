/* SPDX-License-Identifier: MIT */
/* The media plane's send path for one receiver (bridge_forward_send_clear) on a worker and an
 * endpoint made by hand, no sockets: a copy that can be protected is queued and counted as
 * forwarded; one that cannot (longer than the media plane handles, or refused by libsrtp) is
 * dropped and counted as srtp_protect, never silently. */
#include <string.h>

#include "bridge/media/media-priv.h"

typedef struct {
    BridgeWorker *w;
    BridgeEndpoint ep;
} Bed;

static void bed_init(Bed *b)
{
    bridge_srtp_global_init();
    b->w = g_new0(BridgeWorker, 1);
    b->w->tx = bridge_tx_batch_new();
    memset(&b->ep, 0, sizeof b->ep);
    b->ep.worker = b->w;
    b->ep.fd = 1000; /* queued only: the batch is never flushed here */
    BridgeSrtpKeys keys = {.profile = BRIDGE_SRTP_AEAD_AES_128_GCM, .key_salt_len = 28};
    memset(keys.local, 0x11, sizeof keys.local);
    memset(keys.remote, 0x22, sizeof keys.remote);
    g_autoptr(GError) error = NULL;
    b->ep.srtp = bridge_srtp_new(&keys, &error);
    g_assert_no_error(error);
}

static void bed_clear(Bed *b)
{
    bridge_srtp_free(b->ep.srtp);
    bridge_tx_batch_free(b->w->tx);
    g_free(b->w);
}

static guint64 dropped(Bed *b)
{
    return BRIDGE_STAT_GET(b->w->stats.drops[BRIDGE_DROP_SRTP_PROTECT]);
}

static void test_send_and_drops(void)
{
    Bed b;
    bed_init(&b);
    guint8 pkt[BRIDGE_PKT_MAX + 1] = {0x80, 96, 0, 1, 0, 0, 0, 1, 0, 0, 0, 9};

    /* A good RTP packet: queued for the receiver, counted as forwarded. */
    bridge_forward_send_clear(b.w, &b.ep, pkt, 200, FALSE);
    g_assert_cmpuint(b.w->tx->n, ==, 1);
    g_assert_cmpuint(BRIDGE_STAT_GET(b.w->stats.rtp_forwarded), ==, 1);
    g_assert_cmpuint(dropped(&b), ==, 0);

    /* Longer than the media plane handles. */
    bridge_forward_send_clear(b.w, &b.ep, pkt, sizeof pkt, FALSE);
    g_assert_cmpuint(dropped(&b), ==, 1);
    /* libsrtp refuses what is not RTP (4 bytes) or not RTCP. */
    bridge_forward_send_clear(b.w, &b.ep, pkt, 4, FALSE);
    g_assert_cmpuint(dropped(&b), ==, 2);
    bridge_forward_send_clear(b.w, &b.ep, pkt, 4, TRUE);
    g_assert_cmpuint(dropped(&b), ==, 3);
    /* Nothing of them was queued or counted as sent. */
    g_assert_cmpuint(b.w->tx->n, ==, 1);
    g_assert_cmpuint(BRIDGE_STAT_GET(b.w->stats.rtp_forwarded), ==, 1);
    g_assert_cmpstr(bridge_drop_reason_name(BRIDGE_DROP_SRTP_PROTECT), ==, "srtp_protect");
    bed_clear(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/send/drops-counted", test_send_and_drops);
    return g_test_run();
}
