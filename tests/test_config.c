/* test_config: the parameter tables, libconfig loading and validation,
 * --set overrides, the write-back round trip and the Markdown reference.
 *
 * The test declares its own small tables (every hp_type, a nested group, a
 * group split over two tables), writes config files into a fresh mkdtemp
 * directory and checks what hp_config_load makes of them. Only the last
 * check looks at the real engine and scenario tables. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "config_check.h"
#include "config.h"
#include "driver.h"
#include "scenario.h"

/* ---- test tables ------------------------------------------------------- */

/* Group g: one key of every type, plus an int wide enough for 64 bits. */
static const hp_param t_main[] = {
    {"g.d", HP_DOUBLE, "USD", "1.5", 0, 100, NULL, "a bounded double"},
    {"g.k", HP_INT, "", "5", 1, 10, NULL, "a small int"},
    {"g.big", HP_INT, "hash", "0", -1e19, 1e19, NULL, "a 64-bit int"},
    {"g.flag", HP_BOOL, "", "false", 0, 0, NULL, "a switch"},
    {"g.name", HP_STRING, "", "\"none\"", 0, 0, NULL, "a path"},
    {"g.model", HP_CHOICE, "", "\"gbm\"", 0, 0, "gbm|merton|jump", "a choice"},
    {"g.start", HP_DATE, "", "\"2026-01-01\"", 0, 0, NULL, "a date"},
    {"g.weights", HP_DOUBLE_LIST, "", "[0.25, 0.75]", 0, 1, NULL, "a list"},
    {"g.x", HP_DOUBLE, "1/yr", "0.5", -1, 1, NULL, "never in the files: stays default"},
    {"g.wide", HP_DOUBLE, "", "0.0", -INFINITY, INFINITY, NULL, "any double"},
    HP_PARAM_END
};

/* A nested group and a top-level key. */
static const hp_param t_nested[] = {
    {"h.sub.a", HP_DOUBLE, "MW", "2.0", -1e9, 1e9, NULL, "nested double"},
    {"h.sub.b", HP_INT, "", "3", 0, 100, NULL, "nested int"},
    {"seed", HP_INT, "", "42", -1e19, 1e19, NULL, "top-level key"},
    HP_PARAM_END
};

/* Group g again, in another table: the writer must still emit g once. The
 * doc has a '|' and a newline the Markdown table must survive. */
static const hp_param t_split[] = {
    {"g.late", HP_DOUBLE, "", "0.125", 0, 1, NULL, "declared | elsewhere\nsecond line"},
    HP_PARAM_END
};

static const hp_param *const tables[] = {t_main, t_nested, t_split, NULL};
#define N_PARAMS 14

/* A table with a required key, for the "missing required key" check. */
static const hp_param t_required[] = {
    {"req.x", HP_DOUBLE, "", NULL, 0, 1, NULL, "required"},
    {"req.y", HP_DOUBLE, "", "0.5", 0, 1, NULL, "optional"},
    HP_PARAM_END
};
static const hp_param *const tables_required[] = {t_required, NULL};

/* Malformed tables: both are programming errors that must abort. */
static const hp_param t_dup[] = {
    {"a.b", HP_DOUBLE, "", "1", 0, 2, NULL, ""},
    {"a.b", HP_DOUBLE, "", "1", 0, 2, NULL, ""},
    HP_PARAM_END
};
static const hp_param *const tables_dup[] = {t_dup, NULL};
static const hp_param t_bad_default[] = {
    {"a.b", HP_DOUBLE, "", "7", 0, 2, NULL, "default out of range"},
    HP_PARAM_END
};
static const hp_param *const tables_bad_default[] = {t_bad_default, NULL};

/* ---- the checks' shorthands (helpers: tests/config_check.c) ----------- */

/* A file that must fail with these fragments in its message. */
#define EXPECT_FAIL(path, ...) \
    expect_fail_sets(tables, (path), NULL, 0, NULL, FRAGS(__VA_ARGS__), __LINE__)
/* The same, and `absent` must not be in the message. */
#define EXPECT_FAIL_NOT(path, absent, ...) \
    expect_fail_sets(tables, (path), NULL, 0, (absent), FRAGS(__VA_ARGS__), __LINE__)
/* Overrides (on the defaults) that must fail. */
#define EXPECT_SET_FAIL(sets, ...)                                                       \
    expect_fail_sets(tables, NULL, (sets), sizeof(sets) / sizeof(sets)[0], NULL,        \
                     FRAGS(__VA_ARGS__), __LINE__)
#define LOCATED(text, line, key, ...) \
    expect_located(tables, t, (text), (line), (key), FRAGS(__VA_ARGS__), NULL, __LINE__)
#define LOCATED_NOT(text, line, key, absent, ...) \
    expect_located(tables, t, (text), (line), (key), FRAGS(__VA_ARGS__), (absent), __LINE__)

/* ---- the checks ---------------------------------------------------------- */

