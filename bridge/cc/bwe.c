/* SPDX-License-Identifier: MIT */
/* Bandwidth estimation from transport-cc feedback (bwe.h). Thread: the owner's (the
 * receiver's media worker). */
#include "bridge/cc/bwe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HISTORY_MASK (BRIDGE_BWE_HISTORY - 1)
#define GROUP_US 5000        /* packets sent within 5 ms form one group */
#define BURST_US 5000        /* ...and those arriving in a burst (see delay_packet) */
#define BURST_MAX_US 100000  /* at most this long */
#define TREND_WINDOW 20      /* groups in the least-squares fit */
#define SMOOTHING 0.9        /* of the accumulated delay */
#define TREND_GAIN 4.0       /* the trend is compared scaled by this and the sample count */
#define OVERUSE_TIME_MS 10.0 /* over the threshold this long: over-use */
#define K_UP 0.0087          /* threshold adaptation, up and down */
#define K_DOWN 0.039
#define THRESHOLD_INIT 12.5
#define BETA 0.85              /* multiplicative decrease */
#define DECREASE_GAP_US 200000 /* at most one decrease per 200 ms */
#define ACK_WINDOW_US 500000   /* acknowledged bitrate over the last 500 ms */
#define ACK_RING 1024
#define LOSS_INTERVAL_US 300000
#define PROBE_DURATION_US 150000
#define PROBE_TIMEOUT_US 1000000
#define PROBE_BACKOFF_MIN_US 2000000
#define PROBE_BACKOFF_MAX_US 5000000

enum { SENT_EMPTY = 0, SENT_PENDING, SENT_ACKED, SENT_LOST };
enum { RATE_HOLD = 0, RATE_INCREASE };

/* 16 bytes a packet: the history is most of an estimator's memory. */
typedef struct {
    int64_t send_us;
    uint32_t seq;    /* the unwrapped number's low 32 bits (the slot says the rest) */
    uint16_t size;   /* bytes on the wire (at most 65,535 counted) */
    uint8_t state;   /* SENT_* */
    uint8_t cluster; /* probe_tag() of the probe it was sent in, 0: none */
} Sent;

_Static_assert(sizeof(Sent) == 16, "a history slot is 16 bytes");

/* A probe's id as a packet's cluster byte: never 0, the same for ids 255 apart (a history
 * of 4,096 packets never holds packets of probes that far apart: at least 2 s each). */
static inline uint8_t probe_tag(uint32_t id)
{
    return (uint8_t)(id % 255u + 1u);
}

typedef struct {
    bool valid;
    int64_t first_send_us, last_send_us, first_arrival_us, last_arrival_us;
} Group;

typedef struct {
    bool active;
    uint32_t id;
    int64_t start_us, end_us;
    uint64_t rate_bps;
    double start_estimate; /* the estimate when it started */
    uint64_t sent_bytes, recv_bytes;
    uint32_t sent_packets, recv_packets;
    uint32_t last_sent_size, first_recv_size;
    int64_t first_send_us, last_send_us, first_arrival_us, last_arrival_us;
} Probe;

struct BridgeBwe {
    BridgeBweConfig cfg;
    Sent hist[BRIDGE_BWE_HISTORY];
    bool any_sent;
    int64_t last_sent_seq;

    /* delay-based */
    Group cur, prev;
    double acc_delay, smoothed;
    int64_t first_arrival_us;
    double wx[TREND_WINDOW], wy[TREND_WINDOW];
    unsigned w_count, w_head;
    unsigned num_deltas;
    double prev_trend;
    double threshold;
    int64_t threshold_updated_us;
    double time_over_ms;
    unsigned overuse_count;
    BridgeBweSignal signal;

    /* rate control */
    double delay_bps;
    int rate_state;
    int64_t last_update_us;
    int64_t last_decrease_us;
    bool capacity_valid;
    double capacity_mean, capacity_var;
    int64_t rtt_us;

    /* acknowledged bitrate */
    int64_t ack_t[ACK_RING];
    uint32_t ack_b[ACK_RING];
    unsigned ack_head, ack_tail;
    uint64_t ack_sum;

    /* loss-based */
    double loss_bps;
    uint32_t interval_lost, interval_recv;
    int64_t loss_eval_us;
    double last_loss;

