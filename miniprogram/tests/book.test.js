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
});
