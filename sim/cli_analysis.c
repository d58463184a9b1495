/* cli_analysis: option parsing for sensitivity, solve and gsa (see
 * cli_analysis.h); the work is in sensitivity.c, solve.c and gsa.c. */
#include "cli_analysis.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis.h"
#include "cli_util.h"
#include "gsa.h"
#include "config.h"
#include "readfile.h"

#define MAX_SETS 256
#define MAX_VARY 64

const char hp_cli_analysis_usage[] =
    "       hashpivot sensitivity CONFIG --vary KEY=LOW:HIGH... [-o FILE] [-n PATHS] [options]\n"
    "       hashpivot solve CONFIG --vary KEY=LOW:HIGH --target \"EXPR\" [-n PATHS] [options]\n"
    "       hashpivot gsa CONFIG [--method morris|sobol|both] [-o FILE] [-n PATHS] [options]\n";

static const char common_opts[] =
    "  -n, --paths N         paths per evaluation (simulation.n_paths)\n"
    "  -s, --seed S          seed (simulation.seed); every evaluation uses the same paths\n"
    "  -j, --threads T       OpenMP threads (results do not depend on it)\n"
    "      --set key=value   override a config value; repeatable\n"
    "      --quiet           no progress output\n"
    "      --simulate-all    simulate every run, even where only valuation keys vary\n"
    "                        (they are otherwise revalued on the base case's paths:\n"
    "                        the same bits, faster)\n"
    "      --record-mib M    solve, gsa: memory for the base case's recorded paths, in\n"
    "                        MiB (default 4096, about 6,500 default paths); the paths\n"
    "                        beyond it are simulated: the same bits, slower. 0 = none\n"
    "  -h, --help            this help\n";

static const char sens_usage[] =
    "usage: hashpivot sensitivity CONFIG --vary KEY=LOW:HIGH [--vary ...] [-o FILE] [-n PATHS]\n"
    "                             [-s SEED] [-j THREADS] [--set key=value]... [--alloc F]\n"
    "                             [--force] [--quiet]\n"
    "\n"
    "Runs the base case and each KEY at LOW and at HIGH on the same paths (common random\n"
    "numbers), writes the statistics of NPV and of the gain over 0%, with their errors, to\n"
    "the /sensitivity group of FILE (default results/<config name>_sensitivity.h5) and\n"
    "prints a tornado table ranked by the swing of the mean gain.\n"
    "\n"
    "      --vary KEY=LOW:HIGH   a numeric config key and two values; repeatable\n"
    "      --alloc F             allocation whose gain ranks the tornado (default 0.2 if\n"
    "                            present, else the largest)\n"
    "  -o, --output FILE         analysis file\n"
    "      --force               overwrite FILE\n";

static const char solve_usage[] =
    "usage: hashpivot solve CONFIG --vary KEY=LOW:HIGH --target \"EXPR\" [-n PATHS] [-s SEED]\n"
    "                       [-j THREADS] [--set key=value]... [--se delta|batches]\n"
    "                       [--batches B] [--xtol X] [--quiet]\n"
    "\n"
    "Finds the value of KEY in [LOW, HIGH] at which the target holds, by Brent's method on\n"
    "common random numbers (every evaluation on the same paths), and prints as its last\n"
    "line `KEY = VALUE ± SE`.\n"
    "\n"
    "      --target EXPR     STAT = VALUE, STAT one of mean(X), P(X > Y), P(X < Y),\n"
    "                        quantile(X, p), cvar(X, alpha); X, Y sums of terms like\n"
    "                        npv[0.2], 2*npv_hpc[0.5], 1e9. Examples:\n"
    "                          \"mean(npv[0.2] - npv[0]) = 0\"\n"
    "                          \"P(npv[0.2] > npv[0]) = 0.5\"\n"
    "      --se delta        SE = SE of STAT at the root / |slope| (default)\n"
    "      --se batches      SE from solving on B independent batches of the paths\n"
    "      --batches B       batches for --se batches (default 10)\n"
    "      --xtol X          stop when the bracket is narrower than X (default\n"
    "                        1e-10 x (HIGH - LOW))\n";

