import { benchAudit } from './audit.ts';
import { benchCore } from './core.ts';
import { benchDiskUsage } from './disk-usage.ts';
import { benchGateway } from './gateway.ts';
import { benchKnownForms } from './known-forms.ts';
import { benchMcpGateway } from './mcp-gateway.ts';
import { benchRedactor } from './redactor.ts';
import { benchSandboxAndPolicy } from './sandbox-policy.ts';
import { benchServe } from './serve.ts';
import { benchTui } from './tui.ts';

const runs = Number(process.env.WARDEN_BENCH_RUNS ?? 10);
const benches: Record<string, (runs: number) => Promise<void>> = {
  core: benchCore,
  sandbox: benchSandboxAndPolicy,
  'disk-usage': benchDiskUsage,
  audit: benchAudit,
  redactor: benchRedactor,
  'known-forms': benchKnownForms,
  gateway: benchGateway,
  'mcp-gateway': benchMcpGateway,
  serve: benchServe,
  tui: benchTui,
};
// WARDEN_BENCH_ONLY=redactor (or a comma-separated list) runs just those parts.
const only = process.env.WARDEN_BENCH_ONLY?.split(',').map((name) => name.trim());
const unknown = only?.filter((name) => !(name in benches)) ?? [];
if (unknown.length) {
  console.error(
    `WARDEN_BENCH_ONLY: unknown bench ${unknown.join(', ')}; choose from ${Object.keys(benches).join(', ')}`,
  );
  process.exit(2);
}
console.log(
  `warden benchmarks · node ${process.version} · ${runs} runs each; ratios are against baselines measured in this run`,
);
for (const [name, bench] of Object.entries(benches)) if (!only || only.includes(name)) await bench(runs);
