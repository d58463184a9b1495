/* target: parse, bind and evaluate a target statistic (see target.h). */
#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A recursive-descent parser over one string; the first error wins. */
typedef struct parser {
    const char *s, *p;
    const char *what;
    hp_err *err;
} parser;

static int fail_at(parser *ps, const char *expected)
{
    int col = (int)(ps->p - ps->s) + 1;
    if (*ps->p == '\0')
        return hp_fail(ps->err, NULL, 0, ps->what, "'%s': expected %s at the end", ps->s, expected);
    return hp_fail(ps->err, NULL, 0, ps->what, "'%s': expected %s at column %d, found '%c'", ps->s,
                   expected, col, *ps->p);
}

static void skip_ws(parser *ps)
{
    while (isspace((unsigned char)*ps->p))
        ps->p++;
}

/* Consumes the literal lit if it comes next. */
static int accept(parser *ps, const char *lit)
{
    skip_ws(ps);
    size_t n = strlen(lit);
    if (strncmp(ps->p, lit, n) != 0)
        return 0;
    ps->p += n;
    return 1;
}

static int expect(parser *ps, const char *lit)
{
    if (accept(ps, lit))
        return 0;
    char what[16];
    snprintf(what, sizeof what, "'%s'", lit);
    return fail_at(ps, what);
}

/* A finite decimal number (strtod's syntax without hex, inf or nan). */
static int number(parser *ps, double *v)
{
    skip_ws(ps);
    const char *q = ps->p;
    if (*q == '+' || *q == '-')
        q++;
    if (!isdigit((unsigned char)*q) && !(*q == '.' && isdigit((unsigned char)q[1])))
        return fail_at(ps, "a number");
    char *end;
    errno = 0;
    *v = strtod(ps->p, &end);
    if (errno != 0 || !isfinite(*v))
        return fail_at(ps, "a finite number");
    ps->p = end;
    return 0;
}

static int is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '_' || c == '/';
}

/* name "[" number "]" */
static int ref(parser *ps, hp_target_term *t)
{
    skip_ws(ps);
    size_t n = 0;
    while (is_name_char(ps->p[n]))
        n++;
    if (n == 0 || !isalpha((unsigned char)ps->p[0]))
        return fail_at(ps, "a variable such as npv[0.2]");
    if (n >= sizeof t->var) {
        return hp_fail(ps->err, NULL, 0, ps->what, "'%s': variable name too long", ps->s);
    }
    memcpy(t->var, ps->p, n);
    t->var[n] = '\0';
    ps->p += n;
    if (expect(ps, "[") || number(ps, &t->alloc) || expect(ps, "]"))
        return -1;
    return 0;
}

/* One signed term added to t. */
static int term(parser *ps, hp_target *t, double sign)
{
    skip_ws(ps);
    double c = sign;
    int numeric = isdigit((unsigned char)*ps->p) || *ps->p == '.';
    if (numeric) {
        double v;
        if (number(ps, &v))
            return -1;
        if (!accept(ps, "*")) {
            t->constant += sign * v;
            return 0;
        }
        c = sign * v;
    }
    if (t->n_terms >= HP_TARGET_TERMS)
        return hp_fail(ps->err, NULL, 0, ps->what, "'%s': more than %d variables", ps->s, HP_TARGET_TERMS);
    hp_target_term *tt = &t->term[t->n_terms];
    tt->coef = c;
    if (ref(ps, tt))
        return -1;
    t->n_terms++;
    return 0;
}

/* [ "-" ] term { ("+" | "-") term }, each term times `side`. */
static int expr(parser *ps, hp_target *t, double side)
{
    double sign = accept(ps, "-") ? -side : side;
    if (term(ps, t, sign))
        return -1;
    for (;;) {
        if (accept(ps, "+"))
            sign = side;
        else if (accept(ps, "-"))
            sign = -side;
        else
            return 0;
        if (term(ps, t, sign))
            return -1;
    }
}

/* The name of the statistic, as a whole word. */
static int word(parser *ps, const char *w)
{
    skip_ws(ps);
    size_t n = strlen(w);
    if (strncmp(ps->p, w, n) != 0 || is_name_char(ps->p[n]))
        return 0;
    ps->p += n;
    return 1;
}

