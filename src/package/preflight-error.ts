import { HdcError } from '../client/errors/hdc-error.js';
import type { PreflightResult } from './preflight.js';

/**
 * A package failed preflight. `result` has every problem and warning; the message lists the problems.
 */
export class PreflightError extends HdcError {
  override readonly kind: string = 'preflight';
  readonly result: PreflightResult;

  constructor(filePath: string, result: PreflightResult) {
    const count = result.problems.length;
    const lines = result.problems.map((problem) => `  - [${problem.rule}] ${problem.message}`);
    super(`${filePath} is not ready to submit (${count} problem${count === 1 ? '' : 's'}):\n${lines.join('\n')}`, { code: 'preflight' });
    this.result = result;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), result: this.result };
  }
}
