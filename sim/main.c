/* main: the hashpivot command line.
 *
 *   hashpivot run CONFIG [-o FILE] [-n PATHS] [-s SEED] [-j THREADS]
 *                        [--set key=value]... [--force] [--quiet]
 *   hashpivot run --resume FILE [-j THREADS] [--quiet]
 *   hashpivot run CONFIG --target-se STAT=SE [--max-paths N] [--target-step S] [options]
 *   hashpivot validate CONFIG [--set key=value]...
 *   hashpivot trace CONFIG -o FILE.npy [-n PATHS] [-s SEED] [-j THREADS]
 *                          [--set key=value]... [--force] [--quiet]
 *   hashpivot params
 *   hashpivot info [--config] RESULTS.h5
 *   hashpivot --help | --version
 *
 * -n and -s are turned into --set overrides of simulation.n_paths and
 * simulation.seed, so the resolved config embedded in the output file says
 * exactly what ran and re-running it reproduces the file. The same config
 * is what --resume reads back to finish an interrupted run. In MPI builds
 * `run` is collective (mpirun/srun): every rank parses the same command
 * line, and rank 0 alone prints. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <omp.h>
#include <hdf5.h>

#include "cli_analysis.h"
#include "cli_util.h"
#include "config.h"
#include "date.h"
#include "driver.h"
#include "hp_err.h"
#include "info.h"
#include "inputs.h"
#include "output.h"
#include "par.h"
#include "preflight.h"
#include "scenario.h"
#include "summary.h"
#include "target_se.h"
#include "trace.h"
#include "version.h"

#define MAX_SETS 256

static const char usage_text[] =
    "usage: hashpivot COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  run          simulate a config and write an HDF5 results file, then print a summary\n"
    "  validate     check a config and print it resolved (every key and its value)\n"
    "  trace        write every path's daily series as a NumPy file (back-tests, plots)\n"
    "  params       print the parameter reference (Markdown)\n"
    "  info         print a results file's metadata and summary\n"
    "  sensitivity  tornado: each key low and high on the same paths\n"
    "  solve        break-even value of one key for a target, on common random numbers\n"
    "  gsa          global sensitivity: Morris screening, Sobol indices\n"
    "\n"
    "hashpivot COMMAND --help describes a command and its options;\n"
    "hashpivot --version prints the version, commit and HDF5 flavour.\n";

static const char run_help[] =
    "usage: hashpivot run CONFIG [-o FILE] [-n PATHS] [-s SEED] [-j THREADS]\n"
    "                            [--set key=value]... [--force] [--quiet]\n"
    "       hashpivot run --resume FILE [-j THREADS] [--quiet]\n"
    "       hashpivot run CONFIG --target-se \"STAT=SE\" [--max-paths N] [--target-step S]\n"
    "                            [options]\n"
    "\n"
    "Simulates CONFIG and writes an HDF5 results file (default\n"
    "results/<config name>.h5), then prints a summary. Sizes that cannot run\n"
    "(memory for the blocks, disk for the file) are refused before any work.\n"
    "\n"
    "With --target-se the path count is chosen by a rule instead of -n: paths\n"
    "are taken in path order, S at a time, until the standard error of STAT\n"
    "is below SE (or N paths); then exactly that many are written. STAT as in\n"
    "solve --target: mean(X), P(X > Y), quantile(X, p), cvar(X, alpha), X a\n"
    "sum of terms like npv[0.2] (e.g. \"mean(npv[0.2] - npv[0])=2e8\"). The\n"
    "count depends only on the config, the seed and the rule; the file records\n"
    "it (n_paths, the resolved config) and the rule (target_se_* attributes).\n"
    "The chosen paths are simulated twice: once to choose, once to write.\n"
    "\n"
    "  -o, --output FILE     results file; never overwritten without --force\n"
    "  -n, --paths N         number of paths (simulation.n_paths); 10000 or 1e4\n"
    "  -s, --seed S          seed (simulation.seed)\n"
    "  -j, --threads T       OpenMP threads (results do not depend on it)\n"
    "      --set key=value   override a config value; repeatable\n"
    "      --force           overwrite an existing results file (or an interrupted one)\n"
    "      --resume FILE     finish an interrupted run (FILE or FILE.partial); config,\n"
    "                        seed and paths come from the file\n"
    "      --quiet           no progress output\n"
    "      --target-se STAT=SE   run until STAT's standard error is below SE\n"
    "      --max-paths N     the rule's cap (default 1000000)\n"
    "      --target-step S   paths per step of the rule (default 1000)\n"
    "  -h, --help            this text\n";

static const char validate_help[] =
    "usage: hashpivot validate CONFIG [-n PATHS] [-s SEED] [--set key=value]...\n"
    "\n"
    "Checks CONFIG as `run` would (every key declared, typed and in range, the\n"
    "model's cross-checks) and prints the resolved configuration: every key\n"
    "with its value, unit and meaning. On a fault, one line FILE:LINE: KEY: why,\n"
    "and exit status 1.\n"
    "\n"
    "  -n, --paths N         number of paths (simulation.n_paths)\n"
    "  -s, --seed S          seed (simulation.seed)\n"
    "      --set key=value   override a config value; repeatable\n"
    "  -h, --help            this text\n";

static const char trace_help[] =
    "usage: hashpivot trace CONFIG -o FILE.npy [-n PATHS] [--first P] [-s SEED]\n"
    "                              [-j THREADS] [--set key=value]... [--force] [--quiet]\n"
    "\n"
    "Simulates CONFIG and writes every path's daily series as one NumPy file: a\n"
    "structured array of shape (paths, days) whose float64 fields are the\n"
    "model's trace variables (market/btc_price, market/fee_btc_per_block, and\n"
    "per chain chain<n>/hashrate, difficulty, blocks, hashprice; chain n is\n"
    "allocation n when the miner is in the network). The paths are those of\n"
    "`run` with the same seed: row i is path P + i of the run (--first P,\n"
    "default 0), so one path of a large run is traced alone. The file takes\n"
    "paths x days x variables x 8 bytes and is written as FILE.partial, synced,\n"
    "then renamed. Serial engine (OpenMP threads, no MPI); for back-tests\n"
    "(scripts/backtest.py) and plots.\n"
    "\n"
    "  -o, --output FILE     the .npy file (required); never overwritten without --force\n"
    "  -n, --paths N         number of paths (simulation.n_paths)\n"
    "      --first P         the first path traced (0-based index of the run's paths)\n"
    "  -s, --seed S          seed (simulation.seed)\n"
    "  -j, --threads T       OpenMP threads (the file does not depend on it)\n"
    "      --set key=value   override a config value; repeatable\n"
    "      --force           overwrite an existing file\n"
    "      --quiet           no closing line\n"
    "  -h, --help            this text\n";

static const char params_help[] =
    "usage: hashpivot params\n"
    "\n"
    "Prints the parameter reference in Markdown: every key of every model with\n"
    "its type, unit, default, range and meaning (docs/parameters.md is this\n"
    "output).\n";

static const char info_help[] =
    "usage: hashpivot info [--config] RESULTS.h5\n"
    "\n"
    "Prints a results file's metadata (format, software version and commit,\n"
    "seed, paths, config, status) and its summary table. A file that is not a\n"
    "complete hashpivot results file is refused with one line.\n"
    "\n"
    "  --config    print only the resolved config the file was made with,\n"
    "              exactly as `hashpivot validate` prints a config\n";

/* Parsed command line. */
typedef struct cli {
    const char *command, *config, *output;
    const char *resume;    /* --resume FILE */
    const char *sets[MAX_SETS];
    size_t n_sets;
    char owned[2][64];     /* text of the -n / -s overrides */
    const hp_param *params[64];   /* NULL-terminated: engine's, then model's */
    int threads, force, quiet;
    const char *target_se;         /* run --target-se STAT=SE                */
    unsigned long long max_paths, target_step;   /* 0: the rule's defaults  */
    unsigned long long first;   /* trace: --first P */
} cli;

