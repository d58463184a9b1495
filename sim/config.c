/* config: parameter tables, strict libconfig loading, the resolved config.
 *
 * hp_config_load works in four steps. Every declared default is parsed (a
 * bad one is a bug in its table and aborts). The file is walked setting by
 * setting, and anything undeclared is an error. The --set overrides are
 * applied in order. Keys that still have no value must have had a default.
 * Defaults, file values and overrides all go through the same parse and
 * check code, and every failure goes out through hp_fail(). */
#include "config.h"
#include "date.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define KEY_MAX 128            /* longest dotted key, terminator included */
#define SET_FILE "--set"       /* the "file" named in override errors     */
#define ALL_TYPES 0xffu        /* getter mask: any hp_type                */
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

/* ---- small helpers ------------------------------------------------------ */

/* Misuse of tables or getters is a bug in the program, not in the input:
 * stop loudly at the spot instead of running with a wrong value. */
static void die(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void die(const char *fmt, ...)
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
static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        die("out of memory");
    return p;
}

/* strdup that never returns NULL. */
static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        die("out of memory");
    return d;
}

/* Shortest %g text that reads back as the same double, so messages and
 * written configs show 0.1 rather than 0.10000000000000001. */
static void fmt_double(char buf[40], double x)
{
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, 40, "%.*g", prec, x);
        if (strtod(buf, NULL) == x)
            return;
    }
}

/* What a libconfig setting is, in words, for "expected X, got Y". */
static const char *setting_kind(const config_setting_t *s)
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
static const char *type_name(hp_type t)
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
static int is_text_type(hp_type t)
{
    return t == HP_STRING || t == HP_CHOICE || t == HP_DATE;
}

/* ---- lookups and suggestions -------------------------------------------- */

/* qsort order of the lookup index: by key. */
static int value_cmp(const void *a, const void *b)
{
    const hp_value *x = *(const hp_value *const *)a;
    const hp_value *y = *(const hp_value *const *)b;
    return strcmp(x->p->key, y->p->key);
}

/* Binary search of a declared key. */
static hp_value *find(const hp_config *c, const char *key)
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

/* The records key a field belongs to ("hpc.contracts" for the field
 * "hpc.contracts.mw"), or NULL when p is an ordinary key. */
static const hp_value *field_parent(const hp_config *c, const hp_param *p)
{
    const char *dot = strrchr(p->key, '.');
    char parent[KEY_MAX];
    if (dot == NULL || (size_t)(dot - p->key) >= sizeof parent)
        return NULL;
    memcpy(parent, p->key, (size_t)(dot - p->key));
    parent[dot - p->key] = '\0';
    const hp_value *v = find(c, parent);
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
static int is_group(const hp_config *c, const char *group)
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

/* Edit distance counting a swap of neighbours as one edit (optimal string
 * alignment): "sigam" is one slip away from "sigma". */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    size_t rows[3][KEY_MAX + 1];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    if (n >= KEY_MAX || m >= KEY_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < d)
                d = pp[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

/* A typo is at most max(2, len/3) edits, len being the word typed. */
static size_t typo_limit(const char *word)
{
    size_t limit = strlen(word) / 3;
    return limit < 2 ? 2 : limit;
}

/* Keeps cand[0..len) in buf if it is the closest candidate so far. */
static void consider(const char *name, const char *cand, size_t len,
                     size_t limit, size_t *best, char *buf, size_t bufsz)
{
    size_t d = edit_distance(name, strlen(name), cand, len);
    if (d <= limit && d < *best && len < bufsz) {
        *best = d;
        memcpy(buf, cand, len);
        buf[len] = '\0';
    }
}

/* The declared key (or group path, when `group`) closest to an unknown
 * name, if it is plausibly a typo of it; NULL otherwise. The limit is set by
 * the last part of the name, the word the user actually typed. */
static const char *suggest(const hp_config *c, const char *name, int group,
                           char *buf, size_t bufsz)
{
    const char *leaf = strrchr(name, '.');
    size_t limit = typo_limit(leaf ? leaf + 1 : name), best = SIZE_MAX;
    buf[0] = '\0';
    for (size_t i = 0; i < c->n; i++) {
        const char *key = c->v[i].p->key;
        if (!group) {
            consider(name, key, strlen(key), limit, &best, buf, bufsz);
            continue;
        }
        for (const char *dot = strchr(key, '.'); dot; dot = strchr(dot + 1, '.'))
            consider(name, key, (size_t)(dot - key), limit, &best, buf, bufsz);
    }
    return buf[0] ? buf : NULL;
}

/* "unknown key (did you mean price.sigma?)": the one message for names
 * that are not declared, from the file and from --set alike. */
static int fail_unknown(loader *L, const char *file, int line, const char *name,
                        int group)
{
    char hint[KEY_MAX];
    const char *what = group ? "unknown group" : "unknown key";
    if (suggest(L->c, name, group, hint, sizeof hint))
        return hp_fail(L->err, file, line, name, "%s (did you mean %s?)", what, hint);
    return hp_fail(L->err, file, line, name, "%s", what);
}

/* ---- declarations -------------------------------------------------------- */

/* Names libconfig accepts for settings: [A-Za-z*][-A-Za-z0-9_*]*. */
static size_t name_len(const char *p)
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
        size_t n = name_len(p);
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
        die("bad key '%s' in an hp_param table", p->key);
    if ((unsigned)p->type > HP_RECORDS)
        die("%s: unknown hp_type %d", p->key, (int)p->type);
    if (p->type == HP_CHOICE && (p->choices == NULL || p->choices[0] == '\0'))
        die("%s: HP_CHOICE without choices", p->key);
    if ((p->type == HP_DOUBLE || p->type == HP_INT || p->type == HP_DOUBLE_LIST) &&
        !(p->min <= p->max))
        die("%s: range [%g, %g] is empty", p->key, p->min, p->max);
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
            die("%s is declared twice", a);
        if (strncmp(a, b, len) == 0 && b[len] == '.' && c->sorted[i]->p->type != HP_RECORDS)
            die("%s is declared both as a key and as a group (%s)", a, b);
    }
    for (size_t i = 0; i < c->n; i++) {
        const hp_param *p = c->v[i].p;
        const char *dot = strrchr(p->key, '.');
        if (p->type == HP_RECORDS && field_parent(c, p) != NULL)
            die("%s: records cannot be fields of records", p->key);
        for (size_t j = 0; dot != NULL && j < c->n; j++) {
            const char *k = c->v[j].p->key;
            size_t len = strlen(k);
            if (c->v[j].p->type == HP_RECORDS && strncmp(p->key, k, len) == 0 &&
                p->key[len] == '.' && p->key + len != dot)
                die("%s: a field of %s must sit one level below it", p->key, k);
        }
    }
}

