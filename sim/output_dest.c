/* output_dest: the destination of a results file (see output_int.h).
 *
 * The file is written as "<path>.partial" beside its final name, so the
 * final rename is atomic and --resume finds it by name. It is created
 * exclusively (O_EXCL through H5F_ACC_EXCL: never through a symbolic link,
 * never over another run's file) and, while a run writes it, rank 0 holds a
 * write lock on it, so that a second run to the same name, even with
 * --force, cannot destroy it. The lock is our own (an open file description
 * lock, fcntl F_OFD_SETLK): HDF5's own flock is off for our files (it does
 * not exist under MPI-IO, and many parallel file systems lack flock). */
#define _GNU_SOURCE /* renameat2, RENAME_NOREPLACE, F_OFD_SETLK */
#include "output_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "fsutil.h"
#include "par.h"

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

/* The directory must exist and be writable. No probe file is created: the
 * exclusive creation of the partial file is the real test, and a probe
 * name can be a symbolic link planted to truncate another file. */
static int check_dir(const char *path, hp_err *err)
{
    char dir[4096];
    struct stat st;
    hp_dir_of(path, dir, sizeof dir);
    if (stat(dir, &st) != 0) {
        if (errno == ENOENT)
            return hp_fail(err, path, 0, NULL, "cannot write: directory '%s' does not exist", dir);
        return hp_fail(err, path, 0, NULL, "cannot write: '%s': %s", dir, strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return hp_fail(err, path, 0, NULL, "cannot write: '%s' is not a directory", dir);
    if (access(dir, W_OK | X_OK) != 0)
        return hp_fail(err, path, 0, NULL, "cannot write: %s", strerror(errno));
    return 0;
}

/* Checks the destination before any simulation is spent on it. lstat: a
 * symbolic link at the final name counts as a file there. */
int hp_output_check(const hp_output_opts *o, hp_err *err)
{
    struct stat st;
    if (o->path == NULL || o->path[0] == '\0')
        return hp_fail(err, NULL, 0, "output", "no output file given");
    if (stat(o->path, &st) == 0 && S_ISDIR(st.st_mode))
        return hp_fail(err, o->path, 0, NULL, "is a directory");
    if (lstat(o->path, &st) == 0) {
        if (!o->force)
            return hp_fail(err, o->path, 0, NULL, "exists; use --force to overwrite");
    } else if (errno != ENOENT && errno != ENOTDIR) {
        return hp_fail(err, o->path, 0, NULL, "cannot write: %s", strerror(errno));
    }
    char *partial = hp_output_partial_name(o->path);
    int left = partial != NULL && !o->force && lstat(partial, &st) == 0;
    free(partial);
    if (left)
        return hp_fail(err, o->path, 0, NULL, "an interrupted run left %s.partial; finish it with "
                       "'hashpivot run --resume %s', or start over with --force", o->path, o->path);
    return check_dir(o->path, err);
}

/* A write lock on the whole of fd's file, held as long as fd is open (an
 * open file description lock: closing another descriptor of the same file,
 * as HDF5 does, does not drop it). 0, 1 when another process holds it, -1
 * when the file system has no locks (then we go on without). */
static int lock_fd(int fd)
{
    struct flock fl;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
    if (fcntl(fd, F_OFD_SETLK, &fl) == 0)
        return 0;
#else
    if (fcntl(fd, F_SETLK, &fl) == 0)
        return 0;
#endif
    return errno == EAGAIN || errno == EACCES ? 1 : -1;
}

/* With --force: removes a partial file left by an interrupted run, unless
 * a run is still writing it. A symbolic link is removed, not followed. */
int out_clear_partial(const char *tmp, hp_err *err)
{
    int fd = open(tmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd >= 0 && lock_fd(fd) == 1) {
        close(fd);
        return hp_fail(err, tmp, 0, NULL, "another hashpivot run is writing it; wait for it, or stop it first");
    }
    int rc = unlink(tmp) == 0 || errno == ENOENT ? 0 : hp_fail(err, tmp, 0, NULL, "cannot remove: %s", strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Rank 0 takes the writer's lock on the partial file (after creating it,
 * or before resuming it). */
int out_lock(hp_output *w, int creating, hp_err *err)
{
    if (hp_par_rank() != 0)
        return 0;
    int fd = open(w->tmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return hp_fail(err, w->tmp, 0, NULL, "cannot %s: %s", creating ? "lock" : "resume", strerror(errno));
    if (lock_fd(fd) == 1) {
        close(fd);
        return hp_fail(err, w->tmp, 0, NULL, "%sanother hashpivot run is writing it",
                       creating ? "" : "cannot resume: ");
    }
    w->lock_fd = fd;
    return 0;
}

void out_unlock(hp_output *w)
{
    out_release_space(w);
    if (w->lock_fd >= 0)
        close(w->lock_fd);
    w->lock_fd = -1;
}

/* The file HDF5 has open is the one we locked: nobody replaced the name in
 * between (a --force run of an old build, say). Serial driver only. */
int out_same_file(hp_output *w, hp_err *err)
{
    int *fd = NULL;
    struct stat a, b;
    if (w->lock_fd < 0)
        return 0;
    if (H5Fget_vfd_handle(w->file, H5P_DEFAULT, (void **)&fd) < 0 || fd == NULL
        || fstat(*fd, &a) != 0 || fstat(w->lock_fd, &b) != 0)
        return hp_fail(err, w->tmp, 0, NULL, "cannot check the file's identity");
    if (a.st_dev != b.st_dev || a.st_ino != b.st_ino)
        return hp_fail(err, w->tmp, 0, NULL, "was replaced by another process while being opened");
    return 0;
}

/* ---- room on the disk ------------------------------------------------------------ */

#define SLACK (64u << 10)   /* metadata HDF5 may add besides the chunks */

/* Makes sure the next `bytes` bytes the writer adds to the file fit, before
 * HDF5 is asked to write them: blocks are reserved for the file beyond its
 * end (fallocate, FALLOC_FL_KEEP_SIZE), so a full disk is met here, where
 * it is one clean error, and never inside HDF5, whose file could then no
 * longer be flushed or closed (output_io.c, close_file). A file system
 * without fallocate gets a free-space check instead. Rank 0. */
int out_reserve_space(hp_output *w, uint64_t bytes, hp_err *err)
{
    struct stat st;
    if (hp_par_rank() != 0 || w->lock_fd < 0 || fstat(w->lock_fd, &st) != 0)
        return 0;
    uint64_t end = (uint64_t)st.st_size + bytes + SLACK;
    if (end <= w->reserved_to)
        return 0;
    uint64_t from = (uint64_t)st.st_size > w->reserved_to ? (uint64_t)st.st_size : w->reserved_to;
    if (fallocate(w->lock_fd, FALLOC_FL_KEEP_SIZE, (off_t)from, (off_t)(end - from)) == 0) {
        w->reserved_to = end;
        return 0;
    }
    if (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL)
        return hp_fail(err, w->tmp, 0, NULL, "cannot write: %s", strerror(errno));
    struct statvfs sv;
    if (fstatvfs(w->lock_fd, &sv) == 0 && (double)sv.f_bavail * (double)sv.f_frsize < (double)(end - from))
        return hp_fail(err, w->tmp, 0, NULL, "cannot write: %s", strerror(ENOSPC));
    return 0;
}

/* Gives back what was reserved and not used, once HDF5 has closed the
 * file (it does not know of the reservation). */
void out_release_space(hp_output *w)
{
    struct stat st;
    if (w->lock_fd < 0 || w->reserved_to == 0 || fstat(w->lock_fd, &st) != 0)
        return;
    if ((uint64_t)st.st_size < w->reserved_to)
        fallocate(w->lock_fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, st.st_size,
                  (off_t)(w->reserved_to - (uint64_t)st.st_size));
    w->reserved_to = 0;
}
