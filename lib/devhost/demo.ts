/** `npm run demo`: posts the sample alerts to a running dev host and waits for the messages. */

import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { devHostPort, processEnvironment } from '../config';
import { repoRoot } from './main';

interface Posted {
  readonly file: string;
  readonly status: number;
  readonly duplicate: boolean;
}

/** `npm run demo -- --digest`: asks the dev host for the daily digest of the sample hub. */
async function digest(base: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(`${base}/api/digest`, { method: 'POST' });
  } catch {
    throw new Error(`No dev host at ${base}: start it with \`npm start\` first`);
  }
  const text = await response.text();
  console.log(`POST /api/digest → ${response.status} ${text}`);
  if (response.status !== 200) {
    process.exitCode = 1;
    return;
  }
  console.log(`The digest is in the inbox: open ${base}/ to read it.`);
}

async function main(): Promise<void> {
  const base = `http://localhost:${devHostPort(processEnvironment())}`;
  if (process.argv.includes('--digest')) {
    await digest(base);
    return;
  }
  const folder = join(repoRoot(), 'samples', 'alerts');
  const files = (await readdir(folder)).filter((f) => f.endsWith('.json')).sort();
  let before: number;
  try {
    before = ((await (await fetch(`${base}/inbox/messages`)).json()) as unknown[]).length;
  } catch {
    throw new Error(`No dev host at ${base}: start it with \`npm start\` first`);
  }
  const posted: Posted[] = [];
  for (const file of files) {
    const response = await fetch(`${base}/api/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: await readFile(join(folder, file)),
    });
    const text = await response.text();
    posted.push({ file, status: response.status, duplicate: text.includes('"duplicate":true') });
    console.log(`POST ${file} → ${response.status} ${text}`);
  }
  const expected = posted.filter((p) => p.status === 202 && !p.duplicate).length;
  const duplicates = posted.filter((p) => p.duplicate).length;
  if (duplicates > 0) {
    console.log(
      `${duplicates} alert(s) were already accepted by this dev host and are not posted twice (restart it to replay them).`,
    );
  }
  const deadline = Date.now() + 30_000;
  let count = before;
  while (Date.now() < deadline && count < before + expected) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    count = ((await (await fetch(`${base}/inbox/messages`)).json()) as unknown[]).length;
  }
  console.log(
    `${count - before} of ${expected} enriched messages delivered. Open ${base}/ to read them.`,
  );
  if (count - before < expected) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
