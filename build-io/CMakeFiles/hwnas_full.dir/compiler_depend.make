# Empty compiler generated dependencies file for hwnas_full.
# This may be replaced when dependencies are built.
