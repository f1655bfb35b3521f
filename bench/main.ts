/**
 * `npm run bench`: runs every benchmark module and writes one JSON document (stdout and reports/bench/latest.json).
 * Usage: npm run bench [-- name ...]   (names: engine, crypto, packet, scenario, dht, onion, eve, messenger, scale; default all)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const MODULES = ['engine', 'crypto', 'packet', 'scenario', 'dht', 'onion', 'eve', 'messenger', 'scale'] as const;

async function main(): Promise<void> {
  const wanted = process.argv.slice(2).filter((a) => a !== '--');
  const unknown = wanted.filter((w) => !(MODULES as readonly string[]).includes(w));
  if (unknown.length) {
    process.stderr.write(`bench: unknown benchmark ${unknown.join(', ')} (have: ${MODULES.join(', ')})\n`);
    process.exit(2);
  }
  const selected = wanted.length ? wanted : [...MODULES];
  // The machine's load beside the figures: a loaded 2-core box reads 2-3x slower (issue 14).
  const loadavgBefore = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const results: Record<string, unknown> = {};
  for (const name of selected) {
    process.stderr.write(`bench: ${name} ...\n`);
    const mod = (await import(`./${name}.ts`)) as { run: () => Promise<Record<string, unknown>> };
    results[name] = await mod.run();
  }
  const doc = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      memoryBytes: os.totalmem(),
      node: process.version,
      /** 1, 5 and 15 minute load averages when the bench started and when it ended. */
      loadavgBefore,
      loadavgAfter: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    results,
  };
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  mkdirSync('reports/bench', { recursive: true });
  writeFileSync('reports/bench/latest.json', text);
  process.stdout.write(text);
}

await main();
