// What WeChat's review looks at: the API address per environment (release must be https) and the privacy guide flow.
const { fakeWx, mount, settle, tap } = require('./helpers.js');

describe('ready for WeChat\'s review', () => {
  beforeEach(() => jest.resetModules());

  it('uses the local API in WeChat DevTools and an https one in trial and release builds', () => {
    for (const [env, expected] of [['develop', /^http:\/\/127\.0\.0\.1/], ['trial', /^https:\/\//], ['release', /^https:\/\//]]) {
      jest.resetModules();
      global.wx = { getAccountInfoSync: () => ({ miniProgram: { envVersion: env } }) };
      expect(require('../config.js').apiBaseUrl).toMatch(expected);
    }
  });

  it('shows the privacy notice when WeChat asks, and passes the agreement back with the agreeing button', async () => {
    fakeWx({ 'GET /api/family-bindings': [200, []] }, { storage: { 'eldercare.session': { token: 'tk', kind: 'Family', id: 3, phoneBound: false, elders: [] } } });
    let asked = null;
    global.wx.onNeedPrivacyAuthorization = (handler) => { asked = handler; };
    global.getApp = undefined;
    let appDefinition = null;
    global.App = (definition) => { appDefinition = definition; };
    require('../app.js');
    appDefinition.onLaunch();
    const page = mount('profile');
    await page.instance.onShow();
    expect(page.querySelector('#privacy-sheet')).toBeFalsy();

    let answer = null;
    asked((a) => { answer = a; }); // the elder tapped 核对身份 (the phone-number button): WeChat needs her agreement first
    await settle();
    const root = page.querySelector('#privacy');
    expect(root.querySelector('#privacy-sheet').dom.textContent).toContain('只用来办养老服务');
    // The button's open-type makes WeChat record the agreement and fire agreeprivacyauthorization on it.
    const wxml = require('fs').readFileSync(require('path').join(__dirname, '..', 'components', 'privacy-sheet', 'index.wxml'), 'utf8');
    expect(wxml).toMatch(/id="agree-privacy" open-type="agreePrivacyAuthorization"/);
    root.querySelector('#agree-privacy').dispatchEvent('agreeprivacyauthorization');
    await settle();
    expect(answer).toEqual({ event: 'agree', buttonId: 'agree-privacy' });
    expect(root.querySelector('#privacy-sheet')).toBeFalsy();
  });
});

describe('演示模式', () => {
  beforeEach(() => jest.resetModules());

  it('lets a reviewer with a new account try the three-tap lunch on made-up data, without the API or any payment, and leave it', async () => {
    const { calls, storage } = fakeWx({ 'POST /api/auth/wechat': [200, { token: 'tk', kind: 'Family', id: 3, phoneBound: false, elders: [] }], 'GET /api/family-bindings': [200, []] });
    const home = mount('home');
    await home.instance.onShow();
    const before = calls.requests.length;

    await tap(home, '#try-demo');
    expect(home.querySelector('#lunch').dom.textContent).toContain('订午餐');
    expect(home.querySelector('#call-bar').querySelector('#demo-banner').dom.textContent).toContain('这是演示'); // on the page already open, too
    await tap(home, '#lunch');
    jest.resetModules(); // the next page, as WeChat opens it (the simulator draws one page's components per module set)
    const confirm = mount('confirm');
    await confirm.instance.onLoad({});
    expect(confirm.querySelector('#call-bar').querySelector('#demo-banner').dom.textContent).toContain('不会真的下单');
    await tap(confirm, '#confirm');
    expect(confirm.querySelector('#done').dom.textContent).toContain('已预约');
    expect(calls.requests.length).toBe(before); // nothing reached the API
    expect(calls.payments).toHaveLength(0); // and WeChat Pay was never opened

    jest.resetModules();
    const profile = mount('profile');
    await profile.instance.onShow();
    expect(profile.querySelector('#logout').dom.textContent).toContain('退出演示');
    await tap(profile, '#logout');
    expect(storage.has('eldercare.demo')).toBe(false);
    expect(storage.has('eldercare.session')).toBe(false);
  });
});
