/* supernet_h5: supernet weights + optimizer state in HDF5, and the
 * fine-tuning entry point for ground-truth jobs (full build only).
 *
 * File layout (one group "/"):
 *   attributes  format="hwnas-supernet", version=1, step, vocab, max_seq,
 *               n_types, n_classes, dropout, ln_eps, seed, batch, steps,
 *               n_random, lr, warmup, weight_decay, clip, beta1, beta2, eps,
 *               eval_every, eval_max, checkpoint_every, space_layers,
 *               space_hidden, space_heads, space_ffn (int arrays),
 *               config_text (the YAML that produced it, may be empty)
 *   datasets    params, m, v: float32 (n) in bert_store canonical order.
 * Writes are atomic (PATH.tmp.<pid>, fsync, rename, fsync directory). */
#ifndef HW_SUPERNET_H5_H
#define HW_SUPERNET_H5_H

#include "supernet.h"

/* Saves sn (params, AdamW moments, step, config). config_text may be NULL. */
int supernet_h5_save(const char *path, supernet *sn, const char *config_text);
/* Loads a supernet saved by supernet_h5_save (trainable, moments and step
 * restored). Any missing/garbled part -> -1 "PATH: ...". */
int supernet_h5_load(const char *path, supernet **out);

/* Reads only the space a supernet file was trained on (cheap: no
 * weights), for start-up checks. -1 "PATH: ..." if it is not a supernet. */
int supernet_h5_space(const char *path, bert_space_cfg *out);

/* --- ground-truth fine-tuning jobs --------------------------------- */
typedef struct supernet_ft supernet_ft;
/* Loads the supernet at h5_path and the train / eval TSVs (tokenized with
 * vocab_path, rows cut to the supernet's max_seq) once, for many jobs. */
int supernet_ft_open(const char *h5_path, const char *train_tsv, const char *eval_tsv, const char *vocab_path,
                     supernet_ft **out);
/* Fine-tunes candidate ARCH (bert-space string, e.g. "L2:H128:A2.4:F256.512",
 * which must lie in the supernet's space) for o->steps steps and evaluates
 * it; -1 with a message for a bad arch. */
int supernet_ft_run(supernet_ft *ft, const char *arch, const finetune_opts *o, finetune_result *out);
/* The supernet's bert space (to sample / parse candidates). */
const space *supernet_ft_space(const supernet_ft *ft);
void supernet_ft_close(supernet_ft *ft);

#endif
