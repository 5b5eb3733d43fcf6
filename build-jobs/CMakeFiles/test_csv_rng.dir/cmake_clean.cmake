file(REMOVE_RECURSE
  "CMakeFiles/test_csv_rng.dir/tests/unit/test_csv_rng.c.o"
  "CMakeFiles/test_csv_rng.dir/tests/unit/test_csv_rng.c.o.d"
  "test_csv_rng"
  "test_csv_rng.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_csv_rng.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