/* Lays the declared keys out in table order and sorted by key. */
static hp_config *config_new(const hp_param *const *tables, const char *path)
{
    hp_config *c = xcalloc(1, sizeof *c);
    for (const hp_param *const *t = tables; t && *t; t++)
        for (const hp_param *p = *t; p->key; p++, c->n++)
            check_param(p);
    c->path = xstrdup(path ? path : "<defaults>");
    c->v = xcalloc(c->n, sizeof *c->v);
    c->sorted = xcalloc(c->n, sizeof *c->sorted);
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
static void value_clear(hp_value *v)
{
    for (size_t i = 0; v->rec != NULL && i < v->n * v->nf; i++)
        value_clear(&v->rec[i]);
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
static void commit(hp_value *v, hp_value *t, const origin *o)
{
    value_clear(v);
    *v = *t;
    v->file = o->file ? xstrdup(o->file) : NULL;
    v->line = o->line;
    v->given = o->file != NULL;
}

/* ---- re-reading integer literals ---------------------------------------- */

/* Skips blanks and libconfig comments (#, //, C style). */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (*p != '\0' && isspace((unsigned char)*p))
            p++;
        if (*p == '#' || (p[0] == '/' && p[1] == '/')) {
            while (*p != '\0' && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* Skips one quoted string, escapes included. */
static const char *skip_string(const char *p)
{
    for (p++; *p != '\0' && *p != '"'; p++)
        if (*p == '\\' && p[1] != '\0')
            p++;
    return *p ? p + 1 : p;
}

/* Skips one list element: a string, a bracketed aggregate or a scalar. */
static const char *skip_elem(const char *p)
{
    int depth = 0;
    while (*p != '\0') {
        if (*p == '"') {
            p = skip_string(p);
            continue;
        }
        if (*p == '[' || *p == '(' || *p == '{') {
            depth++;
        } else if (*p == ']' || *p == ')' || *p == '}') {
            if (depth-- == 0)
                return p;
        } else if (depth == 0 && (*p == ',' || *p == ';' || *p == '#' || *p == '/' ||
                                  isspace((unsigned char)*p))) {
            return p;
        }
        p++;
    }
    return p;
}

/* After a setting's name: the start of its value, or of element idx. */
static const char *value_at(const char *p, int idx)
{
    p = skip_blank(p);
    if (*p != '=' && *p != ':')
        return NULL;
    p = skip_blank(p + 1);
    if (idx < 0)
        return p;
    if (*p != '[' && *p != '(')
        return NULL;
    p = skip_blank(p + 1);
    for (int k = 0; k < idx; k++) {
        p = skip_blank(skip_elem(p));
        if (*p != ',')
            return NULL;
        p = skip_blank(p + 1);
    }
    return p;
}

/* Length of an integer literal: [-+]digits or 0xhex, L suffix excluded. */
static size_t int_token(const char *p)
{
    size_t n = (*p == '-' || *p == '+');
    if (p[n] == '0' && (p[n + 1] == 'x' || p[n + 1] == 'X')) {
        size_t start = n += 2;
        while (isxdigit((unsigned char)p[n]))
            n++;
        return n > start ? n : 0;
    }
    size_t start = n;
    while (isdigit((unsigned char)p[n]))
        n++;
    return n > start ? n : 0;
}

/* The literal written for one setting, as libconfig 1.5 read it. */
typedef struct literal {
    char text[64];             /* as written, without the L suffix */
    long long value;           /* its value, saturated on overflow */
    int overflow64;            /* the text does not fit 64 bits    */
} literal;

/* Reads the integer literal at v into lit; true if libconfig's value
 * (`parsed`, a 32-bit int unless is64) can have come from it. libconfig
 * 1.5 reads decimals with atoi and hex with strtoul, both cut to 32 bits. */
static int literal_matches(const char *v, long long parsed, int is64, literal *lit)
{
    size_t n = int_token(v);
    if (n == 0 || n >= sizeof lit->text)
        return 0;
    memcpy(lit->text, v, n);
    lit->text[n] = '\0';
    const char *digits = lit->text + (v[0] == '-' || v[0] == '+');
    int base = (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) ? 16 : 10;
    errno = 0;
    lit->value = strtoll(lit->text, NULL, base);
    lit->overflow64 = errno == ERANGE;
    if (is64)
        return lit->value == parsed;
    return (int32_t)(uint32_t)(unsigned long long)lit->value == parsed;
}

/* Finds, among the "name = ..." written on `line`, the integer literal that
 * gave libconfig's value. Several may share a line ("a = {x = 1;}; b = {x =
 * 2;};"): the one whose value wraps to what libconfig kept is the one. */
static int find_literal(const char *text, int line, const char *name, int idx,
                        long long parsed, int is64, literal *lit)
{
    const char *p = text;
    size_t len = strlen(name);
    for (int l = 1; l < line; l++) {
        p = strchr(p, '\n');
        if (p == NULL)
            return 0;
        p++;
    }
    while (*p != '\0' && *p != '\n') {
        if (*p == '#' || (p[0] == '/' && p[1] == '/'))
            return 0;
        if (p[0] == '/' && p[1] == '*') {
            p = skip_blank(p);
            continue;
        }
        if (*p == '"') {
            p = skip_string(p);
            continue;
        }
        size_t n = name_len(p);
        if (n == 0) {
            p++;
            continue;
        }
        const char *v = (n == len && memcmp(p, name, n) == 0) ? value_at(p + n, idx) : NULL;
        if (v && literal_matches(v, parsed, is64, lit))
            return 1;
        p += n;
    }
    return 0;
}

/* libconfig 1.5 reads an integer literal without L through atoi, so
 * 3000000000 arrives as -1294967296 with no error. The text still says what
 * was meant: find this setting's literal there and compare. */
static int check_int(loader *L, const origin *o, const char *key, const config_setting_t *s,
                     const char *what)
{
    const config_setting_t *named = config_setting_name(s) ? s : config_setting_parent(s);
    int idx = config_setting_name(s) ? -1 : config_setting_index(s);
    int is64 = config_setting_type(s) == CONFIG_TYPE_INT64;
    literal lit;
    if (o->text == NULL || named == NULL || config_setting_name(named) == NULL ||
        !find_literal(o->text, (int)config_setting_source_line(named),
                      config_setting_name(named), idx, config_setting_get_int64(s), is64, &lit))
        return 0;
    if (lit.overflow64)
        return hp_fail(L->err, o->file, o->line, key, "%sinteger %s overflows 64 bits", what,
                       lit.text);
    if (!is64 && lit.value != config_setting_get_int64(s))
        return hp_fail(L->err, o->file, o->line, key,
                       "%sinteger %s overflows 32 bits; write %sL", what, lit.text, lit.text);
    return 0;
}

/* ---- taking values ------------------------------------------------------- */

/* Numbers must lie in [min, max]; the message shows value, range, unit. */
static int check_range(loader *L, const origin *o, const hp_param *p, double x,
                       const char *shown, const char *what)
{
    char lo[40], hi[40];
    if (x >= p->min && x <= p->max)
        return 0;
    fmt_double(lo, p->min);
    fmt_double(hi, p->max);
    return hp_fail(L->err, o->file, o->line, p->key, "%s%s is out of range [%s, %s]%s%s",
                   what, shown, lo, hi, p->unit && p->unit[0] ? " " : "",
                   p->unit ? p->unit : "");
}

/* A float as it is, or an integer after the overflow check: libconfig 1.5
 * does not convert integers to floats by itself. */
static int take_number(loader *L, const origin *o, const char *key,
                       const config_setting_t *s, double *out, const char *what)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_FLOAT:
        *out = config_setting_get_float(s);
        return 0;
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:
        if (check_int(L, o, key, s, what))
            return -1;
        *out = (double)config_setting_get_int64(s);
        return 0;
    default:
        return hp_fail(L->err, o->file, o->line, key, "%sexpected a number, got %s",
                       what, setting_kind(s));
    }
}

/* HP_DOUBLE: a number within range. */
static int take_double(loader *L, const origin *o, const hp_param *p,
                       const config_setting_t *s, hp_value *t)
{
    char shown[40];
    if (take_number(L, o, p->key, s, &t->u.d, ""))
        return -1;
    fmt_double(shown, t->u.d);
    return check_range(L, o, p, t->u.d, shown, "");
}

/* HP_INT: an integer literal (never a float) within range. */
static int take_int(loader *L, const origin *o, const hp_param *p,
                    const config_setting_t *s, hp_value *t)
{
    char shown[40];
    int type = config_setting_type(s);
    if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
        return hp_fail(L->err, o->file, o->line, p->key, "expected an integer, got %s",
                       setting_kind(s));
    if (check_int(L, o, p->key, s, ""))
        return -1;
    t->u.i = config_setting_get_int64(s);
    snprintf(shown, sizeof shown, "%lld", (long long)t->u.i);
    return check_range(L, o, p, (double)t->u.i, shown, "");
}

/* HP_BOOL: true or false, nothing that merely looks like them. */
static int take_bool(loader *L, const origin *o, const hp_param *p,
                     const config_setting_t *s, hp_value *t)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return hp_fail(L->err, o->file, o->line, p->key, "expected true or false, got %s",
                       setting_kind(s));
    t->u.b = config_setting_get_bool(s) != 0;
    return 0;
}

/* Is word one of the '|'-separated choices? */
static int choice_has(const char *choices, const char *word)
{
    size_t len = strlen(word);
    for (const char *p = choices;; p++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        if (n == len && strncmp(p, word, n) == 0)
            return 1;
        if (bar == NULL)
            return 0;
        p = bar;
    }
}

/* The choice a mistyped word was plausibly meant to be, or NULL. */
static const char *choice_hint(const char *choices, const char *word, char *buf, size_t bufsz)
{
    size_t best = SIZE_MAX, limit = typo_limit(word);
    buf[0] = '\0';
    for (const char *p = choices;; p++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        consider(word, p, n, limit, &best, buf, bufsz);
        if (bar == NULL)
            return buf[0] ? buf : NULL;
        p = bar;
    }
}

/* HP_CHOICE: one of the declared words. */
static int check_choice(loader *L, const origin *o, const hp_param *p, const char *word)
{
    char hint[KEY_MAX];
    if (choice_has(p->choices, word))
        return 0;
    if (choice_hint(p->choices, word, hint, sizeof hint))
        return hp_fail(L->err, o->file, o->line, p->key, "'%s' is not one of %s (did you mean %s?)",
                       word, p->choices, hint);
    return hp_fail(L->err, o->file, o->line, p->key, "'%s' is not one of %s", word, p->choices);
}

/* Digits and dashes where YYYY-MM-DD has them. */
static int date_shaped(const char *s)
{
    static const char shape[] = "dddd-dd-dd";
    for (size_t i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != '-')
            return 0;
    return s[sizeof shape - 1] == '\0';
}

/* HP_DATE: strict YYYY-MM-DD naming a real day. */
static int check_date(loader *L, const origin *o, const hp_param *p, const char *text,
                      int32_t *day)
{
    if (!date_shaped(text))
        return hp_fail(L->err, o->file, o->line, p->key, "'%s' is not a date; write YYYY-MM-DD",
                       text);
    if (hp_date_parse(text, day) != 0)
        return hp_fail(L->err, o->file, o->line, p->key,
                       "'%s' is not a real calendar date (YYYY-MM-DD, years 1900-2200)", text);
    return 0;
}

/* STRING, CHOICE or DATE text, checked and kept. Shared by quoted strings
 * and by the bare words --set accepts. */
static int take_text(loader *L, const origin *o, const hp_param *p, const char *text,
                     hp_value *t)
{
    if (p->type == HP_CHOICE && check_choice(L, o, p, text))
        return -1;
    if (p->type == HP_DATE && check_date(L, o, p, text, &t->u.day))
        return -1;
    t->s = xstrdup(text);
    return 0;
}

/* A text type from a setting: it must be a quoted string. */
static int take_string(loader *L, const origin *o, const hp_param *p,
                       const config_setting_t *s, hp_value *t)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return hp_fail(L->err, o->file, o->line, p->key, "expected a quoted string, got %s",
                       setting_kind(s));
    return take_text(L, o, p, config_setting_get_string(s), t);
}

