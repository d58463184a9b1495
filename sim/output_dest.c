/* output_dest: the destination of a results file (see output_int.h).
 *
 * The file is written as "<path>.partial" beside its final name, so the
 * final rename is atomic and --resume finds it by name; these checks run
 * before any simulation is spent on it. */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE */
#include "output_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- destination checks ---------------------------------------------- */

/* "<path>.partial": the name of the file being written; same directory,
 * so the final rename is atomic, and a fixed name, so --resume finds it. */
char *hp_output_partial_name(const char *path)
{
    size_t n = strlen(path) + sizeof ".partial";
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s.partial", path);
    return t;
}

/* "<path>.tmp.<pid>": a throw-away name for probing the directory. */
static char *tmp_name(const char *path)
{
    size_t n = strlen(path) + 32;
    char *t = malloc(n);
    if (t != NULL)
        snprintf(t, n, "%s.tmp.%ld", path, (long)getpid());
    return t;
}

/* The directory part of path ("." when there is none). */
static void dir_of(const char *path, char *dir, size_t n)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        snprintf(dir, n, ".");
    else if (slash == path)
        snprintf(dir, n, "/");
    else
        snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

/* Creating the temporary file is the only honest writability test: access()
 * says yes to root on a read-only mount or a 0555 directory. */
static int probe_dir(const char *path, hp_err *err)
{
    char dir[4096];
    struct stat st;
    dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            return hp_fail(err, path, 0, NULL, "cannot write: directory '%s' does not exist", dir);
        return hp_fail(err, path, 0, NULL, "cannot write: '%s': %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return hp_fail(err, path, 0, NULL, "cannot write: '%s' is not a directory", dir);
    char *tmp = tmp_name(path);
    if (tmp == NULL)
        return hp_fail(err, path, 0, NULL, "out of memory");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        int e = errno;
        free(tmp);
        return hp_fail(err, path, 0, NULL, "cannot write: %s", strerror(e));
    }
    close(fd);
    unlink(tmp);
    free(tmp);
    return 0;
}

/* Checks the destination before any simulation is spent on it. */
int hp_output_check(const hp_output_opts *o, hp_err *err)
{
    struct stat st;
    if (o->path == NULL || o->path[0] == '\0')
        return hp_fail(err, NULL, 0, "output", "no output file given");
    if (stat(o->path, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return hp_fail(err, o->path, 0, NULL, "is a directory");
        if (!o->force)
            return hp_fail(err, o->path, 0, NULL, "exists; use --force to overwrite");
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return hp_fail(err, o->path, 0, NULL, "cannot write: %s", strerror(errno));
    }
    char *partial = hp_output_partial_name(o->path);
    int left = partial != NULL && !o->force && stat(partial, &st) == 0;
    free(partial);
    if (left)
        return hp_fail(err, o->path, 0, NULL, "an interrupted run left %s.partial; finish it with "
                       "'hashpivot run --resume %s', or start over with --force", o->path, o->path);
    return probe_dir(o->path, err);
}



/* Data on disk before the name points at it, so a crash never leaves a
 * "complete" file with missing blocks. */
int out_sync_file(const char *name)
{
    int fd = open(name, O_RDONLY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* rename(2) that refuses to replace an existing file unless force: the
 * file may have appeared while the simulation ran. */
int out_rename_final(const char *tmp, const char *path, int force)
{
    if (force)
        return rename(tmp, path);
    if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
        return 0;
    if (errno != EINVAL && errno != ENOSYS)
        return -1;
    if (link(tmp, path) == 0) /* file systems without RENAME_NOREPLACE */
        return unlink(tmp);
    return -1;
}
