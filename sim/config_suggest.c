/* config_suggest: "did you mean" for unknown keys, groups and choices. */
#include "config_impl.h"

#include <stdint.h>
#include <string.h>

/* Edit distance counting a swap of neighbours as one edit (optimal string
 * alignment): "sigam" is one slip away from "sigma". */
static size_t edit_distance(const char *a, size_t n, const char *b, size_t m)
{
    size_t rows[3][KEY_MAX + 1];
    size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
    if (n >= KEY_MAX || m >= KEY_MAX)
        return SIZE_MAX;
    for (size_t j = 0; j <= m; j++)
        prev[j] = j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t d = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < d)
                d = prev[j] + 1;
            if (cur[j - 1] + 1 < d)
                d = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < d)
                d = pp[j - 2] + 1;
            cur[j] = d;
        }
        size_t *t = pp;
        pp = prev;
        prev = cur;
        cur = t;
    }
    return prev[m];
}

/* A typo is at most max(2, len/3) edits, len being the word typed. */
static size_t typo_limit(const char *word)
{
    size_t limit = strlen(word) / 3;
    return limit < 2 ? 2 : limit;
}

/* Keeps cand[0..len) in buf if it is the closest candidate so far. */
static void consider(const char *name, const char *cand, size_t len,
                     size_t limit, size_t *best, char *buf, size_t bufsz)
{
    size_t d = edit_distance(name, strlen(name), cand, len);
    if (d <= limit && d < *best && len < bufsz) {
        *best = d;
        memcpy(buf, cand, len);
        buf[len] = '\0';
    }
}

/* The declared key (or group path, when `group`) closest to an unknown
 * name, if it is plausibly a typo of it; NULL otherwise. The limit is set by
 * the last part of the name, the word the user actually typed. */
static const char *suggest(const hp_config *c, const char *name, int group,
                           char *buf, size_t bufsz)
{
    const char *leaf = strrchr(name, '.');
    size_t limit = typo_limit(leaf ? leaf + 1 : name), best = SIZE_MAX;
    buf[0] = '\0';
    for (size_t i = 0; i < c->n; i++) {
        const char *key = c->v[i].p->key;
        if (!group) {
            consider(name, key, strlen(key), limit, &best, buf, bufsz);
            continue;
        }
        for (const char *dot = strchr(key, '.'); dot; dot = strchr(dot + 1, '.'))
            consider(name, key, (size_t)(dot - key), limit, &best, buf, bufsz);
    }
    return buf[0] ? buf : NULL;
}

/* "unknown key (did you mean price.sigma?)": the one message for names
 * that are not declared, from the file and from --set alike. */
int cfg_fail_unknown(loader *L, const char *file, int line, const char *name,
                        int group)
{
    char hint[KEY_MAX];
    const char *what = group ? "unknown group" : "unknown key";
    if (suggest(L->c, name, group, hint, sizeof hint))
        return hp_fail(L->err, file, line, name, "%s (did you mean %s?)", what, hint);
    return hp_fail(L->err, file, line, name, "%s", what);
}
/* The choice a mistyped word was plausibly meant to be, or NULL. */
const char *cfg_choice_hint(const char *choices, const char *word, char *buf, size_t bufsz)
{
    size_t best = SIZE_MAX, limit = typo_limit(word);
    buf[0] = '\0';
    for (const char *p = choices;; p++) {
        const char *bar = strchr(p, '|');
        size_t n = bar ? (size_t)(bar - p) : strlen(p);
        consider(word, p, n, limit, &best, buf, bufsz);
        if (bar == NULL)
            return buf[0] ? buf : NULL;
        p = bar;
    }
}

