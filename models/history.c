/* history: daily Bitcoin history CSV reader (see history.h). */
#include "history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "date.h"
#include "sha256.h"

#define MAX_FIELDS 64
#define LINE_MAX_CHARS 4096      /* a row is under 200 characters */
#define ROWS_MAX 1000000L        /* 2,700 years of days */

static const char *const col_names[HP_HIST_NCOL] = {
    [HP_HIST_PRICE] = "price_usd",
    [HP_HIST_DIFFICULTY] = "difficulty",
    [HP_HIST_HASHRATE] = "hashrate_ths",
    [HP_HIST_BLOCKS] = "blocks",
    [HP_HIST_SUBSIDY] = "subsidy_btc",
    [HP_HIST_FEES] = "fees_btc",
    [HP_HIST_REVENUE] = "revenue_usd",
};

const char *hp_history_col_name(hp_hist_col c)
{
    return col_names[c];
}

/* Strips the line end (LF or CRLF) in place. */
static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
        s[--n] = '\0';
}

/* Splits s at commas in place; returns the field count, or -1 if more
 * than MAX_FIELDS. Fields are trimmed of surrounding blanks. */
static int split(char *s, char **f)
{
    int n = 0;
    for (;;) {
        if (n == MAX_FIELDS)
            return -1;
        while (*s == ' ' || *s == '\t')
            s++;
        f[n++] = s;
        char *c = strchr(s, ',');
        char *end = c != NULL ? c : s + strlen(s);
        while (end > s && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (c == NULL) {
            *end = '\0';
            return n;
        }
        *end = '\0';
        s = c + 1;
    }
}

/* Reads one line into buf[LINE_MAX_CHARS + 2] without its end; 1 on a line,
 * 0 at the end of the file, -1 when the line is too long (or holds a NUL
 * byte: /dev/zero), so no file can make the reader take unbounded memory.
 * The bytes read also go into the file's checksum, so that the SHA-256 a
 * results file records is that of exactly what was parsed. */
static int read_line(FILE *f, char *buf, hp_sha256 *sum)
{
    if (fgets(buf, LINE_MAX_CHARS + 2, f) == NULL)
        return 0;
    size_t n = strlen(buf);
    hp_sha256_update(sum, buf, n);
    if (n > LINE_MAX_CHARS || (n > 0 && buf[n - 1] != '\n' && !feof(f)) ||
        (n == 0 && !feof(f)))
        return -1;
    chomp(buf);
    return 1;
}

/* Grows every column the file has to hold `cap` rows. */
static int grow(hp_history *h, const int field_of[HP_HIST_NCOL], long cap)
{
    for (int c = 0; c < HP_HIST_NCOL; c++) {
        if (field_of[c] < 0)
            continue;
        double *p = realloc(h->col[c], (size_t)cap * sizeof(double));
        if (p == NULL)
            return -1;
        h->col[c] = p;
    }
    return 0;
}

/* Maps header fields to columns: which field holds the date and each known
 * column (-1 absent). */
static int read_header(const char *path, char *line, int *nf, int *date_f,
                       int field_of[HP_HIST_NCOL], hp_err *err)
{
    char *f[MAX_FIELDS];
    if (strncmp(line, "\xEF\xBB\xBF", 3) == 0)
        memmove(line, line + 3, strlen(line + 3) + 1);
    *nf = split(line, f);
    if (*nf < 0)
        return hp_fail(err, path, 1, NULL, "header has more than %d columns", MAX_FIELDS);
    *date_f = -1;
    for (int c = 0; c < HP_HIST_NCOL; c++)
        field_of[c] = -1;
    for (int i = 0; i < *nf; i++) {
        if (strcmp(f[i], "date") == 0) {
            if (*date_f >= 0)
                return hp_fail(err, path, 1, "date", "column appears twice in the header");
            *date_f = i;
            continue;
        }
        for (int c = 0; c < HP_HIST_NCOL; c++)
            if (strcmp(f[i], col_names[c]) == 0) {
                if (field_of[c] >= 0)
                    return hp_fail(err, path, 1, col_names[c], "column appears twice in the header");
                field_of[c] = i;
            }
    }
    if (*date_f < 0) {
        /* A first field that parses as a date means the header is missing. */
        int32_t day;
        if (hp_date_parse(f[0], &day) == 0)
            return hp_fail(err, path, 1, "date", "no header line: the first line is data "
                           "(expected a header such as date,price_usd,...)");
        return hp_fail(err, path, 1, "date", "header has no 'date' column");
    }
    return 0;
}

/* Parses a field as a finite number > 0. */
static int parse_positive(const char *path, long line, const char *name,
                          const char *s, double *v, hp_err *err)
{
    if (*s == '\0')
        return hp_fail(err, path, (int)line, name, "empty value");
    char *end;
    errno = 0;
    double x = strtod(s, &end);
    if (*end != '\0' || end == s)
        return hp_fail(err, path, (int)line, name, "'%s' is not a number", s);
    if (!isfinite(x) || errno == ERANGE)
        return hp_fail(err, path, (int)line, name, "'%s' is not a finite number", s);
    if (!(x > 0))
        return hp_fail(err, path, (int)line, name, "value %s is not positive", s);
    *v = x;
    return 0;
}

/* Reads every data row after the header. */
static int read_rows(hp_history *h, FILE *f, int nf, int date_f,
                     const int field_of[HP_HIST_NCOL], hp_sha256 *sum, hp_err *err)
{
    char line[LINE_MAX_CHARS + 2], *fld[MAX_FIELDS];
    long lineno = 1, colcap = 0, n = 0;
    int rc = 0, got;
    while ((got = read_line(f, line, sum)) != 0) {
        lineno++;
        if (got < 0) {
            rc = hp_fail(err, h->path, (int)lineno, NULL, "line longer than %d characters "
                         "or not text (is this a history CSV?)", LINE_MAX_CHARS);
            break;
        }
        if (line[strspn(line, " \t")] == '\0')
            continue;           /* blank lines (e.g. a trailing one) */
        if (n == ROWS_MAX) {
            rc = hp_fail(err, h->path, (int)lineno, NULL, "more than %ld rows (days)", ROWS_MAX);
            break;
        }
        int k = split(line, fld);
        if (k != nf) {
            rc = hp_fail(err, h->path, (int)lineno, NULL,
                         "%d fields, the header has %d", k < 0 ? MAX_FIELDS + 1 : k, nf);
            break;
        }
        int32_t day;
        if (hp_date_parse(fld[date_f], &day) != 0) {
            rc = hp_fail(err, h->path, (int)lineno, "date",
                         "'%s' is not a date YYYY-MM-DD", fld[date_f]);
            break;
        }
        if (n == 0) {
            h->day0 = day;
        } else if (day != h->day0 + n) {
            char prev[16], want[16];
            hp_date_format(h->day0 + (int32_t)n - 1, prev);
            hp_date_format(h->day0 + (int32_t)n, want);
            rc = hp_fail(err, h->path, (int)lineno, "date", "%s follows %s: dates must be "
                         "consecutive days (expected %s)", fld[date_f], prev, want);
            break;
        }
        if (n == colcap) {
            colcap = colcap ? colcap * 2 : 4096;
            if (grow(h, field_of, colcap) != 0) {
                rc = hp_fail(err, h->path, (int)lineno, NULL, "out of memory");
                break;
            }
        }
        for (int c = 0; c < HP_HIST_NCOL && rc == 0; c++)
            if (field_of[c] >= 0)
                rc = parse_positive(h->path, lineno, col_names[c], fld[field_of[c]],
                                    &h->col[c][n], err);
        if (rc != 0)
            break;
        n++;
    }
    h->n = n;
    if (rc == 0 && ferror(f))
        rc = hp_fail(err, h->path, 0, NULL, "read error: %s", strerror(errno));
    if (rc == 0 && n == 0)
        rc = hp_fail(err, h->path, 2, NULL, "no data rows after the header");
    return rc;
}

/* Reads and checks a history file. */
hp_history *hp_history_load(const char *path, hp_err *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        hp_fail(err, path, 0, NULL, "cannot open history CSV: %s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        hp_fail(err, path, 0, NULL, "cannot open history CSV: %s", strerror(EISDIR));
        return NULL;
    }
    hp_history *h = calloc(1, sizeof *h);
    char line[LINE_MAX_CHARS + 2];
    int nf = 0, date_f = -1, field_of[HP_HIST_NCOL], got;
    if (h == NULL || (h->path = strdup(path)) == NULL) {
        hp_fail(err, path, 0, NULL, "out of memory");
        goto fail;
    }
    hp_sha256 sum;
    hp_sha256_init(&sum);
    if ((got = read_line(f, line, &sum)) == 0) {
        hp_fail(err, path, 1, NULL, "empty file: no header line");
        goto fail;
    }
    if (got < 0) {
        hp_fail(err, path, 1, NULL, "header longer than %d characters or not text "
                "(is this a history CSV?)", LINE_MAX_CHARS);
        goto fail;
    }
    if (read_header(path, line, &nf, &date_f, field_of, err) != 0 ||
        read_rows(h, f, nf, date_f, field_of, &sum, err) != 0)
        goto fail;
    hp_sha256_hex(&sum, h->sha256);
    fclose(f);
    return h;
fail:
    fclose(f);
    hp_history_free(h);
    return NULL;
}

void hp_history_free(hp_history *h)
{
    if (h == NULL)
        return;
    for (int c = 0; c < HP_HIST_NCOL; c++)
        free(h->col[c]);
    free(h->path);
    free(h);
}

/* Loads the file a string parameter names, once per distinct path. */
const hp_history *hp_history_get(hp_history_set *set, const hp_config *cfg,
                                 const char *key, hp_err *err)
{
    const char *path = hp_cfg_string(cfg, key);
    if (path[0] == '\0') {
        hp_cfg_fail(cfg, err, key, "no history CSV given (the selected model needs one)");
        return NULL;
    }
    for (int i = 0; i < set->n; i++)
        if (strcmp(set->h[i]->path, path) == 0)
            return set->h[i];
    if (set->n == HP_HISTORY_SET_MAX) {
        hp_cfg_fail(cfg, err, key, "more than %d distinct history files", HP_HISTORY_SET_MAX);
        return NULL;
    }
    FILE *probe = fopen(path, "r");
    if (probe == NULL) {
        hp_cfg_fail(cfg, err, key, "cannot open history CSV \"%s\": %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    int is_dir = fstat(fileno(probe), &st) == 0 && S_ISDIR(st.st_mode);
    fclose(probe);
    if (is_dir) {
        hp_cfg_fail(cfg, err, key, "\"%s\" is a directory, not a history CSV", path);
        return NULL;
    }
    hp_history *h = hp_history_load(path, err);
    if (h != NULL)
        set->h[set->n++] = h;
    return h;
}

void hp_history_set_free(hp_history_set *set)
{
    for (int i = 0; i < set->n; i++)
        hp_history_free(set->h[i]);
    set->n = 0;
}

int hp_history_require(const hp_history *h, hp_hist_col c, hp_err *err)
{
    if (h->col[c] != NULL)
        return 0;
    return hp_fail(err, h->path, 1, col_names[c], "column missing from the header");
}

/* Checks that the file spans the days a run needs. */
int hp_history_cover(const hp_history *h, int32_t first, long n_days,
                     const hp_config *cfg, const char *key, hp_err *err)
{
    if (hp_history_index(h, first) >= 0 && hp_history_index(h, first + (int32_t)n_days - 1) >= 0)
        return 0;
    char a[16], b[16], fa[16], fb[16];
    hp_date_format(first, a);
    hp_date_format(first + (int32_t)n_days - 1, b);
    hp_date_format(h->day0, fa);
    hp_date_format(h->day0 + (int32_t)h->n - 1, fb);
    return hp_cfg_fail(cfg, err, key, "the run needs history from %s to %s, but %s "
                       "holds %s to %s", a, b, h->path, fa, fb);
}
