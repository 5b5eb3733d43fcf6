/* accel: an edge DNN accelerator — its configuration space and an analytic
 * cost model in the spirit of Timeloop/Accelergy and MAESTRO.
 *
 * Hardware template: a rows x cols array of PEs (one MAC each, with a
 * private register file), a shared global buffer (GLB) and DRAM behind a
 * bandwidth-limited link. The dataflow fixes how a layer is unrolled on the
 * array (weight-, output- or row-stationary); precision fixes the word size.
 *
 * For each layer (layers.h) the model
 *   1. picks a DRAM<->GLB tiling (output-channel tile x output-row tile,
 *      loop order) minimising DRAM traffic among a small candidate set
 *      (closed form, no search), so more buffer never means more traffic;
 *   2. maps the tile onto the array for the dataflow: compute cycles from
 *      the unrolling, utilisation = MACs / (cycles x PEs);
 *   3. counts accesses per level (DRAM, GLB, array NoC, RF) from the reuse
 *      the mapping and the RF size allow;
 *   4. latency = roofline of compute and DRAM time with double-buffered
 *      overlap; energy = accesses x per-access energy (table in
 *      docs/codesign.md, normalised costs of Eyeriss, Chen et al. ISCA 2016,
 *      anchored on Horowitz ISSCC 2014 and scaled for word size / SRAM size).
 * The area model is PE logic + RF + GLB SRAM (documented constants).
 * Costs are O(log K) per layer with no allocation. */
#ifndef HW_ACCEL_H
#define HW_ACCEL_H

#include <stdint.h>

#include "layers.h"
#include "space.h"

/* FLEX: a reconfigurable array whose mapper picks WS, OS or RS per layer
 * (least energy, then least latency); its PEs cost FLEX_PE_AREA more. */
typedef enum { ACCEL_WS = 0, ACCEL_OS = 1, ACCEL_RS = 2, ACCEL_FLEX = 3, ACCEL_NDATAFLOWS } accel_dataflow;
typedef enum { ACCEL_INT8 = 0, ACCEL_INT16 = 1, ACCEL_FP16 = 2, ACCEL_NPRECISIONS } accel_precision;
extern const char *const accel_dataflow_names[ACCEL_NDATAFLOWS];  /* "ws", "os", "rs", "flex" */
extern const char *const accel_precision_names[ACCEL_NPRECISIONS]; /* "int8", "int16", "fp16" */

/* One accelerator. Fill the first block, then call accel_cfg_derive. */
typedef struct accel_cfg {
    int rows, cols;            /* PE array */
    int rf_bytes;              /* register file per PE, bytes */
    int gbuf_kb;               /* global buffer, KiB */
    double dram_gbps;          /* DRAM bandwidth, 1e9 bytes/s */
    double clock_mhz;          /* core clock */
    accel_dataflow dataflow;
    accel_precision precision;
    /* derived by accel_cfg_derive (energies in pJ, per word of this precision) */
    int derived;
    int elem_bytes;            /* word size */
    double rf_elems, gbuf_elems;
    double e_mac, e_op, e_rf, e_noc, e_glb, e_dram;
    double glb_words_per_cycle;          /* GLB <-> array bandwidth */
    double spad_filt, spad_ifmap, spad_psum; /* RS: RF split into scratch pads, words */
} accel_cfg;

/* Checks ranges and fills the derived fields; -1 with a message. */
int accel_cfg_derive(accel_cfg *c);
/* "12x14:rf512:gb108k:bw0.72:clk200:rs:int16". 0, or -1 if n is too small. */
int accel_cfg_to_string(const accel_cfg *c, char *buf, size_t n);
/* Reads one accelerator from a YAML map (keys pe_rows, pe_cols, rf_bytes,
 * gbuf_kb, dram_gbps, clock_mhz, dataflow, precision; optional name). */
struct ycfg;
struct ynode;
int accel_cfg_from_yaml(const struct ycfg *y, const struct ynode *map, accel_cfg *out);
/* Loads a whole file holding one accelerator (e.g. data/configs/eyeriss.yaml);
 * rejects unknown keys. */
int accel_cfg_load(const char *path, accel_cfg *out);

/* ---- cost model --------------------------------------------------------- */

enum { ACCEL_LVL_DRAM = 0, ACCEL_LVL_GLB, ACCEL_LVL_NOC, ACCEL_LVL_RF, ACCEL_NLEVELS };
enum { ACCEL_E_MAC = 0, ACCEL_E_RF, ACCEL_E_NOC, ACCEL_E_GLB, ACCEL_E_DRAM, ACCEL_NENERGY };
extern const char *const accel_level_names[ACCEL_NLEVELS];
extern const char *const accel_energy_names[ACCEL_NENERGY];

