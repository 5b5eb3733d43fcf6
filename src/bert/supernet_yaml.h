/* supernet_yaml: the YAML config of `hwnas supernet train` (see
 * data/configs/supernet-sst2.yaml): task (sst2|sms_spam, from the data
 * directory) or train_file/eval_file, vocab, output,
 * space.{layers,hidden,heads,ffn}, model.{max_seq,dropout},
 * train.{batch,steps,n_random,lr,warmup,weight_decay,clip,eval_every,
 * eval_max,checkpoint_every,seed,threads}. Strict: unknown keys, wrong
 * types and out-of-range values are errors naming FILE:LINE. */
#ifndef HW_SUPERNET_YAML_H
#define HW_SUPERNET_YAML_H

#include "supernet.h"
#include "yconf.h"

typedef struct supernet_yaml {
    supernet_cfg cfg;  /* supernet_cfg_default() for absent keys */
    char *train, *eval, *vocab, *output; /* resolved paths (output default supernet.h5) */
    int threads;       /* train.threads (default 1) */
    ycfg *y;           /* the parsed file (its text goes into the .h5) */
} supernet_yaml;

/* Loads PATH into *j: 0, or -1 with the message naming file:line (*j is
 * left cleared). Free with supernet_yaml_clear. */
int supernet_yaml_load(const char *path, supernet_yaml *j);
/* The config file's text. */
const char *supernet_yaml_text(const supernet_yaml *j);
/* 0 when SN (loaded from j->output) can continue under j's config: same
 * space, max_seq, vocabulary size and seed; else -1 naming both files. */
int supernet_yaml_check_resume(const supernet_yaml *j, const supernet *sn, int vocab_size, const char *config);
void supernet_yaml_clear(supernet_yaml *j);

#endif
