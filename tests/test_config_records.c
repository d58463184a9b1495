/* test_config_records: records keys (HP_RECORDS), lists of groups such as
 * hpc.contracts. A small table declares a records key with a field of each
 * kind; files written to a temporary directory are loaded and every value,
 * default, error message (file, line, key) and the write-back round trip
 * are checked. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "testutil.h"

static const hp_param t_rec[] = {
    {"site.x", HP_DOUBLE, "", "1.0", 0, 2, NULL, "an ordinary key before the records"},
    {"site.items", HP_RECORDS, "", "()", 0, 0, NULL, "the items"},
    {"site.items.name", HP_STRING, "", "\"\"", 0, 0, NULL, "a label"},
    {"site.items.mw", HP_DOUBLE, "MW", NULL, 0, 1e6, NULL, "size (every record gives it)"},
    {"site.items.start", HP_DATE, "", "\"2026-01-01\"", 0, 0, NULL, "a date"},
    {"site.items.kind", HP_CHOICE, "", "\"cheap\"", 0, 0, "cheap|dear", "a choice"},
    {"site.y", HP_DOUBLE, "", "0.5", 0, 2, NULL, "an ordinary key after the records"},
    HP_PARAM_END
};
static const hp_param *const tables[] = {t_rec, NULL};

static char dir[256];

static const char *put(const char *name, const char *text) { return tu_put(dir, name, text); }

/* A load that must fail with a message containing `frag`. */
static void expect_fail(const char *path, const char *const *sets, size_t n, const char *frag,
                        int line)
{
    hp_err err = {0};
    hp_config *c = hp_config_load(tables, path, sets, n, &err);
    CHECK_MSG(c == NULL, "test at line %d: load succeeded", line);
    hp_config_free(c);
    CHECK_MSG(strstr(err.msg, frag) != NULL, "test at line %d: '%s' not in '%s'", line, frag,
              err.msg);
}

static hp_config *load_ok(const char *path, const char *const *sets, size_t n)
{
    hp_err err = {0};
    hp_config *c = hp_config_load(tables, path, sets, n, &err);
    CHECK_MSG(c != NULL, "load failed: %s", err.msg);
    if (c == NULL)
        exit(1);
    return c;
}

static void test_defaults(void)
{
    hp_config *c = load_ok(NULL, NULL, 0);
    CHECK(hp_cfg_records(c, "site.items") == 0);
    CHECK(hp_cfg_double(c, "site.y") == 0.5);
    hp_config_free(c);
}

static const char good[] =
    "site = {\n"
    "  items = (\n"
    "    { name = \"Rockdale\"; mw = 700.0; kind = \"cheap\"; },\n"   /* line 3 */
    "    { mw = 120; start = \"2027-06-30\"; kind = \"dear\"; }\n"    /* line 4: int for a double */
    "  );\n"
    "  y = 1.5;\n"
    "};\n";

static void test_values(void)
{
    hp_config *c = load_ok(put("good.cfg", good), NULL, 0);
    CHECK(hp_cfg_records(c, "site.items") == 2);
    CHECK(strcmp(hp_cfg_rec_string(c, "site.items", 0, "name"), "Rockdale") == 0);
    CHECK(hp_cfg_rec_double(c, "site.items", 0, "mw") == 700.0);
    CHECK(hp_cfg_rec_date(c, "site.items", 0, "start") == 20454);      /* 2026-01-01 default */
    CHECK(strcmp(hp_cfg_rec_string(c, "site.items", 1, "name"), "") == 0);
    CHECK(hp_cfg_rec_double(c, "site.items", 1, "mw") == 120.0);
    CHECK(hp_cfg_rec_date(c, "site.items", 1, "start") == 20454 + 545);  /* 2027-06-30 */
    CHECK(strcmp(hp_cfg_rec_string(c, "site.items", 1, "kind"), "dear") == 0);
    CHECK(hp_cfg_double(c, "site.y") == 1.5);

    /* A model's cross-field message names the record's field and its line;
     * a field left to its default names the record's line. */
    hp_err err = {0};
    hp_cfg_rec_fail(c, &err, "site.items", 1, "mw", "too big");
    CHECK_MSG(strstr(err.msg, "good.cfg:4: site.items[2].mw: too big") != NULL, "%s", err.msg);
    hp_err_clear(&err);
    hp_cfg_rec_fail(c, &err, "site.items", 0, "start", "too early");
    CHECK_MSG(strstr(err.msg, "good.cfg:3: site.items[1].start: too early") != NULL, "%s", err.msg);
    hp_err_clear(&err);
    hp_cfg_rec_fail(c, &err, "site.items", 0, NULL, "whole record");
    CHECK_MSG(strstr(err.msg, "good.cfg:3: site.items[1]: whole record") != NULL, "%s", err.msg);

    /* Round trip: written, read back, the same values. */
    char *text = hp_config_text(c);
    CHECK_MSG(strstr(text, "name = \"Rockdale\"; mw = 700.0;") != NULL, "%s", text);
    hp_config *d = load_ok(put("back.cfg", text), NULL, 0);
    CHECK(hp_cfg_records(d, "site.items") == 2);
    for (size_t i = 0; i < 2; i++) {
        CHECK(hp_cfg_rec_double(c, "site.items", i, "mw") == hp_cfg_rec_double(d, "site.items", i, "mw"));
        CHECK(hp_cfg_rec_date(c, "site.items", i, "start") == hp_cfg_rec_date(d, "site.items", i, "start"));
        CHECK(strcmp(hp_cfg_rec_string(c, "site.items", i, "name"),
                     hp_cfg_rec_string(d, "site.items", i, "name")) == 0);
        CHECK(strcmp(hp_cfg_rec_string(c, "site.items", i, "kind"),
                     hp_cfg_rec_string(d, "site.items", i, "kind")) == 0);
    }
    char *text2 = hp_config_text(d);
    CHECK(strcmp(text, text2) == 0);
    free(text);
    free(text2);
    hp_config_free(d);
    hp_config_free(c);

    /* An empty list written back stays empty. */
    c = load_ok(NULL, NULL, 0);
    text = hp_config_text(c);
    CHECK_MSG(strstr(text, "items = ();") != NULL, "%s", text);
    d = load_ok(put("empty.cfg", text), NULL, 0);
    CHECK(hp_cfg_records(d, "site.items") == 0);
    free(text);
    hp_config_free(d);
    hp_config_free(c);
}

