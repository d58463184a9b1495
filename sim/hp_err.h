/* hp_err: the one way errors travel in hashpivot.
 *
 * Every failure, from a config typo to an unwritable output file, is recorded
 * by hp_fail() in one format, "FILE:LINE: KEY: message", with the parts that
 * are unknown left out. Functions that can fail take an hp_err * and return
 * non-zero (or NULL); the CLI prints the message once and exits non-zero.
 * Only the first failure is kept: it is the cause, later ones are echoes. */
#ifndef HP_ERR_H
#define HP_ERR_H

#include <stddef.h>

#define HP_ERR_MAX 1024

typedef struct hp_err {
    int set;                 /* non-zero once a failure was recorded */
    char msg[HP_ERR_MAX];    /* "file:line: key: message" */
} hp_err;

/* Records a failure (if none is recorded yet) and returns -1, so callers can
 * write `return hp_fail(...)`. file may be NULL, line <= 0 means unknown,
 * key may be NULL. */
int hp_fail(hp_err *e, const char *file, int line, const char *key,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Clears a recorded failure. */
void hp_err_clear(hp_err *e);

#endif
