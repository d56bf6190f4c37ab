const { fakeWx, familySession, elderSession, mount, settle, tap, text } = require('./helpers.js');

// The API's lunch offer for 李秀英 (elder 8): delivered, as her file says she is housebound.
const { lunchOffer: offer } = require('./fixtures.js');

describe('home', () => {
  beforeEach(() => jest.resetModules());

  it('offers a returning elder her usual lunch on one big button, which leads to the confirm page with it filled in', async () => {
    const { calls, storage } = fakeWx({ 'GET /api/meals/lunch-offer?elderId=8': [200, offer] }, { storage: elderSession });
    const page = mount('home');
    await page.instance.onShow();

    const lunch = page.querySelector('#lunch').dom.textContent.replace(/\s+/g, ' ');
    ['订午餐', '12月4日 周五 上午11:00', '午餐·普通套餐 · 送餐到家', '学院路助餐点（离家约400米）', '自付 10.00元', '送到家里'].forEach((t) => expect(lunch).toContain(t));
    await tap(page, '#lunch');
    expect(calls.navigations).toEqual(['/pages/confirm/index']);
    expect(storage.get('eldercare.choice')).toMatchObject({ slotId: 12, mode: 'Delivery', resourceId: 5, price: { payableFen: 1000 } });
  });

  it('renews a session that idled out overnight without a word and still offers her lunch', async () => {
    const { calls } = fakeWx({
      'GET /api/auth/wechat/elders': (r) => (r.header.Authorization === 'Bearer fresh' ? [200, elderSession['eldercare.session'].elders] : [401, { type: 'session-ended', title: '请先登录' }]),
      'POST /api/auth/wechat': [200, { ...elderSession['eldercare.session'], token: 'fresh' }],
      'GET /api/meals/lunch-offer?elderId=8': (r) => (r.header.Authorization === 'Bearer fresh' ? [200, offer] : [401, {}]),
    }, { storage: elderSession });
    const page = mount('home');
    await page.instance.onShow();
    expect(calls.requests.filter((r) => r.path === '/api/auth/wechat')).toHaveLength(1);
    expect(page.querySelector('#lunch').dom.textContent).toContain('订午餐');
    expect(text(page)).not.toContain('第一次用');
  });

  it('logs in with WeChat on first use and offers the four services for the elder the family member acts for', async () => {
    const { calls, storage } = fakeWx({
      'POST /api/auth/wechat': [200, { token: 'tk', kind: 'Family', id: 3, phoneBound: true, elders: [{ elderId: 7, name: '王建国', relation: '女儿' }] }],
    });
    const page = mount('home');
    await page.instance.onShow();
    await settle();

    expect(calls.requests[0]).toMatchObject({ method: 'POST', path: '/api/auth/wechat', data: { code: 'login-code-1' } });
    expect(storage.get('eldercare.acting')).toBe(7);
    expect(text(page)).toContain('正在为 王建国（女儿） 办理');
    ['助餐', '助浴', '助洁', '助医'].forEach((name) => expect(text(page)).toContain(name));

    await tap(page, '#line-Bathing');
    expect(calls.navigations).toEqual(['/pages/services/index?line=Bathing']);
  });

  it('gives a first-time user two clear ways in: the elder to their own file, the family member to the binding form', async () => {
    const { calls } = fakeWx({ 'POST /api/auth/wechat': [200, { token: 'tk', kind: 'Family', id: 3, phoneBound: false, elders: [] }], 'GET /api/family-bindings': [200, []] });
    const page = mount('home');
    await page.instance.onShow();
    expect(text(page)).toContain('第一次用？请选一个');
    await tap(page, '#i-am-elder');
    await tap(page, '#i-am-family');
    expect(calls.navigations).toEqual(['/pages/profile/index', '/pages/family/index']);
  });

  it('shows a daughter her father as soon as he has agreed, without logging in again', async () => {
    let agreed = false;
    const waiting = { 'eldercare.session': { token: 'tk', kind: 'Family', id: 3, phoneBound: true, elders: [] } };
    const { calls } = fakeWx({
      'GET /api/auth/wechat/elders': () => [200, agreed ? [{ elderId: 7, name: '王建国', relation: '女儿', station: '学院路一站', stationPhone: '01062301001' }] : []],
      'GET /api/family-bindings': [200, [{ id: 6, elderId: 7, elderName: '王建国', relation: '女儿', status: 'Pending' }]],
      'GET /api/meals/lunch-offer?elderId=7': [200, { ...offer, why: 'own-zone', mode: 'AtCentre' }],
    }, { storage: waiting });
    const page = mount('home');
    await page.instance.onShow();
    expect(page.querySelector('#pending-6').dom.textContent).toContain('已申请替王建国办理，等老人同意');

    agreed = true; // he taps 同意 on his phone; she comes back to the app (onShow) or pulls down
    await page.instance.onPullDownRefresh();
    expect(text(page)).toContain('正在为 王建国（女儿） 办理');
    expect(text(page)).toContain('打给学院路一站');
    expect(calls.refreshStopped).toBe(1);
    expect(calls.requests.filter((r) => r.path === '/api/auth/wechat')).toHaveLength(0);
  });

  it('shows why a log-in failed, with a button that tries again', async () => {
    let down = true;
    fakeWx({
      'POST /api/auth/wechat': () => (down ? [503, { type: 'wechat-unavailable', title: '微信暂时连不上，请稍后再试' }]
        : [200, { token: 'tk', kind: 'Family', id: 3, phoneBound: true, elders: [{ elderId: 7, name: '王建国', relation: '女儿' }] }]),
    });
    const page = mount('home');
    await page.instance.onShow();
    expect(page.querySelector('#error').dom.textContent).toContain('微信暂时连不上');
    down = false;
    await tap(page, '#retry');
    await settle();
    expect(page.querySelector('#error')).toBeFalsy();
    expect(text(page)).toContain('正在为 王建国（女儿） 办理');
  });

  it('says so when there is no lunch left to book this week, and still offers the phone', async () => {
    fakeWx({ 'GET /api/meals/lunch-offer?elderId=8': [404, { type: 'no-lunch-offer', title: '最近一周没有还能预约的午餐，可以打电话给驿站问问' }] }, { storage: elderSession });
    const page = mount('home');
    await page.instance.onShow();
    expect(page.querySelector('#lunch')).toBeFalsy();
    expect(page.querySelector('#no-lunch').dom.textContent).toContain('最近一周没有还能预约的午餐');
    expect(text(page)).toContain('打给学院路第一养老服务驿站');
  });

  it('puts a person one tap away: the elder\'s own station and the hotline', async () => {
    const { calls } = fakeWx({
      'POST /api/auth/wechat': [200, { token: 'tk', kind: 'Family', id: 3, phoneBound: true,
        elders: [{ elderId: 7, name: '王建国', relation: '女儿', station: '学院路第一养老服务驿站', stationPhone: '01062301001' }] }],
    });
    const page = mount('home');
    await page.instance.onShow();
    await settle();
    const bar = page.querySelector('#call-bar');
    expect(text(page)).toContain('打给学院路第一养老服务驿站');
    expect(text(page)).toContain('打养老服务热线 96156');
    await tap(bar, '#call-station');
    await tap(bar, '#call-hotline');
    expect(calls.phoneCalls).toEqual(['01062301001', '96156']);
  });

  it('offers the hotline even before anyone is bound', async () => {
    fakeWx({ 'POST /api/auth/wechat': [200, { token: 'tk', kind: 'Family', id: 3, phoneBound: false, elders: [] }] });
    const page = mount('home');
    await page.instance.onShow();
    expect(text(page)).toContain('打养老服务热线 96156');
    expect(text(page)).not.toContain('打给');
  });

  it('follows WeChat\'s font-size setting: larger WeChat text makes the whole page larger', async () => {
    fakeWx({}, { storage: familySession });
    expect(mount('home').instance.data.pageStyle).toBe('font-size: 20px;'); // 40rpx on a 375 px phone
    jest.resetModules();
    fakeWx({}, { storage: familySession, fontScale: 1.4 });
    expect(mount('home').instance.data.pageStyle).toBe('font-size: 28px;');
    jest.resetModules();
    fakeWx({}, { storage: { ...familySession, 'eldercare.bigType': true } });
    expect(mount('home').instance.data.pageStyle).toBe('font-size: 25px;'); // 大字 in 我的
  });
});