/* Every type read back exactly, defaults for absent keys, int for double. */
static void test_valid(tmp *t)
{
    const char *path = put(t, "valid.cfg",
                           "# every type\n"                                 /* 1 */
                           "g = {\n"                                        /* 2 */
                           "  d = 42.125;\n"                                /* 3 */
                           "  k = 9;\n"                                     /* 4 */
                           "  big = 3000000000L;\n"                         /* 5 */
                           "  flag = true;\n"                               /* 6 */
                           "  name = \"data/prices \\\"x\\\".csv\";\n"      /* 7 */
                           "  model = \"merton\";\n"                        /* 8 */
                           "  start = \"2024-02-29\";\n"                    /* 9 */
                           "  weights = [0.1, 0.2, 0.7];\n"                 /* 10 */
                           "  wide = 12;  // an int literal for a double\n" /* 11 */
                           "};\n"                                           /* 12 */
                           "h = { sub = { a = -7; }; };\n"                  /* 13 */
                           "seed = -9007199254740993L;\n");                 /* 14 */
    hp_config *c = load_ok(tables, path, NULL, 0, __LINE__);
    if (c == NULL)
        return;
    CHECK(strcmp(hp_cfg_file(c), path) == 0);
    CHECK(hp_cfg_double(c, "g.d") == 42.125);
    CHECK(hp_cfg_int(c, "g.k") == 9);
    CHECK(hp_cfg_int(c, "g.big") == INT64_C(3000000000));
    CHECK(hp_cfg_bool(c, "g.flag") == 1);
    CHECK(strcmp(hp_cfg_string(c, "g.name"), "data/prices \"x\".csv") == 0);
    CHECK(strcmp(hp_cfg_string(c, "g.model"), "merton") == 0);
    CHECK(strcmp(hp_cfg_string(c, "g.start"), "2024-02-29") == 0);
    CHECK(hp_cfg_date(c, "g.start") == 19782);  /* (date(2024,2,29) - date(1970,1,1)).days */
    const double *w;
    size_t n = hp_cfg_list(c, "g.weights", &w);
    CHECK(n == 3);
    if (n == 3)
        CHECK(w[0] == 0.1 && w[1] == 0.2 && w[2] == 0.7);
    CHECK(same_bits(hp_cfg_double(c, "g.wide"), 12.0));
    CHECK(same_bits(hp_cfg_double(c, "h.sub.a"), -7.0));
    CHECK(hp_cfg_int(c, "seed") == -INT64_C(9007199254740993)); /* not a double: 2^53 + 1 */
    /* Absent keys: the declared defaults. */
    CHECK(hp_cfg_double(c, "g.x") == 0.5);
    CHECK(hp_cfg_int(c, "h.sub.b") == 3);
    CHECK(hp_cfg_double(c, "g.late") == 0.125);
    /* Lines: where each value was written; 0 for defaults. */
    CHECK(hp_cfg_line(c, "g.d") == 3);
    CHECK(hp_cfg_line(c, "g.weights") == 10);
    CHECK(hp_cfg_line(c, "h.sub.a") == 13);
    CHECK(hp_cfg_line(c, "seed") == 14);
    CHECK(hp_cfg_line(c, "g.x") == 0);
    /* Model-level errors name the value's file and line. */
    hp_err err = {0};
    CHECK(hp_cfg_fail(c, &err, "g.k", "must be even, got %d", 9) == -1);
    CHECK_MSG(starts_with_loc(err.msg, path, 4, "g.k") && strstr(err.msg, "must be even, got 9"),
              "%s", err.msg);
    hp_config_free(c);

    /* No file: every default, and "<defaults>" as the file. */
    c = load_ok(tables, NULL, NULL, 0, __LINE__);
    if (c == NULL)
        return;
    CHECK(strcmp(hp_cfg_file(c), "<defaults>") == 0);
    CHECK(hp_cfg_double(c, "g.d") == 1.5);
    CHECK(hp_cfg_int(c, "g.k") == 5);
    CHECK(hp_cfg_bool(c, "g.flag") == 0);
    CHECK(strcmp(hp_cfg_string(c, "g.name"), "none") == 0);
    CHECK(strcmp(hp_cfg_string(c, "g.model"), "gbm") == 0);
    CHECK(hp_cfg_date(c, "g.start") == 20454);  /* (date(2026,1,1) - date(1970,1,1)).days */
    n = hp_cfg_list(c, "g.weights", &w);
    CHECK(n == 2 && w[0] == 0.25 && w[1] == 0.75);
    CHECK(hp_cfg_int(c, "seed") == 42);
    hp_config_free(c);

    /* Integers at the edges: 2^31 - 1 and -2^31 without L, 64-bit limits
     * with it, hex; an array of int literals for a list of doubles. */
    path = put(t, "edges.cfg",
               "g = { k = 0xA; big = 2147483647; wide = -2147483648;\n"
               "      weights = [0, 1]; };\n"
               "seed = 9223372036854775807L;\n");
    c = load_ok(tables, path, NULL, 0, __LINE__);
    if (c != NULL) {
        CHECK(hp_cfg_int(c, "g.k") == 10);
        CHECK(hp_cfg_int(c, "g.big") == INT32_MAX);
        CHECK(hp_cfg_double(c, "g.wide") == (double)INT32_MIN);
        CHECK(hp_cfg_int(c, "seed") == INT64_MAX);
        n = hp_cfg_list(c, "g.weights", &w);
        CHECK(n == 2 && w[0] == 0.0 && w[1] == 1.0);
    }
    hp_config_free(c);
    path = put(t, "edges2.cfg", "g = { big = -9223372036854775808L; };\nseed = 0xFFFFFFFFFL;\n");
    c = load_ok(tables, path, NULL, 0, __LINE__);
    if (c != NULL) {
        CHECK(hp_cfg_int(c, "g.big") == INT64_MIN);
        CHECK(hp_cfg_int(c, "seed") == INT64_C(0xFFFFFFFFF));
    }
    hp_config_free(c);
}

