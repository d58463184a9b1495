/* The history CSV reader: a good file (CRLF, extra and reordered columns)
 * loads with exact values and date lookup; each kind of bad file fails with
 * "file:line: column: message" naming the right line and column. Files are
 * written to a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "date.h"
#include "history.h"
#include "testutil.h"

static char dir[64];

/* Writes text to dir/name; returns the path (static buffer per call site). */
static const char *write_file(const char *name, const char *text)
{
    static char path[8][128];
    static int k = 0;
    char *p = path[k++ % 8];
    snprintf(p, 128, "%s/%s", dir, name);
    FILE *f = fopen(p, "w");
    if (f == NULL) {
        perror(p);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return p;
}

/* Loads a bad file and checks the message is exactly "path:line: what". */
static void expect_error(const char *name, const char *text, const char *want_tail)
{
    const char *path = write_file(name, text);
    hp_err err = {0};
    hp_history *h = hp_history_load(path, &err);
    CHECK_MSG(h == NULL, "%s loaded", name);
    hp_history_free(h);
    char want[512];
    snprintf(want, sizeof want, "%s:%s", path, want_tail);
    CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "%s: got \"%s\", want prefix \"%s\"",
              name, err.msg, want);
    unlink(path);
}

static void test_good(void)
{
    const char *path = write_file("good.csv",
        "\xEF\xBB\xBF" "fees_btc,date,price_usd,note,hashrate_ths\r\n"
        "1.5,2020-02-28,100.25,a,7e6\r\n"
        "2.5,2020-02-29,101,b,8e6\r\n"
        "3.5, 2020-03-01 ,1e5,c,9e6\r\n"
        "\r\n");
    hp_err err = {0};
    hp_history *h = hp_history_load(path, &err);
    CHECK_MSG(h != NULL, "%s", err.msg);
    if (h == NULL)
        return;
    CHECK(h->n == 3);
    CHECK(h->day0 == hp_days_from_civil(2020, 2, 28));
    const double *p = hp_history_col(h, HP_HIST_PRICE);
    const double *f = hp_history_col(h, HP_HIST_FEES);
    CHECK(p != NULL && f != NULL);
    CHECK(hp_history_col(h, HP_HIST_DIFFICULTY) == NULL);
    CHECK(p[0] == 100.25 && p[1] == 101.0 && p[2] == 1e5);
    CHECK(f[2] == 3.5 && hp_history_col(h, HP_HIST_HASHRATE)[1] == 8e6);
    CHECK(hp_history_index(h, hp_days_from_civil(2020, 3, 1)) == 2);
    CHECK(hp_history_index(h, hp_days_from_civil(2020, 3, 2)) == -1);
    CHECK(hp_history_index(h, hp_days_from_civil(2020, 2, 27)) == -1);
    CHECK(hp_history_require(h, HP_HIST_PRICE, &err) == 0);
    CHECK(hp_history_require(h, HP_HIST_BLOCKS, &err) != 0);
    char want[256];
    snprintf(want, sizeof want, "%s:1: blocks: column missing", path);
    CHECK_MSG(strncmp(err.msg, want, strlen(want)) == 0, "%s", err.msg);
    hp_history_free(h);

    /* Through a config key: loaded once per path, and the span check. */
    char set[200];
    snprintf(set, sizeof set, "price.csv=\"%s\"", path);
    const char *sets[] = {set};
    hp_config *cfg = tu_config(sets, 1);
    hp_history_set hs = {0};
    hp_err e2 = {0};
    const hp_history *a = hp_history_get(&hs, cfg, "price.csv", &e2);
    const hp_history *b = hp_history_get(&hs, cfg, "price.csv", &e2);
    CHECK(a != NULL && a == b && hs.n == 1);
    if (a != NULL) {
        CHECK(hp_history_cover(a, a->day0, 3, cfg, "time.start_date", &e2) == 0);
        CHECK(hp_history_cover(a, a->day0 + 1, 3, cfg, "time.horizon_years", &e2) != 0);
        CHECK_MSG(strstr(e2.msg, "time.horizon_years: the run needs history from 2020-02-29 "
                         "to 2020-03-02") != NULL, "%s", e2.msg);
    }
    hp_history_set_free(&hs);
    hp_config_free(cfg);

    /* A missing file names the config key. */
    const char *miss[] = {"price.csv=\"/nonexistent/x.csv\""};
    cfg = tu_config(miss, 1);
    hp_err e3 = {0};
    CHECK(hp_history_get(&hs, cfg, "price.csv", &e3) == NULL);
    CHECK_MSG(strstr(e3.msg, "--set: price.csv: cannot open history CSV \"/nonexistent/x.csv\"")
              != NULL, "%s", e3.msg);
    hp_history_set_free(&hs);
    hp_config_free(cfg);
    unlink(path);
}

