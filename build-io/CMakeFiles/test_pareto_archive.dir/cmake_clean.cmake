file(REMOVE_RECURSE
  "CMakeFiles/test_pareto_archive.dir/tests/unit/test_pareto_archive.c.o"
  "CMakeFiles/test_pareto_archive.dir/tests/unit/test_pareto_archive.c.o.d"
  "test_pareto_archive"
  "test_pareto_archive.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_pareto_archive.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