/* Keys and groups that are not declared. */
static void test_unknown(tmp *t)
{
    LOCATED("g = {\n  d = 1.0;\n  modle = \"gbm\";\n};\n", 3, "g.modle", "unknown key",
            "(did you mean g.model?)");
    LOCATED("g = {\n  d = 1.0;\n  wieghts = [0.5];\n};\n", 3, "g.wieghts",
            "did you mean g.weights?");
    /* The limit: max(2, len/3) edits of the word typed ("mdoels": 2 edits
     * from "model", suggested; "mxdxlx": 3 edits, not). */
    LOCATED("g = { mdoels = 1; };\n", 1, "g.mdoels", "did you mean g.model?");
    LOCATED_NOT("g = { mxdxlx = 1; };\n", 1, "g.mxdxlx", "did you mean", "unknown key");
    LOCATED("h = { sub = {\n b = 1;\n c = 1; }; };\n", 3, "h.sub.c", "did you mean h.sub.");
    LOCATED_NOT("g = {\n  zzqqxxvv = 1.0;\n};\n", 2, "g.zzqqxxvv", "did you mean", "unknown key");
    LOCATED_NOT("\nzzzzzz = 2;\n", 2, "zzzzzz", "did you mean", "unknown key");
    LOCATED("sed = 1;\n", 1, "sed", "unknown key (did you mean seed?)");
    LOCATED("\ngg = { d = 1.0; };\n", 2, "gg", "unknown group (did you mean g?)");
    LOCATED("h = { sbu = { a = 1.0; }; };\n", 1, "h.sbu", "unknown group (did you mean h.sub?)");
    LOCATED_NOT("network = { d = 1.0; };\n", 1, "network", "did you mean", "unknown group");
    /* A declared group given as a value, and a key given as a group. */
    LOCATED("seed = 1;\ng = 5;\n", 2, "g", "expected a group of keys");
    LOCATED("g = { d = { x = 1; }; };\n", 1, "g.d", "expected a number, got a group");
}

