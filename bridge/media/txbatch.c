/* SPDX-License-Identifier: MIT */
/* sendmmsg batching for a media worker (see txbatch.h). */
#include "bridge/media/txbatch.h"

#include <errno.h>
#include <string.h>

BridgeTxBatch *bridge_tx_batch_new(void)
{
    BridgeTxBatch *b = g_aligned_alloc0(1, sizeof *b, 64);
    for (guint i = 0; i < BRIDGE_TX_BATCH; i++) {
        b->iov[i].iov_base = b->buf[i];
        b->msg[i].msg_hdr.msg_iov = &b->iov[i];
        b->msg[i].msg_hdr.msg_iovlen = 1;
        b->msg[i].msg_hdr.msg_name = &b->to[i];
    }
    return b;
}

void bridge_tx_batch_free(BridgeTxBatch *b)
{
    if (b)
        g_aligned_free(b);
}

guint8 *bridge_tx_batch_next(BridgeTxBatch *b)
{
    if (b->n == BRIDGE_TX_BATCH)
        bridge_tx_batch_flush(b);
    return b->buf[b->n];
}

void bridge_tx_batch_commit(BridgeTxBatch *b, int fd, const struct sockaddr_storage *to,
                            socklen_t to_len, gsize len)
{
    guint i = b->n++;
    b->fd[i] = fd;
    memcpy(&b->to[i], to, to_len);
    b->msg[i].msg_hdr.msg_namelen = to_len;
    b->iov[i].iov_len = len;
}

void bridge_tx_batch_flush(BridgeTxBatch *b)
{
    guint i = 0;
    while (i < b->n) {
        /* One sendmmsg per run of datagrams for the same socket. */
        guint j = i + 1;
        while (j < b->n && b->fd[j] == b->fd[i])
            j++;
        guint done = i;
        while (done < j) {
            int r = sendmmsg(b->fd[i], &b->msg[done], j - done, MSG_DONTWAIT);
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                /* EAGAIN/ENOBUFS/...: the first datagram is lost as the network would lose
                 * it; carry on with the rest. */
                b->send_errors++;
                done++;
                continue;
            }
            for (int k = 0; k < r; k++) {
                b->sent++;
                b->sent_bytes += b->iov[done + k].iov_len;
            }
            done += (guint)r;
        }
        i = j;
    }
    b->n = 0;
}
