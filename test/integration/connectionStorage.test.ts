/**
 * The connection-event path's Azure adapters against a real Azurite started by the test, through
 * the clients `createStorageClients` builds for the worker: each identity's record in the
 * `enricherconnections` table (insert-if-absent, ETag-conditional replace) and the reconnect-grace
 * checks on the `connection-checks` queue, whose visibility time-out is the delay.
 */

import type { TokenCredential } from '@azure/identity';
import type { QueueClient } from '@azure/storage-queue';

import type { DeviceIdentity } from '../../lib/connections/connectionEvent';
import type { ConnectionCheck, IdentityState } from '../../lib/connections/identityState';
import { createStorageClients, type StorageClients } from '../../lib/state/azure/azureStorageState';
import {
  StorageConnectionCheckQueue,
  TableConnectionStates,
} from '../../lib/state/azure/connectionStorage';
import { parseConnectionCheck } from '../../lib/state/connectionCheckMessage';
import { startAzurite, type Azurite } from '../support/azurite';
import { HUB } from '../support/scenario';

const noCredential = (): TokenCredential => {
  throw new Error('connection-string storage must not ask for a credential');
};

let azurite: Azurite;
let clients: StorageClients;

// Starting Azurite can take a while on a busy machine running several suites at once.
beforeAll(async () => {
  azurite = await startAzurite();
  clients = createStorageClients({ connectionString: azurite.connectionString }, noCredential);
}, 90_000);

afterAll(async () => {
  await azurite.stop();
});

let sequence = 0x2000;

/** A zero-padded hex sequence number, as IoT Hub sends them, increasing with each call. */
function nextSequence(): string {
  sequence += 3;
  return sequence.toString(16).padStart(64, '0');
}

function disconnected(identity: DeviceIdentity, at = '2026-11-20T06:14:50.000Z'): IdentityState {
  const sequenceNumber = nextSequence();
  return {
    ...identity,
    hubName: 'contoso-fleet-hub',
    sequenceNumber,
    state: 'disconnected',
    at,
    drop: { sequenceNumber, at },
  };
}

function reconnected(previous: IdentityState, at = '2026-11-20T06:18:50.000Z'): IdentityState {
  const { drop, ...rest } = previous;
  return {
    ...rest,
    sequenceNumber: nextSequence(),
    state: 'connected',
    at,
    ...(drop && {
      lastReturn: { dropSequence: drop.sequenceNumber, droppedAt: drop.at, returnedAt: at },
    }),
  };
}

function graceCheck(identity: DeviceIdentity, drop: IdentityState): ConnectionCheck {
  return {
    version: 1,
    kind: 'grace',
    ...identity,
    hubName: 'contoso-fleet-hub',
    dropSequence: drop.sequenceNumber,
    droppedAt: drop.at,
    dueAt: '2026-11-20T06:18:10.000Z',
    graceSeconds: 180,
    logWaits: 0,
  };
}

let deviceCounter = 0;
function device(prefix = 'conn-store'): DeviceIdentity {
  return { hubResourceId: HUB, deviceId: `${prefix}-${++deviceCounter}` };
}

/** The message's text as the Functions host hands it over: base64 of the JSON. */
function decoded(messageText: string): string {
  return Buffer.from(messageText, 'base64').toString('utf8');
}

/** Receives (and removes) every visible message of the queue. */
async function receiveAll(queue: QueueClient): Promise<string[]> {
  const texts: string[] = [];
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 32 });
    if (receivedMessageItems.length === 0) return texts;
    for (const item of receivedMessageItems) {
      texts.push(decoded(item.messageText));
      await queue.deleteMessage(item.messageId, item.popReceipt);
    }
  }
}

