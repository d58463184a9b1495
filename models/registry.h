/* registry: models chosen by name, in one place per family.
 *
 * A family (price processes, power-price processes, HPC modes, ...) lists
 * its members in one X-macro, one line per model, in its *_models.h. Each
 * member is a struct whose first field is its name, the word a config
 * gives (price.model = "garch"). The same list makes the word list the
 * config loader checks, so a name in the list always has a model and a
 * model is always selectable; hp_registry_pick() is the one lookup, and an
 * unknown name (a config table out of step with its list) is an error
 * naming the file, line and key, never a silent fallback. */
#ifndef HP_REGISTRY_H
#define HP_REGISTRY_H

#include <stddef.h>

#include "config.h"
#include "hp_err.h"

/* "|a|b|c" + 1 = "a|b|c": the HP_CHOICE word list of a family, from its
 * X-macro (X = HP_REGISTRY_WORD). */
#define HP_REGISTRY_WORD(name) "|" #name

/* The member of `entries` (n pointers to structs starting with a const
 * char *name) named by the config's key; NULL with err set, naming the
 * file, line and key and listing the known names, if none is. */
const void *hp_registry_pick(const void *const *entries, size_t n, const hp_config *cfg,
                             const char *key, const char *family, hp_err *err);

#endif
