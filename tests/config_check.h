/* config_check: helpers of test_config (tests/config_check.c). */
#ifndef HP_CONFIG_CHECK_H
#define HP_CONFIG_CHECK_H

#include <stddef.h>
#include "config.h"

typedef struct tmp {
    char dir[256];
    char path[512];            /* the last file written */
} tmp;

/* Writes text to dir/name and returns the path (valid until the next call). */
const char *put(tmp *t, const char *name, const char *text);
/* Removes the temporary directory and the files in it. */
void cleanup(const tmp *t);

/* Loads a file (or, path NULL, the defaults with `sets`) that must fail;
 * the one-line message must contain every one of the NULL-terminated
 * fragments and must not contain `absent` (if not NULL). */
void expect_fail_sets(const hp_param *const *tabs, const char *path, const char *const *sets,
                      size_t n_sets, const char *absent, const char *const *frags, int line);
/* Does msg start with "path:line: key: " (line 0: "path: key: ")? */
int starts_with_loc(const char *msg, const char *path, int line, const char *key);
/* Loads `text` (one bad line) as a file and checks "path:line: key: ..."
 * plus the fragments of the message. */
void expect_located(const hp_param *const *tables, tmp *t, const char *text, int line,
                    const char *key, const char *const *frags, const char *absent, int at);
/* Loads a file that must be valid (failing the test with its message). */
hp_config *load_ok(const hp_param *const *tabs, const char *path, const char *const *sets,
                   size_t n_sets, int at);
/* Same bits: 0.0 and -0.0 differ, as they should in a round trip. */
int same_bits(double a, double b);
/* Writes c as text, reloads it (from memory and from a file) and checks
 * every value is identical; returns the text (caller frees). */
char *round_trip(tmp *t, const hp_param *const *tabs, const hp_config *c, int at);
/* Lines of s that start with prefix. */
int count_lines(const char *s, const char *prefix);
/* Loads the defaults of tabs in a child: did it die of SIGABRT? */
int aborts(const hp_param *const *tabs);

#define FRAGS(...) ((const char *const[]){__VA_ARGS__, NULL})

#endif