/** Polls until a message is visible: a hang guard (the test's time-out), not a timing check. */
async function receiveWhenVisible(queue: QueueClient): Promise<string> {
  for (;;) {
    const { receivedMessageItems } = await queue.receiveMessages({ numberOfMessages: 1 });
    const item = receivedMessageItems[0];
    if (item !== undefined) {
      await queue.deleteMessage(item.messageId, item.popReceipt);
      return decoded(item.messageText);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('TableConnectionStates on Azurite', () => {
  let states: TableConnectionStates;

  beforeAll(() => {
    states = new TableConnectionStates(clients.connections);
  });

  it('reads nothing for an identity never written, before the table even exists', async () => {
    await expect(states.read(device())).resolves.toBeUndefined();
  });

  it('round-trips a record, with the ETag to replace it by', async () => {
    const identity = device();
    const record = disconnected(identity);
    await expect(states.write(record, undefined)).resolves.toBe(true);

    const stored = await states.read(identity);
    expect(stored?.state).toEqual(record);
    expect(stored?.etag).toEqual(expect.any(String));

    const back = reconnected(record);
    await expect(states.write(back, stored?.etag)).resolves.toBe(true);
    const replaced = await states.read(identity);
    expect(replaced?.state).toEqual(back);
    expect(replaced?.etag).not.toBe(stored?.etag);
  });

  it('refuses a write with a stale ETag and keeps the newer record', async () => {
    const identity = device();
    const first = disconnected(identity);
    await states.write(first, undefined);
    const read = await states.read(identity);
    const winner = reconnected(first);
    await expect(states.write(winner, read?.etag)).resolves.toBe(true);

    // Another writer that read `first` too, and applies its event on top of it.
    const loser = { ...first, sequenceNumber: nextSequence() };
    await expect(states.write(loser, read?.etag)).resolves.toBe(false);
    expect((await states.read(identity))?.state).toEqual(winner);
  });

  it('refuses an insert when a record exists (two first events of one identity)', async () => {
    const identity = device();
    const first = disconnected(identity);
    await expect(states.write(first, undefined)).resolves.toBe(true);
    await expect(states.write(disconnected(identity), undefined)).resolves.toBe(false);
    expect((await states.read(identity))?.state).toEqual(first);
  });

  it('lets exactly one of several writers racing on one ETag win', async () => {
    const identity = device();
    await states.write(disconnected(identity), undefined);
    const read = await states.read(identity);
    const candidates = Array.from({ length: 6 }, () => reconnected(read!.state));
    // Each writer with its own client, as on separate instances.
    const results = await Promise.all(
      candidates.map((candidate) =>
        new TableConnectionStates(
          createStorageClients({ connectionString: azurite.connectionString }, noCredential)
            .connections,
        ).write(candidate, read?.etag),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = candidates[results.indexOf(true)];
    expect((await states.read(identity))?.state).toEqual(winner);
  });

  it('keeps identities apart whose IDs hold characters table keys forbid', async () => {
    const hub = `${HUB}/odd#hub?x='1'`;
    const identities: DeviceIdentity[] = [
      { hubResourceId: hub, deviceId: "dev/ice#1?a='b'" },
      { hubResourceId: hub, deviceId: 'dev/ice#1?a=' },
      { hubResourceId: hub, deviceId: "dev/ice#1?a='b'", moduleId: "mod/ule#?'" },
      { hubResourceId: HUB, deviceId: "dev/ice#1?a='b'" },
    ];
    const records = identities.map((identity) => disconnected(identity));
    for (const record of records) await expect(states.write(record, undefined)).resolves.toBe(true);
    for (const [i, identity] of identities.entries()) {
      expect((await states.read(identity))?.state).toEqual(records[i]);
    }

    const moved = reconnected(records[0]!);
    const etag = (await states.read(identities[0]!))?.etag;
    await expect(states.write(moved, etag)).resolves.toBe(true);
    expect((await states.read(identities[0]!))?.state).toEqual(moved);
    expect((await states.read(identities[1]!))?.state).toEqual(records[1]);
  });
});

describe('StorageConnectionCheckQueue on Azurite', () => {
  let checks: StorageConnectionCheckQueue;
  let queue: QueueClient;

  beforeAll(async () => {
    checks = new StorageConnectionCheckQueue(clients.connectionChecks);
    queue = clients.connectionChecks;
    await queue.createIfNotExists();
  });

  beforeEach(async () => {
    await queue.clearMessages();
  });

  it('holds a check invisible until its delay has passed, then hands over the check itself', async () => {
    const identity = device();
    const check = graceCheck(identity, disconnected(identity));
    await checks.schedule(check, 2);

    // The message is in the queue, but no one can receive it yet.
    expect((await queue.getProperties()).approximateMessagesCount).toBe(1);
    expect((await queue.receiveMessages({ numberOfMessages: 32 })).receivedMessageItems).toEqual(
      [],
    );

    const text = await receiveWhenVisible(queue);
    expect(parseConnectionCheck(text)).toEqual(check);
    expect(parseConnectionCheck(JSON.parse(text))).toEqual(check);
    expect((await queue.getProperties()).approximateMessagesCount).toBe(0);
  });

  it('hands over a check with no delay at once', async () => {
    const identity = device();
    const check = graceCheck(identity, disconnected(identity));
    await checks.schedule(check, 0);
    await checks.schedule({ ...check, logWaits: 1 }, -5);
    const received = (await receiveAll(queue)).map((text) => parseConnectionCheck(text));
    expect(received).toHaveLength(2);
    expect(received).toEqual(expect.arrayContaining([check, { ...check, logWaits: 1 }]));
  });

  it('carries IDs with characters table keys forbid, and a follow-up check, unchanged', async () => {
    const identity: DeviceIdentity = {
      hubResourceId: `${HUB}/odd#hub?x='1'`,
      deviceId: "dev/ice#1?a='b'",
      moduleId: "mod/ule#?'",
    };
    const drop = disconnected(identity);
    const returned: ConnectionCheck = {
      ...graceCheck(identity, drop),
      kind: 'returned',
      dueAt: '2026-11-20T06:18:50.000Z',
      alertId: 'eventgrid:some/alert#id?x',
      returnedAt: '2026-11-20T06:18:50.000Z',
    };
    await checks.schedule(returned, 0);
    const [text] = await receiveAll(queue);
    expect(parseConnectionCheck(text)).toEqual(returned);
  });
});
