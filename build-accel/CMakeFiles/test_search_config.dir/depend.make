# Empty dependencies file for test_search_config.
# This may be replaced when dependencies are built.
