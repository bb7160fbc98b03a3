/*
 * Executable memory on Linux (os.h): one memfd mapped twice, RW and RX; the fallback is one
 * anonymous mapping flipped RW -> RX with mprotect.
 */
#define _GNU_SOURCE
#include "os.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define REL32_REACH ((uint64_t)1 << 31)

static int within_reach(uintptr_t a, uintptr_t near, size_t size) {
  uint64_t lo = a < near ? near - a : a + size - near;
  return lo < REL32_REACH;
}

/*
 * Maps `size` bytes (PROT prot, from fd or anonymous) within +-2 GiB of `near`
 * when near != 0: the kernel takes an address hint when that range is free, so
 * try hints stepping away from `near` in both directions.
 */
static void *map_near(uintptr_t near, size_t size, int prot, int flags, int fd) {
  if (!near) return mmap(NULL, size, prot, flags, fd, 0);
  const uintptr_t step = 16u << 20;
  for (uintptr_t d = step; d < REL32_REACH - size; d += step) {
    for (int dir = -1; dir <= 1; dir += 2) {
      uintptr_t hint = dir < 0 ? (near > d ? near - d : 0) : near + d;
      if (!hint) continue;
      hint &= ~(uintptr_t)0xffff;
      void *p = mmap((void *)hint, size, prot, flags | MAP_FIXED_NOREPLACE, fd, 0);
      if (p == MAP_FAILED) continue;
      if (within_reach((uintptr_t)p, near, size)) return p;
      munmap(p, size); /* old kernels ignore MAP_FIXED_NOREPLACE and may map elsewhere */
    }
  }
  return MAP_FAILED;
}

int cffi_os_jit_map_dual(size_t size, uintptr_t near, void **rw_out, void **rx_out) {
  int fd = memfd_create("closure-ffi-jit", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (ftruncate(fd, (off_t)size) != 0) { close(fd); return 0; }
  void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  if (rw == MAP_FAILED) { close(fd); return 0; }
  void *rx = map_near(near, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd);
  close(fd); /* the mappings keep the memory alive */
  if (rx == MAP_FAILED) { munmap(rw, size); return 0; }
  *rw_out = rw;
  *rx_out = rx;
  return 1;
}

void *cffi_os_jit_map_single(size_t size, uintptr_t near, char *why, size_t why_size) {
  void *p = map_near(near, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1);
  if (p != MAP_FAILED) return p;
  snprintf(why, why_size, "%s", strerror(errno));
  return NULL;
}

void cffi_os_jit_unmap(void *rx, void *rw, size_t size) {
  munmap(rx, size);
  if (rw != rx) munmap(rw, size);
}

int cffi_os_jit_protect(void *start, size_t size, int executable, char *why, size_t why_size) {
  if (mprotect(start, size, executable ? PROT_READ | PROT_EXEC : PROT_READ | PROT_WRITE) == 0) return 1;
  snprintf(why, why_size, "mprotect(%s) failed: %s", executable ? "rx" : "rw", strerror(errno));
  return 0;
}

/* On AArch64 __builtin___clear_cache cleans the data cache (dc cvau) and invalidates the
   instruction cache (ic ivau) by virtual address; on x86-64 it is a no-op. */
void cffi_os_flush_icache(void *rx, size_t size) {
  char *p = rx;
  __builtin___clear_cache(p, p + size);
}

/* ELF platforms unwind generated code without registered tables (the stubs are leaves to
   them, or frame-pointer walks), so the stubs bring none. */
const int cffi_os_unwind_tables = 0;

int cffi_os_add_unwind_info(void *base, uint32_t begin, uint32_t end, uint32_t unwind_at, char *why, size_t why_size) {
  snprintf(why, why_size, "this OS takes no unwind tables for generated code");
  return 0;
}
