/* driver: blocks of paths over OpenMP threads, one writer (see driver.h). */
#include "driver.h"

#include <omp.h>
#include <stdlib.h>

#include "progress.h"

const hp_param hp_engine_params[] = {
    {"simulation.n_paths", HP_INT, "paths", "10000", 1, 9.0e15, NULL,
     "number of Monte Carlo paths (-n on the command line)"},
    {"simulation.seed", HP_INT, "", "20260101", 0, 9.2e18, NULL,
     "seed of every random stream (-s on the command line)"},
    {"simulation.block_size", HP_INT, "paths", "256", 1, 1048576, NULL,
     "paths per work block; changes memory and scheduling, never results"},
    {"output.per_year", HP_BOOL, "", "true", 0, 0, NULL,
     "write per-year lines; false keeps only per-path totals, NPV and halvings"},
    {"output.float32", HP_BOOL, "", "false", 0, 0, NULL,
     "store per-year lines as float32 (half the size, 7 significant digits)"},
    HP_PARAM_END
};

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

/* The wave loop: threads simulate, then this thread writes. Writing in
 * between waves keeps HDF5 on one thread without locks or queues; its share
 * of wall time is what hp_run_stats reports. */
int hp_run(const hp_model *model, const void *m, const hp_run_opts *o,
           hp_output *out, hp_run_stats *stats, hp_err *err)
{
    const hp_layout *l = model->layout(m);
    const size_t path_size = hp_layout_path_size(l);
    const uint64_t bs = (uint64_t)(o->block_size > 0 ? o->block_size : 256);
    const uint64_t n_blocks = (o->n_paths + bs - 1) / bs;
    const int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
    const uint64_t wave = 2 * (uint64_t)threads;
    const size_t scratch_bytes = model->scratch_bytes(m);

    double t0 = hp_now(), t_write = 0;
    double *buf = malloc(wave * bs * path_size * sizeof(double));
    void **scratch = alloc_scratch(threads, scratch_bytes);
    if (buf == NULL || scratch == NULL || scratch[threads - 1] == NULL) {
        free(buf);
        free_scratch(scratch, threads);
        return hp_fail(err, NULL, 0, NULL, "out of memory for %llu-path blocks",
                       (unsigned long long)bs);
    }

    hp_progress prog;
    hp_progress_start(&prog, o->n_paths, o->quiet);
    int rc = 0;
    for (uint64_t b0 = 0; b0 < n_blocks && rc == 0; b0 += wave) {
        uint64_t nb = n_blocks - b0 < wave ? n_blocks - b0 : wave;
        #pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (uint64_t k = 0; k < nb; k++) {
            uint64_t first = (b0 + k) * bs;
            uint64_t last = first + bs < o->n_paths ? first + bs : o->n_paths;
            double *dst = buf + k * bs * path_size;
            void *ws = scratch[omp_get_thread_num()];
            for (uint64_t p = first; p < last; p++)
                model->simulate_path(m, o->seed, p, dst + (p - first) * path_size, ws);
        }
        double tw = hp_now();
        for (uint64_t k = 0; k < nb && rc == 0; k++) {
            uint64_t first = (b0 + k) * bs;
            uint64_t count = first + bs < o->n_paths ? bs : o->n_paths - first;
            rc = hp_output_write_block(out, first, (size_t)count, buf + k * bs * path_size, err);
        }
        t_write += hp_now() - tw;
        uint64_t done = (b0 + nb) * bs < o->n_paths ? (b0 + nb) * bs : o->n_paths;
        hp_progress_update(&prog, done);
        if (rc == 0 && o->stop != NULL && *o->stop)
            rc = hp_fail(err, NULL, 0, NULL, "interrupted after %llu of %llu paths",
                         (unsigned long long)done, (unsigned long long)o->n_paths);
    }
    if (rc == 0)
        hp_progress_finish(&prog, o->n_paths);
    free(buf);
    free_scratch(scratch, threads);
    if (stats != NULL) {
        stats->wall_s = hp_now() - t0;
        stats->write_s = t_write;
    }
    return rc;
}
