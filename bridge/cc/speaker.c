/* SPDX-License-Identifier: MIT */
/* Dominant speaker identification (speaker.h). Thread: the owner's. */
#include "bridge/cc/speaker.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The algorithm's constants (Volfin & Cohen, as Jitsi tunes them). */
#define MAX_LEVEL 127
#define N1 13                              /* immediate: sub-bands (level steps) */
#define N1_SUB ((MAX_LEVEL + N1 - 1) / N1) /* one step of level: 10 */
#define N2 5                               /* immediates per medium block */
#define N3 10                              /* medium blocks per long block */
#define HISTORY (N2 * N3)                  /* levels kept: one second */
#define MEDIUM_THRESHOLD 7                 /* an immediate above this is loud */
#define LONG_THRESHOLD 4                   /* a medium above this is a loud block */
#define C1 3.0                             /* relative activity needed: immediate */
#define C2 2.0                             /* medium */
#define C3 0.0                             /* long */
#define MIN_SCORE 1e-10
#define MIN_LEVEL_WINDOW (15 * 1000 / 20) /* levels over which a higher noise floor is adopted */

typedef struct {
    uint32_t id;
    bool used;
    uint8_t levels[HISTORY]; /* newest at [head] */
    unsigned head;
    int64_t last_level_ms;
    uint8_t min_level; /* the participant's noise floor; 0: not known yet */
    uint8_t next_min_level;
    unsigned next_min_count;
    double score[3]; /* immediate, medium, long */
} Speaker;

struct BridgeSpeakers {
    unsigned capacity;
    int64_t last_decision_ms;
    int64_t last_idle_ms;
    int64_t advanced_ms; /* bridge_speakers_advance's last @now_ms (INT64_MIN: none yet) */
    bool dominant_set;
    uint32_t dominant;
    unsigned n_recent;
    uint32_t recent[BRIDGE_SPEAKER_RECENT_MAX];
    Speaker speakers[];
};

BridgeSpeakers *bridge_speakers_new(unsigned capacity)
{
    if (capacity == 0)
        return NULL;
    BridgeSpeakers *s = calloc(1, sizeof *s + capacity * sizeof(Speaker));
    if (!s)
        return NULL;
    s->capacity = capacity;
    s->last_decision_ms = INT64_MIN;
    s->last_idle_ms = INT64_MIN;
    s->advanced_ms = INT64_MIN;
    return s;
}

void bridge_speakers_free(BridgeSpeakers *s)
{
    free(s);
}

static Speaker *find(const BridgeSpeakers *s, uint32_t id)
{
    for (unsigned k = 0; k < s->capacity; k++)
        if (s->speakers[k].used && s->speakers[k].id == id)
            return (Speaker *)&s->speakers[k];
    return NULL;
}

bool bridge_speakers_add(BridgeSpeakers *s, uint32_t id, int64_t now_ms)
{
    if (find(s, id))
        return false;
    for (unsigned k = 0; k < s->capacity; k++) {
        Speaker *p = &s->speakers[k];
        if (!p->used) {
            memset(p, 0, sizeof *p);
            p->used = true;
            p->id = id;
            p->last_level_ms = now_ms;
            for (int i = 0; i < 3; i++)
                p->score[i] = MIN_SCORE;
            return true;
        }
    }
    return false;
}

static void recent_remove(BridgeSpeakers *s, uint32_t id)
{
    unsigned w = 0;
    for (unsigned r = 0; r < s->n_recent; r++)
        if (s->recent[r] != id)
            s->recent[w++] = s->recent[r];
    s->n_recent = w;
}

bool bridge_speakers_remove(BridgeSpeakers *s, uint32_t id)
{
    Speaker *p = find(s, id);
    if (!p)
        return false;
    p->used = false;
    recent_remove(s, id);
    if (s->dominant_set && s->dominant == id)
        s->dominant_set = false;
    return true;
}

/* The noise floor: the lowest non-silent level, raised slowly (geometric mean) when the
 * lowest of a long window is higher, so that a participant in a noisy room is judged against
 * its own background. */