    /* probing */
    Probe probe;
    /* Over-use right after a probe is the probe's own doing: the rate does not go below
     * what it was before the probe until then. */
    int64_t probe_guard_until_us;
    double probe_floor_bps;
    uint32_t next_probe_id;
    int64_t last_probe_end_us;
    int64_t probe_backoff_us;
    bool probed;

    BridgeBweStats stats;
};

void bridge_bwe_config_init(BridgeBweConfig *c)
{
    c->start_bps = 2500000;
    c->min_bps = 30000;
    c->max_bps = 20000000;
}

BridgeBwe *bridge_bwe_new(const BridgeBweConfig *cfg)
{
    BridgeBweConfig d;
    bridge_bwe_config_init(&d);
    if (cfg)
        d = *cfg;
    if (d.min_bps == 0 || d.min_bps > d.max_bps || d.start_bps < d.min_bps ||
        d.start_bps > d.max_bps)
        return NULL;
    BridgeBwe *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->cfg = d;
    b->delay_bps = (double)d.start_bps;
    b->loss_bps = (double)d.max_bps;
    b->threshold = THRESHOLD_INIT;
    b->time_over_ms = -1;
    b->rate_state = RATE_INCREASE;
    b->rtt_us = 100000;
    b->last_decrease_us = INT64_MIN / 2;
    b->loss_eval_us = INT64_MIN;
    b->last_probe_end_us = INT64_MIN / 2;
    b->probe_backoff_us = 0;
    return b;
}

void bridge_bwe_free(BridgeBwe *b)
{
    free(b);
}

void bridge_bwe_set_rtt(BridgeBwe *b, int64_t rtt_us)
{
    if (rtt_us > 0 && rtt_us < 10000000)
        b->rtt_us = rtt_us;
}

static double clamp_rate(const BridgeBwe *b, double r)
{
    if (r < (double)b->cfg.min_bps)
        return (double)b->cfg.min_bps;
    if (r > (double)b->cfg.max_bps)
        return (double)b->cfg.max_bps;
    return r;
}

uint64_t bridge_bwe_estimate(const BridgeBwe *b)
{
    double r = b->delay_bps < b->loss_bps ? b->delay_bps : b->loss_bps;
    return (uint64_t)clamp_rate(b, r);
}

/* ---- sent history ---- */

void bridge_bwe_on_sent(BridgeBwe *b, uint16_t seq, uint32_t size, int64_t send_us)
{
    int64_t s64;
    if (!b->any_sent) {
        s64 = 65536 + seq;
        b->any_sent = true;
        b->last_sent_seq = s64;
    } else {
        s64 = b->last_sent_seq + (int16_t)(uint16_t)(seq - (uint16_t)b->last_sent_seq);
        if (s64 > b->last_sent_seq)
            b->last_sent_seq = s64;
    }
    Sent *p = &b->hist[s64 & HISTORY_MASK];
    p->seq = (uint32_t)s64;
    p->send_us = send_us;
    p->size = (uint16_t)(size > UINT16_MAX ? UINT16_MAX : size);
    p->state = SENT_PENDING;
    p->cluster = 0;
    Probe *pr = &b->probe;
    if (pr->active && send_us >= pr->start_us && send_us < pr->end_us) {
        p->cluster = probe_tag(pr->id);
        if (pr->sent_packets == 0 || send_us < pr->first_send_us)
            pr->first_send_us = send_us;
        if (pr->sent_packets == 0 || send_us >= pr->last_send_us) {
            pr->last_send_us = send_us;
            pr->last_sent_size = size;
        }
        pr->sent_packets++;
        pr->sent_bytes += size;
    }
}

/* ---- acknowledged bitrate ---- */

static void ack_push(BridgeBwe *b, int64_t arrival_us, uint32_t size)
{
    unsigned next = (b->ack_head + 1) % ACK_RING;
    if (next == b->ack_tail) { /* full: drop the oldest */
        b->ack_sum -= b->ack_b[b->ack_tail];
        b->ack_tail = (b->ack_tail + 1) % ACK_RING;
    }
    b->ack_t[b->ack_head] = arrival_us;
    b->ack_b[b->ack_head] = size;
    b->ack_head = next;
    b->ack_sum += size;
    while (b->ack_tail != b->ack_head && arrival_us - b->ack_t[b->ack_tail] > ACK_WINDOW_US) {
        b->ack_sum -= b->ack_b[b->ack_tail];
        b->ack_tail = (b->ack_tail + 1) % ACK_RING;
    }
}

