/* fuzz_results: the results-file readers on arbitrary bytes (libFuzzer
 * target).
 *
 * The input is written to a file and read the ways hashpivot reads results
 * files: `hashpivot info` (hp_info_print: the file check, the metadata, the
 * summary) and `run --resume` (hp_output_read_meta). Each must either read
 * it or refuse it with a message, and close every HDF5 object it opened;
 * never crash, overflow a buffer or leak.
 * The seed corpus (tests/fuzz/results/) holds small real results files, so
 * mutations start from HDF5 that the readers accept. Only public functions
 * are called, so every reader's own hardening is what is exercised.
 *
 * Built as fuzz_config.c is (see there). */
#include <hdf5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "info.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[4096], dir[] = "/tmp/hp_fuzz_results_XXXXXX";
static FILE *sink;

/* The private directory goes with the process. */
static void cleanup(void)
{
    remove(path);
    rmdir(dir);
}

static void setup(void)
{
    if (sink != NULL)
        return;
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);     /* HDF5's own error stack is not ours to print */
    if (mkdtemp(dir) == NULL || (sink = fopen("/dev/null", "w")) == NULL) {
        perror("fuzz_results: set-up");
        abort();
    }
    snprintf(path, sizeof path, "%s/input.h5", dir);
    atexit(cleanup);
}

/* A reader must close every HDF5 object it opened, whatever the file: a
 * handle left open keeps the file and HDF5's memory (at exit, "infinite
 * loop closing library" and leaks). */
static void check_closed(const char *reader)
{
    ssize_t open = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
    if (open != 0) {
        fprintf(stderr, "fuzz_results: %s left %zd HDF5 object(s) open\n", reader, open);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    hp_err err = {0};
    if (hp_info_print(path, sink, &err) != 0 && !err.set)
        abort();                           /* a refusal must say why */
    check_closed("hp_info_print");
    hp_output_meta meta;
    memset(&meta, 0, sizeof meta);
    hp_err err2 = {0};
    if (hp_output_read_meta(path, &meta, &err2) != 0 && !err2.set)
        abort();
    hp_output_meta_free(&meta);
    check_closed("hp_output_read_meta");
    return 0;
}
