/* config_value: taking one value, from a libconfig setting or from text
 * (a default or a --set override), with every check of its declared type:
 * number and range, integer, boolean, choice, date, list. */
#include "config_impl.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"

/* Numbers must lie in [min, max]; the message shows value, range, unit. */
static int check_range(loader *L, const origin *o, const hp_param *p, double x,
                       const char *shown, const char *what)
{
    char lo[40], hi[40];
    if (x >= p->min && x <= p->max)
        return 0;
    cfg_fmt_double(lo, p->min);
    cfg_fmt_double(hi, p->max);
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
        if (cfg_check_int(L, o, key, s, what))
            return -1;
        *out = (double)config_setting_get_int64(s);
        return 0;
    default:
        return hp_fail(L->err, o->file, o->line, key, "%sexpected a number, got %s",
                       what, cfg_setting_kind(s));
    }
}

/* HP_DOUBLE: a number within range. */
static int take_double(loader *L, const origin *o, const hp_param *p,
                       const config_setting_t *s, hp_value *t)
{
    char shown[40];
    if (take_number(L, o, p->key, s, &t->u.d, ""))
        return -1;
    cfg_fmt_double(shown, t->u.d);
    return check_range(L, o, p, t->u.d, shown, "");
}

/* A float written for an integer key (n_paths = 1e6): taken when it is a
 * whole number that a double holds exactly (|x| <= 2^53), refused with the
 * reason otherwise. */
static int take_whole_float(loader *L, const origin *o, const hp_param *p, double x,
                            int64_t *out)
{
    char shown[40];
    cfg_fmt_double(shown, x);
    if (!(x == floor(x)))
        return hp_fail(L->err, o->file, o->line, p->key, "expected an integer, got %s", shown);
    if (!(fabs(x) <= 0x1p53))
        return hp_fail(L->err, o->file, o->line, p->key, "%s is too large to be exact as a "
                       "float (over 2^53); write it in digits, with an L suffix", shown);
    *out = (int64_t)x;
    return 0;
}

/* HP_INT: an integer literal within range, or a float that is exactly one. */
static int take_int(loader *L, const origin *o, const hp_param *p,
                    const config_setting_t *s, hp_value *t)
{
    char shown[40];
    int type = config_setting_type(s);
    if (type == CONFIG_TYPE_FLOAT) {
        if (take_whole_float(L, o, p, config_setting_get_float(s), &t->u.i))
            return -1;
    } else if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64) {
        return hp_fail(L->err, o->file, o->line, p->key, "expected an integer, got %s",
                       cfg_setting_kind(s));
    } else if (cfg_check_int(L, o, p->key, s, "")) {
        return -1;
    } else {
        t->u.i = config_setting_get_int64(s);
    }
    snprintf(shown, sizeof shown, "%lld", (long long)t->u.i);
    return check_range(L, o, p, (double)t->u.i, shown, "");
}

/* HP_BOOL: true or false, nothing that merely looks like them. */
static int take_bool(loader *L, const origin *o, const hp_param *p,
                     const config_setting_t *s, hp_value *t)
{
    if (config_setting_type(s) != CONFIG_TYPE_BOOL)
        return hp_fail(L->err, o->file, o->line, p->key, "expected true or false, got %s",
                       cfg_setting_kind(s));
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

/* HP_CHOICE: one of the declared words. */
static int check_choice(loader *L, const origin *o, const hp_param *p, const char *word)
{
    char hint[KEY_MAX];
    if (choice_has(p->choices, word))
        return 0;
    if (cfg_choice_hint(p->choices, word, hint, sizeof hint))
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
    t->s = cfg_strdup(text);
    return 0;
}

/* A text type from a setting: it must be a quoted string. */
static int take_string(loader *L, const origin *o, const hp_param *p,
                       const config_setting_t *s, hp_value *t)
{
    if (config_setting_type(s) != CONFIG_TYPE_STRING)
        return hp_fail(L->err, o->file, o->line, p->key, "expected a quoted string, got %s",
                       cfg_setting_kind(s));
    return take_text(L, o, p, config_setting_get_string(s), t);
}

/* HP_DOUBLE_LIST: a list or array of 1..HP_LIST_MAX numbers, each in range.
 * Element errors name the element's own line. */
static int take_list(loader *L, const origin *o, const hp_param *p,
                     const config_setting_t *s, hp_value *t)
{
    if (!config_setting_is_array(s) && !config_setting_is_list(s))
        return hp_fail(L->err, o->file, o->line, p->key,
                       "expected a list of numbers like [0.1, 0.2], got %s", cfg_setting_kind(s));
    int n = config_setting_length(s);
    if (n == 0)
        return hp_fail(L->err, o->file, o->line, p->key,
                       "expected 1 to %d numbers, got an empty list", HP_LIST_MAX);
    if (n > HP_LIST_MAX)
        return hp_fail(L->err, o->file, o->line, p->key, "has %d elements; at most %d are allowed",
                       n, HP_LIST_MAX);
    t->list = cfg_calloc((size_t)n, sizeof *t->list);
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
        cfg_fmt_double(shown, t->list[i]);
        if (check_range(L, &eo, p, t->list[i], shown, what))
            return -1;
    }
    return 0;
}

/* Reads a libconfig setting as a value of p's type, with every check. */
int cfg_take_setting(loader *L, const origin *o, const hp_param *p,
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
    case HP_RECORDS:     return cfg_take_records(L, o, p, s, t);
    }
    return -1;
}

/* Sets v from a file setting; nothing changes on failure. */
int cfg_set_from_setting(loader *L, hp_value *v, const config_setting_t *s, const origin *o)
{
    hp_value t = { .p = v->p };
    if (cfg_take_setting(L, o, v->p, s, &t)) {
        cfg_value_clear(&t);
        return -1;
    }
    cfg_commit(v, &t, o);
    return 0;
}

/* Parses text as a libconfig value by reading "v = TEXT;": the one path
 * for defaults and --set values. NULL unless it is exactly one value. */
static const config_setting_t *parse_value(config_t *cfg, const char *text, char **buf)
{
    size_t n = strlen(text) + 8;
    *buf = cfg_calloc(n, 1);
    snprintf(*buf, n, "v = %s;\n", text);
    cfg_arrays_to_lists(*buf);     /* [0, 0.2] as a config file reads it */
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
int cfg_set_from_text(loader *L, hp_value *v, const char *text, const origin *o, int bare)
{
    hp_value t = { .p = v->p };
    int rc;
    if (bare && cfg_is_text_type(v->p->type) && text[0] != '"') {
        rc = take_text(L, o, v->p, text, &t);
    } else {
        config_t cfg;
        char *buf;
        const config_setting_t *s = parse_value(&cfg, text, &buf);
        origin po = { o->file, o->line, buf };
        const char *why = config_error_text(&cfg);
        rc = s ? cfg_take_setting(L, &po, v->p, s, &t)
               : hp_fail(L->err, o->file, o->line, v->p->key, "cannot parse value '%s'%s%s", text,
                         why ? ": " : "", why ? why : "");
        config_destroy(&cfg);
        free(buf);
    }
    if (rc) {
        cfg_value_clear(&t);
        return -1;
    }
    cfg_commit(v, &t, o);
    return 0;
}