/* Values of the wrong type, out of range, not among the choices, bad dates. */
static void test_values(tmp *t)
{
    /* Wrong types. */
    LOCATED("g = { d = \"1.5\"; };\n", 1, "g.d", "expected a number, got a string");
    LOCATED("g = { d = true; };\n", 1, "g.d", "expected a number, got a boolean");
    LOCATED("g = { k = 2.5; };\n", 1, "g.k", "expected an integer, got 2.5");
    LOCATED("g = { big = 1e17; };\n", 1, "g.big", "1e+17 is too large to be exact as a float");
    LOCATED("g = { k = 2e1; };\n", 1, "g.k", "20 is out of range [1, 10]");
    LOCATED("g = { k = \"2\"; };\n", 1, "g.k", "expected an integer, got a string");
    LOCATED("g = { flag = 1; };\n", 1, "g.flag", "expected true or false, got an integer");
    LOCATED("g = { flag = \"true\"; };\n", 1, "g.flag", "expected true or false, got a string");
    LOCATED("g = { name = 5; };\n", 1, "g.name", "expected a quoted string, got an integer");
    LOCATED("g = { model = 1.0; };\n", 1, "g.model", "expected a quoted string, got a float");
    LOCATED("g = { weights = 0.5; };\n", 1, "g.weights", "expected a list of numbers");
    LOCATED("g = { weights = [\"a\"]; };\n", 1, "g.weights", "element 1 of 1",
            "expected a number, got a string");

    /* Out of range, below and above, with the range and unit. */
    LOCATED("g = { d = -0.5; };\n", 1, "g.d", "-0.5 is out of range [0, 100] USD");
    LOCATED("g = { d = 100.25; };\n", 1, "g.d", "100.25 is out of range [0, 100] USD");
    LOCATED("g = { d = 101; };\n", 1, "g.d", "101 is out of range [0, 100]");
    LOCATED("g = { k = 0; };\n", 1, "g.k", "0 is out of range [1, 10]");
    LOCATED("g = { k = 11; };\n", 1, "g.k", "11 is out of range [1, 10]");
    LOCATED("g = { x = 1.0000000000000002; };\n", 1, "g.x", "out of range [-1, 1] 1/yr");
    /* A list element: the message names the element and its own line. */
    LOCATED("g = { weights = [0.5,\n  0.25,\n  1.5]; };\n", 3, "g.weights", "element 3 of 3",
            "1.5 is out of range [0, 1]");
    LOCATED("g = { weights = []; };\n", 1, "g.weights", "empty list");
    /* libconfig arrays [..] hold one type, lists (..) may mix integers and
     * floats: the loader reads the file's arrays as lists, so [0, 0.25]
     * means what it says; a float that is a whole number is an integer. */
    {
        const char *p = put(t, "mixed.cfg", "g = {\n  weights = [0, 1];\n  k = 2.0;\n  big = 1e15;\n};\n");
        hp_config *c = load_ok(tables, p, NULL, 0, __LINE__);
        const double *w;
        CHECK(c != NULL && hp_cfg_list(c, "g.weights", &w) == 2 && w[0] == 0.0 && w[1] == 1.0);
        CHECK(c != NULL && hp_cfg_int(c, "g.k") == 2 && hp_cfg_int(c, "g.big") == 1000000000000000LL);
        hp_config_free(c);
        p = put(t, "mixed.cfg", "g = {\n  weights = (0.5, 1);\n};\n");
        c = load_ok(tables, p, NULL, 0, __LINE__);
        CHECK(c != NULL && hp_cfg_list(c, "g.weights", &w) == 2 && w[0] == 0.5 && w[1] == 1.0);
        hp_config_free(c);
        /* Brackets in strings and comments are text, not arrays. */
        p = put(t, "mixed.cfg", "# [0, 1]\ng = { name = \"a[1]\"; /* ] */ weights = [1, 0.5]; };\n");
        c = load_ok(tables, p, NULL, 0, __LINE__);
        CHECK(c != NULL && strcmp(hp_cfg_string(c, "g.name"), "a[1]") == 0);
        hp_config_free(c);
        const char *sets[] = {"g.weights=[0, 0.5]"};
        c = load_ok(tables, NULL, sets, 1, __LINE__);
        CHECK(c != NULL && hp_cfg_list(c, "g.weights", &w) == 2 && w[1] == 0.5);
        hp_config_free(c);
    }
    {
        char text[600] = "g = { weights = [0.0";
        for (int i = 1; i < HP_LIST_MAX + 1; i++)
            strcat(text, ", 0.5");
        strcat(text, "]; };\n");
        LOCATED(text, 1, "g.weights", "has 65 elements; at most 64");
    }

    /* Choices: the message lists them, with a suggestion for a near miss. */
    LOCATED("g = { model = \"gmb\"; };\n", 1, "g.model", "'gmb' is not one of gbm|merton|jump",
            "(did you mean gbm?)");
    LOCATED_NOT("g = { model = \"xyzzy\"; };\n", 1, "g.model", "did you mean",
                "'xyzzy' is not one of gbm|merton|jump");
    LOCATED("g = { model = \"GBM\"; };\n", 1, "g.model", "is not one of");

    /* Dates: a real calendar day in exactly YYYY-MM-DD. */
    LOCATED("g = { start = \"2026-02-30\"; };\n", 1, "g.start", "'2026-02-30'",
            "not a real calendar date");
    LOCATED("g = { start = \"2025-02-29\"; };\n", 1, "g.start", "not a real calendar date");
    LOCATED("g = { start = \"2026-1-1\"; };\n", 1, "g.start", "'2026-1-1' is not a date",
            "YYYY-MM-DD");
    LOCATED("g = { start = \"2026-01-01 \"; };\n", 1, "g.start", "is not a date");
    LOCATED("g = { start = \"2026/01/01\"; };\n", 1, "g.start", "is not a date");
}

/* libconfig 1.5 reads an integer literal without L through atoi: values
 * over 2^31 wrap silently. The loader must catch them and suggest L. */
static void test_overflow(tmp *t)
{
    LOCATED("g = {\n  big = 3000000000;\n};\n", 2, "g.big",
            "integer 3000000000 overflows 32 bits; write 3000000000L");
    LOCATED("g = { big = -3000000000; };\n", 1, "g.big", "write -3000000000L");
    LOCATED("g = { big = 2147483648; };\n", 1, "g.big", "write 2147483648L");
    LOCATED("g = { big = 4294967296; };\n", 1, "g.big", "write 4294967296L"); /* wraps to 0 */
    LOCATED("g = { big = 0xFFFFFFFF; };\n", 1, "g.big", "write 0xFFFFFFFFL");
    LOCATED("g = { big = 99999999999999999999; };\n", 1, "g.big", "overflows 64 bits");
    /* The same for a double key and inside a list. */
    LOCATED("g = { wide = 5000000000; };\n", 1, "g.wide", "write 5000000000L");
    LOCATED("g = { weights = [0, 5000000000]; };\n", 1, "g.weights", "element 2 of 2",
            "write 5000000000L");
    /* The literal found among others on its line, and across a line break. */
    LOCATED("g = { k = 1; big = 3000000000; }; seed = 3;\n", 1, "g.big", "write 3000000000L");
    LOCATED("h = { sub = { b = 1; }; }; g = { big =\n  3000000000; };\n", 1, "g.big",
            "write 3000000000L");
    LOCATED("g = { big = /* note */ 3000000000; };\n", 1, "g.big", "write 3000000000L");
}

