/* config_check: helpers of test_config (files in a temporary directory,
 * loads that must fail with a located message, the write-back round trip
 * with every value compared bit for bit). */
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "config_check.h"

/* Writes text to dir/name and returns the path (valid until the next call). */
const char *put(tmp *t, const char *name, const char *text)
{
    snprintf(t->path, sizeof t->path, "%s/%s", t->dir, name);
    FILE *f = fopen(t->path, "w");
    if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
        perror(t->path);
        exit(2);
    }
    return t->path;
}

/* Removes the temporary directory and the files in it. */
void cleanup(const tmp *t)
{
    DIR *d = opendir(t->dir);
    struct dirent *e;
    char p[600];
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", t->dir, e->d_name);
        rmdir(p);               /* the directory used as a "file" */
        unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(t->dir);
}

/* Loads a file that must fail; the message must contain every one of the
 * NULL-terminated fragments and must not contain `absent` (if not NULL). */
void expect_fail_sets(const hp_param *const *tabs, const char *path,
                             const char *const *sets, size_t n_sets, const char *absent,
                             const char *const *frags, int line)
{
    hp_err err = {0};
    hp_config *c = hp_config_load(tabs, path, sets, n_sets, &err);
    CHECK_MSG(c == NULL, "test at line %d: load succeeded", line);
    hp_config_free(c);
    CHECK_MSG(err.set, "test at line %d: no error recorded", line);
    CHECK_MSG(strchr(err.msg, '\n') == NULL, "test at line %d: message has a newline: %s", line,
              err.msg);
    for (const char *const *f = frags; *f; f++)
        CHECK_MSG(strstr(err.msg, *f) != NULL, "test at line %d: '%s' not in: %s", line, *f,
                  err.msg);
    if (absent)
        CHECK_MSG(strstr(err.msg, absent) == NULL, "test at line %d: '%s' in: %s", line, absent,
                  err.msg);
}


/* "path:line: key: " — the prefix every located message starts with. */
int starts_with_loc(const char *msg, const char *path, int line, const char *key)
{
    char want[700];
    if (line > 0)
        snprintf(want, sizeof want, "%s:%d: %s: ", path, line, key);
    else
        snprintf(want, sizeof want, "%s: %s: ", path, key);
    return strncmp(msg, want, strlen(want)) == 0;
}

/* Loads a file with one bad line and checks "path:line: key: ..." plus the
 * fragments of the message. */
void expect_located(const hp_param *const *tables, tmp *t, const char *text, int line,
                    const char *key, const char *const *frags, const char *absent, int at)
{
    const char *path = put(t, "case.cfg", text);
    hp_err err = {0};
    hp_config *c = hp_config_load(tables, path, NULL, 0, &err);
    CHECK_MSG(c == NULL, "test at line %d: load succeeded", at);
    hp_config_free(c);
    CHECK_MSG(starts_with_loc(err.msg, path, line, key),
              "test at line %d: want %s:%d: %s: ..., got: %s", at, path, line, key, err.msg);
    for (const char *const *f = frags; *f; f++)
        CHECK_MSG(strstr(err.msg, *f) != NULL, "test at line %d: '%s' not in: %s", at, *f,
                  err.msg);
    if (absent)
        CHECK_MSG(strstr(err.msg, absent) == NULL, "test at line %d: '%s' in: %s", at, absent,
                  err.msg);
}

/* Loads a file that must be valid (failing the test with its message). */
hp_config *load_ok(const hp_param *const *tabs, const char *path,
                          const char *const *sets, size_t n_sets, int at)
{
    hp_err err = {0};
    hp_config *c = hp_config_load(tabs, path, sets, n_sets, &err);
    CHECK_MSG(c != NULL, "test at line %d: %s", at, err.msg);
    return c;
}

/* Same bits: 0.0 and -0.0 differ, as they should in a round trip. */
int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Is p a field of the records key `rec` (NULL: none)? */
static int is_field_of(const hp_param *p, const char *rec)
{
    size_t n = rec ? strlen(rec) : 0;
    return rec && p->key && strncmp(p->key, rec, n) == 0 && p->key[n] == '.';
}

/* Records `p` (its fields follow it in the table) are identical in a and b. */
static void check_records(const hp_param *p, const hp_config *a, const hp_config *b, int at)
{
    size_t n = hp_cfg_records(a, p->key), len = strlen(p->key);
    CHECK_MSG(n == hp_cfg_records(b, p->key), "line %d: %s: %zu vs %zu records", at, p->key, n,
              hp_cfg_records(b, p->key));
    for (const hp_param *f = p + 1; is_field_of(f, p->key); f++)
        for (size_t i = 0; i < n && i < hp_cfg_records(b, p->key); i++) {
            const char *fk = f->key + len + 1;
            if (f->type == HP_DOUBLE)
                CHECK_MSG(same_bits(hp_cfg_rec_double(a, p->key, i, fk),
                                    hp_cfg_rec_double(b, p->key, i, fk)),
                          "line %d: %s[%zu].%s", at, p->key, i, fk);
            else if (f->type == HP_STRING || f->type == HP_CHOICE || f->type == HP_DATE)
                CHECK_MSG(strcmp(hp_cfg_rec_string(a, p->key, i, fk),
                                 hp_cfg_rec_string(b, p->key, i, fk)) == 0,
                          "line %d: %s[%zu].%s", at, p->key, i, fk);
        }
}