static void test_bad(void)
{
    expect_error("empty.csv", "", "1: empty file");
    expect_error("noheader.csv", "2020-01-01,5\n2020-01-02,6\n", "1: date: no header line");
    expect_error("nodate.csv", "day,price_usd\n2020-01-01,5\n", "1: date: header has no 'date'");
    expect_error("dup.csv", "date,price_usd,price_usd\n", "1: price_usd: column appears twice");
    expect_error("norows.csv", "date,price_usd\n", "2: no data rows");
    expect_error("gap.csv", "date,price_usd\n2020-01-01,5\n2020-01-02,6\n2020-01-04,7\n",
                 "4: date: 2020-01-04 follows 2020-01-02");
    expect_error("repeat.csv", "date,price_usd\n2020-01-01,5\n2020-01-01,6\n",
                 "3: date: 2020-01-01 follows 2020-01-01");
    expect_error("baddate.csv", "date,price_usd\n2020-02-30,5\n", "2: date: '2020-02-30' is not a date");
    expect_error("neg.csv", "date,price_usd,difficulty\n2020-01-01,5,1\n2020-01-02,6,-1\n",
                 "3: difficulty: value -1 is not positive");
    expect_error("zero.csv", "date,blocks\n2020-01-01,0\n", "2: blocks: value 0 is not positive");
    expect_error("nan.csv", "date,price_usd\n2020-01-01,nan\n", "2: price_usd: 'nan' is not a finite");
    expect_error("text.csv", "date,price_usd\n2020-01-01,12x\n", "2: price_usd: '12x' is not a number");
    expect_error("blank.csv", "date,price_usd\n2020-01-01,\n", "2: price_usd: empty value");
    expect_error("fields.csv", "date,price_usd\n2020-01-01,5,6\n", "2: 3 fields, the header has 2");

    /* Not a CSV at all: bounded time and memory, one line. */
    char *longline = calloc(6000, 1);
    memcpy(longline, "date,price_usd\n2020-01-01,", 26);
    memset(longline + 26, '5', 5000);
    expect_error("long.csv", longline, "2: line longer than 4096 characters");
    free(longline);
    hp_err err = {0};
    hp_history *h = hp_history_load("/dev/zero", &err);
    CHECK_MSG(h == NULL && strncmp(err.msg, "/dev/zero:1: header longer than", 31) == 0, "%s", err.msg);
    hp_history_free(h);
    hp_err e2 = {0};
    h = hp_history_load(dir, &e2);
    char want[256];
    snprintf(want, sizeof want, "%s: cannot open history CSV: Is a directory", dir);
    CHECK_MSG(h == NULL && strcmp(e2.msg, want) == 0, "%s", e2.msg);
    hp_history_free(h);
    /* Through a config key, the message names the key. */
    char set[128];
    snprintf(set, sizeof set, "price.csv=\"%s\"", dir);
    const char *sets[] = {set};
    hp_config *cfg = tu_config(sets, 1);
    hp_history_set hs = {0};
    hp_err e3 = {0};
    CHECK(hp_history_get(&hs, cfg, "price.csv", &e3) == NULL);
    snprintf(want, sizeof want, "--set: price.csv: \"%s\" is a directory, not a history CSV", dir);
    CHECK_MSG(strcmp(e3.msg, want) == 0, "%s", e3.msg);
    hp_history_set_free(&hs);
    hp_config_free(cfg);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/hp_history_XXXXXX");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 1;
    }
    test_good();
    test_bad();
    rmdir(dir);
    return CHECK_DONE();
}
