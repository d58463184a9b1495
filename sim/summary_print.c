/* summary_print: the summary table `run` prints at the end and `info`
 * prints, every figure over its 95% interval. See summary.h.
 *
 * One block per summary item (the file's `summary_items` attribute), rows
 * = allocations, two lines a row: the estimates, then under each its 95%
 * interval. The NPV item gets a second block, the paired gain over the
 * baseline allocation on the same path, with P(beats baseline). */
#include "summary.h"

#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5util.h"
#include "resfile.h"
#include "stats.h"
#include "summary_int.h"

#define W_VAL 19     /* a money or value column: "[-$4.90B, -$4.71B]" */
#define W_SHARE 16   /* a share column: "[97.1%, 99.7%]"                */
#define READ_VALUES 65536   /* doubles per read (the flexibility line) */

/* Three significant digits with a k/M/B suffix: "$12.3B", "-$450k", "0.12".
 * The rounding to three digits only chooses the suffix and the decimals;
 * the value printed is rounded once, from v itself (rounding 0.305025 to
 * 0.305 and then to two decimals gave 0.30). */
static void fmt_value(char *buf, size_t n, double v, int money)
{
    if (!isfinite(v)) {
        snprintf(buf, n, isnan(v) ? "-" : v < 0 ? "-inf" : "inf");
        return;
    }
    char tmp[32];
    snprintf(tmp, sizeof tmp, "%.3g", fabs(v));
    double a = strtod(tmp, NULL), scale = 1;
    const char *suffix = "";
    if (a >= 1e9) {
        scale = 1e9;
        suffix = "B";
    } else if (a >= 1e6) {
        scale = 1e6;
        suffix = "M";
    } else if (a >= 1e3) {
        scale = 1e3;
        suffix = "k";
    }
    a /= scale;
    int dec = a >= 100 ? 0 : a >= 10 ? 1 : 2;
    char digits[32];
    snprintf(digits, sizeof digits, "%.*f", dec, fabs(v) / scale);
    /* A value that prints as zero has no sign ("0.00", not "-0.00"). */
    int zero = strspn(digits, "0.") == strlen(digits);
    snprintf(buf, n, "%s%s%s%s", v < 0 && !zero ? "-" : "", money ? "$" : "", digits, suffix);
}

/* A share as a percentage, "-" when undefined. */
static void fmt_share(char *buf, size_t n, double p)
{
    if (isnan(p))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f%%", 100.0 * p);
}

/* One cell pair: the estimate and its interval "[lo, hi]" ("" if none). */
static void fmt_est(char *val, char *ci, size_t n, hp_est e, int kind)
{
    char lo[32], hi[32];
    if (kind < 0) {
        fmt_share(val, n, e.value);
        fmt_share(lo, sizeof lo, e.lo);
        fmt_share(hi, sizeof hi, e.hi);
    } else {
        fmt_value(val, n, e.value, kind);
        fmt_value(lo, sizeof lo, e.lo, kind);
        fmt_value(hi, sizeof hi, e.hi, kind);
    }
    if (isnan(e.value))
        snprintf(ci, n, "%s", "");
    else
        snprintf(ci, n, "[%s, %s]", lo, hi);
}

