const { fakeWx, familySession, mount, settle, tap, text } = require('./helpers.js');

const active = { id: 5, elderId: 7, elderName: '王建国', relation: '女儿', status: 'Active', familyName: '王丽', familyPhone: '139****2222' };
const pending = { id: 6, elderId: 8, elderName: '李秀英', relation: '女儿', status: 'Pending', familyName: '王丽', familyPhone: '139****2222' };

describe('family', () => {
  beforeEach(() => jest.resetModules());

  it('asks to bind an elder with the details the station has, and refuses to send an incomplete form', async () => {
    const { calls } = fakeWx({
      'GET /api/family-bindings': [200, [active]],
      'POST /api/family-bindings': [201, pending],
    }, { storage: familySession });
    const page = mount('family');
    await page.instance.onShow();
    expect(text(page)).toContain('王建国（女儿）');

    await tap(page, '#ask');
    expect(page.querySelector('#error').dom.textContent).toContain('请把老人姓名');
    expect(calls.requests.filter((r) => r.method === 'POST')).toHaveLength(0);

    for (const [field, value] of Object.entries({ elderName: '李秀英', idLast4: '123X', elderPhone: '13800001111', relation: '女儿' }))
      page.instance.input({ currentTarget: { dataset: { field } }, detail: { value } });
    await tap(page, '#ask');
    expect(calls.requests.find((r) => r.method === 'POST').data).toEqual({ elderName: '李秀英', idLast4: '123X', elderPhone: '13800001111', relation: '女儿' });
  });

  it('switches the elder the family member acts for, and learns of bindings confirmed since log-in', async () => {
    const other = { ...pending, status: 'Active' };
    const { calls, storage } = fakeWx({
      'GET /api/family-bindings': [200, [active, other]],
      'GET /api/auth/wechat/elders': [200, [{ elderId: 7, name: '王建国', relation: '女儿', station: '学院路一站', stationPhone: '01062301001' }, { elderId: 8, name: '李秀英', relation: '女儿', station: '学院路一站', stationPhone: '01062301001' }]],
    }, { storage: familySession });
    const page = mount('family');
    await page.instance.onShow();
    expect(storage.get('eldercare.session').elders.map((e) => e.elderId)).toEqual([7, 8]);
    await tap(page, '#act-6');
    expect(storage.get('eldercare.acting')).toBe(8);
    expect(calls.navigations).toEqual(['/pages/home/index']);
  });

  it('lets an elder agree to a family member\'s request, and shows a refusal in the backend\'s words', async () => {
    const elderSession = { 'eldercare.session': { token: 'tk', kind: 'Elder', id: 8, phoneBound: true, elders: [{ elderId: 8, name: '李秀英', relation: '本人' }] }, 'eldercare.acting': 8 };
    const { calls } = fakeWx({
      'GET /api/family-bindings': [200, [pending]],
      'POST /api/family-bindings/6/confirm': [409, { type: 'binding-ended', title: '这条绑定已经解除，需要家属重新申请' }],
    }, { storage: elderSession });
    const page = mount('family');
    await page.instance.onShow();
    expect(text(page)).toContain('王丽（女儿，139****2222）');
    await tap(page, '#confirm-6');
    await settle();
    expect(calls.requests.some((r) => r.method === 'POST' && r.path === '/api/family-bindings/6/confirm')).toBe(true);
    expect(page.querySelector('#error').dom.textContent).toContain('这条绑定已经解除');
  });

  it('ends a binding only after 确定解除 on the page, and not when the elder says 不解除', async () => {
    let ended = false;
    const elderSession = { 'eldercare.session': { token: 'tk', kind: 'Elder', id: 8, phoneBound: true, elders: [{ elderId: 8, name: '李秀英', relation: '本人' }] }, 'eldercare.acting': 8 };
    const { calls } = fakeWx({
      'GET /api/family-bindings': () => [200, ended ? [] : [{ ...pending, status: 'Active' }]],
      'DELETE /api/family-bindings/6': () => { ended = true; return [204, null]; },
    }, { storage: elderSession });
    const page = mount('family');
    await page.instance.onShow();
    await tap(page, '#unbind-6');
    expect(page.querySelector('#ask-6').dom.textContent).toContain('解除后，对方不能再替老人预约和付款');
    await tap(page, '#keep-6');
    expect(page.querySelector('#ask-6')).toBeFalsy();
    expect(calls.requests.some((r) => r.method === 'DELETE')).toBe(false);

    await tap(page, '#unbind-6');
    await tap(page, '#confirm-unbind-6');
    await settle();
    expect(calls.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
    expect(page.querySelector('#notice').dom.textContent).toBe('已解除绑定');
    expect(page.querySelector('#binding-6')).toBeFalsy();
  });
});
