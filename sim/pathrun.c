/* pathrun: paths simulated in process and reduced per path (pathrun.h). */
#include "pathrun.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

int hp_layout_find(const hp_layout *l, const char *name, size_t *offset, size_t *size)
{
    size_t off = 0;
    for (int i = 0; i < l->n_vars; i++) {
        size_t sz = hp_var_size(l, &l->vars[i]);
        if (strcmp(l->vars[i].name, name) == 0) {
            *offset = off;
            *size = sz;
            return 0;
        }
        off += sz;
    }
    return -1;
}

static void reduce_slice(const double *result, double *dst, const void *ctx)
{
    const hp_var_slice *s = ctx;
    for (size_t i = 0; i < s->size; i++)
        dst[i] = result[s->offset + i] * s->scale;
}

int hp_reducer_var(const hp_layout *l, const char *name, double scale, hp_var_slice *ctx,
                   hp_reducer *r, hp_err *err)
{
    if (hp_layout_find(l, name, &ctx->offset, &ctx->size) != 0)
        return hp_fail(err, NULL, 0, name, "the model has no such output variable");
    ctx->scale = scale;
    *r = (hp_reducer){ctx->size, reduce_slice, ctx};
    return 0;
}

/* Each thread owns a result array and a workspace (and, revaluing, a
 * second result array and a valuation record); any thread may take any
 * path (dynamic schedule: paths differ in cost, e.g. by tranche events),
 * and each path's reduction lands in its own slot. */
static int run(const hp_model *model, const void *m, const void *const *vm, int n_val,
               uint64_t seed, uint64_t first, uint64_t count, int threads, const hp_reducer *r,
               double *out, double *const *vout, hp_err *err)
{
    const size_t path_size = hp_layout_path_size(model->layout(m));
    const size_t ws_bytes = (model->scratch_bytes(m) + 64) & ~(size_t)63;
    const size_t rec_bytes = n_val > 0 ? (model->record_bytes(m) + 64) & ~(size_t)63 : 0;
    const int nt = threads > 0 ? threads : omp_get_max_threads();
    double **res = calloc((size_t)nt, sizeof *res), **res2 = calloc((size_t)nt, sizeof *res2);
    void **ws = calloc((size_t)nt, sizeof *ws), **rec = calloc((size_t)nt, sizeof *rec);
    int ok = res != NULL && res2 != NULL && ws != NULL && rec != NULL;
    for (int t = 0; ok && t < nt; t++) {
        res[t] = malloc((path_size + 1) * sizeof **res);
        ws[t] = aligned_alloc(64, ws_bytes);
        ok = res[t] != NULL && ws[t] != NULL;
        if (ok && n_val > 0) {
            res2[t] = malloc((path_size + 1) * sizeof **res2);
            rec[t] = aligned_alloc(64, rec_bytes);
            ok = res2[t] != NULL && rec[t] != NULL;
        }
    }
    if (ok) {
        #pragma omp parallel for num_threads(nt) schedule(dynamic, 8)
        for (uint64_t i = 0; i < count; i++) {
            int t = omp_get_thread_num();
            if (n_val == 0) {
                model->simulate_path(m, seed, first + i, res[t], ws[t]);
            } else {
                model->simulate_record(m, seed, first + i, res[t], ws[t], rec[t]);
                for (int j = 0; j < n_val; j++) {
                    model->revalue(vm[j], rec[t], res[t], res2[t]);
                    r->fn(res2[t], vout[j] + i * r->width, r->ctx);
                }
            }
            r->fn(res[t], out + i * r->width, r->ctx);
        }
    }
    for (int t = 0; t < nt && res != NULL && res2 != NULL && ws != NULL && rec != NULL; t++) {
        free(res[t]);
        free(res2[t]);
        free(ws[t]);
        free(rec[t]);
    }
    free(res);
    free(res2);
    free(ws);
    free(rec);
    return ok ? 0 : hp_fail(err, NULL, 0, NULL, "out of memory for %d path workspaces", nt);
}

int hp_pathrun(const hp_model *model, const void *m, uint64_t seed, uint64_t first,
               uint64_t count, int threads, const hp_reducer *r, double *out, hp_err *err)
{
    return run(model, m, NULL, 0, seed, first, count, threads, r, out, NULL, err);
}

int hp_pathrun_revalue(const hp_model *model, const void *m, const void *const *vm, int n_val,
                       uint64_t seed, uint64_t first, uint64_t count, int threads,
                       const hp_reducer *r, double *out, double *const *vout, hp_err *err)
{
    if (n_val > 0 && model->revalue == NULL)
        return hp_fail(err, NULL, 0, NULL, "model %s cannot revalue its paths", model->name);
    return run(model, m, vm, n_val, seed, first, count, threads, r, out, vout, err);
}