/* Missing, unreadable and unparsable files; a missing required key. */
static void test_files(tmp *t)
{
    char path[600];
    snprintf(path, sizeof path, "%s/nope.cfg", t->dir);
    {
        hp_err err = {0};
        hp_config *c = hp_config_load(tables, path, NULL, 0, &err);
        CHECK(c == NULL);
        hp_config_free(c);
        CHECK_MSG(strncmp(err.msg, path, strlen(path)) == 0 &&
                  strstr(err.msg, "cannot read config file") &&
                  strstr(err.msg, "No such file"), "%s", err.msg);
    }
    /* A directory: libconfig's scanner would exit the process on it. */
    snprintf(path, sizeof path, "%s/adir.cfg", t->dir);
    CHECK(mkdir(path, 0700) == 0);
    EXPECT_FAIL(path, path, "cannot read config file");

    /* Syntax errors: file and line of the fault. */
    const char *p = put(t, "syntax.cfg", "g = {\n  d = 1.0;\n  k = ;\n};\n");
    char want[1200];
    snprintf(want, sizeof want, "%s:3: ", p);
    EXPECT_FAIL(p, want, "syntax error");
    p = put(t, "syntax2.cfg", "g = {\n  d = 1.0;\n");
    snprintf(want, sizeof want, "%s:", p);
    EXPECT_FAIL(p, want);
    p = put(t, "nul.cfg", "g = { d = 1.0; };\n");
    {
        FILE *f = fopen(p, "a");
        CHECK(f != NULL);
        if (f) {
            fputc('\0', f);
            fclose(f);
        }
    }
    EXPECT_FAIL(p, p, "NUL");

    /* A required key: given, it loads; missing, the message names it. */
    p = put(t, "required.cfg", "req = { x = 0.25; };\n");
    hp_config *c = load_ok(tables_required, p, NULL, 0, __LINE__);
    CHECK(c != NULL && hp_cfg_double(c, "req.x") == 0.25 && hp_cfg_double(c, "req.y") == 0.5);
    hp_config_free(c);
    p = put(t, "required2.cfg", "req = { y = 0.25; };\n");
    expect_fail_sets(tables_required, p, NULL, 0, NULL, FRAGS(p, "req.x: missing required key"),
                     __LINE__);
    const char *sets[] = {"req.x=0.75"};
    c = load_ok(tables_required, p, sets, 1, __LINE__);
    CHECK(c != NULL && hp_cfg_double(c, "req.x") == 0.75);
    hp_config_free(c);

    /* @include: values and errors name the included file and its line. */
    char inc[600], text[1200];
    snprintf(inc, sizeof inc, "%s/inc.cfg", t->dir);
    put(t, "inc.cfg", "# included\nk = 4;\nbig = 3000000000;\n");
    snprintf(text, sizeof text, "g = {\n@include \"%s\"\n};\n", inc);
    p = put(t, "includer.cfg", text);
    snprintf(want, sizeof want, "%s:3: g.big: ", inc);
    EXPECT_FAIL(p, want, "write 3000000000L");
    put(t, "inc.cfg", "# included\nk = 4;\n");
    p = put(t, "includer.cfg", text);
    c = load_ok(tables, p, NULL, 0, __LINE__);
    if (c != NULL) {
        CHECK(hp_cfg_int(c, "g.k") == 4);
        CHECK(hp_cfg_line(c, "g.k") == 2);
        hp_err err = {0};
        hp_cfg_fail(c, &err, "g.k", "odd");
        snprintf(want, sizeof want, "%s:2: g.k: odd", inc);
        CHECK_MSG(strcmp(err.msg, want) == 0, "%s", err.msg);
    }
    hp_config_free(c);

    /* Hostile files and includes: our own line, never libconfig's exit(2)
     * ("input in flex scanner failed") or an unbounded read. */
    EXPECT_FAIL("/dev/zero", "/dev/zero: cannot read config file: it is a device, not a file");
    {
        char big[700];
        snprintf(big, sizeof big, "%s/big.cfg", t->dir);
        FILE *f = fopen(big, "w");
        CHECK(f != NULL);
        for (int i = 0; f != NULL && i < 70000; i++)
            fputs("# a comment line\n", f);          /* 17 bytes x 70,000 > 1 MiB */
        if (f != NULL)
            fclose(f);
        EXPECT_FAIL(big, big, "larger than 1 MiB");
    }
    snprintf(text, sizeof text, "g = {\n  k = 4;\n@include \"%s\"\n};\n", t->dir);
    p = put(t, "incdir.cfg", text);
    snprintf(want, sizeof want, "%s:3: @include \"%s\": cannot read the included file: Is a directory",
             p, t->dir);
    EXPECT_FAIL(p, want);
    snprintf(text, sizeof text, "@include \"%s/absent.cfg\"\n", t->dir);
    p = put(t, "incabsent.cfg", text);
    snprintf(want, sizeof want, "%s:1: @include \"%s/absent.cfg\": cannot read the included file: "
             "No such file", p, t->dir);
    EXPECT_FAIL(p, want);
    p = put(t, "inczero.cfg", "\n\n@include \"/dev/zero\"\n");
    snprintf(want, sizeof want, "%s:3: @include \"/dev/zero\": ", p);
    EXPECT_FAIL(p, want, "it is a device");
    {
        char self[700];
        snprintf(self, sizeof self, "%s/self.cfg", t->dir);
        snprintf(text, sizeof text, "@include \"%s\"\n", self);
        put(t, "self.cfg", text);
        EXPECT_FAIL(self, "nested more than 10 deep");
    }
    /* In a comment or a string, @include is text. */
    snprintf(text, sizeof text, "/*\n@include \"%s\"\n*/\n# @include \"%s\"\n"
             "g = { name = \"\n@include \\\"%s\\\"\"; };\n", t->dir, t->dir, t->dir);
    p = put(t, "inccomment.cfg", text);
    c = load_ok(tables, p, NULL, 0, __LINE__);
    hp_config_free(c);
    /* A mixed array in an included file (libconfig reads it, not us): said
     * in our words, with the file, the element's line and the array's name. */
    put(t, "incmixed.cfg", "k = 4;\nweights = [0.5,\n  1];\n");
    snprintf(text, sizeof text, "g = {\n@include \"%s/incmixed.cfg\"\n};\n", t->dir);
    p = put(t, "includer2.cfg", text);
    snprintf(want, sizeof want, "%s/incmixed.cfg:3: weights: an array of integers and floats: "
             "write 0.0 for 0", t->dir);
    EXPECT_FAIL(p, want);

    /* Malformed tables are bugs: they abort instead of returning. */
    CHECK(aborts(tables_dup));
    CHECK(aborts(tables_bad_default));
}

