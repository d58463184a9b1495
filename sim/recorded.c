/* recorded: paths kept with their valuation records (recorded.h). */
#include "recorded.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

void hp_recorded_free(hp_recorded *r)
{
    free(r->results);
    free(r->records);
    *r = (hp_recorded){0};
}

/* Per-thread result arrays and workspaces, for nt threads. */
typedef struct thread_bufs {
    int nt;
    double **res;
    void **ws;
} thread_bufs;

static void bufs_free(thread_bufs *b)
{
    for (int t = 0; t < b->nt && b->res != NULL && b->ws != NULL; t++) {
        free(b->res[t]);
        free(b->ws[t]);
    }
    free(b->res);
    free(b->ws);
}

static int bufs_alloc(thread_bufs *b, int threads, size_t path_size, size_t ws_bytes, hp_err *err)
{
    b->nt = threads > 0 ? threads : omp_get_max_threads();
    b->res = calloc((size_t)b->nt, sizeof *b->res);
    b->ws = calloc((size_t)b->nt, sizeof *b->ws);
    int ok = b->res != NULL && b->ws != NULL;
    for (int t = 0; ok && t < b->nt; t++) {
        b->res[t] = malloc((path_size + 1) * sizeof **b->res);
        b->ws[t] = aligned_alloc(64, ws_bytes);
        ok = b->res[t] != NULL && b->ws[t] != NULL;
    }
    if (ok)
        return 0;
    bufs_free(b);
    return hp_fail(err, NULL, 0, NULL, "out of memory for %d path workspaces", b->nt);
}

int hp_recorded_init(hp_recorded *r, const hp_model *model, const void *m, uint64_t seed,
                     uint64_t first, uint64_t asked, size_t budget, int threads, hp_err *err)
{
    *r = (hp_recorded){.model = model, .m = m, .seed = seed, .first = first, .asked = asked};
    if (model->revalue == NULL)
        return hp_fail(err, NULL, 0, NULL, "model %s cannot revalue its paths", model->name);
    r->path_size = hp_layout_path_size(model->layout(m));
    r->rec_bytes = (model->record_bytes(m) + 63) & ~(size_t)63;
    size_t per_path = r->rec_bytes + r->path_size * sizeof(double);
    uint64_t fit = budget / per_path;
    r->count = asked < fit ? asked : fit;
    if (r->count == 0)
        return 0;
    r->results = malloc((size_t)r->count * r->path_size * sizeof *r->results);
    r->records = aligned_alloc(64, (size_t)r->count * r->rec_bytes);
    if (r->results == NULL || r->records == NULL) {  /* keep none: all simulated */
        free(r->results);
        free(r->records);
        r->results = NULL;
        r->records = NULL;
        r->count = 0;
        return 0;
    }
    thread_bufs b;
    if (bufs_alloc(&b, threads, 0, (model->scratch_bytes(m) + 64) & ~(size_t)63, err) != 0) {
        hp_recorded_free(r);
        return -1;
    }
    const uint64_t n = r->count;
    #pragma omp parallel for num_threads(b.nt) schedule(dynamic, 8)
    for (uint64_t i = 0; i < n; i++) {
        int t = omp_get_thread_num();
        model->simulate_record(m, seed, first + i, r->results + i * r->path_size, b.ws[t],
                               r->records + i * r->rec_bytes);
    }
    bufs_free(&b);
    return 0;
}

int hp_pathrun_recorded(const hp_recorded *r, const void *vm, uint64_t first, uint64_t count,
                        int threads, const hp_reducer *red, double *out, hp_err *err)
{
    const hp_model *model = r->model;
    thread_bufs b;
    if (bufs_alloc(&b, threads, r->path_size, (model->scratch_bytes(vm) + 64) & ~(size_t)63, err) != 0)
        return -1;
    #pragma omp parallel for num_threads(b.nt) schedule(dynamic, 8)
    for (uint64_t i = 0; i < count; i++) {
        int t = omp_get_thread_num();
        uint64_t p = first + i;
        if (p >= r->first && p - r->first < r->count) {
            uint64_t k = p - r->first;
            model->revalue(vm, r->records + k * r->rec_bytes, r->results + k * r->path_size, b.res[t]);
        } else {
            model->simulate_path(vm, r->seed, p, b.res[t], b.ws[t]);
        }
        red->fn(b.res[t], out + i * red->width, red->ctx);
    }
    bufs_free(&b);
    return 0;
}