/* Bits per second over the window, 0 while it spans less than 100 ms. */
static double acked_bps(const BridgeBwe *b)
{
    if (b->ack_tail == b->ack_head)
        return 0;
    unsigned newest = (b->ack_head + ACK_RING - 1) % ACK_RING;
    int64_t span = b->ack_t[newest] - b->ack_t[b->ack_tail];
    if (span < 100000)
        return 0;
    return (double)(b->ack_sum - b->ack_b[b->ack_tail]) * 8e6 / (double)span;
}

/* ---- delay-based detection ---- */

static void update_threshold(BridgeBwe *b, double modified, int64_t now_us)
{
    if (b->threshold_updated_us == 0)
        b->threshold_updated_us = now_us;
    double abs_m = fabs(modified);
    /* A spike far above the threshold (a route change, a sender pause) does not move it. */
    if (abs_m > b->threshold + 15.0) {
        b->threshold_updated_us = now_us;
        return;
    }
    double k = abs_m < b->threshold ? K_DOWN : K_UP;
    double dt_ms = (double)(now_us - b->threshold_updated_us) / 1000.0;
    if (dt_ms > 100)
        dt_ms = 100;
    b->threshold += k * (abs_m - b->threshold) * dt_ms;
    if (b->threshold < 6)
        b->threshold = 6;
    if (b->threshold > 600)
        b->threshold = 600;
    b->threshold_updated_us = now_us;
}

static void detect(BridgeBwe *b, double trend, double send_delta_ms, int64_t now_us)
{
    double n = b->num_deltas < 60 ? b->num_deltas : 60;
    double modified = n * trend * TREND_GAIN;
    if (modified > b->threshold) {
        if (b->time_over_ms < 0)
            b->time_over_ms = send_delta_ms / 2;
        else
            b->time_over_ms += send_delta_ms;
        b->overuse_count++;
        /* Only while the delay is still above its smoothed value: a single spike (a starved
         * host holding packets, then delivering them at once) lifts the smoothed delay and
         * so the trend for a while after the delay itself is back down; a queue that builds
         * up keeps the delay above its smoothed value. */
        if (b->time_over_ms > OVERUSE_TIME_MS && b->overuse_count > 1 && trend >= b->prev_trend &&
            b->acc_delay >= b->smoothed) {
            b->time_over_ms = 0;
            b->overuse_count = 0;
            b->signal = BRIDGE_BWE_OVERUSING;
        }
    } else if (modified < -b->threshold) {
        b->time_over_ms = -1;
        b->overuse_count = 0;
        b->signal = BRIDGE_BWE_UNDERUSING;
    } else {
        b->time_over_ms = -1;
        b->overuse_count = 0;
        b->signal = BRIDGE_BWE_NORMAL;
    }
    b->prev_trend = trend;
    update_threshold(b, modified, now_us);
}

/* One more delay variation sample (ms) at @arrival_us: the trendline. */
static void trend_sample(BridgeBwe *b, double delay_ms, double send_delta_ms, int64_t arrival_us,
                         int64_t now_us)
{
    if (b->num_deltas < 1000)
        b->num_deltas++;
    b->acc_delay += delay_ms;
    b->smoothed = SMOOTHING * b->smoothed + (1 - SMOOTHING) * b->acc_delay;
    if (b->w_count == 0 && b->num_deltas == 1)
        b->first_arrival_us = arrival_us;
    b->wx[b->w_head] = (double)(arrival_us - b->first_arrival_us) / 1000.0;
    b->wy[b->w_head] = b->smoothed;
    b->w_head = (b->w_head + 1) % TREND_WINDOW;
    if (b->w_count < TREND_WINDOW)
        b->w_count++;
    if (b->w_count < TREND_WINDOW)
        return;
    double mx = 0, my = 0;
    for (unsigned i = 0; i < TREND_WINDOW; i++) {
        mx += b->wx[i];
        my += b->wy[i];
    }
    mx /= TREND_WINDOW;
    my /= TREND_WINDOW;
    double num = 0, den = 0;
    for (unsigned i = 0; i < TREND_WINDOW; i++) {
        num += (b->wx[i] - mx) * (b->wy[i] - my);
        den += (b->wx[i] - mx) * (b->wx[i] - mx);
    }
    double trend = den > 0 ? num / den : b->prev_trend;
    detect(b, trend, send_delta_ms, now_us);
}

