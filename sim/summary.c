/* summary: per-allocation statistics streamed from a results file.
 *
 * A [allocation, path] dataset is read in blocks of whole chunks (all
 * allocations, a run of paths), so each chunk is inflated once per pass.
 * Four passes give everything exactly without holding a row in memory:
 *   pass 0: count, compensated sum (mean), P(loss), P(beats), and a
 *           histogram of the top 16 bits of each value's sort key;
 *   pass 1: squared deviations from the mean (sd), next 16 bits;
 *   pass 2, 3: the remaining 32 bits.
 * The sort key of a double is a uint64 with the same order, so fixing it 16
 * bits at a time (radix selection) pins down an exact order statistic. Each
 * quantile needs two of them (numpy's linear interpolation). Memory depends
 * on the number of allocations processed together, never on n_paths. */
#include "summary.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5util.h"
#include "resfile.h"
#include "stats.h"

#define READ_VALUES 65536           /* doubles per read, at least one chunk  */
#define N_BINS 65536                /* 16 bits of the key per pass           */
#define N_PASSES 4
#define N_QUANT 3
#define N_SEL (2 * N_QUANT)         /* two order statistics per quantile     */
#define HIST_BUDGET (24u << 20)     /* bytes of histograms held at once      */

static const double quant_p[N_QUANT] = { 0.05, 0.50, 0.95 };

/* ---- order-preserving keys and the selection state ------------------------ */

/* Flips negatives entirely and positives' sign bit: key order = value order. */
static uint64_t dbl_key(double x)
{
    uint64_t u;
    memcpy(&u, &x, sizeof u);
    return (u >> 63) ? ~u : u | (UINT64_C(1) << 63);
}

static double key_dbl(uint64_t k)
{
    uint64_t u = (k >> 63) ? k & ~(UINT64_C(1) << 63) : ~k;
    double x;
    memcpy(&x, &u, sizeof x);
    return x;
}

/* One order statistic being located: the bucket narrows by 16 bits a pass. */
typedef struct sel {
    uint64_t rank;    /* wanted 0-based rank among the row's values        */
    uint64_t below;   /* values known to sort before the current bucket    */
    uint64_t prefix;  /* the key's top `bits` bits found so far, in place  */
    int bits;
    int owner;        /* selection whose histogram this one shares         */
    uint64_t *hist;   /* N_BINS counts                                     */
} sel;

/* Accumulators of one allocation. */
typedef struct row {
    uint64_t n, neg, beats, pairs;
    double sum, sum_c;   /* Neumaier: sum + sum_c is the compensated total */
    double ss, ss_c;
    double mean;
    double frac[N_QUANT];
    int top[N_QUANT];    /* h >= n-1: the quantile is the largest value    */
    sel s[N_SEL];
} row;

/* Neumaier's compensated addition: the mean of a million paths is exact to
 * the last bits and, summed in path order, independent of the writer. */
static void neumaier(double *sum, double *c, double x)
{
    double t = *sum + x;
    if (fabs(*sum) >= fabs(x))
        *c += (*sum - t) + x;
    else
        *c += (x - t) + *sum;
    *sum = t;
}

/* Histogram digit of key k for a selection with `bits` bits fixed. */
static unsigned digit(uint64_t k, int bits)
{
    return (unsigned)((k >> (48 - bits)) & (N_BINS - 1));
}

/* Does key k lie in the selection's current bucket? */
static int in_bucket(const sel *s, uint64_t k)
{
    return s->bits == 0 || (k >> (64 - s->bits)) == (s->prefix >> (64 - s->bits));
}

/* Selections with the same bucket share one histogram (pass 0: all). */
static void set_owners(row *r)
{
    for (int j = 0; j < N_SEL; j++) {
        r->s[j].owner = j;
        for (int i = 0; i < j; i++)
            if (r->s[i].owner == i && r->s[i].bits == r->s[j].bits
                && r->s[i].prefix == r->s[j].prefix) {
                r->s[j].owner = i;
                break;
            }
    }
}

/* After a pass: each selection moves into the bin holding its rank. */
static void descend(row *r)
{
    for (int j = 0; j < N_SEL; j++) {
        sel *s = &r->s[j];
        const uint64_t *h = r->s[s->owner].hist;
        uint64_t want = s->rank - s->below, c = 0;
        unsigned b = 0;
        while (b < N_BINS - 1 && c + h[b] <= want)
            c += h[b++];
        s->below += c;
        s->prefix |= (uint64_t)b << (48 - s->bits);
        s->bits += 16;
    }
    for (int j = 0; j < N_SEL; j++)
        memset(r->s[j].hist, 0, N_BINS * sizeof *r->s[j].hist);
    set_owners(r);
}

