import { contenderMain } from '../support/harness';
import { koffiCases } from '../support/koffi-impl';

contenderMain('koffi-transient', () => koffiCases('transient'));
