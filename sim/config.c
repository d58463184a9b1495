/* config: parameter tables, strict libconfig loading, the resolved config.
 *
 * hp_config_load works in four steps (config_load.c). Every declared
 * default is parsed (a bad one is a bug in its table and aborts). The file
 * is walked setting by setting, and anything undeclared is an error. The
 * --set overrides are applied in order. Keys that still have no value must
 * have had a default. Defaults, file values and overrides all go through
 * the same parse and check code (config_value.c), and every failure goes
 * out through hp_fail().
 *
 * This file holds the resolved config itself: the declarations laid out and
 * checked, the sorted index for lookups, the getters. config_impl.h lists
 * the other modules. */
#include "config_impl.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALL_TYPES 0xffu        /* getter mask: any hp_type                */

/* ---- small helpers ------------------------------------------------------ */

/* Misuse of tables or getters is a bug in the program, not in the input:
 * stop loudly at the spot instead of running with a wrong value. */
void cfg_die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("hashpivot: config: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}

/* Allocation cannot fail in a useful way here: treat it as fatal. */
void *cfg_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        cfg_die("out of memory");
    return p;
}

/* strdup that never returns NULL. */
char *cfg_strdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        cfg_die("out of memory");
    return d;
}

/* Shortest %g text that reads back as the same double, so messages and
 * written configs show 0.1 rather than 0.10000000000000001. */
void cfg_fmt_double(char buf[40], double x)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* What a libconfig setting is, in words, for "expected X, got Y". */
const char *cfg_setting_kind(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_GROUP:  return "a group";
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:  return "an integer";
    case CONFIG_TYPE_FLOAT:  return "a float";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL:   return "a boolean";
    case CONFIG_TYPE_ARRAY:  return "an array";
    case CONFIG_TYPE_LIST:   return "a list";
    default:                 return "no value";
    }
}

/* The name of a declared type, for docs and getter aborts. */
const char *cfg_type_name(hp_type t)
{
    switch (t) {
    case HP_DOUBLE:      return "double";
    case HP_INT:         return "int";
    case HP_BOOL:        return "bool";
    case HP_STRING:      return "string";
    case HP_CHOICE:      return "choice";
    case HP_DATE:        return "date";
    case HP_DOUBLE_LIST: return "list of doubles";
    case HP_RECORDS:     return "records";
    }
    return "?";
}

/* STRING, CHOICE and DATE are all held as text. */
int cfg_is_text_type(hp_type t)
{
    return t == HP_STRING || t == HP_CHOICE || t == HP_DATE;
}
/* ---- lookups ------------------------------------------------------------ */

/* qsort order of the lookup index: by key. */
static int value_cmp(const void *a, const void *b)
{
    const hp_value *x = *(const hp_value *const *)a;
    const hp_value *y = *(const hp_value *const *)b;
    return strcmp(x->p->key, y->p->key);
}

