// The console tests' fakes checked against the API's own document (contract/openapi.json, kept equal to the live API
// by OpenApiTests): a field the API renamed or does not send, or a wrong type, fails here before it reaches a window.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wang, wangFile, waitingBinding } from './fixtures.js';

const { problems, responseSchema } = createRequire(import.meta.url)('../../../contract/check.js');

describe('the console tests\' fakes fit the API\'s contract', () => {
  it.each([
    ['an elder found', 'get', '/api/elders', '200', [wang]],
    ['an elder\'s file', 'get', '/api/elders/{id}', '200', wangFile],
    ['a family binding waiting', 'get', '/api/family-bindings', '200', [waitingBinding]],
  ])('%s', (_, method, route, status, body) => {
    expect(problems(body, responseSchema(method, route, status))).toEqual([]);
  });

  it('would catch a renamed field', () => {
    expect(problems([{ ...wang, phoneMasked: '139****5678' }], responseSchema('get', '/api/elders', '200')))
      .toEqual(['$[0].phoneMasked: the API sends no such field']);
  });
});
