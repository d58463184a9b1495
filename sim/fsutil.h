/* fsutil: the file-system steps that make a file durable under its final
 * name, shared by every writer (results, analysis and trace files). A
 * writer syncs the file, renames it to its final name, then syncs the
 * directory that holds the name, as SQLite's unixSync() does. */
#ifndef HP_FSUTIL_H
#define HP_FSUTIL_H

#include <stddef.h>

/* The directory part of path ("." when there is none, "/" for the root). */
void hp_dir_of(const char *path, char *dir, size_t n);

/* fsync of a file by name; 0, or -1 with errno. */
int hp_fsync_file(const char *name);

/* rename(2) that refuses to replace an existing file unless force (errno
 * EEXIST): the file may have appeared while the writer ran. */
int hp_rename_final(const char *tmp, const char *path, int force);

/* fsync of the directory that holds path, after a rename: fsync() of the
 * file makes its data durable, but the rename lives in the directory, and
 * until the directory is synced a power loss can bring back the old name
 * (or nothing) although the file's data is on disk. File systems that
 * refuse fsync on a directory (EINVAL) order the rename themselves: 0. */
int hp_fsync_dir_of(const char *path);

#endif
