{
  "targets": [
    {
      "target_name": "closure_ffi",
      "sources": [
        "native/bridge.c",
        "native/jit_memory.c",
        "native/raw_memory.c",
        "native/library.c",
        "native/enter.c",
        "native/foreign_stack.c",
        "native/sync_calls.c",
        "native/jumps.c",
        "native/js_entry.c",
        "native/js_wake.c",
        "native/reports.c"
      ],
      "cflags": ["-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-fvisibility=hidden"],
      "cflags_c": ["-std=gnu11"],
      "conditions": [
        ["OS!='win'", {
          "sources": [
            "native/os_posix.c",
            "native/jit_memory_posix.c",
            "native/library_posix.c"
          ],
          "libraries": ["-ldl", "-lpthread"]
        }]
      ]
    }
  ]
}
