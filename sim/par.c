/* par: MPI wrappers that reduce to one rank in serial builds (see par.h). */
#include "par.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef HP_MPI
#include <mpi.h>

/* MPI_THREAD_FUNNELED: only the main thread calls MPI (and HDF5); the
 * OpenMP threads never do (driver.c writes from the `master` region). */
int hp_par_init(int *argc, char ***argv, hp_err *err)
{
    int provided = 0;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return hp_fail(err, NULL, 0, NULL, "cannot initialise MPI");
    if (provided < MPI_THREAD_FUNNELED) {
        MPI_Finalize();
        return hp_fail(err, NULL, 0, NULL, "the MPI library does not support MPI_THREAD_FUNNELED");
    }
    MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_ARE_FATAL);
    return 0;
}

void hp_par_finalize(void)
{
    if (hp_par_active())
        MPI_Finalize();
}

int hp_par_active(void)
{
    int init = 0, fin = 0;
    MPI_Initialized(&init);
    MPI_Finalized(&fin);
    return init && !fin;
}

int hp_par_rank(void)
{
    int r = 0;
    if (hp_par_active())
        MPI_Comm_rank(MPI_COMM_WORLD, &r);
    return r;
}

int hp_par_size(void)
{
    int n = 1;
    if (hp_par_active())
        MPI_Comm_size(MPI_COMM_WORLD, &n);
    return n;
}

/* MPI-3 shared-memory split: the ranks that share this node's memory. */
int hp_par_node_ranks(void)
{
    if (!hp_par_active())
        return 1;
    MPI_Comm node;
    int n = 1;
    if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node)
        == MPI_SUCCESS) {
        MPI_Comm_size(node, &n);
        MPI_Comm_free(&node);
    }
    return n;
}

/* Collectives only from the thread that initialised MPI: a call from any
 * other breaks MPI_THREAD_FUNNELED, and is a bug worth stopping at. */
static void main_thread_only(void)
{
    int main_thread = 1;
    MPI_Is_thread_main(&main_thread);
    if (!main_thread) {
        fprintf(stderr, "hashpivot: internal error: MPI called from a thread other than the main one\n");
        MPI_Abort(MPI_COMM_WORLD, 70);
    }
}

const char *hp_par_thread_level(void)
{
    int level = -1;
    if (!hp_par_active() || MPI_Query_thread(&level) != MPI_SUCCESS)
        return "none";
    return level == MPI_THREAD_SINGLE ? "single" : level == MPI_THREAD_FUNNELED ? "funneled"
         : level == MPI_THREAD_SERIALIZED ? "serialized" : level == MPI_THREAD_MULTIPLE ? "multiple" : "?";
}

int hp_par_any(int flag)
{
    int mine = flag != 0, any = mine;
    if (hp_par_active()) {
        main_thread_only();
        MPI_Allreduce(&mine, &any, 1, MPI_INT, MPI_LOR, MPI_COMM_WORLD);
    }
    return any;
}

/* The lowest failing rank is found with a MIN reduction, then its message
 * is broadcast: every rank ends up with the same, first-cause message. */
int hp_par_agree(int rc, hp_err *err)
{
    if (!hp_par_active())
        return rc < 0 ? -1 : 0;
    main_thread_only();
    int size = hp_par_size(), mine = rc < 0 ? hp_par_rank() : size, first = size;
    MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (first == size)
        return 0;
    hp_err e = { 0 };
    if (hp_par_rank() == first && err != NULL)
        e = *err;
    MPI_Bcast(&e, (int)sizeof e, MPI_BYTE, first, MPI_COMM_WORLD);
    if (err != NULL) {
        if (!e.set)
            hp_fail(&e, NULL, 0, NULL, "rank %d failed", first);
        *err = e;
    }
    return -1;
}

