/*
 * The Windows API as the bridge's *_win32.c files include it: Windows 8 or later
 * (GetCurrentThreadStackLimits, WaitOnAddress), without the rarely used parts. Only those
 * files include it; os.h never does (windows.h defines `near`, `far`, `min`, `max`...).
 */
#ifndef CLOSURE_FFI_WIN32_API_H
#define CLOSURE_FFI_WIN32_API_H
#if !defined(_WIN32_WINNT) || _WIN32_WINNT < 0x0602
#undef _WIN32_WINNT
#define _WIN32_WINNT 0x0602
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#endif
