/* accel_eval: the accelerator cost model applied to whole networks named
 * by architecture strings (`hwnas accel report|table`). */
#ifndef HW_ACCEL_EVAL_H
#define HW_ACCEL_EVAL_H

#include "accel.h"
#include "fsutil.h"
#include "layers.h"

/* Kernels a GPU would launch for the list: one per layer instance (BN and
 * ReLU are already folded/fused into the convs of the list). */
int accel_eval_kernels(const layer_list *l);

/* Costs of network ARCH of space SPACE_NAME ("nb201" or "bert" with the
 * choice lists BC, NULL for the defaults; bert at sequence length SEQ) on
 * HW: the layer list into *l (initialised here with MERGED; free with
 * layer_list_free), the per-layer costs into a malloc'd *per (l->n
 * entries) and the totals into *tot. 0, or -1 with a message naming the
 * space or the arch string. */
int accel_eval_arch(const accel_cfg *hw, const char *space_name, const bert_space_cfg *bc, const char *arch, int seq,
                    int batch, int merged, layer_list *l, accel_cost **per, accel_cost *tot);

/* An accelerator from the YAML file WHAT or, when no file of that name
 * exists and WHAT has the accel-space string's ':' fields, from its string
 * in the space AS (the form codesign's CSVs print). 0, or -1 with a
 * message naming WHAT. */
int accel_eval_load_accel(const char *what, const accel_space_cfg *as, accel_cfg *out);

/* The CSV of every NB201 architecture on HW into *out: arch_index,
 * arch_str, latency_ms, energy_mj, tx2_roofline_ms, n_kernels (and, with
 * WITH_FEATURES, the nb201 predictor features). 0, or -1 with a message. */
int accel_eval_nb201_csv(const accel_cfg *hw, int batch, int with_features, hw_buf *out);

#endif
