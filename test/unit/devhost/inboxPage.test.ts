import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Script } from 'node:vm';
import {
  ADAPTIVE_CARDS_BUNDLE_URL,
  INBOX_MESSAGES_URL,
  INBOX_REFRESH_MS,
  adaptiveCardsBundlePath,
  escapeHtml,
  inboxContentSecurityPolicy,
  renderInboxPage,
  teamsHostConfig,
} from '../../../lib/devhost/inboxPage';

const html = renderInboxPage();

function scripts(document: string): { src: string | undefined; code: string }[] {
  return [...document.matchAll(/<script(?:\s+src="([^"]*)")?>([\s\S]*?)<\/script>/g)].map(
    (match) => ({ src: match[1], code: match[2] ?? '' }),
  );
}

describe('renderInboxPage', () => {
  it('is a complete HTML document', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('loads the renderer from the dev host, then runs one inline script', () => {
    const found = scripts(html);
    expect(found.map((script) => script.src)).toEqual([ADAPTIVE_CARDS_BUNDLE_URL, undefined]);
    expect(ADAPTIVE_CARDS_BUNDLE_URL).toBe('/vendor/adaptivecards.js');
    expect(found[0]!.code).toBe('');
  });

  it('has an inline script that parses and polls /inbox/messages every 3 s', () => {
    const code = scripts(html)[1]!.code;
    expect(() => new Script(code)).not.toThrow();
    expect(INBOX_MESSAGES_URL).toBe('/inbox/messages');
    expect(INBOX_REFRESH_MS).toBe(3000);
    expect(code).toContain('"messagesUrl":"/inbox/messages"');
    expect(code).toContain('"refreshMs":3000');
    expect(code).toContain('new AC.AdaptiveCard()');
    expect(code).toContain('onExecuteAction');
    expect(code).toContain('onProcessMarkdown');
  });

  it('declares a CSP that allows exactly its own inline script', () => {
    const code = scripts(html)[1]!.code;
    const hash = createHash('sha256').update(code, 'utf8').digest('base64');
    const csp = inboxContentSecurityPolicy();
    expect(csp).toContain(`script-src 'self' 'sha256-${hash}'`);
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(csp)}">`,
    );
  });

  it('has the page furniture the browser test relies on', () => {
    for (const testId of ['count', 'hint', 'status', 'load-error', 'empty-state', 'messages']) {
      expect(html).toContain(`data-testid="${testId}"`);
    }
    expect(html).toContain('<code>npm run demo</code>');
    expect(html).toContain('<body data-state="loading">');
  });

  it('needs nothing from the network', () => {
    // The only link is an empty inline favicon, so the browser does not ask for /favicon.ico.
    expect([...html.matchAll(/<link\b[^>]*>/gi)].map((match) => match[0])).toEqual([
      '<link rel="icon" href="data:,">',
    ]);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(style).toContain('.ac-pushButton');
    expect(style).not.toMatch(/@import|@font-face|\burl\(/i);
    expect(html).not.toMatch(/\b(?:src|href)="(?:https?:)?\/\//i);
  });
});

describe('adaptiveCardsBundlePath', () => {
  it('points at the installed browser bundle of adaptivecards', () => {
    const bundle = adaptiveCardsBundlePath();
    expect(path.isAbsolute(bundle)).toBe(true);
    expect(path.basename(bundle)).toBe('adaptivecards.min.js');
    expect(existsSync(bundle)).toBe(true);
    const head = readFileSync(bundle, 'utf8').slice(0, 2000);
    expect(head).toContain('AdaptiveCards');
  });
});

describe('teamsHostConfig', () => {
  it('looks like Teams: Segoe UI, light theme, attention style', () => {
    const config = teamsHostConfig();
    expect(String(config.fontFamily)).toMatch(/^'Segoe UI'/);
    expect(config).toMatchObject({
      supportsInteractivity: true,
      containerStyles: {
        default: { backgroundColor: '#FFFFFF' },
        attention: { foregroundColors: { attention: { default: '#C4314B' } } },
      },
      actions: { maxActions: 6, actionsOrientation: 'horizontal' },
    });
  });
});

describe('escapeHtml', () => {
  it('escapes markup and both quote kinds', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
