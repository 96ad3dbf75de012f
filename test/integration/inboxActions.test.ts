/**
 * The action links on the dev host: cards in the inbox carry them, signed with the host's
 * throwaway key and pointing at the host itself; the page behind "Acknowledge" says what it will
 * do, changes nothing until its form is posted, then acknowledges once, and the next card says
 * who is on it. Over HTTP, then clicked in Chromium.
 */

import type { Browser } from 'playwright-core';

import type { IncidentMessage } from '../../lib/incidents/outgoingMessage';
import { createActionLinkSigner } from '../../lib/intake/actionLinkSigner';
import { renderMessageBody } from '../../lib/render/messageBody';
import type { DevHost } from '../../lib/tools/devhost/devHost';
import { devHostEnvironment } from '../../lib/tools/devhost/sampleEnvironment';
import { launchChromium } from '../support/chromium';
import { REPO_ROOT } from '../support/fixtures';
import { startInboxDevHost } from '../support/inboxDevHost';
import { incidentRecord } from '../unit/render/incidentFixture';

let host: DevHost;
let browser: Browser | undefined;

beforeAll(async () => {
  host = await startInboxDevHost(devHostEnvironment({}, REPO_ROOT, 7071), { incidentTimerMs: 0 });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await host.close();
});

beforeEach(async () => {
  await fetch(`${host.url}/inbox/messages`, { method: 'DELETE' });
});

/** An open incident in the host's store, and its update card (with links) in the inbox. */
async function postIncidentCard(id: string): Promise<string> {
  const onCall = await host.services.onCall();
  const incident = incidentRecord({
    id,
    key: `key-${id}`,
    openedAt: host.clock.now().toISOString(),
  });
  await onCall.incidents.insert(incident);
  const message: IncidentMessage = { kind: 'incident', id: `${id}-r2`, event: 'updated', incident };
  const sign = createActionLinkSigner(host.actionLinks.settings, host.clock.now);
  const body = renderMessageBody('teams', message, host.clock.now().toISOString(), sign);
  const posted = await fetch(`${host.url}/inbox/teams`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(posted.status).toBe(202);
  const url = /"url":"([^"]*\/api\/act\?token=[^"]*)"/.exec(body)?.[1];
  if (url === undefined) throw new Error('no action link on the card');
  return url;
}

async function acknowledged(id: string) {
  const onCall = await host.services.onCall();
  return (await onCall.incidents.activeIncidents()).find((v) => v.value.id === id)?.value
    .acknowledged;
}

test('the host signs with a throwaway key and links to itself', () => {
  expect(host.actionLinks.throwaway).toBe(true);
  expect(host.actionLinks.settings.baseUrl).toBe(host.url);
});

test('over HTTP: GET shows what will happen and changes nothing; POST acknowledges once', async () => {
  const url = await postIncidentCard('inc-http');
  expect(url.startsWith(`${host.url}/api/act?token=`)).toBe(true);
  const page = await fetch(url);
  expect(page.status).toBe(200);
  expect(page.headers.get('x-frame-options')).toBe('DENY');
  expect(await page.text()).toContain('Acknowledge incident on contoso-fleet-hub');
  expect(await acknowledged('inc-http')).toBeUndefined();

  const form = (by: string) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ by }).toString(),
    });
  expect((await form('Ana')).status).toBe(200);
  expect(await (await form('Ben')).text()).toContain('Already acknowledged by Ana');
  expect((await acknowledged('inc-http'))?.by).toBe('Ana');
  const tampered = await fetch(url.replace(/token=./, 'token=A'));
  expect(tampered.status).toBeGreaterThanOrEqual(400);
});

test('in Chromium: the card in the inbox, its Acknowledge link, the page, the next card', async () => {
  await postIncidentCard('inc-browser');
  browser = await launchChromium();
  const context = await browser.newContext();
  const inbox = await context.newPage();
  await inbox.goto(host.url);
  await inbox.waitForSelector('body[data-state="ready"]');
  const card = inbox.getByTestId('card').first();
  await card.locator('.ac-adaptiveCard').waitFor();
  // The drop curve falls back to its table here, without a warning.
  await expect(card.getByTestId('card-warning').count()).resolves.toBe(0);
  await expect(card.getByTestId('card-error').count()).resolves.toBe(0);
  expect((await card.innerText()).replace(/\s+/g, ' ')).toContain('Devices dropped');

  const [actionPage] = await Promise.all([
    context.waitForEvent('page'),
    // Action.OpenUrl: a button the renderer announces as a link, opening a new tab.
    card.locator('button.ac-pushButton', { hasText: /^Acknowledge$/ }).click(),
  ]);
  await actionPage.waitForLoadState();
  await expect(actionPage.locator('h1').innerText()).resolves.toContain(
    'Acknowledge incident on contoso-fleet-hub (iot-hub-transient, 125 devices)',
  );
  expect(await acknowledged('inc-browser')).toBeUndefined();
  await actionPage.fill('#by', 'Ana <b>');
  await Promise.all([actionPage.waitForLoadState(), actionPage.click('button[type="submit"]')]);
  await expect(actionPage.locator('body').innerText()).resolves.toContain(
    'Acknowledged by Ana <b>',
  );
  expect((await acknowledged('inc-browser'))?.by).toBe('Ana <b>');

  // The next card of the incident says who is on it.
  const onCall = await host.services.onCall();
  const record = (await onCall.incidents.activeIncidents()).find(
    (v) => v.value.id === 'inc-browser',
  )?.value;
  if (!record) throw new Error('incident gone');
  const next = renderMessageBody(
    'teams',
    { kind: 'incident', id: 'inc-browser-r3', event: 'updated', incident: record },
    host.clock.now().toISOString(),
  );
  expect(next).toContain(String.raw`Acknowledged by Ana \\<b\\>`);

  // "Mute this site until resolved": the inbox lists the silence it made.
  await Promise.all([
    context.waitForEvent('page').then(async (mutePage) => {
      await mutePage.waitForLoadState();
      await mutePage.fill('#by', 'Ben');
      await Promise.all([mutePage.waitForLoadState(), mutePage.click('button[type="submit"]')]);
      await expect(mutePage.locator('body').innerText()).resolves.toContain('Muted by Ben');
    }),
    card.locator('button.ac-pushButton', { hasText: 'Mute this site until resolved' }).click(),
  ]);
  const silence = inbox.getByTestId('silence').first();
  await silence.waitFor({ timeout: 10_000 });
  await expect(silence.innerText()).resolves.toMatch(
    /^hub=contoso-fleet-hub, site=81\.2\.69\.xxx, cause=iot-hub-transient · until the incident is resolved · by Ben · held 0$/,
  );
}, 60_000);
