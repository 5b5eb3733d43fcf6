# Empty compiler generated dependencies file for test_nsga_sort.
# This may be replaced when dependencies are built.
