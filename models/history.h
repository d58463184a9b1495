/* history: daily Bitcoin history read from a CSV (calibration, replay, bootstrap).
 *
 * API (issue 3; shared by the price and network models):
 *
 *   hp_history_set set = {0};                 // one per model, in its struct
 *   const hp_history *h = hp_history_get(&set, cfg, "price.csv", err);
 *       // loads the file named by that string key once (same path: same
 *       // object), NULL with err set on failure; read-only afterwards, so
 *       // every thread may read it
 *   const double *p = hp_history_col(h, HP_HIST_PRICE);   // NULL if absent
 *   if (hp_history_require(h, HP_HIST_PRICE, err)) ...    // absent -> error
 *   long i = hp_history_index(h, day);        // row of day (date.h day
 *       // number, days since 1970-01-01), -1 outside the file
 *   if (hp_history_cover(h, first_day, n_days, cfg, "time.start_date", err))
 *       // error unless rows first_day .. first_day + n_days - 1 all exist
 *   h->n rows, h->day0 = date of row 0, h->path
 *   hp_history_set_free(&set);                 // in the model's destroy
 *   (hp_history_load / hp_history_free: one file without a set.)
 *
 * File format (the layout of the daily history, docs/sources.md#history-data): a header
 * line naming the columns, then one row per calendar day:
 *   date,price_usd,difficulty,hashrate_ths,blocks,subsidy_btc,fees_btc,revenue_usd
 * `date` (YYYY-MM-DD) is required; the other known columns are optional and
 * may come in any order; unknown columns are ignored. Checked: header present,
 * dates real and consecutive (no gap, no repeat), every known value a finite
 * number > 0, same number of fields on every row. Errors read
 * "file:line: column: message" (line 1 is the header). CRLF line ends and a
 * UTF-8 byte-order mark are accepted. Relative paths are relative to the
 * working directory. */
#ifndef HP_HISTORY_H
#define HP_HISTORY_H

#include <stdint.h>
#include "config.h"
#include "hp_err.h"

/* Known numeric columns. */
typedef enum hp_hist_col {
    HP_HIST_PRICE,        /* price_usd     USD, daily close             */
    HP_HIST_DIFFICULTY,   /* difficulty    1                            */
    HP_HIST_HASHRATE,     /* hashrate_ths  TH/s                         */
    HP_HIST_BLOCKS,       /* blocks        blocks/day                   */
    HP_HIST_SUBSIDY,      /* subsidy_btc   BTC/day                      */
    HP_HIST_FEES,         /* fees_btc      BTC/day                      */
    HP_HIST_REVENUE,      /* revenue_usd   USD/day                      */
    HP_HIST_NCOL
} hp_hist_col;

typedef struct hp_history {
    char *path;
    char sha256[65];                /* of the file's bytes, hex          */
    int32_t day0;                   /* day number of row 0              */
    long n;                         /* rows (days)                      */
    double *col[HP_HIST_NCOL];      /* [n] each; NULL if not in the file */
} hp_history;

#define HP_HISTORY_SET_MAX 4

/* The files one model has loaded, each once. Zero-initialise. */
typedef struct hp_history_set {
    int n;
    hp_history *h[HP_HISTORY_SET_MAX];
} hp_history_set;

/* Header name of a column ("price_usd"). */
const char *hp_history_col_name(hp_hist_col c);

/* Reads and checks a file; NULL with err set on failure. */
hp_history *hp_history_load(const char *path, hp_err *err);
void hp_history_free(hp_history *h);

/* The file named by string parameter `key`, loaded on first use. */
const hp_history *hp_history_get(hp_history_set *set, const hp_config *cfg,
                                 const char *key, hp_err *err);
void hp_history_set_free(hp_history_set *set);

/* Column values, NULL when the file has no such column. */
static inline const double *hp_history_col(const hp_history *h, hp_hist_col c)
{
    return h->col[c];
}

/* Non-zero with err set ("file:1: name: column missing") if c is absent. */
int hp_history_require(const hp_history *h, hp_hist_col c, hp_err *err);

/* Row of a day number, -1 when the file does not hold that day. */
static inline long hp_history_index(const hp_history *h, int32_t day)
{
    long i = (long)day - (long)h->day0;
    return i >= 0 && i < h->n ? i : -1;
}

/* Non-zero with err set (naming config key `key`) unless the file holds
 * every day of first .. first + n_days - 1. */
int hp_history_cover(const hp_history *h, int32_t first, long n_days,
                     const hp_config *cfg, const char *key, hp_err *err);

#endif
