/* output_encode: a block of path results turned into the bytes of its
 * chunks, as HDF5 would store them: values gathered into file order, the
 * checksum taken, then HDF5's shuffle and deflate filters applied (the same
 * pipeline the datasets declare, so HDF5 reads the chunks back as usual).
 *
 * Pure computation on the writer's plan, which no one changes while blocks
 * are encoded: any thread may encode, each with its own hp_output_enc.
 * The driver encodes in the threads that simulate (and under MPI on every
 * rank); the one writer then only writes bytes (output_blocks.c). */
#include "output_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* ---- gathering ------------------------------------------------------------- */

/* A halving day index must be an integer >= -1 that fits int32. */
static int day_index_ok(double v)
{
    return v >= -1.0 && v <= (double)INT32_MAX && v == floor(v);
}

long out_gather(const wds *d, const double *res, size_t psize, size_t count, size_t stride, void *buf)
{
    size_t in = d->inner_axis >= 0 ? d->n_in : 1;
    for (size_t o = 0; o < d->n_outer; o++) {
        for (size_t i = 0; i < count; i++) {
            const double *src = res + i * psize + d->off + o * d->n_in;
            size_t k = (o * stride + i) * in;
            if (d->total) {
                double s = 0.0;
                for (size_t j = 0; j < d->n_in; j++)
                    s += src[j];
                ((double *)buf)[k] = s;
            } else if (d->etype == ET_DOUBLE) {
                memcpy((double *)buf + k, src, in * sizeof *src);
            } else if (d->etype == ET_FLOAT) {
                for (size_t j = 0; j < in; j++)
                    ((float *)buf)[k + j] = (float)src[j];
            } else {
                for (size_t j = 0; j < in; j++) {
                    if (!day_index_ok(src[j]))
                        return (long)i;
                    ((int32_t *)buf)[k + j] = (int32_t)src[j];
                }
            }
        }
    }
    return -1;
}

/* Fills n elements of the dataset's type with its fill value (NaN, or
 * HALVING_UNWRITTEN): the padding of a short last chunk, and the chunks
 * written at creation. */
static void fill_values(const wds *d, void *buf, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d->etype == ET_DOUBLE)
            ((double *)buf)[i] = NAN;
        else if (d->etype == ET_FLOAT)
            ((float *)buf)[i] = NAN;
        else
            ((int32_t *)buf)[i] = HALVING_UNWRITTEN;
    }
}

/* ---- checksums ---------------------------------------------------------------- */

static uint64_t rotl(uint64_t x, int r)
{
    return (x << r) | (x >> (64 - r));
}

/* A 64-bit hash of n bytes, chained through h: 8-byte words (as the host
 * holds them: little-endian, the byte order of the file) are mixed in one
 * at a time by multiply-rotate-multiply, the tail zero-padded, the length
 * folded in, then MurmurHash3's 64-bit finaliser spreads every input bit
 * over the result. It finds damage; it is not meant to resist an adversary. */
uint64_t out_hash(const void *p, size_t n, uint64_t h)
{
    const uint64_t p1 = UINT64_C(0x9E3779B185EBCA87), p2 = UINT64_C(0xC2B2AE3D27D4EB4F);
    const unsigned char *b = p;
    size_t len = n;
    uint64_t w;
    for (; n >= 8; n -= 8, b += 8) {
        memcpy(&w, b, 8);
        h ^= rotl(w * p2, 31) * p1;
        h = rotl(h, 27) * p1 + UINT64_C(0x52DCE729);
    }
    w = 0;
    memcpy(&w, b, n);
    h ^= rotl(w * p2, 31) * p1;
    h ^= (uint64_t)len;
    h ^= h >> 33;
    h *= UINT64_C(0xFF51AFD7ED558CCD);
    h ^= h >> 33;
    h *= UINT64_C(0xC4CEB9FE1A85EC53);
    h ^= h >> 33;
    return h;
}

/* Chains into *sum the values of one block of dataset d as stored: buf
 * holds the block's values [outer][path][inner], `stride` paths apart per
 * outer index, the block's block_paths of them first. A block's checksum
 * is the chain, from SUM_SEED, over the datasets in /progress's
 * checksum_datasets order and, within one, over its allocations, of the
 * runs of block_paths x inner values. */
