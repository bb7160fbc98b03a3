// The C signature layer: prototype parser, type names, typedef registry, descriptors and
// data models. The big table is real callback prototypes from libc, SQLite, zlib, Win32,
// GLib, libcurl, Lua, ... each checked for its resolved kinds, convention and text.
import { test } from 'node:test';
import { Prng, runSeed } from './support/prng';
import assert from 'node:assert/strict';
import {
  ClosureFfiError, InvalidOptionError, SignatureSyntaxError, UnknownTypeError, UnsupportedConventionError,
  UnsupportedTypeError,
} from '../src/errors';
import {
  DATA_MODELS, TypeDefinitionError, cc, parsePrototype, resolveSignature, resolveType, types,
  type CallConvName, type Signature,
} from '../src/signature';

// ---- definitions the table uses (as a header would provide them) -----------------------------

// libc
types.define('VISIT', 'int');
types.define('siginfo_t', 'struct siginfo');
types.define('FILE', 'struct _IO_FILE');
// (va_list is built in: a parameter that JS sees as a VaList.)
// Win32
types.define('HWND', 'void *');
types.define('UINT', 'unsigned int');
types.define('UINT_PTR', 'uintptr_t');
types.define('WPARAM', 'UINT_PTR');
types.define('LPARAM', 'intptr_t');
types.define('LRESULT', 'intptr_t');
types.define('BOOL', 'int');
types.define('DWORD', 'uint32_t'); // 32-bit on Win32 (LLP64), whatever `long` is here
types.define('LPVOID', 'void *');
types.define('VOID', 'void');
types.define('LARGE_INTEGER', 'long long');
types.define('HANDLE', 'void *');
types.define('BOOLEAN', 'unsigned char');
types.defineConvention('CALLBACK', cc.Stdcall);
types.defineConvention('WINAPI', cc.Stdcall);
types.defineMacro('APIENTRY', 'WINAPI');
types.defineMacro('NTAPI', '__stdcall');
// SQLite
types.define('sqlite3', 'struct sqlite3');
types.define('sqlite3_context', 'struct sqlite3_context');
types.define('sqlite3_value', 'struct sqlite3_value');
types.define('sqlite3_int64', 'long long');
// zlib
types.define('voidpf', 'void *');
types.define('uInt', 'unsigned int');
types.define('uLong', 'unsigned long');
types.defineMacro('FAR', '');
types.defineMacro('z_const', 'const');
// GLib
types.define('gint', 'int');
types.define('gboolean', 'gint');
types.define('gpointer', 'void *');
types.define('gconstpointer', 'const void *');
types.define('GDestroyNotify', 'void (*)(gpointer)');
// others
types.define('lua_State', 'struct lua_State');
types.define('PyObject', 'struct _object');
types.define('uv_handle_t', 'struct uv_handle_s');
types.define('uv_buf_t', 'struct uv_buf_t');
types.define('X509_STORE_CTX', 'struct x509_store_ctx_st');
types.define('EFI_STATUS', 'uintptr_t');
types.define('EFI_HANDLE', 'void *');
types.define('EFI_SYSTEM_TABLE', 'struct EFI_SYSTEM_TABLE');
types.define('png_structp', 'struct png_struct_def *');
types.define('png_const_charp', 'const char *');

// ---- the table --------------------------------------------------------------------------

interface Row {
  src: string;
  ret: string;
  args: string[];
  cc?: CallConvName;
  variadic?: boolean;
  text?: string;
  names?: (string | undefined)[];
}

