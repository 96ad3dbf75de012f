/**
 * The on-call API end to end: the Functions handlers (`functions/silences.ts`,
 * `functions/incidentAck.ts`) on Table storage in Azurite, and the dev host's same routes over
 * HTTP with memory state (URL-encoded ids, the body cap, unknown ids).
 */

import { join } from 'node:path';

import { HttpRequest, type HttpResponseInit, InvocationContext } from '@azure/functions';

import { silentLogger } from '../../lib/common/logger';
import { CONFIG_KEYS } from '../../lib/config/configKeys';
import { loadConfig } from '../../lib/config/loadConfig';
import { type DevHost, startDevHost } from '../../lib/tools/devhost/devHost';
import { startAzurite, type Azurite } from '../support/azurite';
import { type HttpReceiver, startHttpReceiver } from '../support/httpReceiver';

type SilencesModule = typeof import('../../functions/silences');
type AckModule = typeof import('../../functions/incidentAck');

const REPO = join(__dirname, '..', '..');
const savedEnv = { ...process.env };

describe('the Functions handlers on Azurite', () => {
  let azurite: Azurite;
  let receiver: HttpReceiver;
  let silences: SilencesModule['silences'];
  let incidentAck: AckModule['incidentAck'];

  const context = (name: string) => new InvocationContext({ functionName: name });
  const call = (
    method: string,
    options: { id?: string; query?: string; body?: unknown } = {},
  ): Promise<HttpResponseInit> =>
    silences(
      new HttpRequest({
        method,
        url: `http://localhost:7071/api/silences${options.id === undefined ? '' : `/${encodeURIComponent(options.id)}`}${options.query ?? ''}`,
        headers: { 'content-type': 'application/json' },
        ...(options.id !== undefined && { params: { id: options.id } }),
        ...(options.body !== undefined && { body: { string: JSON.stringify(options.body) } }),
      }),
      context('silences'),
    );

  beforeAll(async () => {
    [azurite, receiver] = await Promise.all([startAzurite(), startHttpReceiver()]);
    const inherited = Object.fromEntries(
      Object.entries(savedEnv).filter(
        ([key]) =>
          !CONFIG_KEYS.some((k) => k.name === key) && !key.startsWith('AzureWebJobsStorage'),
      ),
    );
    process.env = {
      ...inherited,
      STATE_STORE: 'azure-storage',
      AzureWebJobsStorage: azurite.connectionString,
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: join(REPO, 'samples/workspace'),
      WEBHOOK_URL: `${receiver.origin}/hook`,
    };
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    jest.isolateModules(() => {
      ({ silences } = jest.requireActual<SilencesModule>('../../functions/silences'));
      ({ incidentAck } = jest.requireActual<AckModule>('../../functions/incidentAck'));
    });
    warn.mockRestore();
  }, 90_000);

  afterAll(async () => {
    process.env = savedEnv;
    await receiver.close();
    await azurite.stop();
  });

  test('add, list, end a silence in Table storage; one notice each; ack of an unknown incident is 404', async () => {
    const body = {
      id: 'pumps',
      matchers: ['hub=contoso-fleet-hub', 'device=~pump-*'],
      duration: '2h',
      createdBy: 'ana',
    };
    expect((await call('POST', { body })).status).toBe(201);
    expect((await call('POST', { body })).status).toBe(200);
    const list = await call('GET');
    expect(list).toMatchObject({
      status: 200,
      jsonBody: { silences: [{ id: 'pumps', held: 0, active: true }], maintenanceWindows: [] },
    });
    expect((await call('DELETE', { id: 'pumps' })).status).toBe(400);
    expect(await call('DELETE', { id: 'pumps', query: '?by=ben' })).toMatchObject({
      status: 200,
      jsonBody: { id: 'pumps', endedBy: 'ben', active: false },
    });
    expect((await call('DELETE', { id: 'nope', query: '?by=ben' })).status).toBe(404);
    const events = receiver.requests.map((r) => (r.json as { event?: string }).event);
    expect(events).toEqual(['silence.created', 'silence.ended']);
    const ack = await incidentAck(
      new HttpRequest({
        method: 'POST',
        url: 'http://localhost:7071/api/incidents/inc-0/ack',
        params: { id: 'inc-0' },
        body: { string: JSON.stringify({ by: 'ana' }) },
      }),
      context('incidentAck'),
    );
    expect(ack.status).toBe(404);
  });
});

describe('the dev host routes', () => {
  let host: DevHost;
  beforeAll(async () => {
    const env = {
      EVIDENCE_SOURCE: 'export-files',
      EXPORT_LOGS_PATH: join(REPO, 'samples/workspace'),
      STATE_STORE: 'memory',
      WEBHOOK_URL: 'http://127.0.0.1:9/hook',
    };
    host = await startDevHost({
      config: loadConfig(env),
      env,
      port: 0,
      log: silentLogger,
      incidentTimerMs: 0,
      overrides: () => ({ notifiers: [] }),
    });
  });
  afterAll(() => host.close());

  const send = async (method: string, path: string, body?: string) => {
    const response = await fetch(`${host.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined && { body }),
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  test('an id with reserved characters round-trips URL-encoded; a GET changes nothing', async () => {
    const made = await send(
      'POST',
      '/api/silences',
      JSON.stringify({
        id: 'site:81.2.69.x',
        matchers: ['site=81.2.69.XXX'],
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'ana',
      }),
    );
    expect(made.status).toBe(201);
    const one = await send('GET', `/api/silences/${encodeURIComponent('site:81.2.69.x')}`);
    expect(one.json).toMatchObject({ id: 'site:81.2.69.x', matchers: ['site=81.2.69.xxx'] });
    const withoutNow = ({ now, ...rest }: Record<string, unknown>) => (now ? rest : rest);
    const before = withoutNow((await send('GET', '/api/silences')).json);
    expect(withoutNow((await send('GET', '/api/silences')).json)).toEqual(before);
    const ended = await send(
      'DELETE',
      `/api/silences/${encodeURIComponent('site:81.2.69.x')}?by=ben`,
    );
    expect(ended).toMatchObject({ status: 200, json: { endedBy: 'ben' } });
    expect((await send('GET', '/api/silences/%E0%A4%A')).status).toBe(400);
  });

  test('413 over 64 KiB; 404 for an unknown incident; 400 for a bad body', async () => {
    const big = JSON.stringify({
      matchers: ['hub=x'],
      createdBy: 'a',
      comment: 'x'.repeat(70_000),
    });
    expect((await send('POST', '/api/silences', big)).status).toBe(413);
    expect((await send('POST', '/api/incidents/inc-0/ack', '{"by":"ana"}')).status).toBe(404);
    expect(await send('POST', '/api/silences', '{"matchers":["hub=x"]}')).toMatchObject({
      status: 400,
      json: { path: 'createdBy' },
    });
  });
});
