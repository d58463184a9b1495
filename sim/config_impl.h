/* config_impl: what the config modules share, and nothing outside them.
 *
 * The config layer is split by job:
 *   config.c          the resolved config: declarations, lookups, getters
 *   config_load.c     reading a file, walking its settings, --set overrides
 *   config_value.c    taking one value: type, range, choice, date, list checks
 *   config_literal.c  re-reading integer literals libconfig 1.5 may have wrapped
 *   config_suggest.c  "did you mean" for unknown keys and choices
 *   config_text.c     the text before libconfig: bounded reads, @include
 *                     checks, arrays read as lists
 *   config_write.c    writing a resolved config back, and the Markdown reference
 *   config_records.c  records (HP_RECORDS): lists of groups with declared fields
 * Only config.h is public. */
#ifndef HP_CONFIG_IMPL_H
#define HP_CONFIG_IMPL_H

#include <libconfig.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define KEY_MAX 128            /* longest dotted key, terminator included */
#define SET_FILE "--set"       /* the "file" named in override errors     */
#define FIELDS_MAX 32          /* most fields a record type declares      */

/* One declared key with its resolved value. */
typedef struct hp_value {
    const hp_param *p;
    char *file;                /* where the value came from; NULL: default */
    int line;                  /* 0 unless it came from a config file     */
    int given;                 /* set by the file or by an override       */
    union { double d; int64_t i; int b; int32_t day; } u;
    char *s;                   /* STRING, CHOICE, DATE: the text          */
    double *list;              /* DOUBLE_LIST: the elements               */
    size_t n;                  /* DOUBLE_LIST elements, or RECORDS records */
    struct hp_value *rec;      /* RECORDS: n x nf field values, record-major */
    size_t nf;                 /* RECORDS: fields per record              */
} hp_value;

struct hp_config {
    char *path;                /* config path, or "<defaults>"            */
    size_t n;
    hp_value *v;               /* table order, for writing                */
    hp_value **sorted;         /* by key, for O(log n) lookups            */
};

/* Where a setting was written: for messages, and for re-reading integer
 * literals that libconfig 1.5 may have wrapped. */
typedef struct origin {
    const char *file;          /* path, @include, "--set", NULL: default  */
    int line;                  /* 0 when not from a file                  */
    const char *text;          /* the text libconfig parsed, or NULL      */
} origin;

/* The state of one hp_config_load call. */
typedef struct loader {
    hp_config *c;
    hp_err *err;
    const char *path;          /* the config file, or NULL                */
    char *text;                /* its contents                            */
    char *inc_name, *inc_text; /* the last @include'd file, read back     */
} loader;

/* ---- config.c ------------------------------------------------------------ */

/* A bug in a table or a getter call (never bad input): message and abort. */
void cfg_die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
void *cfg_calloc(size_t n, size_t size);        /* never NULL */
char *cfg_strdup(const char *s);                /* never NULL */
/* Shortest %g text that reads back as the same double. */
void cfg_fmt_double(char buf[40], double x);
const char *cfg_setting_kind(const config_setting_t *s);  /* "a float", ... */
const char *cfg_type_name(hp_type t);                     /* "double", ... */
int cfg_is_text_type(hp_type t);
hp_value *cfg_find(const hp_config *c, const char *key);  /* NULL: undeclared */
int cfg_is_group(const hp_config *c, const char *group);
size_t cfg_name_len(const char *p);     /* length of a libconfig name at p */
hp_config *cfg_new(const hp_param *const *tables, const char *path);
void cfg_value_clear(hp_value *v);
void cfg_commit(hp_value *v, hp_value *t, const origin *o);
/* The records key a field belongs to ("hpc.contracts" for the field
 * "hpc.contracts.mw"), or NULL when p is an ordinary key. */
const hp_value *cfg_field_parent(const hp_config *c, const hp_param *p);

/* ---- config_suggest.c ---------------------------------------------------- */

/* "unknown key (did you mean price.sigma?)", from the file and --set alike. */
int cfg_fail_unknown(loader *L, const char *file, int line, const char *name, int group);
/* The choice a mistyped word was plausibly meant to be, or NULL. */
const char *cfg_choice_hint(const char *choices, const char *word, char *buf, size_t bufsz);

/* ---- config_literal.c ---------------------------------------------------- */

/* Fails if the integer literal written for s overflowed 32 or 64 bits. */
int cfg_check_int(loader *L, const origin *o, const char *key, const config_setting_t *s,
                  const char *what);

/* ---- config_text.c ------------------------------------------------------- */

/* A whole text file, at most HP_CONFIG_MAX_BYTES and without NUL bytes; NULL
 * with "path: cannot read WHAT: why" in err otherwise. */
char *cfg_read_file(const char *path, const char *what, hp_err *err);
/* Checks every @include of text (written in `file`), and theirs in turn,
 * with cfg_read_file: "file:line: @include "name": why" on the first fault. */
int cfg_check_includes(const char *file, const char *text, int depth, hp_err *err);
/* Rewrites every [ ... ] outside strings and comments as ( ... ), in place. */
void cfg_arrays_to_lists(char *text);
/* The setting name of the innermost array open at the end of `line` of
 * text, into name[n]; 0 if there is none. */
int cfg_array_name_at(const char *text, int line, char *name, size_t n);

/* ---- config_value.c ------------------------------------------------------ */

int cfg_set_from_setting(loader *L, hp_value *v, const config_setting_t *s, const origin *o);
int cfg_set_from_text(loader *L, hp_value *v, const char *text, const origin *o, int bare);
/* Reads a setting as a value of p's type, with every check. */
int cfg_take_setting(loader *L, const origin *o, const hp_param *p, const config_setting_t *s,
                     hp_value *t);

/* ---- config_records.c ---------------------------------------------------- */

/* HP_RECORDS: a list of groups, each a record of p's declared fields. */
int cfg_take_records(loader *L, const origin *o, const hp_param *p, const config_setting_t *s,
                     hp_value *t);
/* "hpc.contracts[2].mw": how messages name field `field` (NULL: the record)
 * of record i (0-based). */
void cfg_field_name(char *buf, size_t size, const char *key, size_t i, const char *field);

#endif
