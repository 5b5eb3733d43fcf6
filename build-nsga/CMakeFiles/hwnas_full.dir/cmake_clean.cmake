file(REMOVE_RECURSE
  "CMakeFiles/hwnas_full.dir/io/ckpt.c.o"
  "CMakeFiles/hwnas_full.dir/io/ckpt.c.o.d"
  "CMakeFiles/hwnas_full.dir/io/journal.c.o"
  "CMakeFiles/hwnas_full.dir/io/journal.c.o.d"
  "CMakeFiles/hwnas_full.dir/io/runfile.c.o"
  "CMakeFiles/hwnas_full.dir/io/runfile.c.o.d"
  "CMakeFiles/hwnas_full.dir/io/runfile_synth.c.o"
  "CMakeFiles/hwnas_full.dir/io/runfile_synth.c.o.d"
  "CMakeFiles/hwnas_full.dir/io/supernet_h5.c.o"
  "CMakeFiles/hwnas_full.dir/io/supernet_h5.c.o.d"
  "CMakeFiles/hwnas_full.dir/mpi/cmd_search.c.o"
  "CMakeFiles/hwnas_full.dir/mpi/cmd_search.c.o.d"
  "CMakeFiles/hwnas_full.dir/mpi/engine.c.o"
  "CMakeFiles/hwnas_full.dir/mpi/engine.c.o.d"
  "libhwnas_full.a"
  "libhwnas_full.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hwnas_full.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
