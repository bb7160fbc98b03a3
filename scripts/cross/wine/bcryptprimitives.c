/*
 * bcryptprimitives.dll for Wine versions that lack it (Wine 8, Debian 12): Go programs since
 * Go 1.22, esbuild among them, ask it for ProcessPrng at start-up and stop when it is
 * missing. Same contract as Windows': fills the buffer with random bytes, always TRUE.
 * Put beside the program (the DLL search looks there first). Built by lib-wine.sh:
 *   x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -lbcrypt
 */
#include <windows.h>
#include <bcrypt.h>

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
  while (len > 0) {
    ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
    if (BCryptGenRandom(NULL, data, chunk, BCRYPT_USE_SYSTEM_PREFERRED_RNG) != 0) ExitProcess(3);
    data += chunk;
    len -= chunk;
  }
  return TRUE;
}