/* The single exit path for failures: one line on stderr, status 1. Under
 * MPI every rank holds the same, agreed message; rank 0 prints it. */
static int die(const hp_err *err)
{
    if (hp_par_rank() == 0)
        fprintf(stderr, "hashpivot: %s\n", err->msg);
    return 1;
}

/* Usage errors exit 2, as getopt-style tools do: one line, pointing at
 * the command's --help. */
static int usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int usage_error(const char *command, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "hashpivot: ");
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    if (command != NULL)
        fprintf(stderr, " (hashpivot %s --help lists the options)\n", command);
    else
        fprintf(stderr, " (hashpivot --help lists the commands)\n");
    return 2;
}

/* Appends an override, refusing more than MAX_SETS. */
static int add_set(cli *c, const char *s)
{
    if (c->n_sets >= MAX_SETS)
        return -1;
    c->sets[c->n_sets++] = s;
    return 0;
}

#define CLI_HELP (-1)   /* parse_cli: --help was asked for */

/* -n / -s: a whole number, turned into an override of `key` with an L so
 * that libconfig reads it as 64 bits. */
static int add_number(cli *c, char *owned, size_t n, const char *opt, const char *key,
                      const char *arg)
{
    char why[256];
    if (hp_cli_whole_override(owned, n, opt, key, arg, why, sizeof why) != 0)
        return usage_error(c->command, "%s", why);
    return add_set(c, owned) != 0 ? usage_error(c->command, "too many overrides") : 0;
}