static int statistic(parser *ps, hp_target *t)
{
    if (word(ps, "mean")) {
        t->kind = HP_STAT_MEAN;
        return expect(ps, "(") || expr(ps, t, 1) || expect(ps, ")") ? -1 : 0;
    }
    if (word(ps, "P")) {
        t->kind = HP_STAT_PROB;
        if (expect(ps, "(") || expr(ps, t, 1))
            return -1;
        if (accept(ps, ">="))
            t->cmp = 2;
        else if (accept(ps, "<="))
            t->cmp = -2;
        else if (accept(ps, ">"))
            t->cmp = 1;
        else if (accept(ps, "<"))
            t->cmp = -1;
        else
            return fail_at(ps, "a comparison (> < >= <=)");
        return expr(ps, t, -1) || expect(ps, ")") ? -1 : 0;
    }
    int q = word(ps, "quantile"), cv = !q && word(ps, "cvar");
    if (q || cv) {
        t->kind = q ? HP_STAT_QUANTILE : HP_STAT_CVAR;
        if (expect(ps, "(") || expr(ps, t, 1) || expect(ps, ",") || number(ps, &t->param))
            return -1;
        if (!(t->param > 0 && t->param < 1))
            return hp_fail(ps->err, NULL, 0, ps->what, "'%s': the %s must be in (0, 1)", ps->s,
                           q ? "quantile level" : "tail probability");
        return expect(ps, ")");
    }
    return fail_at(ps, "mean(...), P(...), quantile(..., p) or cvar(..., alpha)");
}

int hp_target_parse(const char *text, int need_value, const char *what, hp_target *t, hp_err *err)
{
    memset(t, 0, sizeof *t);
    if (strlen(text) >= sizeof t->text)
        return hp_fail(err, NULL, 0, what, "longer than %zu characters", sizeof t->text - 1);
    snprintf(t->text, sizeof t->text, "%s", text);
    parser ps = {t->text, t->text, what, err};
    if (statistic(&ps, t))
        return -1;
    if (t->n_terms == 0)
        return hp_fail(err, NULL, 0, what, "'%s': names no variable (e.g. npv[0.2])", text);
    skip_ws(&ps);
    if (*ps.p == '=') {
        if (need_value == 0)
            return hp_fail(err, NULL, 0, what, "'%s': takes a statistic alone, without '= value'", text);
        ps.p++;
        if (number(&ps, &t->value))
            return -1;
        t->has_value = 1;
    } else if (need_value == 1 && *ps.p == '\0') {
        return hp_fail(err, NULL, 0, what, "'%s': expected '= value' at the end (e.g. mean(...) = 0)", text);
    }
    skip_ws(&ps);
    if (*ps.p != '\0')
        return fail_at(&ps, t->has_value || need_value == 0 ? "the end" : "'=' or the end");
    return 0;
}

/* A variable of shape [allocation, path], by full name or last part. */
static const hp_var *find_var(const hp_layout *l, const char *name, size_t *offset)
{
    size_t off = 0;
    for (int i = 0; i < l->n_vars; i++) {
        const hp_var *v = &l->vars[i];
        const char *slash = strrchr(v->name, '/');
        const char *last = slash ? slash + 1 : v->name;
        if (v->shape == HP_SHAPE_ALLOC_PATH && (strcmp(v->name, name) == 0 || strcmp(last, name) == 0)) {
            *offset = off;
            return v;
        }
        off += hp_var_size(l, v);
    }
    return NULL;
}

int hp_target_bind(hp_target *t, const hp_layout *l, const char *what, hp_err *err)
{
    for (int i = 0; i < t->n_terms; i++) {
        hp_target_term *tt = &t->term[i];
        size_t off;
        if (find_var(l, tt->var, &off) == NULL)
            return hp_fail(err, NULL, 0, what, "'%s': no [allocation, path] variable '%s' "
                           "(e.g. npv, npv_hpc, terminal_value)", t->text, tt->var);
        int a = 0;
        while (a < l->n_alloc && fabs(l->alloc[a] - tt->alloc) > 1e-12)
            a++;
        if (a == l->n_alloc) {
            char list[256] = "";
            for (int k = 0; k < l->n_alloc; k++) {
                size_t len = strlen(list);
                snprintf(list + len, sizeof list - len, "%s%g", k ? ", " : "", l->alloc[k]);
            }
            return hp_fail(err, NULL, 0, what, "'%s': %s[%g]: no allocation %g in the config "
                           "(allocation.fractions: %s)", t->text, tt->var, tt->alloc, tt->alloc, list);
        }
        tt->offset = off + (size_t)a;
    }
    return 0;
}

const char *hp_target_units(const hp_target *t, const hp_layout *l)
{
    size_t off;
    const hp_var *v = t->n_terms > 0 ? find_var(l, t->term[0].var, &off) : NULL;
    if (t->kind == HP_STAT_PROB)
        return "1";
    return v != NULL ? v->units : "";
}

