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

/* A whole number for -n or -s: digits, or an exact integer in exponent or
 * decimal form (1e4, 2.5e3) up to 2^53, where a double holds every
 * integer. Returns 0 and sets *out; -1 when s is not a whole number, -2
 * when it is too large (over 2^64, or over 2^53 unless in digits). */
int hp_cli_parse_whole(const char *s, unsigned long long *out);

/* The override "key=<v>L" that -n or -s (named opt) with argument arg
 * stands for, written to buf (the L makes libconfig read 64 bits). Returns
 * 0, or -1 with a one-line reason naming opt and arg in why. Every command
 * reads -n and -s through here, so `run` and the analyses accept the same
 * numbers. */
int hp_cli_whole_override(char *buf, size_t n, const char *opt, const char *key,
                          const char *arg, char *why, size_t why_size);

#endif
