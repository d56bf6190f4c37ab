const { fakeWx, familySession, mount, tap, text } = require('./helpers.js');

const newUser = { 'eldercare.session': { token: 'tk', kind: 'Family', id: 3, phoneBound: false, elders: [] } };

describe('profile', () => {
  beforeEach(() => jest.resetModules());

  it('binds the phone number WeChat gives for the button the user tapped', async () => {
    const { calls, storage } = fakeWx({ 'POST /api/auth/wechat/phone': [200, { phoneBound: true, maskedPhone: '139****2222' }] }, { storage: newUser });
    const page = mount('profile');
    await page.instance.onShow();
    await page.instance.onPhone({ detail: { code: 'phone-code-1' } });
    expect(calls.requests.find((r) => r.method === 'POST')).toMatchObject({ path: '/api/auth/wechat/phone', data: { code: 'phone-code-1' } });
    expect(text(page)).toContain('已绑定手机号 139****2222');
    expect(storage.get('eldercare.session').phoneBound).toBe(true);
  });

  it('lets an elder claim their own file and then acts as the elder', async () => {
    const login = { token: 'tk2', kind: 'Elder', id: 8, phoneBound: true, elders: [{ elderId: 8, name: '李秀英', relation: '本人' }] };
    const { calls, storage } = fakeWx({ 'POST /api/auth/wechat/elder': [200, login], 'GET /api/family-bindings': [200, []] }, { storage: newUser });
    const page = mount('profile');
    await page.instance.onShow();
    await page.instance.onClaim({ detail: { code: 'p' } });
    expect(page.querySelector('#error').dom.textContent).toContain('请填好姓名');
    page.instance.input({ currentTarget: { dataset: { field: 'name' } }, detail: { value: '李秀英' } });
    page.instance.input({ currentTarget: { dataset: { field: 'idLast4' } }, detail: { value: '0021' } });
    await page.instance.onClaim({ detail: { code: 'phone-code-2' } });
    expect(calls.requests.find((r) => r.method === 'POST').data).toEqual({ name: '李秀英', idLast4: '0021', phoneCode: 'phone-code-2' });
    expect(storage.get('eldercare.session').kind).toBe('Elder');
    expect(storage.get('eldercare.acting')).toBe(8);
    expect(text(page)).toContain('您是老人本人');
    expect(calls.navigations).toEqual(['/pages/home/index']); // registered: lunch is one tap away there
  });

  it('logs out', async () => {
    const { calls, storage } = fakeWx({}, { storage: newUser });
    const page = mount('profile');
    await page.instance.onShow();
    await tap(page, '#logout');
    expect(storage.has('eldercare.session')).toBe(false);
    expect(calls.navigations).toEqual(['/pages/home/index']);
  });

  it('shows the acting elder\'s meal card as a QR code with its number', async () => {
    const { calls } = fakeWx({ 'GET /api/elders/7/meal-card': [200, { elderId: 7, name: '王建国', community: '幸福里', station: '学院路一站', mealCode: '5232 7917 06', qrPng: 'data:image/png;base64,iVBORw0KGgo=' }] }, { storage: familySession });
    const page = mount('profile');
    await page.instance.onShow();
    expect(calls.requests.some((r) => r.path === '/api/elders/7/meal-card')).toBe(true);
    expect(page.querySelector('#meal-code').dom.textContent).toBe('5232 7917 06');
    expect(text(page)).toContain('王建国的助餐卡');
  });

  it('does not offer a daughter who has bound her father the elder\'s path, which would turn her account into his', async () => {
    fakeWx({ 'GET /api/family-bindings': [200, [{ id: 6, elderId: 7, elderName: '王建国', relation: '女儿', status: 'Active' }]] }, { storage: familySession });
    const page = mount('profile');
    await page.instance.onShow();
    expect(page.querySelector('#claim')).toBeFalsy();
    expect(page.querySelector('#family-only').dom.textContent).toContain('请用老人自己的微信');
  });

  it('offers the elder path with a privacy note beside the form to someone who has bound nobody', async () => {
    fakeWx({ 'GET /api/family-bindings': [200, []] }, { storage: newUser });
    const page = mount('profile');
    await page.instance.onShow();
    expect(page.querySelector('#claim')).toBeTruthy();
    expect(page.querySelector('#privacy-note').dom.textContent).toContain('身份证号不保存');
  });

  it('turns on 大字 and opens again with every page larger', async () => {
    const { calls, storage } = fakeWx({}, { storage: newUser });
    const page = mount('profile');
    await page.instance.onShow();
    await tap(page, '#big-type');
    expect(storage.get('eldercare.bigType')).toBe(true);
    expect(calls.navigations).toEqual(['/pages/profile/index']);
  });
});