static const char gsa_usage[] =
    "usage: hashpivot gsa CONFIG [--method morris|sobol|both] [-o FILE] [-n PATHS] [-s SEED]\n"
    "                     [-j THREADS] [--set key=value]... [--stat \"STAT\"]\n"
    "                     [-N BASE] [-r TRAJECTORIES] [--bootstrap B] [--force] [--quiet]\n"
    "\n"
    "Global sensitivity over the inputs declared in the config's `uncertain` group, e.g.\n"
    "    uncertain = { hpc.capex_usd_per_mw = [\"uniform\", 8e6, 12e6]; };\n"
    "Every design point is a Monte Carlo run of PATHS paths on the same seed. Morris\n"
    "screening (elementary effects: mu*, sigma) costs r (k + 1) runs; Sobol indices\n"
    "(first-order S1 and total ST, Saltelli sampling, Saltelli 2010 / Jansen estimators,\n"
    "bootstrap intervals) cost N (k + 2) runs, for k inputs. Writes the /gsa group of FILE\n"
    "(default results/<config name>_gsa.h5) and prints the indices.\n"
    "\n"
    "      --method M        morris, sobol or both (default both)\n"
    "      --stat STAT       the output statistic (default \"mean(npv[0.2] - npv[0])\";\n"
    "                        see `hashpivot solve --help` for the syntax)\n"
    "  -N, --base-samples N  Sobol base samples, a power of 2 (default 64)\n"
    "  -r, --trajectories R  Morris trajectories (default 10)\n"
    "      --bootstrap B     bootstrap resamples for the intervals (default 1000)\n"
    "  -o, --output FILE     analysis file\n"
    "      --force           overwrite FILE\n"
    "(-n defaults to 500 paths per run here, not the config's simulation.n_paths: the\n"
    " defaults cost (10 (k + 1) + 64 (k + 2)) x 500 paths, 254,000 for k = 5 inputs.)\n";

typedef struct acli {
    const char *command, *config, *output, *target, *stat, *method, *se;
    const char *sets[MAX_SETS];
    size_t n_sets;
    char owned[2][64];
    const char *vary[MAX_VARY];
    int n_vary, threads, force, quiet, paths_given, batches, simulate_all;
    long record_mib;             /* --record-mib; -1: the default budget */
    double alloc, xtol;
    long base_samples, trajectories, bootstrap;
} acli;

static const char *usage_of(const char *command)
{
    return strcmp(command, "sensitivity") == 0 ? sens_usage
           : strcmp(command, "solve") == 0     ? solve_usage
                                               : gsa_usage;
}

/* Usage errors exit 2 with one line, as run's do (main.c), pointing at
 * the command's --help rather than printing it. */
static int usage_error(const acli *c, const char *fmt, const char *arg)
{
    fprintf(stderr, "hashpivot %s: ", c->command);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, " (hashpivot %s --help lists the options)\n", c->command);
    return 2;
}

static int add_set(acli *c, const char *s)
{
    if (c->n_sets >= MAX_SETS)
        return -1;
    c->sets[c->n_sets++] = s;
    return 0;
}

/* A positive integer option; -1 when it is not one. */
static long parse_count(const char *s, long max)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    return errno || *end || v < 1 || v > max ? -1 : v;
}