static void test_overrides(void)
{
    const char *whole[] = {"site.items=({ mw = 5.0; name = \"a\"; }, { mw = 6.0; })"};
    hp_config *c = load_ok(put("good2.cfg", good), whole, 1);
    CHECK(hp_cfg_records(c, "site.items") == 2);
    CHECK(hp_cfg_rec_double(c, "site.items", 0, "mw") == 5.0);
    CHECK(hp_cfg_rec_double(c, "site.items", 1, "mw") == 6.0);
    hp_config_free(c);
    const char *field[] = {"site.items.mw=5.0"};
    expect_fail(NULL, field, 1, "--set: site.items.mw: a field of the records site.items", __LINE__);
    const char *bad[] = {"site.items=({ mw = -5.0; })"};
    expect_fail(NULL, bad, 1, "site.items[1].mw: -5 is out of range [0, 1000000] MW", __LINE__);
}

static void test_errors(void)
{
    expect_fail(put("e1.cfg", "site = { items = ( { mw = 1.0; nmae = \"x\"; } ); };\n"), NULL, 0,
                "e1.cfg:1: site.items[1].nmae: unknown field (did you mean name?)", __LINE__);
    expect_fail(put("e2.cfg", "site = {\n items = (\n { mw = 1.0; },\n { name = \"b\"; }\n );\n};\n"),
                NULL, 0, "e2.cfg:4: site.items[2].mw: missing required field", __LINE__);
    expect_fail(put("e3.cfg", "site = {\n items = (\n { mw = 1.0; },\n {\n mw = 2e6;\n }\n );\n};\n"),
                NULL, 0, "e3.cfg:5: site.items[2].mw: 2000000 is out of range [0, 1000000] MW",
                __LINE__);
    expect_fail(put("e4.cfg", "site = { items = { mw = 1.0; }; };\n"), NULL, 0,
                "e4.cfg:1: site.items: expected a list of records like ( { ... }, { ... } ), got a group",
                __LINE__);
    expect_fail(put("e5.cfg", "site = { items = ( 1.0 ); };\n"), NULL, 0,
                "site.items[1]: expected a record { field = value; ... }, got a float", __LINE__);
    expect_fail(put("e6.cfg", "site = { items = ( { mw = 3000000000; } ); };\n"), NULL, 0,
                "site.items[1].mw: integer 3000000000 overflows 32 bits", __LINE__);
    expect_fail(put("e7.cfg", "site = { items = ( { mw = 1.0; start = \"2026-02-30\"; } ); };\n"),
                NULL, 0, "site.items[1].start: '2026-02-30' is not a real calendar date", __LINE__);
    expect_fail(put("e8.cfg", "site = { items = ( { mw = 1.0; kind = \"dera\"; } ); };\n"), NULL, 0,
                "site.items[1].kind: 'dera' is not one of cheap|dear (did you mean dear?)", __LINE__);
    /* More records than HP_LIST_MAX. */
    char big[8192] = "site = { items = (";
    for (int i = 0; i <= HP_LIST_MAX; i++)
        strcat(big, i ? ", { mw = 1.0; }" : "{ mw = 1.0; }");
    strcat(big, "); };\n");
    expect_fail(put("e9.cfg", big), NULL, 0, "site.items: has 65 records; at most 64", __LINE__);
    /* A field is not a key: it cannot be written outside a record. */
    expect_fail(put("e10.cfg", "site = { items = (); items_mw = 1.0; };\n"), NULL, 0,
                "site.items_mw: unknown key", __LINE__);
}

static void test_markdown(void)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    hp_params_markdown(tables, f);
    fclose(f);
    CHECK_MSG(strstr(buf, "| `site.items` | records |") != NULL, "%s", buf);
    CHECK_MSG(strstr(buf, "| `site.items[].mw` | double field | MW | **required** |") != NULL, "%s",
              buf);
    CHECK_MSG(strstr(buf, "| `site.y` | double |") != NULL, "%s", buf);
    free(buf);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/hp_records_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    test_defaults();
    test_values();
    test_overrides();
    test_errors();
    test_markdown();
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        char p[600];
        snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
        if (e->d_name[0] != '.')
            unlink(p);
    }
    if (d)
        closedir(d);
    rmdir(dir);
    return CHECK_DONE();
}