void out_hash_runs(const wds *d, const void *buf, uint64_t block_paths, uint64_t stride, uint64_t *sum)
{
    size_t in = d->inner_axis >= 0 ? d->n_in : 1, es = out_etype_size(d->etype);
    const char *b = buf;
    for (size_t o = 0; o < d->n_outer; o++)
        *sum = out_hash(b + (o * stride * in) * es, (size_t)block_paths * in * es, *sum);
}

/* ---- the filter pipeline -------------------------------------------------------- */

/* HDF5's shuffle filter: byte j of element i goes to j * n + i, so that
 * bytes of like significance sit together and deflate better. */
static void shuffle_es(const unsigned char *in, unsigned char *out, size_t n, size_t es)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < es; j++)
            out[j * n + i] = in[i * es + j];
}

/* The same bytes; the common element sizes get a constant inner loop the
 * compiler unrolls (the variable one cost about 60 instructions a
 * path-day on the default: docs/benchmark.md). */
static void shuffle(const unsigned char *in, unsigned char *out, size_t n, size_t es)
{
    if (es == 8)
        shuffle_es(in, out, n, 8);
    else if (es == 4)
        shuffle_es(in, out, n, 4);
    else
        shuffle_es(in, out, n, es);
}

/* Elements in one chunk of d (full size, padding included). */
static size_t chunk_elems(const hp_output *w, const wds *d)
{
    size_t paths = w->n_paths < w->chunk_paths ? (size_t)w->n_paths : (size_t)w->chunk_paths;
    return d->n_outer * paths * (d->inner_axis >= 0 ? d->n_in : 1);
}

struct hp_output_enc {
    uint64_t block;
    uint64_t sum;             /* checksum of the block's values          */
    hp_err err;               /* the failure, if encoding failed         */
    int n_ds;
    size_t *size;             /* [n_ds] bytes of each dataset's chunk     */
    unsigned char *data;      /* the chunks back to back                  */
    size_t cap;
    unsigned char *raw, *shuf;/* one chunk's values, and shuffled        */
    size_t raw_cap;
    z_stream zs;              /* deflate state, kept: compress2 per chunk
                                 would allocate and free its ~256 KiB of
                                 state for every chunk                   */
    int zs_ready;
};

hp_output_enc *hp_output_enc_new(const hp_output *w)
{
    hp_output_enc *e = calloc(1, sizeof *e);
    size_t raw = 1;
    for (int i = 0; i < w->n_ds; i++) {
        size_t b = chunk_elems(w, &w->ds[i]) * out_etype_size(w->ds[i].etype);
        raw = b > raw ? b : raw;
    }
    if (e != NULL) {
        e->n_ds = w->n_ds;
        e->size = calloc((size_t)w->n_ds + 1, sizeof *e->size);
        e->raw = malloc(raw);
        e->shuf = malloc(raw);
        e->raw_cap = raw;
        e->zs_ready = deflateInit(&e->zs, DEFLATE_LEVEL) == Z_OK;
    }
    if (e == NULL || e->size == NULL || e->raw == NULL || e->shuf == NULL || !e->zs_ready) {
        hp_output_enc_free(e);
        return NULL;
    }
    return e;
}

void hp_output_enc_free(hp_output_enc *e)
{
    if (e == NULL)
        return;
    if (e->zs_ready)
        deflateEnd(&e->zs);
    free(e->size);
    free(e->data);
    free(e->raw);
    free(e->shuf);
    free(e);
}

/* Shuffles and deflates n elements of d from e->raw, appending the bytes
 * at e->data + *used: the zlib stream compress2() would make, which is what
 * HDF5's deflate filter stores. 0, or -1 when out of memory or zlib fails. */
static int deflate_chunk(const wds *d, hp_output_enc *e, size_t n, size_t *used, size_t *out)
{
    size_t es = out_etype_size(d->etype), bytes = n * es;
    uLongf bound = compressBound((uLong)bytes);
    if (*used + bound > e->cap) {
        size_t cap = (*used + bound) * 2;
        unsigned char *t = realloc(e->data, cap);
        if (t == NULL)
            return -1;
        e->data = t;
        e->cap = cap;
    }
    shuffle(e->raw, e->shuf, n, es);
    if (deflateReset(&e->zs) != Z_OK)
        return -1;
    e->zs.next_in = e->shuf;
    e->zs.avail_in = (uInt)bytes;
    e->zs.next_out = e->data + *used;
    e->zs.avail_out = (uInt)bound;
    if (deflate(&e->zs, Z_FINISH) != Z_STREAM_END)
        return -1;
    *out = (size_t)e->zs.total_out;
    *used += *out;
    return 0;
}

