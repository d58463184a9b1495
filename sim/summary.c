/* summary: per-allocation statistics streamed from a results file.
 *
 * A series is one allocation's values, or the paired difference of two
 * allocations on the same path (the gain over the baseline). The
 * [allocation, path] dataset is read in blocks of whole chunks (all
 * allocations, a run of paths), so each chunk is inflated once per pass and
 * a difference needs no second read. Five passes give everything exactly
 * without holding a series in memory:
 *   pass 0: count, compensated sum (mean), P(x < 0), P(x > 0), and a
 *           histogram of the top 16 bits of each value's sort key;
 *   pass 1: squared deviations from the mean (sd), next 16 bits;
 *   pass 2, 3: the remaining 32 bits;
 *   pass 4: the moments of min(x - q, 0), q the tail's boundary value
 *           (CVaR and its influence-function se, sim/stats.h).
 * Quasi-Monte Carlo files (root attribute qmc_points) also keep, per whole
 * scramble, its mean and shares (pass 0) and its mean of min(x - q, 0)
 * and share of values <= each quantile estimate (pass 4): the standard
 * errors of the mean, the shares and CVaR are then the spread of these
 * per-scramble estimates, not the iid formulas, and each quantile's
 * interval is Woodruff's: the pooled order statistics at p -+ t se of
 * the scrambles' CDF at the estimate, located by four more radix passes
 * (5 to 8) that reuse the interval ends' selection slots.
 * The sort key of a double is a uint64 with the same order, so fixing it 16
 * bits at a time (radix selection) pins down an exact order statistic. Each
 * quantile needs four of them: two to interpolate (numpy's definition) and
 * the two ends of its distribution-free interval; the tail one more. Memory
 * depends on the number of series processed together, never on n_paths. */
#include "summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <hdf5.h>

#include "h5util.h"
#include "resfile.h"
#include "stats.h"
#include "summary_int.h"

#define READ_VALUES 65536           /* doubles per read, at least one chunk  */
#define N_BINS 65536                /* 16 bits of the key per pass           */
#define N_RADIX 4                   /* passes fixing 16 bits each            */
#define N_PASSES (N_RADIX + 1)      /* and one for the tail                  */
#define N_PASSES_QMC (N_PASSES + N_RADIX) /* and Woodruff's interval ends     */
#define KEY_BITS 64                 /* a selection with all bits is found    */
#define N_QUANT 3
#define N_SEL (4 * N_QUANT + 1)     /* order statistics per series           */
#define SEL_TAIL (4 * N_QUANT)
#define HIST_BUDGET (56u << 20)     /* bytes of histograms held at once      */

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
    uint64_t rank;    /* wanted 0-based rank among the series' values      */
    uint64_t below;   /* values known to sort before the current bucket    */
    uint64_t prefix;  /* the key's top `bits` bits found so far, in place  */
    int bits;
    int owner;        /* selection whose histogram this one shares         */
    uint64_t *hist;   /* N_BINS counts                                     */
} sel;

