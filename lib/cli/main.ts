#!/usr/bin/env node
import { runCli } from './runCli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
}).then((code) => {
  process.exitCode = code;
});
