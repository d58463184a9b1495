/* par: the ranks of an MPI run, or the one process of a serial build.
 *
 * Everything that talks to MPI goes through here, so the rest of the
 * engine has no #ifdef. In a serial build, or in an MPI build whose MPI is
 * not initialised (the unit tests run without mpirun), there is one rank
 * and every collective is the identity. Collectives must be called by
 * every rank, in the same order. Only the thread that called hp_par_init()
 * may call them (MPI_THREAD_FUNNELED: OpenMP threads only simulate); the
 * collectives check it and abort the job with a message if not. */
#ifndef HP_PAR_H
#define HP_PAR_H

#include <stddef.h>
#include <stdint.h>
#include "hp_err.h"

/* Starts MPI in MPI builds (no-op otherwise). Returns 0 or -1 with err. */
int hp_par_init(int *argc, char ***argv, hp_err *err);
/* Ends MPI if hp_par_init started it. */
void hp_par_finalize(void);

/* 1 when MPI is running (MPI build, initialised, not finalised). */
int hp_par_active(void);
int hp_par_rank(void);
int hp_par_size(void);
/* MPI's thread support as granted ("funneled"), "none" without MPI. */
const char *hp_par_thread_level(void);
/* Ranks sharing this node (shared memory), this one included. */
int hp_par_node_ranks(void);

/* Non-zero on every rank if `flag` is non-zero on any rank. */
int hp_par_any(int flag);
/* Agreement after a step that may fail on some ranks only: returns -1 on
 * every rank if rc < 0 on any, and then every rank's err holds the
 * message of the lowest failing rank. Returns 0 otherwise. */
int hp_par_agree(int rc, hp_err *err);
/* Copies `bytes` bytes from rank 0 to every rank. */
void hp_par_bcast(void *buf, size_t bytes);
/* A malloc'd copy of rank 0's string on every rank (NULL stays NULL;
 * NULL too when out of memory, which the caller treats as a failure). */
char *hp_par_bcast_str(const char *s);
/* Rank 0 collects every other rank's bytes, one rank at a time, in rank
 * order: take() is called on rank 0 with each rank's `mine` (n bytes)
 * while rc is 0; after a failure (rc < 0, or take failing) the remaining
 * ranks' bytes are received and dropped, so that no rank is left waiting.
 * A rank with rc < 0 sends nothing. Returns, on rank 0, rc or take's
 * failure; elsewhere rc. Not collective in its result: follow it with
 * hp_par_agree. One rank: returns rc. */
int hp_par_to_root(const void *mine, size_t n, int rc, int (*take)(const void *buf, size_t n, void *ctx),
                   void *ctx);
/* Element-wise maximum of a byte array over ranks, in place. */
void hp_par_max_bytes(uint8_t *a, size_t n);
/* Maximum of an integer over ranks. */
int64_t hp_par_max_i64(int64_t x);
/* Every rank's list, concatenated in rank order (malloc'd, *n_all set).
 * Returns NULL when out of memory (every rank then gets NULL). */
uint64_t *hp_par_allgather_u64(const uint64_t *mine, size_t n, size_t *n_all);

#endif
