import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { escapeHtml } from '../../../lib/tools/devhost/inbox/escapeHtml';
import {
  INBOX_REFRESH_MS,
  inboxContentSecurityPolicy,
  renderInboxPage,
  teamsHostConfig,
} from '../../../lib/tools/devhost/inboxPage';
import {
  ADAPTIVE_CARDS_BUNDLE_URL,
  adaptiveCardsBundlePath,
  INBOX_MESSAGES_URL,
  INBOX_MODULES,
  INBOX_SCRIPT_URL,
  inboxModulePath,
} from '../../../lib/tools/devhost/inboxRoutes';

const html = renderInboxPage();

const REPO_ROOT = path.join(__dirname, '..', '..', '..');

/** Syntax errors of a file read as a browser module: ES2020 JavaScript, no TypeScript syntax. */
function moduleSyntaxErrors(file: string): string[] {
  const { diagnostics = [] } = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: 'module.js',
    reportDiagnostics: true,
    compilerOptions: {
      allowJs: true,
      module: ts.ModuleKind.ES2020,
      target: ts.ScriptTarget.ES2020,
    },
  });
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
}

function scripts(document: string): { src: string | undefined; code: string }[] {
  return [...document.matchAll(/<script((?:\s+[a-z-]+="[^"]*")*)>([\s\S]*?)<\/script>/g)].map(
    (match) => ({ src: /\ssrc="([^"]*)"/.exec(match[1] ?? '')?.[1], code: match[2] ?? '' }),
  );
}

describe('renderInboxPage', () => {
  it('is a complete HTML document', () => {
    expect(html.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(html).toContain('<title>');
    expect(html.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('loads the renderer, then its own script, both from the dev host; no inline script runs', () => {
    const found = scripts(html);
    expect(found.map((script) => script.src)).toEqual([
      undefined,
      ADAPTIVE_CARDS_BUNDLE_URL,
      INBOX_SCRIPT_URL,
    ]);
    expect(ADAPTIVE_CARDS_BUNDLE_URL).toBe('/vendor/adaptivecards.js');
    expect(found[1]!.code).toBe('');
    expect(found[2]!.code).toBe('');
    // The first is a JSON data block (type application/json): settings, never executed.
    expect(html).toContain('<script type="application/json" id="inbox-config">');
  });

  it('hands the page its settings as JSON that cannot close the script element', () => {
    const data = /<script type="application\/json" id="inbox-config">([\s\S]*?)<\/script>/.exec(
      html,
    )?.[1];
    expect(data).not.toContain('<');
    const config = JSON.parse(data ?? '') as Record<string, unknown>;
    expect(config).toMatchObject({
      messagesUrl: INBOX_MESSAGES_URL,
      refreshMs: INBOX_REFRESH_MS,
      maxCardVersion: '1.5',
    });
    expect(INBOX_MESSAGES_URL).toBe('/inbox/messages');
    expect(INBOX_REFRESH_MS).toBe(3000);
  });

  it('serves browser modules that parse and use the official renderer', () => {
    const files = Object.values(INBOX_MODULES).map((file) => inboxModulePath(REPO_ROOT, file));
    for (const file of files) expect(moduleSyntaxErrors(file)).toEqual([]);
    const code = files.map((file) => readFileSync(file, 'utf8')).join('\n');
    expect(code).toContain("document.getElementById('inbox-config')");
    expect(code).toContain('new AC.AdaptiveCard()');
    expect(code).toContain('onExecuteAction');
    expect(code).toContain('onProcessMarkdown');
  });

  it('declares a CSP that runs same-origin scripts only', () => {
    const csp = inboxContentSecurityPolicy();
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*(sha256|unsafe)/);
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
