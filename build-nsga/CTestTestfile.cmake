# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build-nsga
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[unit.test_bert_model]=] "/work/main/build-nsga/test_bert_model")
set_tests_properties([=[unit.test_bert_model]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_csv_rng]=] "/work/main/build-nsga/test_csv_rng")
set_tests_properties([=[unit.test_csv_rng]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_hv]=] "/work/main/build-nsga/test_hv")
set_tests_properties([=[unit.test_hv]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_hv_nb201]=] "/work/main/build-nsga/test_hv_nb201")
set_tests_properties([=[unit.test_hv_nb201]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_nsga_engine]=] "/work/main/build-nsga/test_nsga_engine")
set_tests_properties([=[unit.test_nsga_engine]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_nsga_sort]=] "/work/main/build-nsga/test_nsga_sort")
set_tests_properties([=[unit.test_nsga_sort]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_pareto_archive]=] "/work/main/build-nsga/test_pareto_archive")
set_tests_properties([=[unit.test_pareto_archive]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_runfile_roundtrip]=] "/work/main/build-nsga/test_runfile_roundtrip")
set_tests_properties([=[unit.test_runfile_roundtrip]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_search_config]=] "/work/main/build-nsga/test_search_config")
set_tests_properties([=[unit.test_search_config]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_space]=] "/work/main/build-nsga/test_space")
set_tests_properties([=[unit.test_space]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_stats]=] "/work/main/build-nsga/test_stats")
set_tests_properties([=[unit.test_stats]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[unit.test_tokenizer]=] "/work/main/build-nsga/test_tokenizer")
set_tests_properties([=[unit.test_tokenizer]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_TESTS=/work/main/tests;OPENBLAS_NUM_THREADS=1;CMOCKA_MESSAGE_OUTPUT=stdout" TIMEOUT "600" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;137;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[e2e.test_slurm_harness]=] "bash" "/work/main/tests/e2e/test_slurm_harness.sh" "/work/main/build-nsga/hwnas")
set_tests_properties([=[e2e.test_slurm_harness]=] PROPERTIES  ENVIRONMENT "HWNAS_DATA=/work/main/data;HWNAS_SRC=/work/main;HWNAS_BUILD=/work/main/build-nsga;OPENBLAS_NUM_THREADS=1;OMPI_ALLOW_RUN_AS_ROOT=1;OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1;OMPI_MCA_rmaps_base_oversubscribe=1" TIMEOUT "1200" WORKING_DIRECTORY "/work/main/build-nsga" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;161;add_test;/work/main/CMakeLists.txt;0;")