/* The file header: what, how many paths, and whether it is finished. */
static void print_header(hid_t f, const char *path, FILE *out)
{
    char *status = hp_h5_attr_text(f, "status"), *start = hp_h5_attr_text(f, "start_date");
    char *version = hp_h5_attr_text(f, "software_version"), *commit = hp_h5_attr_text(f, "git_commit");
    uint64_t n_paths = 0, seed = 0;
    double horizon = NAN;
    hp_h5_attr_read(f, "n_paths", H5T_NATIVE_UINT64, 1, &n_paths);
    hp_h5_attr_read(f, "seed", H5T_NATIVE_UINT64, 1, &seed);
    hp_h5_attr_read(f, "horizon_years", H5T_NATIVE_DOUBLE, 1, &horizon);
    fprintf(out, "%s: status %s, %" PRIu64 " paths, seed %" PRIu64 ", start %s, horizon %g years"
            " (hashpivot %s, %s)\n", path, status ? status : "?", n_paths, seed,
            start ? start : "?", horizon, version ? version : "?", commit ? commit : "?");
    if (status == NULL || strcmp(status, "complete") != 0)
        fprintf(out, "WARNING: INCOMPLETE results file (status \"%s\"): the run did not finish;"
                " only the paths written are summarised.\n", status ? status : "missing");
    fprintf(out, "Each row: the estimates, then their 95%% intervals beneath (mean and CVaR:"
            " +-1.96 SE; quantiles: order statistics; shares: Wilson).\n");
    if (!hp_tail_has_se(n_paths, HP_SUMMARY_ALPHA))
        fprintf(out, "CVaR at %g%%: fewer than %g paths, so its tail holds no whole path; no SE or"
                " interval (\"-\").\n", 100 * HP_SUMMARY_ALPHA, ceil(1 / HP_SUMMARY_ALPHA));
    uint64_t qmc = 0;
    if (hp_h5_attr_read(f, "qmc_points", H5T_NATIVE_UINT64, 1, &qmc) == 0 && qmc > 0) {
        uint64_t whole = n_paths / qmc;
        fprintf(out, "Sampler sobol: the paths are %" PRIu64 " scrambles of %" PRIu64 " quasi-random points,"
                " not independent. SE of means, CVaR and shares: the spread of the %" PRIu64
                " scrambles' estimates%s%s; intervals +-t SE, t = %.3f (Student, %" PRIu64 " df), shares"
                " not Wilson (but where every scramble has the same share). Quantiles: Woodruff's"
                " interval, the order statistics at p -+ t SE of the scrambles' CDF at the estimate"
                " (distribution-free where that SE is 0).\n",
                whole + (n_paths % qmc != 0), qmc, whole,
                n_paths % qmc != 0 ? " (the last, partial scramble is in the estimates, not in their SE)" : "",
                whole < 2 ? "; fewer than 2 whole scrambles: no SE (\"-\")" : "",
                whole < 2 ? NAN : hp_t975(whole - 1), whole < 2 ? 0 : whole - 1);
    }
    free(status);
    free(start);
    free(version);
    free(commit);
}

/* The units attribute of a dataset; "USD..." prints as money. */
static char *var_units(hid_t f, const char *var)
{
    hid_t ds = H5Dopen2(f, var, H5P_DEFAULT);
    char *u = ds < 0 ? NULL : hp_h5_attr_text(ds, "units");
    if (ds >= 0)
        H5Dclose(ds);
    return u;
}

/* Columns of a block: which statistic, its heading and its kind (money
 * flag, or -1 for a share). */
typedef struct col {
    const char *head;
    size_t off;      /* offset of the hp_est in hp_stats */
    int share;
} col;

#define COL(h, f, s) { h, offsetof(hp_stats, f), s }

static void print_rows(FILE *out, const col *cols, int n_cols, int money,
                       const double *alloc, int n_alloc, const hp_stats *st, int skip)
{
    fprintf(out, "%7s", "alloc");
    for (int c = 0; c < n_cols; c++)
        fprintf(out, " %*s", cols[c].share ? W_SHARE : W_VAL, cols[c].head);
    fputc('\n', out);
    for (int a = 0; a < n_alloc; a++) {
        if (a == skip)
            continue;
        char val[8][80], ci[8][80];
        for (int c = 0; c < n_cols; c++) {
            hp_est e = *(const hp_est *)((const char *)&st[a] + cols[c].off);
            fmt_est(val[c], ci[c], sizeof val[c], e, cols[c].share ? -1 : money);
        }
        fprintf(out, "%6.4g%%", 100.0 * alloc[a]);
        for (int c = 0; c < n_cols; c++)
            fprintf(out, " %*s", cols[c].share ? W_SHARE : W_VAL, val[c]);
        fprintf(out, "\n%7s", "");
        for (int c = 0; c < n_cols; c++)
            fprintf(out, " %*s", cols[c].share ? W_SHARE : W_VAL, ci[c]);
        fputc('\n', out);
    }
}

