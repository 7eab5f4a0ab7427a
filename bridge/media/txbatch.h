/* SPDX-License-Identifier: MIT */
/* Outgoing datagram batch of one media worker: a pool of packet buffers allocated with the
 * worker, filled by the fan-out (copy + protect in place), and sent with one sendmmsg() per
 * run of datagrams for the same socket. The worker flushes it once per main-loop iteration
 * (before it polls again) and whenever it is full, so packets wait microseconds, not ticks.
 *
 * Threads: owned and used by one worker thread only. Anything that could close a socket
 * (freeing an endpoint) flushes first. */
#pragma once

#include <glib.h>
#include <sys/socket.h>

#include "bridge/media/ring.h"

G_BEGIN_DECLS

#define BRIDGE_TX_BATCH 64
#define BRIDGE_TX_CAP (BRIDGE_PKT_MAX + 64) /* room for the SRTP/SRTCP trailer */

typedef struct {
    guint n;
    guint64 sent, sent_bytes; /* totals (read by the owner, which publishes them) */
    guint64 send_errors;      /* datagrams the kernel refused (EAGAIN, ENOBUFS, ...) */
    int fd[BRIDGE_TX_BATCH];
    struct sockaddr_storage to[BRIDGE_TX_BATCH];
    struct iovec iov[BRIDGE_TX_BATCH];
    struct mmsghdr msg[BRIDGE_TX_BATCH];
    guint8 buf[BRIDGE_TX_BATCH][BRIDGE_TX_CAP];
} BridgeTxBatch;

/* (transfer full): allocated once per worker. */
BridgeTxBatch *bridge_tx_batch_new(void);
void bridge_tx_batch_free(BridgeTxBatch *b);

/* The buffer the next datagram is built in (BRIDGE_TX_CAP bytes). Never NULL: a full batch is
 * flushed first. */
guint8 *bridge_tx_batch_next(BridgeTxBatch *b);
/* Queues the datagram built in the buffer from bridge_tx_batch_next() for @fd / @to. */
void bridge_tx_batch_commit(BridgeTxBatch *b, int fd, const struct sockaddr_storage *to,
                            socklen_t to_len, gsize len);
/* Sends everything queued. */
void bridge_tx_batch_flush(BridgeTxBatch *b);

G_END_DECLS
