import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';
import type { MachineInfo } from './model';

export const VERSIONED_PACKAGES = [
  '@nestjs/core',
  '@nestjs/microservices',
  '@nestjs/platform-fastify',
  'amqplib',
  'amqp-connection-manager',
  'fastify',
  'undici',
  'hdr-histogram-js',
];

export function machineInfo(rabbitmq: string | null): MachineInfo {
  const list = cpus();
  return {
    cpus: list.length,
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()} (${process.platform}/${process.arch})`,
    node: process.version,
    rabbitmq,
  };
}

/** Installed versions, read from each package's own package.json (exports may hide it). */
export function packageVersions(
  cwd: string,
  names = VERSIONED_PACKAGES,
): Record<string, string | null> {
  return Object.fromEntries(
    names.map((name) => {
      try {
        const text = readFileSync(join(cwd, 'node_modules', name, 'package.json'), 'utf8');
        const version = (JSON.parse(text) as { version?: unknown }).version;
        return [name, typeof version === 'string' ? version : null];
      } catch {
        return [name, null];
      }
    }),
  );
}

export function gitState(cwd: string): { commit: string | null; dirty: boolean | null } {
  const git = (args: string[]) =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim();
  let commit: string | null = null;
  try {
    commit = git(['rev-parse', 'HEAD']) || null;
  } catch {
    commit = null;
  }
  let dirty: boolean | null = null;
  try {
    dirty = git(['status', '--porcelain', '--untracked-files=no']).length > 0;
  } catch {
    dirty = null;
  }
  return { commit, dirty };
}