const P = 'pointer';
const ROWS: Row[] = [
  // libc
  { src: 'int compar(const void *, const void *)', ret: 'i32', args: [P, P], text: 'int (const void *, const void *)' },
  { src: 'int (const void *a, const void *b)', ret: 'i32', args: [P, P], text: 'int (const void *, const void *)', names: ['a', 'b'] },
  { src: 'int (*)(const void *, const void *)', ret: 'i32', args: [P, P], text: 'int (const void *, const void *)' },
  { src: 'int (*compar)(const void *, const void *, void *)', ret: 'i32', args: [P, P, P] },
  { src: 'int nftw_cb(const char *fpath, const struct stat *sb, int typeflag, struct FTW *ftwbuf)', ret: 'i32', args: [P, P, 'i32', P],
    text: 'int (const char *, const struct stat *, int, struct FTW *)', names: ['fpath', 'sb', 'typeflag', 'ftwbuf'] },
  { src: 'int (const char *fpath, const struct stat *sb, int typeflag)', ret: 'i32', args: [P, P, 'i32'] },
  { src: 'void (const void *nodep, VISIT which, int depth)', ret: 'void', args: [P, 'i32', 'i32'], text: 'void (const void *, VISIT, int)' },
  { src: 'void (*action)(const void *nodep, const VISIT which, const int depth)', ret: 'void', args: [P, 'i32', 'i32'], text: 'void (const void *, VISIT, int)' },
  { src: 'void (*sa_handler)(int)', ret: 'void', args: ['i32'], text: 'void (int)' },
  { src: 'void (*sa_sigaction)(int, siginfo_t *, void *)', ret: 'void', args: ['i32', P, P], text: 'void (int, siginfo_t *, void *)' },
  { src: 'void (*signal(int sig, void (*func)(int)))(int)', ret: P, args: ['i32', P], text: 'void (*(int, void (*)(int)))(int)' },
  { src: 'void (void)', ret: 'void', args: [], text: 'void (void)' },
  { src: 'void function(void);', ret: 'void', args: [], text: 'void (void)' },
  { src: 'void (*)()', ret: 'void', args: [], text: 'void (void)' },
  { src: 'void (int status, void *arg)', ret: 'void', args: ['i32', P] },
  { src: 'void *(*start_routine)(void *)', ret: P, args: [P], text: 'void *(void *)' },
  { src: 'void (*destructor)(void *)', ret: 'void', args: [P] },
  { src: 'int printf(const char *restrict format, ...)', ret: 'i32', args: [P], variadic: true, text: 'int (const char *, ...)' },
  { src: 'int fprintf(FILE *restrict stream, const char *restrict format, ...);', ret: 'i32', args: [P, P], variadic: true,
    text: 'int (FILE *, const char *, ...)' },
  { src: 'int vfprintf(FILE *stream, const char *format, va_list ap)', ret: 'i32', args: [P, P, P] },
  { src: 'int open(const char *pathname, int flags, ...)', ret: 'i32', args: [P, 'i32'], variadic: true },
  { src: 'int (*filter)(const struct dirent *)', ret: 'i32', args: [P] },
  { src: 'int (*compar)(const struct dirent **, const struct dirent **)', ret: 'i32', args: [P, P],
    text: 'int (const struct dirent **, const struct dirent **)' },
  { src: 'int (*errfunc)(const char *epath, int eerrno)', ret: 'i32', args: [P, 'i32'] },
  { src: 'int callback(struct dl_phdr_info *info, size_t size, void *data)', ret: 'i32', args: [P, 'u64', P] },
  { src: 'ssize_t cookie_read(void *cookie, char *buf, size_t size)', ret: 'i64', args: [P, P, 'u64'], text: 'ssize_t (void *, char *, size_t)' },
  { src: 'int cookie_seek(void *cookie, off64_t *offset, int whence)', ret: 'i32', args: [P, P, 'i32'] },
  { src: 'int main(int argc, char *argv[], char **envp)', ret: 'i32', args: ['i32', P, P], text: 'int (int, char **, char **)' },
  { src: 'char *strncpy(char *restrict dst, const char src[restrict static 1], size_t n)', ret: P, args: [P, P, 'u64'] },
  { src: 'void *bsearch(const void *key, const void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *))',
    ret: P, args: [P, P, 'u64', 'u64', P], text: 'void *(const void *, const void *, size_t, size_t, int (*)(const void *, const void *))' },
  // SQLite
  { src: 'int (*)(void*,int,char**,char**)', ret: 'i32', args: [P, 'i32', P, P], text: 'int (void *, int, char **, char **)' },
  { src: 'void(*)(sqlite3_context*,int,sqlite3_value**)', ret: 'void', args: [P, 'i32', P], text: 'void (sqlite3_context *, int, sqlite3_value **)' },
  { src: 'void(*xFinal)(sqlite3_context*)', ret: 'void', args: [P] },
  { src: 'void(*xDestroy)(void*)', ret: 'void', args: [P] },
  { src: 'int(*xBusy)(void*,int)', ret: 'i32', args: [P, 'i32'] },
  { src: 'void(*xUpdate)(void *,int ,char const *,char const *,sqlite3_int64)', ret: 'void', args: [P, 'i32', P, P, 'i64'],
    text: 'void (void *, int, const char *, const char *, sqlite3_int64)' },
  { src: 'int(*xCompare)(void*,int,const void*,int,const void*)', ret: 'i32', args: [P, 'i32', P, 'i32', P] },
  { src: 'int(*xAuth)(void*,int,const char*,const char*,const char*,const char*)', ret: 'i32', args: [P, 'i32', P, P, P, P] },
  { src: 'int(*xCallback)(unsigned,void*,void*,void*)', ret: 'i32', args: ['u32', P, P, P], text: 'int (unsigned int, void *, void *, void *)' },
  { src: 'void(*xLog)(void*,int,const char*)', ret: 'void', args: [P, 'i32', P] },
  { src: 'int sqlite3_exec(sqlite3*, const char *sql, int (*callback)(void*,int,char**,char**), void *, char **errmsg)',
    ret: 'i32', args: [P, P, P, P, P] },
  // zlib
  { src: 'voidpf (voidpf opaque, uInt items, uInt size)', ret: P, args: [P, 'u32', 'u32'], text: 'voidpf (voidpf, uInt, uInt)' },
  { src: 'void (*free_func)(voidpf opaque, voidpf address)', ret: 'void', args: [P, P] },
  { src: 'unsigned (*in_func)(void FAR *, z_const unsigned char FAR * FAR *)', ret: 'u32', args: [P, P],
    text: 'unsigned int (void *, const unsigned char **)' },
  { src: 'int (*out_func)(void FAR *, unsigned char FAR *, unsigned)', ret: 'i32', args: [P, P, 'u32'] },
  { src: 'uLong (*check_func)(uLong adler, const unsigned char FAR *buf, uInt len)', ret: 'u64', args: ['u64', P, 'u32'],
    text: 'uLong (uLong, const unsigned char *, uInt)' },
  // Win32
  { src: 'LRESULT __stdcall WindowProc(HWND hwnd, UINT uMsg, WPARAM wParam, LPARAM lParam)', ret: 'i64', args: [P, 'u32', 'u64', 'i64'],
    cc: 'Stdcall', text: 'LRESULT __stdcall (HWND, UINT, WPARAM, LPARAM)' },
  { src: 'LRESULT CALLBACK WindowProc(HWND, UINT, WPARAM, LPARAM)', ret: 'i64', args: [P, 'u32', 'u64', 'i64'], cc: 'Stdcall',
    text: 'LRESULT __stdcall (HWND, UINT, WPARAM, LPARAM)' },
  { src: 'BOOL CALLBACK EnumWindowsProc(HWND, LPARAM)', ret: 'i32', args: [P, 'i64'], cc: 'Stdcall', text: 'BOOL __stdcall (HWND, LPARAM)' },
  { src: 'DWORD WINAPI ThreadProc(LPVOID lpParameter)', ret: 'u32', args: [P], cc: 'Stdcall' },
  { src: 'VOID CALLBACK TimerProc(HWND, UINT, UINT_PTR, DWORD)', ret: 'void', args: [P, 'u32', 'u64', 'u32'], cc: 'Stdcall' },
  { src: 'BOOL WINAPI HandlerRoutine(DWORD dwCtrlType)', ret: 'i32', args: ['u32'], cc: 'Stdcall' },
  { src: 'LRESULT (CALLBACK *HOOKPROC)(int code, WPARAM wParam, LPARAM lParam)', ret: 'i64', args: ['i32', 'u64', 'i64'], cc: 'Stdcall' },
  { src: 'DWORD (APIENTRY *LPPROGRESS_ROUTINE)(LARGE_INTEGER, LARGE_INTEGER, LARGE_INTEGER, LARGE_INTEGER, DWORD, DWORD, HANDLE, HANDLE, LPVOID)',
    ret: 'u32', args: ['i64', 'i64', 'i64', 'i64', 'u32', 'u32', P, P, P], cc: 'Stdcall' },
  { src: 'VOID (NTAPI *WAITORTIMERCALLBACK)(LPVOID, BOOLEAN)', ret: 'void', args: [P, 'u8'], cc: 'Stdcall',
    text: 'VOID __stdcall (LPVOID, BOOLEAN)' },
  // GLib, libcurl, libuv, Lua, CPython, OpenSSL, libpng
  { src: 'gint (*GCompareFunc)(gconstpointer a, gconstpointer b)', ret: 'i32', args: [P, P] },
  { src: 'gboolean (*GSourceFunc)(gpointer user_data)', ret: 'i32', args: [P] },
  { src: 'void g_hash_table_new_full(GDestroyNotify key_destroy, GDestroyNotify value_destroy)', ret: 'void', args: [P, P],
    text: 'void (GDestroyNotify, GDestroyNotify)' },
  { src: 'size_t write_callback(char *ptr, size_t size, size_t nmemb, void *userdata)', ret: 'u64', args: [P, 'u64', 'u64', P] },
  { src: 'int (*curl_progress)(void *clientp, double dltotal, double dlnow, double ultotal, double ulnow)', ret: 'i32',
    args: [P, 'f64', 'f64', 'f64', 'f64'] },
  { src: 'void (*uv_close_cb)(uv_handle_t* handle)', ret: 'void', args: [P] },
  { src: 'void (*uv_alloc_cb)(uv_handle_t* handle, size_t suggested_size, uv_buf_t* buf)', ret: 'void', args: [P, 'u64', P] },
  { src: 'int (*lua_CFunction)(lua_State *L)', ret: 'i32', args: [P] },
  { src: 'void *(*lua_Alloc)(void *ud, void *ptr, size_t osize, size_t nsize)', ret: P, args: [P, P, 'u64', 'u64'] },
  { src: 'PyObject *(*PyCFunction)(PyObject *, PyObject *)', ret: P, args: [P, P], text: 'PyObject *(PyObject *, PyObject *)' },
  { src: 'int (*verify_callback)(int preverify_ok, X509_STORE_CTX *x509_ctx)', ret: 'i32', args: ['i32', P] },
  { src: 'void (*png_error_ptr)(png_structp, png_const_charp)', ret: 'void', args: [P, P] },
  // every integer spelling, bool, float, wide chars
  { src: 'unsigned long long int (long long int, long unsigned int, signed short int, short unsigned, char signed, int long, long int long)',
    ret: 'u64', args: ['i64', 'u64', 'i16', 'u16', 'i8', 'i64', 'i64'],
    text: 'unsigned long long (long long, unsigned long, short, unsigned short, signed char, long, long long)' },
  { src: 'char (signed, unsigned, signed char, unsigned char, short int, int, long, unsigned long)', ret: 'i8',
    args: ['i32', 'u32', 'i8', 'u8', 'i16', 'i32', 'i64', 'u64'],
    text: 'char (int, unsigned int, signed char, unsigned char, short, int, long, unsigned long)' },
  { src: 'int64_t (int8_t, uint8_t, int16_t, uint16_t, int32_t, uint32_t, uint64_t)', ret: 'i64',
    args: ['i8', 'u8', 'i16', 'u16', 'i32', 'u32', 'u64'] },
  { src: 'ptrdiff_t (size_t, ssize_t, intptr_t, uintptr_t, off_t, intmax_t, uintmax_t)', ret: 'i64',
    args: ['u64', 'i64', 'i64', 'u64', 'i64', 'i64', 'u64'] },
  { src: '_Bool (bool, float, double, wchar_t, char16_t, char32_t)', ret: 'bool', args: ['bool', 'f32', 'f64', 'i32', 'u16', 'u32'],
    text: 'bool (bool, float, double, wchar_t, char16_t, char32_t)' },
  { src: 'const volatile int (volatile const unsigned x, int const * const volatile * restrict p)', ret: 'i32', args: ['u32', P],
    text: 'const volatile int (unsigned int, const int *const volatile *)' },
  { src: 'enum color (enum color c, union value *v, struct node **out)', ret: 'i32', args: ['i32', P, P] },
  { src: 'int (int a[][3], char buf[16], int (*fns[4])(void))', ret: 'i32', args: [P, P, P], text: 'int (int (*)[3], char *, int (**)(void))' },
  { src: 'int (int f(int))', ret: 'i32', args: [P], text: 'int (int (*)(int))' },
  // calling conventions in every position
  { src: 'void __stdcall (int)', ret: 'void', args: ['i32'], cc: 'Stdcall', text: 'void __stdcall (int)' },
  { src: '__stdcall void (int)', ret: 'void', args: ['i32'], cc: 'Stdcall' },
  { src: 'void (__stdcall *)(int)', ret: 'void', args: ['i32'], cc: 'Stdcall' },
  { src: 'void (* __stdcall p)(int)', ret: 'void', args: ['i32'], cc: 'Stdcall' },
  { src: 'int __cdecl f(int)', ret: 'i32', args: ['i32'], cc: 'Cdecl' },
  { src: 'int __fastcall (int, int)', ret: 'i32', args: ['i32', 'i32'], cc: 'Fastcall' },
  { src: 'int __thiscall method(void *self, int x)', ret: 'i32', args: [P, 'i32'], cc: 'Thiscall' },
  { src: 'double __attribute__((sysv_abi)) (double)', ret: 'f64', args: ['f64'], cc: 'Sysv64', text: 'double __sysv_abi (double)' },
  { src: 'double __sysv_abi (double)', ret: 'f64', args: ['f64'], cc: 'Sysv64' },
  { src: 'int sysv64 (int)', ret: 'i32', args: ['i32'], cc: 'Sysv64' },
  { src: 'void (__attribute__((ms_abi)) *)(int, int, int, int, int)', ret: 'void', args: ['i32', 'i32', 'i32', 'i32', 'i32'], cc: 'Win64' },
  { src: 'void f(int) __attribute__((__ms_abi__))', ret: 'void', args: ['i32'], cc: 'Win64', text: 'void __ms_abi (int)' },
  { src: 'int __ms_abi (int)', ret: 'i32', args: ['i32'], cc: 'Win64' },
  { src: 'int win64 (int)', ret: 'i32', args: ['i32'], cc: 'Win64' },
  { src: 'int aapcs (int)', ret: 'i32', args: ['i32'], cc: 'Aapcs' },
  { src: '__attribute__((pcs("aapcs"))) float (float)', ret: 'f32', args: ['f32'], cc: 'Aapcs', text: 'float aapcs (float)' },
  { src: 'EFI_STATUS efiapi (EFI_HANDLE ImageHandle, EFI_SYSTEM_TABLE *SystemTable)', ret: 'u64', args: [P, P], cc: 'Efiapi' },
  { src: 'int __attribute__((stdcall, noinline)) __attribute__((unused)) (int)', ret: 'i32', args: ['i32'], cc: 'Stdcall' },
  { src: 'extern "C" int (int)', ret: 'i32', args: ['i32'], cc: 'C', text: 'extern "C" int (int)' },
  { src: 'extern "system" void (void)', ret: 'void', args: [], cc: 'System', text: 'extern "system" void (void)' },
  { src: 'extern "aapcs64" void (void)', ret: 'void', args: [], cc: 'Aapcs64' },
  { src: 'void (int (__stdcall *cb)(int), int)', ret: 'void', args: [P, 'i32'], cc: undefined, text: 'void (int (__stdcall *)(int), int)' },
  // header noise: comments, newlines, storage classes, typedef, attributes, nullability
  { src: 'extern int atexit(void (*function)(void)) __attribute__((nothrow));', ret: 'i32', args: [P], text: 'int (void (*)(void))' },
  { src: 'typedef int (*__compar_fn_t) (const void *, const void *);', ret: 'i32', args: [P, P] },
  { src: 'static inline int f(register int x, int y __attribute__((unused)))', ret: 'i32', args: ['i32', 'i32'] },
  { src: 'int /* result */ (\n  const char * _Nonnull name, /* the name */\n  int flags // bits\n)', ret: 'i32', args: [P, 'i32'] },
];

