{
  "targets": [
    {
      "target_name": "closure_ffi_v8",
      "sources": ["accelerator.cc"],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"]
    }
  ]
}