/* Every declared key of `tabs` has the identical value in a and b. */
static void check_identical(const hp_param *const *tabs, const hp_config *a, const hp_config *b,
                            int at)
{
    for (const hp_param *const *tb = tabs; *tb; tb++)
        for (const hp_param *p = *tb, *rec = NULL; p->key; p++) {
            const char *k = p->key;
            if (is_field_of(p, rec ? rec->key : NULL))
                continue;             /* compared with its records */
            switch (p->type) {
            case HP_DOUBLE:
                CHECK_MSG(same_bits(hp_cfg_double(a, k), hp_cfg_double(b, k)),
                          "line %d: %s: %.17g vs %.17g", at, k, hp_cfg_double(a, k),
                          hp_cfg_double(b, k));
                break;
            case HP_INT:
                CHECK_MSG(hp_cfg_int(a, k) == hp_cfg_int(b, k), "line %d: %s: %lld vs %lld", at,
                          k, (long long)hp_cfg_int(a, k), (long long)hp_cfg_int(b, k));
                break;
            case HP_BOOL:
                CHECK_MSG(hp_cfg_bool(a, k) == hp_cfg_bool(b, k), "line %d: %s", at, k);
                break;
            case HP_DATE:
                CHECK_MSG(hp_cfg_date(a, k) == hp_cfg_date(b, k), "line %d: %s", at, k);
                __attribute__((fallthrough)); /* the text as well */
            case HP_STRING:
            case HP_CHOICE:
                CHECK_MSG(strcmp(hp_cfg_string(a, k), hp_cfg_string(b, k)) == 0,
                          "line %d: %s: '%s' vs '%s'", at, k, hp_cfg_string(a, k),
                          hp_cfg_string(b, k));
                break;
            case HP_DOUBLE_LIST: {
                const double *va, *vb;
                size_t na = hp_cfg_list(a, k, &va), nb = hp_cfg_list(b, k, &vb);
                CHECK_MSG(na == nb, "line %d: %s: %zu vs %zu elements", at, k, na, nb);
                for (size_t i = 0; i < na && i < nb; i++)
                    CHECK_MSG(same_bits(va[i], vb[i]), "line %d: %s[%zu]: %.17g vs %.17g", at,
                              k, i, va[i], vb[i]);
                break;
            }
            case HP_RECORDS:
                check_records(p, a, b, at);
                rec = p;
                break;
            }
        }
}

/* Writes c as text, reloads it (from memory and from a file) and checks
 * every value is identical; returns the text (caller frees). */
char *round_trip(tmp *t, const hp_param *const *tabs, const hp_config *c, int at)
{
    char *text = hp_config_text(c);
    hp_err err = {0};
    hp_config *m = hp_config_load_text(tabs, "resolved", text, &err);
    CHECK_MSG(m != NULL, "line %d: reloading the written text: %s\n%s", at, err.msg, text);
    if (m != NULL) {
        check_identical(tabs, c, m, at);
        char *again = hp_config_text(m);
        CHECK_MSG(strcmp(text, again) == 0, "line %d: writing the reloaded config differs", at);
        free(again);
    }
    hp_config_free(m);

    /* hp_config_write to a file, then hp_config_load of that file. */
    snprintf(t->path, sizeof t->path, "%s/written.cfg", t->dir);
    FILE *f = fopen(t->path, "w");
    CHECK(f != NULL);
    if (f == NULL)
        return text;
    hp_config_write(c, f);
    CHECK(fclose(f) == 0);
    hp_config *r = load_ok(tabs, t->path, NULL, 0, at);
    if (r != NULL)
        check_identical(tabs, c, r, at);
    hp_config_free(r);
    return text;
}

/* Lines of s that start with prefix. */
int count_lines(const char *s, const char *prefix)
{
    int n = 0;
    size_t len = strlen(prefix);
    for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += strncmp(p, prefix, len) == 0;
    return n;
}

/* Loads the defaults of tabs in a child: did it die of SIGABRT? */
int aborts(const hp_param *const *tabs)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        if (freopen("/dev/null", "w", stderr) == NULL)
            _exit(3);
        hp_err err = {0};
        hp_config_free(hp_config_load(tabs, NULL, NULL, 0, &err));
        _exit(0);
    }
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return 0;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}
