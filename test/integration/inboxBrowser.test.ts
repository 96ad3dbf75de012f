import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { Browser, ConsoleMessage, Page } from 'playwright-core';
import { renderInboxPage } from '../../lib/tools/devhost/inboxPage';
import {
  ADAPTIVE_CARDS_BUNDLE_URL,
  adaptiveCardsBundlePath,
  INBOX_MESSAGES_URL,
  inboxModuleFile,
  inboxModulePath,
  type InboxMessage,
} from '../../lib/tools/devhost/inboxRoutes';
import { buildDigestReport } from '../../lib/digest/digestReport';
import { gatherDigest } from '../../lib/digest/gatherDigest';
import { ExportDigestSource } from '../../lib/digest/digestSource';
import { ExportFileSource } from '../../lib/evidence/exportFileSource';
import { renderDigestTeamsMessage } from '../../lib/render/digestCard';
import { InMemoryActivityLedger } from '../../lib/state/memory/memoryActivityLedger';
import { teamsEnvelopeProblems, validateAdaptiveCard } from '../support/adaptiveCardSchema';
import { launchChromium } from '../support/chromium';
import { repoPath } from '../support/fixtures';
import { listenLocally } from '../../lib/tools/bench/localServer';

// A realistic enriched-alert card: markdown, FactSet, ColumnSet, an attention Container, a link.
const alertCard = {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
  type: 'AdaptiveCard',
  version: '1.5',
  msteams: { width: 'Full' },
  body: [
    {
      type: 'Container',
      style: 'attention',
      bleed: true,
      items: [
        {
          type: 'TextBlock',
          text: 'Sev2 · 37 devices disconnected from hub-prod-weu',
          size: 'Large',
          weight: 'Bolder',
          wrap: true,
          style: 'heading',
        },
        {
          type: 'TextBlock',
          text: 'Probable cause: **IoT Hub transient issue** (confidence 82 %)',
          wrap: true,
          spacing: 'Small',
        },
      ],
    },
    {
      type: 'TextBlock',
      text: 'Devices across _every site_ dropped within 40 s, far above their normal rate. See the [troubleshooting guide](https://learn.microsoft.com/azure/iot-hub/iot-hub-troubleshoot-error-404104-deviceconnectionclosedremotely) for 404104.',
      wrap: true,
    },
    {
      type: 'ColumnSet',
      columns: [
        {
          type: 'Column',
          width: 'stretch',
          items: [
            { type: 'TextBlock', text: 'Devices', isSubtle: true, size: 'Small' },
            {
              type: 'TextBlock',
              text: '37 of 412',
              weight: 'Bolder',
              size: 'Medium',
              spacing: 'None',
            },
          ],
        },
        {
          type: 'Column',
          width: 'stretch',
          items: [
            { type: 'TextBlock', text: 'Scope', isSubtle: true, size: 'Small' },
            { type: 'TextBlock', text: 'fleet', weight: 'Bolder', size: 'Medium', spacing: 'None' },
          ],
        },
        {
          type: 'Column',
          width: 'stretch',
          items: [
            { type: 'TextBlock', text: 'Reconnected', isSubtle: true, size: 'Small' },
            {
              type: 'TextBlock',
              text: '35 within 2 min',
              weight: 'Bolder',
              size: 'Medium',
              spacing: 'None',
            },
          ],
        },
      ],
    },
    {
      type: 'FactSet',
      separator: true,
      spacing: 'Medium',
      facts: [
        { title: 'Hub', value: 'hub-prod-weu' },
        { title: 'Window', value: '2025-11-26 06:10–06:15 UTC' },
        { title: '404104 disconnects', value: '41 (baseline 3)' },
        { title: '500xxx errors', value: '12' },
      ],
    },
    {
      type: 'TextBlock',
      text: '**What to do**\n\n- Check Azure Service Health for IoT Hub in West Europe\n- Watch the connected-device count recover',
      wrap: true,
    },
  ],
  actions: [
    {
      type: 'Action.OpenUrl',
      title: 'Open in Log Analytics',
      url: 'https://portal.azure.com/#blade/Microsoft_OperationsManagementSuite_Workspace/Logs.ReactView',
    },
  ],
};

