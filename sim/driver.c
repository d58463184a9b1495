/* driver: blocks of paths over OpenMP threads, one writer (see driver.h). */
#include "driver.h"

#include <omp.h>
#include <stdlib.h>

#include "par.h"
#include "progress.h"

const hp_param hp_engine_params[] = {
    {"simulation.n_paths", HP_INT, "paths", "10000", 1, 9.0e15, NULL,
     "number of Monte Carlo paths (-n on the command line)"},
    {"simulation.seed", HP_INT, "", "20260101", 0, 9.2e18, NULL,
     "seed of every random stream (-s on the command line)"},
    {"simulation.block_size", HP_INT, "paths", "256", 1, 1048576, NULL,
     "paths per work block and chunk width in the file; changes memory, scheduling and storage, never results"},
    {"simulation.sampler", HP_CHOICE, "", "\"pseudo\"", 0, 0, "pseudo|sobol",
     "daily Gaussian shocks of price, hashrate and lease rate: pseudo = PCG64 streams; sobol = scrambled Sobol "
     "points with a Brownian bridge per factor, path p = point p % qmc_points of scramble p / qmc_points "
     "(docs/analysis.md, Quasi-Monte Carlo)"},
    {"simulation.qmc_points", HP_INT, "paths", "1024", 2, 1073741824, NULL,
     "sobol: points per scramble, a power of two; error bars come from the spread between scrambles, so "
     "n_paths should hold at least 2 (better 8 or more) whole scrambles"},
    {"output.per_year", HP_BOOL, "", "true", 0, 0, NULL,
     "write per-year lines; false keeps only per-path totals, NPV and halvings"},
    {"output.float32", HP_BOOL, "", "false", 0, 0, NULL,
     "store per-year lines as float32 (half the size, 7 significant digits)"},
    {"output.checkpoint_s", HP_DOUBLE, "s", "10", 0, 86400, NULL,
     "seconds between durable progress records (flush, fsync, flags): a kill loses at most the blocks since; 0 = after every wave"},
    HP_PARAM_END
};

void hp_run_params(const hp_model *model, const hp_param **list, size_t cap)
{
    size_t n = 0;
    list[n++] = hp_engine_params;
    for (const hp_param *const *t = model->params; *t != NULL && n + 1 < cap; t++)
        list[n++] = *t;
    list[n] = NULL;
}

/* Per-thread workspaces, allocated once per run. */
static void **alloc_scratch(int n, size_t bytes)
{
    void **s = calloc((size_t)n, sizeof(void *));
    if (s == NULL)
        return NULL;
    for (int i = 0; i < n; i++) {
        s[i] = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
        if (s[i] == NULL)
            return s;   /* caller checks the last one */
    }
    return s;
}

