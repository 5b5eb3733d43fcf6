/* stats: small descriptive and rank statistics shared by the predictors,
 * the benchmarks and the search reports.
 *
 * All functions take double arrays of length n and never modify them.
 * Functions returning double return NaN when the statistic is undefined
 * (n too small, zero variance, a zero true value for relative errors);
 * callers decide whether that is an error. Thread-safe; they allocate
 * scratch memory with hw_malloc (aborts on out-of-memory). */
#ifndef HW_STATS_H
#define HW_STATS_H

/* Average ranks (1-based; ties get the mean of the ranks they span), as
 * scipy.stats.rankdata(method="average"). out has n entries. */
void stats_ranks(const double *x, int n, double *out);

/* Pearson correlation; NaN if n < 2 or either input is constant. */
double stats_pearson(const double *x, const double *y, int n);

/* Spearman rho = Pearson correlation of average ranks (scipy.spearmanr). */
double stats_spearman(const double *x, const double *y, int n);

/* Kendall tau-b (tie-corrected; scipy.stats.kendalltau default), computed
 * in O(n log n) with Knight's merge-sort algorithm. */
double stats_kendall(const double *x, const double *y, int n);

/* Mean absolute percentage error in percent:
 * 100/n * sum |pred - truth| / |truth|. NaN if some truth is 0 or n < 1. */
double stats_mape(const double *pred, const double *truth, int n);

/* Fraction (0..1) of rows with |pred - truth| <= pct/100 * |truth|. */
double stats_within(const double *pred, const double *truth, int n, double pct);

double stats_mean(const double *x, int n);
/* Standard deviation with ddof degrees of freedom removed (0: population,
 * 1: sample); NaN if n - ddof < 1. */
double stats_std(const double *x, int n, int ddof);
double stats_min(const double *x, int n);
double stats_max(const double *x, int n);

/* Percentile q in [0, 100] with linear interpolation between order
 * statistics (numpy.percentile's default "linear" method). */
double stats_percentile(const double *x, int n, double q);
double stats_median(const double *x, int n);

#endif