/* Parses the options of run, validate and trace; returns 0, CLI_HELP, or an
 * exit status. */
static int parse_cli(int argc, char **argv, cli *c)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"paths", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},   {"threads", required_argument, NULL, 'j'},
        {"set", required_argument, NULL, 'S'},    {"force", no_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},        {"resume", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},         {"target-se", required_argument, NULL, 'T'},
        {"max-paths", required_argument, NULL, 'M'}, {"target-step", required_argument, NULL, 'P'},
        {"first", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0}};
    const int run = strcmp(c->command, "run") == 0, trace = strcmp(c->command, "trace") == 0;
    char *end;
    int opt, rc;
    optind = 2;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:n:s:j:h", longopts, NULL)) != -1) {
        /* validate takes only the options that change the config; trace
         * all but --resume. */
        if ((!run && !trace && strchr("ojfqR", opt) != NULL) || (trace && opt == 'R') ||
            (!trace && opt == 'F'))
            return usage_error(c->command, "%s does not take %s", c->command,
                               opt == 'o' ? "-o/--output" : opt == 'j' ? "-j/--threads"
                               : opt == 'f' ? "--force" : opt == 'q' ? "--quiet"
                               : opt == 'F' ? "--first" : "--resume");
        if (!run && strchr("TMP", opt) != NULL)
            return usage_error(c->command, "%s does not take %s", c->command,
                               opt == 'T' ? "--target-se" : opt == 'M' ? "--max-paths" : "--target-step");
        switch (opt) {
        case 'h': return CLI_HELP;
        case 'o': c->output = optarg; break;
        case 'n':
            if ((rc = add_number(c, c->owned[0], sizeof c->owned[0], "-n", "simulation.n_paths",
                                 optarg)) != 0)
                return rc;
            break;
        case 's':
            if ((rc = add_number(c, c->owned[1], sizeof c->owned[1], "-s", "simulation.seed",
                                 optarg)) != 0)
                return rc;
            break;
        case 'j':
            errno = 0;
            c->threads = (int)strtol(optarg, &end, 10);
            if (errno || *end || c->threads < 1 || c->threads > 4096)
                return usage_error(c->command, "-j: '%s' is not a thread count (1-4096)", optarg);
            break;
        case 'S':
            if (strchr(optarg, '=') == NULL)
                return usage_error(c->command, "--set: '%s' is not key=value", optarg);
            if (add_set(c, optarg) != 0)
                return usage_error(c->command, "too many overrides");
            break;
        case 'F':
            errno = 0;
            c->first = strtoull(optarg, &end, 10);
            if (errno || *end || *optarg == '-' || !*optarg || c->first > (1ULL << 53))
                return usage_error(c->command, "--first: '%s' is not a path index", optarg);
            break;
        case 'f': c->force = 1; break;
        case 'q': c->quiet = 1; break;
        case 'R': c->resume = optarg; break;
        case 'T': c->target_se = optarg; break;
        case 'M':
        case 'P':
            if (hp_cli_parse_whole(optarg, opt == 'M' ? &c->max_paths : &c->target_step) != 0
                || (opt == 'M' ? c->max_paths : c->target_step) == 0)
                return usage_error(c->command, "%s: '%s' is not a positive whole number",
                                   opt == 'M' ? "--max-paths" : "--target-step", optarg);
            break;
        case ':': return usage_error(c->command, "option %s needs a value", argv[optind - 1]);
        default: return usage_error(c->command, "unknown option %s", argv[optind - 1]);
        }
    }
    if (c->resume != NULL) {
        if (optind != argc)
            return usage_error(c->command, "--resume takes no CONFIG: the config is the one in %s",
                               c->resume);
        if (c->output != NULL || c->n_sets > 0 || c->force || c->target_se || c->max_paths
            || c->target_step)
            return usage_error(c->command, "--resume takes the output, config, seed and paths "
                               "from %s; only -j and --quiet go with it", c->resume);
        return 0;
    }
    if (c->target_se == NULL && (c->max_paths || c->target_step))
        return usage_error(c->command, "--max-paths and --target-step go with --target-se");
    if (c->target_se != NULL && c->owned[0][0] != '\0')
        return usage_error(c->command, "-n and --target-se exclude each other: the rule chooses the "
                           "path count (--max-paths caps it)");
    if (optind != argc - 1)
        return usage_error(c->command, "%s needs exactly one CONFIG file", c->command);
    c->config = argv[optind];
    return 0;
}