/* HP_DOUBLE_LIST: a list or array of 1..HP_LIST_MAX numbers, each in range.
 * Element errors name the element's own line. */
static int take_list(loader *L, const origin *o, const hp_param *p,
                     const config_setting_t *s, hp_value *t)
{
    if (!config_setting_is_array(s) && !config_setting_is_list(s))
        return hp_fail(L->err, o->file, o->line, p->key,
                       "expected a list of numbers like [0.1, 0.2], got %s", setting_kind(s));
    int n = config_setting_length(s);
    if (n == 0)
        return hp_fail(L->err, o->file, o->line, p->key,
                       "expected 1 to %d numbers, got an empty list", HP_LIST_MAX);
    if (n > HP_LIST_MAX)
        return hp_fail(L->err, o->file, o->line, p->key, "has %d elements; at most %d are allowed",
                       n, HP_LIST_MAX);
    t->list = xcalloc((size_t)n, sizeof *t->list);
    t->n = (size_t)n;
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        origin eo = *o;
        char what[48], shown[40];
        if (o->line > 0)
            eo.line = (int)config_setting_source_line(e);
        snprintf(what, sizeof what, "element %d of %d: ", i + 1, n);
        if (take_number(L, &eo, p->key, e, &t->list[i], what))
            return -1;
        fmt_double(shown, t->list[i]);
        if (check_range(L, &eo, p, t->list[i], shown, what))
            return -1;
    }
    return 0;
}