/* One item: a block over allocations and, for NPV with a baseline, the
 * block of the paired gain. */
static void print_item(FILE *out, const char *label, const char *var, const char *units,
                       const double *alloc, int n_alloc, const hp_stats *st,
                       const hp_stats *gain, int baseline, uint64_t n_paths)
{
    int money = units != NULL && strncmp(units, "USD", 3) == 0;
    int npv = gain != NULL;      /* a paired item: CVaR and the gain block */
    char cvar_head[32], beats_head[48];
    snprintf(cvar_head, sizeof cvar_head, "CVaR %g%%", 100.0 * HP_SUMMARY_ALPHA);
    const col cols[] = { COL("mean", mean, 0), COL("5%", q05, 0), COL("50%", q50, 0),
                         COL("95%", q95, 0), COL(cvar_head, cvar, 0), COL("P(loss)", p_loss, 1) };
    fprintf(out, "\n%s [%s]  (%s)\n", label, units ? units : "?", var);
    if (npv)
        print_rows(out, cols, 6, money, alloc, n_alloc, st, -1);
    else {
        const col plain[] = { cols[0], cols[1], cols[2], cols[3], cols[5] };
        print_rows(out, plain, 5, money, alloc, n_alloc, st, -1);
    }
    if (st[0].n != n_paths)
        fprintf(out, "(%" PRIu64 " of %" PRIu64 " paths written)\n", st[0].n, n_paths);
    if (!npv || baseline < 0 || baseline >= n_alloc)
        return;
    snprintf(beats_head, sizeof beats_head, "P(beats %.4g%%)", 100.0 * alloc[baseline]);
    const col gcols[] = { COL("mean", mean, 0), COL("5%", q05, 0), COL("50%", q50, 0),
                          COL("95%", q95, 0), COL(cvar_head, cvar, 0), COL(beats_head, p_gain, 1) };
    fprintf(out, "\n%s gain over %.4g%%, same path [%s]  (%s[f] - %s[%.4g%%])\n", label,
            100.0 * alloc[baseline], units ? units : "?", var, var, 100.0 * alloc[baseline]);
    print_rows(out, gcols, 6, money, alloc, n_alloc, gain, baseline);
}

/* Splits the next "label|var|scale" or "label|var|scale|paired" line of *p
 * in place; 0 at the end, -1 when malformed. A paired item gets the block
 * of its gain over the baseline allocation, path by path. */
static int next_item(char **p, char **label, char **var, double *scale, int *paired)
{
    while (**p == '\n')
        (*p)++;
    if (**p == '\0')
        return 0;
    char *line = *p, *end = strchr(line, '\n');
    *p = end != NULL ? end + 1 : line + strlen(line);
    if (end != NULL)
        *end = '\0';
    *label = line;
    char *b1 = strchr(line, '|'), *b2 = b1 ? strchr(b1 + 1, '|') : NULL, *rest = NULL;
    if (b2 == NULL)
        return -1;
    *b1 = *b2 = '\0';
    *var = b1 + 1;
    *scale = strtod(b2 + 1, &rest);
    *paired = 0;
    if (rest != b2 + 1 && strcmp(rest, "|paired") == 0) {
        *paired = 1;
        rest += strlen(rest);
    }
    return rest == b2 + 1 || *rest != '\0' ? -1 : 1;
}

/* Reads paths [first, first + n) of a [path] or [allocation, path] dataset. */
static int read_paths_slab(hid_t ds, int rank, hsize_t rows, hsize_t first, hsize_t n, double *buf)
{
    hsize_t start[2] = { 0, first }, count[2] = { rows, n };
    hid_t fs = H5Dget_space(ds);
    hid_t ms = H5Screate_simple(rank, rank == 1 ? count + 1 : count, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, rank == 1 ? start + 1 : start, NULL,
                                    rank == 1 ? count + 1 : count, NULL) >= 0
             && H5Dread(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, buf) >= 0;
    hp_h5_close(&ms, H5Sclose);
    hp_h5_close(&fs, H5Sclose);
    return ok ? 0 : -1;
}