static void free_scratch(void **s, int n)
{
    if (s == NULL)
        return;
    for (int i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

/* One wave: the blocks this rank simulates and then writes together. */
typedef struct wave {
    const uint64_t *blocks;   /* this rank's block indices               */
    size_t nb;                /* how many                                 */
    size_t gn;                /* blocks of the wave over all ranks        */
    size_t g;                 /* index of the wave's first pending block  */
    double *buf;              /* nb * bs path results                     */
    hp_output_enc **enc;      /* nb encoded blocks                        */
} wave;

/* Spawns one task per block of the wave; any thread may run them, each with
 * its own scratch, and each block lands in its own slice of the buffer and
 * its own encoder, so the results cannot depend on who ran what. The task
 * encodes its block too (checksum, compression): that work is spread over
 * the threads, and the writer only writes bytes. */
static void wave_spawn(const hp_model *model, const void *m, const hp_run_opts *o, const hp_output *out,
                       const wave *w, uint64_t bs, size_t path_size, void **scratch)
{
    for (size_t k = 0; k < w->nb; k++) {
        #pragma omp task firstprivate(k)
        {
            uint64_t first = w->blocks[k] * bs;
            uint64_t last = first + hp_block_paths(w->blocks[k], bs, o->n_paths);
            double *dst = w->buf + k * bs * path_size;   /* only the last block is short */
            void *ws = scratch[omp_get_thread_num()];
            for (uint64_t p = first; p < last; p++)
                model->simulate_path(m, o->seed, p, dst + (p - first) * path_size, ws);
            hp_output_encode(out, w->blocks[k], dst, w->enc[k]);
        }
    }
}

/* per encoders (one per block of a wave); NULL when out of memory. */
static hp_output_enc **alloc_encoders(const hp_output *out, uint64_t per)
{
    hp_output_enc **e = calloc(per, sizeof *e);
    for (uint64_t i = 0; e != NULL && i < per; i++)
        if ((e[i] = hp_output_enc_new(out)) == NULL) {
            for (uint64_t j = 0; j < i; j++)
                hp_output_enc_free(e[j]);
            free(e);
            return NULL;
        }
    return e;
}

static void free_encoders(hp_output_enc **e, uint64_t per)
{
    for (uint64_t i = 0; e != NULL && i < per; i++)
        hp_output_enc_free(e[i]);
    free(e);
}

/* The wave loop, double-buffered: while the other threads simulate wave w
 * into one buffer, the main thread writes wave w-1 from the other, then
 * joins the simulation. HDF5 and MPI are only ever called from the main
 * thread (the `master` region: the thread that called MPI_Init, as
 * MPI_THREAD_FUNNELED requires), in the same order on every MPI rank. The other threads reach the end of
 * the parallel region at once and run the tasks from there. */
int hp_run(const hp_model *model, const void *m, const hp_run_opts *o,
           hp_output *out, hp_run_stats *stats, hp_err *err)
{
    const hp_layout *l = model->layout(m);
    const size_t path_size = hp_layout_path_size(l);
    const uint64_t bs = hp_output_block_size(out);
    const int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
    const uint64_t per = (uint64_t)hp_par_max_i64(2 * (int64_t)threads);
    const uint64_t rank = (uint64_t)hp_par_rank(), size = (uint64_t)hp_par_size();
    const size_t scratch_bytes = model->scratch_bytes(m);

    double t0 = hp_now(), t_write = 0;
    size_t n_pending = 0;
    uint64_t *pending = hp_output_pending(out, &n_pending);
    double *buf[2];
    buf[0] = malloc(per * bs * path_size * sizeof(double));
    buf[1] = malloc(per * bs * path_size * sizeof(double));
    hp_output_enc **enc[2] = { alloc_encoders(out, per), alloc_encoders(out, per) };
    void **scratch = alloc_scratch(threads, scratch_bytes);
    int rc = 0;
    if (bs == 0)
        rc = hp_fail(err, NULL, 0, NULL, "the output has no block size");
    else if (pending == NULL || buf[0] == NULL || buf[1] == NULL || scratch == NULL ||
             scratch[threads - 1] == NULL || enc[0] == NULL || enc[1] == NULL)
        rc = hp_fail(err, NULL, 0, NULL, "out of memory for %llu-path blocks", (unsigned long long)bs);
    rc = hp_par_agree(rc, err);

    uint64_t todo = 0;
    for (size_t i = 0; rc == 0 && i < n_pending; i++)
        todo += hp_block_paths(pending[i], bs, o->n_paths);
    uint64_t done = o->n_paths - todo, ran = 0;   /* on disk; simulated by this run */
    int interrupted = 0;
    hp_progress prog;
    hp_progress_start(&prog, todo, o->quiet || rank != 0);

    #pragma omp parallel num_threads(threads)
    #pragma omp master
    {
        wave prev = {0}, cur = {0};
        int have_prev = 0, stopping = 0;
        for (size_t g = 0, w = 0; rc == 0 && (have_prev || (!stopping && g < n_pending)); w++) {
            int have_cur = !stopping && g < n_pending;
            if (have_cur) {
                cur.g = g;
                cur.gn = n_pending - g < per * size ? n_pending - g : per * size;
                size_t lo = rank * per < cur.gn ? rank * per : cur.gn;
                cur.nb = cur.gn - lo < per ? cur.gn - lo : per;
                cur.blocks = pending + g + lo;
                cur.buf = buf[w & 1];
                cur.enc = enc[w & 1];
                wave_spawn(model, m, o, out, &cur, bs, path_size, scratch);
                g += cur.gn;
            }
            if (have_prev) {
                double tw = hp_now();
                rc = hp_output_write_encoded(out, prev.enc, prev.nb, err);
                t_write += hp_now() - tw;
                for (size_t k = 0; k < prev.gn; k++)
                    ran += hp_block_paths(pending[prev.g + k], bs, o->n_paths);
                done = o->n_paths - todo + ran;
                hp_progress_update(&prog, ran);
                if (rc == 0 && !stopping && hp_par_any(o->stop != NULL && *o->stop))
                    stopping = 1;   /* the wave in hand is still written */
            }
            #pragma omp taskwait
            prev = cur;
            have_prev = have_cur;
        }
        if (rc == 0 && stopping) {
            rc = hp_fail(err, NULL, 0, NULL, "interrupted after %llu of %llu paths",
                         (unsigned long long)done, (unsigned long long)o->n_paths);
            interrupted = 1;
        }
    }
    if (rc == 0)
        hp_progress_finish(&prog, ran);
    free(pending);
    free(buf[0]);
    free(buf[1]);
    free_encoders(enc[0], per);
    free_encoders(enc[1], per);
    free_scratch(scratch, threads);
    if (stats != NULL) {
        stats->wall_s = hp_now() - t0;
        stats->write_s = t_write;
        stats->paths = ran;
        stats->interrupted = interrupted;
    }
    return rc;
}
