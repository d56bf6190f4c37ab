// The console tests' fakes checked against the API's own document (contract/openapi.json, kept equal to the live API
// by OpenApiTests): a field the API renamed or does not send, or a wrong type, fails here before it reaches a window.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { wang, wangFile, waitingBinding } from './fixtures.js';
import { fakeApi } from './helpers.js';

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

  it('checks every page test\'s fake answers too: an unknown route or a field the API does not send fails the test', () => {
    expect(() => fakeApi({ 'GET /api/station-days': [200, {}] })).toThrow('the API has no GET /api/station-days');
    expect(() => fakeApi({ 'POST /api/bookings/41/transitions': [200, { id: 41, state: 'InService' }] }))
      .toThrow('POST /api/bookings/{id}/transitions 200: $.state: the API sends no such field');
    expect(() => fakeApi({ 'POST /api/emergencies/4/close': [204, undefined], 'GET /api/elders?q=wjg': [200, [wang]] })).not.toThrow();
  });
});
