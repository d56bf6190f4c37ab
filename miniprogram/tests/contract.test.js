// The page tests' fakes checked against the API's own document (contract/openapi.json, which a .NET test keeps equal
// to the live API's): every field a fake sends must be one the API sends, with the API's type, and enum values must
// be the API's. A renamed or retyped response field fails here instead of reaching an elder's phone.
const path = require('path');
const { problems, responseSchema } = require(path.join(__dirname, '..', '..', 'contract', 'check.js'));
const fixtures = require('./fixtures.js');

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

  it('checks every answer a page test\'s fake wx gives: an unknown route or an unknown field is kept to fail that test', async () => {
    const { fakeWx, contractProblems } = require('./helpers');
    fakeWx({ 'GET /api/meals/lunch-offers?elderId=8': [200, {}], 'GET /api/meals/lunch-offer?elderId=8': [200, { ...fixtures.lunchOffer, meal_point: {} }] });
    const ask = (url) => new Promise((resolve) => wx.request({ url: `https://api.test${url}`, success: resolve, fail: resolve }));
    await ask('/api/meals/lunch-offers?elderId=8');
    await ask('/api/meals/lunch-offer?elderId=8');
    expect(contractProblems.splice(0)).toEqual([
      'the fake answer to GET /api/meals/lunch-offers?elderId=8 does not fit the API:\nthe API has no GET /api/meals/lunch-offers',
      'the fake answer to GET /api/meals/lunch-offer?elderId=8 does not fit the API:\nGET /api/meals/lunch-offer 200: $.meal_point: the API sends no such field',
    ]);
  });
});

