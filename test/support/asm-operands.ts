/**
 * The operand check both assembler tests share: an emitter given a bad operand throws a
 * RangeError with code ERR_ASM_OPERAND whose message names the writer's emitter and the value.
 */
import assert from 'node:assert/strict';

/** `rejecter(() => new Writer(), 'Writer')` gives `rejects(fn, emitter, value)` for that writer. */
export function rejecter<W>(make: () => W, writer: string): (fn: (w: W) => void, emitter: string, value: string) => void {
  return (fn, emitter, value) => {
    assert.throws(() => fn(make()), (e: unknown) => {
      assert.ok(e instanceof RangeError, `expected RangeError, got ${String(e)}`);
      assert.match(e.message, new RegExp(`${writer}\\.${emitter}\\b`));
      assert.ok(e.message.includes(value), `'${e.message}' should mention ${value}`);
      assert.equal((e as RangeError & { code?: string }).code, 'ERR_ASM_OPERAND');
      return true;
    });
  };
}
