/* preflight: memory and disk a run needs, checked first (see preflight.h). */
#include "preflight.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* "1.2 GB", "3.4 TB": decimal units, as df -H shows them. */
static void fmt_bytes(char buf[32], double b)
{
    static const char *const unit[] = {"bytes", "kB", "MB", "GB", "TB", "PB", "EB"};
    int u = 0;
    while (b >= 1000 && u < 6) {
        b /= 1000;
        u++;
    }
    snprintf(buf, 32, u == 0 ? "%.0f %s" : "%.3g %s", b, unit[u]);
}

double hp_preflight_path_bytes(const hp_layout *l, int per_year, int float32)
{
    double bytes = 0, line = float32 ? 4 : 8;
    for (int i = 0; i < l->n_vars; i++) {
        const hp_var *v = &l->vars[i];
        switch (v->shape) {
        case HP_SHAPE_PATH_YEAR:
            bytes += per_year ? line * l->n_years : 0;
            break;
        case HP_SHAPE_ALLOC_PATH_YEAR:
            bytes += per_year ? line * l->n_alloc * l->n_years : 0;
            bytes += v->total ? 8.0 * l->n_alloc : 0;
            break;
        case HP_SHAPE_ALLOC_PATH:
            bytes += 8.0 * l->n_alloc;
            break;
        case HP_SHAPE_ALLOC_PATH_HALVING:
            bytes += 4.0 * l->n_alloc * l->n_halvings;
            break;
        case HP_SHAPE_PATH:
            bytes += 8.0;
            break;
        }
    }
    return bytes;
}

/* The directory a file will be created in ("." for a bare name). */
static void parent_dir(const char *path, char *buf, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(buf, n, ".");
    else if (slash == path)
        snprintf(buf, n, "/");
    else
        snprintf(buf, n, "%.*s", (int)(slash - path), path);
}

/* Wave buffers and workspaces against physical memory. */
static int check_memory(const hp_config *cfg, const hp_layout *l, size_t scratch_bytes,
                        int threads, int node_ranks, hp_err *err)
{
    double bs = (double)hp_cfg_int(cfg, "simulation.block_size");
    double buffers = 2.0 * (2.0 * threads) * bs * (double)hp_layout_path_size(l) * sizeof(double);
    double work = (double)threads * (double)scratch_bytes;
    double need = (buffers + work) * (node_ranks > 0 ? node_ranks : 1);
    double have = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (!(have > 0) || need <= 0.75 * have)
        return 0;
    char n[32], h[32], w[32];
    fmt_bytes(n, need);
    fmt_bytes(h, have);
    fmt_bytes(w, work);
    if (buffers >= work)
        return hp_cfg_fail(cfg, err, "simulation.block_size",
                           "%.0f-path blocks need %s of memory (%d thread%s, %d blocks in flight, "
                           "double-buffered%s) but this machine has %s: use a smaller block size",
                           bs, n, threads, threads == 1 ? "" : "s", 2 * threads,
                           node_ranks > 1 ? ", for every rank on the node" : "", h);
    return hp_fail(err, NULL, 0, NULL, "the model needs %s of workspace for %d thread%s but this "
                   "machine has %s of memory: use fewer threads (-j)", w, threads,
                   threads == 1 ? "" : "s", h);
}

/* The results file against the free space where it will be written. */
static int check_disk(const hp_config *cfg, const hp_layout *l, const char *outpath, hp_err *err)
{
    char dir[4096];
    struct statvfs fs;
    parent_dir(outpath, dir, sizeof dir);
    if (statvfs(dir, &fs) != 0)
        return 0;      /* the output checks say why the place is unusable */
    double paths = (double)hp_cfg_int(cfg, "simulation.n_paths");
    double raw = hp_preflight_path_bytes(l, hp_cfg_bool(cfg, "output.per_year"),
                                         hp_cfg_bool(cfg, "output.float32"));
    double need = paths * raw / HP_PREFLIGHT_DEFLATE;
    double have = (double)fs.f_bavail * (double)fs.f_frsize;
    if (need <= have)
        return 0;
    char n[32], h[32], r[32];
    fmt_bytes(n, need);
    fmt_bytes(h, have);
    fmt_bytes(r, raw);
    return hp_cfg_fail(cfg, err, "simulation.n_paths",
                       "%.0f paths need at least %s for %s (%s per path before compression) but "
                       "%s has %s free%s", paths, n, outpath, r, dir, h,
                       hp_cfg_bool(cfg, "output.per_year") ? "; output.per_year = false keeps "
                       "only totals, NPV and halvings" : "");
}

int hp_preflight(const hp_config *cfg, const hp_layout *l, size_t scratch_bytes, int threads,
                 int node_ranks, const char *outpath, hp_err *err)
{
    if (check_memory(cfg, l, scratch_bytes, threads, node_ranks, err) != 0)
        return -1;
    return outpath != NULL ? check_disk(cfg, l, outpath, err) : 0;
}
