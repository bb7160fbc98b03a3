/* Libraries on Linux (os.h): dlopen, dlsym, dlclose. */
#define _GNU_SOURCE
#include "os.h"
#include <dlfcn.h>
#include <stdio.h>

/*
 * RTLD_* flags for option bits `opts`, or -1 with *missing naming the first flag unavailable.
 * The RTLD_* values differ between C libraries, so they are translated here; a flag this C
 * library lacks is an error, never silently dropped.
 */
static int dlopen_mode(uint32_t opts, const char **missing) {
  int mode = (opts & CFFI_LIB_LAZY) ? RTLD_LAZY : RTLD_NOW;
  mode |= (opts & CFFI_LIB_GLOBAL) ? RTLD_GLOBAL : RTLD_LOCAL;
  if (opts & CFFI_LIB_DEEP) {
#ifdef RTLD_DEEPBIND
    mode |= RTLD_DEEPBIND;
#else
    *missing = "RTLD_DEEPBIND (option 'deep')";
    return -1;
#endif
  }
  if (opts & CFFI_LIB_NODELETE) {
#ifdef RTLD_NODELETE
    mode |= RTLD_NODELETE;
#else
    *missing = "RTLD_NODELETE (option 'nodelete')";
    return -1;
#endif
  }
  return mode;
}

void *cffi_os_lib_open(const char *path, uint32_t opts, char *why, size_t why_size, int *unsupported) {
  const char *missing = NULL;
  int mode = dlopen_mode(opts, &missing);
  if (mode < 0) {
    snprintf(why, why_size, "this C library has no %s", missing);
    *unsupported = 1;
    return NULL;
  }
  void *h = dlopen(path, mode);
  if (!h) snprintf(why, why_size, "%s", dlerror());
  return h;
}

void *cffi_os_lib_symbol(void *handle, const char *name) {
  dlerror();
  return dlsym(handle ? handle : RTLD_DEFAULT, name);
}

void cffi_os_lib_close(void *handle) {
  if (handle) dlclose(handle);
}
