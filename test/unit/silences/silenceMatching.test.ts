/**
 * Silences match what an IoT engineer means, and never hide what they did not mean to hide: the
 * cause guard, several devices, unknown fields, globs that cannot hang, time spans and windows.
 */

import { globMatches, MAX_PATTERN_LENGTH } from '../../../lib/silences/glob';
import { occurrenceAt, parseMaintenanceWindows } from '../../../lib/silences/maintenanceWindows';
import { newSilence, SilenceRequestError } from '../../../lib/silences/newSilence';
import { parseMatcher, type Silence } from '../../../lib/silences/silence';
import {
  isActive,
  type SilenceSubject,
  silencesHolding,
} from '../../../lib/silences/silenceMatching';

const HUB =
  '/subscriptions/3f2d4487-b0fc-4125-8bd5-7ad17384221e/resourcegroups/iot-prod/providers/microsoft.devices/iothubs/contoso-fleet-hub';
const NOW = new Date('2026-11-20T05:00:00Z');

function silence(
  matchers: string[],
  more: Partial<Parameters<typeof newSilence>[0]> = {},
): Silence {
  return newSilence(
    { matchers, endsAt: '2026-11-20T09:00:00Z', createdBy: 'ana', comment: 'power work', ...more },
    NOW,
    `s-${matchers.join(',')}`,
  );
}

function subject(more: Partial<SilenceSubject> = {}): SilenceSubject {
  return {
    hub: HUB,
    devices: ['gateway-dup-3'],
    modules: [],
    sites: ['81.2.69.xxx'],
    sdks: [{ family: 'c', version: 'azure-iot-sdk-c/1.9.0' }],
    cause: 'device-or-network',
    scope: 'device',
    alertRule: 'iothub-device-disconnected-404104',
    severity: 'sev3',
    ...more,
  };
}

describe('glob', () => {
  test.each([
    ['pump-*', 'pump-station-7', true],
    ['pump-?', 'pump-7', true],
    ['pump-?', 'pump-77', false],
    ['*station*', 'pump-station-7', true],
    ['*', '', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'aXbY', false],
  ])('%s on %s is %s', (pattern, text, expected) => {
    expect(globMatches(pattern, text)).toBe(expected);
  });

  test('a pathological pattern on a long text answers at once, and oversized ones never match', () => {
    const pattern = `${'*a'.repeat(90)}b`;
    const text = 'a'.repeat(1000);
    expect(globMatches(pattern, text)).toBe(false);
    expect(globMatches('x'.repeat(MAX_PATTERN_LENGTH + 1), 'x')).toBe(false);
  });
});

describe('silencesHolding', () => {
  test('a site and cause silence holds that cause on that site', () => {
    const s = silence(['site=81.2.69.XXX', 'cause=device-or-network']);
    expect(silencesHolding([s], subject(), NOW)).toEqual([s]);
  });

  test('the cause guard: a site silence for device-or-network lets a duplicate identity through', () => {
    const named = silence(['site=81.2.69.XXX', 'cause=device-or-network']);
    const unnamed = silence(['site=81.2.69.XXX']);
    const duplicate = subject({ cause: 'duplicate-identity' });
    expect(silencesHolding([named, unnamed], duplicate, NOW)).toEqual([]);
    // Naming the cause is how one silences it on purpose.
    expect(
      silencesHolding([silence(['site=81.2.69.XXX', 'cause=duplicate-identity'])], duplicate, NOW),
    ).toHaveLength(1);
  });

  test('a silence for one device does not hide an alert about two', () => {
    const s = silence(['device=gateway-dup-3']);
    expect(silencesHolding([s], subject({ devices: ['gateway-dup-3', 'meter-19'] }), NOW)).toEqual(
      [],
    );
    expect(
      silencesHolding(
        [silence(['device=~*'], { all: true })],
        subject({ devices: ['a', 'b'] }),
        NOW,
      ),
    ).toHaveLength(1);
  });

  test('a field the message does not know never matches = but matches !=', () => {
    expect(
      silencesHolding(
        [silence(['hub=contoso-fleet-hub', 'site=81.2.69.XXX'])],
        subject({ sites: [] }),
        NOW,
      ),
    ).toEqual([]);
    expect(
      silencesHolding(
        [silence(['hub=contoso-fleet-hub', 'cause!=iot-hub-transient'])],
        subject(),
        NOW,
      ),
    ).toHaveLength(1);
  });

  test('hub by name or ID, any case; sdk by family or version', () => {
    expect(silencesHolding([silence(['hub=CONTOSO-FLEET-HUB'])], subject(), NOW)).toHaveLength(1);
    expect(silencesHolding([silence([`hub=${HUB}`])], subject(), NOW)).toHaveLength(1);
    expect(
      silencesHolding([silence(['hub=contoso-fleet-hub', 'sdk=c'])], subject(), NOW),
    ).toHaveLength(1);
    expect(
      silencesHolding(
        [silence(['hub=contoso-fleet-hub', 'sdk=~azure-iot-sdk-c/1.*'])],
        subject(),
        NOW,
      ),
    ).toHaveLength(1);
    expect(
      silencesHolding([silence(['hub=contoso-fleet-hub', 'sdk=dotnet'])], subject(), NOW),
    ).toEqual([]);
  });

  test('only while active: not before it starts, not after it ends or was ended', () => {
    const s = silence(['device=gateway-dup-3'], { startsAt: '2026-11-20T06:00:00Z' });
    expect(isActive(s, NOW)).toBe(false);
    expect(isActive(s, new Date('2026-11-20T06:00:00Z'))).toBe(true);
    expect(isActive(s, new Date('2026-11-20T09:00:00Z'))).toBe(false);
    expect(
      isActive({ ...s, endedAt: '2026-11-20T07:00:00Z' }, new Date('2026-11-20T07:30:00Z')),
    ).toBe(false);
  });
});

