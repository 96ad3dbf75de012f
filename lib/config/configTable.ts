/**
 * The README's configuration table, generated from `CONFIG_KEYS` (`npm run docs:config`) so the
 * documentation cannot drift from the keys the loader reads.
 */

import { CONFIG_KEYS } from './configKeys';

export function renderConfigTable(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = CONFIG_KEYS.map((key) => {
    const required = key.required === true ? 'yes' : key.required === false ? 'no' : key.required;
    const fallback = key.default === undefined ? '' : `\`${key.default}\``;
    return `| \`${key.name}\` | ${cell(required)} | ${fallback} | ${key.secret ? 'yes' : 'no'} | ${cell(key.description)} |`;
  });
  return [
    '| Key | Required | Default | Secret | Description |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}
