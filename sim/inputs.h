/* inputs: the files a run reads, each with its SHA-256.
 *
 * A results file records them in /config/inputs as `sha256sum` prints
 * them ("HEX  PATH" lines): the config file, the files it @includes, and
 * the model's data files (hp_layout.inputs, e.g. history CSVs). --resume
 * re-reads the model's data files and refuses to continue if one changed
 * (a relative path read from another working directory is such a change);
 * the config files are not read again, the resolved config embedded in the
 * results file stands for them. */
#ifndef HP_INPUTS_H
#define HP_INPUTS_H

#include <stddef.h>
#include "hp_err.h"
#include "model.h"
#include "readfile.h"    /* hp_read_file, for its callers */

/* The recorded lines, growing. Zero-initialise; hp_inputs_free. */
typedef struct hp_inputs {
    char *text;        /* NUL-terminated "HEX  PATH\n" lines, or NULL */
    size_t len, cap;
} hp_inputs;

/* Records the config file `path`, whose text was `text`, and every file it
 * @includes, recursively (libconfig resolves an @include against the
 * working directory). 0, or -1 with err set (an @include unreadable). */
int hp_inputs_add_config(hp_inputs *in, const char *path, const char *text, hp_err *err);

/* Records the model's data files. 0, or -1 when out of memory. */
int hp_inputs_add_layout(hp_inputs *in, const hp_layout *l, hp_err *err);

/* --resume: every data file the re-created model read must appear in
 * `recorded` (the results file's /config/inputs) with the same checksum.
 * `file` names the results file in messages. 0, or -1 with err set. */
int hp_inputs_check(const char *recorded, const char *file, const hp_layout *l, hp_err *err);

void hp_inputs_free(hp_inputs *in);

#endif
