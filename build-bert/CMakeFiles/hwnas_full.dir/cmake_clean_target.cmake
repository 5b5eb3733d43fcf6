file(REMOVE_RECURSE
  "libhwnas_full.a"
)