static void reduce_target(const double *result, double *dst, const void *ctx)
{
    const hp_target *t = ctx;
    double x = t->constant;
    for (int i = 0; i < t->n_terms; i++)
        x += t->term[i].coef * result[t->term[i].offset];
    *dst = x;
}

hp_reducer hp_target_reducer(const hp_target *t)
{
    return (hp_reducer){1, reduce_target, t};
}

int hp_target_needs_sample(const hp_target *t)
{
    return t->kind == HP_STAT_QUANTILE || t->kind == HP_STAT_CVAR;
}

/* P's event for one path. */
static int event(const hp_target *t, double x)
{
    return t->cmp == 1 ? x > 0 : t->cmp == 2 ? x >= 0 : t->cmp == -1 ? x < 0 : x <= 0;
}

/* One range of paths: simulated, or revalued from the kept ones. */
static int run_range(const hp_recorded *rec, const hp_model *model, const void *m, uint64_t seed,
                     uint64_t first, uint64_t n, int threads, const hp_reducer *r, double *buf, hp_err *err)
{
    return rec != NULL ? hp_pathrun_recorded(rec, m, first, n, threads, r, buf, err)
                       : hp_pathrun(model, m, seed, first, n, threads, r, buf, err);
}

int hp_target_eval_from(const hp_target *t, const hp_recorded *rec, const hp_model *model, const void *m,
                        uint64_t seed, uint64_t first, uint64_t count, int threads, double *buf, hp_est *out,
                        hp_err *err)
{
    hp_reducer r = hp_target_reducer(t);
    if (hp_target_needs_sample(t)) {
        if (run_range(rec, model, m, seed, first, count, threads, &r, buf, err) != 0)
            return -1;
        *out = hp_target_stat(t, buf, (size_t)count);
        return 0;
    }
    hp_moments mo = {0};
    hp_count c = {0};
    for (uint64_t done = 0; done < count; done += HP_TARGET_CHUNK) {
        uint64_t n = count - done < HP_TARGET_CHUNK ? count - done : HP_TARGET_CHUNK;
        if (run_range(rec, model, m, seed, first + done, n, threads, &r, buf, err) != 0)
            return -1;
        hp_target_fold(t, buf, (size_t)n, &mo, &c);
    }
    *out = hp_target_folded(t, &mo, &c);
    return 0;
}

int hp_target_eval(const hp_target *t, const hp_model *model, const void *m, uint64_t seed, uint64_t first,
                   uint64_t count, int threads, double *buf, hp_est *out, hp_err *err)
{
    return hp_target_eval_from(t, NULL, model, m, seed, first, count, threads, buf, out, err);
}

void hp_target_fold(const hp_target *t, const double *x, size_t n, hp_moments *mo, hp_count *c)
{
    for (size_t i = 0; i < n; i++) {
        if (t->kind == HP_STAT_MEAN)
            hp_moments_add(mo, x[i]);
        else
            hp_count_add(c, event(t, x[i]));
    }
}

hp_est hp_target_folded(const hp_target *t, const hp_moments *mo, const hp_count *c)
{
    return t->kind == HP_STAT_MEAN ? hp_moments_mean(mo) : hp_count_prob(c);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

hp_est hp_target_stat(const hp_target *t, double *x, size_t n)
{
    if (t->kind == HP_STAT_MEAN) {
        hp_moments m = {0};
        for (size_t i = 0; i < n; i++)
            hp_moments_add(&m, x[i]);
        return hp_moments_mean(&m);
    }
    if (t->kind == HP_STAT_PROB) {
        hp_count c = {0};
        for (size_t i = 0; i < n; i++)
            hp_count_add(&c, event(t, x[i]));
        return hp_count_prob(&c);
    }
    qsort(x, n, sizeof *x, cmp_double);
    if (t->kind == HP_STAT_QUANTILE)
        return hp_quantile_est(x, n, t->param);
    hp_est e = hp_tail_mean_est(x, n, t->param);
    return (hp_est){-e.value, e.se, -e.hi, -e.lo};
}

const char *hp_target_stat_text(const hp_target *t, char *buf, size_t len)
{
    snprintf(buf, len, "%s", t->text);
    char *eq = strchr(buf, '=');
    /* The statistic ends at the "=" that is not part of >= or <=. */
    while (eq != NULL && eq > buf && (eq[-1] == '>' || eq[-1] == '<'))
        eq = strchr(eq + 1, '=');
    if (eq != NULL) {
        *eq = '\0';
        while (eq > buf && isspace((unsigned char)eq[-1]))
            *--eq = '\0';
    }
    return buf;
}
