const { fakeWx, familySession, mount, tap, text } = require('./helpers.js');

const catalog = [
  { id: 1, line: 'Meals', name: '午餐·普通套餐', modes: ['AtCentre', 'Delivery'], eligible: true, price: { listFen: 1500, subsidyFen: 500, payableFen: 1000 } },
  { id: 2, line: 'Meals', name: '午餐·软食', eligible: false, ineligibleReason: '仅限失能老人', price: { listFen: 1800, subsidyFen: 0, payableFen: 1800 } },
  { id: 3, line: 'Bathing', name: '上门助浴', eligible: true, price: { listFen: 12000, subsidyFen: 12000, payableFen: 0 } },
];

describe('services', () => {
  beforeEach(() => jest.resetModules());

  it('lists the line\'s services with what the elder pays after subsidy, and says why one cannot be had', async () => {
    const { calls } = fakeWx({ 'GET /api/catalog?elderId=7': [200, catalog] }, { storage: familySession });
    const page = mount('services');
    await page.instance.onLoad({ line: 'Meals' });

    expect(text(page)).toContain('助餐 · 为王建国选服务');
    expect(text(page)).toContain('自付 10.00元');
    expect(text(page)).toContain('仅限失能老人');
    expect(text(page)).not.toContain('上门助浴');

    await tap(page, '#service-2');
    expect(calls.navigations).toHaveLength(0); // not for this elder
    await tap(page, '#service-1');
    expect(calls.navigations).toEqual([`/pages/book/index?serviceId=1&name=${encodeURIComponent('午餐·普通套餐')}&modes=AtCentre,Delivery`]); // the ways it comes, to choose from
  });

  it('shows the backend\'s refusal', async () => {
    fakeWx({ 'GET /api/catalog?elderId=7': [403, { type: 'not-bound', title: '您还没有绑定这位老人，不能查看或代办' }] }, { storage: familySession });
    const page = mount('services');
    await page.instance.onLoad({ line: 'Meals' });
    expect(page.querySelector('#error').dom.textContent).toContain('您还没有绑定这位老人');
  });
});
