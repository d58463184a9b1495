/* trace: daily series of every path as a NumPy structured array (see trace.h). */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */
#include "trace.h"

#include <errno.h>
#include <fcntl.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The .npy header: magic, version 1.0, header length, then a Python dict
 * literal padded with spaces and ended by '\n' so that the data start at a
 * multiple of 64 bytes (NumPy's format specification). */
static int npy_header(char *buf, size_t cap, const char *const *names, int n_vars,
                      uint64_t n_paths, int n_days, size_t *len)
{
    char dict[65536];
    size_t k = 0;
    k += (size_t)snprintf(dict + k, sizeof dict - k, "{'descr': [");
    for (int v = 0; v < n_vars && k < sizeof dict; v++)
        k += (size_t)snprintf(dict + k, sizeof dict - k, "('%s', '<f8'), ", names[v]);
    if (k >= sizeof dict)
        return -1;
    k += (size_t)snprintf(dict + k, sizeof dict - k,
                          "], 'fortran_order': False, 'shape': (%llu, %d), }",
                          (unsigned long long)n_paths, n_days);
    if (k >= sizeof dict)
        return -1;
    size_t total = 10 + k + 1;
    total = (total + 63) / 64 * 64;
    if (total > cap || total - 10 > 65535)
        return -1;
    memcpy(buf, "\x93NUMPY\x01\x00", 8);
    buf[8] = (char)((total - 10) & 0xff);
    buf[9] = (char)((total - 10) >> 8);
    memcpy(buf + 10, dict, k);
    memset(buf + 10 + k, ' ', total - 10 - k - 1);
    buf[total - 1] = '\n';
    *len = total;
    return 0;
}

/* pwrite until done (a short write is not an error by itself). */
static int write_all(int fd, const void *p, size_t n, off_t off)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = pwrite(fd, c, n, off);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        c += w;
        n -= (size_t)w;
        off += w;
    }
    return 0;
}

/* The file's directory entry must reach the disk too, or a crash after
 * the rename can leave the old name (or none). */
static int sync_dir(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        snprintf(dir, sizeof dir, ".");
    else if (slash == dir)
        dir[1] = '\0';
    else
        *slash = '\0';
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int hp_trace_run(const hp_model *model, const void *m, const hp_trace_opts *o, hp_err *err)
{
    if (model->trace_vars == NULL || model->simulate_trace == NULL)
        return hp_fail(err, NULL, 0, NULL, "model %s has no daily trace", model->name);
    const char *const *names;
    int n_vars = model->trace_vars(m, &names);
    const hp_layout *l = model->layout(m);
    int n_days = l->n_days;
    if (!o->force && access(o->path, F_OK) == 0)
        return hp_fail(err, o->path, 0, NULL, "exists (use --force to replace it)");
    char header[65600];
    size_t hlen;
    if (npy_header(header, sizeof header, names, n_vars, o->n_paths, n_days, &hlen) != 0)
        return hp_fail(err, o->path, 0, NULL, "too many trace variables for a .npy header");

    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.partial", o->path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (fd < 0)
        return hp_fail(err, tmp, 0, NULL, "cannot create: %s", strerror(errno));
    int failed = write_all(fd, header, hlen, 0) != 0 ? errno : 0;

    size_t path_doubles = (size_t)n_days * (size_t)n_vars;
    size_t out_doubles = hp_layout_path_size(l), scratch = model->scratch_bytes(m);
    int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
#pragma omp parallel num_threads(threads)
    {
        double *tr = malloc(path_doubles * sizeof(double));
        double *out = malloc(out_doubles * sizeof(double));
        void *ws = malloc(scratch > 0 ? scratch : 1);
        if (tr == NULL || out == NULL || ws == NULL) {
#pragma omp critical(hp_trace_failed)
            failed = ENOMEM;
        }
#pragma omp for schedule(dynamic, 8)
        for (uint64_t p = 0; p < o->n_paths; p++) {
            int bad;
#pragma omp critical(hp_trace_failed)
            bad = failed;
            if (bad || tr == NULL || out == NULL || ws == NULL)
                continue;
            model->simulate_trace(m, o->seed, o->first + p, out, ws, tr);
            off_t off = (off_t)hlen + (off_t)(p * path_doubles * sizeof(double));
            if (write_all(fd, tr, path_doubles * sizeof(double), off) != 0) {
#pragma omp critical(hp_trace_failed)
                failed = errno;
            }
        }
        free(tr);
        free(out);
        free(ws);
    }
    if (!failed && fsync(fd) != 0)
        failed = errno;
    if (close(fd) != 0 && !failed)
        failed = errno;
    if (failed) {
        unlink(tmp);
        return hp_fail(err, o->path, 0, NULL, "cannot write: %s", strerror(failed));
    }
    int rc = o->force ? rename(tmp, o->path)
                      : renameat2(AT_FDCWD, tmp, AT_FDCWD, o->path, RENAME_NOREPLACE);
    if (rc != 0) {
        int e = errno;
        unlink(tmp);
        return hp_fail(err, o->path, 0, NULL, "cannot rename %s to it: %s", tmp, strerror(e));
    }
    if (sync_dir(o->path) != 0)
        return hp_fail(err, o->path, 0, NULL, "cannot sync its directory: %s", strerror(errno));
    return 0;
}
