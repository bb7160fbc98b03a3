/*
 * Executable memory on Windows (os.h). Dual: a pagefile-backed section (CreateFileMapping
 * on INVALID_HANDLE_VALUE) mapped twice, a PAGE_READWRITE view and a PAGE_EXECUTE_READ view.
 * The section object itself is created with PAGE_EXECUTE_READWRITE, the most a view of it
 * may ask for (a section created PAGE_READWRITE cannot be mapped executable at all); no
 * view, and so no page, is ever writable and executable. Single (fallback): VirtualAlloc
 * PAGE_READWRITE, flipped to PAGE_EXECUTE_READ by VirtualProtect.
 */
#include "win32_api.h"
#include "os.h"
#include <stdio.h>
#include <stdlib.h>

#define REL32_REACH ((uint64_t)1 << 31)

static int within_reach(uintptr_t a, uintptr_t target, size_t size) {
  uint64_t d = a < target ? target - a : a + size - target;
  return d < REL32_REACH;
}

static uintptr_t granularity(void) {
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  return si.dwAllocationGranularity; /* where views and allocations may start: 64 KiB */
}

static void describe_error(char *why, size_t why_size, const char *what) {
  DWORD code = GetLastError();
  char text[160];
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, text, sizeof text, NULL);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '.')) text[--n] = 0;
  if (n == 0) snprintf(text, sizeof text, "error %lu", (unsigned long)code);
  snprintf(why, why_size, "%s failed: %s", what, text);
}

/* Maps at one address: a view of `section`, or (section NULL) a VirtualAlloc'ed block; NULL if refused. */
typedef struct mapper {
  HANDLE section;
  DWORD access;  /* FILE_MAP_* for a view, PAGE_* for VirtualAlloc */
  size_t size;
} mapper;

static void *map_at(const mapper *m, uintptr_t at) {
  if (m->section) return MapViewOfFileEx(m->section, m->access, 0, 0, m->size, (void *)at);
  return VirtualAlloc((void *)at, m->size, MEM_RESERVE | MEM_COMMIT, m->access);
}

/*
 * Maps within +-2 GiB of `target` when target != 0: walks the free regions of the address
 * space (VirtualQuery) upward, then downward, from `target`, and maps at the first
 * allocation-granularity address where the block fits.
 */
static void *map_near(const mapper *m, uintptr_t target) {
  if (!target) return map_at(m, 0);
  uintptr_t gran = granularity(), size = m->size;
  MEMORY_BASIC_INFORMATION mbi;
  for (uintptr_t a = (target + gran - 1) & ~(gran - 1); within_reach(a, target, size);) {
    if (!VirtualQuery((void *)a, &mbi, sizeof mbi)) break;
    uintptr_t end = (uintptr_t)mbi.BaseAddress + mbi.RegionSize;
    if (mbi.State == MEM_FREE && a + size <= end) {
      void *p = map_at(m, a);
      if (p) return p;
      a += gran;
    } else {
      uintptr_t next = (end + gran - 1) & ~(gran - 1);
      a = next > a ? next : a + gran;
    }
  }
  for (uintptr_t a = target & ~(gran - 1); a > size;) {
    uintptr_t start = (a - size) & ~(gran - 1);
    if (!within_reach(start, target, size) || !VirtualQuery((void *)start, &mbi, sizeof mbi)) break;
    uintptr_t next;
    if (mbi.State == MEM_FREE && (uintptr_t)mbi.BaseAddress + mbi.RegionSize >= start + size) {
      void *p = map_at(m, start);
      if (p) return p;
      next = start;
    } else if (mbi.State == MEM_FREE) {
      next = (uintptr_t)mbi.BaseAddress + mbi.RegionSize; /* something is in the way above start: go below it */
    } else {
      next = (uintptr_t)mbi.AllocationBase & ~(gran - 1); /* below the allocation that holds start */
    }
    a = next < a ? next : a - gran;
  }
  return NULL;
}

int cffi_os_jit_map_dual(size_t size, uintptr_t hint, void **rw_out, void **rx_out) {
  HANDLE section = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_EXECUTE_READWRITE | SEC_COMMIT,
                                      (DWORD)((uint64_t)size >> 32), (DWORD)size, NULL);
  if (!section) return 0;
  void *rw = MapViewOfFile(section, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, size);
  mapper rx_view = {section, FILE_MAP_READ | FILE_MAP_EXECUTE, size};
  void *rx = rw ? map_near(&rx_view, hint) : NULL;
  CloseHandle(section); /* the views keep the memory alive */
  if (!rx) {
    if (rw) UnmapViewOfFile(rw);
    return 0;
  }
  *rw_out = rw;
  *rx_out = rx;
  return 1;
}

void *cffi_os_jit_map_single(size_t size, uintptr_t hint, char *why, size_t why_size) {
  mapper block = {NULL, PAGE_READWRITE, size};
  void *p = map_near(&block, hint);
  if (!p) describe_error(why, why_size, "VirtualAlloc");
  return p;
}

void cffi_os_jit_unmap(void *rx, void *rw, size_t size) {
  if (rx == rw) {
    VirtualFree(rx, 0, MEM_RELEASE);
    return;
  }
  UnmapViewOfFile(rx);
  UnmapViewOfFile(rw);
}

/*
 * A view keeps the access it was mapped with: the RX view of a dual mapping can never be
 * made writable (that would take mapping it PAGE_EXECUTE_READWRITE first), so code in it is
 * written through its RW view; only single mappings (and memory of one's own) flip.
 */
int cffi_os_jit_protect(void *start, size_t size, int executable, char *why, size_t why_size) {
  DWORD old;
  if (VirtualProtect(start, size, executable ? PAGE_EXECUTE_READ : PAGE_READWRITE, &old)) return 1;
  MEMORY_BASIC_INFORMATION mbi;
  if (!executable && VirtualQuery(start, &mbi, sizeof mbi) && mbi.Type == MEM_MAPPED && (mbi.AllocationProtect & 0xf0)) {
    snprintf(why, why_size, "the executable view of a dual mapping cannot be made writable on Windows (a view keeps the "
             "access it was mapped with); write its code through the RW view (jitAlloc().rw)");
    return 0;
  }
  describe_error(why, why_size, executable ? "VirtualProtect(PAGE_EXECUTE_READ)" : "VirtualProtect(PAGE_READWRITE)");
  return 0;
}

/* Windows asks code generators to call this after writing code, whatever the CPU. */
void cffi_os_flush_icache(void *rx, size_t size) { FlushInstructionCache(GetCurrentProcess(), rx, size); }

const int cffi_os_unwind_tables = 1;

/*
 * One RUNTIME_FUNCTION per stub, allocated here and kept for good: RtlAddFunctionTable
 * keeps a pointer to the table, and stubs are never freed. The unwinder finds the entry by
 * the address being unwound, from any thread, once this returns.
 */
int cffi_os_add_unwind_info(void *base, uint32_t begin, uint32_t end, uint32_t unwind_at, char *why, size_t why_size) {
  RUNTIME_FUNCTION *entry = (RUNTIME_FUNCTION *)malloc(sizeof *entry);
  if (!entry) {
    snprintf(why, why_size, "out of memory");
    return 0;
  }
  entry->BeginAddress = begin;
  entry->EndAddress = end;
  entry->UnwindData = unwind_at;
  if (RtlAddFunctionTable(entry, 1, (DWORD64)(uintptr_t)base)) return 1;
  free(entry);
  snprintf(why, why_size, "RtlAddFunctionTable refused the table");
  return 0;
}