/* A policy run (policy/npv [path]): the optimal policy against the best
 * static allocation by mean NPV, paired on the same paths, with standard
 * errors (docs/policy.md). Streams both datasets READ_VALUES at a time;
 * paths not written (NaN) are left out. Sums are shifted by the first
 * path's values, so the variances do not cancel catastrophically. */
static int print_flexibility(hid_t f, const char *path, FILE *out, const double *alloc,
                             int n_alloc, hp_err *err)
{
    if (H5Lexists(f, "policy", H5P_DEFAULT) <= 0 || H5Lexists(f, "policy/npv", H5P_DEFAULT) <= 0)
        return 0;
    hid_t pd = H5Dopen2(f, "policy/npv", H5P_DEFAULT), vd = H5Dopen2(f, "valuation/npv", H5P_DEFAULT);
    hsize_t pdim[1] = {0}, vdim[2] = {0, 0};
    hid_t ps = pd >= 0 ? H5Dget_space(pd) : -1, vs = vd >= 0 ? H5Dget_space(vd) : -1;
    int ok = ps >= 0 && vs >= 0 && H5Sget_simple_extent_ndims(ps) == 1
             && H5Sget_simple_extent_ndims(vs) == 2 && H5Sget_simple_extent_dims(ps, pdim, NULL) == 1
             && H5Sget_simple_extent_dims(vs, vdim, NULL) == 2 && vdim[0] == (hsize_t)n_alloc
             && vdim[1] == pdim[0] && n_alloc > 0;
    hp_h5_close(&ps, H5Sclose);
    hp_h5_close(&vs, H5Sclose);
    size_t na = (size_t)n_alloc, step = READ_VALUES / (na + 1);
    double *buf = ok ? malloc((READ_VALUES + 6 * na) * sizeof(double)) : NULL;
    double *v = NULL, *k_v = NULL, *s_v = NULL, *k_d = NULL, *s_d = NULL, *q_d = NULL, *k_p = NULL;
    if (buf != NULL) {
        double *acc = buf + READ_VALUES;                    /* 6 x na accumulators */
        v = buf + step;
        k_v = acc, s_v = acc + na, k_d = acc + 2 * na, s_d = acc + 3 * na;
        q_d = acc + 4 * na, k_p = acc + 5 * na;
    }
    uint64_t n = 0;
    double s_p = 0, q_p = 0;
    int rc = 0;
    if (buf == NULL)
        rc = hp_fail(err, path, 0, "policy/npv", "cannot read it against valuation/npv");
    for (hsize_t first = 0; rc == 0 && first < pdim[0]; first += step) {
        hsize_t cnt = pdim[0] - first < step ? pdim[0] - first : step;
        if (read_paths_slab(pd, 1, 1, first, cnt, buf) != 0
            || read_paths_slab(vd, 2, na, first, cnt, v) != 0) {
            rc = hp_fail(err, path, 0, "policy/npv", "cannot read it against valuation/npv");
            break;
        }
        for (hsize_t i = 0; i < cnt; i++) {
            int bad = isnan(buf[i]);
            for (size_t a = 0; a < na; a++)
                bad |= isnan(v[a * cnt + i]);
            if (bad)
                continue;
            if (n == 0) {
                k_p[0] = buf[i];
                for (size_t a = 0; a < na; a++) {
                    k_v[a] = v[a * cnt + i];
                    k_d[a] = buf[i] - v[a * cnt + i];
                    s_v[a] = s_d[a] = q_d[a] = 0;
                }
            }
            double dp = buf[i] - k_p[0];
            s_p += dp;
            q_p += dp * dp;
            for (size_t a = 0; a < na; a++) {
                double x = v[a * cnt + i], dd = buf[i] - x - k_d[a];
                s_v[a] += x - k_v[a];
                s_d[a] += dd;
                q_d[a] += dd * dd;
            }
            n++;
        }
    }
    if (rc == 0 && n > 1) {
        size_t best = 0;
        for (size_t a = 1; a < na; a++)
            if (k_v[a] + s_v[a] / n > k_v[best] + s_v[best] / n)
                best = a;
        double dn = (double)n;
        double se_p = sqrt(fmax(q_p - s_p * s_p / dn, 0) / (dn - 1) / dn);
        double se_d = sqrt(fmax(q_d[best] - s_d[best] * s_d[best] / dn, 0) / (dn - 1) / dn);
        char m_p[32], e_p[32], m_b[32], m_d[32], e_d[32];
        fmt_value(m_p, sizeof m_p, k_p[0] + s_p / dn, 1);
        fmt_value(e_p, sizeof e_p, se_p, 1);
        fmt_value(m_b, sizeof m_b, k_v[best] + s_v[best] / dn, 1);
        fmt_value(m_d, sizeof m_d, k_d[best] + s_d[best] / dn, 1);
        fmt_value(e_d, sizeof e_d, se_d, 1);
        fprintf(out, "\nOptimal policy (policy/npv)  mean %s (se %s); best static %g%%: %s;\n"
                "  flexibility %s%s (se %s, paired on %" PRIu64 " paths)\n", m_p, e_p,
                100 * alloc[best], m_b, k_d[best] + s_d[best] / dn >= 0 ? "+" : "", m_d, e_d, n);
    }
    free(buf);
    hp_h5_close(&pd, H5Dclose);
    hp_h5_close(&vd, H5Dclose);
    return rc;
}

