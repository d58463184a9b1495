/* readfile: a whole text file as a string, bounded (see readfile.h). */
#include "readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* max_bytes in words: "1 MiB", "64 KiB", "9 bytes". */
static void size_text(size_t bytes, char *buf, size_t n)
{
    if (bytes >= (1u << 20) && bytes % (1u << 20) == 0)
        snprintf(buf, n, "%zu MiB", bytes >> 20);
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(buf, n, "%zu KiB", bytes >> 10);
    else
        snprintf(buf, n, "%zu bytes", bytes);
}

char *hp_read_file(const char *path, const char *what, size_t max_bytes, size_t *len, hp_err *err)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        hp_fail(err, path, 0, NULL, "cannot read %s: %s", what, strerror(errno));
        return NULL;
    }
    const char *why = NULL;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode))
            why = strerror(EISDIR);
        /* A device (/dev/zero, a terminal) is no text file, and reading one
         * may never end; a pipe is allowed (hashpivot validate <(...)). */
        else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
            why = "it is a device, not a file";
    }
    if (why != NULL) {
        fclose(f);
        hp_fail(err, path, 0, NULL, "cannot read %s: %s", what, why);
        return NULL;
    }
    /* Grown as it fills, and never read far past max_bytes: a file cannot
     * take more memory than the bound, whatever it claims to be. */
    size_t cap = 4096, n = 0, r;
    char *buf = malloc(cap);
    while (buf != NULL && (r = fread(buf + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n > max_bytes)
            break;
        if (n + 1 == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
            } else {
                buf = nb;
                cap *= 2;
            }
        }
    }
    int failed = ferror(f), e = errno;
    fclose(f);
    why = buf == NULL ? "out of memory" : failed ? strerror(e) : NULL;
    char over[64];
    if (why == NULL && n > max_bytes) {
        char size[32];
        size_text(max_bytes, size, sizeof size);
        snprintf(over, sizeof over, "it is larger than %s", size);
        why = over;
    }
    if (why == NULL) {
        buf[n] = '\0';
        if (strlen(buf) != n)
            why = "it contains a NUL byte (not a text file)";
    }
    if (why != NULL) {
        free(buf);
        hp_fail(err, path, 0, NULL, "cannot read %s: %s", what, why);
        return NULL;
    }
    if (len != NULL)
        *len = n;
    return buf;
}
