/*
 * The C compiler as a Windows program, for Windows programs under Wine (scripts/cross/wine/):
 * Windows Node cannot start a Linux program (libuv gives a child process a job object,
 * which a Linux process under Wine does not have), so $CC inside a Wine run is this proxy,
 * which hands its command line and working directory to the runner's compile server
 * (cc-server.js, a host Node on 127.0.0.1) and replays the compiler's output and exit
 * status. The server turns Windows paths (C:\..., Z:\...) back into Linux paths.
 *
 * Request:  token NUL cwd NUL argc NUL arg1 NUL ... argN NUL      (UTF-8; argv[0] left out)
 * Response: status NUL stdout-length NUL stdout stderr-length NUL stderr
 * Environment: CLOSURE_FFI_CROSS_CC_PORT, CLOSURE_FFI_CROSS_CC_TOKEN (set by wine-node.sh).
 * Built by the runner: x86_64-w64-mingw32-gcc -O2 -municode -o ... cc-proxy.c -lws2_32
 */
#include <winsock2.h>
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *buf;
static size_t len, cap;

static void put(const char *s, size_t n) {
  if (len + n > cap) {
    cap = (len + n) * 2 + 4096;
    buf = realloc(buf, cap);
    if (!buf) exit(127);
  }
  memcpy(buf + len, s, n);
  len += n;
}

static void put_str(const char *s) { put(s, strlen(s) + 1); }

static void put_wide(const wchar_t *w) {
  int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
  char *s = malloc(n > 0 ? (size_t)n : 1);
  if (!s) exit(127);
  if (n <= 0) s[0] = 0;
  else WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
  put_str(s);
  free(s);
}

static void fail(const char *msg) {
  DWORD w;
  const char *pre = "cc-proxy (closure-ffi cross runner): ";
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), pre, (DWORD)strlen(pre), &w, NULL);
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), msg, (DWORD)strlen(msg), &w, NULL);
  WriteFile(GetStdHandle(STD_ERROR_HANDLE), "\n", 1, &w, NULL);
  exit(127);
}

static void write_all(HANDLE h, const char *p, size_t n) {
  while (n > 0) {
    DWORD w = 0;
    if (!WriteFile(h, p, n > 65536 ? 65536 : (DWORD)n, &w, NULL) || w == 0) return;
    p += w;
    n -= w;
  }
}

/* Parses "digits NUL" at *p; advances past the NUL. */
static size_t number(const char **p, const char *end) {
  size_t v = 0;
  while (*p < end && **p >= '0' && **p <= '9') v = v * 10 + (size_t)(*(*p)++ - '0');
  if (*p >= end || **p != 0) fail("bad reply from the compile server");
  (*p)++;
  return v;
}

int wmain(int argc, wchar_t **argv) {
  const char *port = getenv("CLOSURE_FFI_CROSS_CC_PORT"), *token = getenv("CLOSURE_FFI_CROSS_CC_TOKEN");
  if (!port || !token) fail("no compile server (CLOSURE_FFI_CROSS_CC_PORT is not set): run under scripts/cross/run.sh");
  put_str(token);
  wchar_t cwd[MAX_PATH * 4];
  DWORD n = GetCurrentDirectoryW(sizeof cwd / sizeof cwd[0], cwd);
  if (n == 0 || n >= sizeof cwd / sizeof cwd[0]) fail("cannot read the current directory");
  put_wide(cwd);
  char count[16];
  snprintf(count, sizeof count, "%d", argc - 1);
  put_str(count);
  for (int i = 1; i < argc; i++) put_wide(argv[i]);

  WSADATA wsa;
  if (WSAStartup(MAKEWORD(2, 2), &wsa) != 0) fail("WSAStartup failed");
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  struct sockaddr_in addr;
  memset(&addr, 0, sizeof addr);
  addr.sin_family = AF_INET;
  addr.sin_port = htons((u_short)atoi(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s == INVALID_SOCKET || connect(s, (struct sockaddr *)&addr, sizeof addr) != 0)
    fail("cannot reach the compile server (has its run ended?)");
  for (size_t off = 0; off < len;) {
    int w = send(s, buf + off, (int)(len - off > 65536 ? 65536 : len - off), 0);
    if (w <= 0) fail("lost the compile server while sending");
    off += (size_t)w;
  }
  shutdown(s, SD_SEND);
  len = 0;
  char chunk[65536];
  for (;;) {
    int r = recv(s, chunk, sizeof chunk, 0);
    if (r < 0) fail("lost the compile server while receiving");
    if (r == 0) break;
    put(chunk, (size_t)r);
  }
  closesocket(s);
  const char *p = buf, *end = buf + len;
  if (len == 0) fail("the compile server closed the connection without a reply");
  int status = (int)number(&p, end);
  size_t out = number(&p, end);
  if ((size_t)(end - p) < out) fail("short reply from the compile server");
  write_all(GetStdHandle(STD_OUTPUT_HANDLE), p, out);
  p += out;
  size_t err = number(&p, end);
  if ((size_t)(end - p) < err) fail("short reply from the compile server");
  write_all(GetStdHandle(STD_ERROR_HANDLE), p, err);
  return status;
}
