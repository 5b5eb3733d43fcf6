file(REMOVE_RECURSE
  "CMakeFiles/test_hv.dir/tests/unit/test_hv.c.o"
  "CMakeFiles/test_hv.dir/tests/unit/test_hv.c.o.d"
  "test_hv"
  "test_hv.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_hv.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