/* Cost of one layer instance, or count-weighted totals of a list. */
typedef struct accel_cost {
    double macs;                    /* MACs (pool/eltwise: operations) */
    double cycles;                  /* compute cycles */
    double util;                    /* PE utilisation while computing (MAC-weighted in totals) */
    double dram_bytes;              /* off-chip traffic, read + write */
    double acc[ACCEL_NLEVELS];      /* accesses in words per memory level */
    double energy[ACCEL_NENERGY];   /* pJ per component */
    double energy_pj;               /* total */
    double t_compute_s, t_dram_s;   /* on-chip time (max of compute and GLB bandwidth), DRAM time */
    double t_glb_s;                 /* GLB-bandwidth time (part of t_compute_s) */
    double latency_s;               /* with overlap */
    int tile_k, tile_p;             /* chosen DRAM tile: output channels x output rows (per group) */
    int order;                      /* 0 all fits, 1 weights reused (K tiles outer), 2 inputs reused (row tiles outer), 3 input channels split, 4 row-stationary passes (tile_k = m channels, tile_p = n images x e rows in the GLB) */
    int mem_bound;                  /* 1 if t_dram_s > t_compute_s */
} accel_cost;

/* Cost of ONE instance of layer x (x->count ignored). c must be derived. */
void accel_layer_cost(const accel_cfg *c, const net_layer *x, accel_cost *out);
/* Count-weighted totals over a list; per_layer (may be NULL) receives each
 * entry's single-instance cost (l->n entries). Layers run one after another. */
void accel_net_cost(const accel_cfg *c, const layer_list *l, accel_cost *total, accel_cost *per_layer);
/* Die area in mm^2 (PEs incl. RF, GLB, fixed overhead factor). */
double accel_area_mm2(const accel_cfg *c);

/* ---- GPU roofline (Jetson TX2 analytic model) ---------------------------- */

/* Sum over layers of max(FLOPs / peak, bytes / bandwidth), FP32 words,
 * every layer reading its inputs and weights and writing its outputs. */
double accel_roofline_ms(const layer_list *l, double peak_gflops, double gbps);
/* TX2 (Pascal GPU, 256 cores at 1.3 GHz: ~666 GFLOP/s FP32; 59.7 GB/s
 * LPDDR4) roofline latency of an nb201 genome (CIFAR-10, batch 1) or a
 * bert genome (sequence 128, batch 1). NaN for other spaces. */
#define TX2_PEAK_GFLOPS 666.0
#define TX2_DRAM_GBPS 59.7
double accel_tx2_roofline_ms(const space *s, const hw_genome *g);

/* ---- the accelerator search space ------------------------------------- */

#define ACCEL_MAX_CHOICES 16
#define ACCEL_NGENES 8
/* Gene order: 0 rows, 1 cols, 2 rf_bytes, 3 gbuf_kb, 4 dram_gbps,
 * 5 clock_mhz, 6 dataflow, 7 precision; each an index into its list. */
typedef struct accel_space_cfg {
    int n_rows, rows[ACCEL_MAX_CHOICES];
    int n_cols, cols[ACCEL_MAX_CHOICES];
    int n_rf, rf_bytes[ACCEL_MAX_CHOICES];
    int n_gbuf, gbuf_kb[ACCEL_MAX_CHOICES];
    int n_bw;
    double bw_gbps[ACCEL_MAX_CHOICES];
    int n_clock;
    double clock_mhz[ACCEL_MAX_CHOICES];
    int n_df, dataflow[ACCEL_NDATAFLOWS];
    int n_prec, precision[ACCEL_NPRECISIONS];
} accel_space_cfg;

/* Defaults (data/configs/accel-space.yaml holds the same lists). */
void accel_space_cfg_default(accel_space_cfg *c);
/* Reads the lists from a YAML map (keys pe_rows, pe_cols, rf_bytes, gbuf_kb,
 * dram_gbps, clock_mhz, dataflow, precision; absent keys keep the defaults).
 * Lists must be non-empty, strictly increasing (dataflow/precision: no
 * duplicates). */
int accel_space_cfg_from_yaml(const struct ycfg *y, const struct ynode *map, accel_space_cfg *out);
int accel_space_cfg_validate(const accel_space_cfg *c);

/* The "accel" space (8 genes, no table index). */
int space_create_accel(const accel_space_cfg *cfg, space **out);
/* Decodes an accel genome into a derived accel_cfg; -1 if s is not accel. */
int accel_from_genome(const space *s, const hw_genome *g, accel_cfg *out);
/* The genome whose values equal c's; -1 with a message naming the first
 * value that is not in the space's lists. */
int accel_to_genome(const space *s, const accel_cfg *c, hw_genome *out);
const accel_space_cfg *space_accel_cfg(const space *s);

#endif