function kindsOf(sig: Signature): { ret: string; args: string[] } {
  return { ret: sig.ret.kind, args: sig.args.map((a) => a.kind) };
}

// The table's kinds are x86-64 Linux's (plain char is signed there), on any host; the data
// model test below covers what differs on other CPUs.
test(`signature table: ${ROWS.length} real prototypes`, () => {
  assert.ok(ROWS.length >= 60);
  for (const row of ROWS) {
    let sig: Signature;
    try {
      sig = resolveSignature(row.src, 'lp64-x64');
    } catch (e) {
      assert.fail(`${row.src}: ${String(e)}`);
    }
    assert.deepEqual(kindsOf(sig), { ret: row.ret, args: row.args }, row.src);
    assert.equal(sig.cc, row.cc, `cc of ${row.src}`);
    assert.equal(sig.variadic, row.variadic ?? false, `variadic of ${row.src}`);
    if (row.text !== undefined) assert.equal(sig.text, row.text, `text of ${row.src}`);
    if (row.names !== undefined) assert.deepEqual(sig.argNames, row.names, `names of ${row.src}`);
    assert.equal(sig.argNames.length, sig.args.length);
    // the canonical text parses back to the same signature
    const again = parsePrototype(sig.text, 'lp64-x64');
    assert.equal(again.text, sig.text, `round trip of ${row.src}`);
    assert.deepEqual(kindsOf(again), kindsOf(sig), `round trip kinds of ${row.src}`);
    assert.equal(again.cc, sig.cc);
    assert.equal(again.variadic, sig.variadic);
  }
});