const teamsEnvelope = {
  type: 'message',
  attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: alertCard }],
};

const brokenEnvelope = {
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Nope' }] },
    },
  ],
};

const XSS = '<script>alert(1)</script>';

// Card text is markdown, never HTML: tags, event handlers and javascript: links must stay inert.
const hostileEnvelope = {
  type: 'message',
  attachments: [
    {
      contentType: 'application/vnd.microsoft.card.adaptive',
      content: {
        type: 'AdaptiveCard',
        version: '1.5',
        body: [
          {
            type: 'TextBlock',
            text:
              'Hi <at>Adele</at>: <img src=x onerror=alert(2)> and [a link](javascript:alert(3)) ' +
              XSS,
            wrap: true,
          },
        ],
        msteams: {
          entities: [
            {
              type: 'mention',
              text: '<at>Adele</at>',
              mentioned: { id: 'adele@contoso.example', name: 'Adele Vance' },
            },
          ],
        },
      },
    },
  ],
};

// As a route list delivers them (samples/routes.json): three receivers, one of them signed.
const receivers = [
  { name: 'teams', type: 'teams', inbox: true, signed: false },
  { name: 'platform', type: 'teams', inbox: true, signed: false },
  { name: 'provisioning', type: 'webhook', inbox: true, signed: true },
] as const;

const messages: InboxMessage[] = [
  {
    id: 'm3',
    receivedAt: '2025-11-26T06:16:30.000Z',
    channel: 'teams',
    receiver: 'platform',
    body: teamsEnvelope,
  },
  {
    id: 'm2',
    receivedAt: '2025-11-26T06:16:20.000Z',
    channel: 'webhook',
    receiver: 'provisioning',
    signature: 'valid',
    body: { schemaVersion: '1.0', cause: 'iot-hub-transient', note: XSS },
  },
  {
    id: 'm1',
    receivedAt: '2025-11-26T06:16:10.000Z',
    channel: 'teams',
    receiver: 'teams',
    body: brokenEnvelope,
  },
  {
    id: 'm0',
    receivedAt: '2025-11-26T06:16:00.000Z',
    channel: 'teams',
    receiver: 'teams',
    body: hostileEnvelope,
  },
];

let messagesJson = JSON.stringify(messages);
let server: Server;
let baseUrl: string;
let browser: Browser | undefined;

interface PageLog {
  pageErrors: string[];
  consoleErrors: string[];
  dialogs: string[];
  popups: number;
  blocked: string[];
}

