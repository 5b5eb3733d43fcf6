# Empty compiler generated dependencies file for test_hv.
# This may be replaced when dependencies are built.
