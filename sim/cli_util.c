/* cli_util: pieces shared by the command lines (see cli_util.h). */
#include "cli_util.h"

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