/* Once n is known: the ranks each quantile interpolates between. */
static void set_ranks(row *r)
{
    for (int q = 0; q < N_QUANT; q++) {
        double h = (double)(r->n - 1) * quant_p[q];
        uint64_t lo = (uint64_t)floor(h);
        r->top[q] = lo >= r->n - 1;
        r->frac[q] = h - (double)lo;
        r->s[2 * q].rank = r->top[q] ? r->n - 1 : lo;
        r->s[2 * q + 1].rank = r->top[q] ? r->n - 1 : lo + 1;
    }
}

/* ---- the passes --------------------------------------------------------- */

typedef struct scan {
    hid_t ds;
    int n_alloc;
    uint64_t n_paths;
    size_t block;     /* paths per read                                     */
    double *buf;      /* [n_alloc][block]                                   */
    double scale;
    int baseline;     /* row compared against for p_beats, or -1            */
    int a0, a1;       /* allocations of the current group                   */
    row *rows;        /* [a1 - a0]                                          */
} scan;

/* Pass 0 over one row's values x[0..cnt) (base: the baseline row or NULL). */
static void pass_first(const scan *c, row *r, const double *x, const double *base, size_t cnt)
{
    uint64_t *h = r->s[0].hist;
    for (size_t i = 0; i < cnt; i++) {
        double v = x[i] * c->scale;
        if (base != NULL && !isnan(v) && !isnan(base[i])) {
            r->pairs++;
            r->beats += v > base[i] * c->scale;
        }
        if (isnan(v))
            continue;
        r->n++;
        r->neg += v < 0;
        neumaier(&r->sum, &r->sum_c, v);
        h[dbl_key(v) >> 48]++;
    }
}

/* Passes 1-3: squared deviations (pass 1) and the next digit of each
 * selection whose bucket the value falls in. */
static void pass_refine(const scan *c, row *r, const double *x, size_t cnt, int pass)
{
    for (size_t i = 0; i < cnt; i++) {
        double v = x[i] * c->scale;
        if (isnan(v))
            continue;
        if (pass == 1)
            neumaier(&r->ss, &r->ss_c, (v - r->mean) * (v - r->mean));
        uint64_t k = dbl_key(v);
        for (int j = 0; j < N_SEL; j++) {
            const sel *s = &r->s[j];
            if (s->owner == j && in_bucket(s, k))
                s->hist[digit(k, s->bits)]++;
        }
    }
}

/* Reads paths [first, first+cnt) of every allocation into c->buf. */
static int read_block(scan *c, uint64_t first, size_t cnt)
{
    hsize_t start[2] = { 0, first }, count[2] = { (hsize_t)c->n_alloc, cnt };
    hid_t fs = H5Dget_space(c->ds), ms = H5Screate_simple(2, count, NULL);
    int ok = fs >= 0 && ms >= 0
             && H5Sselect_hyperslab(fs, H5S_SELECT_SET, start, NULL, count, NULL) >= 0
             && H5Dread(c->ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, c->buf) >= 0;
    if (fs >= 0)
        H5Sclose(fs);
    if (ms >= 0)
        H5Sclose(ms);
    return ok ? 0 : -1;
}

/* One pass over the dataset for the rows of the current group. */
static int run_pass(scan *c, int pass)
{
    for (uint64_t first = 0; first < c->n_paths; first += c->block) {
        size_t cnt = c->n_paths - first < c->block ? (size_t)(c->n_paths - first) : c->block;
        if (read_block(c, first, cnt) < 0)
            return -1;
        for (int a = c->a0; a < c->a1; a++) {
            const double *x = c->buf + (size_t)a * cnt;
            row *r = &c->rows[a - c->a0];
            if (pass == 0)
                pass_first(c, r, x, c->baseline >= 0 ? c->buf + (size_t)c->baseline * cnt : NULL, cnt);
            else if (r->n > 0)
                pass_refine(c, r, x, cnt, pass);
        }
    }
    return 0;
}