// ---- malformed input --------------------------------------------------------------------

interface Bad {
  src: string;
  error: new (...args: never[]) => ClosureFfiError;
  token?: string;
  column?: number;
  /** For errors without token/column fields: a piece of the message. */
  mentions?: string;
}

const END = 'end of input';
const BAD: Bad[] = [
  { src: '', error: SignatureSyntaxError, token: END, column: 1, mentions: 'empty signature' },
  { src: '   ', error: SignatureSyntaxError, token: END, column: 4, mentions: 'empty signature' },
  { src: 'int (int', error: SignatureSyntaxError, token: END, column: 9, mentions: "missing ')'" },
  { src: 'int (*)(int', error: SignatureSyntaxError, token: END, column: 12, mentions: "unbalanced '(' at column 8" },
  { src: 'int ((*)(int)', error: SignatureSyntaxError, token: END, column: 14, mentions: "unbalanced '(' at column 5" },
  { src: 'int (int))', error: SignatureSyntaxError, token: ')', column: 10, mentions: "unexpected ')'" },
  { src: 'int (int) x', error: SignatureSyntaxError, token: 'x', column: 11 },
  { src: 'int int (int)', error: SignatureSyntaxError, token: 'int', column: 5, mentions: "duplicate 'int'" },
  { src: 'int (int int x)', error: SignatureSyntaxError, token: 'int', column: 10, mentions: "duplicate 'int'" },
  { src: 'long long long (void)', error: SignatureSyntaxError, token: 'long', column: 11, mentions: 'too long' },
  { src: 'void (unsigned signed)', error: SignatureSyntaxError, token: 'signed', column: 16, mentions: "cannot be combined with 'unsigned'" },
  { src: 'unsigned float (void)', error: SignatureSyntaxError, token: 'float', column: 10 },
  { src: 'void (short char c)', error: SignatureSyntaxError, token: 'char', column: 13 },
  { src: 'void (HWND int)', error: SignatureSyntaxError, token: 'int', column: 12, mentions: "cannot be combined with 'HWND'" },
  { src: 'int (int a int b)', error: SignatureSyntaxError, token: 'int', column: 12, mentions: "expected ',' or ')'" },
  { src: 'int (int a b)', error: SignatureSyntaxError, token: 'b', column: 12 },
  { src: 'int (int, )', error: SignatureSyntaxError, token: ')', column: 11, mentions: "after ','" },
  { src: 'int (, int)', error: SignatureSyntaxError, token: ',', column: 6 },
  { src: 'int (int,, int)', error: SignatureSyntaxError, token: ',', column: 10 },
  { src: 'int (...)', error: SignatureSyntaxError, token: '...', column: 6, mentions: 'at least one' },
  { src: 'int (const char *fmt, ..., int)', error: SignatureSyntaxError, token: '...', column: 23, mentions: 'must be the last' },
  { src: 'int (const char *, ... x)', error: SignatureSyntaxError, token: 'x', column: 24 },
  { src: 'int (void, int)', error: SignatureSyntaxError, token: 'void', column: 6, mentions: "'void' must be the only parameter" },
  { src: 'int (int, void)', error: SignatureSyntaxError, token: 'void', column: 11 },
  { src: 'int (void x)', error: SignatureSyntaxError, token: 'void', column: 6, mentions: "parameter 'x' has type 'void'" },
  { src: 'int (const void)', error: SignatureSyntaxError, token: 'const', column: 6, mentions: 'may not be qualified' },
  { src: 'int', error: SignatureSyntaxError, token: END, column: 4, mentions: 'not a function type' },
  { src: 'int (**pp)(int)', error: SignatureSyntaxError, token: END, column: 16, mentions: 'not a function type' },
  { src: 'char *name', error: SignatureSyntaxError, token: END, column: 11 },
  { src: '(int)', error: SignatureSyntaxError, token: '(', column: 1, mentions: 'expected a type' },
  { src: 'int (int x = 0)', error: SignatureSyntaxError, token: '=', column: 12 },
  { src: 'int (int &x)', error: SignatureSyntaxError, token: '&', column: 10 },
  { src: 'int (int) @', error: SignatureSyntaxError, token: '@', column: 11, mentions: 'unexpected character' },
  { src: 'int (int /* open', error: SignatureSyntaxError, token: '/*', column: 10, mentions: 'unterminated comment' },
  { src: 'int (char buf[16)', error: SignatureSyntaxError, token: ')', column: 17 },
  { src: 'int (f)(int)(int)', error: SignatureSyntaxError, token: '(', column: 8, mentions: 'cannot return a function' },
  { src: 'int (a[3])(int)', error: SignatureSyntaxError, token: '[', column: 7, mentions: 'array of functions' },
  { src: 'int f(int)[3]', error: SignatureSyntaxError, token: '(', column: 6, mentions: 'cannot return an array' },
  { src: 'int __stdcall __cdecl (int)', error: SignatureSyntaxError, token: '__cdecl', column: 15, mentions: 'conflicting calling conventions' },
  { src: 'int (__stdcall *)(int) __attribute__((cdecl))', error: SignatureSyntaxError, token: 'cdecl', column: 39 },
  { src: 'int (int __stdcall x)', error: SignatureSyntaxError, token: '__stdcall', column: 10, mentions: 'non-function' },
  { src: 'int (__attribute__((stdcall) *)(int)', error: SignatureSyntaxError, token: '*', column: 30 },
  { src: 'int (strnig)', error: UnknownTypeError, token: 'strnig', column: 6 },
  { src: 'int (const void *a, HWNDX b)', error: UnknownTypeError, token: 'HWNDX', column: 21 },
  { src: 'uint128_t (void)', error: UnknownTypeError, token: 'uint128_t', column: 1 },
  { src: 'int (a, b)', error: UnknownTypeError, token: 'a', column: 6 },
  { src: 'long double (int)', error: UnsupportedTypeError, mentions: "'long double'" },
  { src: 'int (long double x)', error: UnsupportedTypeError, mentions: "'long double' (at column 6" },
  { src: 'int (_Complex double)', error: UnsupportedTypeError, mentions: '_Complex' },
  { src: 'int (double _Complex)', error: UnsupportedTypeError, mentions: '_Complex' },
  { src: '__int128 (void)', error: UnsupportedTypeError, mentions: '__int128' },
  { src: 'void (unsigned __int128)', error: UnsupportedTypeError, mentions: 'unsigned __int128' },
  { src: 'void (__uint128_t)', error: UnsupportedTypeError, mentions: '__uint128_t' },
  { src: 'void (_Float16)', error: UnsupportedTypeError, mentions: '_Float16' },
  { src: 'int (int flags : 3)', error: UnsupportedTypeError, mentions: 'bit-fields' },
  { src: 'int (struct stat st)', error: UnsupportedTypeError, mentions: 'struct({' },
  { src: 'struct point (int, int)', error: UnsupportedTypeError, mentions: "'struct point' by value" },
  { src: 'void (union value)', error: UnsupportedTypeError, mentions: 'union({' },
  { src: 'void (struct { int x; } *)', error: UnsupportedTypeError, mentions: 'inline struct' },
  { src: 'void (_Atomic int)', error: UnsupportedTypeError, mentions: '_Atomic' },
  { src: 'int __vectorcall (int)', error: UnsupportedConventionError, mentions: '__vectorcall' },
  { src: 'int __attribute__((regparm(3))) (int)', error: UnsupportedConventionError, mentions: 'regparm' },
  { src: 'int __attribute__((pcs("aapcs-vfp"))) (int)', error: UnsupportedConventionError, mentions: 'pcs' },
  { src: 'extern "rust" int (int)', error: UnsupportedConventionError, mentions: 'unknown ABI "rust"' },
];

