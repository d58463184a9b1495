/* config_load: hp_config_load and hp_config_load_text. Reads the file (not
 * through libconfig: see config_text.c), walks its settings against the
 * declarations, applies the --set overrides and checks required keys. */
#include "config_impl.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
        if (v->p->def != NULL && cfg_set_from_text(&d, v, v->p->def, &o, 0))
            cfg_die("bad default %s in the hp_param table: %s", v->p->def, e.msg);
    }
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
    L->inc_name = cfg_strdup(name);
    L->inc_text = cfg_read_file(name, "the included file", &ignored);
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
        hp_value *v = len < KEY_MAX ? cfg_find(L->c, key) : NULL;
        int group = len < KEY_MAX && cfg_is_group(L->c, key);
        /* The `uncertain` group declares input distributions for `hashpivot
         * gsa`, which reads and checks it itself (sim/uncertain.c); a run
         * simulates the values the rest of the config gives. */
        if (prefix[0] == '\0' && strcmp(key, HP_UNCERTAIN_GROUP) == 0 && config_setting_is_group(s))
            continue;
        if (v != NULL) {
            if (cfg_set_from_setting(L, v, s, &o))
                return -1;
        } else if (group && config_setting_is_group(s)) {
            if (walk(L, s, key))
                return -1;
        } else if (group) {
            return hp_fail(L->err, o.file, o.line, key,
                           "expected a group of keys { ... }, got %s", cfg_setting_kind(s));
        } else {
            return cfg_fail_unknown(L, o.file, o.line, key, config_setting_is_group(s));
        }
    }
    return 0;
}

/* libconfig's parse error, in our words where we have better ones. Arrays
 * of the file itself were read as lists (config_text.c), so a mixed array
 * can only be in an @include'd file. */
static int parse_error(loader *L, const config_t *cfg)
{
    const char *file = config_error_file(cfg), *why = config_error_text(cfg);
    int line = config_error_line(cfg);
    if (file == NULL)
        file = L->path;
    if (why != NULL && strcmp(why, "mismatched element type in array") == 0) {
        char name[KEY_MAX];
        const char *text = strcmp(file, L->path) == 0 ? L->text : include_text(L, file);
        int named = text != NULL && cfg_array_name_at(text, line, name, sizeof name);
        return hp_fail(L->err, file, line, named ? name : NULL, "an array of integers and "
                       "floats: write 0.0 for 0 (libconfig arrays hold one type)");
    }
    return hp_fail(L->err, file, line, NULL, "%s", why ? why : "cannot parse");
}

/* Reads (unless its text was given), checks its @includes, parses and
 * walks the config file, if there is one. */
static int load_file(loader *L)
{
    config_t cfg;
    int rc;
    if (L->path == NULL)
        return 0;
    if (L->text == NULL && (L->text = cfg_read_file(L->path, "config file", L->err)) == NULL)
        return -1;
    if (cfg_check_includes(L->path, L->text, 0, L->err) != 0)
        return -1;
    cfg_arrays_to_lists(L->text);
    config_init(&cfg);
    if (!config_read_string(&cfg, L->text)) {
        rc = parse_error(L, &cfg);
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
    char *d = cfg_calloc(n + 1, 1);
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
    hp_value *v = cfg_find(L->c, key);
    const hp_value *parent = v ? cfg_field_parent(L->c, v->p) : NULL;
    int rc = parent ? hp_fail(L->err, SET_FILE, 0, key, "a field of the records %s: set the "
                              "whole list, e.g. --set '%s=({...})'", parent->p->key, parent->p->key)
           : v ? cfg_set_from_text(L, v, val, &o, 1) : cfg_fail_unknown(L, SET_FILE, 0, key, 0);
    free(key);
    free(val);
    return rc;
}

/* Keys declared without a default must have been given. */
static int check_required(loader *L)
{
    for (size_t i = 0; i < L->c->n; i++) {
        const hp_value *v = &L->c->v[i];
        if (v->p->def == NULL && !v->given && cfg_field_parent(L->c, v->p) == NULL)
            return hp_fail(L->err, L->path, 0, v->p->key, "missing required key");
    }
    return 0;
}

/* hp_config_load(), or hp_config_load_text() when text is not NULL. */
static hp_config *load(const hp_param *const *tables, const char *path, const char *text,
                       const char *const *overrides, size_t n_overrides, hp_err *err)
{
    hp_config *c = cfg_new(tables, path);
    loader L = { .c = c, .err = err, .path = path, .text = text != NULL ? cfg_strdup(text) : NULL };
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