/* SIGINT/SIGTERM only raise a flag (the signal number); the driver stops
 * between waves. The one piece of process-wide state, because a signal
 * handler can reach nothing else. */
static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) { stop_requested = sig; }

/* The handler runs once: a second Ctrl-C kills at once (the blocks already
 * recorded stay usable by --resume). */
static void catch_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

/* Loads and validates the config of the command line and builds the
 * model from it (which checks what the declarations cannot); NULL with
 * err set and nothing left allocated on failure. */
static void *load_model(const cli *c, hp_config **cfg, hp_err *err)
{
    *cfg = hp_config_load(c->params, c->config, c->sets, c->n_sets, err);
    void *m = *cfg != NULL ? hp_scenario_model.create(*cfg, err) : NULL;
    if (m == NULL) {
        hp_config_free(*cfg);
        *cfg = NULL;
    }
    return m;
}

/* Whatever the model learns before simulating (a conversion policy);
 * every rank learns the same, from the config alone. */
static int prepare_model(const cli *c, void *m, hp_err *err)
{
    if (hp_scenario_model.prepare == NULL)
        return 0;
    int rc = hp_scenario_model.prepare(m, c->threads, c->quiet || hp_par_rank() != 0, err);
    return hp_par_agree(rc, err);
}

/* `validate`: print the resolved config, or the first error. */
static int cmd_validate(const cli *c)
{
    hp_err err = {0};
    hp_config *cfg = NULL;
    void *m = load_model(c, &cfg, &err);
    if (m == NULL)
        return die(&err);
    hp_config_write(cfg, stdout);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    return 0;
}

/* Startup line: ranks x threads, so that oversubscription (more workers
 * than cores on a node: slower, never wrong) is visible in batch logs.
 * Collective. */
static void print_workers(int threads, int quiet)
{
    int ranks = hp_par_size(), node = hp_par_node_ranks(), bound = omp_get_num_procs();
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int64_t worst = hp_par_max_i64((int64_t)node * threads * 1000 / (cores > 0 ? cores : 1));
    int64_t pinned = hp_par_max_i64(threads > bound);
    if (quiet || hp_par_rank() != 0)
        return;
    fprintf(stderr, "hashpivot: %d rank%s x %d thread%s = %d workers; this node: %d x %d on %ld cores%s%s\n",
            ranks, ranks == 1 ? "" : "s", threads, threads == 1 ? "" : "s", ranks * threads, node,
            threads, cores, hp_par_active() ? "; MPI threads: " : "", hp_par_active() ? hp_par_thread_level() : "");
    if (worst > 1000)
        fprintf(stderr, "hashpivot: oversubscribed: %.1f workers per core on the busiest node\n",
                (double)worst / 1000);
    if (pinned)
        fprintf(stderr, "hashpivot: a rank has more threads than the cores it is bound to "
                "(mpirun --bind-to none, or srun --cpus-per-task)\n");
}

/* Simulates into an open output, then finishes it, or on SIGINT/SIGTERM
 * keeps it for --resume; prints timing and the summary. Returns the exit
 * status: 0, 1 on failure, 128 + signal when interrupted. Collective. */
