/* config: parameter declarations, libconfig loading and strict validation.
 *
 * Each parameter is declared once, in an hp_param table beside the model
 * that uses it. The loader takes those tables and a libconfig file, and
 * produces a resolved configuration in which every declared key has a value
 * (from the file, a --set override, or the declared default). Validation,
 * the `hashpivot validate` listing and docs/parameters.md are all generated
 * from the same tables, so they cannot drift apart.
 *
 * Keys are dotted paths of libconfig groups: "price.sigma" is
 *     price = { sigma = 0.55; };
 * Every failure names file, line and key through hp_fail(). */
#ifndef HP_CONFIG_H
#define HP_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "hp_err.h"

typedef enum hp_type {
    HP_DOUBLE,      /* float; an integer literal is accepted for it        */
    HP_INT,         /* 64-bit integer; out-of-range or overflowed rejected   */
    HP_BOOL,        /* true / false                                          */
    HP_STRING,      /* free text (e.g. a CSV path)                           */
    HP_CHOICE,      /* one of the '|'-separated words in `choices`           */
    HP_DATE,        /* "YYYY-MM-DD", a real calendar date                    */
    HP_DOUBLE_LIST, /* [a, b, ...] of floats, 1..HP_LIST_MAX elements        */
    HP_RECORDS      /* ( { field = value; ... }, ... ): 0..HP_LIST_MAX records */
} hp_type;

/* Records: a key of type HP_RECORDS ("hpc.contracts") is a libconfig list
 * of groups, each a record. Its fields are declared in the same tables as
 * ordinary parameters under the list's key ("hpc.contracts.mw",
 * "hpc.contracts.start"), each with its type, unit, default (NULL: every
 * record must give it), range and meaning. A field is not a key of its own:
 * it is read per record with hp_cfg_rec_*(), and messages name it
 * "hpc.contracts[2].mw" (records counted from 1). The records key's default
 * is normally "()" (no records). */

#define HP_LIST_MAX 64

/* The largest config file read (and each file it @includes): a config is a
 * few KiB, and the bound keeps /dev/zero or a wrong file from taking all
 * memory. */
#define HP_CONFIG_MAX_BYTES (1u << 20)
#define HP_CONFIG_MAX_TEXT "1 MiB"

typedef struct hp_param {
    const char *key;      /* dotted path, e.g. "price.sigma"                  */
    hp_type type;
    const char *unit;     /* e.g. "1/yr", "USD/MWh"; "" when dimensionless    */
    const char *def;      /* default in libconfig syntax; NULL: required      */
    double min, max;      /* inclusive range for numbers and list elements    */
    const char *choices;  /* HP_CHOICE only: "gbm|merton"                     */
    const char *doc;      /* one line: meaning, and source of the default     */
} hp_param;

/* A table ends with an entry whose key is NULL. */
#define HP_PARAM_END { NULL, HP_DOUBLE, NULL, NULL, 0, 0, NULL, NULL }

typedef struct hp_config hp_config;

/* A top-level group the loader leaves to `hashpivot gsa` (sim/uncertain.c):
 * uncertain = { price = { mu = ("uniform", 0.05, 0.25); }; }; */
#define HP_UNCERTAIN_GROUP "uncertain"

/* Loads `path` (NULL: no file, defaults only), applies `overrides`
 * ("key=value" strings in libconfig value syntax, applied in order) and
 * validates against `tables` (NULL-terminated array of tables).
 * Returns NULL with `err` set on any failure:
 *   - the file is missing or unreadable, or has a syntax error;
 *   - a key is not declared (with a did-you-mean suggestion);
 *   - a value has the wrong type, is out of range, an integer over 2^31
 *     without an L suffix that libconfig 1.5 silently wrapped, a bad date,
 *     a word not among the choices, a list that is empty or too long;
 *   - a required key is missing. */
hp_config *hp_config_load(const hp_param *const *tables, const char *path,
                          const char *const *overrides, size_t n_overrides,
                          hp_err *err);
/* The same for a config already in memory (the one a results file
 * embeds); `name` stands for the file in messages. */
hp_config *hp_config_load_text(const hp_param *const *tables, const char *name, const char *text,
                               hp_err *err);
void hp_config_free(hp_config *c);

/* Typed getters. The key must be declared with that type (a programming
 * error otherwise: abort with a message). */
double hp_cfg_double(const hp_config *c, const char *key);
int64_t hp_cfg_int(const hp_config *c, const char *key);
int hp_cfg_bool(const hp_config *c, const char *key);
const char *hp_cfg_string(const hp_config *c, const char *key); /* STRING, CHOICE, DATE text */
int32_t hp_cfg_date(const hp_config *c, const char *key);        /* days since 1970-01-01 */
size_t hp_cfg_list(const hp_config *c, const char *key, const double **values);

/* Records (HP_RECORDS): their number, and field `field` of record i
 * (0-based) by its type. */
size_t hp_cfg_records(const hp_config *c, const char *key);
double hp_cfg_rec_double(const hp_config *c, const char *key, size_t i, const char *field);
const char *hp_cfg_rec_string(const hp_config *c, const char *key, size_t i, const char *field);
int32_t hp_cfg_rec_date(const hp_config *c, const char *key, size_t i, const char *field);
/* hp_fail() naming record i's field (its file and line, and the key as
 * "hpc.contracts[2].mw"); field NULL names the record itself. Returns -1. */
int hp_cfg_rec_fail(const hp_config *c, hp_err *err, const char *key, size_t i,
                    const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Where a key's value came from, for messages on cross-field checks. */
const char *hp_cfg_file(const hp_config *c);     /* config path, or "<defaults>" */
int hp_cfg_line(const hp_config *c, const char *key); /* 0 when default/override */

/* hp_fail() naming the file and the line of `key`. Returns -1. */
int hp_cfg_fail(const hp_config *c, hp_err *err, const char *key,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Writes the resolved configuration as a libconfig file that, loaded back,
 * gives the same configuration: every declared key, grouped, with its unit
 * and meaning as a comment. */
void hp_config_write(const hp_config *c, FILE *out);
/* The same text in a malloc'd string (caller frees). */
char *hp_config_text(const hp_config *c);

/* Writes the Markdown parameter reference (docs/parameters.md). */
void hp_params_markdown(const hp_param *const *tables, FILE *out);

#endif
