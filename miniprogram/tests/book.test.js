const { fakeWx, familySession, mount, settle, tap, text } = require('./helpers.js');
const { beijingDate } = require('../utils/format.js');

const path = `/api/availability?serviceId=1&elderId=7&from=${beijingDate()}&to=${beijingDate(6)}`;
const { slots } = require('./fixtures.js');
const service = { serviceId: 1, serviceName: '午餐·普通套餐', detail: '两荤一素', line: 'Meals', modes: ['AtCentre', 'Delivery'], price: { listFen: 1500, subsidyFen: 500, payableFen: 1000 } };

describe('book', () => {
  beforeEach(() => jest.resetModules());

  it('lists the next times in words with each place and its distance, the elder\'s own station first, and leaves out the closed ones', async () => {
    fakeWx({ [`GET ${path}`]: [200, slots] }, { storage: familySession });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: encodeURIComponent('午餐·普通套餐') });

    expect(page.instance.data.slots.map((s) => s.slotId)).toEqual([11, 13, 12]);
    expect(page.querySelector('#slot-13').dom.textContent).toContain('学院路助餐点，离家约400米（您片区的）');
    expect(page.querySelector('#slot-12').dom.textContent).toContain('清华园助餐点，离家约1.9公里');
    expect(text(page)).toContain('12月2日 周三 上午11:00');
    expect(page.querySelector('#slot-14')).toBeFalsy(); // past its cut-off: not offered at all
  });

  it('takes the tapped time to the confirm page, keeping the service\'s price and a way this place can offer', async () => {
    const { calls, storage } = fakeWx({ [`GET ${path}`]: [200, slots] }, { storage: { ...familySession, 'eldercare.choice': { ...service, mode: 'Delivery' } } });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: 'x', modes: 'AtCentre,Delivery' });

    await tap(page, '#slot-13');
    expect(calls.navigations).toEqual(['/pages/confirm/index']);
    expect(storage.get('eldercare.choice')).toMatchObject({ slotId: 13, place: '学院路助餐点', mode: 'Delivery', price: { payableFen: 1000 } });

    await tap(page, '#slot-12'); // another station's meal point: it does not deliver, so the lunch is eaten there
    expect(storage.get('eldercare.choice')).toMatchObject({ slotId: 12, mode: 'AtCentre' });
  });

  it('joins the waitlist for a full time and says where in the queue the elder is', async () => {
    const { calls } = fakeWx({
      [`GET ${path}`]: [200, slots],
      'GET /api/auth/wechat/templates': [200, { forBooking: [], forWaitlist: ['tmpl-promoted'] }],
      'POST /api/waitlist': [201, { id: 4, status: 'Waiting', position: 3 }],
    }, { storage: familySession });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: 'x' });
    await settle();
    expect(page.querySelector('#slot-11').dom.textContent).toContain('约满了，已有2人候补');

    await tap(page, '#wait-11');
    expect(calls.requests.find((r) => r.path === '/api/waitlist').data).toEqual({ elderId: 7, slotId: 11 });
    expect(calls.subscriptions).toEqual(['tmpl-promoted']); // told when a place frees
    expect(page.querySelector('#notice').dom.textContent).toContain('排第3位');
    expect(page.querySelector('#wait-11')).toBeFalsy();
    expect(calls.navigations).toEqual([]); // a full time does not go to the confirm page
  });

  it('says why it could not list the times in the API\'s words', async () => {
    fakeWx({ [`GET ${path}`]: [403, { type: 'not-bound', title: '您还没有绑定这位老人，不能查看或代办' }] }, { storage: familySession });
    const page = mount('book');
    await page.instance.onLoad({ serviceId: '1', name: 'x' });
    expect(page.querySelector('#error').dom.textContent).toContain('您还没有绑定这位老人');
  });
});
