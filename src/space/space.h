/* space: the search-space interface. A genome is a fixed-size vector of
 * small integers (gene i takes values 0..cardinality(i)-1, an index into
 * that gene's choice list). Spaces: "nb201" (space_nb201.c), "bert"
 * (space_bert.c); product spaces for co-design build on the same vtable
 * (space_impl.h).
 *
 * Genomes are canonical: two genomes that denote the same architecture are
 * equal gene for gene (inactive genes are zero), so hash and string agree. */
#ifndef HW_SPACE_H
#define HW_SPACE_H

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

#define HW_MAX_GENES 64
#define HW_ARCH_STR_MAX 512

typedef struct hw_genome {
    int16_t g[HW_MAX_GENES];
} hw_genome;

typedef struct space space;

/* --- construction ------------------------------------------------------ */
int space_create_nb201(space **out);

/* BERT encoder space (BERT-on-TX2 NAS): layer count, hidden size, and per
 * layer attention heads and FFN size, each from a choice list. */
#define BERT_MAX_LAYERS 24
#define BERT_MAX_CHOICES 16
typedef struct bert_space_cfg {
    int n_layers, layers[BERT_MAX_CHOICES];  /* allowed layer counts */
    int n_hidden, hidden[BERT_MAX_CHOICES];  /* allowed hidden sizes */
    int n_heads, heads[BERT_MAX_CHOICES];    /* allowed head counts */
    int n_ffn, ffn[BERT_MAX_CHOICES];        /* allowed FFN sizes */
} bert_space_cfg;
/* The defaults of issue #2: layers 2..12, hidden {128,192,256,384,512,768},
 * heads {2,4,8,12}, FFN {512,1024,2048,3072}. */
void bert_space_cfg_default(bert_space_cfg *cfg);
/* Fails if a list is empty, unsorted, has duplicates, or no hidden size is
 * divisible by any head count. */
int space_create_bert(const bert_space_cfg *cfg, space **out);
/* Reads a YAML map {layers, hidden, heads, ffn} of choice lists into *out
 * (absent keys keep out's lists) and checks they make a space; -1 with
 * "FILE:LINE: key 'x': ..." otherwise. */
struct ycfg;
struct ynode;
int bert_space_cfg_from_yaml(const struct ycfg *y, const struct ynode *map, bert_space_cfg *out);

/* A space by name with its default choice lists: "nb201" or "bert"
 * (bert_space_cfg_default); -1 "unknown space 'NAME' (nb201 or bert)". */
int space_create_default(const char *name, space **out);

void space_free(space *s);

/* --- the interface ----------------------------------------------------- */
const char *space_name(const space *s);
int space_ngenes(const space *s);
int space_cardinality(const space *s, int gene);
/* Uniform random valid genome. */
void space_sample(const space *s, hw_rng *r, hw_genome *out);
/* Mutates each gene with probability pm (at least one gene changes); the
 * result is valid and canonical. */
void space_mutate(const space *s, hw_rng *r, double pm, hw_genome *g);
/* Uniform crossover repaired to validity; children canonical. */
void space_crossover(const space *s, hw_rng *r, const hw_genome *a, const hw_genome *b,
                     hw_genome *c1, hw_genome *c2);
/* 1 if valid and canonical. */
int space_valid(const space *s, const hw_genome *g);
/* Canonical string; returns 0, or -1 if the buffer is too small. */
int space_to_string(const space *s, const hw_genome *g, char *buf, size_t n);
/* Parses a canonical string; -1 with a message naming the string. */
int space_from_string(const space *s, const char *str, hw_genome *out);
/* 64-bit hash of the canonical genome (for deduplication). */
uint64_t space_hash(const space *s, const hw_genome *g);
/* Predictor feature vector. */
int space_nfeatures(const space *s);
void space_features(const space *s, const hw_genome *g, float *out);
const char *space_feature_name(const space *s, int j);
/* Table index (NB201 arch index) or -1 when the space has none. */
int64_t space_index(const space *s, const hw_genome *g);
/* Inverse of space_index; -1 if the space has no index or it is out of range. */
int space_from_index(const space *s, int64_t index, hw_genome *out);
/* Number of distinct genomes (or -1 if too large to count). */
int64_t space_size(const space *s);

/* --- helpers shared by space implementations and callers --------------- */
uint64_t hw_hash_bytes(const void *p, size_t n, uint64_t seed);
int hw_genome_equal(const hw_genome *a, const hw_genome *b, int ngenes);

/* --- grid space (owned by the nsga helper; src/space/space_grid.c) ------------ */
/* Benchmark / test space: nvars (1..HW_MAX_GENES) genes, each 0..levels-1
 * (2 <= levels <= 32767), decoding to x = gene / (levels - 1) in [0, 1];
 * features are the x values. Mutation is Deb's bounded polynomial mutation
 * (eta 20) and crossover bounded SBX (eta 20, each gene with probability
 * 0.5), both on x and rounded to the grid. String: "g0,g1,...". */
int space_create_grid(int nvars, int levels, space **out);
/* Decodes a grid genome into nvars x values; -1 if s is not a grid space. */
int space_grid_decode(const space *s, const hw_genome *g, double *x);
/* --- end grid space ------------------------------------------------------- */

/* --- product space (owned by the accel helper; src/space/space_product.c) ------ */
/* The product A x B (co-design: architecture x accelerator, see accel.h).
 * Genome = A's genes then B's; string "<A>@<B>"; features A's then B's; no
 * table index. On success the product OWNS a and b (space_free(product)
 * frees them); on failure (too many genes) the caller still owns them. */
int space_create_product(space *a, space *b, space **out);
int space_is_product(const space *s);
/* Part 0 (A) or 1 (B); NULL if s is not a product or i is out of range. */
const space *space_product_part(const space *s, int i);
/* Splits a product genome into the parts' genomes / joins them back. */
int space_product_split(const space *s, const hw_genome *g, hw_genome *ga, hw_genome *gb);
int space_product_join(const space *s, const hw_genome *ga, const hw_genome *gb, hw_genome *g);
/* --- end product space ---------------------------------------------------- */

/* --- nb201 specifics ---------------------------------------------------- */
#define NB201_EDGES 6
#define NB201_OPS 5
/* Op codes as in the shipped tables: 0 none, 1 skip_connect,
 * 2 nor_conv_1x1, 3 nor_conv_3x3, 4 avg_pool_3x3. Edge order
 * op_1_0, op_2_0, op_2_1, op_3_0, op_3_1, op_3_2. */
extern const char *const nb201_op_names[NB201_OPS];

/* --- bert specifics ----------------------------------------------------- */
typedef struct bert_shape {
    int layers, hidden;
    int heads[BERT_MAX_LAYERS]; /* per layer */
    int ffn[BERT_MAX_LAYERS];   /* per layer */
} bert_shape;
/* Decodes a bert-space genome to the network shape; -1 if s is not bert. */
int space_bert_shape(const space *s, const hw_genome *g, bert_shape *out);
/* The bert space's config (NULL if s is not bert). */
const bert_space_cfg *space_bert_cfg(const space *s);

#endif
