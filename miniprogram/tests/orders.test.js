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
    await tap(page, '#open-1');
    expect(calls.navigations).toEqual(['/pages/order/index?id=1']); // its own page, with its history

    const pay = page.querySelector('#pay-1');
    pay.dispatchEvent('tap');
    pay.dispatchEvent('tap'); // a double tap pays once
    await settle(); await settle(); await settle();
    expect(calls.payments).toHaveLength(1);
    expect(page.querySelector('#notice').dom.textContent).toBe('已付款');

    await tap(page, '#cancel-1'); // asked on the page, in its own type, not in WeChat's small dialog
    expect(page.querySelector('#ask-1').dom.textContent).toContain('确定要取消这个预约吗？已付的钱会原路退回。');
    expect(calls.requests.some((r) => r.path === '/api/bookings/1/cancel')).toBe(false);
    await tap(page, '#confirm-cancel-1');
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
    expect(page.querySelector('#notice').dom.textContent).toBe('谢谢您的评价');
  });

  it('lists the standing lunch orders and pauses and resumes one', async () => {
    let status = 'Active';
    const { calls } = fakeWx({
      [`GET ${list}`]: [200, []],
      'GET /api/meal-plans?elderId=7': () => [200, [{ id: 3, elderId: 7, weekdays: [1, 2, 3, 4, 5], period: 'Lunch', mode: 'Delivery', status }]],
      'POST /api/meal-plans/3/pause': () => { status = 'Paused'; return [200, {}]; },
    }, { storage: familySession });
    const page = mount('orders');
    await page.instance.onShow();
    await settle();
    expect(page.querySelector('#plan-3').dom.textContent).toContain('每周一、二、三、四、五的午餐 · 送餐到家');
    await tap(page, '#pause-3');
    await settle();
    expect(calls.requests.some((r) => r.method === 'POST' && r.path === '/api/meal-plans/3/pause')).toBe(true);
    expect(page.querySelector('#plan-3').dom.textContent).toContain('已暂停');
    expect(page.querySelector('#resume-3')).toBeTruthy();
  });

  it('sends a family member with no elder yet to bind one, instead of a dead end', async () => {
    const { calls } = fakeWx({}, { storage: { 'eldercare.session': { token: 'tk', kind: 'Family', id: 3, phoneBound: true, elders: [] } } });
    const page = mount('orders');
    await page.instance.onShow();
    expect(page.querySelector('#no-elder').dom.textContent).toContain('还没有可以代办的老人');
    await tap(page, '#bind');
    expect(calls.navigations).toEqual(['/pages/family/index']);
  });

  it('tells a user who cancelled the payment sheet how to pay later', async () => {
    const { calls } = fakeWx({
      [`GET ${list}`]: [200, [unpaid]],
      'POST /api/bookings/1/wechat-pay': [200, { appId: 'wx1', timeStamp: '1', nonceStr: 'n', package: 'prepay_id=p', signType: 'RSA', paySign: 's' }],
    }, { storage: familySession, payment: 'cancel' });
    const page = mount('orders');
    await page.instance.onShow();
    await tap(page, '#pay-1');
    expect(page.querySelector('#failure').dom.textContent).toContain('已取消付款');
    expect(calls.payments).toHaveLength(1);
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
