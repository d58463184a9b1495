/* inputs: a run's input files and their checksums (see inputs.h). */
#include "inputs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"
#include "sha256.h"

#define INCLUDE_DEPTH 16     /* deeper @include chains are a loop */

/* Appends one "HEX  PATH" line. */
static int add_line(hp_inputs *in, const char *hex, const char *path, hp_err *err)
{
    size_t need = in->len + strlen(hex) + strlen(path) + 4;
    if (need > in->cap) {
        size_t cap = need * 2;
        char *t = realloc(in->text, cap);
        if (t == NULL)
            return hp_fail(err, path, 0, NULL, "out of memory");
        in->text = t;
        in->cap = cap;
    }
    in->len += (size_t)snprintf(in->text + in->len, in->cap - in->len, "%s  %s\n", hex, path);
    return 0;
}

static void sha_hex(const char *text, size_t n, char hex[65])
{
    hp_sha256 s;
    hp_sha256_init(&s);
    hp_sha256_update(&s, text, n);
    hp_sha256_hex(&s, hex);
}

/* The file name of an `@include "NAME"` directive starting at line, into
 * name; 0 when the line is not one. libconfig takes the directive only at
 * the start of a line (after blanks) with a plain quoted name. */
static int include_name(const char *line, char *name, size_t n)
{
    line += strspn(line, " \t");
    if (strncmp(line, "@include", 8) != 0)
        return 0;
    const char *q = strchr(line + 8, '"'), *e = q != NULL ? strchr(q + 1, '"') : NULL;
    const char *nl = strchr(line, '\n');
    if (e == NULL || (nl != NULL && e > nl) || (size_t)(e - q - 1) >= n)
        return 0;
    snprintf(name, n, "%.*s", (int)(e - q - 1), q + 1);
    return 1;
}

static int add_config(hp_inputs *in, const char *path, const char *text, int depth, hp_err *err)
{
    char hex[65], name[4096];
    sha_hex(text, strlen(text), hex);
    if (add_line(in, hex, path, err) < 0)
        return -1;
    for (const char *line = text; line != NULL && *line != '\0';) {
        if (include_name(line, name, sizeof name)) {
            if (depth >= INCLUDE_DEPTH)
                return hp_fail(err, path, 0, NULL, "@include nested more than %d deep", INCLUDE_DEPTH);
            char *inc = hp_read_file(name, "included config file", HP_CONFIG_MAX_BYTES, NULL, err);
            int rc = inc == NULL ? -1 : add_config(in, name, inc, depth + 1, err);
            free(inc);
            if (rc < 0)
                return -1;
        }
        line = strchr(line, '\n');
        line = line != NULL ? line + 1 : NULL;
    }
    return 0;
}

int hp_inputs_add_config(hp_inputs *in, const char *path, const char *text, hp_err *err)
{
    return add_config(in, path, text, 0, err);
}

int hp_inputs_add_layout(hp_inputs *in, const hp_layout *l, hp_err *err)
{
    for (int i = 0; i < l->n_inputs; i++)
        if (add_line(in, l->inputs[i].sha256, l->inputs[i].path, err) < 0)
            return -1;
    return 0;
}

/* The recorded checksum of `path` (the last line naming it), or NULL. */
static const char *recorded_sum(const char *recorded, const char *path, char hex[65])
{
    const char *found = NULL;
    size_t plen = strlen(path);
    for (const char *line = recorded; line != NULL && *line != '\0';) {
        const char *nl = strchr(line, '\n');
        size_t len = nl != NULL ? (size_t)(nl - line) : strlen(line);
        if (len == 64 + 2 + plen && strncmp(line + 66, path, plen) == 0 && line[64] == ' ') {
            snprintf(hex, 65, "%.64s", line);
            found = hex;
        }
        line = nl != NULL ? nl + 1 : NULL;
    }
    return found;
}

int hp_inputs_check(const char *recorded, const char *file, const hp_layout *l, hp_err *err)
{
    char hex[65];
    for (int i = 0; i < l->n_inputs; i++) {
        const hp_input_file *f = &l->inputs[i];
        const char *then = recorded != NULL ? recorded_sum(recorded, f->path, hex) : NULL;
        if (then == NULL)
            return hp_fail(err, file, 0, NULL, "cannot resume: the run did not record reading %s; "
                           "start over with --force", f->path);
        if (strcmp(then, f->sha256) != 0)
            return hp_fail(err, file, 0, NULL, "cannot resume: input %s changed since the run started "
                           "(SHA-256 %.12s..., now %.12s...; a relative path is read from the working "
                           "directory); restore it, or start over with --force", f->path, then, f->sha256);
    }
    return 0;
}

void hp_inputs_free(hp_inputs *in)
{
    free(in->text);
    memset(in, 0, sizeof *in);
}
