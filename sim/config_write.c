/* config_write: a resolved config written back as a libconfig file that
 * loads to the same values, and the Markdown parameter reference. */
#include "config_impl.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    cfg_fmt_double(buf, x);
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
            fprintf(out, " %s = ", strrchr(f->p->key, '.') + 1);
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
        if (strncmp(key, prefix, plen) != 0 || cfg_field_parent(c, c->v[i].p) != NULL)
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
        cfg_die("out of memory");
    hp_config_write(c, f);
    if (fclose(f) != 0)
        cfg_die("out of memory");
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
    cfg_fmt_double(lo, p->min);
    cfg_fmt_double(hi, p->max);
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
        fprintf(out, "| `%s[].%s` | %s field | ", records, p->key + rl + 1, cfg_type_name(p->type));
    else
        fprintf(out, "| `%s` | %s | ", p->key, cfg_type_name(p->type));
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