/* --set overrides: the same checks as the file, "--set" as the file. */
static void test_overrides(tmp *t)
{
    const char *path = put(t, "base.cfg", "g = {\n  d = 2.0;\n  model = \"merton\";\n};\n");
    const char *sets[] = {
        "g.d=3.5",
        " g.k = 7 ",                 /* blanks around key and value */
        "g.k=8",                     /* applied in order: the last wins */
        "g.big=5000000000L",
        "g.flag=true",
        "g.name=results/run 1.csv",  /* a bare word for a string key */
        "g.model=jump",              /* ... for a choice */
        "g.start=2027-03-04",        /* ... for a date */
        "g.weights=[0.5, 0.5, 0.0]",
        "h.sub.a=1e3",
        "g.wide=-4",
    };
    hp_config *c = load_ok(tables, path, sets, sizeof sets / sizeof sets[0], __LINE__);
    if (c != NULL) {
        CHECK(hp_cfg_double(c, "g.d") == 3.5);      /* the override wins over the file */
        CHECK(hp_cfg_line(c, "g.d") == 0);
        CHECK(hp_cfg_int(c, "g.k") == 8);
        CHECK(hp_cfg_int(c, "g.big") == INT64_C(5000000000));
        CHECK(hp_cfg_bool(c, "g.flag") == 1);
        CHECK(strcmp(hp_cfg_string(c, "g.name"), "results/run 1.csv") == 0);
        CHECK(strcmp(hp_cfg_string(c, "g.model"), "jump") == 0);
        CHECK(hp_cfg_date(c, "g.start") == 20881);  /* (date(2027,3,4) - date(1970,1,1)).days */
        const double *w;
        size_t n = hp_cfg_list(c, "g.weights", &w);
        CHECK(n == 3 && w[0] == 0.5 && w[1] == 0.5 && w[2] == 0.0);
        CHECK(hp_cfg_double(c, "h.sub.a") == 1000.0);
        CHECK(hp_cfg_double(c, "g.wide") == -4.0);
        hp_err err = {0};
        hp_cfg_fail(c, &err, "g.k", "bad");
        CHECK_MSG(strcmp(err.msg, "--set: g.k: bad") == 0, "%s", err.msg);
        /* A model-level error on a file value still names the file. */
        hp_err_clear(&err);
        hp_cfg_fail(c, &err, "g.x", "bad");
        CHECK_MSG(starts_with_loc(err.msg, path, 0, "g.x"), "%s", err.msg);
    }
    hp_config_free(c);

    /* Quoted strings work too, with libconfig escapes. */
    const char *quoted[] = {"g.name=\"a \\\"b\\\"\"", "g.model=\"gbm\"", "g.start=\"2026-03-01\""};
    c = load_ok(tables, path, quoted, 3, __LINE__);
    if (c != NULL) {
        CHECK(strcmp(hp_cfg_string(c, "g.name"), "a \"b\"") == 0);
        CHECK(strcmp(hp_cfg_string(c, "g.model"), "gbm") == 0);
        CHECK(strcmp(hp_cfg_string(c, "g.start"), "2026-03-01") == 0);
    }
    hp_config_free(c);

    /* Bad overrides. */
    const char *s1[] = {"g.dd=1.0"};
    EXPECT_SET_FAIL(s1, "--set: g.dd: unknown key (did you mean g.d?)");
    const char *s2[] = {"nothing.like.this=1"};
    expect_fail_sets(tables, NULL, s2, 1, "did you mean",
                     FRAGS("--set: nothing.like.this: unknown key"), __LINE__);
    const char *s3[] = {"g.d"};
    EXPECT_SET_FAIL(s3, "--set", "'g.d': expected key=value");
    const char *s4[] = {"g.k=2.5"};
    EXPECT_SET_FAIL(s4, "--set: g.k: expected an integer, got 2.5");
    const char *s5[] = {"g.d=abc"};
    EXPECT_SET_FAIL(s5, "--set: g.d: cannot parse value 'abc'");
    const char *s6[] = {"g.d=1.0; g.k = 2"};
    EXPECT_SET_FAIL(s6, "--set: g.d: cannot parse value");
    const char *s7[] = {"g.big=3000000000"};
    EXPECT_SET_FAIL(s7, "--set: g.big: integer 3000000000 overflows 32 bits; write 3000000000L");
    const char *s8[] = {"g.model=gmb"};
    EXPECT_SET_FAIL(s8, "--set: g.model: 'gmb' is not one of gbm|merton|jump (did you mean gbm?)");
    const char *s9[] = {"g.start=2026-02-30"};
    EXPECT_SET_FAIL(s9, "--set: g.start: ", "not a real calendar date");
    const char *s10[] = {"g.d=250"};
    EXPECT_SET_FAIL(s10, "--set: g.d: 250 is out of range [0, 100] USD");
    const char *s11[] = {"g.weights=[0.5, 2.0]"};
    EXPECT_SET_FAIL(s11, "--set: g.weights: element 2 of 2: 2 is out of range [0, 1]");
    const char *s12[] = {"g=1"};
    EXPECT_SET_FAIL(s12, "--set: g: unknown key");
    const char *s13[] = {"g.flag=yes"};
    EXPECT_SET_FAIL(s13, "--set: g.flag: cannot parse value 'yes'");
    /* The first bad override is the one reported, even after a good one. */
    const char *s14[] = {"g.d=1.0", "g.k=99", "g.dd=1"};
    EXPECT_SET_FAIL(s14, "--set: g.k: 99 is out of range");
    /* A file error comes before the overrides are looked at. */
    const char *bad = put(t, "bad.cfg", "g = { k = 0; };\n");
    char want[700];
    snprintf(want, sizeof want, "%s:1: g.k: ", bad);
    expect_fail_sets(tables, bad, s1, 1, NULL, FRAGS(want), __LINE__);
    /* ... but an override cannot rescue a bad file value either. */
    const char *fix[] = {"g.k=5"};
    expect_fail_sets(tables, bad, fix, 1, NULL, FRAGS(want), __LINE__);
}

