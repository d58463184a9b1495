/* progress: a terminal bar or periodic log lines (see progress.h). */
#include "progress.h"

#include <time.h>
#include <unistd.h>

/* CLOCK_MONOTONIC: wall time that never jumps with NTP. */
double hp_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Decides between bar and log lines once, from whether stderr is a tty. */
void hp_progress_start(hp_progress *p, uint64_t total, int quiet)
{
    p->out = quiet ? NULL : stderr;
    p->tty = !quiet && isatty(fileno(stderr));
    p->total = total;
    p->t_start = p->t_last = hp_now();
    p->interval_s = p->tty ? 0.2 : 5.0;
}

/* Formats seconds as 1h02m, 3m05s or 12s. */
static void fmt_duration(double s, char *buf, size_t n)
{
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, n, "%ldh%02ldm", t / 3600, (t / 60) % 60);
    else if (t >= 60)
        snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
    else
        snprintf(buf, n, "%lds", t);
}

/* Prints at most every interval_s, so huge runs don't flood a batch log. */
void hp_progress_update(hp_progress *p, uint64_t done)
{
    if (p->out == NULL)
        return;
    double now = hp_now();
    if (now - p->t_last < p->interval_s && done < p->total)
        return;
    p->t_last = now;
    double el = now - p->t_start;
    double rate = el > 0 ? (double)done / el : 0;
    double pct = p->total ? 100.0 * (double)done / (double)p->total : 100.0;
    char eta[32];
    fmt_duration(rate > 0 ? (double)(p->total - done) / rate : 0, eta, sizeof eta);
    if (p->tty) {
        int width = 30, fill = (int)(pct / 100 * width);
        fprintf(p->out, "\r[");
        for (int i = 0; i < width; i++)
            fputc(i < fill ? '#' : '.', p->out);
        fprintf(p->out, "] %5.1f%%  %.0f paths/s  ETA %s   ", pct, rate, eta);
    } else {
        fprintf(p->out, "progress: %5.1f%% (%llu/%llu paths), %.0f paths/s, ETA %s\n", pct,
                (unsigned long long)done, (unsigned long long)p->total, rate, eta);
    }
    fflush(p->out);
}

/* Ends the bar's line and reports the elapsed time. */
void hp_progress_finish(hp_progress *p, uint64_t done)
{
    if (p->out == NULL)
        return;
    double el = hp_now() - p->t_start;
    char buf[32];
    fmt_duration(el, buf, sizeof buf);
    fprintf(p->out, "%sdone: %llu paths in %s (%.0f paths/s)\n", p->tty ? "\n" : "",
            (unsigned long long)done, buf, el > 0 ? (double)done / el : 0);
    fflush(p->out);
}
