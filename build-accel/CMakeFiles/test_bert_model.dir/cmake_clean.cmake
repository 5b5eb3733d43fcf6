file(REMOVE_RECURSE
  "CMakeFiles/test_bert_model.dir/tests/unit/test_bert_model.c.o"
  "CMakeFiles/test_bert_model.dir/tests/unit/test_bert_model.c.o.d"
  "test_bert_model"
  "test_bert_model.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/test_bert_model.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
