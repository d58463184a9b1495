/* config_records: records keys (HP_RECORDS), lists of groups whose fields
 * are declared under the list's key in the same tables (see config.h).
 * Each field of each record goes through the same checks as an ordinary
 * key (config_value.c); messages name it "hpc.contracts[2].mw" with its
 * own file and line. */
#include "config_impl.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* The declared fields of records key p, in table order; their number. */
static size_t record_fields(const hp_config *c, const hp_param *p, const hp_param **fields)
{
    size_t n = 0, len = strlen(p->key);
    for (size_t i = 0; i < c->n; i++) {
        const hp_param *f = c->v[i].p;
        if (strncmp(f->key, p->key, len) == 0 && f->key[len] == '.') {
            if (n == FIELDS_MAX)
                cfg_die("%s declares more than %d fields", p->key, FIELDS_MAX);
            fields[n++] = f;
        }
    }
    return n;
}

void cfg_field_name(char *buf, size_t size, const char *key, size_t i, const char *field)
{
    snprintf(buf, size, "%s[%zu]%s%s", key, i + 1, field ? "." : "", field ? field : "");
}

/* "unknown field (did you mean name?)" among the record's fields. */
static int fail_unknown_field(loader *L, const origin *mo, const char *name, const char *typed,
                              const hp_param **fields, size_t nf, size_t len)
{
    char hint[KEY_MAX], words[FIELDS_MAX * KEY_MAX];
    size_t used = 0;
    words[0] = '\0';
    for (size_t f = 0; f < nf; f++) {       /* "name|mw|start": the closest wins */
        int w = snprintf(words + used, sizeof words - used, "%s%s", f ? "|" : "",
                         fields[f]->key + len + 1);
        if (w > 0 && (size_t)w < sizeof words - used)
            used += (size_t)w;
    }
    if (nf > 0 && cfg_choice_hint(words, typed, hint, sizeof hint) != NULL)
        return hp_fail(L->err, mo->file, mo->line, name, "unknown field (did you mean %s?)", hint);
    return hp_fail(L->err, mo->file, mo->line, name, "unknown field");
}

/* One record: each setting of group e must be a declared field; fields
 * not given take their default (and the record's place, for messages). */
static int take_record(loader *L, const origin *eo, const hp_param *p, const hp_param **fields,
                       size_t nf, size_t i, const config_setting_t *e, hp_value *rec)
{
    size_t len = strlen(p->key);
    char name[KEY_MAX + 32];
    if (!config_setting_is_group(e)) {
        cfg_field_name(name, sizeof name, p->key, i, NULL);
        return hp_fail(L->err, eo->file, eo->line, name,
                       "expected a record { field = value; ... }, got %s", cfg_setting_kind(e));
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
        cfg_field_name(name, sizeof name, p->key, i, mname);
        if (j == nf)
            return fail_unknown_field(L, &mo, name, mname, fields, nf, len);
        hp_param shown = *fields[j];     /* messages name the record's field */
        shown.key = name;
        hp_value t = { .p = &shown };
        if (cfg_take_setting(L, &mo, &shown, m, &t)) {
            cfg_value_clear(&t);
            return -1;
        }
        cfg_commit(&rec[j], &t, &mo);
        rec[j].p = fields[j];
        seen[j] = 1;
    }
    for (size_t j = 0; j < nf; j++) {
        if (seen[j])
            continue;
        cfg_field_name(name, sizeof name, p->key, i, fields[j]->key + len + 1);
        if (fields[j]->def == NULL)
            return hp_fail(L->err, eo->file, eo->line, name, "missing required field");
        origin dflt = { NULL, 0, NULL };
        if (cfg_set_from_text(L, &rec[j], fields[j]->def, &dflt, 0))
            return -1;
        rec[j].file = eo->file ? cfg_strdup(eo->file) : NULL;
        rec[j].line = eo->line;
    }
    return 0;
}

int cfg_take_records(loader *L, const origin *o, const hp_param *p, const config_setting_t *s,
                     hp_value *t)
{
    const hp_param *fields[FIELDS_MAX];
    size_t nf = record_fields(L->c, p, fields);
    int empty_array = config_setting_is_array(s) && config_setting_length(s) == 0;
    if (!config_setting_is_list(s) && !empty_array)
        return hp_fail(L->err, o->file, o->line, p->key,
                       "expected a list of records like ( { ... }, { ... } ), got %s",
                       cfg_setting_kind(s));
    int n = config_setting_length(s);
    if (n > HP_LIST_MAX)
        return hp_fail(L->err, o->file, o->line, p->key, "has %d records; at most %d are allowed",
                       n, HP_LIST_MAX);
    t->n = (size_t)n;
    t->nf = nf;
    t->rec = n > 0 && nf > 0 ? cfg_calloc((size_t)n * nf, sizeof *t->rec) : NULL;
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