int hp_output_encode(const hp_output *w, uint64_t b, const double *results, hp_output_enc *e)
{
    uint64_t paths = out_block_paths(w, b);
    size_t stride = w->n_paths < w->chunk_paths ? (size_t)w->n_paths : (size_t)w->chunk_paths, used = 0;
    hp_err_clear(&e->err);
    e->block = b;
    e->sum = SUM_SEED;
    for (int i = 0; i < w->n_ds; i++) {
        const wds *d = &w->ds[i];
        e->size[i] = 0;
        if (out_ds_empty(w, d))
            continue;
        size_t n = chunk_elems(w, d);
        fill_values(d, e->raw, n);
        long bad = out_gather(d, results, w->psize, (size_t)paths, stride, e->raw);
        if (bad >= 0)
            return hp_fail(&e->err, w->path, 0, d->name, "path %llu: day index is not an integer >= -1",
                           (unsigned long long)(b * w->block_size + (uint64_t)bad));
        out_hash_runs(d, e->raw, paths, stride, &e->sum);
        if (deflate_chunk(d, e, n, &used, &e->size[i]) < 0)
            return hp_fail(&e->err, w->path, 0, d->name, "cannot compress a block: out of memory");
    }
    return 0;
}

uint64_t hp_output_enc_block(const hp_output_enc *e)
{
    return e->block;
}

const hp_err *hp_output_enc_error(const hp_output_enc *e)
{
    return e->err.set ? &e->err : NULL;
}

/* ---- what the writer and MPI need ------------------------------------------------ */

uint64_t out_enc_sum(const hp_output_enc *e)
{
    return e->sum;
}

/* The chunk of dataset i: its bytes and size (0: the dataset is empty). */
const unsigned char *out_enc_chunk(const hp_output_enc *e, int i, size_t *size)
{
    size_t off = 0;
    for (int k = 0; k < i; k++)
        off += e->size[k];
    *size = e->size[i];
    return e->data + off;
}

/* Packed for sending to the writer: block, sum, n_ds sizes, then the bytes. */
size_t out_enc_packed_size(const hp_output_enc *e)
{
    size_t n = (2 + (size_t)e->n_ds) * sizeof(uint64_t);
    for (int i = 0; i < e->n_ds; i++)
        n += e->size[i];
    return n;
}

void out_enc_pack(const hp_output_enc *e, unsigned char *p)
{
    uint64_t head[2] = { e->block, e->sum };
    memcpy(p, head, sizeof head);
    p += sizeof head;
    size_t bytes = 0;
    for (int i = 0; i < e->n_ds; i++) {
        uint64_t s = e->size[i];
        memcpy(p, &s, sizeof s);
        p += sizeof s;
        bytes += e->size[i];
    }
    memcpy(p, e->data, bytes);
}

/* The inverse of out_enc_pack into e (which must have room: it grows);
 * returns the bytes read, 0 when p holds less than a whole block. */
size_t out_enc_unpack(hp_output_enc *e, const unsigned char *p, size_t avail)
{
    size_t head = (2 + (size_t)e->n_ds) * sizeof(uint64_t), bytes = 0;
    if (avail < head)
        return 0;
    uint64_t h[2];
    memcpy(h, p, sizeof h);
    e->block = h[0];
    e->sum = h[1];
    for (int i = 0; i < e->n_ds; i++) {
        uint64_t s;
        memcpy(&s, p + (2 + (size_t)i) * sizeof s, sizeof s);
        e->size[i] = (size_t)s;
        bytes += e->size[i];
    }
    if (avail - head < bytes)
        return 0;
    if (bytes > e->cap) {
        unsigned char *t = realloc(e->data, bytes);
        if (t == NULL)
            return 0;
        e->data = t;
        e->cap = bytes;
    }
    memcpy(e->data, p + head, bytes);
    return head + bytes;
}

/* The compressed fill chunk of d (malloc'd, *size set), for creation. */
unsigned char *out_fill_chunk(const hp_output *w, const wds *d, size_t *size)
{
    hp_output_enc *e = hp_output_enc_new(w);
    unsigned char *out = NULL;
    size_t n = chunk_elems(w, d), used = 0;
    if (e != NULL) {
        fill_values(d, e->raw, n);
        if (deflate_chunk(d, e, n, &used, size) == 0 && (out = malloc(*size)) != NULL)
            memcpy(out, e->data, *size);
    }
    hp_output_enc_free(e);
    return out;
}
