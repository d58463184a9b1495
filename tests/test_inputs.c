/* test_inputs: SHA-256 against the known answers of FIPS 180-4's examples
 * (and NIST's million-'a' message), cut at every chunk boundary; the input
 * record of a config with nested @includes; the resume check of a model's
 * data files; the bounded file reader. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "inputs.h"
#include "sha256.h"

static void hex_of(const char *msg, size_t n, size_t piece, char hex[65])
{
    hp_sha256 s;
    hp_sha256_init(&s);
    for (size_t off = 0; off < n; off += piece)
        hp_sha256_update(&s, msg + off, n - off < piece ? n - off : piece);
    hp_sha256_hex(&s, hex);
}

static void test_sha256(void)
{
    static const struct { const char *msg, *want; } kat[] = {
        { "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
        { "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
        { "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
        { "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1" },
    };
    char hex[65];
    for (size_t i = 0; i < sizeof kat / sizeof kat[0]; i++) {
        size_t n = strlen(kat[i].msg);
        for (size_t piece = 1; piece <= 130; piece = piece < 8 ? piece + 1 : piece * 2 + 1) {
            hex_of(kat[i].msg, n, piece, hex);
            CHECK_MSG(strcmp(hex, kat[i].want) == 0, "message %zu in pieces of %zu: %s", i, piece, hex);
        }
    }
    char *a = malloc(1000000);
    memset(a, 'a', 1000000);
    hex_of(a, 1000000, 4096, hex);
    CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
    free(a);
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_config_inputs(void)
{
    hp_err err = { 0 };
    write_text("t_inc2.cfg", "b = 2;\n");
    write_text("t_inc1.cfg", "a = 1;\n  @include \"t_inc2.cfg\"\n");
    const char *main_text = "# @include \"not-a-directive.cfg\" in a comment\n@include \"t_inc1.cfg\"\nc = 3;\n";
    hp_inputs in = { 0 };
    CHECK_MSG(hp_inputs_add_config(&in, "t_main.cfg", main_text, &err) == 0, "%s", err.msg);
    CHECK(in.text != NULL);
    /* sha256sum lines, in the order the files are read */
    char hex[65], want[1024];
    hex_of(main_text, strlen(main_text), 64, hex);
    int n = snprintf(want, sizeof want, "%s  t_main.cfg\n", hex);
    hex_of("a = 1;\n  @include \"t_inc2.cfg\"\n", 31, 64, hex);
    n += snprintf(want + n, sizeof want - (size_t)n, "%s  t_inc1.cfg\n", hex);
    hex_of("b = 2;\n", 7, 64, hex);
    snprintf(want + n, sizeof want - (size_t)n, "%s  t_inc2.cfg\n", hex);
    CHECK_MSG(strcmp(in.text, want) == 0, "got:\n%swant:\n%s", in.text, want);

    /* the model's data files: recorded, then checked on resume */
    static const hp_input_file files[] = {
        { "hist.csv", "1111111111111111111111111111111111111111111111111111111111111111" },
    };
    hp_layout l = { .n_inputs = 1, .inputs = files };
    CHECK(hp_inputs_add_layout(&in, &l, &err) == 0);
    CHECK(strstr(in.text, "1111111111111111111111111111111111111111111111111111111111111111  hist.csv\n") != NULL);
    CHECK(hp_inputs_check(in.text, "r.h5.partial", &l, &err) == 0);
    static const hp_input_file changed[] = {
        { "hist.csv", "2222222222222222222222222222222222222222222222222222222222222222" },
    };
    hp_layout l2 = { .n_inputs = 1, .inputs = changed };
    hp_err_clear(&err);
    CHECK(hp_inputs_check(in.text, "r.h5.partial", &l2, &err) < 0);
    CHECK_MSG(strstr(err.msg, "r.h5.partial: cannot resume: input hist.csv changed since the run started "
                     "(SHA-256 111111111111..., now 222222222222...") != NULL, "%s", err.msg);
    static const hp_input_file other[] = { { "other.csv", files[0].sha256 } };
    hp_layout l3 = { .n_inputs = 1, .inputs = other };
    hp_err_clear(&err);
    CHECK(hp_inputs_check(in.text, "r.h5.partial", &l3, &err) < 0 && strstr(err.msg, "other.csv") != NULL);
    hp_inputs_free(&in);

    /* an @include that cannot be read is an error naming it */
    hp_err_clear(&err);
    CHECK(hp_inputs_add_config(&in, "t_main.cfg", "@include \"t_missing.cfg\"\n", &err) < 0);
    CHECK_MSG(strstr(err.msg, "t_missing.cfg: cannot read included config file") != NULL, "%s", err.msg);
    hp_inputs_free(&in);
    unlink("t_inc1.cfg");
    unlink("t_inc2.cfg");
}

static void test_read_file(void)
{
    hp_err err = { 0 };
    size_t len = 0;
    write_text("t_read.txt", "0123456789");
    char *t = hp_read_file("t_read.txt", "config file", 100, &len, &err);
    CHECK(t != NULL && len == 10 && strcmp(t, "0123456789") == 0);
    free(t);
    CHECK(hp_read_file("t_read.txt", "config file", 9, &len, &err) == NULL);
    CHECK_MSG(strstr(err.msg, "cannot read config file: it is larger than 9 bytes") != NULL, "%s", err.msg);
    hp_err_clear(&err);
    CHECK(hp_read_file(".", "config file", 100, &len, &err) == NULL && strstr(err.msg, "Is a directory") != NULL);
    unlink("t_read.txt");
}

int main(void)
{
    test_sha256();
    test_config_inputs();
    test_read_file();
    return CHECK_DONE();
}
