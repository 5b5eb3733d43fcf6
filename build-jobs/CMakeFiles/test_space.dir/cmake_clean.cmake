file(REMOVE_RECURSE
  "CMakeFiles/test_space.dir/tests/unit/test_space.c.o"
  "CMakeFiles/test_space.dir/tests/unit/test_space.c.o.d"
  "test_space"
  "test_space.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_space.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