void hp_par_bcast(void *buf, size_t bytes)
{
    if (hp_par_active() && bytes > 0)
        MPI_Bcast(buf, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
}

/* Length first (-1 for NULL), then the bytes. */
char *hp_par_bcast_str(const char *s)
{
    if (!hp_par_active())
        return s != NULL ? strdup(s) : NULL;
    long long len = hp_par_rank() == 0 ? (s != NULL ? (long long)strlen(s) : -1) : 0;
    MPI_Bcast(&len, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD);
    if (len < 0)
        return NULL;
    char *c = malloc((size_t)len + 1);
    if (c == NULL) {
        fprintf(stderr, "hashpivot: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    if (hp_par_rank() == 0)
        memcpy(c, s, (size_t)len + 1);
    /* in pieces: MPI counts are int */
    for (long long off = 0; off < len; off += 1 << 30) {
        long long n = len - off < (1 << 30) ? len - off : (1 << 30);
        MPI_Bcast(c + off, (int)n, MPI_CHAR, 0, MPI_COMM_WORLD);
    }
    c[len] = '\0';
    return c;
}

/* Point to point, in pieces that fit MPI's int counts. */
#define PIECE (1 << 30)
#define TAG_TO_ROOT 7101

static void send_bytes(const unsigned char *p, size_t n)
{
    uint64_t len = n;
    MPI_Send(&len, 1, MPI_UINT64_T, 0, TAG_TO_ROOT, MPI_COMM_WORLD);
    for (size_t off = 0; off < n; off += PIECE)
        MPI_Send(p + off, (int)(n - off < PIECE ? n - off : PIECE), MPI_BYTE, 0, TAG_TO_ROOT, MPI_COMM_WORLD);
}

/* UINT64_MAX stands for "nothing: that rank failed". */
static unsigned char *recv_bytes(int from, size_t *n, int *failed)
{
    uint64_t len = 0;
    MPI_Recv(&len, 1, MPI_UINT64_T, from, TAG_TO_ROOT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    *failed = len == UINT64_MAX;
    *n = *failed ? 0 : (size_t)len;
    unsigned char *p = malloc(*n ? *n : 1);
    if (p == NULL) {
        fprintf(stderr, "hashpivot: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    for (size_t off = 0; off < *n; off += PIECE)
        MPI_Recv(p + off, (int)(*n - off < PIECE ? *n - off : PIECE), MPI_BYTE, from, TAG_TO_ROOT,
                 MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    return p;
}

int hp_par_to_root(const void *mine, size_t n, int rc, int (*take)(const void *buf, size_t n, void *ctx),
                   void *ctx)
{
    if (!hp_par_active() || hp_par_size() == 1)
        return rc;
    main_thread_only();
    if (hp_par_rank() != 0) {
        if (rc < 0 || mine == NULL) {
            uint64_t failed = UINT64_MAX;
            MPI_Send(&failed, 1, MPI_UINT64_T, 0, TAG_TO_ROOT, MPI_COMM_WORLD);
            return -1;
        }
        send_bytes(mine, n);
        return 0;
    }
    for (int r = 1; r < hp_par_size(); r++) {
        size_t len = 0;
        int failed = 0;
        unsigned char *p = recv_bytes(r, &len, &failed);
        if (rc == 0 && !failed)
            rc = take(p, len, ctx);   /* after a failure the rest is drained, not taken */
        free(p);
    }
    return rc;
}

void hp_par_max_bytes(uint8_t *a, size_t n)
{
    if (!hp_par_active())
        return;
    for (size_t off = 0; off < n; off += 1u << 30) {
        size_t k = n - off < (1u << 30) ? n - off : (1u << 30);
        MPI_Allreduce(MPI_IN_PLACE, a + off, (int)k, MPI_UINT8_T, MPI_MAX, MPI_COMM_WORLD);
    }
}

int64_t hp_par_max_i64(int64_t x)
{
    int64_t m = x;
    if (hp_par_active())
        MPI_Allreduce(&x, &m, 1, MPI_INT64_T, MPI_MAX, MPI_COMM_WORLD);
    return m;
}

/* Counts first, then MPI_Allgatherv. The lists are a wave of block
 * indices, far below MPI's int limits. Out of memory aborts the job: a
 * rank that cannot take part would hang the others. */
uint64_t *hp_par_allgather_u64(const uint64_t *mine, size_t n, size_t *n_all)
{
    if (!hp_par_active()) {
        uint64_t *c = malloc((n ? n : 1) * sizeof *c);
        if (c != NULL && n > 0)
            memcpy(c, mine, n * sizeof *c);
        *n_all = n;
        return c;
    }
    main_thread_only();
    int size = hp_par_size(), cnt = (int)n;
    int *counts = malloc((size_t)size * sizeof *counts), *displs = malloc((size_t)size * sizeof *displs);
    if (counts == NULL || displs == NULL) {
        fprintf(stderr, "hashpivot: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Allgather(&cnt, 1, MPI_INT, counts, 1, MPI_INT, MPI_COMM_WORLD);
    size_t total = 0;
    for (int r = 0; r < size; r++) {
        displs[r] = (int)total;
        total += (size_t)counts[r];
    }
    uint64_t *all = malloc((total ? total : 1) * sizeof *all);
    if (all == NULL) {
        fprintf(stderr, "hashpivot: out of memory\n");
        MPI_Abort(MPI_COMM_WORLD, 1);
    }
    MPI_Allgatherv(mine, cnt, MPI_UINT64_T, all, counts, displs, MPI_UINT64_T, MPI_COMM_WORLD);
    free(counts);
    free(displs);
    *n_all = total;
    return all;
}

#else /* serial build: one rank */

int hp_par_init(int *argc, char ***argv, hp_err *err) { (void)argc; (void)argv; (void)err; return 0; }
void hp_par_finalize(void) {}
int hp_par_active(void) { return 0; }
int hp_par_rank(void) { return 0; }
int hp_par_size(void) { return 1; }
int hp_par_node_ranks(void) { return 1; }
const char *hp_par_thread_level(void) { return "none"; }
int hp_par_to_root(const void *mine, size_t n, int rc, int (*take)(const void *buf, size_t n, void *ctx),
                   void *ctx)
{
    (void)mine; (void)n; (void)take; (void)ctx;
    return rc;
}
int hp_par_any(int flag) { return flag != 0; }
int hp_par_agree(int rc, hp_err *err) { (void)err; return rc < 0 ? -1 : 0; }
void hp_par_bcast(void *buf, size_t bytes) { (void)buf; (void)bytes; }
char *hp_par_bcast_str(const char *s) { return s != NULL ? strdup(s) : NULL; }
void hp_par_max_bytes(uint8_t *a, size_t n) { (void)a; (void)n; }
int64_t hp_par_max_i64(int64_t x) { return x; }

/* One rank: a copy of its own list. */
uint64_t *hp_par_allgather_u64(const uint64_t *mine, size_t n, size_t *n_all)
{
    uint64_t *c = malloc((n ? n : 1) * sizeof *c);
    if (c != NULL && n > 0)
        memcpy(c, mine, n * sizeof *c);
    *n_all = n;
    return c;
}

#endif