/* One acknowledged packet, in send order: groups of GROUP_US and their delay changes. */
static void delay_packet(BridgeBwe *b, int64_t send_us, int64_t arrival_us, int64_t now_us)
{
    Group *g = &b->cur;
    if (!g->valid) {
        *g = (Group){true, send_us, send_us, arrival_us, arrival_us};
        return;
    }
    if (send_us < g->first_send_us)
        return; /* reordered behind its group: ignored, as GCC does */
    /* A burst (GCC's 5.2): a packet arriving within 5 ms of the group's last, sooner after it
     * than it was sent, joins the group whenever it was sent, for up to 100 ms of arrivals.
     * Packets a starved receiver (or host) held and then delivered at once count as one
     * group, not as a queue that built up and drained within a few milliseconds. */
    int64_t after_last = arrival_us - g->last_arrival_us;
    bool burst = after_last >= 0 && after_last <= BURST_US &&
                 after_last < send_us - g->last_send_us &&
                 arrival_us - g->first_arrival_us < BURST_MAX_US;
    if (send_us - g->first_send_us <= GROUP_US || burst) {
        if (send_us > g->last_send_us)
            g->last_send_us = send_us;
        if (arrival_us > g->last_arrival_us)
            g->last_arrival_us = arrival_us;
        return;
    }
    if (b->prev.valid) {
        double send_delta = (double)(g->last_send_us - b->prev.last_send_us) / 1000.0;
        double arrival_delta = (double)(g->last_arrival_us - b->prev.last_arrival_us) / 1000.0;
        /* Arrivals out of order by more than a group, or a sender pause of seconds: not a
         * delay signal. */
        if (arrival_delta >= 0 && send_delta < 3000)
            trend_sample(b, arrival_delta - send_delta, send_delta, g->last_arrival_us, now_us);
    }
    b->prev = *g;
    *g = (Group){true, send_us, send_us, arrival_us, arrival_us};
}

/* ---- rate control ---- */

static void capacity_on_overuse(BridgeBwe *b, double acked)
{
    if (!b->capacity_valid) {
        b->capacity_mean = acked;
        b->capacity_var = 0.4;
        b->capacity_valid = true;
        return;
    }
    b->capacity_mean = 0.95 * b->capacity_mean + 0.05 * acked;
    double norm = b->capacity_mean > 1 ? b->capacity_mean : 1;
    double dev = b->capacity_mean - acked;
    b->capacity_var = 0.95 * b->capacity_var + 0.05 * dev * dev / norm;
    if (b->capacity_var < 0.4)
        b->capacity_var = 0.4;
    if (b->capacity_var > 2.5)
        b->capacity_var = 2.5;
}

static double capacity_upper(const BridgeBwe *b)
{
    return b->capacity_mean + 3 * sqrt(b->capacity_var * b->capacity_mean);
}

/* About one packet more per response time: the gentle increase near the known capacity. */
static double additive_increase(const BridgeBwe *b, double dt_s)
{
    double frame_bits = b->delay_bps / 30.0;
    double packets = ceil(frame_bits / (1200 * 8));
    double packet_bits = frame_bits / (packets > 0 ? packets : 1);
    double response_s = (double)(b->rtt_us + 100000) / 1e6;
    double per_s = packet_bits / response_s;
    if (per_s < 4000)
        per_s = 4000;
    return per_s * dt_s;
}