static int parse(int argc, char **argv, acli *c)
{
    enum { O_SET = 256, O_VARY, O_ALLOC, O_FORCE, O_QUIET, O_SIMALL, O_TARGET, O_SE, O_BATCHES, O_XTOL,
           O_METHOD, O_STAT, O_BOOT, O_RECORD };
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'}, {"paths", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'}, {"threads", required_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'}, {"set", required_argument, NULL, O_SET},
        {"vary", required_argument, NULL, O_VARY}, {"alloc", required_argument, NULL, O_ALLOC},
        {"force", no_argument, NULL, O_FORCE}, {"quiet", no_argument, NULL, O_QUIET},
        {"simulate-all", no_argument, NULL, O_SIMALL},
        {"target", required_argument, NULL, O_TARGET}, {"se", required_argument, NULL, O_SE},
        {"batches", required_argument, NULL, O_BATCHES}, {"xtol", required_argument, NULL, O_XTOL},
        {"method", required_argument, NULL, O_METHOD}, {"stat", required_argument, NULL, O_STAT},
        {"bootstrap", required_argument, NULL, O_BOOT},
        {"record-mib", required_argument, NULL, O_RECORD},
        {"base-samples", required_argument, NULL, 'N'}, {"trajectories", required_argument, NULL, 'r'},
        {NULL, 0, NULL, 0}};
    char *end;
    int opt;
    optind = 2;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:n:s:j:hN:r:", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o': c->output = optarg; break;
        case 'n':
        case 's': {
            char *owned = c->owned[opt == 's'], why[256];
            if (hp_cli_whole_override(owned, sizeof c->owned[0], opt == 'n' ? "-n" : "-s",
                                      opt == 'n' ? "simulation.n_paths" : "simulation.seed",
                                      optarg, why, sizeof why) != 0)
                return usage_error(c, "%s", why);
            c->paths_given |= opt == 'n';
            if (add_set(c, owned)) return usage_error(c, "too many overrides%s", "");
            break;
        }
        case 'j':
            if ((c->threads = (int)parse_count(optarg, 4096)) < 0)
                return usage_error(c, "-j: '%s' is not a thread count (1-4096)", optarg);
            break;
        case 'h':
            printf("%s%s", usage_of(c->command), common_opts);
            return -1;
        case O_SET:
            if (strchr(optarg, '=') == NULL) return usage_error(c, "--set: '%s' is not key=value", optarg);
            if (strncmp(optarg, "simulation.n_paths", 18) == 0) c->paths_given = 1;
            if (add_set(c, optarg)) return usage_error(c, "too many overrides%s", "");
            break;
        case O_VARY:
            if (c->n_vary >= MAX_VARY) return usage_error(c, "more than 64 --vary%s", "");
            c->vary[c->n_vary++] = optarg;
            break;
        case O_ALLOC:
            c->alloc = strtod(optarg, &end);
            if (end == optarg || *end) return usage_error(c, "--alloc: '%s' is not a fraction", optarg);
            break;
        case O_FORCE: c->force = 1; break;
        case O_QUIET: c->quiet = 1; break;
        case O_SIMALL: c->simulate_all = 1; break;
        case O_TARGET: c->target = optarg; break;
        case O_SE:
            if (strcmp(optarg, "delta") != 0 && strcmp(optarg, "batches") != 0)
                return usage_error(c, "--se: '%s' is not delta or batches", optarg);
            c->se = optarg;
            break;
        case O_BATCHES:
            if ((c->batches = (int)parse_count(optarg, 1000)) < 2)
                return usage_error(c, "--batches: '%s' is not a count from 2 to 1000", optarg);
            break;
        case O_XTOL:
            c->xtol = strtod(optarg, &end);
            if (end == optarg || *end || !(c->xtol > 0)) return usage_error(c, "--xtol: '%s' is not > 0", optarg);
            break;
        case O_METHOD:
            if (strcmp(optarg, "morris") && strcmp(optarg, "sobol") && strcmp(optarg, "both"))
                return usage_error(c, "--method: '%s' is not morris, sobol or both", optarg);
            c->method = optarg;
            break;
        case O_STAT: c->stat = optarg; break;
        case O_RECORD: {
            /* Up to 2^40 MiB: the byte count then fits any 64-bit size_t. */
            unsigned long long mib;
            if (hp_cli_parse_whole(optarg, &mib) != 0 || mib > (1ULL << 40))
                return usage_error(c, "--record-mib: '%s' is not a whole number of MiB", optarg);
            c->record_mib = (long)mib;
            break;
        }
        case O_BOOT:
            if ((c->bootstrap = parse_count(optarg, 1000000)) < 0)
                return usage_error(c, "--bootstrap: '%s' is not a count", optarg);
            break;
        case 'N':
            if ((c->base_samples = parse_count(optarg, 1L << 24)) < 0 || (c->base_samples & (c->base_samples - 1)))
                return usage_error(c, "-N: '%s' is not a power of 2 (up to 2^24)", optarg);
            break;
        case 'r':
            if ((c->trajectories = parse_count(optarg, 100000)) < 0)
                return usage_error(c, "-r: '%s' is not a count", optarg);
            break;
        case ':': return usage_error(c, "option %s needs a value", argv[optind - 1]);
        default: return usage_error(c, "unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return usage_error(c, "needs exactly one CONFIG file%s", "");
    c->config = argv[optind];
    int sens = strcmp(c->command, "sensitivity") == 0, solve = strcmp(c->command, "solve") == 0;
    if ((sens || solve) && c->n_vary == 0)
        return usage_error(c, "needs --vary KEY=LOW:HIGH%s", "");
    if (solve && c->n_vary != 1)
        return usage_error(c, "varies exactly one key (one --vary)%s", "");
    if (solve && c->target == NULL)
        return usage_error(c, "needs --target \"EXPR\"%s", "");
    if (!solve && (c->target || c->se || c->batches || c->xtol > 0))
        return usage_error(c, "--target, --se, --batches and --xtol belong to solve%s", "");
    if (!strcmp(c->command, "gsa") ? c->n_vary > 0 || !isnan(c->alloc)
                                   : c->method || c->stat || c->base_samples || c->trajectories || c->bootstrap)
        return usage_error(c, "an option not for this command%s", "");
    if (strcmp(c->command, "sensitivity") == 0 && c->record_mib >= 0)
        return usage_error(c, "--record-mib is for solve and gsa: sensitivity revalues "
                           "within its one pass%s", "");
    if (solve && (c->output || c->force))
        return usage_error(c, "writes no file (-o, --force)%s", "");
    return 0;
}

