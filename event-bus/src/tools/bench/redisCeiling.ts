import { spawn } from 'node:child_process';

/** The machine's ceiling for stream writes: `redis-benchmark` XADD, pipeline 16, `n` ops; returns ops/s. */
export function runRedisBenchmark(port: number, n: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      '-n',
      String(n),
      '-P',
      '16',
      '-q',
      'XADD',
      '{events}:bench',
      '*',
      'type',
      'bench',
      'payload',
      '{"msg":"x"}',
    ];
    const proc = spawn('redis-benchmark', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('exit', () => {
      const m =
        /([\d.]+) requests per second/.exec(out.split('\r').pop() ?? out) ?? /([\d.]+) requests per second/.exec(out);
      if (!m) {
        reject(new Error(`could not parse redis-benchmark output: ${out.slice(-200)}`));
        return;
      }
      resolve(Number(m[1]));
    });
  });
}
