/* cli_util: pieces shared by the command lines (see cli_util.h). */
#include "cli_util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *hp_cli_join_args(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *s = malloc(len);
    if (s == NULL)
        return NULL;
    s[0] = '\0';
    for (int i = 0; i < argc; i++) {
        if (i)
            strcat(s, " ");
        strcat(s, argv[i]);
    }
    return s;
}

void hp_cli_default_output(const char *config, const char *suffix, char *buf, size_t n)
{
    const char *base = strrchr(config, '/');
    base = base ? base + 1 : config;
    size_t len = strlen(base);
    if (len > 4 && strcmp(base + len - 4, ".cfg") == 0)
        len -= 4;
    mkdir("results", 0777);
    snprintf(buf, n, "results/%.*s%s%s.h5", (int)len, base, suffix != NULL ? "_" : "",
             suffix != NULL ? suffix : "");
}

int hp_cli_parse_whole(const char *s, unsigned long long *out)
{
    char *end;
    if (s[0] == '\0' || s[0] == '-' || s[0] == '+' || isspace((unsigned char)s[0]))
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == '\0' && errno == 0) {
        *out = v;
        return 0;
    }
    if (errno == ERANGE)
        return -2;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0' || errno != 0 || !(x >= 0) || x != floor(x))
        return -1;
    if (!(x <= 0x1p53))
        return -2;
    *out = (unsigned long long)x;
    return 0;
}

int hp_cli_whole_override(char *buf, size_t n, const char *opt, const char *key,
                          const char *arg, char *why, size_t why_size)
{
    unsigned long long v;
    int bad = hp_cli_parse_whole(arg, &v);
    if (bad == -2) {
        snprintf(why, why_size, "%s: '%s' is too large: write it in digits, below 2^64 "
                 "(and within the key's range)", opt, arg);
        return -1;
    }
    if (bad != 0) {
        snprintf(why, why_size, "%s: '%s' is not a whole number: write digits or an exact "
                 "one such as 1e4", opt, arg);
        return -1;
    }
    snprintf(buf, n, "%s=%lluL", key, v);
    return 0;
}