/* The statistics of a row once all passes are done. */
static hp_stats finish(const scan *c, const row *r)
{
    hp_stats st = { NAN, NAN, NAN, NAN, NAN, NAN, NAN, r->n };
    if (c->baseline >= 0 && r->pairs > 0)
        st.p_beats = (double)r->beats / (double)r->pairs;
    if (r->n == 0)
        return st;
    st.mean = r->mean;
    st.sd = r->n > 1 ? sqrt((r->ss + r->ss_c) / (double)(r->n - 1)) : 0.0;
    st.p_loss = (double)r->neg / (double)r->n;
    double q[N_QUANT];
    for (int i = 0; i < N_QUANT; i++) {
        double lo = key_dbl(r->s[2 * i].prefix), hi = key_dbl(r->s[2 * i + 1].prefix);
        q[i] = r->top[i] ? lo : hp_lerp(lo, hi, r->frac[i]);
    }
    st.q05 = q[0];
    st.q50 = q[1];
    st.q95 = q[2];
    return st;
}

/* Runs the four passes for allocations [a0, a1), histograms from `hists`. */
static int scan_group(scan *c, uint64_t *hists, hp_stats *out)
{
    int n = c->a1 - c->a0;
    memset(c->rows, 0, (size_t)n * sizeof *c->rows);
    memset(hists, 0, (size_t)n * N_SEL * N_BINS * sizeof *hists);
    for (int i = 0; i < n; i++)
        for (int j = 0; j < N_SEL; j++)
            c->rows[i].s[j].hist = hists + ((size_t)i * N_SEL + (size_t)j) * N_BINS;
    for (int pass = 0; pass < N_PASSES; pass++) {
        for (int i = 0; i < n; i++)
            set_owners(&c->rows[i]);
        if (run_pass(c, pass) < 0)
            return -1;
        for (int i = 0; i < n; i++) {
            row *r = &c->rows[i];
            if (r->n == 0)
                continue;
            if (pass == 0) {
                r->mean = (r->sum + r->sum_c) / (double)r->n;
                set_ranks(r);
            }
            descend(r);
        }
    }
    for (int i = 0; i < n; i++)
        out[c->a0 + i] = finish(c, &c->rows[i]);
    return 0;
}

/* Paths per read: whole chunks of the file, about READ_VALUES values. */
static size_t read_paths(hid_t ds, int n_alloc)
{
    hsize_t chunk[2] = { 0, 0 };
    size_t want = READ_VALUES / (size_t)n_alloc, step = 1;
    hid_t p = H5Dget_create_plist(ds);
    if (p >= 0 && H5Pget_layout(p) == H5D_CHUNKED && H5Pget_chunk(p, 2, chunk) == 2 && chunk[1] > 0)
        step = (size_t)chunk[1];
    if (p >= 0)
        H5Pclose(p);
    return want < step ? step : want / step * step;
}

/* ---- reading the file ------------------------------------------------- */

/* Opens an [allocation, path] dataset and returns its two extents. */
static hid_t open_2d(hid_t f, const char *path, const char *var, hsize_t *dims, hp_err *err)
{
    if (H5Lexists(f, var, H5P_DEFAULT) <= 0) {
        hp_fail(err, path, 0, var, "no such dataset");
        return -1;
    }
    hid_t ds = H5Dopen2(f, var, H5P_DEFAULT), s = ds < 0 ? -1 : H5Dget_space(ds);
    int ok = s >= 0 && H5Sget_simple_extent_ndims(s) == 2
             && H5Sget_simple_extent_dims(s, dims, NULL) == 2 && dims[0] > 0;
    if (s >= 0)
        H5Sclose(s);
    if (!ok) {
        if (ds >= 0)
            H5Dclose(ds);
        hp_fail(err, path, 0, var, "not an [allocation, path] dataset");
        return -1;
    }
    return ds;
}

/* Statistics of one dataset of an open file; returns n_alloc or -1. */
static int stats_open(hid_t f, const char *path, const char *var, double scale, int paired,
                      hp_stats *out, int max_alloc, hp_err *err)
{
    hsize_t dims[2];
    scan c = { .scale = scale, .baseline = -1 };
    c.ds = open_2d(f, path, var, dims, err);
    if (c.ds < 0)
        return -1;
    if (dims[0] > (hsize_t)max_alloc) {
        H5Dclose(c.ds);
        return hp_fail(err, path, 0, var, "%llu allocations, room for %d",
                       (unsigned long long)dims[0], max_alloc);
    }
    c.n_alloc = (int)dims[0];
    c.n_paths = dims[1];
    int32_t base = -1;
    if (paired
        && hp_h5_attr_read(f, "baseline_allocation", H5T_NATIVE_INT32, 1, &base) == 0
        && base >= 0 && base < c.n_alloc)
        c.baseline = base;
    c.block = read_paths(c.ds, c.n_alloc);
    int group = (int)(HIST_BUDGET / (N_SEL * N_BINS * sizeof(uint64_t)));
    group = group < 1 ? 1 : group > c.n_alloc ? c.n_alloc : group;
    c.buf = malloc((size_t)c.n_alloc * c.block * sizeof *c.buf);
    c.rows = malloc((size_t)group * sizeof *c.rows);
    uint64_t *hists = malloc((size_t)group * N_SEL * N_BINS * sizeof *hists);
    int rc = c.buf && c.rows && hists ? 0 : hp_fail(err, path, 0, var, "out of memory");
    for (c.a0 = 0; rc == 0 && c.a0 < c.n_alloc; c.a0 = c.a1) {
        c.a1 = c.a0 + group < c.n_alloc ? c.a0 + group : c.n_alloc;
        if (scan_group(&c, hists, out) < 0)
            rc = hp_fail(err, path, 0, var, "cannot read");
    }
    free(hists);
    free(c.rows);
    free(c.buf);
    H5Dclose(c.ds);
    return rc < 0 ? -1 : c.n_alloc;
}

