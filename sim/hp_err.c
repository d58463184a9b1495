/* hp_err: one message format for every failure. See hp_err.h. */
#include "hp_err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Formats "file:line: key: message" into e->msg, keeping the first failure. */
int hp_fail(hp_err *e, const char *file, int line, const char *key,
            const char *fmt, ...)
{
    if (e == NULL || e->set)
        return -1;
    size_t n = 0;
    char *m = e->msg;
    if (file != NULL && file[0] != '\0') {
        if (line > 0)
            n += (size_t)snprintf(m + n, HP_ERR_MAX - n, "%s:%d: ", file, line);
        else
            n += (size_t)snprintf(m + n, HP_ERR_MAX - n, "%s: ", file);
    }
    if (n < HP_ERR_MAX && key != NULL && key[0] != '\0')
        n += (size_t)snprintf(m + n, HP_ERR_MAX - n, "%s: ", key);
    if (n < HP_ERR_MAX) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(m + n, HP_ERR_MAX - n, fmt, ap);
        va_end(ap);
    }
    e->set = 1;
    return -1;
}

/* Forgets a recorded failure. */
void hp_err_clear(hp_err *e)
{
    e->set = 0;
    e->msg[0] = '\0';
}