/* Writing the resolved config and loading it back gives the same values. */
static void test_round_trip(tmp *t)
{
    /* Awkward values: shortest round-trip digits, -0, subnormals, the
     * largest double, infinity, 64-bit ints, escapes in strings. */
    const char *path = put(t, "awkward.cfg",
                           "g = {\n"
                           "  d = 0.1;\n"
                           "  big = -9223372036854775808L;\n"
                           "  flag = true;\n"
                           "  name = \"tab\\there \\\"q\\\" back\\\\nslash\\nnew \\x01 \xc3\xa9\";\n"
                           "  model = \"jump\";\n"
                           "  start = \"2000-02-29\";\n"
                           "  weights = [0.3333333333333333, 5e-324, 1.0, 0.0, "
                           "2.2250738585072014e-308];\n"
                           "  x = -0.0;\n"
                           "  wide = 1.7976931348623157e308;\n"
                           "  late = 0.30000000000000004;\n"
                           "};\n"
                           "h = { sub = { a = 123456789.123456789; b = 100; }; };\n"
                           "seed = 2147483648L;\n");
    hp_config *c = load_ok(tables, path, NULL, 0, __LINE__);
    if (c == NULL)
        return;
    CHECK(same_bits(hp_cfg_double(c, "g.x"), -0.0));
    CHECK(hp_cfg_double(c, "g.wide") == DBL_MAX);
    CHECK(strcmp(hp_cfg_string(c, "g.name"), "tab\there \"q\" back\\nslash\nnew \x01 \xc3\xa9") == 0);
    char *text = round_trip(t, tables, c, __LINE__);
    /* Group g is split over two tables but written once. */
    CHECK_MSG(count_lines(text, "g = {") == 1, "%s", text);
    CHECK(strstr(text, "seed = 2147483648L;") != NULL);
    CHECK(strstr(text, "big = -9223372036854775808L;") != NULL);
    CHECK(strstr(text, "x = -0.0;") != NULL);
    CHECK(strstr(text, "d = 0.1;") != NULL);     /* shortest digits, not 0.10000000000000001 */
    CHECK(strstr(text, "# USD — a bounded double") != NULL);
    free(text);
    hp_config_free(c);

    /* Infinity (libconfig 1.5 has no literal; 1e999 overflows to it). */
    const char *inf_sets[] = {"g.wide=-1e999", "g.d=3", "g.k=10"};
    c = load_ok(tables, NULL, inf_sets, 3, __LINE__);
    if (c != NULL) {
        CHECK(hp_cfg_double(c, "g.wide") == -INFINITY);
        free(round_trip(t, tables, c, __LINE__));
    }
    hp_config_free(c);

    /* Defaults only, and with overrides. */
    c = load_ok(tables, NULL, NULL, 0, __LINE__);
    if (c != NULL)
        free(round_trip(t, tables, c, __LINE__));
    hp_config_free(c);

    /* Many doubles that need all 17 digits: x = k/7 + k * 1e-9. */
    for (int k = 1; k < 200; k++) {
        char set[64];
        snprintf(set, sizeof set, "h.sub.a=%.17g", k / 7.0 + k * 1e-9 - 100.0);
        const char *one[] = {set};
        c = load_ok(tables, NULL, one, 1, __LINE__);
        if (c == NULL)
            break;
        char *s = hp_config_text(c);
        hp_err err = {0};
        hp_config *r = hp_config_load_text(tables, "resolved", s, &err);
        CHECK_MSG(r != NULL && same_bits(hp_cfg_double(r, "h.sub.a"), hp_cfg_double(c, "h.sub.a")),
                  "k = %d: %s", k, err.msg);
        hp_config_free(r);
        free(s);
        hp_config_free(c);
    }
}

