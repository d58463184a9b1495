/* cli_util: small pieces the command lines of `run` (main.c) and of the
 * analyses (cli_analysis.c) share. */
#ifndef HP_CLI_UTIL_H
#define HP_CLI_UTIL_H

#include <stddef.h>

/* The command line as one string, arguments joined by spaces, for a file's
 * attributes; malloc'ed, NULL when out of memory. */
char *hp_cli_join_args(int argc, char **argv);

/* The default output of a command on `config`: results/<name>.h5, or
 * results/<name>_<suffix>.h5 when suffix is not NULL, <name> the config's
 * base name without ".cfg". Creates results/ if it is missing (a failure
 * shows when the file is created, with its reason). */
void hp_cli_default_output(const char *config, const char *suffix, char *buf, size_t n);

#endif
