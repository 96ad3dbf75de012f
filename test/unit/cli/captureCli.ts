/** Runs the CLI as `enricher ARGV` would, with what it prints captured, at a fixed time. */

import { type CliIo, runCli } from '../../../lib/tools/cli/runCli';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

export const CLI_NOW = new Date('2026-11-20T09:00:00Z');

/** The exit code and what was printed; `io` adds settings (`env`), on-call services or a clock. */
export async function captureCli(
  argv: readonly string[],
  io: Partial<Omit<CliIo, 'stdout' | 'stderr'>> = {},
): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    now: () => CLI_NOW,
    ...io,
  });
  return { code, stdout, stderr };
}
