const { fakeWx, familySession, mount, tap, text } = require('./helpers.js');
const { beijingDate } = require('../utils/format.js');

const path = `/api/availability?serviceId=1&elderId=7&from=${beijingDate()}&to=${beijingDate(6)}`;
const slots = [
  { slotId: 11, date: '2026-12-01', start: '11:00:00', end: '13:00:00', resourceName: '学院路助餐点', remaining: 0, bookable: false, notBookableReason: '约满了' },
  { slotId: 12, date: '2026-12-02', start: '11:00:00', end: '13:00:00', resourceName: '学院路助餐点', remaining: 8, bookable: true },
];
const requested = { id: 90, status: 'Requested', price: { payableFen: 1000, paidFen: 0 } };

describe('book', () => {
  beforeEach(() => jest.resetModules());

  it('offers the bookable times in words, books with an idempotency key, pays with WeChat Pay and goes to the orders', async () => {
    const { calls } = fakeWx({
      [`GET ${path}`]: [200, slots],
      'GET /api/auth/wechat/templates': [200, { forBooking: ['tmpl-confirmed', 'tmpl-before', 'tmpl-completed'], forWaitlist: [] }],
      'POST /api/bookings': [201, requested],
      'POST /api/bookings/90/wechat-pay': [200, { appId: 'wx1', timeStamp: '1700000000', nonceStr: 'n', package: 'prepay_id=wx9', signType: 'RSA', paySign: 'sig' }],
    }, { storage: familySession });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: encodeURIComponent('午餐·普通套餐') });

    expect(text(page)).toContain('12月2日 周三 上午11:00');
    expect(page.querySelector('#slot-11')).toBeFalsy(); // full: not offered
    await tap(page, '#slot-12');

    expect(calls.modals[0].content).toContain('12月2日 周三 上午11:00');
    expect(calls.subscriptions).toEqual(['tmpl-confirmed', 'tmpl-before', 'tmpl-completed']); // offered on the confirming tap
    const booking = calls.requests.find((r) => r.path === '/api/bookings');
    expect(booking.data).toEqual({ elderId: 7, slotId: 12 });
    expect(booking.header['Idempotency-Key']).toMatch(/.+/);
    expect(calls.payments[0]).toMatchObject({ package: 'prepay_id=wx9', signType: 'RSA', paySign: 'sig' });
    expect(calls.requests.some((r) => r.method === 'POST' && r.path === '/api/bookings/90/wechat-pay/check')).toBe(true); // in case WeChat Pay's word is late
    expect(calls.navigations).toEqual(['/pages/orders/index']);
  });

  it('says in the backend\'s words why it could not book, and books nothing when the elder changes their mind', async () => {
    const { calls } = fakeWx({
      [`GET ${path}`]: [200, slots],
      'POST /api/bookings': [409, { type: 'elder-busy', title: '这个时间已经有别的预约了', detail: '已有预约：午餐 12月2日 11:00' }],
    }, { storage: familySession });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: 'x' });
    await tap(page, '#slot-12');
    expect(calls.modals[1].content).toBe('这个时间已经有别的预约了（已有预约：午餐 12月2日 11:00）');

    jest.resetModules();
    const second = fakeWx({ [`GET ${path}`]: [200, slots] }, { storage: familySession, confirm: false });
    const again = mount('book');
    await again.instance.onLoad({ serviceId: '1', name: 'x' });
    await tap(again, '#slot-12');
    expect(second.calls.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('sends a booking lost on the way again with the same key when 重试 is tapped, and the next booking with a new one', async () => {
    let attempts = 0;
    const { calls } = fakeWx({
      [`GET ${path}`]: [200, [...slots, { ...slots[1], slotId: 13, date: '2026-12-03' }]],
      'POST /api/bookings': () => (++attempts === 1 ? null : [201, { id: 90 + attempts, status: 'Confirmed', price: { payableFen: 0, paidFen: 0 } }]),
    }, { storage: familySession });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: 'x' });

    await tap(page, '#slot-12'); // the answer is lost: the dialog offers 重试, which the elder taps (the fake confirms)
    const sent = calls.requests.filter((r) => r.path === '/api/bookings');
    expect(calls.modals[1]).toMatchObject({ content: '连不上服务器，请检查网络后再试', confirmText: '重试' });
    expect(sent).toHaveLength(2);
    expect(sent[1].header['Idempotency-Key']).toBe(sent[0].header['Idempotency-Key']); // the same booking, so the same key

    await tap(page, '#slot-13'); // another booking
    const third = calls.requests.filter((r) => r.path === '/api/bookings')[2];
    expect(third.header['Idempotency-Key']).not.toBe(sent[0].header['Idempotency-Key']);
  });

  it('shows one dialog and books once when the time is tapped twice', async () => {
    const { calls } = fakeWx({
      [`GET ${path}`]: [200, slots],
      'POST /api/bookings': [201, { id: 95, status: 'Confirmed', price: { payableFen: 0, paidFen: 0 } }],
    }, { storage: familySession, holdDialogs: true });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: 'x' });
    await tap(page, '#slot-12');
    await tap(page, '#slot-12');
    expect(calls.modals).toHaveLength(1);
    calls.modals[0].success({ confirm: true, cancel: false });
    await tap(page, '#slot-12'); // while it books
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.requests.filter((r) => r.path === '/api/bookings')).toHaveLength(1);
  });

  it('lets a lunch be delivered home: the way is chosen, said in the confirmation and sent with the booking', async () => {
    const { calls } = fakeWx({
      [`GET ${path}`]: [200, slots],
      'POST /api/bookings': [201, { id: 96, status: 'Confirmed', price: { payableFen: 0, paidFen: 0 } }],
    }, { storage: familySession });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: 'x', modes: 'AtCentre,Delivery' });
    expect(text(page)).toContain('到站里用餐');
    expect(text(page)).toContain('送餐到家');

    await tap(page, '#mode-Delivery');
    await tap(page, '#slot-12');
    expect(calls.modals[0].content).toContain('送餐到家');
    expect(calls.requests.find((r) => r.path === '/api/bookings').data).toEqual({ elderId: 7, slotId: 12, mode: 'Delivery' });
  });
});
