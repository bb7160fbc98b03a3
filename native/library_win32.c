/*
 * Libraries on Windows (os.h): LoadLibraryExW, GetProcAddress, FreeLibrary.
 *
 * loadLibrary() without a path is the running program: its handle is the main module's
 * (GetModuleHandle(NULL)), and a symbol is looked up there first, then in the C runtime
 * (ucrtbase.dll, then msvcrt.dll), so `loadLibrary().symbol('qsort')` finds what it finds on
 * Linux. The options map onto Windows as far as it has them:
 *  - deep: what Windows always does (a DLL's imports name the DLL they come from, and its
 *    own calls never go elsewhere): accepted;
 *  - nodelete: the module is pinned (GetModuleHandleEx with GET_MODULE_HANDLE_EX_FLAG_PIN);
 *  - global, lazy: Windows has no global symbol namespace and binds imports at load:
 *    refused (ERR_UNSUPPORTED_PLATFORM), never silently dropped.
 */
#include "win32_api.h"
#include "os.h"
#include <stdio.h>
#include <stdlib.h>
#include <wchar.h>

static void describe_error(char *why, size_t why_size, DWORD code, const char *path) {
  char text[300];
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, text, sizeof text, NULL);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' ' || text[n - 1] == '.')) text[--n] = 0;
  if (n == 0) snprintf(text, sizeof text, "Windows error %lu", (unsigned long)code);
  snprintf(why, why_size, "%s: %s (error %lu)", path, text, (unsigned long)code);
}

/* `s` (UTF-8) as a malloc'ed UTF-16 path with backslashes (LoadLibrary wants them); NULL if not valid UTF-8. */
static wchar_t *wide_path(const char *s) {
  int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, NULL, 0);
  if (n <= 0) return NULL;
  wchar_t *w = malloc((size_t)n * sizeof *w);
  if (!w) return NULL;
  MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
  for (wchar_t *p = w; *p; p++)
    if (*p == L'/') *p = L'\\';
  return w;
}

void *cffi_os_lib_open(const char *path, uint32_t opts, char *why, size_t why_size, int *unsupported) {
  if (opts & (CFFI_LIB_GLOBAL | CFFI_LIB_LAZY)) {
    snprintf(why, why_size, "%s",
             opts & CFFI_LIB_GLOBAL
                 ? "Windows has no global symbol namespace (RTLD_GLOBAL, option 'global'): a DLL's imports always name the DLL they come from"
                 : "Windows binds a DLL's imports when it loads it; there is no RTLD_LAZY (option 'lazy')");
    *unsupported = 1;
    return NULL;
  }
  HMODULE h;
  if (!path) {
    h = GetModuleHandleW(NULL);
  } else {
    wchar_t *w = wide_path(path);
    if (!w) {
      snprintf(why, why_size, "%s: the path is not valid UTF-8", path);
      return NULL;
    }
    /* A path with a directory: its own directory is searched for the DLL's dependencies too. */
    DWORD flags = wcschr(w, L'\\') ? LOAD_WITH_ALTERED_SEARCH_PATH : 0;
    UINT mode = SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOOPENFILEERRORBOX); /* no message box for a bad DLL */
    h = LoadLibraryExW(w, NULL, flags);
    DWORD err = GetLastError();
    SetErrorMode(mode);
    free(w);
    if (!h) {
      describe_error(why, why_size, err, path);
      return NULL;
    }
  }
  if (opts & CFFI_LIB_NODELETE) {
    HMODULE pinned;
    if (!GetModuleHandleExW(GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS | GET_MODULE_HANDLE_EX_FLAG_PIN, (LPCWSTR)h, &pinned)) {
      describe_error(why, why_size, GetLastError(), path ? path : "the main module");
      if (path) FreeLibrary(h);
      return NULL;
    }
  }
  return h;
}

/* The C runtime, searched after the main module (loaded on first use, kept for the life of the process). */
static HMODULE crt[2];

static BOOL CALLBACK load_crt(PINIT_ONCE once, PVOID param, PVOID *ctx) {
  crt[0] = LoadLibraryW(L"ucrtbase.dll");
  crt[1] = LoadLibraryW(L"msvcrt.dll");
  return TRUE;
}

void *cffi_os_lib_symbol(void *handle, const char *name) {
  HMODULE main_module = GetModuleHandleW(NULL);
  HMODULE h = handle ? (HMODULE)handle : main_module;
  FARPROC p = GetProcAddress(h, name);
  if (p || h != main_module) return (void *)(uintptr_t)p;
  static INIT_ONCE once = INIT_ONCE_STATIC_INIT;
  InitOnceExecuteOnce(&once, load_crt, NULL, NULL);
  for (int i = 0; i < 2 && !p; i++)
    if (crt[i]) p = GetProcAddress(crt[i], name);
  return (void *)(uintptr_t)p;
}

void cffi_os_lib_close(void *handle) {
  if (handle && (HMODULE)handle != GetModuleHandleW(NULL)) FreeLibrary((HMODULE)handle);
}