int hp_summary_stats(const char *h5path, const char *var, double scale, int paired,
                     hp_stats *out, int max_alloc, hp_err *err)
{
    hp_h5_quiet q = hp_h5_quiet_begin();
    hid_t f = hp_resfile_open(h5path, NULL, NULL, err);
    int rc = f < 0 ? -1 : stats_open(f, h5path, var, scale, paired, out, max_alloc, err);
    if (f >= 0)
        H5Fclose(f);
    hp_h5_quiet_end(q);
    return rc;
}

/* ---- the printed table -------------------------------------------------- */

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
    snprintf(buf, n, "%s%s%.*f%s", v < 0 && a > 0 ? "-" : "", money ? "$" : "", dec, fabs(v) / scale,
             suffix);
}

/* A share as a percentage, "-" when undefined. */
static void fmt_share(char *buf, size_t n, double p)
{
    if (isnan(p))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f%%", 100.0 * p);
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

/* One block of the table: rows = allocations. */
static void print_item(FILE *out, const char *label, const char *var, const char *units,
                       const double *alloc, int n_alloc, const hp_stats *st,
                       int paired, int baseline, uint64_t n_paths)
{
    int money = units != NULL && strncmp(units, "USD", 3) == 0;
    int beats = paired && baseline >= 0 && baseline < n_alloc;
    fprintf(out, "\n%s [%s]  (%s)\n", label, units ? units : "?", var);
    fprintf(out, "%7s %11s %11s %11s %11s %9s", "alloc", "mean", "5%", "50%", "95%", "P(loss)");
    if (beats)
        fprintf(out, "  P(beats %.4g%%)", 100.0 * alloc[baseline]);
    fputc('\n', out);
    for (int a = 0; a < n_alloc; a++) {
        char c[6][32];
        fmt_value(c[0], 32, st[a].mean, money);
        fmt_value(c[1], 32, st[a].q05, money);
        fmt_value(c[2], 32, st[a].q50, money);
        fmt_value(c[3], 32, st[a].q95, money);
        fmt_share(c[4], 32, st[a].p_loss);
        fmt_share(c[5], 32, a == baseline ? NAN : st[a].p_beats);
        fprintf(out, "%6.4g%% %11s %11s %11s %11s %9s", 100.0 * alloc[a], c[0], c[1], c[2], c[3], c[4]);
        if (beats)
            fprintf(out, "  %13s", c[5]);
        fputc('\n', out);
    }
    if (st[0].n != n_paths)
        fprintf(out, "(%" PRIu64 " of %" PRIu64 " paths written)\n", st[0].n, n_paths);
}

/* Splits the next "label|var|scale" or "label|var|scale|paired" line of *p
 * in place; 0 at the end, -1 when malformed. */
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
    hp_stats *st = alloc ? malloc((size_t)n_alloc * sizeof *st) : NULL;
    if (items == NULL || st == NULL)
        rc = hp_fail(err, path, 0, NULL, "no summary_items or allocation axis");
    while (rc == 0 && (k = next_item(&p, &label, &var, &scale, &paired)) != 0) {
        if (k < 0) {
            rc = hp_fail(err, path, 0, "summary_items", "malformed line '%s'", label);
            break;
        }
        int rows = stats_open(f, path, var, scale, paired, st, n_alloc, err);
        if (rows < 0) {
            rc = -1;
            break;
        }
        if (rows != n_alloc) {
            rc = hp_fail(err, path, 0, var, "%d allocations, the allocation axis has %d", rows, n_alloc);
            break;
        }
        char *units = var_units(f, var);
        print_item(out, label, var, units, alloc, n_alloc, st, paired, baseline, n_paths);
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
