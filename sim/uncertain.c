/* uncertain: the config's `uncertain` group, read and checked (gsa.h). */
#include "gsa.h"
#include "config.h"
#include "readfile.h"

#include <libconfig.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 128

typedef struct reader {
    const hp_an *a;
    const char *path;
    hp_inputs *out;
    hp_err *err;
} reader;

/* "file:line: key: message" for a setting. */
static int fail_at(reader *r, const config_setting_t *s, const char *key, const char *fmt, const char *arg)
{
    const char *file = config_setting_source_file(s);
    char msg[HP_ERR_MAX + 64];
    snprintf(msg, sizeof msg, fmt, arg);
    return hp_fail(r->err, file ? file : r->path, (int)config_setting_source_line(s), key, "%s", msg);
}

static int number_at(const config_setting_t *list, int i, double *v)
{
    const config_setting_t *e = config_setting_get_elem(list, (unsigned)i);
    int t = e ? config_setting_type(e) : CONFIG_TYPE_NONE;
    if (t == CONFIG_TYPE_FLOAT)
        *v = config_setting_get_float(e);
    else if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64)
        *v = (double)config_setting_get_int64(e);
    else
        return -1;
    return isfinite(*v) ? 0 : -1;
}

/* One entry: key = ("kind", numbers...). */
static int entry(reader *r, const config_setting_t *s, const char *key)
{
    hp_err why = {0};
    const hp_param *p = hp_an_key(r->a, key, HP_UNCERTAIN_GROUP, &why);
    if (p == NULL)
        return fail_at(r, s, key, "%s", strchr(why.msg, ':') ? strchr(why.msg, ':') + 2 : why.msg);
    if (!config_setting_is_list(s) || config_setting_length(s) < 1 ||
        config_setting_type(config_setting_get_elem(s, 0)) != CONFIG_TYPE_STRING)
        return fail_at(r, s, key, "expected a list such as (\"uniform\", low, high)%s", "");
    const char *name = config_setting_get_string(config_setting_get_elem(s, 0));
    hp_input in = {.p = p, .mode = NAN};
    int want;
    if (strcmp(name, "uniform") == 0)
        in.kind = HP_DIST_UNIFORM, want = 2;
    else if (strcmp(name, "loguniform") == 0)
        in.kind = HP_DIST_LOGUNIFORM, want = 2;
    else if (strcmp(name, "triangular") == 0)
        in.kind = HP_DIST_TRIANGULAR, want = 3;
    else
        return fail_at(r, s, key, "unknown distribution \"%s\" (uniform, loguniform, triangular)", name);
    double v[3];
    if (config_setting_length(s) != want + 1)
        return fail_at(r, s, key, want == 2 ? "\"%s\" takes two numbers: low, high"
                                            : "\"%s\" takes three numbers: low, mode, high", name);
    for (int i = 0; i < want; i++)
        if (number_at(s, i + 1, &v[i]) != 0)
            return fail_at(r, s, key, "element %s is not a finite number", i == 0 ? "2" : i == 1 ? "3" : "4");
    in.a = v[0];
    in.b = want == 2 ? v[1] : v[2];
    if (want == 3)
        in.mode = v[1];
    if (!(in.a < in.b))
        return fail_at(r, s, key, "low must be below high%s", "");
    if (want == 3 && !(in.a <= in.mode && in.mode <= in.b))
        return fail_at(r, s, key, "the mode must lie between low and high%s", "");
    if (in.kind == HP_DIST_LOGUNIFORM && !(in.a > 0))
        return fail_at(r, s, key, "loguniform needs low > 0%s", "");
    if (in.a < p->min || in.b > p->max) {
        char range[96];
        snprintf(range, sizeof range, "[%g, %g]", p->min, p->max);
        return fail_at(r, s, key, "the distribution leaves the key's range %s", range);
    }
    hp_input *grown = realloc(r->out->in, (size_t)(r->out->n + 1) * sizeof *grown);
    if (grown == NULL)
        return hp_fail(r->err, NULL, 0, NULL, "out of memory");
    r->out->in = grown;
    r->out->in[r->out->n++] = in;
    return 0;
}

/* Groups mirror the config's; lists are entries. */
static int walk(reader *r, const config_setting_t *g, const char *prefix)
{
    for (int i = 0; i < config_setting_length(g); i++) {
        const config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        char key[KEY_MAX];
        if (snprintf(key, sizeof key, "%s%s%s", prefix, prefix[0] ? "." : "", config_setting_name(s)) >= KEY_MAX)
            return fail_at(r, s, prefix, "key too long%s", "");
        int rc = config_setting_is_group(s) ? walk(r, s, key) : entry(r, s, key);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int hp_uncertain_load(const hp_an *a, const char *path, hp_inputs *out, hp_err *err)
{
    out->n = 0;
    out->in = NULL;
    /* Read here: libconfig would not name a missing file. */
    char *text = hp_read_file(path, "config file", HP_CONFIG_MAX_BYTES, NULL, err);
    if (text == NULL)
        return -1;
    config_t cfg;
    config_init(&cfg);
    reader r = {a, path, out, err};
    int rc = 0;
    if (!config_read_string(&cfg, text)) {
        const char *file = config_error_file(&cfg);
        rc = hp_fail(err, file ? file : path, config_error_line(&cfg), NULL, "%s", config_error_text(&cfg));
    } else {
        const config_setting_t *g = config_lookup(&cfg, HP_UNCERTAIN_GROUP);
        if (g == NULL || !config_setting_is_group(g))
            rc = hp_fail(err, path, 0, HP_UNCERTAIN_GROUP, "gsa needs a group of input distributions, e.g. "
                         "uncertain = { price = { mu = (\"uniform\", 0.0, 0.3); }; };");
        else if ((rc = walk(&r, g, "")) == 0 && out->n == 0)
            rc = hp_fail(err, path, (int)config_setting_source_line(g), HP_UNCERTAIN_GROUP,
                         "declares no input");
    }
    config_destroy(&cfg);
    free(text);
    if (rc != 0)
        hp_uncertain_free(out);
    return rc;
}

void hp_uncertain_free(hp_inputs *in)
{
    free(in->in);
    in->in = NULL;
    in->n = 0;
}

const char *hp_dist_name(hp_dist_kind k)
{
    return k == HP_DIST_UNIFORM ? "uniform" : k == HP_DIST_LOGUNIFORM ? "loguniform" : "triangular";
}

double hp_input_value(const hp_input *in, double u)
{
    double v;
    switch (in->kind) {
    case HP_DIST_LOGUNIFORM:
        v = exp(log(in->a) + u * (log(in->b) - log(in->a)));
        break;
    case HP_DIST_TRIANGULAR: {
        double w = in->b - in->a, fc = (in->mode - in->a) / w;
        v = u < fc ? in->a + sqrt(u * w * (in->mode - in->a))
                   : in->b - sqrt((1 - u) * w * (in->b - in->mode));
        break;
    }
    default:
        v = in->a + u * (in->b - in->a);
    }
    v = fmin(fmax(v, in->a), in->b);          /* rounding never leaves [a, b] */
    return in->p->type == HP_INT ? nearbyint(v) : v;
}