/* Binary search of a declared key. */
hp_value *cfg_find(const hp_config *c, const char *key)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = strcmp(key, c->sorted[mid]->p->key);
        if (r == 0)
            return c->sorted[mid];
        if (r < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const hp_value *cfg_field_parent(const hp_config *c, const hp_param *p)
{
    const char *dot = strrchr(p->key, '.');
    char parent[KEY_MAX];
    if (dot == NULL || (size_t)(dot - p->key) >= sizeof parent)
        return NULL;
    memcpy(parent, p->key, (size_t)(dot - p->key));
    parent[dot - p->key] = '\0';
    const hp_value *v = cfg_find(c, parent);
    return v != NULL && v->p->type == HP_RECORDS ? v : NULL;
}

/* Compares key against the prefix "group." only: keys starting with it
 * compare equal, and they are contiguous in strcmp order. */
static int group_cmp(const char *key, const char *group, size_t len)
{
    int r = strncmp(key, group, len);
    if (r != 0)
        return r;
    return (unsigned char)key[len] - (unsigned char)'.';
}

/* Does some declared key live inside `group` (a dotted path)? */
int cfg_is_group(const hp_config *c, const char *group)
{
    size_t len = strlen(group), lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = group_cmp(c->sorted[mid]->p->key, group, len);
        if (r == 0)
            return 1;
        if (r > 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return 0;
}
/* ---- declarations -------------------------------------------------------- */

/* Names libconfig accepts for settings: [A-Za-z*][-A-Za-z0-9_*]*. */
size_t cfg_name_len(const char *p)
{
    size_t n = 0;
    if (!isalpha((unsigned char)p[0]) && p[0] != '*')
        return 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_' || p[n] == '*')
        n++;
    return n;
}

/* A key is dotted libconfig names that fits the lookup buffers. */
static int valid_key(const char *key)
{
    if (strlen(key) >= KEY_MAX)
        return 0;
    for (const char *p = key;; p++) {
        size_t n = cfg_name_len(p);
        if (n == 0)
            return 0;
        p += n;
        if (*p == '\0')
            return 1;
        if (*p != '.')
            return 0;
    }
}

/* Checks one declaration; a malformed table is a bug in its model. */
static void check_param(const hp_param *p)
{
    if (!valid_key(p->key))
        cfg_die("bad key '%s' in an hp_param table", p->key);
    if ((unsigned)p->type > HP_RECORDS)
        cfg_die("%s: unknown hp_type %d", p->key, (int)p->type);
    if (p->type == HP_CHOICE && (p->choices == NULL || p->choices[0] == '\0'))
        cfg_die("%s: HP_CHOICE without choices", p->key);
    if ((p->type == HP_DOUBLE || p->type == HP_INT || p->type == HP_DOUBLE_LIST) &&
        !(p->min <= p->max))
        cfg_die("%s: range [%g, %g] is empty", p->key, p->min, p->max);
}

/* Two declarations of one key, or a key that is also a group of keys,
 * would make files ambiguous. Neighbours in sorted order show both. The
 * one key that has keys below it is a records key: those are its fields,
 * one level down, and not records themselves. */
static void check_sorted(const hp_config *c)
{
    for (size_t i = 0; i + 1 < c->n; i++) {
        const char *a = c->sorted[i]->p->key, *b = c->sorted[i + 1]->p->key;
        size_t len = strlen(a);
        if (strcmp(a, b) == 0)
            cfg_die("%s is declared twice", a);
        if (strncmp(a, b, len) == 0 && b[len] == '.' && c->sorted[i]->p->type != HP_RECORDS)
            cfg_die("%s is declared both as a key and as a group (%s)", a, b);
    }
    for (size_t i = 0; i < c->n; i++) {
        const hp_param *p = c->v[i].p;
        const char *dot = strrchr(p->key, '.');
        if (p->type == HP_RECORDS && cfg_field_parent(c, p) != NULL)
            cfg_die("%s: records cannot be fields of records", p->key);
        for (size_t j = 0; dot != NULL && j < c->n; j++) {
            const char *k = c->v[j].p->key;
            size_t len = strlen(k);
            if (c->v[j].p->type == HP_RECORDS && strncmp(p->key, k, len) == 0 &&
                p->key[len] == '.' && p->key + len != dot)
                cfg_die("%s: a field of %s must sit one level below it", p->key, k);
        }
    }
}

/* Lays the declared keys out in table order and sorted by key. */
hp_config *cfg_new(const hp_param *const *tables, const char *path)
{
    hp_config *c = cfg_calloc(1, sizeof *c);
    for (const hp_param *const *t = tables; t && *t; t++)
        for (const hp_param *p = *t; p->key; p++, c->n++)
            check_param(p);
    c->path = cfg_strdup(path ? path : "<defaults>");
    c->v = cfg_calloc(c->n, sizeof *c->v);
    c->sorted = cfg_calloc(c->n, sizeof *c->sorted);
    size_t i = 0;
    for (const hp_param *const *t = tables; t && *t; t++)
        for (const hp_param *p = *t; p->key; p++, i++) {
            c->v[i].p = p;
            c->sorted[i] = &c->v[i];
        }
    qsort(c->sorted, c->n, sizeof *c->sorted, value_cmp);
    check_sorted(c);
    return c;
}

/* Frees what a value owns, keeping its declaration. */
void cfg_value_clear(hp_value *v)
{
    for (size_t i = 0; v->rec != NULL && i < v->n * v->nf; i++)
        cfg_value_clear(&v->rec[i]);
    free(v->file);
    free(v->s);
    free(v->list);
    free(v->rec);
    v->file = v->s = NULL;
    v->list = NULL;
    v->rec = NULL;
    v->n = v->nf = 0;
    v->line = 0;
}

/* Replaces v's value by t, remembering where it came from. */
void cfg_commit(hp_value *v, hp_value *t, const origin *o)
{
    cfg_value_clear(v);
    *v = *t;
    v->file = o->file ? cfg_strdup(o->file) : NULL;
    v->line = o->line;
    v->given = o->file != NULL;
}
void hp_config_free(hp_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        cfg_value_clear(&c->v[i]);
    free(c->v);
    free(c->sorted);
    free(c->path);
    free(c);
}
/* ---- getters --------------------------------------------------------------- */

/* A declared key of one of the types in `mask`, or abort: anything else is
 * a bug in the caller, not something a user can fix. */
static const hp_value *get(const hp_config *c, const char *key, unsigned mask, const char *fn)
{
    const hp_value *v = (c != NULL && key != NULL) ? cfg_find(c, key) : NULL;
    if (v == NULL)
        cfg_die("%s: undeclared key '%s'", fn, key ? key : "(null)");
    if (!(mask & (1u << v->p->type)))
        cfg_die("%s: key '%s' is declared as %s", fn, key, cfg_type_name(v->p->type));
    if (cfg_field_parent(c, v->p) != NULL)
        cfg_die("%s: '%s' is a field of records: use hp_cfg_rec_*()", fn, key);
    return v;
}

double hp_cfg_double(const hp_config *c, const char *key)
{
    return get(c, key, 1u << HP_DOUBLE, __func__)->u.d;
}

int64_t hp_cfg_int(const hp_config *c, const char *key)
{
    return get(c, key, 1u << HP_INT, __func__)->u.i;
}

int hp_cfg_bool(const hp_config *c, const char *key)
{
    return get(c, key, 1u << HP_BOOL, __func__)->u.b;
}

const char *hp_cfg_string(const hp_config *c, const char *key)
{
    return get(c, key, (1u << HP_STRING) | (1u << HP_CHOICE) | (1u << HP_DATE), __func__)->s;
}

int32_t hp_cfg_date(const hp_config *c, const char *key)
{
    return get(c, key, 1u << HP_DATE, __func__)->u.day;
}

size_t hp_cfg_list(const hp_config *c, const char *key, const double **values)
{
    const hp_value *v = get(c, key, 1u << HP_DOUBLE_LIST, __func__);
    if (values != NULL)
        *values = v->list;
    return v->n;
}

size_t hp_cfg_records(const hp_config *c, const char *key)
{
    return get(c, key, 1u << HP_RECORDS, __func__)->n;
}

/* Field `field` of record i of records `key`, of a type in `mask`. */
static const hp_value *rec_field(const hp_config *c, const char *key, size_t i,
                                 const char *field, unsigned mask, const char *fn)
{
    const hp_value *v = get(c, key, 1u << HP_RECORDS, fn);
    size_t len = strlen(key);
    if (i >= v->n)
        cfg_die("%s: %s has %zu records, asked for record %zu", fn, key, v->n, i);
    for (size_t j = 0; j < v->nf; j++) {
        const hp_value *f = &v->rec[i * v->nf + j];
        if (strcmp(f->p->key + len + 1, field) != 0)
            continue;
        if (!(mask & (1u << f->p->type)))
            cfg_die("%s: field '%s' of %s is declared as %s", fn, field, key,
                    cfg_type_name(f->p->type));
        return f;
    }
    cfg_die("%s: %s has no field '%s'", fn, key, field);
}

double hp_cfg_rec_double(const hp_config *c, const char *key, size_t i, const char *field)
{
    return rec_field(c, key, i, field, 1u << HP_DOUBLE, __func__)->u.d;
}

const char *hp_cfg_rec_string(const hp_config *c, const char *key, size_t i, const char *field)
{
    return rec_field(c, key, i, field, (1u << HP_STRING) | (1u << HP_CHOICE) | (1u << HP_DATE),
                     __func__)->s;
}

int32_t hp_cfg_rec_date(const hp_config *c, const char *key, size_t i, const char *field)
{
    return rec_field(c, key, i, field, 1u << HP_DATE, __func__)->u.day;
}

/* Names the record's field, or (field NULL) its first field's place. */
int hp_cfg_rec_fail(const hp_config *c, hp_err *err, const char *key, size_t i,
                    const char *field, const char *fmt, ...)
{
    const hp_value *v = get(c, key, 1u << HP_RECORDS, __func__);
    const hp_value *f = field != NULL ? rec_field(c, key, i, field, ALL_TYPES, __func__) : NULL;
    const hp_value *at = f != NULL ? f : v->nf > 0 ? &v->rec[i * v->nf] : v;
    char name[KEY_MAX + 32], msg[HP_ERR_MAX];
    cfg_field_name(name, sizeof name, key, i, field);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hp_fail(err, at->file ? at->file : c->path, at->line, name, "%s", msg);
}

const char *hp_cfg_file(const hp_config *c)
{
    return c->path;
}

int hp_cfg_line(const hp_config *c, const char *key)
{
    return get(c, key, ALL_TYPES, __func__)->line;
}

/* Names the file the value came from (an @include, or "--set" for an
 * override; the config path for a default) and its line. */
int hp_cfg_fail(const hp_config *c, hp_err *err, const char *key, const char *fmt, ...)
{
    const hp_value *v = get(c, key, ALL_TYPES, __func__);
    char msg[HP_ERR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return hp_fail(err, v->file ? v->file : c->path, v->line, key, "%s", msg);
}
