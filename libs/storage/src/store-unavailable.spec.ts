import { asStoreError, isStoreUnavailable, StoreUnavailableError } from './store-unavailable';

const withCode = (code: string, message = '') => Object.assign(new Error(message), { code });

describe('isStoreUnavailable', () => {
  it.each([
    ['a refused connection', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    [
      'a refused connection to every address',
      Object.assign(new AggregateError([withCode('ECONNREFUSED')], ''), { code: 'ECONNREFUSED' }),
    ],
    ['a connection exception (class 08)', withCode('08006', 'connection failure')],
    [
      'the server shutting down',
      withCode('57P01', 'terminating connection due to administrator command'),
    ],
    ['the server starting', withCode('57P03', 'the database system is starting up')],
    ['a dropped connection', new Error('Connection terminated unexpectedly')],
    ['no free connection in time', new Error('timeout exceeded when trying to connect')],
  ])('says yes to %s', (_, error) => {
    expect(isStoreUnavailable(error)).toBe(true);
    expect(asStoreError(error)).toBeInstanceOf(StoreUnavailableError);
    expect((asStoreError(error) as Error).cause).toBe(error);
  });

  it.each([
    ['a unique violation', withCode('23505', 'duplicate key value violates unique constraint')],
    ['a syntax error', withCode('42601', 'syntax error at or near "SELEC"')],
    ['a plain error', new Error('boom')],
  ])('says no to %s, which passes unchanged', (_, error) => {
    expect(isStoreUnavailable(error)).toBe(false);
    expect(asStoreError(error)).toBe(error);
  });
});