test(`malformed prototypes: ${BAD.length} cases, each with its error class, code, token and column`, () => {
  assert.ok(BAD.length >= 25);
  const codes = new Map<Function, string>([
    [SignatureSyntaxError, 'ERR_SIGNATURE_SYNTAX'], [UnknownTypeError, 'ERR_UNKNOWN_TYPE'],
    [UnsupportedTypeError, 'ERR_UNSUPPORTED_TYPE'], [UnsupportedConventionError, 'ERR_UNSUPPORTED_CONVENTION'],
  ]);
  for (const bad of BAD) {
    let caught: unknown;
    try {
      // Linux x86-64's model on any host (on Windows x64, `long double` is a double).
      parsePrototype(bad.src, 'lp64-x64');
    } catch (e) {
      caught = e;
    }
    assert.ok(caught instanceof bad.error, `${JSON.stringify(bad.src)}: expected ${bad.error.name}, got ${String(caught)}`);
    const err = caught as ClosureFfiError & { token?: string; column?: number };
    assert.equal(err.code, codes.get(bad.error), bad.src);
    if (bad.token !== undefined) assert.equal(err.token, bad.token, `token of ${JSON.stringify(bad.src)}: ${err.message}`);
    if (bad.column !== undefined) {
      assert.equal(err.column, bad.column, `column of ${JSON.stringify(bad.src)}: ${err.message}`);
      assert.match(err.message, new RegExp(`column ${bad.column}\\b`));
    }
    if (bad.mentions !== undefined) assert.ok(err.message.includes(bad.mentions), `${JSON.stringify(bad.src)}: '${err.message}' should mention '${bad.mentions}'`);
    assert.ok(err.message.includes(bad.src), `the message quotes the source: ${err.message}`);
  }
});

