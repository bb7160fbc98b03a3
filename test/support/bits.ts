/** Bit-level views of numbers, for bit-exact comparisons (NaN payloads, -0, subnormals). */

const dv = new DataView(new ArrayBuffer(8));

/** IEEE-754 binary64 bits of `x`, as an unsigned bigint. */
export function f64Bits(x: number): bigint {
  dv.setFloat64(0, x, true);
  return dv.getBigUint64(0, true);
}

/** The double whose bits are `bits`. */
export function f64FromBits(bits: bigint): number {
  dv.setBigUint64(0, BigInt.asUintN(64, bits), true);
  return dv.getFloat64(0, true);
}

/** IEEE-754 binary32 bits of `x` rounded to float, as an unsigned number. */
export function f32Bits(x: number): number {
  dv.setFloat32(0, x, true);
  return dv.getUint32(0, true);
}

/** The float (widened to a JS number) whose bits are `bits`. */
export function f32FromBits(bits: number): number {
  dv.setUint32(0, bits >>> 0, true);
  return dv.getFloat32(0, true);
}

export function hex64(b: bigint): string {
  return '0x' + BigInt.asUintN(64, b).toString(16).padStart(16, '0');
}

export function hex32(b: number): string {
  return '0x' + (b >>> 0).toString(16).padStart(8, '0');
}
