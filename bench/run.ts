import { benchAudit } from './audit.ts';
import { benchCore } from './core.ts';
import { benchDiskUsage } from './disk-usage.ts';
import { benchGateway } from './gateway.ts';
import { benchKnownForms } from './known-forms.ts';
import { benchRedactor } from './redactor.ts';
import { benchSandboxAndPolicy } from './sandbox-policy.ts';
import { benchServe } from './serve.ts';

const runs = Number(process.env.WARDEN_BENCH_RUNS ?? 10);
console.log(
  `warden benchmarks · node ${process.version} · ${runs} runs each; ratios are against baselines measured in this run`,
);
await benchCore(runs);
await benchSandboxAndPolicy(runs);
await benchDiskUsage(runs);
await benchAudit(runs);
await benchRedactor(runs);
await benchKnownForms(runs);
await benchGateway(runs);
await benchServe(runs);
