file(REMOVE_RECURSE
  "CMakeFiles/test_search_config.dir/tests/unit/test_search_config.c.o"
  "CMakeFiles/test_search_config.dir/tests/unit/test_search_config.c.o.d"
  "test_search_config"
  "test_search_config.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_search_config.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