static int take_records(loader *L, const origin *o, const hp_param *p,
                        const config_setting_t *s, hp_value *t);

/* Reads a libconfig setting as a value of p's type, with every check. */
static int take_setting(loader *L, const origin *o, const hp_param *p,
                        const config_setting_t *s, hp_value *t)
{
    switch (p->type) {
    case HP_DOUBLE:      return take_double(L, o, p, s, t);
    case HP_INT:         return take_int(L, o, p, s, t);
    case HP_BOOL:        return take_bool(L, o, p, s, t);
    case HP_STRING:
    case HP_CHOICE:
    case HP_DATE:        return take_string(L, o, p, s, t);
    case HP_DOUBLE_LIST: return take_list(L, o, p, s, t);
    case HP_RECORDS:     return take_records(L, o, p, s, t);
    }
    return -1;
}

/* Sets v from a file setting; nothing changes on failure. */
static int set_from_setting(loader *L, hp_value *v, const config_setting_t *s, const origin *o)
{
    hp_value t = { .p = v->p };
    if (take_setting(L, o, v->p, s, &t)) {
        value_clear(&t);
        return -1;
    }
    commit(v, &t, o);
    return 0;
}

/* Parses text as a libconfig value by reading "v = TEXT;": the one path
 * for defaults and --set values. NULL unless it is exactly one value. */
static const config_setting_t *parse_value(config_t *cfg, const char *text, char **buf)
{
    size_t n = strlen(text) + 8;
    *buf = xcalloc(n, 1);
    snprintf(*buf, n, "v = %s;\n", text);
    config_init(cfg);
    if (!config_read_string(cfg, *buf))
        return NULL;
    const config_setting_t *root = config_root_setting(cfg);
    if (config_setting_length(root) != 1)
        return NULL;
    return config_setting_get_member(root, "v");
}

/* Sets v from value text (a default or an override). Text types may be a
 * bare word when `bare` (for --set price.model=gbm): anything not starting
 * with a quote is then taken verbatim. Nothing changes on failure. */