/* Opens the analysis file (-o, or results/<config name>_<analysis>.h5,
 * its name left in path) with the base config's text and metadata. */
static hp_anfile *open_file(const acli *c, const hp_an *an, const char *analysis, char *path, size_t len,
                            int argc, char **argv, hp_err *err)
{
    if (c->output != NULL)
        snprintf(path, len, "%s", c->output);
    else
        hp_cli_default_output(c->config, analysis, path, len);
    if (hp_anfile_check(path, c->force, err) != 0)
        return NULL;
    hp_config *cfg;
    void *m = hp_an_build(an, NULL, 0, &cfg, err);
    if (m == NULL)
        return NULL;
    char *resolved = hp_config_text(cfg), *cmd = hp_cli_join_args(argc, argv);
    char *source = hp_read_file(c->config, "config file", HP_CONFIG_MAX_BYTES, NULL, err);
    hp_anfile_meta meta = {
        .path = path, .force = c->force, .analysis = analysis, .command_line = cmd,
        .config_file = c->config, .config_source = source, .config_resolved = resolved,
        .seed = an->seed, .n_paths = an->n_paths,
    };
    hp_anfile *f = source != NULL ? hp_anfile_create(&meta, err) : NULL;
    free(resolved);
    free(source);
    free(cmd);
    hp_an_destroy(an, m, cfg);
    return f;
}

static int die(const hp_err *err)
{
    fprintf(stderr, "hashpivot: %s\n", err->msg);
    return 1;
}

static int cmd_sensitivity(const acli *c, hp_an *an, int argc, char **argv)
{
    hp_err err = {0};
    hp_vary vary[MAX_VARY];
    for (int i = 0; i < c->n_vary; i++)
        if (hp_vary_parse(an, c->vary[i], &vary[i], &err) != 0)
            return die(&err);
    char path[4096];
    hp_anfile *f = open_file(c, an, "sensitivity", path, sizeof path, argc, argv, &err);
    if (f == NULL)
        return die(&err);
    hp_sens_opts o = {.vary = vary, .n_vary = c->n_vary, .alloc = c->alloc, .quiet = c->quiet};
    if (hp_sensitivity(an, &o, f, stdout, &err) != 0) {
        hp_anfile_abort(f);
        return die(&err);
    }
    if (hp_anfile_close(f, &err) != 0)
        return die(&err);
    if (!c->quiet)
        fprintf(stderr, "hashpivot: wrote %s\n", path);
    return 0;
}

