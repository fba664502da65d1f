import type { DriverVerRule } from './driver-ver.js';
import type { PreflightProblem, PreflightRule } from './preflight-types.js';

/** What preflight found so far: problems block a submission, warnings do not. */
export class Findings {
  readonly problems: PreflightProblem[] = [];
  readonly warnings: PreflightProblem[] = [];

  problem(rule: PreflightRule, message: string, path?: string, check?: DriverVerRule): void {
    this.problems.push(finding(rule, message, path, check));
  }

  warning(rule: PreflightRule, message: string, path?: string, check?: DriverVerRule): void {
    this.warnings.push(finding(rule, message, path, check));
  }
}

function finding(rule: PreflightRule, message: string, path: string | undefined, check: DriverVerRule | undefined): PreflightProblem {
  return { rule, message, ...(path === undefined ? {} : { path }), ...(check === undefined ? {} : { check }) };
}