static int set_from_text(loader *L, hp_value *v, const char *text, const origin *o, int bare)
{
    hp_value t = { .p = v->p };
    int rc;
    if (bare && is_text_type(v->p->type) && text[0] != '"') {
        rc = take_text(L, o, v->p, text, &t);
    } else {
        config_t cfg;
        char *buf;
        const config_setting_t *s = parse_value(&cfg, text, &buf);
        origin po = { o->file, o->line, buf };
        const char *why = config_error_text(&cfg);
        rc = s ? take_setting(L, &po, v->p, s, &t)
               : hp_fail(L->err, o->file, o->line, v->p->key, "cannot parse value '%s'%s%s", text,
                         why ? ": " : "", why ? why : "");
        config_destroy(&cfg);
        free(buf);
    }
    if (rc) {
        value_clear(&t);
        return -1;
    }
    commit(v, &t, o);
    return 0;
}

/* ---- records ---------------------------------------------------------------- */

/* The declared fields of records key p, in table order; their number. */
static size_t record_fields(const hp_config *c, const hp_param *p, const hp_param **fields)
{
    size_t n = 0, len = strlen(p->key);
    for (size_t i = 0; i < c->n; i++) {
        const hp_param *f = c->v[i].p;
        if (strncmp(f->key, p->key, len) == 0 && f->key[len] == '.') {
            if (n == FIELDS_MAX)
                die("%s declares more than %d fields", p->key, FIELDS_MAX);
            fields[n++] = f;
        }
    }
    return n;
}

/* "hpc.contracts[2].mw": how messages name a field of record i (0-based). */
static void field_name(char *buf, size_t size, const char *key, size_t i, const char *field)
{
    snprintf(buf, size, "%s[%zu]%s%s", key, i + 1, field ? "." : "", field ? field : "");
}

/* One record: each setting of group e must be a declared field; fields
 * not given take their default (and the record's place, for messages). */
static int take_record(loader *L, const origin *eo, const hp_param *p, const hp_param **fields,
                       size_t nf, size_t i, const config_setting_t *e, hp_value *rec)
{
    size_t len = strlen(p->key);
    char name[KEY_MAX + 32];
    if (!config_setting_is_group(e)) {
        field_name(name, sizeof name, p->key, i, NULL);
        return hp_fail(L->err, eo->file, eo->line, name,
                       "expected a record { field = value; ... }, got %s", setting_kind(e));
    }
    unsigned char seen[FIELDS_MAX] = {0};
    for (size_t j = 0; j < nf; j++)
        rec[j].p = fields[j];
    int nm = config_setting_length(e);
    for (int k = 0; k < nm; k++) {
        const config_setting_t *m = config_setting_get_elem(e, (unsigned)k);
        const char *mname = config_setting_name(m);
        origin mo = *eo;
        if (eo->line > 0)
            mo.line = (int)config_setting_source_line(m);
        size_t j = 0;
        while (j < nf && strcmp(fields[j]->key + len + 1, mname) != 0)
            j++;
        field_name(name, sizeof name, p->key, i, mname);
        if (j == nf) {
            char hint[KEY_MAX];
            size_t best = SIZE_MAX;
            hint[0] = '\0';
            for (size_t f = 0; f < nf; f++)
                consider(mname, fields[f]->key + len + 1, strlen(fields[f]->key + len + 1),
                         typo_limit(mname), &best, hint, sizeof hint);
            if (hint[0])
                return hp_fail(L->err, mo.file, mo.line, name, "unknown field (did you mean %s?)",
                               hint);
            return hp_fail(L->err, mo.file, mo.line, name, "unknown field");
        }
        hp_param shown = *fields[j];     /* messages name the record's field */
        shown.key = name;
        hp_value t = { .p = &shown };
        if (take_setting(L, &mo, &shown, m, &t)) {
            value_clear(&t);
            return -1;
        }
        commit(&rec[j], &t, &mo);
        rec[j].p = fields[j];
        seen[j] = 1;
    }
    for (size_t j = 0; j < nf; j++) {
        if (seen[j])
            continue;
        field_name(name, sizeof name, p->key, i, fields[j]->key + len + 1);
        if (fields[j]->def == NULL)
            return hp_fail(L->err, eo->file, eo->line, name, "missing required field");
        origin dflt = { NULL, 0, NULL };
        if (set_from_text(L, &rec[j], fields[j]->def, &dflt, 0))
            return -1;
        rec[j].file = eo->file ? xstrdup(eo->file) : NULL;
        rec[j].line = eo->line;
    }
    return 0;
}

/* HP_RECORDS: a list of 0..HP_LIST_MAX groups, each a record of the
 * declared fields. Errors name the record's field and its own line. */
static int take_records(loader *L, const origin *o, const hp_param *p,
                        const config_setting_t *s, hp_value *t)
{
    const hp_param *fields[FIELDS_MAX];
    size_t nf = record_fields(L->c, p, fields);
    int empty_array = config_setting_is_array(s) && config_setting_length(s) == 0;
    if (!config_setting_is_list(s) && !empty_array)
        return hp_fail(L->err, o->file, o->line, p->key,
                       "expected a list of records like ( { ... }, { ... } ), got %s",
                       setting_kind(s));
    int n = config_setting_length(s);
    if (n > HP_LIST_MAX)
        return hp_fail(L->err, o->file, o->line, p->key, "has %d records; at most %d are allowed",
                       n, HP_LIST_MAX);
    t->n = (size_t)n;
    t->nf = nf;
    t->rec = n > 0 && nf > 0 ? xcalloc((size_t)n * nf, sizeof *t->rec) : NULL;
    hp_value scratch[FIELDS_MAX];
    for (int i = 0; i < n; i++) {
        const config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        origin eo = *o;
        if (o->line > 0)
            eo.line = (int)config_setting_source_line(e);
        hp_value *rec = t->rec != NULL ? &t->rec[(size_t)i * nf] : scratch;
        if (take_record(L, &eo, p, fields, nf, (size_t)i, e, rec))
            return -1;
    }
    return 0;
}