static int run_output(hp_output *out, void *m, const hp_run_opts *ro, const char *outpath, hp_err *err)
{
    int threads = ro->threads > 0 ? ro->threads : omp_get_max_threads();
    hp_run_stats st = {0};
    print_workers(threads, ro->quiet);
    if (hp_run(&hp_scenario_model, m, ro, out, &st, err) != 0) {
        if (!st.interrupted) {
            hp_output_fail(out, err);
            return 1;
        }
        int sig = (int)hp_par_max_i64(stop_requested);
        hp_err why = *err;
        hp_err_clear(err);
        if (hp_output_suspend(out, err) == 0)
            hp_fail(err, NULL, 0, NULL, "%s; the blocks on disk are kept in %s.partial "
                    "(finish with: hashpivot run --resume %s)", why.msg, outpath, outpath);
        return 128 + (sig > 0 ? sig : SIGTERM);
    }
    if (!ro->quiet && hp_par_rank() == 0)
        fprintf(stderr, "timing: %.3f s simulating and writing, %.3f s (%.1f%%) in HDF5 writes, "
                "%.4g path-days/s per worker\n", st.wall_s, st.write_s,
                st.wall_s > 0 ? 100 * st.write_s / st.wall_s : 0,
                (double)st.paths * hp_scenario_model.layout(m)->n_days / st.wall_s /
                    (threads * hp_par_size()));
    if (hp_output_close(out, err) != 0)
        return 1;
    fflush(stderr);
    if (hp_par_rank() != 0)
        return 0;
    return hp_summary_print(outpath, stdout, err) != 0;
}

/* Memory for the blocks and, for a fresh run (outpath not NULL), disk for
 * the file: checked on every rank and agreed, before any work. */
static int preflight(const cli *c, const hp_config *cfg, const void *m, const char *outpath,
                     hp_err *err)
{
    int threads = c->threads > 0 ? c->threads : omp_get_max_threads();
    int rc = hp_preflight(cfg, hp_scenario_model.layout(m), hp_scenario_model.scratch_bytes(m),
                          threads, hp_par_node_ranks(), outpath, err);
    return hp_par_agree(rc, err);
}

/* `run --resume FILE`: finishes the missing blocks of an interrupted run
 * with the config, seed and block size recorded in the file. FILE is the
 * results name or its ".partial". Collective. */
static int cmd_resume(const cli *c)
{
    hp_err err = {0};
    char outpath[4096], partial[4200], name[4300];
    size_t len = strlen(c->resume);
    if (len > 8 && strcmp(c->resume + len - 8, ".partial") == 0)
        snprintf(outpath, sizeof outpath, "%.*s", (int)(len - 8), c->resume);
    else
        snprintf(outpath, sizeof outpath, "%s", c->resume);
    snprintf(partial, sizeof partial, "%s.partial", outpath);
    struct stat sb;
    if (stat(partial, &sb) != 0 && stat(outpath, &sb) == 0)
        hp_fail(&err, outpath, 0, NULL, "no %s.partial: the run finished or was not interrupted", outpath);
    hp_output_meta meta = {0};
    if (hp_par_agree(err.set ? -1 : 0, &err) != 0 || hp_output_read_meta(partial, &meta, &err) != 0)
        return die(&err);
    snprintf(name, sizeof name, "%s:/config/resolved", partial);
    hp_config *cfg = hp_config_load_text(c->params, name, meta.config_resolved, &err);
    void *m = cfg != NULL ? hp_scenario_model.create(cfg, &err) : NULL;
    int rc = 1;
    if (m != NULL) {
        hp_output_opts oo = {
            .path = outpath,
            .per_year = hp_cfg_bool(cfg, "output.per_year"),
            .float32 = hp_cfg_bool(cfg, "output.float32"),
            .seed = (uint64_t)hp_cfg_int(cfg, "simulation.seed"),
            .n_paths = (uint64_t)hp_cfg_int(cfg, "simulation.n_paths"),
            .block_size = meta.block_size,
            .checkpoint_s = hp_cfg_double(cfg, "output.checkpoint_s"),
        };
        hp_run_opts ro = {
            .seed = oo.seed, .n_paths = oo.n_paths, .threads = c->threads,
            .quiet = c->quiet, .stop = &stop_requested,
        };
        hp_output_resumed info;
        catch_signals();
        hp_output *out = NULL;
        if (preflight(c, cfg, m, NULL, &err) == 0 && prepare_model(c, m, &err) == 0
            && hp_par_agree(hp_inputs_check(meta.inputs, partial, hp_scenario_model.layout(m), &err), &err) == 0)
            out = hp_output_reopen(&oo, hp_scenario_model.layout(m), &info, &err);
        if (out != NULL && meta.closing && !c->quiet && hp_par_rank() == 0)
            fprintf(stderr, "hashpivot: %s is complete but was not renamed (the run was stopped while "
                    "closing it): checking and finishing it\n", partial);
        if (out != NULL && !c->quiet && hp_par_rank() == 0)
            fprintf(stderr, "hashpivot: resuming %s: %llu of %llu blocks of %llu paths on disk\n", partial,
                    (unsigned long long)info.done, (unsigned long long)info.blocks,
                    (unsigned long long)meta.block_size);
        if (out != NULL && info.rejected && !c->quiet && hp_par_rank() == 0)
            fprintf(stderr, "hashpivot: %llu block(s) flagged complete failed verification (unreadable, "
                    "never written or damaged): simulated again\n", (unsigned long long)info.rejected);
        if (out != NULL)
            rc = run_output(out, m, &ro, outpath, &err);
    }
    if (err.set)
        die(&err);
    if (m != NULL)
        hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    hp_output_meta_free(&meta);
    return rc;
}

