/*
 * The memory map of a Windows process, for test/support/process-maps.ts (the Windows
 * counterpart of reading /proc/self/maps; built into a DLL with the mingw-w64 compiler).
 * It walks the address space with VirtualQuery and reports each committed region: its
 * bounds, what its current protection allows, and what backs it.
 */
#include <windows.h>
#include <stdint.h>

/* Bits of a region's info word. */
#define MAP_R 1u
#define MAP_W 2u
#define MAP_X 4u
#define MAP_GUARD 8u       /* PAGE_GUARD: the first access faults (a thread's stack guard) */
#define MAP_IMAGE 16u      /* MEM_IMAGE: part of a loaded executable or DLL */
#define MAP_MAPPED 32u     /* MEM_MAPPED: a view of a section (file or pagefile backed) */
#define MAP_PRIVATE 64u    /* MEM_PRIVATE: VirtualAlloc'ed */

/* r/w/x of a PAGE_* protection; copy-on-write counts as writable (a write succeeds). */
static unsigned perms_of(DWORD protect) {
  unsigned guard = (protect & PAGE_GUARD) ? MAP_GUARD : 0;
  switch (protect & 0xff) {
    case PAGE_READONLY: return guard | MAP_R;
    case PAGE_READWRITE: return guard | MAP_R | MAP_W;
    case PAGE_WRITECOPY: return guard | MAP_R | MAP_W;
    case PAGE_EXECUTE: return guard | MAP_X;
    case PAGE_EXECUTE_READ: return guard | MAP_R | MAP_X;
    case PAGE_EXECUTE_READWRITE: return guard | MAP_R | MAP_W | MAP_X;
    case PAGE_EXECUTE_WRITECOPY: return guard | MAP_R | MAP_W | MAP_X;
    default: return guard; /* PAGE_NOACCESS */
  }
}

/*
 * Writes up to `max` committed regions, lowest address first, as four words each: start,
 * end (exclusive), info (MAP_* bits in the low half, the PAGE_* protection in the high
 * half) and the allocation base (a module's handle for an image region). Returns how many committed regions there are, which may be more than
 * `max`: call again with room for them.
 */
__declspec(dllexport) int process_maps(uint64_t *out, int max) {
  MEMORY_BASIC_INFORMATION mbi;
  int n = 0;
  for (uintptr_t at = 0; VirtualQuery((void *)at, &mbi, sizeof mbi) == sizeof mbi;) {
    uintptr_t lo = (uintptr_t)mbi.BaseAddress, hi = lo + mbi.RegionSize;
    if (mbi.State == MEM_COMMIT) {
      if (n < max) {
        unsigned type = mbi.Type == MEM_IMAGE ? MAP_IMAGE : mbi.Type == MEM_MAPPED ? MAP_MAPPED : MAP_PRIVATE;
        out[4 * n] = lo;
        out[4 * n + 1] = hi;
        out[4 * n + 2] = (uint64_t)mbi.Protect << 32 | perms_of(mbi.Protect) | type;
        out[4 * n + 3] = (uintptr_t)mbi.AllocationBase;
      }
      n++;
    }
    if (hi <= at) break; /* the top of the address space */
    at = hi;
  }
  return n;
}

/* The file of the module loaded at `base` (UTF-8, NUL-terminated) into buf; its length, or 0 if none. */
__declspec(dllexport) int module_file(uint64_t base, char *buf, int size) {
  WCHAR wide[MAX_PATH * 2];
  DWORD n = GetModuleFileNameW((HMODULE)(uintptr_t)base, wide, sizeof wide / sizeof wide[0]);
  if (n == 0 || n >= sizeof wide / sizeof wide[0]) return 0;
  int len = WideCharToMultiByte(CP_UTF8, 0, wide, (int)n, buf, size - 1, NULL, NULL);
  if (len <= 0) return 0;
  buf[len] = 0;
  return len;
}
