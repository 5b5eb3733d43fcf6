# Empty dependencies file for test_pareto_archive.
# This may be replaced when dependencies are built.
