#!/usr/bin/env node
import { processEnvironment } from '../../config/loadConfig';
import { runCli } from './runCli';

void runCli(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
  env: processEnvironment(),
}).then((code) => {
  process.exitCode = code;
});
