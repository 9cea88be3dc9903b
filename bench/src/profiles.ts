import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The parts of a V8 `.cpuprofile` (what `node --cpu-prof` writes) that a summary reads. */
export interface CpuProfile {
  readonly nodes: {
    readonly id: number;
    readonly callFrame: { readonly functionName: string; readonly url: string };
    readonly children?: number[];
  }[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** Where a sample's own (self) time went, coarse enough to compare a NestJS app with a bare one. */
export const CATEGORIES = [
  'NestJS',
  'rxjs',
  'Fastify',
  'validation',
  'AMQP client',
  'undici',
  'SQLite',
  'Node http/net/streams',
  'socket syscalls',
  'Node other',
  'GC',
  'app code',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export interface ProfileSummary {
  readonly file: string;
  /** Sampled time of the whole profile, idle included. */
  readonly totalMs: number;
  /** Time spent loading code at start-up (requires under Module._load): not per order. */
  readonly startupMs: number;
  /** Busy time after start-up: what the shares below divide. */
  readonly busyMs: number;
  /** Share of `busyMs` per category, 0..1. */
  readonly shares: Record<Category, number>;
}

const PACKAGES: [RegExp, Category][] = [
  [/\/node_modules\/@nestjs\//, 'NestJS'],
  [/\/node_modules\/rxjs\//, 'rxjs'],
  [
    /\/node_modules\/(fastify|@fastify\/[^/]+|find-my-way|secure-json-parse|avvio|fast-json-stringify|light-my-request|fast-querystring|toad-cache|process-warning|abstract-logging|pino|thread-stream)\//,
    'Fastify',
  ],
  [
    /\/node_modules\/(class-validator|class-transformer|validator|libphonenumber-js)\//,
    'validation',
  ],
  [
    /\/node_modules\/(amqplib|amqp-connection-manager|promise-breaker|buffer-more-ints)\//,
    'AMQP client',
  ],
  [/\/node_modules\/undici\//, 'undici'],
  // Statements run natively inside better-sqlite3's JS frames, so their time lands here.
  [/\/node_modules\/better-sqlite3\//, 'SQLite'],
];

/** Native frames whose own time is the kernel's work of a socket read or write. */
const SYSCALLS = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'read']);

/** The category of one frame's self time. Idle, program and start-up are handled by the caller. */
export function categorize(functionName: string, url: string): Category {
  if (functionName === '(garbage collector)') return 'GC';
  if (url === '' && SYSCALLS.has(functionName)) return 'socket syscalls';
  for (const [pattern, category] of PACKAGES) if (pattern.test(url)) return category;
  if (/\/dist\/apps\/|\/bench\/baseline\//.test(url)) return 'app code';
  if (
    /^node:(_http_|net|internal\/streams|internal\/stream_base_commons|stream|internal\/http)/.test(
      url,
    )
  )
    return 'Node http/net/streams';
  if (url.startsWith('node:')) return 'Node other';
  return 'other';
}

export function summarizeProfile(profile: CpuProfile, file: string): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  // Whether a node sits under Module._load, i.e. runs while code is being loaded.
  const loading = new Map<number, boolean>();
  const isLoading = (id: number): boolean => {
    const known = loading.get(id);
    if (known !== undefined) return known;
    const frame = byId.get(id)?.callFrame;
    const up = parent.get(id);
    const result =
      frame?.functionName === 'Module._load' || (up !== undefined ? isLoading(up) : false);
    loading.set(id, result);
    return result;
  };
  const self = new Map<Category, number>();
  let totalUs = 0;
  let startupUs = 0;
  let busyUs = 0;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index] ?? 0;
    totalUs += us;
    const frame = byId.get(id)?.callFrame;
    if (!frame || frame.functionName === '(idle)') return;
    if (isLoading(id)) {
      startupUs += us;
      return;
    }
    busyUs += us;
    const category = categorize(frame.functionName, frame.url);
    self.set(category, (self.get(category) ?? 0) + us);
  });
  const shares = Object.fromEntries(
    CATEGORIES.map((category) => [category, busyUs > 0 ? (self.get(category) ?? 0) / busyUs : 0]),
  ) as Record<Category, number>;
  return {
    file,
    totalMs: totalUs / 1000,
    startupMs: startupUs / 1000,
    busyMs: busyUs / 1000,
    shares,
  };
}

/** Summaries of every `.cpuprofile` in `dir`, by file name. */
export function summarizeProfiles(dir: string): ProfileSummary[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .sort()
    .map((name) =>
      summarizeProfile(JSON.parse(readFileSync(join(dir, name), 'utf8')) as CpuProfile, name),
    );
}

/** A Markdown table: one row per profile, the share of its busy time per category. */
export function profilesMarkdown(summaries: ProfileSummary[]): string {
  const header = ['profile', 'busy s', ...CATEGORIES];
  const pct = (share: number) => (share >= 0.0005 ? `${(share * 100).toFixed(1)} %` : '-');
  const rows = summaries.map((summary) => [
    summary.file.replace(/\.cpuprofile$/, ''),
    (summary.busyMs / 1000).toFixed(2),
    ...CATEGORIES.map((category) => pct(summary.shares[category])),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [
    '# Where the time goes',
    '',
    'Self time of each app process by where it was spent, as a share of its busy time (idle and',
    'start-up code loading left out). "socket syscalls" is time inside socket reads and writes,',
    'which on loopback includes delivering the bytes to the other process. Open a `.cpuprofile`',
    'in Chrome DevTools (Performance) or https://www.speedscope.app for the flame graph.',
    '',
    line(header),
    line(header.map((_, i) => (i === 0 ? '---' : '---:'))),
    ...rows.map(line),
    '',
  ].join('\n');
}
