/* registry: the one lookup of a model by name (see registry.h). */
#include "registry.h"

#include <string.h>

/* A member's name: the first field of its struct. */
static const char *entry_name(const void *entry)
{
    return *(const char *const *)entry;
}

const void *hp_registry_pick(const void *const *entries, size_t n, const hp_config *cfg,
                             const char *key, const char *family, hp_err *err)
{
    const char *name = hp_cfg_string(cfg, key);
    char known[512];
    size_t len = 0;
    known[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (strcmp(entry_name(entries[i]), name) == 0)
            return entries[i];
        int w = snprintf(known + len, sizeof known - len, "%s%s", i ? ", " : "",
                         entry_name(entries[i]));
        if (w > 0 && (size_t)w < sizeof known - len)
            len += (size_t)w;
    }
    hp_cfg_fail(cfg, err, key, "unknown %s '%s' (known: %s)", family, name, known);
    return NULL;
}
