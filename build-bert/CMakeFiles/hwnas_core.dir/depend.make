# Empty dependencies file for hwnas_core.
# This may be replaced when dependencies are built.
