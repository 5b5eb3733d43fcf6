
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/jobs/board.c" "CMakeFiles/hwnas_core.dir/jobs/board.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/board.c.o.d"
  "/work/main/jobs/board_config.c" "CMakeFiles/hwnas_core.dir/jobs/board_config.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/board_config.c.o.d"
  "/work/main/jobs/cmd_board.c" "CMakeFiles/hwnas_core.dir/jobs/cmd_board.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/cmd_board.c.o.d"
  "/work/main/jobs/cmd_keygen.c" "CMakeFiles/hwnas_core.dir/jobs/cmd_keygen.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/cmd_keygen.c.o.d"
  "/work/main/jobs/cmd_measure.c" "CMakeFiles/hwnas_core.dir/jobs/cmd_measure.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/cmd_measure.c.o.d"
  "/work/main/jobs/disp.c" "CMakeFiles/hwnas_core.dir/jobs/disp.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/disp.c.o.d"
  "/work/main/jobs/jkeys.c" "CMakeFiles/hwnas_core.dir/jobs/jkeys.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/jkeys.c.o.d"
  "/work/main/jobs/proto.c" "CMakeFiles/hwnas_core.dir/jobs/proto.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/proto.c.o.d"
  "/work/main/jobs/runner.c" "CMakeFiles/hwnas_core.dir/jobs/runner.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/runner.c.o.d"
  "/work/main/jobs/runner_builtin.c" "CMakeFiles/hwnas_core.dir/jobs/runner_builtin.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/runner_builtin.c.o.d"
  "/work/main/jobs/runner_command.c" "CMakeFiles/hwnas_core.dir/jobs/runner_command.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/runner_command.c.o.d"
  "/work/main/jobs/runner_replay.c" "CMakeFiles/hwnas_core.dir/jobs/runner_replay.c.o" "gcc" "CMakeFiles/hwnas_core.dir/jobs/runner_replay.c.o.d"
  "/work/main/src/accel_codesign.c" "CMakeFiles/hwnas_core.dir/src/accel_codesign.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/accel_codesign.c.o.d"
  "/work/main/src/accel_model.c" "CMakeFiles/hwnas_core.dir/src/accel_model.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/accel_model.c.o.d"
  "/work/main/src/accel_roofline.c" "CMakeFiles/hwnas_core.dir/src/accel_roofline.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/accel_roofline.c.o.d"
  "/work/main/src/accel_space.c" "CMakeFiles/hwnas_core.dir/src/accel_space.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/accel_space.c.o.d"
  "/work/main/src/accel_yaml.c" "CMakeFiles/hwnas_core.dir/src/accel_yaml.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/accel_yaml.c.o.d"
  "/work/main/src/adamw.c" "CMakeFiles/hwnas_core.dir/src/adamw.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/adamw.c.o.d"
  "/work/main/src/bert_model.c" "CMakeFiles/hwnas_core.dir/src/bert_model.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/bert_model.c.o.d"
  "/work/main/src/bert_ops.c" "CMakeFiles/hwnas_core.dir/src/bert_ops.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/bert_ops.c.o.d"
  "/work/main/src/cli.c" "CMakeFiles/hwnas_core.dir/src/cli.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/cli.c.o.d"
  "/work/main/src/cmd_codesign.c" "CMakeFiles/hwnas_core.dir/src/cmd_codesign.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/cmd_codesign.c.o.d"
  "/work/main/src/cmd_space.c" "CMakeFiles/hwnas_core.dir/src/cmd_space.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/cmd_space.c.o.d"
  "/work/main/src/csv.c" "CMakeFiles/hwnas_core.dir/src/csv.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/csv.c.o.d"
  "/work/main/src/eval_table.c" "CMakeFiles/hwnas_core.dir/src/eval_table.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/eval_table.c.o.d"
  "/work/main/src/fsutil.c" "CMakeFiles/hwnas_core.dir/src/fsutil.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/fsutil.c.o.d"
  "/work/main/src/help.c" "CMakeFiles/hwnas_core.dir/src/help.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/help.c.o.d"
  "/work/main/src/hv.c" "CMakeFiles/hwnas_core.dir/src/hv.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/hv.c.o.d"
  "/work/main/src/hw_err.c" "CMakeFiles/hwnas_core.dir/src/hw_err.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/hw_err.c.o.d"
  "/work/main/src/layers.c" "CMakeFiles/hwnas_core.dir/src/layers.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/layers.c.o.d"
  "/work/main/src/layers_bert.c" "CMakeFiles/hwnas_core.dir/src/layers_bert.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/layers_bert.c.o.d"
  "/work/main/src/layers_nb201.c" "CMakeFiles/hwnas_core.dir/src/layers_nb201.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/layers_nb201.c.o.d"
  "/work/main/src/nsga.c" "CMakeFiles/hwnas_core.dir/src/nsga.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/nsga.c.o.d"
  "/work/main/src/nsga_crowding.c" "CMakeFiles/hwnas_core.dir/src/nsga_crowding.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/nsga_crowding.c.o.d"
  "/work/main/src/nsga_sort.c" "CMakeFiles/hwnas_core.dir/src/nsga_sort.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/nsga_sort.c.o.d"
  "/work/main/src/pareto_archive.c" "CMakeFiles/hwnas_core.dir/src/pareto_archive.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/pareto_archive.c.o.d"
  "/work/main/src/pred.c" "CMakeFiles/hwnas_core.dir/src/pred.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/pred.c.o.d"
  "/work/main/src/pred_features.c" "CMakeFiles/hwnas_core.dir/src/pred_features.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/pred_features.c.o.d"
  "/work/main/src/rng.c" "CMakeFiles/hwnas_core.dir/src/rng.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/rng.c.o.d"
  "/work/main/src/search.c" "CMakeFiles/hwnas_core.dir/src/search.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/search.c.o.d"
  "/work/main/src/search_config.c" "CMakeFiles/hwnas_core.dir/src/search_config.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/search_config.c.o.d"
  "/work/main/src/space.c" "CMakeFiles/hwnas_core.dir/src/space.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/space.c.o.d"
  "/work/main/src/space_bert.c" "CMakeFiles/hwnas_core.dir/src/space_bert.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/space_bert.c.o.d"
  "/work/main/src/space_grid.c" "CMakeFiles/hwnas_core.dir/src/space_grid.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/space_grid.c.o.d"
  "/work/main/src/space_nb201.c" "CMakeFiles/hwnas_core.dir/src/space_nb201.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/space_nb201.c.o.d"
  "/work/main/src/space_nb201_index.c" "CMakeFiles/hwnas_core.dir/src/space_nb201_index.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/space_nb201_index.c.o.d"
  "/work/main/src/space_product.c" "CMakeFiles/hwnas_core.dir/src/space_product.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/space_product.c.o.d"
  "/work/main/src/stats.c" "CMakeFiles/hwnas_core.dir/src/stats.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/stats.c.o.d"
  "/work/main/src/supernet.c" "CMakeFiles/hwnas_core.dir/src/supernet.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/supernet.c.o.d"
  "/work/main/src/surrogate_gp.c" "CMakeFiles/hwnas_core.dir/src/surrogate_gp.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/surrogate_gp.c.o.d"
  "/work/main/src/tokenizer.c" "CMakeFiles/hwnas_core.dir/src/tokenizer.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/tokenizer.c.o.d"
  "/work/main/src/tsv_task.c" "CMakeFiles/hwnas_core.dir/src/tsv_task.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/tsv_task.c.o.d"
  "/work/main/src/u64map.c" "CMakeFiles/hwnas_core.dir/src/u64map.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/u64map.c.o.d"
  "/work/main/src/yconf.c" "CMakeFiles/hwnas_core.dir/src/yconf.c.o" "gcc" "CMakeFiles/hwnas_core.dir/src/yconf.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