/* The Markdown reference: one row per parameter, one section per table. */
static void test_markdown(void)
{
    char *md = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&md, &len);
    CHECK(f != NULL);
    if (f == NULL)
        return;
    hp_params_markdown(tables, f);
    CHECK(fclose(f) == 0);
    CHECK_MSG(count_lines(md, "| `") == N_PARAMS, "%d rows:\n%s", count_lines(md, "| `"), md);
    CHECK(count_lines(md, "| key | type | unit | default | range/choices | meaning |") == 3);
    CHECK(count_lines(md, "## g") == 2 && count_lines(md, "## h") == 1);
    for (const hp_param *const *tb = tables; *tb; tb++)
        for (const hp_param *p = *tb; p->key; p++) {
            char row[160];
            snprintf(row, sizeof row, "| `%s` |", p->key);
            CHECK_MSG(count_lines(md, row) == 1, "row of %s", p->key);
        }
    /* Every row has six cells: seven unescaped bars, the doc's '|' escaped
     * and its newline flattened. */
    for (const char *p = md; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
        if (strncmp(p, "| `", 3) != 0)
            continue;
        int bars = 0;
        for (const char *q = p; *q && *q != '\n'; q++)
            bars += *q == '|' && (q == p || q[-1] != '\\');
        CHECK_MSG(bars == 7, "%.80s", p);
    }
    CHECK(strstr(md, "declared \\| elsewhere second line |") != NULL);
    CHECK(strstr(md, "| `g.model` | choice |  | `\"gbm\"` | gbm\\|merton\\|jump | a choice |"));
    CHECK(strstr(md, "| `g.d` | double | USD | `1.5` | [0, 100] | a bounded double |"));
    free(md);

    /* The required key is marked as such. */
    f = open_memstream(&md, &len);
    if (f == NULL)
        return;
    hp_params_markdown(tables_required, f);
    fclose(f);
    CHECK(strstr(md, "| `req.x` | double |  | **required** |") != NULL);
    free(md);
}

/* The one check on the real tables: the engine's and the scenario's
 * defaults load, survive the round trip, and each gets one Markdown row. */
static void test_real_tables(tmp *t)
{
    const hp_param *real[64];
    size_t n = 0, keys = 0;
    real[n++] = hp_engine_params;
    for (const hp_param *const *tb = hp_scenario_model.params; *tb && n + 1 < 64; tb++)
        real[n++] = *tb;
    real[n] = NULL;
    for (size_t i = 0; i < n; i++)
        for (const hp_param *p = real[i]; p->key; p++)
            keys++;
    hp_config *c = load_ok(real, NULL, NULL, 0, __LINE__);
    if (c != NULL)
        free(round_trip(t, real, c, __LINE__));
    hp_config_free(c);

    char *md = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&md, &len);
    if (f == NULL)
        return;
    hp_params_markdown(real, f);
    fclose(f);
    CHECK_MSG(count_lines(md, "| `") == (int)keys, "%d rows for %zu keys",
              count_lines(md, "| `"), keys);
    free(md);
}

int main(void)
{
    tmp t;
    const char *base = getenv("TMPDIR");
    snprintf(t.dir, sizeof t.dir, "%s/test_config.XXXXXX", base && base[0] ? base : "/tmp");
    if (mkdtemp(t.dir) == NULL) {
        perror(t.dir);
        return 2;
    }
    test_valid(&t);
    test_unknown(&t);
    test_values(&t);
    test_overflow(&t);
    test_files(&t);
    test_overrides(&t);
    test_round_trip(&t);
    test_markdown();
    test_real_tables(&t);
    cleanup(&t);
    return CHECK_DONE();
}
