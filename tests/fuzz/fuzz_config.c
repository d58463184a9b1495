/* fuzz_config: the config loader on arbitrary bytes (libFuzzer target).
 *
 * The input is written to a file and loaded with the engine's and the
 * scenario's real tables, as `hashpivot validate FILE` does; a config that
 * loads is built into the model (which reads any history CSV it names) and
 * written back, and the written text must load again to the same text (the
 * round trip hashpivot relies on to embed and resume a config). Anything
 * else must be a clean refusal: an hp_err message, no crash, no leak, no
 * unbounded time or memory (libFuzzer's limits). Runs in a private
 * temporary directory, so relative @includes stay inside it.
 *
 * Built two ways (tests/fuzz.cmake): with clang's -fsanitize=fuzzer for the
 * fuzzing run of scripts/test.sh, and with fuzz_replay.c's main() in every
 * build, which replays the corpus and the kept crash cases under ctest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "driver.h"
#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const hp_param *params[64];
static char path[4096], dir[] = "/tmp/hp_fuzz_config_XXXXXX";

/* The private directory goes with the process. */
static void cleanup(void)
{
    remove(path);
    rmdir(dir);
}

/* Once: the tables, and a private working directory. */
static void setup(void)
{
    if (params[0] != NULL)
        return;
    hp_run_params(&hp_scenario_model, params, sizeof params / sizeof params[0]);
    if (mkdtemp(dir) == NULL || chdir(dir) != 0) {
        perror("fuzz_config: temporary directory");
        abort();
    }
    snprintf(path, sizeof path, "%s/input.cfg", dir);
    atexit(cleanup);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    hp_err err = {0};
    hp_config *cfg = hp_config_load(params, path, NULL, 0, &err);
    if (cfg == NULL) {
        if (!err.set || err.msg[0] == '\0')
            abort();                       /* a refusal must say why */
        return 0;
    }
    void *m = hp_scenario_model.create(cfg, &err);
    if (m != NULL)
        hp_scenario_model.destroy(m);
    else if (!err.set)
        abort();
    char *text = hp_config_text(cfg);
    hp_err err2 = {0};
    hp_config *again = hp_config_load_text(params, "written", text, &err2);
    if (again == NULL) {
        fprintf(stderr, "fuzz_config: the written config does not load: %s\n", err2.msg);
        abort();
    }
    char *text2 = hp_config_text(again);
    if (strcmp(text, text2) != 0) {
        fprintf(stderr, "fuzz_config: the written config loads to another one\n");
        abort();
    }
    free(text);
    free(text2);
    hp_config_free(again);
    hp_config_free(cfg);
    return 0;
}