/* ---- loading -------------------------------------------------------------- */

/* Every declared default, parsed like an override; a bad one is a bug in
 * its table, reported before any input is looked at. */
static void fill_defaults(const loader *L)
{
    hp_err e = { 0 };
    loader d = *L;
    d.err = &e;
    for (size_t i = 0; i < L->c->n; i++) {
        hp_value *v = &L->c->v[i];
        origin o = { NULL, 0, NULL };
        if (v->p->def != NULL && set_from_text(&d, v, v->p->def, &o, 0))
            die("bad default %s in the hp_param table: %s", v->p->def, e.msg);
    }
}

/* Reads a whole file. libconfig 1.5 reports I/O errors with no file name
 * and no errno, and a directory makes its scanner exit the process, so the
 * file is opened and read here and parsed from memory. */
static char *slurp(const char *path, hp_err *err)
{
    struct stat st;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        hp_fail(err, path, 0, NULL, "cannot read config file: %s", strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        hp_fail(err, path, 0, NULL, "cannot read config file: %s", strerror(EISDIR));
        return NULL;
    }
    size_t cap = 4096, n = 0, r;
    char *buf = xcalloc(cap, 1);
    while ((r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap *= 2);
            if (nb == NULL)
                die("out of memory");
            buf = nb;
        }
    }
    int failed = ferror(f), e = errno;
    fclose(f);
    buf[n] = '\0';
    if (failed || strlen(buf) != n) {
        free(buf);
        hp_fail(err, path, 0, NULL, "cannot read config file: %s",
                failed ? strerror(e) : "it contains a NUL byte");
        return NULL;
    }
    return buf;
}

/* The text of an @include'd file, read back for the overflow check (the
 * last one is kept: settings of one include come together). */
static const char *include_text(loader *L, const char *name)
{
    hp_err ignored = { 0 };
    if (L->inc_name && strcmp(L->inc_name, name) == 0)
        return L->inc_text;
    free(L->inc_name);
    free(L->inc_text);
    L->inc_name = xstrdup(name);
    L->inc_text = slurp(name, &ignored);
    return L->inc_text;
}

/* Where a file setting was written. */
static origin setting_origin(loader *L, const config_setting_t *s)
{
    const char *file = config_setting_source_file(s);
    origin o = { file ? file : L->path, (int)config_setting_source_line(s),
                 file ? include_text(L, file) : L->text };
    return o;
}

/* Checks every setting of a group against the declarations, descending
 * into groups that hold declared keys. */
static int walk(loader *L, const config_setting_t *g, const char *prefix)
{
    int n = config_setting_length(g);
    for (int i = 0; i < n; i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        origin o = setting_origin(L, s);
        char key[KEY_MAX];
        int len = snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "." : "",
                           config_setting_name(s));
        hp_value *v = len < KEY_MAX ? find(L->c, key) : NULL;
        int group = len < KEY_MAX && is_group(L->c, key);
        if (v != NULL) {
            if (set_from_setting(L, v, s, &o))
                return -1;
        } else if (group && config_setting_is_group(s)) {
            if (walk(L, s, key))
                return -1;
        } else if (group) {
            return hp_fail(L->err, o.file, o.line, key,
                           "expected a group of keys { ... }, got %s", setting_kind(s));
        } else {
            return fail_unknown(L, o.file, o.line, key, config_setting_is_group(s));
        }
    }
    return 0;
}

/* Reads (unless its text was given), parses and walks the config file, if
 * there is one. */
static int load_file(loader *L)
{
    config_t cfg;
    int rc;
    if (L->path == NULL)
        return 0;
    if (L->text == NULL && (L->text = slurp(L->path, L->err)) == NULL)
        return -1;
    config_init(&cfg);
    if (!config_read_string(&cfg, L->text)) {
        const char *file = config_error_file(&cfg);
        rc = hp_fail(L->err, file ? file : L->path, config_error_line(&cfg), NULL, "%s",
                     config_error_text(&cfg));
    } else {
        rc = walk(L, config_root_setting(&cfg), "");
    }
    config_destroy(&cfg);
    return rc;
}

/* Copies s[0..n) without surrounding blanks into a new string. */
static char *trimmed(const char *s, size_t n)
{
    while (n > 0 && isspace((unsigned char)*s))
        s++, n--;
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        n--;
    char *d = xcalloc(n + 1, 1);
    memcpy(d, s, n);
    return d;
}

/* Applies one "key=value" override with the same checks as the file. */
static int apply_override(loader *L, const char *ov)
{
    const char *eq = strchr(ov, '=');
    if (eq == NULL)
        return hp_fail(L->err, SET_FILE, 0, NULL, "'%s': expected key=value", ov);
    char *key = trimmed(ov, (size_t)(eq - ov));
    char *val = trimmed(eq + 1, strlen(eq + 1));
    origin o = { SET_FILE, 0, NULL };
    hp_value *v = find(L->c, key);
    const hp_value *parent = v ? field_parent(L->c, v->p) : NULL;
    int rc = parent ? hp_fail(L->err, SET_FILE, 0, key, "a field of the records %s: set the "
                              "whole list, e.g. --set '%s=({...})'", parent->p->key, parent->p->key)
           : v ? set_from_text(L, v, val, &o, 1) : fail_unknown(L, SET_FILE, 0, key, 0);
    free(key);
    free(val);
    return rc;
}

/* Keys declared without a default must have been given. */
static int check_required(loader *L)
{
    for (size_t i = 0; i < L->c->n; i++) {
        const hp_value *v = &L->c->v[i];
        if (v->p->def == NULL && !v->given && field_parent(L->c, v->p) == NULL)
            return hp_fail(L->err, L->path, 0, v->p->key, "missing required key");
    }
    return 0;
}

