file(REMOVE_RECURSE
  "CMakeFiles/hwnas.dir/src/main.c.o"
  "CMakeFiles/hwnas.dir/src/main.c.o.d"
  "hwnas"
  "hwnas.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/hwnas.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
