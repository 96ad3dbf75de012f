import { AppError, BadRequestError, toError } from '../../lib/common/errors';

describe('toError', () => {
  test.each([
    ['an Error', new TypeError('boom'), 'boom'],
    ['a string', 'plain text', 'plain text'],
    ['null', null, 'Unknown error'],
    ['undefined', undefined, 'Unknown error'],
    [
      'an object, without dumping it (it may hold secrets)',
      { token: 'secret' },
      'Non-error thrown: object',
    ],
    ['a number', 42, 'Non-error thrown: number'],
  ])('%s', (_name, thrown, message) => {
    const error = toError(thrown);
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(message);
  });
});

describe('AppError', () => {
  test('carries its status, path and class name', () => {
    const error = new BadRequestError('Body is empty', 'data');
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ status: 400, path: 'data', name: 'BadRequestError' });
  });
});