/* hp_config_load(), or hp_config_load_text() when text is not NULL. */
static hp_config *load(const hp_param *const *tables, const char *path, const char *text,
                       const char *const *overrides, size_t n_overrides, hp_err *err)
{
    hp_config *c = config_new(tables, path);
    loader L = { .c = c, .err = err, .path = path, .text = text != NULL ? xstrdup(text) : NULL };
    int rc;
    fill_defaults(&L);
    rc = load_file(&L);
    for (size_t i = 0; rc == 0 && i < n_overrides; i++)
        rc = apply_override(&L, overrides[i]);
    if (rc == 0)
        rc = check_required(&L);
    free(L.text);
    free(L.inc_name);
    free(L.inc_text);
    if (rc != 0) {
        hp_config_free(c);
        return NULL;
    }
    return c;
}

hp_config *hp_config_load(const hp_param *const *tables, const char *path,
                          const char *const *overrides, size_t n_overrides,
                          hp_err *err)
{
    return load(tables, path, NULL, overrides, n_overrides, err);
}

hp_config *hp_config_load_text(const hp_param *const *tables, const char *name, const char *text,
                               hp_err *err)
{
    return load(tables, name, text, NULL, 0, err);
}

void hp_config_free(hp_config *c)
{
    if (c == NULL)
        return;
    for (size_t i = 0; i < c->n; i++)
        value_clear(&c->v[i]);
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
    const hp_value *v = (c != NULL && key != NULL) ? find(c, key) : NULL;
    if (v == NULL)
        die("%s: undeclared key '%s'", fn, key ? key : "(null)");
    if (!(mask & (1u << v->p->type)))
        die("%s: key '%s' is declared as %s", fn, key, type_name(v->p->type));
    if (field_parent(c, v->p) != NULL)
        die("%s: '%s' is a field of records: use hp_cfg_rec_*()", fn, key);
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
        die("%s: %s has %zu records, asked for record %zu", fn, key, v->n, i);
    for (size_t j = 0; j < v->nf; j++) {
        const hp_value *f = &v->rec[i * v->nf + j];
        if (strcmp(f->p->key + len + 1, field) != 0)
            continue;
        if (!(mask & (1u << f->p->type)))
            die("%s: field '%s' of %s is declared as %s", fn, field, key, type_name(f->p->type));
        return f;
    }
    die("%s: %s has no field '%s'", fn, key, field);
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

int hp_cfg_rec_fail(const hp_config *c, hp_err *err, const char *key, size_t i,
                    const char *field, const char *fmt, ...)
{
    const hp_value *v = get(c, key, 1u << HP_RECORDS, __func__);
    const hp_value *f = field != NULL ? rec_field(c, key, i, field, ALL_TYPES, __func__) : NULL;
    const hp_value *at = f != NULL ? f : v->nf > 0 ? &v->rec[i * v->nf] : v;
    char name[KEY_MAX + 32], msg[HP_ERR_MAX];
    field_name(name, sizeof name, key, i, field);
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

/* ---- writing ------------------------------------------------------------------ */

/* A double libconfig reads back as the same float: round-trip digits and
 * always a '.' or an exponent (libconfig 1.5 has no inf literal, but 1e999
 * overflows its atof to inf). */
static void write_double(FILE *out, double x)
{
    char buf[48];
    if (isinf(x)) {
        fputs(x > 0 ? "1e999" : "-1e999", out);
        return;
    }
    fmt_double(buf, x);
    if (strpbrk(buf, ".eEn") == NULL)
        strcat(buf, ".0");
    fputs(buf, out);
}

/* A quoted libconfig string: \" \\ and control characters escaped. */
static void write_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(out, "\\%c", ch);
        else if (ch == '\n')
            fputs("\\n", out);
        else if (ch == '\t')
            fputs("\\t", out);
        else if (ch < 0x20 || ch == 0x7f)
            fprintf(out, "\\x%02x", ch);
        else
            fputc(ch, out);
    }
    fputc('"', out);
}

/* Text on one line: a newline would end a # comment or a table row. */
static void write_flat(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
}

static void write_value(FILE *out, const hp_value *v, int depth);

/* Records, one a line below the key:
 *   contracts = (
 *     { name = "a"; mw = 200.0; },
 *     { name = "b"; mw = 50.0; }
 *   );                                                   */
static void write_records(FILE *out, const hp_value *v, int depth)
{
    fputc('(', out);
    for (size_t i = 0; i < v->n; i++) {
        fprintf(out, "%s\n%*s{", i ? "," : "", 2 * (depth + 1), "");
        for (size_t j = 0; j < v->nf; j++) {
            const hp_value *f = &v->rec[i * v->nf + j];
            const char *dot = strrchr(f->p->key, '.');
            fprintf(out, " %s = ", dot + 1);
            write_value(out, f, depth + 1);
            fputc(';', out);
        }
        fputs(" }", out);
    }
    if (v->n > 0)
        fprintf(out, "\n%*s", 2 * depth, "");
    fputc(')', out);
}

/* The value of one key in libconfig syntax. */
static void write_value(FILE *out, const hp_value *v, int depth)
{
    switch (v->p->type) {
    case HP_DOUBLE:
        write_double(out, v->u.d);
        break;
    case HP_INT:
        fprintf(out, "%lld%s", (long long)v->u.i,
                v->u.i < INT32_MIN || v->u.i > INT32_MAX ? "L" : "");
        break;
    case HP_BOOL:
        fputs(v->u.b ? "true" : "false", out);
        break;
    case HP_STRING:
    case HP_CHOICE:
    case HP_DATE:
        write_string(out, v->s);
        break;
    case HP_DOUBLE_LIST:
        fputc('[', out);
        for (size_t i = 0; i < v->n; i++) {
            fputs(i ? ", " : "", out);
            write_double(out, v->list[i]);
        }
        fputc(']', out);
        break;
    case HP_RECORDS:
        write_records(out, v, depth);
        break;
    }
}