/* Every summary item of an open file, one table block each. */
static int print_items(hid_t f, const char *path, FILE *out, hp_err *err)
{
    int n_alloc = 0, rc = 0, k;
    int32_t baseline = -1;
    uint64_t n_paths = 0;
    hp_h5_attr_read(f, "baseline_allocation", H5T_NATIVE_INT32, 1, &baseline);
    hp_h5_attr_read(f, "n_paths", H5T_NATIVE_UINT64, 1, &n_paths);
    char *items = hp_h5_attr_text(f, "summary_items"), *p = items, *label, *var;
    int paired = 0;
    double scale, *alloc = hp_h5_read_doubles(f, "allocation", &n_alloc);
    hp_stats *st = alloc ? malloc(2 * (size_t)n_alloc * sizeof *st) : NULL;
    if (items == NULL || st == NULL)
        rc = hp_fail(err, path, 0, NULL, "no summary_items or allocation axis");
    while (rc == 0 && (k = next_item(&p, &label, &var, &scale, &paired)) != 0) {
        if (k < 0) {
            rc = hp_fail(err, path, 0, "summary_items", "malformed line '%s'", label);
            break;
        }
        hp_stats *gain = paired ? st + n_alloc : NULL;
        int rows = hp_summary_stats_open(f, path, var, scale, st, gain, n_alloc, err);
        if (rows < 0) {
            rc = -1;
            break;
        }
        if (rows != n_alloc) {
            rc = hp_fail(err, path, 0, var, "%d allocations, the allocation axis has %d", rows, n_alloc);
            break;
        }
        char *units = var_units(f, var);
        print_item(out, label, var, units, alloc, n_alloc, st, gain, baseline, n_paths);
        free(units);
    }
    if (rc == 0 && alloc != NULL)
        rc = print_flexibility(f, path, out, alloc, n_alloc, err);
    free(st);
    free(alloc);
    free(items);
    return rc;
}

int hp_summary_print(const char *h5path, FILE *out, hp_err *err)
{
    hp_h5_quiet q = hp_h5_quiet_begin();
    hid_t f = hp_resfile_open(h5path, NULL, NULL, err);
    int rc = -1;
    if (f >= 0) {
        print_header(f, h5path, out);
        rc = print_items(f, h5path, out, err);
        H5Fclose(f);
    }
    hp_h5_quiet_end(q);
    return rc;
}
