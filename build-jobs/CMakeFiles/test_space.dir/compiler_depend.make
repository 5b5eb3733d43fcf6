# Empty compiler generated dependencies file for test_space.
# This may be replaced when dependencies are built.
