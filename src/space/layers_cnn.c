/* layers_cnn: AlexNet and VGG-16 (ImageNet shapes) as layer lists — the
 * workloads of the Eyeriss chip's published per-layer measurements (Chen et
 * al., JSSC 2017, Tables V and VI) and extra co-design workloads.
 *
 * AlexNet as Eyeriss runs it (Krizhevsky et al. 2012; shapes as in Chen et
 * al., ISCA 2016, Table / JSSC 2017): 227x227x3 input, CONV2, CONV4 and
 * CONV5 in two groups (the original two-GPU split; the chip's 0.90 G MACs
 * for CONV2 at batch 4 is the grouped count). ReLU is fused into the conv
 * output; LRN is not counted (Eyeriss does not run it on chip). Full
 * network: max pools 3x3/2 after CONV1, CONV2, CONV5; FC6-FC8.
 * VGG-16 (Simonyan & Zisserman 2015, configuration D): 13 conv3x3 pad 1,
 * max pools 2x2/2 after each stage, FC 25088-4096-4096-1000. */
#include <stdio.h>

#include "hw_err.h"
#include "layers.h"

int layers_alexnet(int batch, int conv_only, layer_list *out) {
    if (batch < 1) return hw_fail("layers_alexnet: batch %d < 1", batch);
    layer_list_clear(out);
    layers_add_conv(out, "CONV1", 1, batch, 1, 3, 96, 227, 11, 4, 0);
    if (!conv_only) layers_add_pool(out, "POOL1", 1, batch, 96, 55, 3, 2, 0);
    layers_add_conv(out, "CONV2", 1, batch, 2, 48, 128, 27, 5, 1, 2);
    if (!conv_only) layers_add_pool(out, "POOL2", 1, batch, 256, 27, 3, 2, 0);
    layers_add_conv(out, "CONV3", 1, batch, 1, 256, 384, 13, 3, 1, 1);
    layers_add_conv(out, "CONV4", 1, batch, 2, 192, 192, 13, 3, 1, 1);
    layers_add_conv(out, "CONV5", 1, batch, 2, 192, 128, 13, 3, 1, 1);
    if (conv_only) return 0;
    layers_add_pool(out, "POOL5", 1, batch, 256, 13, 3, 2, 0);
    layers_add_fc(out, "FC6", batch, 256 * 6 * 6, 4096);
    layers_add_fc(out, "FC7", batch, 4096, 4096);
    layers_add_fc(out, "FC8", batch, 4096, 1000);
    return 0;
}

int layers_vgg16(int batch, int conv_only, layer_list *out) {
    static const int stage_convs[5] = {2, 2, 3, 3, 3};
    static const int stage_ch[5] = {64, 128, 256, 512, 512};
    if (batch < 1) return hw_fail("layers_vgg16: batch %d < 1", batch);
    layer_list_clear(out);
    char nm[LAYER_NAME_MAX];
    int c = 3, hw = 224;
    for (int st = 0; st < 5; st++) {
        for (int i = 0; i < stage_convs[st]; i++) {
            snprintf(nm, sizeof nm, "CONV%d-%d", st + 1, i + 1);
            layers_add_conv(out, nm, 1, batch, 1, c, stage_ch[st], hw, 3, 1, 1);
            c = stage_ch[st];
        }
        if (!conv_only) {
            snprintf(nm, sizeof nm, "POOL%d", st + 1);
            layers_add_pool(out, nm, 1, batch, c, hw, 2, 2, 0);
        }
        hw /= 2;
    }
    if (conv_only) return 0;
    layers_add_fc(out, "FC6", batch, 512 * 7 * 7, 4096);
    layers_add_fc(out, "FC7", batch, 4096, 4096);
    layers_add_fc(out, "FC8", batch, 4096, 1000);
    return 0;
}