static void update_rate(BridgeBwe *b, int64_t now_us)
{
    double acked = acked_bps(b);
    double dt_s = b->last_update_us ? (double)(now_us - b->last_update_us) / 1e6 : 0;
    if (dt_s > 1)
        dt_s = 1;
    if (dt_s < 0)
        dt_s = 0;
    b->last_update_us = now_us;
    if (b->signal == BRIDGE_BWE_OVERUSING) {
        if (acked > 0 && now_us - b->last_decrease_us >= DECREASE_GAP_US) {
            double r = BETA * acked;
            if (now_us < b->probe_guard_until_us && r < b->probe_floor_bps)
                r = b->probe_floor_bps;
            if (r < b->delay_bps)
                b->delay_bps = r;
            capacity_on_overuse(b, acked);
            b->last_decrease_us = now_us;
            b->stats.overuses++;
        }
        b->rate_state = RATE_HOLD;
    } else if (b->signal == BRIDGE_BWE_UNDERUSING) {
        b->rate_state = RATE_HOLD;
    } else if (b->rate_state == RATE_HOLD) {
        b->rate_state = RATE_INCREASE;
    } else if (dt_s > 0) {
        if (b->capacity_valid && acked > capacity_upper(b))
            b->capacity_valid = false; /* the link got better: find it again */
        double before = b->delay_bps;
        if (b->capacity_valid)
            b->delay_bps += additive_increase(b, dt_s);
        else
            b->delay_bps += fmax(1000 * dt_s, b->delay_bps * (pow(1.08, dt_s) - 1));
        /* Not far beyond what is measured to get through. */
        double cap = 1.5 * acked + 10000;
        if (acked > 0 && b->delay_bps > cap)
            b->delay_bps = before > cap ? before : cap;
    }
    b->delay_bps = clamp_rate(b, b->delay_bps);
}

static void update_loss(BridgeBwe *b, int64_t now_us)
{
    if (b->loss_eval_us == INT64_MIN)
        b->loss_eval_us = now_us;
    uint32_t total = b->interval_lost + b->interval_recv;
    if (now_us - b->loss_eval_us < LOSS_INTERVAL_US || total < 10)
        return;
    double p = (double)b->interval_lost / total;
    b->last_loss = p;
    double now_est = (double)bridge_bwe_estimate(b);
    if (p > 0.10)
        b->loss_bps = clamp_rate(b, fmin(b->loss_bps, now_est) * (1 - 0.5 * p));
    else if (p < 0.02)
        b->loss_bps = clamp_rate(b, b->loss_bps * 1.08 + 1000);
    b->interval_lost = b->interval_recv = 0;
    b->loss_eval_us = now_us;
}

/* ---- probing ---- */

static void probe_received(BridgeBwe *b, int64_t arrival_us, uint32_t size)
{
    Probe *pr = &b->probe;
    if (pr->recv_packets == 0 || arrival_us < pr->first_arrival_us) {
        pr->first_arrival_us = arrival_us;
        pr->first_recv_size = size;
    }
    if (pr->recv_packets == 0 || arrival_us > pr->last_arrival_us)
        pr->last_arrival_us = arrival_us;
    pr->recv_packets++;
    pr->recv_bytes += size;
}

static void probe_finish(BridgeBwe *b, int64_t now_us)
{
    Probe *pr = &b->probe;
    if (!pr->active || now_us < pr->end_us)
        return;
    bool enough = pr->recv_packets >= 5 && pr->recv_packets * 5 >= pr->sent_packets * 4;
    if (!enough && now_us < pr->end_us + PROBE_TIMEOUT_US)
        return;
    double result = 0;
    bool saturated = false;
    if (enough && pr->last_arrival_us > pr->first_arrival_us &&
        pr->last_send_us > pr->first_send_us) {
        double send = (double)(pr->sent_bytes - pr->last_sent_size) * 8e6 /
                      (double)(pr->last_send_us - pr->first_send_us);
        double recv = (double)(pr->recv_bytes - pr->first_recv_size) * 8e6 /
                      (double)(pr->last_arrival_us - pr->first_arrival_us);
        /* Received slower than sent: the link is full at about the receive rate. */
        saturated = recv < 0.9 * send;
        result = saturated ? 0.95 * recv : fmin(send, recv);
    }
    bool ok = result > pr->start_estimate * 1.05;
    b->probe_guard_until_us = now_us + b->rtt_us + 200000;
    /* A full link measured below the estimate (which only grew because the sender did not
     * use it all) corrects it, by no more than an over-use would. */
    if (saturated && result < b->delay_bps)
        b->delay_bps = clamp_rate(b, fmax(result, BETA * pr->start_estimate));
    if (ok) {
        b->delay_bps = clamp_rate(b, result);
        b->capacity_valid = false;
        if (b->loss_bps < b->delay_bps && b->last_loss < 0.02)
            b->loss_bps = b->delay_bps;
        b->stats.probes_succeeded++;
        b->probe_backoff_us = 0;
    } else {
        b->probe_backoff_us = b->probe_backoff_us ? b->probe_backoff_us * 2 : PROBE_BACKOFF_MIN_US;
        if (b->probe_backoff_us > PROBE_BACKOFF_MAX_US)
            b->probe_backoff_us = PROBE_BACKOFF_MAX_US;
    }
    pr->active = false;
    b->last_probe_end_us = now_us;
}

