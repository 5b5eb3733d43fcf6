# Empty compiler generated dependencies file for hwnas.
# This may be replaced when dependencies are built.
