/* test_registry: models are chosen by name through one lookup, and an
 * unknown name is an error naming file, line and key, never a fallback.
 *
 *   - hp_registry_pick on a small family: the right member, and the error
 *     for an unknown word (file:line: key: ... known: ...);
 *   - every word the config accepts for price.model selects the model of
 *     that name (the word list and the registry are one list);
 *   - a config with an unknown price.model is refused by the loader with
 *     file, line and key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "config.h"
#include "hpc.h"
#include "miner.h"
#include "price.h"
#include "driver.h"
#include "registry.h"
#include "scenario.h"
#include "testutil.h"

typedef struct member { const char *name; int id; } member;
static const member m_a = {"alpha", 1}, m_b = {"beta", 2};
static const void *const family[] = {&m_a, &m_b};

static const hp_param t_fam[] = {
    {"fam.model", HP_STRING, "", "\"alpha\"", 0, 0, NULL, "a family member"},
    HP_PARAM_END
};
static const hp_param *const tables[] = {t_fam, NULL};

static char dir[256];

static const char *put(const char *name, const char *text) { return tu_put(dir, name, text); }

static void test_pick(void)
{
    hp_err err = {0};
    const char *sets[] = {"fam.model=beta"};
    hp_config *c = hp_config_load(tables, NULL, sets, 1, &err);
    CHECK(c != NULL);
    const member *m = hp_registry_pick(family, 2, c, "fam.model", "thing", &err);
    CHECK(m == &m_b && !err.set);
    hp_config_free(c);

    c = hp_config_load(tables, put("fam.cfg", "fam = {\n  model = \"gamma\";\n};\n"), NULL, 0, &err);
    CHECK(c != NULL);
    m = hp_registry_pick(family, 2, c, "fam.model", "thing", &err);
    CHECK(m == NULL);
    CHECK_MSG(strstr(err.msg, "fam.cfg:2: fam.model: unknown thing 'gamma' (known: alpha, beta)")
              != NULL, "%s", err.msg);
    hp_config_free(c);
}

/* The words of an HP_CHOICE declaration, one at a time. */
static const char *next_word(const char *p, char *buf, size_t size)
{
    size_t n = strcspn(p, "|");
    snprintf(buf, size, "%.*s", (int)n, p);
    return p[n] ? p + n + 1 : NULL;
}

static void test_price_words(void)
{
    const char *choices = NULL;
    for (const hp_param *p = hp_price_params; p->key; p++)
        if (strcmp(p->key, "price.model") == 0)
            choices = p->choices;
    CHECK(choices != NULL && strcmp(choices, "gbm|merton|regime|garch|bootstrap|historical") == 0);
    /* A one-line price history for the models that read one. */
    const char *csv = put("p.csv", "date,price_usd\n2026-01-01,100\n2026-01-02,101\n"
                                   "2026-01-03,99\n2026-01-04,102\n2026-01-05,103\n");
    char csv_set[600];
    snprintf(csv_set, sizeof csv_set, "price.csv=%s", csv);
    int n = 0;
    for (const char *p = choices; p != NULL; n++) {
        char word[64], set[96];
        p = next_word(p, word, sizeof word);
        snprintf(set, sizeof set, "price.model=%s", word);
        const char *sets[] = {set, csv_set, "time.start_date=2026-01-01"};
        hp_config *c = tu_config(sets, 3);
        hp_price pr;
        hp_history_set hs = {0};
        hp_err err = {0};
        int rc = hp_price_init(&pr, c, 1 / 365.25, hp_cfg_date(c, "time.start_date"), 3, &hs, &err);
        CHECK_MSG(rc == 0, "%s: %s", word, err.msg);
        CHECK_MSG(rc != 0 || strcmp(pr.model->name, word) == 0, "price.model=%s selected %s",
                  word, pr.model->name);
        hp_price_free(&pr);
        hp_history_set_free(&hs);
        hp_config_free(c);
    }
    CHECK(n == 6);
}

/* The choices of a declared key. */
static const char *choices_of(const hp_param *table, const char *key)
{
    for (const hp_param *p = table; p->key; p++)
        if (strcmp(p->key, key) == 0)
            return p->choices;
    return NULL;
}

static void test_power_and_hpc_words(void)
{
    const char *pw = choices_of(hp_miner_params, "miner.power_model");
    CHECK(pw != NULL && strcmp(pw, "fixed|ou") == 0);
    for (const char *p = pw; p != NULL;) {
        char word[64], set[96];
        p = next_word(p, word, sizeof word);
        snprintf(set, sizeof set, "miner.power_model=%s", word);
        const char *sets[] = {set};
        hp_config *c = tu_config(sets, 1);
        hp_miner m;
        hp_err err = {0};
        CHECK_MSG(hp_miner_init(&m, c, 1 / 365.25, &err) == 0, "%s", err.msg);
        CHECK_MSG(strcmp(m.power->name, word) == 0, "%s selected %s", word, m.power->name);
        hp_miner_free(&m);
        hp_config_free(c);
    }
    const char *hm = choices_of(hp_hpc_params, "hpc.mode");
    CHECK(hm != NULL && strcmp(hm, "colocation|gpu_cloud") == 0);
    for (const char *p = hm; p != NULL;) {
        char word[64], set[96];
        p = next_word(p, word, sizeof word);
        snprintf(set, sizeof set, "hpc.mode=%s", word);
        const char *sets[] = {set};
        hp_config *c = tu_config(sets, 1);
        hp_hpc h;
        memset(&h, 0, sizeof h);
        hp_err err = {0};
        CHECK_MSG(hp_hpc_init(&h, c, 100, hp_cfg_date(c, "time.start_date"), 10, 1 / 365.25, &err) == 0,
                  "%s", err.msg);
        CHECK(h.gpu == (strcmp(word, "gpu_cloud") == 0));
        hp_hpc_free(&h);
        hp_config_free(c);
    }
}

static void test_unknown_price(void)
{
    const hp_param *tabs[64];
    hp_run_params(&hp_scenario_model, tabs, 64);
    hp_err err = {0};
    hp_config *c = hp_config_load(tabs, put("u.cfg", "price = {\n  model = \"garh\";\n};\n"),
                                  NULL, 0, &err);
    CHECK(c == NULL);
    CHECK_MSG(strstr(err.msg, "u.cfg:2: price.model: 'garh' is not one of") != NULL &&
              strstr(err.msg, "(did you mean garch?)") != NULL, "%s", err.msg);
    hp_config_free(c);
}

int main(void)
{
    snprintf(dir, sizeof dir, "%s/hp_registry_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (mkdtemp(dir) == NULL) {
        perror("mkdtemp");
        return 2;
    }
    test_pick();
    test_price_words();
    test_power_and_hpc_words();
    test_unknown_price();
    unlink(put("fam.cfg", ""));
    unlink(put("p.csv", ""));
    unlink(put("u.cfg", ""));
    rmdir(dir);
    return CHECK_DONE();
}
