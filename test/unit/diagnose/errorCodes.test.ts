import {
  describeCode,
  ERROR_CODES,
  errorCodeInfo,
  errorFamily,
  type ErrorFamily,
} from '../../../lib/diagnose/errorCodes';

const FAMILIES: readonly ErrorFamily[] = [
  'token',
  'duplicate-identity',
  'server',
  'platform-upgrade',
  'quota',
  'throttling',
  'identity-removed',
  'disconnect',
  'other',
];

describe('the IoT Hub error code table', () => {
  test('every row is well formed', () => {
    for (const info of ERROR_CODES) {
      expect(info.code).toMatch(/^\d{6}$/);
      expect(info.name).toMatch(/^[A-Za-z]+$/);
      // One plain sentence that reads after a colon: lower-case start, no final full stop.
      expect(info.meaning).toMatch(/^[a-z]/);
      expect(info.meaning).not.toMatch(/\.$/);
      expect(info.action.length).toBeGreaterThan(10);
      expect(info.source).toMatch(/learn\.microsoft\.com|azure-iot-sdk-csharp|azure-docs/);
      expect(FAMILIES).toContain(info.family);
    }
  });

  test('codes are unique and in order', () => {
    const codes = ERROR_CODES.map((info) => info.code);
    expect(new Set(codes).size).toBe(codes.length);
    expect([...codes].sort()).toEqual(codes);
  });

  test('it holds every code that can sit beside a disconnect', () => {
    const required = [
      '400027',
      '400029',
      '400030',
      '401003',
      '403002',
      '403004',
      '403005',
      '403006',
      '404001',
      '404103',
      '404104',
      '409002',
      '429001',
      '429002',
      '429003',
      '429004',
      '429005',
      '500001',
      '500002',
      '500008',
      '503001',
      '503005',
      '503008',
    ];
    for (const code of required) expect(errorCodeInfo(code)).toBeDefined();
  });

  test.each<[string, ErrorFamily]>([
    ['401003', 'token'],
    ['400027', 'duplicate-identity'],
    ['409002', 'duplicate-identity'],
    ['500001', 'server'],
    ['500008', 'server'],
    ['503001', 'server'],
    ['400029', 'platform-upgrade'],
    ['400030', 'platform-upgrade'],
    ['403002', 'quota'],
    ['429001', 'throttling'],
    ['429002', 'throttling'],
    ['404001', 'identity-removed'],
    ['403012', 'identity-removed'],
    ['404104', 'disconnect'],
    ['403004', 'other'],
    ['404103', 'other'],
    ['500002', 'other'],
  ])('%s is in the %s family', (code, family) => {
    expect(errorFamily(code)).toBe(family);
  });

  test('500002 says it is not connection-related', () => {
    expect(errorCodeInfo('500002')?.meaning).toMatch(/not connection-related/);
  });

  test('the sources record where the docs conflict', () => {
    expect(errorCodeInfo('404103')?.source).toMatch(/404102/);
    expect(errorCodeInfo('401003')?.source).toMatch(/obsolete/);
  });
});

describe('lookups', () => {
  test('errorCodeInfo finds a documented code and ignores surrounding whitespace', () => {
    expect(errorCodeInfo('403002')?.name).toBe('IoTHubQuotaExceeded');
    expect(errorCodeInfo(' 404104 ')?.name).toBe('DeviceConnectionClosedRemotely');
    expect(errorCodeInfo('123456')).toBeUndefined();
    expect(errorCodeInfo('')).toBeUndefined();
  });

  test('errorFamily falls back on the range for undocumented 5xxxxx and 429xxx codes', () => {
    expect(errorFamily('500999')).toBe('server');
    expect(errorFamily('503999')).toBe('server');
    expect(errorFamily('429999')).toBe('throttling');
    expect(errorFamily('123456')).toBeUndefined();
    expect(errorFamily('404999')).toBeUndefined();
    expect(errorFamily('5000')).toBeUndefined();
    expect(errorFamily('')).toBeUndefined();
  });

  test('describeCode gives one evidence line', () => {
    expect(describeCode('403002')).toBe(
      "403002 IoTHubQuotaExceeded: the hub's daily message quota is used up",
    );
    expect(describeCode('401003')).toMatch(/^401003 IoTHubUnauthorized: /);
    expect(describeCode('123456')).toBe("123456 (not in IoT Hub's documented error codes)");
  });
});
