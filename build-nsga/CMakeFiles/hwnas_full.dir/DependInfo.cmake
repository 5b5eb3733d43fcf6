
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/main/io/ckpt.c" "CMakeFiles/hwnas_full.dir/io/ckpt.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/ckpt.c.o.d"
  "/work/main/io/cmd_compare.c" "CMakeFiles/hwnas_full.dir/io/cmd_compare.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/cmd_compare.c.o.d"
  "/work/main/io/cmd_finetune.c" "CMakeFiles/hwnas_full.dir/io/cmd_finetune.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/cmd_finetune.c.o.d"
  "/work/main/io/cmd_front.c" "CMakeFiles/hwnas_full.dir/io/cmd_front.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/cmd_front.c.o.d"
  "/work/main/io/cmd_plot.c" "CMakeFiles/hwnas_full.dir/io/cmd_plot.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/cmd_plot.c.o.d"
  "/work/main/io/cmd_supernet.c" "CMakeFiles/hwnas_full.dir/io/cmd_supernet.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/cmd_supernet.c.o.d"
  "/work/main/io/journal.c" "CMakeFiles/hwnas_full.dir/io/journal.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/journal.c.o.d"
  "/work/main/io/runfile.c" "CMakeFiles/hwnas_full.dir/io/runfile.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/runfile.c.o.d"
  "/work/main/io/runfile_synth.c" "CMakeFiles/hwnas_full.dir/io/runfile_synth.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/runfile_synth.c.o.d"
  "/work/main/io/runfront.c" "CMakeFiles/hwnas_full.dir/io/runfront.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/runfront.c.o.d"
  "/work/main/io/supernet_h5.c" "CMakeFiles/hwnas_full.dir/io/supernet_h5.c.o" "gcc" "CMakeFiles/hwnas_full.dir/io/supernet_h5.c.o.d"
  "/work/main/mpi/cmd_search.c" "CMakeFiles/hwnas_full.dir/mpi/cmd_search.c.o" "gcc" "CMakeFiles/hwnas_full.dir/mpi/cmd_search.c.o.d"
  "/work/main/mpi/engine.c" "CMakeFiles/hwnas_full.dir/mpi/engine.c.o" "gcc" "CMakeFiles/hwnas_full.dir/mpi/engine.c.o.d"
  "/work/main/mpi/engine_ckpt.c" "CMakeFiles/hwnas_full.dir/mpi/engine_ckpt.c.o" "gcc" "CMakeFiles/hwnas_full.dir/mpi/engine_ckpt.c.o.d"
  "/work/main/src/cmd_predictor.c" "CMakeFiles/hwnas_full.dir/src/cmd_predictor.c.o" "gcc" "CMakeFiles/hwnas_full.dir/src/cmd_predictor.c.o.d"
  "/work/main/src/gtserver.c" "CMakeFiles/hwnas_full.dir/src/gtserver.c.o" "gcc" "CMakeFiles/hwnas_full.dir/src/gtserver.c.o.d"
  "/work/main/src/island.c" "CMakeFiles/hwnas_full.dir/src/island.c.o" "gcc" "CMakeFiles/hwnas_full.dir/src/island.c.o.d"
  "/work/main/src/pred_xgb.c" "CMakeFiles/hwnas_full.dir/src/pred_xgb.c.o" "gcc" "CMakeFiles/hwnas_full.dir/src/pred_xgb.c.o.d"
  "/work/main/src/surrogate.c" "CMakeFiles/hwnas_full.dir/src/surrogate.c.o" "gcc" "CMakeFiles/hwnas_full.dir/src/surrogate.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/main/build-nsga/CMakeFiles/hwnas_core.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