static void update_min_level(Speaker *p, uint8_t level)
{
    if (level == 0)
        return;
    if (p->min_level == 0 || p->min_level > level) {
        p->min_level = level;
        p->next_min_level = 0;
        p->next_min_count = 0;
        return;
    }
    if (p->next_min_level == 0 || p->next_min_level > level)
        p->next_min_level = level;
    if (++p->next_min_count >= MIN_LEVEL_WINDOW) {
        double m = sqrt((double)p->min_level * p->next_min_level);
        p->min_level = (uint8_t)(m > MAX_LEVEL ? MAX_LEVEL : m);
        p->next_min_level = 0;
        p->next_min_count = 0;
    }
}

static void push_level(Speaker *p, uint8_t level)
{
    p->head = (p->head + HISTORY - 1) % HISTORY;
    p->levels[p->head] = level;
    update_min_level(p, level);
}

bool bridge_speakers_level(BridgeSpeakers *s, uint32_t id, uint8_t level_dbov, int64_t now_ms)
{
    Speaker *p = find(s, id);
    if (!p || now_ms < p->last_level_ms)
        return false;
    p->last_level_ms = now_ms;
    /* RFC 6464 counts down from 0 dBov; the algorithm wants louder = higher. */
    push_level(p, (uint8_t)(MAX_LEVEL - (level_dbov > MAX_LEVEL ? MAX_LEVEL : level_dbov)));
    return true;
}

static double binomial(int n, int r)
{
    if (r < n - r)
        r = n - r;
    double t = 1;
    for (int i = n, j = 1; i > r; i--, j++)
        t = t * i / j;
    return t;
}

static double activity_score(int v, int n, double p, double lambda)
{
    double s = log(binomial(n, v)) + v * log(p) + (n - v) * log(1 - p) - log(lambda) + lambda * v;
    return s < MIN_SCORE ? MIN_SCORE : s;
}

/* The three scores from the last second of levels. */
static void evaluate(Speaker *p)
{
    int floor_level = p->min_level + N1_SUB;
    int imm[HISTORY];
    for (unsigned i = 0; i < HISTORY; i++) {
        int level = p->levels[(p->head + i) % HISTORY];
        imm[i] = (level < floor_level ? 0 : level) / N1_SUB;
    }
    int mediums[N3];
    for (unsigned b = 0; b < N3; b++) {
        mediums[b] = 0;
        for (unsigned i = 0; i < N2; i++)
            mediums[b] += imm[b * N2 + i] > MEDIUM_THRESHOLD;
    }
    int longs = 0;
    for (unsigned b = 0; b < N3; b++)
        longs += mediums[b] > LONG_THRESHOLD;
    p->score[0] = activity_score(imm[0], N1, 0.5, 0.78);
    p->score[1] = activity_score(mediums[0], N2, 0.5, 24);
    p->score[2] = activity_score(longs, N3, 0.5, 47);
}

static void make_dominant(BridgeSpeakers *s, uint32_t id)
{
    s->dominant_set = true;
    s->dominant = id;
    recent_remove(s, id);
    unsigned n =
        s->n_recent < BRIDGE_SPEAKER_RECENT_MAX ? s->n_recent : BRIDGE_SPEAKER_RECENT_MAX - 1;
    memmove(s->recent + 1, s->recent, n * sizeof s->recent[0]);
    s->recent[0] = id;
    s->n_recent = n + 1;
}