async function openInbox(): Promise<{ page: Page; log: PageLog }> {
  if (!browser) throw new Error('Chromium did not start (see the first failure)');
  const context = await browser.newContext({ viewport: { width: 1100, height: 1400 } });
  const page = await context.newPage();
  const log: PageLog = { pageErrors: [], consoleErrors: [], dialogs: [], popups: 0, blocked: [] };
  page.on('pageerror', (error) => log.pageErrors.push(error.message));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      log.consoleErrors.push(`${message.type()}: ${message.text()}`);
    }
  });
  page.on('dialog', (dialog) => {
    log.dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  context.on('page', () => {
    log.popups += 1;
  });
  // Nothing may leave the machine: record and refuse every request not to the test server.
  await context.route(/^(?!http:\/\/127\.0\.0\.1:)/, (route) => {
    log.blocked.push(route.request().url());
    return route.abort();
  });
  await page.goto(baseUrl);
  await page.waitForSelector('body[data-state="ready"]');
  return { page, log };
}

describe('the sample data', () => {
  it('is a valid Adaptive Card 1.5 in a valid Workflows envelope', () => {
    expect(validateAdaptiveCard(alertCard)).toEqual({ valid: true, errors: [] });
    expect(teamsEnvelopeProblems(teamsEnvelope)).toEqual([]);
    expect(validateAdaptiveCard(hostileEnvelope.attachments[0]!.content)).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('includes a card the schema rejects', () => {
    const result = validateAdaptiveCard(brokenEnvelope.attachments[0]!.content);
    expect(result.valid).toBe(false);
    expect(result.errors.length).toBeGreaterThan(0);
  });
});

describe('Adaptive Card schema helpers', () => {
  const minimal = {
    type: 'AdaptiveCard',
    version: '1.5',
    body: [{ type: 'TextBlock', text: 'hi' }],
  };
  const envelope = (content: unknown) => ({
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content }],
  });

  it('checks msteams on its own', () => {
    expect(validateAdaptiveCard({ ...minimal, msteams: { width: 'Full' } }).valid).toBe(true);
    expect(validateAdaptiveCard({ ...minimal, msteams: { width: 'Wide' } }).errors).toEqual([
      '/msteams/width must be "Full"',
    ]);
    expect(validateAdaptiveCard({ ...minimal, msteams: { foo: 1 } }).errors).toEqual([
      '/msteams has unsupported property "foo" (only width and entities)',
    ]);
    expect(
      validateAdaptiveCard({ ...minimal, msteams: { entities: [{ type: 'mention' }] } }).errors,
    ).toEqual([
      '/msteams/entities/0/text must look like "<at>Name</at>"',
      '/msteams/entities/0/mentioned must have string id and name',
    ]);
  });

  it('rejects what the 1.5 schema rejects', () => {
    expect(validateAdaptiveCard('card').valid).toBe(false);
    expect(validateAdaptiveCard({ ...minimal, extra: true }).errors).toContain(
      '/ must NOT have additional properties (extra)',
    );
    // The schema spells it firstRowAsHeader; Microsoft's samples' plural is rejected.
    const table = (headerProperty: string) => ({
      type: 'Table',
      [headerProperty]: true,
      columns: [{ width: 1 }],
      rows: [{ type: 'TableRow', cells: [{ type: 'TableCell', items: [] }] }],
    });
    expect(validateAdaptiveCard({ ...minimal, body: [table('firstRowAsHeaders')] }).valid).toBe(
      false,
    );
    expect(validateAdaptiveCard({ ...minimal, body: [table('firstRowAsHeader')] })).toEqual({
      valid: true,
      errors: [],
    });
  });

  it('checks the Workflows envelope', () => {
    expect(teamsEnvelopeProblems(envelope(minimal))).toEqual([]);
    expect(teamsEnvelopeProblems([])).toEqual(['body must be a JSON object']);
    expect(teamsEnvelopeProblems({ attachments: [] })).toEqual([
      'type must be "message" (got nothing)',
      'attachments must be a non-empty array',
    ]);
    expect(
      teamsEnvelopeProblems({
        type: 'message',
        attachments: [{ contentType: 'application/json', content: { ...minimal, version: '1.6' } }],
      }),
    ).toEqual([
      'attachments[0].contentType must be "application/vnd.microsoft.card.adaptive"',
      'attachments[0].content.version "1.6" is above 1.5, the highest Teams supports',
    ]);
    const big = envelope({
      ...minimal,
      body: [{ type: 'TextBlock', text: 'é'.repeat(13_300) }],
    });
    expect(teamsEnvelopeProblems(big)).toEqual([
      expect.stringMatching(/^body is 26\d{3} bytes, over the 26624-byte \(26 KB\) budget$/),
    ]);
  });
});

describe('inbox page in headless Chromium', () => {
  // Only these tests need the browser: the schema tests above run without it.
  beforeAll(async () => {
    const page = renderInboxPage({ receivers });
    const bundle = readFileSync(adaptiveCardsBundlePath());
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const inboxModule = inboxModuleFile(url.pathname);
      if (url.pathname === '/') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
      } else if (url.pathname === ADAPTIVE_CARDS_BUNDLE_URL) {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
      } else if (inboxModule !== undefined) {
        res
          .writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' })
          .end(readFileSync(inboxModulePath(repoPath(), inboxModule)));
      } else if (url.pathname === INBOX_MESSAGES_URL) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(messagesJson);
      } else {
        res.writeHead(404).end();
      }
    });
    baseUrl = `http://127.0.0.1:${await listenLocally(server)}`;
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => {
      server.close(() => {
        resolve();
      });
    });
  });

  it('renders Teams cards, webhook JSON and a broken card, newest first', async () => {
    const { page, log } = await openInbox();

    const items = page.getByTestId('message');
    await expect(items.count()).resolves.toBe(4);

    // INBOX_SCREENSHOT=/tmp/inbox.png keeps a picture of the page for a human to look at.
    const screenshot = await page.screenshot({ fullPage: true });
    expect(screenshot.subarray(1, 4).toString('latin1')).toBe('PNG');
    const screenshotPath = process.env.INBOX_SCREENSHOT;
    if (screenshotPath) writeFileSync(screenshotPath, screenshot);
    const order = await items.evaluateAll((nodes) =>
      nodes.map((node) => [node.getAttribute('data-id'), node.getAttribute('data-channel')]),
    );
    expect(order).toEqual([
      ['m3', 'teams'],
      ['m2', 'webhook'],
      ['m1', 'teams'],
      ['m0', 'teams'],
    ]);
    await expect(page.getByTestId('count').textContent()).resolves.toBe('4 messages');
    await expect(page.getByTestId('empty-state').isHidden()).resolves.toBe(true);
    await expect(page.getByTestId('hint').textContent()).resolves.toContain('npm run demo');

    // The realistic card, rendered by the adaptivecards renderer.
    const card = items.nth(0).getByTestId('card');
    await expect(card.locator('.ac-adaptiveCard').count()).resolves.toBe(1);
    const cardText = (await card.innerText()).replace(/\s+/g, ' ');
    expect(cardText).toContain('Sev2 · 37 devices disconnected from hub-prod-weu');
    expect(cardText).toContain('Probable cause: IoT Hub transient issue (confidence 82 %)');
    expect(cardText).toContain('37 of 412');
    expect(cardText).not.toContain('**');
    await expect(
      card.locator('strong', { hasText: 'IoT Hub transient issue' }).count(),
    ).resolves.toBe(1);
    await expect(card.locator('em', { hasText: 'every site' }).count()).resolves.toBe(1);
    await expect(
      card.locator('li', { hasText: 'Check Azure Service Health' }).count(),
    ).resolves.toBe(1);
    const guide = card.locator('a', { hasText: 'troubleshooting guide' });
    await expect(guide.getAttribute('href')).resolves.toMatch(/^https:\/\/learn\.microsoft\.com\//);
    await expect(guide.getAttribute('target')).resolves.toBe('_blank');

    const factTitles = await card.locator('.ac-fact-title').allInnerTexts();
    expect(factTitles).toEqual(['Hub', 'Window', '404104 disconnects', '500xxx errors']);
    for (const title of factTitles) {
      await expect(card.locator('.ac-fact-title', { hasText: title }).isVisible()).resolves.toBe(
        true,
      );
    }
    const factValues = await card.locator('.ac-fact-value').allInnerTexts();
    expect(factValues).toContain('41 (baseline 3)');
    await expect(card.locator('.ac-columnSet').count()).resolves.toBe(1);

    // The attention container gets the host config's attention background.
    const attentionBackground = await card
      .locator('.ac-container:not(.ac-adaptiveCard)', { hasText: 'Sev2' })
      .first()
      .evaluate((node) => getComputedStyle(node).backgroundColor);
    expect(attentionBackground).toBe('rgb(253, 243, 244)');
    await expect(card.getByTestId('card-error').count()).resolves.toBe(0);
    await expect(card.getByTestId('card-warning').count()).resolves.toBe(0);

    // Action.OpenUrl: a button (announced as a link by the renderer) that opens a new tab.
    const button = card.locator('button.ac-pushButton', { hasText: 'Open in Log Analytics' });
    await expect(button.isVisible()).resolves.toBe(true);
    await expect(button.getAttribute('role')).resolves.toBe('link');
    expect(log.blocked).toEqual([]);
    const popup = page.context().waitForEvent('page');
    await button.click();
    await popup;
    await page.waitForTimeout(200);
    expect(log.popups).toBe(1);
    expect(log.blocked).toEqual([expect.stringMatching(/^https:\/\/portal\.azure\.com\//)]);

    // The webhook message: pretty JSON, the script tag shown as text, never executed.
    const json = items.nth(1).getByTestId('webhook-json');
    const jsonText = await json.textContent();
    expect(JSON.parse(jsonText!)).toEqual(messages[1]!.body);
    expect(jsonText).toContain('\n  "cause": "iot-hub-transient"');
    expect(jsonText).toContain(XSS);
    await expect(json.locator('script').count()).resolves.toBe(0);
    await expect(page.locator('main script').count()).resolves.toBe(0);
    expect(log.dialogs).toEqual([]);

    // The broken card: a visible notice, and the page keeps working.
    const broken = items.nth(2);
    const error = broken.getByTestId('card-error');
    await expect(error.isVisible()).resolves.toBe(true);
    await expect(error.innerText()).resolves.toMatch(/rendered nothing visible[\s\S]*Nope/);

    // Hostile card text: shown as text, the mention highlighted, no element or link injected.
    const hostile = items.nth(3).getByTestId('card');
    const hostileText = (await hostile.innerText()).replace(/\s+/g, ' ');
    expect(hostileText).toContain(
      'Hi Adele: <img src=x onerror=alert(2)> and [a link](javascript:alert(3)) ' + XSS,
    );
    await expect(hostile.locator('.mention').textContent()).resolves.toBe('Adele');
    await expect(hostile.locator('img, script, a').count()).resolves.toBe(0);
    expect(log.dialogs).toEqual([]);

    // No page errors and no console errors or warnings.
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);

    await page.context().close();
  });

  it('polls every 3 s, re-renders only when the list changed and keeps unchanged messages', async () => {
    messagesJson = JSON.stringify(messages);
    const { page, log } = await openInbox();
    const body = page.locator('body');
    await expect(body.getAttribute('data-render-count')).resolves.toBe('1');
    await expect(body.getAttribute('data-poll-count')).resolves.toBe('1');
    await page
      .getByTestId('card')
      .first()
      .evaluate((node) => {
        node.setAttribute('data-marker', 'kept');
      });

    // The timer polls again by itself; the list is the same, so the DOM is left alone.
    const started = Date.now();
    await page.waitForSelector('body[data-poll-count="2"]', { timeout: 6000 });
    expect(Date.now() - started).toBeGreaterThan(2000);
    await expect(body.getAttribute('data-render-count')).resolves.toBe('1');

    // A new message arrives (polled at once when the tab regains focus): it goes on top and the
    // existing messages keep their DOM.
    const newest: InboxMessage = {
      id: 'm4',
      receivedAt: '2025-11-26T06:17:00.000Z',
      channel: 'webhook',
      receiver: 'provisioning',
      signature: 'bad-signature',
      body: { hello: 'world' },
    };
    messagesJson = JSON.stringify([newest, ...messages]);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await page.waitForSelector('body[data-render-count="2"]', { timeout: 2000 });
    await expect(page.getByTestId('message').count()).resolves.toBe(5);
    await expect(page.getByTestId('message').first().getAttribute('data-id')).resolves.toBe('m4');
    await expect(page.getByTestId('count').textContent()).resolves.toBe('5 messages');
    await expect(page.locator('[data-marker="kept"]').count()).resolves.toBe(1);
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it("names each message's receiver and shows one receiver's messages at a time", async () => {
    messagesJson = JSON.stringify(messages);
    const { page, log } = await openInbox();
    const items = page.getByTestId('message');
    await expect(items.getByTestId('receiver').allInnerTexts()).resolves.toEqual([
      'to platform',
      'to provisioning',
      'to teams',
      'to teams',
    ]);
    await expect(items.nth(1).getByTestId('signature').innerText()).resolves.toBe(
      'Signature valid',
    );
    await expect(items.nth(0).getByTestId('signature').count()).resolves.toBe(0);

    // One button per configured receiver, with its count, and All.
    const filters = page.getByTestId('receiver-filter');
    await expect(filters.allInnerTexts()).resolves.toEqual([
      'All receivers · 4',
      'teams · teams · 2',
      'platform · teams · 1',
      'provisioning · webhook · 1',
    ]);
    // What is on screen: laid out, not merely marked hidden.
    const visibleIds = () =>
      items.evaluateAll((nodes) =>
        nodes
          .filter((n) => (n as HTMLElement).offsetParent !== null)
          .map((n) => n.getAttribute('data-id')),
      );
    await page.locator('[data-testid="receiver-filter"][data-receiver="teams"]').click();
    await expect(visibleIds()).resolves.toEqual(['m1', 'm0']);
    await expect(page.getByTestId('count').textContent()).resolves.toBe(
      '2 of 4 messages · to teams',
    );
    await expect(
      page.locator('[data-receiver="teams"][aria-pressed="true"]').count(),
    ).resolves.toBe(1);
    expect(new URL(page.url()).hash).toBe('#receiver=teams');

    // The pick survives a reload (it is in the address), and All shows everything again.
    await page.reload();
    await page.waitForSelector('body[data-state="ready"]');
    await expect(visibleIds()).resolves.toEqual(['m1', 'm0']);
    await page.locator('[data-testid="receiver-filter"][data-receiver=""]').click();
    await expect(visibleIds()).resolves.toEqual(['m3', 'm2', 'm1', 'm0']);
    await expect(page.getByTestId('count').textContent()).resolves.toBe('4 messages');
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    await page.context().close();
  });

  it('renders the daily digest card of the sample hub with its sections and query links', async () => {
    const hub =
      '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
    const until = new Date('2026-11-20T08:00:00Z');
    const evidence = await ExportFileSource.fromPath(repoPath('samples', 'workspace'));
    const report = buildDigestReport(
      await gatherDigest(hub, until, {
        digest: new ExportDigestSource(evidence.events),
        evidence,
        activity: new InMemoryActivityLedger(),
      }),
      until,
    );
    const digest: InboxMessage = {
      id: 'd1',
      receivedAt: '2026-11-20T08:00:05.000Z',
      channel: 'teams',
      receiver: 'teams',
      body: renderDigestTeamsMessage(report),
    };
    messagesJson = JSON.stringify([digest]);
    const { page, log } = await openInbox();

    const card = page.getByTestId('message').first().getByTestId('card');
    await expect(card.locator('.ac-adaptiveCard').count()).resolves.toBe(1);
    await expect(card.getByTestId('card-error').count()).resolves.toBe(0);
    await expect(card.getByTestId('card-warning').count()).resolves.toBe(0);
    const cardText = (await card.innerText()).replace(/\s+/g, ' ');
    expect(cardText).toContain('contoso-fleet-hub');
    for (const section of report.sections) expect(cardText).toContain(section.title);
    expect(cardText).toContain('pump-station-7');
    expect(cardText).not.toContain('**');
    // Lines link to the Log Analytics query that shows them, opened in a new tab.
    const links = await card
      .locator('a[href^="https://portal.azure.com/"]')
      .evaluateAll((nodes) => nodes.map((node) => node.getAttribute('target')));
    expect(links.length).toBeGreaterThan(0);
    expect(new Set(links)).toEqual(new Set(['_blank']));
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    expect(log.blocked).toEqual([]);
    await page.context().close();
  });

  it('shows the empty state and a load error without breaking', async () => {
    messagesJson = '[]';
    const { page, log } = await openInbox();
    const refreshNow = () => page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await expect(page.getByTestId('empty-state').isVisible()).resolves.toBe(true);
    await expect(page.getByTestId('empty-state').innerText()).resolves.toContain('npm run demo');
    await expect(page.getByTestId('count').textContent()).resolves.toBe('0 messages');

    messagesJson = 'not json';
    await refreshNow();
    await page.waitForSelector('body[data-state="error"]', { timeout: 2000 });
    await expect(page.getByTestId('load-error').innerText()).resolves.toContain(
      'Could not load /inbox/messages',
    );
    await expect(page.getByTestId('empty-state').isVisible()).resolves.toBe(true);

    messagesJson = JSON.stringify(messages);
    await refreshNow();
    await page.waitForSelector('body[data-state="ready"]', { timeout: 2000 });
    await expect(page.getByTestId('load-error').isHidden()).resolves.toBe(true);
    await expect(page.getByTestId('message').count()).resolves.toBe(4);
    await expect(page.getByTestId('empty-state').isHidden()).resolves.toBe(true);
    expect(log.pageErrors).toEqual([]);
    expect(log.consoleErrors).toEqual([]);
    await page.context().close();
  });
});
