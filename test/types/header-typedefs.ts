/**
 * Type-level mapping of the built-in C/POSIX header typedefs, checked by `tsc --noEmit`
 * (npm test's typecheck): prototypes copied from headers get real JS types, not `unknown`.
 */
import type { ArgsOf, ReturnOf } from '../../src/signature/typelevel';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Expect<T extends true> = T;

export type HeaderTypedefCases = [
  Expect<Equal<ReturnOf<'time_t time(time_t *tloc)'>, bigint>>,
  Expect<Equal<ArgsOf<'time_t time(time_t *tloc)'>, [bigint]>>,
  Expect<Equal<ReturnOf<'pid_t getpid(void)'>, number>>,
  Expect<Equal<ArgsOf<'int fchown(int fd, uid_t owner, gid_t group)'>, [number, number, number]>>,
  Expect<Equal<ArgsOf<'size_t fread(void *ptr, size_t size, size_t n, FILE *stream)'>, [bigint, bigint, bigint, bigint]>>,
  Expect<Equal<ArgsOf<'void (mode_t, socklen_t, sig_atomic_t, uint_fast8_t, int_least16_t, wint_t, in_port_t)'>,
    [number, number, number, number, number, number, number]>>,
  Expect<Equal<ArgsOf<'void (off_t, ssize_t, clock_t, dev_t, ino_t, pthread_t, int_fast32_t, uint_fast64_t, intmax_t)'>,
    [bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint, bigint]>>,
];
