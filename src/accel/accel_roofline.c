/* accel_roofline: a GPU roofline over a layer list (the analytic Jetson TX2
 * model used as a predictor feature for measured TX2 latency). */
#include <math.h>
#include <string.h>

#include "accel.h"

double accel_roofline_ms(const layer_list *l, double peak_gflops, double gbps) {
    double t = 0;
    for (int i = 0; i < l->n; i++) {
        const net_layer *x = &l->v[i];
        double mult = (x->kind == LAYER_POOL || x->kind == LAYER_ELTWISE) ? 1.0 : 2.0; /* a MAC is 2 FLOPs */
        double flops = mult * layer_macs(x);
        double bytes = 4.0 * (layer_weight_elems(x) + layer_input_elems(x) + layer_output_elems(x));
        double tc = flops / (peak_gflops * 1e9), tm = bytes / (gbps * 1e9);
        t += x->count * (tc > tm ? tc : tm);
    }
    return t * 1e3;
}

double accel_tx2_roofline_ms(const space *s, const hw_genome *g) {
    layer_list l;
    layer_list_init(&l, 1);
    int rc;
    if (!strcmp(space_name(s), "nb201")) rc = layers_nb201(s, g, 1, &l);
    else if (!strcmp(space_name(s), "bert")) rc = layers_bert(s, g, 128, 1, &l);
    else rc = -1;
    double ms = rc == 0 ? accel_roofline_ms(&l, TX2_PEAK_GFLOPS, TX2_DRAM_GBPS) : NAN;
    layer_list_free(&l);
    return ms;
}