/* --target-se: applies the rule (target_se.h) to the model of the command
 * line, then reloads the config with the count it chose as
 * simulation.n_paths, so that the file and its resolved config say it.
 * The destination is checked first: the rule may take long. Returns the
 * new model, or NULL with err set (the old one is freed either way).
 * Collective. */
static void *choose_paths(cli *c, const char *outpath, hp_config **cfg, void *m,
                          hp_target_se *ts, hp_target_se_result *tr, hp_err *err)
{
    hp_output_opts dest = { .path = outpath, .force = c->force };
    int rc = hp_par_agree(hp_par_rank() == 0 ? hp_output_check(&dest, err) : 0, err);
    if (rc == 0)
        rc = hp_target_se_parse(c->target_se, c->target_step, c->max_paths, ts, err);
    if (rc == 0 && hp_scenario_model.layout(m)->qmc_points > 0)  /* its rule uses iid errors */
        rc = hp_cfg_fail(*cfg, err, "simulation.sampler", "\"sobol\" with --target-se: the rule's "
                         "standard error assumes independent paths; use \"pseudo\"");
    if (rc == 0)    /* a name or allocation the config lacks: said before any work */
        rc = hp_target_bind(&ts->stat, hp_scenario_model.layout(m), "--target-se", err);
    if (rc == 0 && !c->quiet && hp_par_rank() == 0)
        fprintf(stderr, "hashpivot: --target-se: simulating %llu paths at a time until the standard "
                "error is below %g (at most %llu paths)\n", (unsigned long long)ts->step,
                ts->stat.value, (unsigned long long)ts->max_paths);
    if (rc == 0)
        rc = hp_target_se_find(ts, &hp_scenario_model, m, (uint64_t)hp_cfg_int(*cfg, "simulation.seed"),
                               c->threads, tr, err);
    hp_scenario_model.destroy(m);
    hp_config_free(*cfg);
    *cfg = NULL;
    if (rc != 0)
        return NULL;
    if (!c->quiet && hp_par_rank() == 0)
        fprintf(stderr, "hashpivot: --target-se: standard error %.4g after %llu paths: %s\n",
                tr->est.se, (unsigned long long)tr->n_paths,
                tr->reached ? "below the target" : "the cap, ABOVE the target");
    snprintf(c->owned[0], sizeof c->owned[0], "simulation.n_paths=%lluL", (unsigned long long)tr->n_paths);
    if (add_set(c, c->owned[0]) != 0) {
        hp_fail(err, NULL, 0, NULL, "too many overrides");
        return NULL;
    }
    return load_model(c, cfg, err);
}

/* The closing line of a --target-se run, on stdout after the summary. */
static void print_target(const hp_target_se *ts, const hp_target_se_result *tr)
{
    char stat[256];
    hp_target_stat_text(&ts->stat, stat, sizeof stat);
    printf("\ntarget: %s = %.6g +- %.4g (SE target %g %s at %llu paths, checked every %llu)\n", stat,
           tr->est.value, tr->est.se, ts->stat.value, tr->reached ? "reached" : "NOT reached: cap",
           (unsigned long long)tr->n_paths, (unsigned long long)ts->step);
}