/* Returns true when the dominant speaker changed. */
static bool decide(BridgeSpeakers *s)
{
    Speaker *dom = s->dominant_set ? find(s, s->dominant) : NULL;
    for (unsigned k = 0; k < s->capacity; k++)
        if (s->speakers[k].used)
            evaluate(&s->speakers[k]);
    if (!dom) {
        /* Nobody dominant (start, or the dominant one left): the most active participant
         * is nominated, and the others compete with it from the next decision on. */
        for (unsigned k = 0; k < s->capacity; k++) {
            Speaker *p = &s->speakers[k];
            if (p->used && (!dom || p->score[2] > dom->score[2] ||
                            (p->score[2] == dom->score[2] && p->score[1] > dom->score[1])))
                dom = p;
        }
        if (!dom)
            return false;
        make_dominant(s, dom->id);
        return true;
    }
    Speaker *winner = NULL;
    double best_c2 = C2;
    for (unsigned k = 0; k < s->capacity; k++) {
        Speaker *p = &s->speakers[k];
        if (!p->used || p == dom)
            continue;
        double c1 = log(p->score[0] / dom->score[0]);
        double c2 = log(p->score[1] / dom->score[1]);
        double c3 = log(p->score[2] / dom->score[2]);
        if (c1 > C1 && c2 > C2 && c3 > C3 && c2 > best_c2) {
            best_c2 = c2;
            winner = p;
        }
    }
    if (!winner)
        return false;
    make_dominant(s, winner->id);
    return true;
}

bool bridge_speakers_tick(BridgeSpeakers *s, int64_t now_ms)
{
    if (s->last_idle_ms == INT64_MIN || now_ms - s->last_idle_ms >= BRIDGE_SPEAKER_LEVEL_IDLE_MS) {
        /* A participant without a level for a while (muted, DTX) counts as silent. */
        for (unsigned k = 0; k < s->capacity; k++) {
            Speaker *p = &s->speakers[k];
            if (p->used && now_ms - p->last_level_ms > BRIDGE_SPEAKER_LEVEL_IDLE_MS)
                push_level(p, 0);
        }
        s->last_idle_ms = now_ms;
    }
    if (s->last_decision_ms != INT64_MIN &&
        now_ms - s->last_decision_ms < BRIDGE_SPEAKER_DECISION_MS)
        return false;
    s->last_decision_ms = now_ms;
    return decide(s);
}

static int cmp_level_time(const void *a, const void *b)
{
    const BridgeSpeakerLevel *x = a, *y = b;
    return x->at_ms < y->at_ms ? -1 : x->at_ms > y->at_ms;
}

bool bridge_speakers_advance(BridgeSpeakers *s, BridgeSpeakerLevel *levels, unsigned n,
                             int64_t now_ms)
{
    int64_t from = now_ms;
    if (s->advanced_ms != INT64_MIN && s->advanced_ms < now_ms)
        from = s->advanced_ms > now_ms - BRIDGE_SPEAKER_CATCH_UP_MS
                   ? s->advanced_ms
                   : now_ms - BRIDGE_SPEAKER_CATCH_UP_MS;
    s->advanced_ms = now_ms;
    /* By time: a participant's own levels stay in order (its times never go back). */
    if (n > 1)
        qsort(levels, n, sizeof *levels, cmp_level_time);
    bool changed = false;
    unsigned k = 0;
    for (int64_t t = from + BRIDGE_SPEAKER_STEP_MS < now_ms ? from + BRIDGE_SPEAKER_STEP_MS
                                                            : now_ms;
         ; t = t + BRIDGE_SPEAKER_STEP_MS < now_ms ? t + BRIDGE_SPEAKER_STEP_MS : now_ms) {
        for (; k < n && (levels[k].at_ms <= t || t == now_ms); k++)
            bridge_speakers_level(s, levels[k].id, levels[k].level_dbov,
                                  levels[k].at_ms < t ? levels[k].at_ms : t);
        changed |= bridge_speakers_tick(s, t);
        if (t == now_ms)
            break;
    }
    return changed;
}

bool bridge_speakers_dominant(const BridgeSpeakers *s, uint32_t *id)
{
    if (!s->dominant_set)
        return false;
    *id = s->dominant;
    return true;
}

unsigned bridge_speakers_recent(const BridgeSpeakers *s, uint32_t *out, unsigned cap)
{
    unsigned n = s->n_recent < cap ? s->n_recent : cap;
    memcpy(out, s->recent, n * sizeof *out);
    return n;
}
