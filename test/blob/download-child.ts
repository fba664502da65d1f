/**
 * A download in a process of its own, for the tests that kill one mid-way:
 * `node --import tsx test/blob/download-child.ts <url> <dest> [sha256]` prints one JSON line per MiB received
 * (`{"loaded":n}`), then `{"done":{...result}}`.
 */
import { downloadToFile } from '../../src/workflow/download.js';

const [url, dest, hash] = process.argv.slice(2);
let reported = 0;
const result = await downloadToFile({
  url: url!,
  dest: dest!,
  sha256: hash === 'sha256',
  onProgress: ({ loadedBytes }) => {
    if (loadedBytes - reported < 1024 * 1024) return;
    reported = loadedBytes;
    process.stdout.write(`${JSON.stringify({ loaded: loadedBytes })}\n`);
  },
});
process.stdout.write(`${JSON.stringify({ done: result })}\n`);