static int cmd_solve(const acli *c, hp_an *an)
{
    hp_err err = {0};
    hp_solve_opts o = {.se = c->se != NULL && strcmp(c->se, "batches") == 0 ? HP_SE_BATCHES : HP_SE_DELTA,
                       .batches = c->batches ? c->batches : 10, .xtol = c->xtol, .quiet = c->quiet};
    if (hp_vary_parse(an, c->vary[0], &o.vary, &err) != 0 ||
        hp_target_parse(c->target, 1, "--target", &o.target, &err) != 0)
        return die(&err);
    if (o.vary.p->type == HP_INT)
        return die(&(hp_err){1, "--vary: solve needs a real-valued key; an integer key has no exact root"});
    hp_solve_result r;
    return hp_solve(an, &o, stdout, &r, &err) != 0 ? die(&err) : 0;
}

static int cmd_gsa(const acli *c, hp_an *an, int argc, char **argv)
{
    hp_err err = {0};
    hp_gsa_opts o = {
        .method = c->method == NULL ? HP_GSA_BOTH : !strcmp(c->method, "morris") ? HP_GSA_MORRIS
                  : !strcmp(c->method, "sobol") ? HP_GSA_SOBOL : HP_GSA_BOTH,
        .base_samples = c->base_samples ? (int)c->base_samples : 64,
        .trajectories = c->trajectories ? (int)c->trajectories : 10,
        .bootstrap = c->bootstrap ? (int)c->bootstrap : 1000,
        .quiet = c->quiet,
    };
    if (hp_target_parse(c->stat ? c->stat : "mean(npv[0.2] - npv[0])", 0, "--stat", &o.stat, &err) != 0 ||
        hp_uncertain_load(an, c->config, &o.inputs, &err) != 0)
        return die(&err);
    char path[4096];
    hp_anfile *f = open_file(c, an, "gsa", path, sizeof path, argc, argv, &err);
    int rc = f != NULL && hp_gsa(an, &o, f, stdout, &err) == 0 ? 0 : -1;
    if (rc == 0)
        rc = hp_anfile_close(f, &err);
    else if (f != NULL)
        hp_anfile_abort(f);
    if (rc == 0 && !c->quiet)
        fprintf(stderr, "hashpivot: wrote %s\n", path);
    hp_uncertain_free(&o.inputs);
    return rc == 0 ? 0 : die(&err);
}

int hp_cli_is_analysis(const char *command)
{
    return !strcmp(command, "sensitivity") || !strcmp(command, "solve") || !strcmp(command, "gsa");
}

int hp_cli_analysis(int argc, char **argv, const hp_model *model, const hp_param *const *tables)
{
    acli c = {.command = argv[1], .alloc = NAN, .record_mib = -1};
    int rc = parse(argc, argv, &c);
    if (rc != 0)
        return rc < 0 ? 0 : rc;       /* -1: --help printed */
    /* gsa: a design point is a whole Monte Carlo run; 500 paths unless -n. */
    if (!strcmp(c.command, "gsa") && !c.paths_given && add_set(&c, "simulation.n_paths=500L"))
        return usage_error(&c, "too many overrides%s", "");
    /* One process with OpenMP threads: several MPI ranks would each run
     * the whole analysis and race on one file. */
    const char *ranks[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "SLURM_STEP_NUM_TASKS"};
    for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++)
        if (getenv(ranks[i]) != NULL && atoi(getenv(ranks[i])) > 1) {
            fprintf(stderr, "hashpivot: %s runs in one process (%s=%s): use threads (-j), not MPI ranks\n",
                    c.command, ranks[i], getenv(ranks[i]));
            return 1;
        }
    hp_an an = {.model = model, .tables = tables, .config = c.config, .sets = c.sets,
                .n_sets = c.n_sets, .threads = c.threads, .simulate_all = c.simulate_all,
                .record_budget = c.record_mib < 0 ? HP_RECORD_BUDGET_BYTES : (size_t)c.record_mib << 20};
    hp_err err = {0};
    if (hp_an_init(&an, &err) != 0)
        return die(&err);
    if (!strcmp(c.command, "sensitivity"))
        return cmd_sensitivity(&c, &an, argc, argv);
    if (!strcmp(c.command, "solve"))
        return cmd_solve(&c, &an);
    return cmd_gsa(&c, &an, argc, argv);
}
