/* progress: run progress on stderr.
 * On a terminal, a bar redrawn in place; elsewhere (batch logs), one
 * flushed line every few seconds with percentage, paths/s and ETA. */
#ifndef HP_PROGRESS_H
#define HP_PROGRESS_H

#include <stdint.h>
#include <stdio.h>

typedef struct hp_progress {
    FILE *out;             /* NULL: silent */
    int tty;
    uint64_t total;
    double t_start, t_last;
    double interval_s;     /* between log lines when not a terminal */
} hp_progress;

/* Monotonic wall clock in seconds. */
double hp_now(void);

void hp_progress_start(hp_progress *p, uint64_t total, int quiet);
/* Reports `done` of `total` paths; rate-limited. */
void hp_progress_update(hp_progress *p, uint64_t done);
/* Final line with the elapsed time. */
void hp_progress_finish(hp_progress *p, uint64_t done);

#endif
