const { fakeWx, familySession, mount, tap, text } = require('./helpers.js');

const fixtures = require('./fixtures.js');

const { bookingWithHistory: booking } = fixtures;

describe('order', () => {
  beforeEach(() => jest.resetModules());

  it('shows one order: what, when, where, how, what is owed and until when, and its history', async () => {
    fakeWx({ 'GET /api/bookings/90': [200, booking] }, { storage: familySession });
    const page = mount('order');
    await page.instance.onLoad({ id: '90' });
    ['学院路助餐点（离家约400米）', '午餐·普通套餐', '待付款', '12月4日 周五 上午11:00', '到站里用餐', '10.00元', '请在12月4日 9:30前到驿站窗口付款', '12月2日 10:00 待付款（家属）']
      .forEach((t) => expect(text(page)).toContain(t));
    expect(page.querySelector('#pay-90')).toBeFalsy(); // paid at the window, not here
    expect(page.querySelector('#cancel-90')).toBeTruthy();
  });

  it('cancels on confirmation and shows the order cancelled', async () => {
    let cancelled = false;
    const { calls } = fakeWx({
      'GET /api/bookings/90': () => [200, cancelled ? { ...booking, status: 'Cancelled', payBy: null } : booking],
      'POST /api/bookings/90/cancel': () => { cancelled = true; return [200, {}]; },
    }, { storage: familySession });
    const page = mount('order');
    await page.instance.onLoad({ id: '90' });
    await tap(page, '#cancel-90');
    await tap(page, '#keep-90'); // changed her mind: nothing sent
    expect(calls.requests.some((r) => r.path === '/api/bookings/90/cancel')).toBe(false);
    await tap(page, '#cancel-90');
    await tap(page, '#confirm-cancel-90');
    await tap(page, '#status');
    expect(calls.requests.find((r) => r.path === '/api/bookings/90/cancel').data).toEqual({ reason: '在小程序里取消' });
    expect(page.querySelector('#status').dom.textContent).toContain('已取消');
    expect(page.querySelector('#notice').dom.textContent).toContain('已付的钱会原路退回');
  });

  it('rates a finished service', async () => {
    const done = { ...booking, status: 'Completed', payBy: null };
    const { calls } = fakeWx({ 'GET /api/bookings/90': [200, done], 'POST /api/bookings/90/rating': [200, {}] }, { storage: familySession });
    const page = mount('order');
    await page.instance.onLoad({ id: '90' });
    await tap(page, '#rate-90');
    await tap(page, '#star-5');
    await tap(page, '#send-rating');
    expect(calls.requests.find((r) => r.path === '/api/bookings/90/rating').data).toEqual({ score: 5, comment: '' });
  });

  it('asks after a home visit whether it was done, and "没有做完" tells the station', async () => {
    const visit = { ...booking, status: 'Completed', mode: 'AtHome', serviceName: '居家保洁', place: null, placeDistanceMetres: null, payBy: null };
    let said = null;
    const { calls } = fakeWx({
      'GET /api/bookings/90': [200, visit],
      'GET /api/bookings/90/visit': () => [200, { visitId: 70, caregiverName: '王芳', arrivedAt: '2026-12-04T01:02:00Z', leftAt: '2026-12-04T02:50:00Z', done: said, canConfirm: true }],
      'POST /api/bookings/90/visit-confirmation': (r) => { said = r.data.done; return [200, fixtures.visit('NeedsReview', [{ code: 'elder-says-not-done', words: '老人说服务没有完成' }])]; },
    }, { storage: familySession });
    const page = mount('order');
    await page.instance.onLoad({ id: '90' });
    expect(page.querySelector('#visit-who').dom.textContent).toContain('护理员王芳，12月4日 9:02上门，12月4日 10:50离开');
    expect(text(page)).toContain('服务做完了吗？');

    await tap(page, '#visit-not-done');
    expect(calls.requests.find((r) => r.path === '/api/bookings/90/visit-confirmation').data).toEqual({ done: false });
    expect(page.querySelector('#notice').dom.textContent).toContain('已告诉驿站');
    expect(page.querySelector('#visit-said').dom.textContent).toContain('服务没有做完');
    expect(page.querySelector('#visit-done')).toBeFalsy();
  });
});
