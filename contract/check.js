// Checks an API answer a client's test fakes against the API's own document (openapi.json beside this file, kept
// equal to the live API by OpenApiTests): every field must be one the API sends, with the API's type, in the API's
// form, and enum values must be the API's. Used by the mini-program's and the console's contract tests.
const contract = require('./openapi.json');

function resolve(schema) {
  let s = schema;
  while (s && s.$ref) s = s.$ref.split('/').slice(1).reduce((node, key) => node[key], contract);
  return s || {};
}

const typeOf = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v);

/** Where a value breaks its schema: fields the API does not send, wrong types, values not in the API's form or enum. */
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

/** The schema of an operation's answer with this status, e.g. ('get', '/api/meals/lunch-offer', '200'). */
function responseSchema(method, route, status) {
  const operation = contract.paths[route] && contract.paths[route][method];
  if (!operation) throw new Error(`the API has no ${method.toUpperCase()} ${route}`);
  const response = operation.responses[status];
  if (!response || !response.content) throw new Error(`${method.toUpperCase()} ${route} documents no ${status} body`);
  return response.content['application/json'].schema;
}

/**
 * The API's route for a request a client makes, e.g. ('post', '/api/emergencies/4/close?x=1') -> '/api/emergencies/{id}/close';
 * a route without parameters wins over one with them, as in the API. Null when the API has no such operation.
 */
function routeOf(method, path) {
  const bare = path.split('?')[0];
  const fits = Object.keys(contract.paths).filter((route) => contract.paths[route][method]
    && new RegExp(`^${route.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(bare));
  fits.sort((a, b) => (a.match(/\{/g) || []).length - (b.match(/\{/g) || []).length);
  return fits[0] || null;
}

/** What is wrong with a fake answer to a request, as checked against the contract; [] when it fits. */
function answerProblems(method, path, status, body) {
  const m = method.toLowerCase();
  const route = routeOf(m, path);
  if (!route) return [`the API has no ${method.toUpperCase()} ${path.split('?')[0]}`];
  if (status < 200 || status >= 300 || body === undefined || body === null) return [];
  let schema;
  try {
    schema = responseSchema(m, route, String(status));
  } catch (e) {
    return [e.message]; // e.g. a 200 where the API answers 201: said like any other misfit, never thrown inside a fake
  }
  return problems(body, schema).map((p) => `${method.toUpperCase()} ${route} ${status}: ${p}`);
}

module.exports = { problems, responseSchema, routeOf, answerProblems };
