/* recorded: paths kept with their valuation records (recorded.h). */
#include "recorded.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* Paths are kept a chunk at a time, in path order, so that which paths
 * the budget holds depends only on the budget, never on the threads. */
#define KEEP_CHUNK 64

void hp_recorded_free(hp_recorded *r)
{
    for (uint64_t i = 0; r->path != NULL && i < r->count; i++)
        free(r->path[i]);
    free(r->path);
    *r = (hp_recorded){0};
}

/* Per-thread result arrays, workspaces and (recording) full-size
 * records, for nt threads. */
typedef struct thread_bufs {
    int nt;
    double **res;
    void **ws;
    unsigned char **rec;
} thread_bufs;

static void bufs_free(thread_bufs *b)
{
    for (int t = 0; t < b->nt && b->res != NULL && b->ws != NULL && b->rec != NULL; t++) {
        free(b->res[t]);
        free(b->ws[t]);
        free(b->rec[t]);
    }
    free(b->res);
    free(b->ws);
    free(b->rec);
}

static int bufs_alloc(thread_bufs *b, int threads, size_t path_size, size_t ws_bytes, size_t rec_bytes,
                      hp_err *err)
{
    b->nt = threads > 0 ? threads : omp_get_max_threads();
    b->res = calloc((size_t)b->nt, sizeof *b->res);
    b->ws = calloc((size_t)b->nt, sizeof *b->ws);
    b->rec = calloc((size_t)b->nt, sizeof *b->rec);
    int ok = b->res != NULL && b->ws != NULL && b->rec != NULL;
    for (int t = 0; ok && t < b->nt; t++) {
        b->res[t] = malloc((path_size + 1) * sizeof **b->res);
        b->ws[t] = aligned_alloc(64, ws_bytes);
        b->rec[t] = rec_bytes > 0 ? aligned_alloc(64, (rec_bytes + 63) & ~(size_t)63) : NULL;
        ok = b->res[t] != NULL && b->ws[t] != NULL && (rec_bytes == 0 || b->rec[t] != NULL);
    }
    if (ok)
        return 0;
    bufs_free(b);
    return hp_fail(err, NULL, 0, NULL, "out of memory for %d path workspaces", b->nt);
}

int hp_recorded_init(hp_recorded *r, const hp_model *model, const void *m, uint64_t seed,
                     uint64_t first, uint64_t asked, size_t budget, int threads, hp_err *err)
{
    *r = (hp_recorded){.model = model, .seed = seed, .first = first, .asked = asked};
    if (model->revalue == NULL)
        return hp_fail(err, NULL, 0, NULL, "model %s cannot revalue its paths", model->name);
    r->path_size = hp_layout_path_size(model->layout(m));
    const size_t at = HP_RECORDED_AT(r->path_size), full = model->record_bytes(m);
    /* A path takes at least its result: no more slots than that fits. */
    uint64_t slots = budget / at;
    slots = slots < asked ? slots : asked;
    if (slots == 0)
        return 0;
    size_t used[KEEP_CHUNK];
    thread_bufs b;
    if ((r->path = calloc((size_t)slots, sizeof *r->path)) == NULL)
        return hp_fail(err, NULL, 0, NULL, "out of memory for %llu paths", (unsigned long long)slots);
    if (bufs_alloc(&b, threads, r->path_size, (model->scratch_bytes(m) + 64) & ~(size_t)63, full, err) != 0) {
        hp_recorded_free(r);
        return -1;
    }
    int full_up = 0;
    for (uint64_t c0 = 0; !full_up && c0 < slots; c0 += KEEP_CHUNK) {
        const uint64_t n = slots - c0 < KEEP_CHUNK ? slots - c0 : KEEP_CHUNK;
        /* Each thread records into its full-size record, packs it, and
         * keeps the path in a block of its own size. */
        #pragma omp parallel for num_threads(b.nt) schedule(dynamic, 1)
        for (uint64_t i = 0; i < n; i++) {
            int t = omp_get_thread_num();
            model->simulate_record(m, seed, first + c0 + i, b.res[t], b.ws[t], b.rec[t]);
            size_t len = model->record_pack != NULL ? model->record_pack(m, b.rec[t]) : full;
            unsigned char *blk = aligned_alloc(64, (at + len + 63) & ~(size_t)63);
            if (blk != NULL) {
                memcpy(blk, b.res[t], r->path_size * sizeof(double));
                memcpy(blk + at, b.rec[t], len);
            }
            r->path[c0 + i] = blk;
            used[i] = at + len;
        }
        /* Keep a prefix of the paths: up to the first that does not fit
         * (or found no memory; it and the rest are simulated). */
        for (uint64_t i = 0; i < n; i++) {
            if (!full_up && r->path[c0 + i] != NULL && r->bytes + used[i] <= budget) {
                r->bytes += used[i];
                r->count++;
                continue;
            }
            full_up = 1;
            free(r->path[c0 + i]);
            r->path[c0 + i] = NULL;
        }
    }
    bufs_free(&b);
    return 0;
}

int hp_pathrun_recorded(const hp_recorded *r, const void *vm, uint64_t first, uint64_t count,
                        int threads, const hp_reducer *red, double *out, hp_err *err)
{
    const hp_model *model = r->model;
    const size_t at = HP_RECORDED_AT(r->path_size);
    thread_bufs b;
    if (bufs_alloc(&b, threads, r->path_size, (model->scratch_bytes(vm) + 64) & ~(size_t)63, 0, err) != 0)
        return -1;
    #pragma omp parallel for num_threads(b.nt) schedule(dynamic, 8)
    for (uint64_t i = 0; i < count; i++) {
        int t = omp_get_thread_num();
        uint64_t p = first + i;
        if (p >= r->first && p - r->first < r->count) {
            const unsigned char *blk = r->path[p - r->first];
            model->revalue(vm, blk + at, (const double *)(const void *)blk, b.res[t]);
        } else {
            model->simulate_path(vm, r->seed, p, b.res[t], b.ws[t]);
        }
        red->fn(b.res[t], out + i * red->width, red->ctx);
    }
    bufs_free(&b);
    return 0;
}