bool bridge_bwe_probe_due(BridgeBwe *b, uint64_t wanted_bps, int64_t now_us, BridgeBweProbe *out)
{
    probe_finish(b, now_us);
    if (b->probe.active)
        return false;
    double est = (double)bridge_bwe_estimate(b);
    if ((double)wanted_bps <= est || est >= (double)b->cfg.max_bps)
        return false;
    /* Not into a congested link, nor right after backing off from one. */
    if (b->signal == BRIDGE_BWE_OVERUSING || now_us - b->last_decrease_us < 1000000)
        return false;
    if (b->last_loss > 0.10)
        return false;
    if (now_us - b->last_probe_end_us < b->probe_backoff_us)
        return false;
    double rate = fmin(2 * est, fmax((double)wanted_bps * 1.25, est * 1.25));
    rate = fmin(rate, (double)b->cfg.max_bps);
    Probe *pr = &b->probe;
    memset(pr, 0, sizeof *pr);
    pr->active = true;
    pr->id = ++b->next_probe_id;
    pr->start_us = now_us;
    pr->end_us = now_us + PROBE_DURATION_US;
    pr->rate_bps = (uint64_t)rate;
    pr->start_estimate = est;
    b->probe_floor_bps = est;
    b->probe_guard_until_us = pr->end_us + PROBE_TIMEOUT_US;
    b->stats.probes++;
    *out = (BridgeBweProbe){pr->id, pr->rate_bps, PROBE_DURATION_US};
    return true;
}

/* ---- feedback ---- */

void bridge_bwe_on_feedback(BridgeBwe *b, const PaTccStatus *st, size_t n, int64_t now_us)
{
    if (!b->any_sent)
        return;
    for (size_t k = 0; k < n; k++) {
        int64_t s64 =
            b->last_sent_seq + (int16_t)(uint16_t)(st[k].seq - (uint16_t)b->last_sent_seq);
        Sent *p = &b->hist[s64 & HISTORY_MASK];
        if (p->seq != (uint32_t)s64 || p->state == SENT_EMPTY || p->state == SENT_ACKED)
            continue;
        if (st[k].status == PA_TCC_NOT_RECV) {
            if (p->state == SENT_PENDING) {
                p->state = SENT_LOST;
                b->interval_lost++;
                b->stats.packets_lost++;
            }
            continue;
        }
        if (p->state == SENT_LOST) { /* it made it after all */
            if (b->interval_lost)
                b->interval_lost--;
            if (b->stats.packets_lost)
                b->stats.packets_lost--;
        }
        p->state = SENT_ACKED;
        b->interval_recv++;
        b->stats.packets_acked++;
        ack_push(b, st[k].arrival_us, p->size);
        delay_packet(b, p->send_us, st[k].arrival_us, now_us);
        if (p->cluster && p->cluster == probe_tag(b->probe.id) && b->probe.active)
            probe_received(b, st[k].arrival_us, p->size);
    }
    update_rate(b, now_us);
    update_loss(b, now_us);
    probe_finish(b, now_us);
}

void bridge_bwe_get_stats(const BridgeBwe *b, BridgeBweStats *out)
{
    *out = b->stats;
    out->estimate_bps = bridge_bwe_estimate(b);
    out->delay_bps = (uint64_t)b->delay_bps;
    out->loss_bps = (uint64_t)b->loss_bps;
    out->acked_bps = (uint64_t)acked_bps(b);
    out->signal = b->signal;
    out->loss_fraction = b->last_loss;
}
