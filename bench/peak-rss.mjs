// The peak resident set size of this process, in bytes.
//
// Not `process.resourceUsage().maxRSS`: on Linux a spawned process starts with its parent's high-water mark
// (getrusage's maxrss survives fork and exec), so a child of a benchmark that holds 1 GiB reports at least 1 GiB
// whatever it does itself. `VmHWM` in /proc/self/status belongs to the process's own address space, made at exec.
import { readFileSync } from 'node:fs';

/** @returns {number} */
export function peakRssBytes() {
  try {
    const kib = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    if (kib !== undefined) return Number(kib) * 1024;
  } catch {
    // Not Linux: fall back to getrusage, with the caveat above.
  }
  return process.resourceUsage().maxRSS * 1024;
}
