file(REMOVE_RECURSE
  "CMakeFiles/test_nsga_sort.dir/tests/unit/test_nsga_sort.c.o"
  "CMakeFiles/test_nsga_sort.dir/tests/unit/test_nsga_sort.c.o.d"
  "test_nsga_sort"
  "test_nsga_sort.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_nsga_sort.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
