/* config_text: a config file's text before libconfig sees it.
 *
 * libconfig 1.5 has rough edges that only the text can smooth:
 *   - it reads files itself with no bound: /dev/zero or a huge file runs the
 *     process out of memory, so files are read here, at most
 *     HP_CONFIG_MAX_BYTES (sim/readfile.c), a NUL byte is refused and a device
 *     is not read at all;
 *   - an @include of a directory makes its scanner print "input in flex
 *     scanner failed" and exit(2), and a missing one is "cannot open include
 *     file" with no file name: every @include is checked here first, with
 *     the same reader, recursively;
 *   - an array is of one type, so [0, 0.2] is "mismatched element type in
 *     array": in the text we read ourselves (the config file, --set values),
 *     arrays become lists, ( ... ), which take integers and floats alike
 *     (the value checks then treat 0 as 0.0, with the overflow check); in an
 *     included file, which libconfig reads itself, the error is said in our
 *     words with the array's name.
 * A small scanner that knows libconfig's strings and comments serves all
 * three, so a bracket or an @include inside a string or a comment is left
 * alone. */
#include "readfile.h"
#include "config_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INCLUDE_DEPTH 10       /* libconfig 1.5's own limit */

/* If p starts a comment or a string, the end of it (the newline ending a
 * line comment stays); otherwise p itself. */
static const char *skip_comment_or_string(const char *p)
{
    if (*p == '#' || (p[0] == '/' && p[1] == '/'))
        return p + strcspn(p, "\n");
    if (p[0] == '/' && p[1] == '*') {
        const char *e = strstr(p + 2, "*/");
        return e ? e + 2 : p + strlen(p);
    }
    if (*p == '"') {
        for (p++; *p != '\0' && *p != '"'; p++)
            if (*p == '\\' && p[1] != '\0')
                p++;
        return *p ? p + 1 : p;
    }
    return p;
}

/* Lines from text up to p (1-based line of p). */
static int line_of(const char *text, const char *p)
{
    int line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    return line;
}

char *cfg_read_file(const char *path, const char *what, hp_err *err)
{
    return hp_read_file(path, what, HP_CONFIG_MAX_BYTES, NULL, err);
}

/* Reads the name of `@include "name"` at p (just after "@include"); NULL
 * unless it is one. libconfig takes the name verbatim, no escapes. */
static char *include_name(const char *p)
{
    if (*p != ' ' && *p != '\t')
        return NULL;
    p += strspn(p, " \t");
    if (*p != '"')
        return NULL;
    const char *e = strchr(p + 1, '"');
    if (e == NULL || memchr(p + 1, '\n', (size_t)(e - p - 1)) != NULL)
        return NULL;
    char *name = cfg_calloc((size_t)(e - p), 1);
    memcpy(name, p + 1, (size_t)(e - p - 1));
    return name;
}

int cfg_check_includes(const char *file, const char *text, int depth, hp_err *err)
{
    int bol = 1;   /* only blanks since the line began: where libconfig sees @include */
    for (const char *p = text; *p != '\0';) {
        const char *q = skip_comment_or_string(p);
        if (q != p) {
            bol = 0;
            p = q;
            continue;
        }
        if (*p == '\n') {
            bol = 1;
        } else if (bol && *p == '@' && strncmp(p, "@include", 8) == 0) {
            char *name = include_name(p + 8);
            int line = line_of(text, p), rc = 0;
            if (name != NULL && depth >= INCLUDE_DEPTH) {
                rc = hp_fail(err, file, line, NULL, "@include \"%s\": includes nested more than %d "
                             "deep (does a file include itself?)", name, INCLUDE_DEPTH);
            } else if (name != NULL) {
                hp_err why = { 0 };
                char *inc = cfg_read_file(name, "the included file", &why);
                if (inc == NULL)
                    rc = hp_fail(err, file, line, NULL, "@include \"%s\": %s", name,
                                 strstr(why.msg, "cannot read") ? strstr(why.msg, "cannot read")
                                                                : why.msg);
                else
                    rc = cfg_check_includes(name, inc, depth + 1, err);
                free(inc);
            }
            free(name);
            if (rc != 0)
                return rc;
            bol = 0;
        } else if (*p != ' ' && *p != '\t' && *p != '\r') {
            bol = 0;
        }
        p++;
    }
    return 0;
}

void cfg_arrays_to_lists(char *text)
{
    for (char *p = text; *p != '\0';) {
        char *q = (char *)skip_comment_or_string(p);
        if (q != p) {
            p = q;
            continue;
        }
        if (*p == '[')
            *p = '(';
        else if (*p == ']')
            *p = ')';
        p++;
    }
}

int cfg_array_name_at(const char *text, int line, char *name, size_t n)
{
    const char *open[32];       /* the name before the '[' of each open array */
    size_t len[32];
    int depth = 0, cur = 1;
    const char *last = NULL, *found = NULL;   /* last setting name seen; the answer */
    size_t last_len = 0, found_len = 0;
    for (const char *p = text; *p != '\0' && cur <= line;) {
        const char *q = skip_comment_or_string(p);
        if (q != p) {
            cur += line_of(p, q) - 1;
            p = q;
            continue;
        }
        size_t k = cfg_name_len(p);
        if (k > 0) {
            last = p;
            last_len = k;
            p += k;
            continue;
        }
        if (*p == '\n' && ++cur == line && depth > 0 && found == NULL) {
            found = open[depth - 1];          /* open as the faulty line begins */
            found_len = len[depth - 1];
        } else if (*p == '[' && depth < 32) {
            open[depth] = last;
            len[depth++] = last_len;
            if (cur == line && found == NULL) {
                found = last;                 /* or opened on it */
                found_len = last_len;
            }
        } else if (*p == ']' && depth > 0) {
            depth--;
        }
        p++;
    }
    if (found == NULL || found_len >= n)
        return 0;
    memcpy(name, found, found_len);
    name[found_len] = '\0';
    return 1;
}
