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
        # Windows: the OS layer's Win32 files (native/os.h). Written for MSVC (node-gyp with
        # Visual Studio; .asm is assembled by MASM) and built here with mingw-w64 by
        # scripts/cross/targets/win32-x64.sh, which reads these same lists and assembles the
        # .S of the same name instead of the .asm.
        ["OS=='win'", {
          "sources": [
            "native/os_win32.c",
            "native/jit_memory_win32.c",
            "native/library_win32.c",
            "native/foreign_stack_win64.asm"
          ],
          "defines": ["WIN32_LEAN_AND_MEAN", "_CRT_SECURE_NO_WARNINGS", "__USE_MINGW_ANSI_STDIO=1"],
          "libraries": ["-lsynchronization"],
          "msvs_settings": {
            "VCCLCompilerTool": { "AdditionalOptions": ["/std:c11"] }
          }
        }, {
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
