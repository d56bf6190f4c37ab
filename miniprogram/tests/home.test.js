const { fakeWx, familySession, mount, settle, tap, text } = require('./helpers.js');

describe('home', () => {
  beforeEach(() => jest.resetModules());

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

  it('sends someone with no elders yet to bind one, and shows why a log-in failed', async () => {
    fakeWx({ 'POST /api/auth/wechat': [200, { token: 'tk', kind: 'Family', id: 3, phoneBound: false, elders: [] }] });
    const page = mount('home');
    await page.instance.onShow();
    expect(text(page)).toContain('还没有可以代办的老人');
    expect(page.querySelector('#bind')).toBeTruthy();

    jest.resetModules();
    fakeWx({ 'POST /api/auth/wechat': [503, { type: 'wechat-unavailable', title: '微信暂时连不上，请稍后再试' }] });
    const failed = mount('home');
    await failed.instance.onShow();
    expect(failed.querySelector('#error').dom.textContent).toContain('微信暂时连不上');
  });

  it('keeps a session it already has', async () => {
    const { calls } = fakeWx({}, { storage: familySession });
    const page = mount('home');
    await page.instance.onShow();
    expect(calls.requests).toHaveLength(0);
    expect(text(page)).toContain('王建国');
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
});