/* `run`: validate, check the destination, simulate, write, summarise. */
static int cmd_run(const cli *given, int argc, char **argv)
{
    hp_err err = {0};
    hp_config *cfg = NULL;
    cli copy = *given, *c = &copy;
    void *m = load_model(c, &cfg, &err);
    if (m == NULL)
        return die(&err);
    char outpath[4096];
    if (c->output != NULL)
        snprintf(outpath, sizeof outpath, "%s", c->output);
    else
        hp_cli_default_output(c->config, NULL, outpath, sizeof outpath);
    hp_target_se ts;
    hp_target_se_result tr = {0};
    hp_output_target ot = {0};
    char stat[256];
    if (c->target_se != NULL) {
        if ((m = choose_paths(c, outpath, &cfg, m, &ts, &tr, &err)) == NULL)
            return die(&err);
        ot = (hp_output_target){ hp_target_stat_text(&ts.stat, stat, sizeof stat), ts.stat.value,
                                 tr.est.se, tr.est.value, ts.step, ts.max_paths, tr.reached };
    }

    hp_inputs inputs = { 0 };
    char *source = hp_read_file(c->config, "config file", HP_CONFIG_MAX_BYTES, NULL, &err);
    char *resolved = hp_config_text(cfg);
    char *cmdline = hp_cli_join_args(argc, argv);
    int rc = source == NULL || hp_inputs_add_config(&inputs, c->config, source, &err) < 0
             || hp_inputs_add_layout(&inputs, hp_scenario_model.layout(m), &err) < 0 ? 1 : 0;
    hp_output_opts oo = {
        .path = outpath, .force = c->force,
        .per_year = hp_cfg_bool(cfg, "output.per_year"),
        .float32 = hp_cfg_bool(cfg, "output.float32"),
        .seed = (uint64_t)hp_cfg_int(cfg, "simulation.seed"),
        .n_paths = (uint64_t)hp_cfg_int(cfg, "simulation.n_paths"),
        .command_line = cmdline, .config_file = c->config,
        .config_source = source, .config_resolved = resolved, .inputs = inputs.text,
        .checkpoint_s = hp_cfg_double(cfg, "output.checkpoint_s"), .stop = &stop_requested,
        .target = c->target_se != NULL ? &ot : NULL,
    };
    oo.block_size = (uint64_t)hp_cfg_int(cfg, "simulation.block_size");
    hp_run_opts ro = {
        .seed = oo.seed, .n_paths = oo.n_paths, .threads = c->threads,
        .quiet = c->quiet, .stop = &stop_requested,
    };
    hp_output *out = NULL;
    catch_signals();
    if (rc == 0 && preflight(c, cfg, m, outpath, &err) == 0 && prepare_model(c, m, &err) == 0 &&
        (out = hp_output_create(&oo, hp_scenario_model.layout(m), &err)) != NULL)
        rc = run_output(out, m, &ro, outpath, &err);
    else if (rc == 0)
        rc = stop_requested ? 128 + stop_requested : 1;   /* a signal while creating the file */
    if (err.set)
        die(&err);
    if (rc == 0 && c->target_se != NULL && hp_par_rank() == 0)
        print_target(&ts, &tr);
    free(source);
    free(resolved);
    free(cmdline);
    hp_inputs_free(&inputs);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    return rc;
}

/* `trace`: daily series of every path into a .npy file (trace.h). */
static int cmd_trace(const cli *c)
{
    if (c->output == NULL)
        return usage_error("trace", "trace needs -o FILE.npy");
    hp_err err = {0};
    hp_config *cfg = NULL;
    void *m = load_model(c, &cfg, &err);
    if (m == NULL)
        return die(&err);
    hp_trace_opts to = {
        .path = c->output, .threads = c->threads, .force = c->force, .first = c->first,
        .seed = (uint64_t)hp_cfg_int(cfg, "simulation.seed"),
        .n_paths = (uint64_t)hp_cfg_int(cfg, "simulation.n_paths"),
    };
    int rc = prepare_model(c, m, &err) != 0 || hp_trace_run(&hp_scenario_model, m, &to, &err) != 0
             ? die(&err) : 0;
    if (rc == 0 && !c->quiet)
        printf("%s: %llu paths x %d days\n", c->output, (unsigned long long)to.n_paths,
               hp_scenario_model.layout(m)->n_days);
    hp_scenario_model.destroy(m);
    hp_config_free(cfg);
    return rc;
}