describe('newSilence refuses what it should', () => {
  test.each([
    [{ matchers: [] }, 'matchers'],
    [{ matchers: ['cause=sas-token-expiry'] }, 'matchers'],
    [{ matchers: ['hub=~*'] }, 'matchers'],
    [{ matchers: ['colour=red'] }, 'matchers[0]'],
    [{ matchers: ['device=x'], endsAt: '2026-11-20T04:00:00Z' }, 'endsAt'],
    [{ matchers: ['device=x'], endsAt: '2027-01-20T04:00:00Z' }, 'endsAt'],
    [{ matchers: ['device=x'], endsAt: 'tomorrow' }, 'endsAt'],
    [{ matchers: ['device=x'], createdBy: '  ' }, 'createdBy'],
  ])('%j is refused at %s', (request, path) => {
    expect(() =>
      newSilence({ endsAt: '2026-11-20T09:00:00Z', createdBy: 'ana', ...request }, NOW, 'id'),
    ).toThrow(expect.objectContaining({ path }) as SilenceRequestError);
  });

  test('a broad silence is allowed when it says so; free text loses its control characters', () => {
    const s = newSilence(
      {
        matchers: ['cause=sas-token-expiry'],
        all: true,
        endsAt: '2026-11-20T09:00:00Z',
        createdBy: 'ana\u0000<b>',
        comment: 'a\nb',
      },
      NOW,
      'id',
    );
    expect(s.all).toBe(true);
    expect(s.createdBy).toBe('ana <b>');
    expect(s.comment).toBe('a b');
  });

  test('until resolved lasts at most the bound, and remembers its target', () => {
    const s = newSilence(
      {
        matchers: ['site=81.2.69.XXX'],
        untilResolved: { kind: 'incident', id: 'inc-1' },
        createdBy: 'ana',
      },
      NOW,
      'id',
    );
    expect(s.endsAt).toBe('2026-12-20T05:00:00.000Z');
    expect(s.untilResolved).toEqual({ kind: 'incident', id: 'inc-1' });
  });

  test('matchers parse field, operator and value', () => {
    expect(parseMatcher('device=~pump-*')).toEqual({ field: 'device', op: '=~', value: 'pump-*' });
    expect(parseMatcher('Cause!=Duplicate-Identity')).toEqual({
      field: 'cause',
      op: '!=',
      value: 'duplicate-identity',
    });
  });
});

describe('maintenance windows', () => {
  const setting = JSON.stringify([
    {
      name: 'sunday patching',
      matchers: ['hub=contoso-fleet-hub'],
      days: ['sun'],
      start: '23:00',
      end: '01:00',
    },
  ]);

  test('an occurrence is a silence while it lasts, across midnight', () => {
    const { windows, problems } = parseMaintenanceWindows(setting);
    expect(problems).toEqual([]);
    const [window] = windows;
    // 2026-11-22 is a Sunday.
    expect(occurrenceAt(window!, new Date('2026-11-22T22:59:00Z'))).toBeUndefined();
    expect(occurrenceAt(window!, new Date('2026-11-22T23:30:00Z'))?.endsAt).toBe(
      '2026-11-23T01:00:00.000Z',
    );
    expect(occurrenceAt(window!, new Date('2026-11-23T00:59:00Z'))?.origin).toBe('maintenance');
    expect(occurrenceAt(window!, new Date('2026-11-23T01:00:00Z'))).toBeUndefined();
  });

  test('bad settings name the path', () => {
    const { problems } = parseMaintenanceWindows(
      JSON.stringify([
        {
          name: 'x',
          matchers: ['cause=sas-token-expiry'],
          days: ['someday'],
          start: '25:00',
          end: '01:00',
        },
      ]),
    );
    expect(problems.map((p) => p.path)).toEqual(['[0].matchers', '[0].days', '[0].start']);
    expect(parseMaintenanceWindows('{').problems).toEqual([{ path: '', problem: 'is not JSON' }]);
  });
});
