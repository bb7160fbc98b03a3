import { napiFloorAddon } from '../support/build';
import { type FloorAddon, floorCases } from '../support/floor-impl';
import { contenderMain } from '../support/harness';

// BENCH_NAPI_NOSCOPE=1: no handle scope per call (handles pile up in the caller's scope;
// not something a general callback library can do, shown for reference only).
contenderMain(process.env.BENCH_NAPI_NOSCOPE === '1' ? 'napi-floor-noscope' : 'napi-floor', () =>
  floorCases(require(napiFloorAddon()) as FloorAddon, 'napi', process.env.BENCH_NAPI_NOSCOPE !== '1'),
);
