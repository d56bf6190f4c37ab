// The page tests' fakes checked against the API's own document (contract/openapi.json, which a .NET test keeps equal
// to the live API's): every field a fake sends must be one the API sends, with the API's type, and enum values must
// be the API's. A renamed or retyped response field fails here instead of reaching an elder's phone.
const path = require('path');
const contract = require(path.join(__dirname, '..', '..', 'contract', 'openapi.json'));
const fixtures = require('./fixtures.js');

function resolve(schema) {
  let s = schema;
  while (s && s.$ref) s = s.$ref.split('/').slice(1).reduce((node, key) => node[key], contract);
  return s || {};
}

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);

/** Where a value breaks its schema: unknown fields, wrong types, values outside an enum. */
function problems(value, schema, at = '$') {
  const s = resolve(schema);
  const found = [];
  const allowed = s.type === undefined ? null : [].concat(s.type);
  const type = typeOf(value);
  if (allowed && !allowed.includes(type) && !(type === 'integer' && allowed.includes('number'))) found.push(`${at}: ${type} where the API sends ${allowed.join(' or ')}`);
  if (s.enum && type === 'string' && !s.enum.includes(value)) found.push(`${at}: "${value}" is not one of the API's values`);
  if (s.pattern && type === 'string' && !new RegExp(s.pattern).test(value)) found.push(`${at}: "${value}" is not in the API's form`);
  if (type === 'object' && s.properties) {
    for (const [key, v] of Object.entries(value)) {
      if (!(key in s.properties)) found.push(`${at}.${key}: the API sends no such field`);
      else found.push(...problems(v, s.properties[key], `${at}.${key}`));
    }
  }
  if (type === 'array' && s.items) value.forEach((v, i) => found.push(...problems(v, s.items, `${at}[${i}]`)));
  return found;
}

function responseSchema(method, route, status) {
  const operation = contract.paths[route] && contract.paths[route][method];
  if (!operation) throw new Error(`the API has no ${method.toUpperCase()} ${route}`);
  const response = operation.responses[status];
  if (!response || !response.content) throw new Error(`${method.toUpperCase()} ${route} documents no ${status} body`);
  return response.content['application/json'].schema;
}

describe('the page tests\' fakes fit the API\'s contract', () => {
  it.each([
    ['the lunch offer', 'get', '/api/meals/lunch-offer', '200', fixtures.lunchOffer],
    ['a new booking waiting for payment', 'post', '/api/bookings', '201', fixtures.requestedBooking],
    ['a booking with its history', 'get', '/api/bookings/{id}', '200', fixtures.bookingWithHistory],
    ['the free times', 'get', '/api/availability', '200', fixtures.slots],
  ])('%s', (_, method, route, status, body) => {
    expect(problems(body, responseSchema(method, route, status))).toEqual([]);
  });

  it('catches a field the API does not send, a wrong type and a value not in the API\'s form', () => {
    const schema = responseSchema('get', '/api/meals/lunch-offer', '200');
    expect(problems({ ...fixtures.lunchOffer, meal_point: {} }, schema)).toEqual(['$.meal_point: the API sends no such field']);
    expect(problems({ ...fixtures.lunchOffer, mealPoint: { ...fixtures.lunchOffer.mealPoint, ownStation: 'yes' } }, schema))
      .toEqual(['$.mealPoint.ownStation: string where the API sends boolean']);
    const booking = responseSchema('post', '/api/bookings', '201');
    expect(problems({ ...fixtures.requestedBooking, price: { ...fixtures.requestedBooking.price, payableFen: '10元' } }, booking))
      .toEqual(['$.price.payableFen: "10元" is not in the API\'s form']);
  });
});
