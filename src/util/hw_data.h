/* hw_data: where hwnas's shipped data (tables, configs, vocab) lives.
 *
 * Lookup order, first hit wins:
 *   1. $HWNAS_DATA (if set and non-empty);
 *   2. <dir of the running binary>/../share/hwnas (an installed hwnas);
 *   3. the source tree's data/ compiled in as HWNAS_DATA_DIR (a build tree);
 *   4. "data" (relative to the working directory).
 * The answer is computed once and cached; it is never NULL. */
#ifndef HW_DATA_H
#define HW_DATA_H

const char *hw_data_dir(void);

/* Version string ("0.2.0") and the git commit the binary was built from
 * ("unknown" outside a checkout). */
const char *hw_version(void);
const char *hw_git_commit(void);

#endif
