/* model: what the engine knows about a model, and nothing more.
 *
 * The engine (driver, output, summary, CLI) never names a price process or
 * a cash-flow line. A model hands it:
 *   - its parameter tables (for the config loader),
 *   - a layout: the axes (allocations, calendar years, halvings), the
 *     list of output variables with their shapes, units and meanings, the
 *     summary items to print, the start date and horizon of the run,
 *   - simulate_path(): fills one path's results into a flat array of
 *     doubles, in the order and sizes the layout gives.
 * simulate_path() must depend only on (model, seed, path): that is what
 * makes results independent of threads, ranks and block size. */
#ifndef HP_MODEL_H
#define HP_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "hp_err.h"

/* Shape of one variable; the path dimension is always present. */
typedef enum hp_shape {
    HP_SHAPE_PATH_YEAR,          /* [path, year]             */
    HP_SHAPE_ALLOC_PATH_YEAR,    /* [allocation, path, year] */
    HP_SHAPE_ALLOC_PATH,         /* [allocation, path]       */
    HP_SHAPE_ALLOC_PATH_HALVING, /* [allocation, path, halving], integer day index, -1 = not reached */
    HP_SHAPE_PATH                /* [path]                   */
} hp_shape;

typedef struct hp_var {
    const char *name;   /* "group/name", the HDF5 path below the root        */
    hp_shape shape;
    const char *units;  /* "USD", "USD/PH/day", "BTC", "MW", "day", ...      */
    const char *doc;    /* one-line meaning, stored as the `long_name` attr  */
    int total;          /* ALLOC_PATH_YEAR only: also write the horizon sum
                           as totals/<name> [allocation, path]               */
} hp_var;

/* A line of the printed summary: a per-path quantity over allocations. */
typedef struct hp_summary_item {
    const char *label;  /* column title, e.g. "NPV"                          */
    const char *var;    /* an [allocation, path] dataset, e.g. "valuation/npv" */
    double scale;       /* multiply values by this (e.g. 1/years for a mean) */
    int paired;         /* also print P(value > the baseline's) on the same
                           path (the comparison the allocations are run for) */
} hp_summary_item;

/* A file the model read (e.g. a history CSV). The engine records it with
 * its checksum in the results file, and --resume refuses to continue a run
 * whose inputs changed. */
typedef struct hp_input_file {
    const char *path;           /* as the config names it                     */
    const char *sha256;         /* 64 hex digits of the bytes the model read  */
} hp_input_file;

/* A small array the model knows before any path (e.g. a learned policy's
 * exercise boundary), written once when the file is created; or, with
 * `text`, a string dataset. */
typedef struct hp_table {
    const char *name;           /* "group/name", the HDF5 path below the root  */
    const char *units;
    const char *doc;            /* stored as long_name                        */
    const char *dims;           /* meaning of the axes, e.g. "decision, converted" */
    int rank;                   /* 1 .. 3                                     */
    size_t shape[3];
    const double *data;         /* row-major; NaN where undefined             */
    const char *text;           /* not NULL: a string dataset instead         */
} hp_table;

typedef struct hp_layout {
    int n_alloc;
    const double *alloc;        /* [n_alloc] converted fraction of power       */
    int n_years;
    const int *year;            /* [n_years] calendar year labels             */
    const int *days_in_year;    /* [n_years] simulated days in each year      */
    int n_halvings;
    const int64_t *halving_height; /* [n_halvings] block heights               */
    int n_days;                 /* simulated days in total                    */
    int n_vars;
    const hp_var *vars;         /* [n_vars]                                   */
    int n_summary;
    const hp_summary_item *summary;
    int baseline_alloc;         /* index of the 0% allocation, or -1          */
    int n_inputs;
    const hp_input_file *inputs; /* [n_inputs] files the model read          */
    const char *start_date;     /* "YYYY-MM-DD" of day 0, for the file       */
    double horizon_years;       /* the horizon the config asked for          */
    uint64_t qmc_points;        /* 0: paths are independent draws; M > 0:
                                 * quasi-Monte Carlo, paths come in
                                 * independent scrambles of M (path p in
                                 * scramble p / M), and the spread of the
                                 * scrambles' means is the honest error      */
    int n_tables;               /* set by hp_model.prepare, if at all        */
    const hp_table *tables;     /* [n_tables]                                */
} hp_layout;

/* Doubles one variable takes in a path's result array. */
size_t hp_var_size(const hp_layout *l, const hp_var *v);
/* Doubles a whole path result takes; offsets follow the order of vars. */
size_t hp_layout_path_size(const hp_layout *l);

typedef struct hp_model {
    const char *name;
    const hp_param *const *params;     /* NULL-terminated list of tables */
    /* Builds the model from a validated config; NULL with err set on a
     * cross-field failure (e.g. a correlation matrix not positive definite). */
    void *(*create)(const hp_config *cfg, hp_err *err);
    const hp_layout *(*layout)(const void *m);
    size_t (*scratch_bytes)(const void *m);   /* per-thread workspace */
    void (*simulate_path)(const void *m, uint64_t seed, uint64_t path,
                          double *out, void *scratch);
    void (*destroy)(void *m);
    /* Optional (NULL: the model has none): daily series of a path, for
     * back-tests and plots (`hashpivot trace`). trace_vars gives their
     * names ("group/name", in trace order) and returns how many;
     * simulate_trace is simulate_path that also fills
     * trace[day * n_trace + v] for every day. */
    int (*trace_vars)(const void *m, const char *const **names);
    void (*simulate_trace)(const void *m, uint64_t seed, uint64_t path,
                           double *out, void *scratch, double *trace);
    /* Optional (NULL: nothing to learn): runs before the output is created,
     * once per run and on resume, and may change the layout's tables (e.g.
     * a conversion policy learned by least-squares Monte Carlo on training
     * paths of the model's own). Must depend only on the config: never on
     * `threads`. Returns 0, or -1 with err set. */
    int (*prepare)(void *m, int threads, int quiet, hp_err *err);
    /* Optional, all four or none (NULL: no revaluation): a simulated path
     * valued again under other valuation keys, without simulating it
     * again (the sensitivity analysis varies e.g. a discount rate).
     * valuation_key: 1 when `key` reaches this model's results only
     * through the valuation of cash flows already simulated (no process,
     * decision, policy or rule reads it), so that two configs differing
     * only in such keys simulate the same paths; 0 otherwise.
     * simulate_record is simulate_path that also fills `record`
     * (record_bytes(m) bytes, one per thread) with what the valuation
     * reads. revalue: model m, built from a config that differs from the
     * recording model's only in valuation keys, writes into `out` the
     * path's result array from the recording model's result `in` and its
     * record: the bits simulate_path(m, ...) would write. */
    int (*valuation_key)(const void *m, const char *key);
    size_t (*record_bytes)(const void *m);
    void (*simulate_record)(const void *m, uint64_t seed, uint64_t path, double *out,
                            void *scratch, void *record);
    void (*revalue)(const void *m, const void *record, const double *in, double *out);
    /* Optional with the four (NULL: a record keeps record_bytes): packs a
     * record filled by simulate_record in place, so that revalue reads
     * only its first N bytes; returns N (<= record_bytes). For keeping
     * many records in memory (sim/recorded.h). */
    size_t (*record_pack)(const void *m, void *record);
} hp_model;

#endif
