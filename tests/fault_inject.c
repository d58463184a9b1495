/* fault_inject: an LD_PRELOAD library that kills its process with SIGKILL
 * just before its N-th change to the file system, for tests/test_faults.sh.
 *
 * A change is any call of pwrite, pwrite64, write, writev, ftruncate,
 * fsync, fdatasync, rename, renameat2, link, unlink on a regular file or
 * a path (writes to terminals and pipes, such as the progress output, do
 * not count). Killing before each of them in turn visits every state a
 * crash can leave on disk, including those in the middle of HDF5's own
 * multi-write flushes.
 *
 *   HP_FAULT_KILL_AT=N   SIGKILL before change N (1-based)
 *   HP_FAULT_LOG=FILE    at exit, append the number of changes made and
 *                        the change number of every fsync, one per line
 *                        ("changes 1234", "fsync 57"): the test takes the
 *                        first fsync as the end of the file's creation
 *
 * Our own code, not a copy: the pattern (dlsym RTLD_NEXT) is the usual one. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_FSYNCS 4096

static long changes, kill_at = -1;
static long fsyncs[MAX_FSYNCS];
static int n_fsyncs, inited;

static void init(void)
{
    if (inited)
        return;
    inited = 1;
    const char *k = getenv("HP_FAULT_KILL_AT");
    if (k != NULL)
        kill_at = atol(k);
}

/* Counts one change; dies first when it is the chosen one. */
static void change(int is_fsync)
{
    init();
    changes++;
    if (changes == kill_at)
        raise(SIGKILL);
    if (is_fsync && n_fsyncs < MAX_FSYNCS)
        fsyncs[n_fsyncs++] = changes;
}

static int regular(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
}

__attribute__((destructor)) static void report(void)
{
    const char *log = getenv("HP_FAULT_LOG");
    if (log == NULL)
        return;
    FILE *f = fopen(log, "a");
    if (f == NULL)
        return;
    fprintf(f, "changes %ld\n", changes);
    for (int i = 0; i < n_fsyncs; i++)
        fprintf(f, "fsync %ld\n", fsyncs[i]);
    fclose(f);
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    if (regular(fd))
        change(0);
    return NEXT(pwrite)(fd, buf, n, off);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off64_t off)
{
    if (regular(fd))
        change(0);
    return NEXT(pwrite64)(fd, buf, n, off);
}

ssize_t write(int fd, const void *buf, size_t n)
{
    if (regular(fd))
        change(0);
    return NEXT(write)(fd, buf, n);
}

ssize_t writev(int fd, const struct iovec *iov, int n)
{
    if (regular(fd))
        change(0);
    return NEXT(writev)(fd, iov, n);
}

int ftruncate(int fd, off_t len)
{
    change(0);
    return NEXT(ftruncate)(fd, len);
}

int ftruncate64(int fd, off64_t len)
{
    change(0);
    return NEXT(ftruncate64)(fd, len);
}

int fsync(int fd)
{
    change(1);
    return NEXT(fsync)(fd);
}

int fdatasync(int fd)
{
    change(1);
    return NEXT(fdatasync)(fd);
}

int rename(const char *a, const char *b)
{
    change(0);
    return NEXT(rename)(a, b);
}

int renameat2(int da, const char *a, int db, const char *b, unsigned flags)
{
    change(0);
    return NEXT(renameat2)(da, a, db, b, flags);
}

int link(const char *a, const char *b)
{
    change(0);
    return NEXT(link)(a, b);
}

int unlink(const char *p)
{
    change(0);
    return NEXT(unlink)(p);
}
