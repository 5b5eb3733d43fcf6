/* front_metrics: what a user asks of a finished front beyond its
 * hypervolume: the knee point and the IGD+ distance to a reference front.
 * All objectives are minimised (negate maximised ones first, as the search
 * does internally). */
#include <math.h>
#include <stdlib.h>

#include "hw_err.h"
#include "nsga.h"

int front_knee(const double *pts, int n, int m, int *out_idx) {
    *out_idx = -1;
    if (n < 1 || m < 1) return hw_fail("knee: an empty front has no knee");
    double lo[HV_MAX_OBJ], hi[HV_MAX_OBJ];
    if (m > HV_MAX_OBJ) return hw_fail("knee: at most %d objectives, not %d", HV_MAX_OBJ, m);
    for (int j = 0; j < m; j++) lo[j] = INFINITY, hi[j] = -INFINITY;
    for (int i = 0; i < n; i++)
        for (int j = 0; j < m; j++) {
            double v = pts[(size_t)i * m + j];
            if (!isfinite(v)) return hw_fail("knee: point %d objective %d is not finite", i, j);
            if (v < lo[j]) lo[j] = v;
            if (v > hi[j]) hi[j] = v;
        }
    double best = INFINITY;
    for (int i = 0; i < n; i++) {
        double s = 0;
        for (int j = 0; j < m; j++)
            s += hi[j] > lo[j] ? (pts[(size_t)i * m + j] - lo[j]) / (hi[j] - lo[j]) : 0.0;
        if (s < best) best = s, *out_idx = i;
    }
    return 0;
}

int front_igd_plus(const double *approx, int na, const double *refs, int nr, int m, const double *scale,
                   double *out) {
    *out = NAN;
    if (nr < 1) return hw_fail("IGD+: the reference front is empty");
    if (na < 1) {
        *out = INFINITY;
        return 0;
    }
    double sum = 0;
    for (int r = 0; r < nr; r++) {
        const double *z = refs + (size_t)r * m;
        double dmin = INFINITY;
        for (int a = 0; a < na; a++) {
            const double *p = approx + (size_t)a * m;
            double d2 = 0;
            for (int j = 0; j < m; j++) {
                double d = (p[j] - z[j]) / (scale ? scale[j] : 1.0);
                if (d > 0) d2 += d * d;
            }
            if (d2 < dmin) dmin = d2;
        }
        sum += sqrt(dmin);
    }
    *out = sum / nr;
    return 0;
}
