const { fakeWx, familySession, mount, settle, tap, text } = require('./helpers.js');
const { beijingDate } = require('../utils/format.js');

const list = `/api/bookings?elderId=7&from=${beijingDate(-30)}`;
const unpaid = { id: 1, serviceName: '午餐·普通套餐', date: '2026-12-02', start: '11:00:00', mode: 'Delivery', status: 'Requested', price: { payableFen: 1000, paidFen: 0 } };
const done = { id: 2, serviceName: '居家保洁2小时', date: '2026-11-28', start: '09:00:00', status: 'Completed', price: { payableFen: 0, paidFen: 0 } };

describe('orders', () => {
  beforeEach(() => jest.resetModules());

  it('lists the elder\'s orders, pays the unpaid one and cancels on confirmation', async () => {
    const { calls } = fakeWx({
      [`GET ${list}`]: [200, [done, unpaid]],
      'POST /api/bookings/1/wechat-pay': [200, { appId: 'wx1', timeStamp: '1', nonceStr: 'n', package: 'prepay_id=p', signType: 'RSA', paySign: 's' }],
      'POST /api/bookings/1/cancel': [200, { ...unpaid, status: 'Cancelled' }],
    }, { storage: familySession });
    const page = mount('orders');
    await page.instance.onShow();
    expect(text(page)).toContain('王建国的订单');
    expect(text(page)).toContain('待付款');
    expect(text(page)).toContain('送餐到家'); // how it comes

    await tap(page, '#pay-1');
    expect(calls.payments).toHaveLength(1);
    expect(calls.toasts).toContain('已付款');

    await tap(page, '#cancel-1');
    await settle();
    expect(calls.requests.find((r) => r.path === '/api/bookings/1/cancel').data).toEqual({ reason: '在小程序里取消' });
    expect(page.querySelector('#cancel-2')).toBeFalsy(); // a finished service cannot be cancelled
  });

  it('rates a finished service with stars and a comment', async () => {
    const { calls } = fakeWx({ [`GET ${list}`]: [200, [done]], 'POST /api/bookings/2/rating': [200, { ...done, status: 'Rated' }] }, { storage: familySession });
    const page = mount('orders');
    await page.instance.onShow();
    await tap(page, '#rate-2');
    await tap(page, '#star-4');
    page.instance.comment({ detail: { value: '阿姨很细心' } });
    await tap(page, '#send-rating');
    expect(calls.requests.find((r) => r.path === '/api/bookings/2/rating').data).toEqual({ score: 4, comment: '阿姨很细心' });
    expect(calls.toasts).toContain('谢谢您的评价');
  });

  it('tells a user who cancelled the payment sheet how to pay later', async () => {
    const { calls } = fakeWx({
      [`GET ${list}`]: [200, [unpaid]],
      'POST /api/bookings/1/wechat-pay': [200, { appId: 'wx1', timeStamp: '1', nonceStr: 'n', package: 'prepay_id=p', signType: 'RSA', paySign: 's' }],
    }, { storage: familySession, payment: 'cancel' });
    const page = mount('orders');
    await page.instance.onShow();
    await tap(page, '#pay-1');
    expect(calls.modals[0].content).toContain('已取消付款');
  });

  it('renews an ended session without a word and shows the orders', async () => {
    let asked = 0;
    const { calls } = fakeWx({
      [`GET ${list}`]: (r) => (++asked === 1 ? [401, { type: 'session-ended', title: '请先登录' }] : r.header.Authorization === 'Bearer fresh' ? [200, [unpaid]] : [401, {}]),
      'POST /api/auth/wechat': [200, { token: 'fresh', kind: 'Family', id: 3, phoneBound: true, elders: [{ elderId: 7, name: '王建国', relation: '女儿' }] }],
    }, { storage: familySession });
    const page = mount('orders');
    await page.instance.onShow();
    await settle();
    expect(calls.requests.filter((r) => r.path === '/api/auth/wechat')).toHaveLength(1);
    expect(text(page)).not.toContain('请先登录');
    expect(text(page)).toContain('午餐·普通套餐');
  });
});