/* Accumulators of one series: values x[a] - x[b] (b < 0: x[a]). */
typedef struct row {
    int a, b;
    uint64_t n, neg, pos;
    double sum, sum_c;   /* Neumaier: sum + sum_c is the compensated total */
    double ss, ss_c;
    double mean, tail_q;
    hp_moments shortfall;
    uint64_t group;      /* quasi-Monte Carlo: the scramble being summed   */
    uint64_t gcnt;       /* its values so far                              */
    uint64_t gneg, gpos; /* pass 0: its values < 0 and > 0                 */
    double gsum;         /* pass 0: its sum; pass 4: its sum of shortfalls */
    hp_moments groups;   /* the means of the whole scrambles               */
    hp_moments g_neg, g_pos;  /* their shares of values < 0 and > 0        */
    hp_moments g_short;  /* their means of min(x - tail_q, 0)              */
    uint64_t gle[N_QUANT];    /* pass 4: its values <= each quantile       */
    hp_moments g_cdf[N_QUANT];/* their shares <= each quantile estimate    */
    double qv[N_QUANT];  /* the quantile estimates, after pass 3           */
    double frac[N_QUANT];
    int top[N_QUANT];    /* h >= n-1: the quantile is the largest value    */
    int64_t ci[N_QUANT][2];  /* interval ranks: -1 / n for an open end     */
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

/* Does key k lie in the selection's current bucket? (A selection with all
 * its bits found takes no more values.) */
static int in_bucket(const sel *s, uint64_t k)
{
    if (s->bits >= KEY_BITS)
        return 0;
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

/* After a radix pass: each selection moves into the bin holding its rank. */
static void descend(row *r)
{
    for (int j = 0; j < N_SEL; j++) {
        sel *s = &r->s[j];
        if (s->bits >= KEY_BITS)   /* found: only Woodruff's ends go on */
            continue;
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

/* A rank of [0, n) for a selection (an open interval end selects nothing
 * useful, so it is clamped and ignored at the end). */
static uint64_t clamp_rank(int64_t k, uint64_t n)
{
    return k < 0 ? 0 : (uint64_t)k >= n ? n - 1 : (uint64_t)k;
}

/* Once n is known: the ranks of every order statistic the series needs. */
static void set_ranks(row *r)
{
    for (int q = 0; q < N_QUANT; q++) {
        double h = (double)(r->n - 1) * quant_p[q];
        uint64_t lo = (uint64_t)floor(h);
        r->top[q] = lo >= r->n - 1;
        r->frac[q] = h - (double)lo;
        r->s[4 * q].rank = r->top[q] ? r->n - 1 : lo;
        r->s[4 * q + 1].rank = r->top[q] ? r->n - 1 : lo + 1;
        hp_quantile_ci_ranks(r->n, quant_p[q], 0.95, &r->ci[q][0], &r->ci[q][1]);
        r->s[4 * q + 2].rank = clamp_rank(r->ci[q][0], r->n);
        r->s[4 * q + 3].rank = clamp_rank(r->ci[q][1], r->n);
    }
    r->s[SEL_TAIL].rank = hp_tail_rank(r->n, HP_SUMMARY_ALPHA);
}

/* ---- the passes --------------------------------------------------------- */

typedef struct scan {
    hid_t ds;
    int n_alloc;
    uint64_t n_paths;
    uint64_t qmc_points; /* > 0: paths come in scrambles of this many       */
    size_t block;     /* paths per read                                     */
    double *buf;      /* [n_alloc][block]                                   */
    double scale;
    row *rows;        /* the series of the current group                    */
    int n_rows;
} scan;

/* Value of series r at position i of the block (NaN: not written). */
static double series_value(const scan *c, const row *r, size_t i, size_t cnt)
{
    double v = c->buf[(size_t)r->a * cnt + i] * c->scale;
    if (r->b >= 0)
        v -= c->buf[(size_t)r->b * cnt + i] * c->scale;
    return v;
}

/* One value through pass `pass` (passes 5 to 8, quasi-Monte Carlo only,
 * are radix passes for Woodruff's interval ends). */
static void visit(row *r, double v, int pass)
{
    if (pass == 0) {
        r->n++;
        r->neg += v < 0;
        r->pos += v > 0;
        neumaier(&r->sum, &r->sum_c, v);
        r->s[0].hist[dbl_key(v) >> 48]++;
        return;
    }
    if (pass == N_RADIX) {
        hp_moments_add(&r->shortfall, v < r->tail_q ? v - r->tail_q : 0.0);
        return;
    }
    if (pass == 1)
        neumaier(&r->ss, &r->ss_c, (v - r->mean) * (v - r->mean));
    uint64_t k = dbl_key(v);
    for (int j = 0; j < N_SEL; j++) {
        const sel *s = &r->s[j];
        if (s->owner == j && in_bucket(s, k))
            s->hist[digit(k, s->bits)]++;
    }
}

/* Quasi-Monte Carlo: closes the scramble being summed; a whole one (all
 * its paths written) adds its estimates to the scrambles' moments: after
 * pass 0 its mean and shares, after pass 4 its mean shortfall. A partial
 * scramble (the last, or unwritten paths) is in the estimates, not in
 * their errors. */
static void group_close(row *r, uint64_t qmc_points, int pass)
{
    double m = (double)qmc_points;
    if (r->gcnt == qmc_points && pass == 0) {
        hp_moments_add(&r->groups, r->gsum / m);
        hp_moments_add(&r->g_neg, (double)r->gneg / m);
        hp_moments_add(&r->g_pos, (double)r->gpos / m);
    } else if (r->gcnt == qmc_points && pass == N_RADIX) {
        hp_moments_add(&r->g_short, r->gsum / m);
        for (int q = 0; q < N_QUANT; q++)
            hp_moments_add(&r->g_cdf[q], (double)r->gle[q] / m);
    }
    r->gsum = 0;
    r->gcnt = r->gneg = r->gpos = 0;
    memset(r->gle, 0, sizeof r->gle);
}

/* Passes 0 and 4 of a quasi-Monte Carlo file: value v of path `path`
 * joins the sums of its scramble (path / qmc_points; paths come in
 * order): pass 0 its sum and shares, pass 4 its shortfall below the tail
 * boundary and its counts below the quantile estimates. */
static void group_visit(row *r, double v, uint64_t path, uint64_t qmc_points, int pass)
{
    uint64_t g = path / qmc_points;
    if (g != r->group)
        group_close(r, qmc_points, pass);
    r->group = g;
    r->gcnt++;
    if (pass == 0) {
        r->gsum += v;
        r->gneg += v < 0;
        r->gpos += v > 0;
    } else {
        r->gsum += v < r->tail_q ? v - r->tail_q : 0.0;
        for (int q = 0; q < N_QUANT; q++)
            r->gle[q] += v <= r->qv[q];
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

/* One pass over the dataset for the series of the current group, in path
 * order (so sums do not depend on how the file was written). */
static int run_pass(scan *c, int pass)
{
    int qmc_pass = c->qmc_points > 0 && (pass == 0 || pass == N_RADIX);
    for (uint64_t first = 0; first < c->n_paths; first += c->block) {
        size_t cnt = c->n_paths - first < c->block ? (size_t)(c->n_paths - first) : c->block;
        if (read_block(c, first, cnt) < 0)
            return -1;
        for (int k = 0; k < c->n_rows; k++) {
            row *r = &c->rows[k];
            if (pass > 0 && r->n == 0)
                continue;
            for (size_t i = 0; i < cnt; i++) {
                double v = series_value(c, r, i, cnt);
                if (isnan(v))
                    continue;
                visit(r, v, pass);
                if (qmc_pass)
                    group_visit(r, v, first + i, c->qmc_points, pass);
            }
        }
    }
    for (int k = 0; qmc_pass && k < c->n_rows; k++)
        group_close(&c->rows[k], c->qmc_points, pass);
    return 0;
}

/* The order statistic found by selection j. */
static double selected(const row *r, int j)
{
    return key_dbl(r->s[j].prefix);
}

/* Quantile i of the series (numpy's interpolation), once its two order
 * statistics are found. */
static double quantile_value(const row *r, int i)
{
    double lo = selected(r, 4 * i), hi = selected(r, 4 * i + 1);
    return r->top[i] ? lo : hp_lerp(lo, hi, r->frac[i]);
}

/* Quasi-Monte Carlo: the standard error of an estimate from the spread of
 * its per-scramble values, each scramble an independent estimate (NaN with
 * fewer than two whole scrambles). */
static double between_se(const hp_moments *g)
{
    return g->n >= 2 ? hp_moments_sd(g) / sqrt((double)g->n) : NAN;
}

/* Student's t_{0.975, R - 1} for R whole scrambles (NaN for R < 2): a
 * between-scramble interval is estimate +- t se, as for any mean of R
 * independent replicates; +-1.96 se would cover only 93% at R = 16. */
static double between_t(const hp_moments *g)
{
    return g->n >= 2 ? hp_t975(g->n - 1) : NAN;
}

/* A share k/n with a between-scramble se: p +- t se within [0, 1]
 * (Wilson's interval is for independent paths). A share that is the same
 * in every whole scramble (most often 0 or 1) has se 0, which would claim
 * it exact: it gets Wilson's interval on the pooled count instead (for
 * k = 0, [0, 3.84 / (n + 3.84)]), the honest statement "at most a few in
 * n" that the scrambles cannot refine. */
static hp_est share_between(uint64_t k, uint64_t n, const hp_moments *g)
{
    double p = (double)k / (double)n, se = between_se(g), t = between_t(g);
    if (se == 0) {
        hp_count c = { n, k };
        return hp_count_prob(&c);
    }
    double lo = p - t * se, hi = p + t * se;
    return (hp_est){ p, se, lo < 0 ? 0 : lo, hi > 1 ? 1 : hi };
}

/* Quasi-Monte Carlo, after pass 4: Woodruff's interval for each quantile
 * (docs/sources.md#woodruff-1952, on the pooled-CDF quantile estimator of
 * docs/sources.md#kaplan-rqmc-quantile-2019). Each whole scramble's share
 * of values <= the
 * pooled estimate Q(p) is an independent estimate of F(Q(p)); their
 * spread gives se_F, and the interval is the pooled order statistics at
 * p -+ t se_F: rank floor((n - 1)(p - d)) below (numpy's "lower"),
 * ceil((n - 1)(p + d)) above ("higher"), d = t se_F (t: between_t), an
 * open end where
 * p - d < 0 or p + d > 1. The interval ends' selections start again for
 * passes 5 to 8. Where se_F is 0 (every scramble has the same count: ties
 * or too few points) the distribution-free iid ends already found are
 * kept, as for shares; with fewer than two whole scrambles there is no
 * interval (finish()). */
static void woodruff_ranks(row *r)
{
    for (int q = 0; q < N_QUANT; q++) {
        double se = between_se(&r->g_cdf[q]);
        if (!(se > 0))
            continue;
        double d = between_t(&r->g_cdf[q]) * se, lo = quant_p[q] - d, hi = quant_p[q] + d;
        double last = (double)(r->n - 1);
        r->ci[q][0] = lo < 0 ? -1 : (int64_t)floor(last * lo);
        r->ci[q][1] = hi > 1 ? (int64_t)r->n : (int64_t)ceil(last * hi);
        for (int e = 0; e < 2; e++)
            r->s[4 * q + 2 + e] = (sel){ .rank = clamp_rank(r->ci[q][e], r->n),
                                         .hist = r->s[4 * q + 2 + e].hist };
    }
}

/* The statistics of a series once all passes are done. With quasi-Monte
 * Carlo (qmc_points > 0) the paths are not independent: the standard
 * errors of the mean, CVaR and the shares come from the spread of the
 * whole scrambles' estimates (between_se). CVaR's per-scramble estimate is
 * q + mean(min(x - q, 0)) / alpha with the boundary q of all paths, the
 * same linearisation as the iid influence-function se; the quantiles'
 * intervals are Woodruff's (woodruff_ranks), none with fewer than two
 * whole scrambles. CVaR has no se (NaN) where the tail holds no whole path
 * (hp_tail_has_se), sampler or not. */
static hp_stats finish(const row *r, uint64_t qmc_points)
{
    const hp_est none = { NAN, NAN, NAN, NAN };
    hp_stats st = { r->n, NAN, none, none, none, none, none, none, none };
    if (r->n == 0)
        return st;
    st.sd = r->n > 1 ? sqrt((r->ss + r->ss_c) / (double)(r->n - 1)) : 0.0;
    double se = st.sd / sqrt((double)r->n);
    double z = HP_Z95;
    if (qmc_points > 0) {
        se = between_se(&r->groups);
        z = between_t(&r->groups);
    }
    st.mean = (hp_est){ r->mean, se, r->mean - z * se, r->mean + z * se };
    hp_est *q[N_QUANT] = { &st.q05, &st.q50, &st.q95 };
    for (int i = 0; i < N_QUANT; i++) {
        q[i]->value = quantile_value(r, i);
        if (qmc_points > 0 && r->g_cdf[i].n < 2) {
            q[i]->lo = q[i]->hi = q[i]->se = NAN;
            continue;
        }
        q[i]->lo = r->ci[i][0] < 0 ? -INFINITY : selected(r, 4 * i + 2);
        q[i]->hi = r->ci[i][1] >= (int64_t)r->n ? INFINITY : selected(r, 4 * i + 3);
        q[i]->se = isfinite(q[i]->lo) && isfinite(q[i]->hi) ? (q[i]->hi - q[i]->lo) / (2 * z) : NAN;
    }
    hp_est t = hp_tail_mean_from(r->tail_q, HP_SUMMARY_ALPHA, &r->shortfall);
    if (qmc_points > 0 && hp_tail_has_se(r->n, HP_SUMMARY_ALPHA)) {
        t.se = between_se(&r->g_short) / HP_SUMMARY_ALPHA;
        t.lo = t.value - z * t.se;
        t.hi = t.value + z * t.se;
    }
    st.cvar = (hp_est){ -t.value, t.se, -t.hi, -t.lo };
    if (qmc_points > 0) {
        st.p_loss = share_between(r->neg, r->n, &r->g_neg);
        st.p_gain = share_between(r->pos, r->n, &r->g_pos);
        return st;
    }
    hp_count neg = { r->n, r->neg }, pos = { r->n, r->pos };
    st.p_loss = hp_count_prob(&neg);
    st.p_gain = hp_count_prob(&pos);
    return st;
}

/* Are selections left for passes 5 to 8 (some Woodruff interval)? */
static int ends_pending(const scan *c)
{
    for (int i = 0; i < c->n_rows; i++)
        for (int j = 0; j < N_SEL; j++)
            if (c->rows[i].n > 0 && c->rows[i].s[j].bits < KEY_BITS)
                return 1;
    return 0;
}

/* Runs the passes for the group's series, histograms from `hists`. */
static int scan_group(scan *c, uint64_t *hists)
{
    for (int i = 0; i < c->n_rows; i++) {
        row *r = &c->rows[i];
        for (int j = 0; j < N_SEL; j++)
            r->s[j].hist = hists + ((size_t)i * N_SEL + (size_t)j) * N_BINS;
    }
    memset(hists, 0, (size_t)c->n_rows * N_SEL * N_BINS * sizeof *hists);
    int n_passes = c->qmc_points > 0 ? N_PASSES_QMC : N_PASSES;
    for (int pass = 0; pass < n_passes; pass++) {
        for (int i = 0; i < c->n_rows; i++)
            set_owners(&c->rows[i]);
        if (run_pass(c, pass) < 0)
            return -1;
        for (int i = 0; i < c->n_rows; i++) {
            row *r = &c->rows[i];
            if (r->n == 0)
                continue;
            if (pass == N_RADIX) {      /* quasi-Monte Carlo: the ends again */
                if (c->qmc_points > 0)
                    woodruff_ranks(r);
                continue;
            }
            if (pass == 0) {
                r->mean = (r->sum + r->sum_c) / (double)r->n;
                set_ranks(r);
            }
            descend(r);
            if (pass == N_RADIX - 1) {
                r->tail_q = selected(r, SEL_TAIL);
                for (int q = 0; q < N_QUANT; q++)
                    r->qv[q] = quantile_value(r, q);
            }
        }
        if (pass == N_RADIX && !ends_pending(c))
            break;
    }
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

/* The series of a dataset: one per allocation, then (gain wanted and a
 * baseline named) one difference per other allocation. Returns the count. */
static int list_series(const scan *c, int baseline, int want_gain, row *rows)
{
    int n = 0;
    for (int a = 0; a < c->n_alloc; a++)
        rows[n++] = (row){ .a = a, .b = -1 };
    for (int a = 0; want_gain && baseline >= 0 && a < c->n_alloc; a++)
        if (a != baseline)
            rows[n++] = (row){ .a = a, .b = baseline };
    return n;
}

int hp_summary_stats_open(hid_t f, const char *path, const char *var, double scale,
                          hp_stats *out, hp_stats *gain, int max_alloc, hp_err *err)
{
    hsize_t dims[2];
    scan c = { .scale = scale };
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
    if (hp_h5_attr_read(f, "baseline_allocation", H5T_NATIVE_INT32, 1, &base) != 0
        || base < 0 || base >= c.n_alloc)
        base = -1;
    if (hp_h5_attr_read(f, "qmc_points", H5T_NATIVE_UINT64, 1, &c.qmc_points) != 0)
        c.qmc_points = 0;
    c.block = read_paths(c.ds, c.n_alloc);
    int group = (int)(HIST_BUDGET / (N_SEL * N_BINS * sizeof(uint64_t)));
    group = group < 1 ? 1 : group;
    row *series = malloc(2 * (size_t)c.n_alloc * sizeof *series);
    c.buf = malloc((size_t)c.n_alloc * c.block * sizeof *c.buf);
    uint64_t *hists = malloc((size_t)group * N_SEL * N_BINS * sizeof *hists);
    int rc = series && c.buf && hists ? 0 : hp_fail(err, path, 0, var, "out of memory");
    int n_series = rc == 0 ? list_series(&c, base, gain != NULL, series) : 0;
    for (int k = 0; rc == 0 && k < n_series; k += group) {
        c.rows = series + k;
        c.n_rows = n_series - k < group ? n_series - k : group;
        if (scan_group(&c, hists) < 0)
            rc = hp_fail(err, path, 0, var, "cannot read");
    }
    for (int a = 0; rc == 0 && gain != NULL && a < c.n_alloc; a++)
        gain[a] = (hp_stats){ .n = 0 };
    for (int k = 0; rc == 0 && k < n_series; k++) {
        hp_stats st = finish(&series[k], c.qmc_points);
        if (series[k].b < 0)
            out[series[k].a] = st;
        else
            gain[series[k].a] = st;
    }
    free(hists);
    free(c.buf);
    free(series);
    H5Dclose(c.ds);
    return rc < 0 ? -1 : c.n_alloc;
}

int hp_summary_stats(const char *h5path, const char *var, double scale,
                     hp_stats *out, hp_stats *gain, int max_alloc, hp_err *err)
{
    hp_h5_quiet q = hp_h5_quiet_begin();
    hid_t f = hp_resfile_open(h5path, NULL, NULL, err);
    int rc = f < 0 ? -1 : hp_summary_stats_open(f, h5path, var, scale, out, gain, max_alloc, err);
    if (f >= 0)
        H5Fclose(f);
    hp_h5_quiet_end(q);
    return rc;
}
