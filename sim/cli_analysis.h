/* cli_analysis: the command lines of `sensitivity`, `solve` and `gsa`.
 *
 *   hashpivot sensitivity CONFIG --vary KEY=LOW:HIGH... [-o FILE] [options]
 *   hashpivot solve CONFIG --vary KEY=LOW:HIGH --target "EXPR" [options]
 *   hashpivot gsa CONFIG [--method morris|sobol|both] [-o FILE] [options]
 *
 * main.c hands the whole argv over (argv[1] is the command). Returns the
 * exit status: 0, 1 on a failure (one line on stderr), 2 on a usage
 * error. */
#ifndef HP_CLI_ANALYSIS_H
#define HP_CLI_ANALYSIS_H

#include "config.h"
#include "model.h"

/* Is `command` one of the analysis commands? */
int hp_cli_is_analysis(const char *command);

/* Runs it; tables: the engine's and the model's parameter tables. */
int hp_cli_analysis(int argc, char **argv, const hp_model *model, const hp_param *const *tables);

/* The usage lines main.c prints in its own usage text. */
extern const char hp_cli_analysis_usage[];

#endif