// ---- resolved types ----------------------------------------------------------------------

test('scalar facts: sizes, alignment, JS value types, pointees', () => {
  const t = (s: string) => resolveType(s);
  assert.deepEqual({ ...t('uint16_t') }, { tag: 'scalar', kind: 'u16', name: 'uint16_t', size: 2, align: 2, js: 'number' });
  assert.deepEqual({ ...resolveType('unsigned long int', undefined, 'lp64-x64') }, { tag: 'scalar', kind: 'u64', name: 'unsigned long', size: 8, align: 8, js: 'bigint' });
  assert.deepEqual({ ...resolveType('unsigned long int', undefined, 'llp64-x64') }, { tag: 'scalar', kind: 'u32', name: 'unsigned long', size: 4, align: 4, js: 'number' });
  assert.equal(t('long unsigned').name, 'unsigned long');
  assert.equal(t('signed').name, 'int');
  assert.equal(t('_Bool').kind, 'bool');
  assert.equal(t('void').kind, 'void');
  assert.equal(t('void').size, 0);
  const pcc = t('const char *');
  assert.equal(pcc.kind, 'pointer');
  assert.equal(pcc.name, 'const char *');
  assert.equal(pcc.js, 'bigint');
  assert.equal((pcc.pointee as { name: string }).name, 'char');
  assert.equal((t('void *').pointee as { kind: string }).kind, 'void');
  assert.equal(t('struct stat *').pointee, 'opaque');
  assert.equal(t('char **').name, 'char **');
  assert.equal((t('char **').pointee as { name: string }).name, 'char *');
  const fp = t('int (*)(const void *, const void *)');
  assert.equal(fp.pointee, 'function');
  assert.equal(fp.signature?.text, 'int (const void *, const void *)');
  assert.equal(t('HWND').name, 'HWND');
  assert.equal(t('HWND').kind, 'pointer');
  assert.equal(t('const HWND').name, 'HWND');
  assert.equal(t('enum VISIT').kind, 'i32');
  assert.equal(t('VISIT').name, 'VISIT');
  assert.ok(Object.isFrozen(t('int')));
  // a type object passes through
  const obj = t('double');
  assert.equal(resolveType(obj), obj);
  // by-value errors name the construct
  assert.throws(() => t('struct stat'), UnsupportedTypeError);
  assert.throws(() => t('char[16]'), /array\(type, length\)/);
  assert.throws(() => t('int x'), (e: unknown) => e instanceof SignatureSyntaxError && e.token === 'x' && e.column === 5);
  assert.throws(() => t('strnig *'), (e: unknown) => e instanceof UnknownTypeError && e.token === 'strnig' && e.column === 1);
  assert.throws(() => resolveType('strnig', 'argument 2 of f'), /unknown type 'strnig'.*\(argument 2 of f\)/);
});

test('data models: ILP32 sizes, ARM char signedness, Windows x64 LLP64', () => {
  const proto = 'long (char, wchar_t, size_t, off_t, long long, double, void *)';
  const x64 = parsePrototype(proto, 'lp64-x64');
  assert.deepEqual(kindsOf(x64), { ret: 'i64', args: ['i8', 'i32', 'u64', 'i64', 'i64', 'f64', P] });
  const arm64 = parsePrototype(proto, 'lp64-arm64');
  assert.deepEqual(kindsOf(arm64), { ret: 'i64', args: ['u8', 'u32', 'u64', 'i64', 'i64', 'f64', P] });
  const x86 = parsePrototype(proto, DATA_MODELS['ilp32-x86']);
  assert.deepEqual(kindsOf(x86), { ret: 'i32', args: ['i8', 'i32', 'u32', 'i32', 'i64', 'f64', P] });
  assert.deepEqual(x86.args.map((a) => [a.size, a.align]), [[1, 1], [4, 4], [4, 4], [4, 4], [8, 4], [8, 4], [4, 4]]);
  const arm = parsePrototype(proto, 'ilp32-arm');
  assert.deepEqual(kindsOf(arm), { ret: 'i32', args: ['u8', 'u32', 'u32', 'i32', 'i64', 'f64', P] });
  assert.deepEqual(arm.args.map((a) => a.align), [1, 4, 4, 4, 8, 8, 4]);
  assert.equal(arm.dataModel, 'ilp32-arm');
  const win64 = parsePrototype(proto, 'llp64-x64');
  assert.deepEqual(kindsOf(win64), { ret: 'i32', args: ['i8', 'u16', 'u64', 'i32', 'i64', 'f64', P] });
  assert.deepEqual(win64.args.map((a) => a.size), [1, 2, 8, 4, 8, 8, 8]);
  // the JS value type follows the size, as the runtime converts: a 32-bit long is a number
  assert.equal(win64.ret.js, 'number');
  assert.equal(x86.ret.js, 'number');
  assert.equal(x86.args[2]!.js, 'number');
  assert.equal(x86.args[4]!.js, 'bigint');
  // signed/unsigned char are explicit everywhere
  assert.deepEqual(kindsOf(parsePrototype('signed char (unsigned char)', 'ilp32-arm')), { ret: 'i8', args: ['u8'] });
  assert.throws(() => parsePrototype('int (int)', 'lp64-sparc' as never), InvalidOptionError);
  // cached per model
  assert.notEqual(resolveSignature(proto, 'lp64-x64'), resolveSignature(proto, 'ilp32-x86'));
  assert.notEqual(resolveSignature(proto, 'lp64-x64'), resolveSignature(proto, 'llp64-x64'));
});