/* "name = value;  # unit — meaning" at the given depth. */
static void write_leaf(FILE *out, const hp_value *v, const char *name, int depth)
{
    fprintf(out, "%*s%s = ", 2 * depth, "", name);
    write_value(out, v, depth);
    fputs(";  # ", out);
    if (v->p->unit && v->p->unit[0]) {
        write_flat(out, v->p->unit);
        fputs(" — ", out);
    }
    write_flat(out, v->p->doc);
    fputc('\n', out);
}

/* Index of the first key (table order) starting with key[0..len). */
static size_t first_with_prefix(const hp_config *c, const char *key, size_t len)
{
    size_t i = 0;
    while (i < c->n && strncmp(c->v[i].p->key, key, len) != 0)
        i++;
    return i;
}

/* Writes the keys under `prefix` (ending in '.', or empty) in table order;
 * a subgroup is written whole where its first key appears, so a group
 * split over several tables still comes out once, as libconfig requires. */
static void write_group(const hp_config *c, FILE *out, const char *prefix, size_t plen, int depth)
{
    for (size_t i = 0; i < c->n; i++) {
        const char *key = c->v[i].p->key;
        if (strncmp(key, prefix, plen) != 0 || field_parent(c, c->v[i].p) != NULL)
            continue;                 /* a record's field is written in its records */
        const char *name = key + plen, *dot = strchr(name, '.');
        if (dot == NULL) {
            write_leaf(out, &c->v[i], name, depth);
            continue;
        }
        size_t glen = (size_t)(dot - key) + 1;
        if (first_with_prefix(c, key, glen) != i)
            continue;
        if (depth == 0 && i > 0)
            fputc('\n', out);
        fprintf(out, "%*s%.*s = {\n", 2 * depth, "", (int)(dot - name), name);
        write_group(c, out, key, glen, depth + 1);
        fprintf(out, "%*s};\n", 2 * depth, "");
    }
}

void hp_config_write(const hp_config *c, FILE *out)
{
    fputs("# hashpivot configuration as resolved: every declared key and its value.\n\n", out);
    write_group(c, out, "", 0, 0);
}

char *hp_config_text(const hp_config *c)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (f == NULL)
        die("out of memory");
    hp_config_write(c, f);
    if (fclose(f) != 0)
        die("out of memory");
    return buf;
}

/* ---- Markdown reference ------------------------------------------------------ */

/* A Markdown table cell: '|' escaped, one line. */
static void md_cell(FILE *out, const char *s)
{
    for (; s && *s; s++) {
        if (*s == '|')
            fputs("\\|", out);
        else
            fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
    }
}

/* The range/choices cell of one declaration. */
static void md_range(FILE *out, const hp_param *p)
{
    char lo[40], hi[40];
    fmt_double(lo, p->min);
    fmt_double(hi, p->max);
    switch (p->type) {
    case HP_DOUBLE:
    case HP_INT:
        fprintf(out, "[%s, %s]", lo, hi);
        break;
    case HP_DOUBLE_LIST:
        fprintf(out, "1 to %d values, each in [%s, %s]", HP_LIST_MAX, lo, hi);
        break;
    case HP_RECORDS:
        fprintf(out, "0 to %d records; fields below", HP_LIST_MAX);
        break;
    case HP_CHOICE:
        md_cell(out, p->choices);
        break;
    case HP_DATE:
        fputs("YYYY-MM-DD", out);
        break;
    case HP_BOOL:
        fputs("true, false", out);
        break;
    case HP_STRING:
        break;
    }
}

/* One table row: key, type, unit, default, range/choices, meaning. A
 * field of records (`records` its key, or NULL) shows as key[].field. */
static void md_row(FILE *out, const hp_param *p, const char *records)
{
    size_t rl = records ? strlen(records) : 0;
    if (records && strncmp(p->key, records, rl) == 0 && p->key[rl] == '.')
        fprintf(out, "| `%s[].%s` | %s field | ", records, p->key + rl + 1, type_name(p->type));
    else
        fprintf(out, "| `%s` | %s | ", p->key, type_name(p->type));
    md_cell(out, p->unit);
    fputs(" | ", out);
    if (p->def) {
        fputc('`', out);
        md_cell(out, p->def);
        fputc('`', out);
    } else {
        fputs("**required**", out);
    }
    fputs(" | ", out);
    md_range(out, p);
    fputs(" | ", out);
    md_cell(out, p->doc);
    fputs(" |\n", out);
}

/* One section per top-level group: consecutive tables of one group (the
 * keys common to the price models, then each model's own) share it. */
void hp_params_markdown(const hp_param *const *tables, FILE *out)
{
    const char *group = NULL;
    int glen = 0;
    for (const hp_param *const *t = tables; t && *t; t++) {
        const hp_param *p = *t;
        if (p->key == NULL)
            continue;
        const char *dot = strchr(p->key, '.');
        int len = dot ? (int)(dot - p->key) : (int)strlen(p->key);
        if (group == NULL || len != glen || strncmp(group, p->key, (size_t)len) != 0) {
            fprintf(out, "%s## %.*s\n\n", group == NULL ? "" : "\n", len, p->key);
            fputs("| key | type | unit | default | range/choices | meaning |\n", out);
            fputs("|---|---|---|---|---|---|\n", out);
        }
        group = p->key;
        glen = len;
        const char *records = NULL;
        for (; p->key; p++) {
            md_row(out, p, records);
            if (p->type == HP_RECORDS)
                records = p->key;
        }
    }
}
