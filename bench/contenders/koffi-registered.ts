import { contenderMain } from '../support/harness';
import { koffiCases } from '../support/koffi-impl';

contenderMain('koffi-registered', () => koffiCases('registered'));