/* `info`: metadata and summary of a results file; refuses foreign files.
 * `info --config`: the resolved config it was made with. */
static int cmd_info(int argc, char **argv)
{
    int config = argc == 4 && strcmp(argv[2], "--config") == 0;
    const char *file = argv[argc - 1];
    if ((argc != 3 && !config) || file[0] == '-')
        return argc == 3 ? usage_error("info", "info does not take %s", argv[2])
                         : usage_error("info", "info needs exactly one RESULTS.h5 file");
    hp_err err = {0};
    int rc = config ? hp_info_print_config(file, stdout, &err) : hp_info_print(file, stdout, &err);
    return rc != 0 ? die(&err) : 0;
}

/* `params`: the parameter reference. */
static int cmd_params(int argc, char **argv, cli *c)
{
    if (argc != 2)
        return usage_error("params", "params takes no arguments (got %s)", argv[2]);
    hp_params_markdown(c->params, stdout);
    return 0;
}

/* `run`, `validate` and `trace`: options, then the command. run is collective
 * under MPI. */
static int cmd_config(int argc, char **argv, cli *c, const char *help)
{
    int rc = parse_cli(argc, argv, c);
    if (rc == CLI_HELP) {
        fputs(help, stdout);
        return 0;
    }
    if (rc != 0)
        return rc;
    if (strcmp(c->command, "validate") == 0)
        return cmd_validate(c);
    if (strcmp(c->command, "trace") == 0)
        return cmd_trace(c);
    hp_err err = {0};
    if (hp_par_init(&argc, &argv, &err) != 0)
        return die(&err);
    rc = c->resume != NULL ? cmd_resume(c) : cmd_run(c, argc, argv);
    hp_par_finalize();
    return rc;
}

/* Is this argument a request for help? */
static int is_help(const char *arg)
{
    return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

/* The commands: a new one is a help text, a function and a line here. */
typedef struct command {
    const char *name;
    const char *help;       /* `hashpivot NAME --help` */
} command;

static const command commands[] = {
    {"run", run_help}, {"validate", validate_help}, {"trace", trace_help},
    {"params", params_help}, {"info", info_help},
};

int main(int argc, char **argv)
{
    /* Files are closed explicitly; one HDF5 could not close (a full disk)
     * must not be closed again at exit, where HDF5 1.10 would crash on it
     * (sim/output_io.c, close_file). */
    H5dont_atexit();
    if (argc < 2)
        return usage_error(NULL, "missing command");
    if (is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
        /* `hashpivot help run` is `hashpivot run --help`. */
        for (size_t i = 0; argc > 2 && i < sizeof commands / sizeof commands[0]; i++)
            if (strcmp(argv[2], commands[i].name) == 0) {
                fputs(commands[i].help, stdout);
                return 0;
            }
        fputs(usage_text, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("hashpivot %s (commit %s, HDF5 %s)\n", HP_VERSION, HP_GIT_COMMIT, HP_HDF5_FLAVOUR);
        return 0;
    }
    const command *cmd = NULL;
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            cmd = &commands[i];
    if (cmd == NULL && hp_cli_is_analysis(argv[1])) {
        const hp_param *tables[64];
        hp_run_params(&hp_scenario_model, tables, sizeof tables / sizeof tables[0]);
        return hp_cli_analysis(argc, argv, &hp_scenario_model, tables);
    }
    if (cmd == NULL)
        return usage_error(NULL, "unknown command '%s'", argv[1]);
    /* run and validate read --help with their other options (getopt); the
     * others take none, so --help anywhere is the question. */
    if (strcmp(cmd->name, "run") != 0 && strcmp(cmd->name, "validate") != 0 &&
        strcmp(cmd->name, "trace") != 0)
        for (int i = 2; i < argc; i++)
            if (is_help(argv[i])) {
                fputs(cmd->help, stdout);
                return 0;
            }
    cli c = {.command = cmd->name};
    hp_run_params(&hp_scenario_model, c.params, sizeof c.params / sizeof c.params[0]);
    if (strcmp(cmd->name, "params") == 0)
        return cmd_params(argc, argv, &c);
    if (strcmp(cmd->name, "info") == 0)
        return cmd_info(argc, argv);
    return cmd_config(argc, argv, &c, cmd->help);
}
