/* SPDX-License-Identifier: MIT */
/* Transport-cc receive bookkeeping and feedback building for one sender leg (worker thread of
 * its endpoint; see tcc-recv.h). Sequence numbers are extended to 32 bits against the highest
 * one seen, so wrap and reordering need no special case; a slot is valid for an extended
 * sequence only if it stores exactly that sequence. */
#include "bridge/media/tcc-recv.h"

#include <string.h>

#include "common/rtp/tcc.h"

#define MASK (BRIDGE_TCC_RING - 1)

void bridge_tcc_recv_init(BridgeTccRecv *r)
{
    memset(r, 0, sizeof *r);
}

void bridge_tcc_recv_record(BridgeTccRecv *r, guint16 seq, guint32 ssrc, gint64 now_us)
{
    guint32 ext;
    if (!r->started) {
        /* Start one cycle up: extended 0 (what zeroed slots hold) is never a live sequence. */
        ext = 0x10000u | seq;
        r->started = TRUE;
        r->next = r->highest = ext;
    } else {
        ext = r->highest + (guint32)(gint32)(gint16)(guint16)(seq - (guint16)r->highest);
    }
    r->media_ssrc = ssrc;
    if ((gint32)(ext - r->next) < 0) {
        r->late++;
        return;
    }
    if ((gint32)(ext - r->highest) > 0) {
        /* Keep the unreported range inside the ring: the oldest fall out unreported. */
        if (ext - r->next >= BRIDGE_TCC_RING) {
            guint32 nn = ext - BRIDGE_TCC_RING + 1;
            r->skipped += nn - r->next;
            r->next = nn;
        }
        r->highest = ext;
    }
    guint32 i = ext & MASK;
    if (r->ext[i] == ext) {
        r->duplicates++; /* the first arrival counts */
        return;
    }
    r->ext[i] = ext;
    r->arrival_us[i] = now_us;
}

guint bridge_tcc_recv_build(BridgeTccRecv *r, guint32 sender_ssrc, gint64 *scratch,
                            BridgeTccEmitFunc emit, gpointer user_data)
{
    if (!r->started || (gint32)(r->highest - r->next) < 0)
        return 0;
    guint32 n = r->highest - r->next + 1; /* <= BRIDGE_TCC_RING, kept so by record() */
    for (guint32 k = 0; k < n; k++) {
        guint32 e = r->next + k;
        guint32 i = e & MASK;
        scratch[k] = r->ext[i] == e ? r->arrival_us[i] : PA_TCC_NOT_RECEIVED;
    }
    guint packets = 0;
    guint32 done = 0;
    guint8 pkt[BRIDGE_TCC_MAX_PACKET];
    while (done < n) {
        size_t consumed = 0;
        size_t len =
            pa_tcc_write(pkt, sizeof pkt, sender_ssrc, r->media_ssrc, (guint16)(r->next + done),
                         r->fb_count, scratch + done, n - done, &consumed);
        if (!len || !consumed)
            break; /* cannot happen with BRIDGE_TCC_MAX_PACKET >= 24 */
        r->fb_count++;
        packets++;
        done += (guint32)consumed;
        emit(pkt, len, user_data);
    }
    r->next = r->highest + 1;
    return packets;
}
