/**
 * The same typed call over real HTTP: a node:http server on 127.0.0.1 (in a child process, so that serving does not
 * share the client's event loop) answers every GET with the example submission, over keep-alive connections.
 * Wall time, since the network round trip is part of what a caller waits for.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { callSubjects, checkSubjects, SUBMISSION_BODY } from './call-subjects.js';
import { interleaved, pairedRatio, round } from './stats.js';
import type { BenchOptions, BenchRow } from './types.js';

const BENCHMARK = 'GET submission, loopback HTTP';

const SERVER = `
const http = require('node:http');
const body = Buffer.from(process.env.BENCH_BODY);
const server = http.createServer((request, response) => {
  request.resume();
  response.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
  response.end(body);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
process.on('disconnect', () => process.exit(0));
`;

export async function run(opts: BenchOptions): Promise<BenchRow[]> {
  const server = await startServer();
  try {
    const subjects = callSubjects(`http://127.0.0.1:${server.port}/v2.0/my/hardware`);
    await checkSubjects(subjects);
    const { hwdash, 'openapi-fetch': bare } = subjects;
    const results = await interleaved(
      { hwdash, 'openapi-fetch': bare },
      opts.quick ? { rounds: 4, timeMs: 250, warmupMs: 300 } : { rounds: 20, timeMs: 400, warmupMs: 1000 },
    );
    const subject = results.hwdash!;
    const base = results['openapi-fetch']!;
    const ratio = pairedRatio(subject.rounds, base.rounds);
    return [
      {
        benchmark: BENCHMARK,
        subject: 'createHdcClient GET',
        baseline: 'openapi-fetch',
        median: round(subject.median * 1000, 1),
        unit: 'µs',
        spreadPct: round(subject.spreadPct, 1),
        ratio: round(ratio.median),
        ratioSpreadPct: round(ratio.spreadPct, 1),
        target: 'report',
        met: null,
        note: `wall time per call, including the loopback round trip; baseline ${round(base.median * 1000, 1)} µs ± ${round(base.spreadPct, 1)}%`,
      },
    ];
  } finally {
    server.child.disconnect();
    await once(server.child, 'exit');
  }
}

async function startServer(): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'], env: { ...process.env, BENCH_BODY: SUBMISSION_BODY } });
  const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
  return { child, port: Number(chunk.toString().trim()) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.table(await run({ quick: process.argv.includes('--quick') }));
}
