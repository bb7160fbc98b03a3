/** Reference row for qsort_i32: Array.prototype.sort of the same data with the same comparator. */
import { config } from '../support/config';
import { compareI32, makeData } from '../support/data';
import { type CaseTable, contenderMain, sortCase } from '../support/harness';

contenderMain('pure-js', (): CaseTable => {
  let data: number[] = [];
  return {
    qsort_i32: () =>
      sortCase(
        (n) => {
          data = makeData(n, config.seed);
        },
        () => {
          data.sort(compareI32);
        },
        (n) => {
          for (let i = 1; i < n; i++) if (data[i - 1] > data[i]) return false;
          return data.length === n;
        },
      ),
  };
});
