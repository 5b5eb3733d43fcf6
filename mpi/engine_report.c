/* engine_report.c: the end-of-run report of engine_run (engine.h). */
#include <math.h>
#include <stdio.h>

#include "engine.h"
#include "fsutil.h"

static const char *const role_name[ENGINE_NROLES] = {"dispatcher", "islands"};
static const char *const kind_name[ENGINE_NKINDS] = {"propose", "update", "migrants", "checkpoint", "finetune", "other"};

void engine_report_print(FILE *f, const search_config *cfg, const engine_report *rep) {
    const search_result *r = &rep->res;
    /* both framings of the cost (docs/config.md, `cost`) */
    fprintf(f, "ground truth: %ld measurements that cost (%ld failed), %ld free lookups, %.4f board-hours",
            r->measurements, r->failed, r->free_lookups, (rep->board_s - rep->ft_s) / 3600);
    if (rep->ft_s > 0) fprintf(f, " + %.1f s fine-tuning", rep->ft_s);
    fprintf(f, "\n");
    if (cfg->evaluator == EVAL_PREDICTOR)
        fprintf(f, "islands %d, model version %d, board time %.1f s (%.4f board-hours)\n", rep->n_islands,
                rep->model_version, rep->board_s, rep->board_s / 3600);
    else
        fprintf(f, "islands %d, board time %.1f s (%.4f board-hours)\n", rep->n_islands, rep->board_s,
                rep->board_s / 3600);
    if (isfinite(rep->speedup) && rep->mean_meas_cost_s > 0) /* nothing cost anything: no speedup to speak of */
        fprintf(f, "speedup %.2fx = %ld distinct candidates evaluated x %.3f s per measurement / "
                   "(%.1f s measuring %ld candidates + %.1f s own compute)\n",
                rep->speedup, rep->distinct_evaluated, rep->mean_meas_cost_s, rep->board_s, r->measurements,
                rep->compute_s);
    fprintf(f, "wall time shares (compute / measurement / communication / idle):");
    for (int k = 0; k < ENGINE_NROLES; k++) {
        const engine_role_time *t = &rep->role[k];
        if (!t->ranks) continue;
        fprintf(f, "%s %s%s (%d rank%s) %.1f / %.1f / %.3f / %.1f %%", k ? ";" : "", role_name[k],
                k == 0 && rep->role[ENGINE_ROLE_ISLANDS].ranks == 0 ? "+island" : "", t->ranks, t->ranks > 1 ? "s" : "",
                100 * t->compute, 100 * t->measurement, 100 * t->communication, 100 * t->idle);
    }
    fprintf(f, "\n");
}

void engine_report_json(hw_buf *b, const engine_report *rep) {
    hw_buf_printf(b, ",\n  \"engine\": {\"islands\": %d, \"model_version\": %d, \"board_s\": ", rep->n_islands,
                  rep->model_version);
    hw_buf_json_num(b, rep->board_s);
    hw_buf_printf(b, ", \"board_hours\": ");
    hw_buf_json_num(b, (rep->board_s - rep->ft_s) / 3600);
    hw_buf_printf(b, ", \"finetune_s\": ");
    hw_buf_json_num(b, rep->ft_s);
    hw_buf_printf(b, ", \"compute_s\": ");
    hw_buf_json_num(b, rep->compute_s);
    hw_buf_printf(b, ", \"distinct_evaluated\": %ld, \"mean_measurement_cost_s\": ", rep->distinct_evaluated);
    hw_buf_json_num(b, rep->mean_meas_cost_s);
    hw_buf_printf(b, ", \"speedup\": ");
    hw_buf_json_num(b, rep->speedup);
    hw_buf_printf(b, ",\n    \"roles\": {");
    int first = 1;
    for (int k = 0; k < ENGINE_NROLES; k++) {
        const engine_role_time *t = &rep->role[k];
        if (!t->ranks) continue;
        hw_buf_printf(b, "%s\n      \"%s\": {\"ranks\": %d, \"wall_s\": ", first ? "" : ",", role_name[k], t->ranks);
        first = 0;
        hw_buf_json_num(b, t->wall_s);
        const double v[] = {t->compute, t->measurement, t->communication, t->idle, t->send_s, t->recv_s};
        const char *const n[] = {"compute", "measurement", "communication", "idle", "send_s", "recv_s"};
        for (int i = 0; i < 6; i++) {
            hw_buf_printf(b, ", \"%s\": ", n[i]);
            hw_buf_json_num(b, v[i]);
        }
        hw_buf_printf(b, ", \"msgs_sent\": %ld, \"msgs_recv\": %ld, \"bytes_sent\": %.0f, \"bytes_recv\": %.0f",
                      t->msgs_sent, t->msgs_recv, t->bytes_sent, t->bytes_recv);
        hw_buf_printf(b, ",\n        \"by_kind\": {");
        for (int i = 0; i < ENGINE_NKINDS; i++) {
            const engine_call_time *c = &t->kind[i];
            hw_buf_printf(b, "%s\"%s\": {\"msgs\": %ld, \"bytes\": %.0f, \"comm_s\": ", i ? ", " : "", kind_name[i],
                          c->msgs, c->bytes);
            hw_buf_json_num(b, c->comm_s);
            hw_buf_printf(b, ", \"wait_s\": ");
            hw_buf_json_num(b, c->wait_s);
            hw_buf_printf(b, ", \"sched_s\": ");
            hw_buf_json_num(b, c->sched_s);
            hw_buf_printf(b, "}");
        }
        hw_buf_printf(b, "}}");
    }
    hw_buf_printf(b, "},\n    \"pingpong\": {\"small_s\": ");
    hw_buf_json_num(b, rep->pingpong_small_s);
    hw_buf_printf(b, ", \"b64k_s\": ");
    hw_buf_json_num(b, rep->pingpong_64k_s);
    hw_buf_printf(b, "}}");
}
