import { v8FloorAddon } from '../support/build';
import { type FloorAddon, floorCases } from '../support/floor-impl';
import { contenderMain, SkipCase } from '../support/harness';

contenderMain('v8-floor', () => {
  let path: string;
  try {
    path = v8FloorAddon();
  } catch (e) {
    throw new SkipCase(`V8 floor addon unavailable: ${e instanceof Error ? e.message : String(e)}`);
  }
  return floorCases(require(path) as FloorAddon, 'v8');
});
