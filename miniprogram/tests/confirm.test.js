const { fakeWx, elderSession, mount, settle, tap, text } = require('./helpers.js');

const lunch = {
  serviceId: 1, serviceName: '午餐·软食套餐', detail: '少盐少油，软烂易嚼', line: 'Meals', slotId: 12, resourceId: 5, date: '2026-12-04', start: '11:00:00',
  place: '学院路助餐点', distanceMetres: 420, ownStation: true, mode: 'Delivery', modes: ['AtCentre', 'PickUp', 'Delivery'],
  price: { listFen: 1500, subsidyFen: 500, payableFen: 1000 }, payment: 'WeChat',
};
const withChoice = (c = lunch) => ({ ...elderSession, 'eldercare.choice': c });
const templates = (payment = 'WeChat') => [200, { forBooking: ['tmpl-confirmed', 'tmpl-before', 'tmpl-completed'], forWaitlist: [], payment }];
const { requestedBooking: requested } = require('./fixtures.js');
const wechatPay = [200, { appId: 'wx1', timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx9', signType: 'RSA', paySign: 'sig' }];

async function open(storage, answers, options = {}) {
  const wx = fakeWx(Object.assign({ 'GET /api/auth/wechat/templates': templates() }, answers), Object.assign({ storage }, options));
  const page = mount('confirm');
  await page.instance.onLoad({});
  await settle();
  return Object.assign(wx, { page });
}

describe('confirm', () => {
  beforeEach(() => jest.resetModules());

  it('says in big type what, when, where, how it comes and what she pays, then books and pays with one tap and says so on the page', async () => {
    const { page, calls } = await open(withChoice(), { 'POST /api/bookings': [201, requested], 'POST /api/bookings/90/wechat-pay': wechatPay });
    ['李秀英', '午餐·软食套餐', '少盐少油，软烂易嚼', '12月4日 周五 上午11:00', '学院路助餐点（离家约400米）', '送餐到家', '10.00元', '原价15.00元，补贴5.00元']
      .forEach((t) => expect(text(page)).toContain(t));
    expect(page.querySelector('#confirm').dom.textContent).toContain('确认并付款 10.00元');
    expect(text(page)).toContain('打给学院路第一养老服务驿站'); // a person one tap away here too

    await tap(page, '#confirm');

    const booking = calls.requests.find((r) => r.path === '/api/bookings');
    expect(booking.data).toEqual({ elderId: 8, slotId: 12, mode: 'Delivery', payAtWindow: false });
    expect(calls.payments[0]).toMatchObject({ package: 'prepay_id=wx9', paySign: 'sig' });
    expect(page.querySelector('#done').dom.textContent).toContain('已预约');
    expect(page.querySelector('#money').dom.textContent).toBe('已付10.00元');
    expect(calls.subscriptions).toEqual(['tmpl-confirmed', 'tmpl-before', 'tmpl-completed']);
    await tap(page, '#see-order');
    expect(calls.navigations).toEqual(['/pages/order/index?id=90']);
  });

  it('asks for WeChat\'s message sheet only with the first booking, never again', async () => {
    const first = await open(withChoice(), { 'POST /api/bookings': [201, { ...requested, status: 'Confirmed', price: { ...requested.price, paidFen: 0, payableFen: 0 } }] });
    await tap(first.page, '#confirm');
    expect(first.calls.subscriptions).toHaveLength(3);
    jest.resetModules();
    const again = await open({ ...withChoice(), 'eldercare.subscribeAsked': true }, { 'POST /api/bookings': [201, { ...requested, status: 'Confirmed' }] });
    await tap(again.page, '#confirm');
    expect(again.calls.subscriptions).toBeUndefined();
  });

  it('lets the way be changed among the ones this meal point offers, and sends the one chosen', async () => {
    const { page, calls } = await open(withChoice({ ...lunch, ownStation: false, mode: 'AtCentre' }), { 'POST /api/bookings': [201, { ...requested, status: 'Confirmed' }] });
    expect(page.querySelector('#way-Delivery')).toBeFalsy(); // another station's meal point does not deliver
    await tap(page, '#way-PickUp');
    expect(page.querySelector('#how').dom.textContent).toContain('自己去取');
    await tap(page, '#confirm');
    expect(calls.requests.find((r) => r.path === '/api/bookings').data.mode).toBe('PickUp');
  });

  it('sends a booking whose answer was lost again with the same key when 重试 is tapped, even after the page was closed', async () => {
    let attempts = 0;
    const answers = {
      'POST /api/bookings': () => (++attempts === 1 ? null : [201, { ...requested, status: 'Confirmed', price: { ...requested.price, payableFen: 0 } }]),
    };
    const first = await open(withChoice(), answers);
    await tap(first.page, '#confirm');
    expect(first.page.querySelector('#error').dom.textContent).toContain('连不上服务器');
    expect(first.page.querySelector('#way-PickUp')).toBeFalsy(); // it may have been booked: its way stays as it was
    const lostKey = first.calls.requests.find((r) => r.path === '/api/bookings').header['Idempotency-Key'];
    expect(lostKey).toMatch(/.{8,}/);

    // She leaves the page and comes back to it (WeChat may also reload it): the same booking, the same key.
    jest.resetModules();
    const again = await open(Object.fromEntries(first.storage), answers); // what WeChat keeps on the phone
    await tap(again.page, '#confirm');
    expect(again.calls.requests.find((r) => r.path === '/api/bookings').header['Idempotency-Key']).toBe(lostKey);
    expect(again.page.querySelector('#done')).toBeTruthy();
  });

  it('treats a gateway\'s 502 as a lost answer: 重试 sends the same key', async () => {
    let attempts = 0;
    const { page, calls } = await open(withChoice(), {
      'POST /api/bookings': () => (++attempts === 1 ? [502, '<html>Bad Gateway</html>'] : [201, { ...requested, status: 'Confirmed', price: { ...requested.price, payableFen: 0 } }]),
    });
    await tap(page, '#confirm');
    await tap(page, '#retry');
    const sent = calls.requests.filter((r) => r.path === '/api/bookings');
    expect(sent).toHaveLength(2);
    expect(sent[1].header['Idempotency-Key']).toBe(sent[0].header['Idempotency-Key']);
  });

  it('gives a refused booking\'s next try, with another way, a new key', async () => {
    let attempts = 0;
    const { page, calls } = await open(withChoice(), {
      'POST /api/bookings': () => (++attempts === 1 ? [422, { type: 'outside-zone', title: '上门和送餐服务只由老人所在片区的驿站提供' }] : [201, { ...requested, status: 'Confirmed' }]),
    });
    await tap(page, '#confirm');
    await tap(page, '#way-AtCentre');
    await tap(page, '#confirm');
    const sent = calls.requests.filter((r) => r.path === '/api/bookings');
    expect(sent.map((r) => r.data.mode)).toEqual(['Delivery', 'AtCentre']);
    expect(sent[1].header['Idempotency-Key']).not.toBe(sent[0].header['Idempotency-Key']);
  });

  it('books once when the button is tapped twice', async () => {
    const { page, calls } = await open(withChoice(), { 'POST /api/bookings': [201, requested], 'POST /api/bookings/90/wechat-pay': wechatPay });
    const button = page.querySelector('#confirm');
    button.dispatchEvent('tap');
    button.dispatchEvent('tap');
    await settle(); await settle(); await settle();
    expect(calls.requests.filter((r) => r.path === '/api/bookings')).toHaveLength(1);
    expect(calls.payments).toHaveLength(1);
  });

  it('after the payment sheet is closed, pays the same booking again instead of booking twice', async () => {
    const { page, calls } = await open(withChoice(), { 'POST /api/bookings': [201, requested], 'POST /api/bookings/90/wechat-pay': wechatPay }, { payment: 'cancel' });
    await tap(page, '#confirm');
    expect(page.querySelector('#error').dom.textContent).toContain('已取消付款');
    expect(page.querySelector('#error').dom.textContent).toContain('请在12月3日 10:15前付款');
    await tap(page, '#pay-again');
    expect(calls.payments).toHaveLength(2);
    expect(calls.requests.filter((r) => r.path === '/api/bookings')).toHaveLength(1);
  });

  it('without WeChat Pay, says before booking that she pays at the window, and after it until when', async () => {
    const atWindow = { ...requested, payAtWindow: true, payBy: '2026-12-04T01:30:00Z' };
    const { page, calls } = await open(withChoice({ ...lunch, payment: undefined }), {
      'GET /api/auth/wechat/templates': templates('Window'), 'POST /api/bookings': [201, atWindow],
    });
    expect(page.querySelector('#window-note').dom.textContent).toContain('预约后请到驿站窗口付钱');
    expect(page.querySelector('#confirm').dom.textContent).toContain('确认预约，到窗口付10.00元');
    await tap(page, '#confirm');
    expect(calls.requests.find((r) => r.path === '/api/bookings').data.payAtWindow).toBe(true);
    expect(calls.payments).toHaveLength(0);
    expect(page.querySelector('#money').dom.textContent).toBe('请在12月4日 9:30前到驿站窗口付10.00元，过时预约会取消');
  });

  it('says a refusal on the page in the API\'s words, with a way to pick another time', async () => {
    const { page, calls } = await open(withChoice(), { 'POST /api/bookings': [409, { type: 'slot-full', title: '这个时段已经约满了，可以排队候补' }] });
    await tap(page, '#confirm');
    expect(page.querySelector('#error').dom.textContent).toBe('这个时段已经约满了，可以排队候补');
    expect(page.querySelector('#retry')).toBeFalsy(); // not a lost answer: trying the same again will not help
    await tap(page, '#other');
    expect(calls.navigations[0]).toBe(`/pages/book/index?serviceId=1&name=${encodeURIComponent('午餐·软食套餐')}&modes=AtCentre,PickUp,Delivery`);
  });

  it('turns a lunch into a standing daily order with one more tap', async () => {
    const { page, calls } = await open(withChoice(), {
      'POST /api/bookings': [201, { ...requested, status: 'Confirmed', price: { ...requested.price, payableFen: 0 } }],
      'POST /api/meal-plans': [201, { id: 3, status: 'Active' }],
    });
    await tap(page, '#confirm');
    const button = page.querySelector('#every-day');
    button.dispatchEvent('tap');
    button.dispatchEvent('tap'); // a double tap makes one standing order, not two
    await settle(); await settle();
    expect(calls.requests.filter((r) => r.path === '/api/meal-plans')).toHaveLength(1);
    expect(calls.requests.find((r) => r.path === '/api/meal-plans').data).toEqual({ elderId: 8, weekdays: [1, 2, 3, 4, 5, 6, 7], period: 'Lunch', menuItemId: 1, mealPointId: 5, mode: 'Delivery' });
    expect(page.querySelector('#planned').dom.textContent).toContain('以后每天的午餐会自动订好');
  });

  it('sends someone who arrives with nothing chosen back home instead of leaving them stuck', async () => {
    const { page, calls } = await open(elderSession, {});
    expect(page.querySelector('#error').dom.textContent).toContain('还没有选好要预约的服务');
    await tap(page, '#home');
    expect(calls.navigations).toEqual(['/pages/home/index']);
  });
});