// ---- descriptors and the cache ---------------------------------------------------------

test('descriptors', () => {
  const s = resolveSignature({ args: ['int32_t', 'double'], ret: 'double' });
  assert.deepEqual(kindsOf(s), { ret: 'f64', args: ['i32', 'f64'] });
  assert.equal(s.text, 'double (int32_t, double)');
  assert.equal(s.cc, undefined);
  assert.equal(s.variadic, false);
  const v = resolveSignature({ args: ['const char *'], ret: 'int', variadic: true, cc: cc.Win64 });
  assert.equal(v.text, 'int __ms_abi (const char *, ...)');
  assert.equal(v.variadic, true);
  assert.equal(v.cc, 'Win64');
  const none = resolveSignature({ args: [] });
  assert.equal(none.text, 'void (void)');
  const withObj = resolveSignature({ args: [resolveType('uint8_t'), 'char[4]', 'HWND'], ret: resolveType('size_t'), cc: cc.System });
  assert.deepEqual(kindsOf(withObj), { ret: 'u64', args: ['u8', P, P] });
  assert.equal(withObj.text, 'extern "system" size_t (uint8_t, char *, HWND)');
  // a hand-made type object gets its JS type filled in
  const hand = resolveSignature({ args: [{ tag: 'scalar', kind: 'u64', name: 'u64_t', size: 8, align: 8 } as never] });
  assert.equal(hand.args[0]!.js, 'bigint');

  assert.throws(() => resolveSignature({ args: ['int32_t', 'strnig'], ret: 'double' }), (e: unknown) =>
    e instanceof UnknownTypeError && e.token === 'strnig' && e.column === 1 && /args\[1\]/.test(e.message));
  assert.throws(() => resolveSignature({ args: ['int'], ret: 'strnig *' }), (e: unknown) =>
    e instanceof UnknownTypeError && /ret of/.test(e.message));
  assert.throws(() => resolveSignature({ args: ['int', 'void'] }), /'void' is not a valid argument type \(args\[1\]/);
  assert.throws(() => resolveSignature({ args: ['struct point'] }), UnsupportedTypeError);
  assert.throws(() => resolveSignature({ args: ['int ('] }), SignatureSyntaxError);
  assert.throws(() => resolveSignature({ args: 'int' as never }), InvalidOptionError);
  assert.throws(() => resolveSignature({ args: [42 as never] }), InvalidOptionError);
  assert.throws(() => resolveSignature({ args: [], variadic: true }), InvalidOptionError);
  assert.throws(() => resolveSignature({ args: [], variadic: 'yes' as never }), InvalidOptionError);
  assert.throws(() => resolveSignature({ args: [], cc: 'stdcall' as never }), UnsupportedConventionError);
  assert.throws(() => resolveSignature(null as never), InvalidOptionError);
});

test('signatures are cached, frozen and pass through', () => {
  const a = resolveSignature('int (const void *, const void *)');
  assert.equal(resolveSignature('int (const void *, const void *)'), a);
  assert.equal(resolveSignature(a), a);
  assert.ok(Object.isFrozen(a) && Object.isFrozen(a.args) && Object.isFrozen(a.args[0]));
  const d = resolveSignature({ args: ['int'], ret: 'int' });
  assert.equal(resolveSignature({ args: ['int'], ret: 'int' }), d);
  // parsePrototype always parses afresh
  assert.notEqual(parsePrototype('int (const void *, const void *)'), a);
  assert.deepEqual(parsePrototype('int (const void *, const void *)'), a);
});

// ---- the registry -----------------------------------------------------------------------

test('types.define: typedefs anywhere a type is, with clear errors', () => {
  types.define('my_u32', 'unsigned');
  types.define('my_u32', 'unsigned int'); // same type again: fine
  assert.throws(() => types.define('my_u32', 'int'), (e: unknown) =>
    e instanceof TypeDefinitionError && e.code === 'ERR_TYPE_DEFINITION' && /already defined as a typedef for 'unsigned int'/.test(e.message));
  assert.throws(() => types.define('int32_t', 'int'), /built-in type 'int32_t'/);
  assert.throws(() => types.define('unsigned', 'int'), /reserved word/);
  assert.throws(() => types.define('__stdcall', 'int'), /reserved word/);
  assert.throws(() => types.define('my type', 'int'), /C identifier/);
  assert.throws(() => types.define('9lives', 'int'), /C identifier/);
  assert.throws(() => types.define('my_bad', 'strnig'), UnknownTypeError);
  assert.throws(() => types.define('my_bad2', 'int ('), SignatureSyntaxError);
  assert.throws(() => types.define('my_bad3', 42 as never), TypeDefinitionError);
  assert.ok(types.has('my_u32'));
  assert.ok(!types.has('my_bad'));

  const sig = resolveSignature('my_u32 (my_u32 *, const my_u32)');
  assert.equal(sig.text, 'my_u32 (my_u32 *, my_u32)');
  assert.deepEqual(kindsOf(sig), { ret: 'u32', args: [P, 'u32'] });

  // a typedef of a function-pointer type is itself a prototype
  types.define('my_cmp_fn', 'int (*)(const void *, const void *)');
  assert.equal(resolveSignature('my_cmp_fn').text, 'int (const void *, const void *)');
  // ... and of a function type, usable as a parameter (it decays to a pointer)
  types.define('my_handler_fn', 'void (int)');
  assert.deepEqual(kindsOf(parsePrototype('void (my_handler_fn *, my_handler_fn)')), { ret: 'void', args: [P, P] });
  assert.equal(resolveType('my_handler_fn *').signature?.text, 'void (int)');
  assert.throws(() => resolveType('my_handler_fn'), /function type/);
  // a typedef of void is allowed as the sole parameter
  assert.deepEqual(kindsOf(parsePrototype('VOID (VOID)')), { ret: 'void', args: [] });
  // a typedef of an array decays in parameters
  types.define('my_vec3', 'float[3]');
  assert.equal(parsePrototype('void (my_vec3 v)').text, 'void (float *)');

  // a parameter named like a typedef (C allows it after a complete type)
  assert.deepEqual(parsePrototype('int (int HWND)').argNames, ['HWND']);

  // defining new names invalidates cached parses
  assert.throws(() => resolveSignature('my_late (int)'), UnknownTypeError);
  types.define('my_late', 'short');
  assert.equal(resolveSignature('my_late (int)').ret.kind, 'i16');
});

test('types.defineMacro / defineConvention', () => {
  types.defineMacro('MY_EMPTY', '');
  types.defineMacro('MY_CONST', 'const');
  types.defineMacro('MY_ULONG', 'unsigned long');
  assert.equal(parsePrototype('MY_ULONG (MY_CONST char MY_EMPTY *MY_EMPTY)').text, 'unsigned long (const char *)');
  types.defineConvention('MY_API', cc.Fastcall);
  const s = parsePrototype('int MY_API (int)');
  assert.equal(s.cc, 'Fastcall');
  assert.equal(s.text, 'int __fastcall (int)');
  // errors inside an expansion point at the macro's use
  types.defineMacro('MY_BROKEN', ')');
  assert.throws(() => parsePrototype('int (int MY_BROKEN MY_BROKEN'), (e: unknown) =>
    e instanceof SignatureSyntaxError && e.token === ')' && e.column === 20);
  // self-referential macros stop expanding (as in C)
  types.defineMacro('my_self', 'my_self');
  assert.throws(() => parsePrototype('my_self (int)'), (e: unknown) => e instanceof UnknownTypeError && e.token === 'my_self');
  assert.throws(() => types.defineMacro('MY_CONST', 'volatile'), TypeDefinitionError);
  assert.throws(() => types.defineMacro('my_u32', ''), TypeDefinitionError); // already a typedef
  assert.throws(() => types.define('MY_CONST', 'int'), TypeDefinitionError); // already a macro
  assert.throws(() => types.defineConvention('MY_API2', 'Pascal' as never), TypeDefinitionError);
});

test('cc: every convention name, and every prototype spelling', () => {
  assert.deepEqual(Object.keys(cc).sort(), ['Aapcs', 'Aapcs64', 'C', 'Cdecl', 'Efiapi', 'Fastcall', 'Stdcall', 'System', 'Sysv64', 'Thiscall', 'Win64']);
  for (const [k, v] of Object.entries(cc)) assert.equal(k, v);
  assert.ok(Object.isFrozen(cc));
  const spellings: [string, CallConvName][] = [
    ['__cdecl', 'Cdecl'], ['_cdecl', 'Cdecl'], ['__stdcall', 'Stdcall'], ['_stdcall', 'Stdcall'],
    ['__fastcall', 'Fastcall'], ['__thiscall', 'Thiscall'], ['__sysv_abi', 'Sysv64'], ['sysv64', 'Sysv64'],
    ['__ms_abi', 'Win64'], ['win64', 'Win64'], ['aapcs', 'Aapcs'], ['efiapi', 'Efiapi'],
    ['__attribute__((cdecl))', 'Cdecl'], ['__attribute__((stdcall))', 'Stdcall'], ['__attribute__((__stdcall__))', 'Stdcall'],
    ['__attribute__((fastcall))', 'Fastcall'], ['__attribute__((thiscall))', 'Thiscall'],
    ['__attribute__((sysv_abi))', 'Sysv64'], ['__attribute__((ms_abi))', 'Win64'], ['__attribute((ms_abi))', 'Win64'],
    ['__attribute__((pcs("aapcs")))', 'Aapcs'],
    ['extern "C"', 'C'], ['extern "system"', 'System'], ['extern "efiapi"', 'Efiapi'], ['extern "cdecl"', 'Cdecl'],
    ['extern "stdcall"', 'Stdcall'], ['extern "fastcall"', 'Fastcall'], ['extern "thiscall"', 'Thiscall'],
    ['extern "sysv64"', 'Sysv64'], ['extern "win64"', 'Win64'], ['extern "aapcs"', 'Aapcs'], ['extern "aapcs64"', 'Aapcs64'],
  ];
  for (const [spelling, name] of spellings) {
    for (const src of [`int ${spelling} (int)`, `${spelling} int (int)`, `int (${spelling} *)(int)`, `int (* ${spelling})(int)`]) {
      const s = parsePrototype(src);
      assert.equal(s.cc, name, src);
      assert.equal(parsePrototype(s.text).cc, name, `${src} → ${s.text}`);
    }
  }
  // same convention twice is fine; no convention is undefined
  assert.equal(parsePrototype('int __stdcall (__stdcall *)(int)').cc, 'Stdcall');
  assert.equal(parsePrototype('int (int)').cc, undefined);
});

// ---- robustness: whatever the text, a ClosureFfiError, never a crash of another kind ----------

test('20,000 mutated prototypes: every failure is a ClosureFfiError (seeded; CFFI_SEED replays)', () => {
  const seed = runSeed();
  const rng = new Prng(seed);
  const bases = [
    'int (const void *a, const void *b)', 'void (*signal(int sig, void (*func)(int)))(int)',
    'int printf(const char *restrict format, ...)', 'unsigned long long int (char[8], short *const *)',
    'double __ms_abi (float, int)', 'int (int (*)(int, double), ...)', 'struct S (union U, enum E)',
  ];
  const pieces = ['(', ')', '*', ',', '...', 'int', 'const', 'struct', ' ', 'unsigned', 'long', '[', ']', '8', ';',
    '__attribute__((', '))', 'x', 'void', 'char', '__stdcall', '/*', '*/', '"', '\\', 'é', '\0', 'enum', 'union', '{',
    '}', ':', '-1', '0x10', 'long double', 'cstring'];
  const escaped: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    let src = bases[rng.int(bases.length)]!;
    for (let k = 1 + rng.int(4); k > 0; k--) {
      const at = rng.int(src.length + 1);
      src = rng.chance(0.5)
        ? src.slice(0, at) + pieces[rng.int(pieces.length)] + src.slice(at)
        : src.slice(0, at) + src.slice(at + 1 + rng.int(4));
    }
    try {
      resolveSignature(src);
    } catch (e) {
      if (!(e instanceof ClosureFfiError) && escaped.length < 5) escaped.push(`${JSON.stringify(src)}: ${String(e)}`);
    }
  }
  assert.deepEqual(escaped, [], `[CFFI_SEED=${seed}]`);
});
