file(REMOVE_RECURSE
  "libhwnas_core.a"
)
