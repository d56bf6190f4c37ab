// The mini-program's pages against the real API (a process on this machine) and the fake WeChat server: wx.request
// goes over HTTP, wx.login and the phone-number button get their codes from the fake, and wx.requestPayment is the
// payer confirming in WeChat, after which WeChat Pay notifies the API.
const path = require('path');
const simulate = require('miniprogram-simulate');

const { E2E_API, E2E_WECHAT, E2E_ELDER_NAME, E2E_ELDER_LAST4, E2E_ELDER_PHONE, E2E_LUNCH_NAME, E2E_LUNCH_LAST4, E2E_LUNCH_PHONE } = process.env;
const root = path.join(__dirname, '..', '..');

/** One phone: its own WeChat user (openid), storage and dialogs, talking to the real servers. */
function phone(openId, phoneNumber) {
  const storage = new Map();
  const seen = { modals: [], toasts: [], paySheets: 0, subscribeSheets: 0 };
  // Parsed here rather than with Response.json(), whose arrays belong to Node's realm and not the pages' (setData would copy them as objects).
  const parse = (text) => (text ? JSON.parse(text) : '');
  const getJson = (url, init) => fetch(url, init).then((r) => r.text()).then(parse);
  return {
    seen,
    use() {
      jest.resetModules();
      jest.doMock('../../config.js', () => ({ apiBaseUrl: E2E_API, hotline: { name: '养老服务热线', number: '96156' } }));
      global.wx = {
        request({ url, method = 'GET', data, header, success, fail }) {
          const init = { method, headers: Object.assign({ 'Content-Type': 'application/json' }, header) };
          if (data !== undefined && method !== 'GET') init.body = JSON.stringify(data);
          fetch(url, init).then(async (r) => success({ statusCode: r.status, data: parse(await r.text()) }), fail);
        },
        login({ success, fail }) { getJson(`${E2E_WECHAT}/fake/login-code?openid=${openId}`).then(success, fail); },
        requestPayment({ package: pkg, success, fail }) {
          seen.paySheets++; // WeChat Pay's own sheet: the payer confirms (one touch, then the password or fingerprint)
          fetch(`${E2E_WECHAT}/fake/pay?prepayId=${pkg.replace('prepay_id=', '')}`, { method: 'POST' })
            .then((r) => (r.ok ? success({ errMsg: 'requestPayment:ok' }) : fail({ errMsg: 'requestPayment:fail' })), fail);
        },
        getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
        setStorageSync: (k, v) => storage.set(k, v),
        removeStorageSync: (k) => storage.delete(k),
        navigateTo() {}, switchTab() {}, reLaunch() {},
        requestSubscribeMessage({ complete }) { seen.subscribeSheets++; if (complete) complete(); },
        showModal(args) { seen.modals.push(args.content); if (args.success) args.success({ confirm: true, cancel: false }); },
        showToast(args) { seen.toasts.push(args.title); },
      };
    },
    storage,
    phoneCode: () => getJson(`${E2E_WECHAT}/fake/phone-code?phone=${phoneNumber}`).then((r) => r.code),
  };
}

function mount(page) {
  const comp = simulate.render(simulate.load(path.join(root, 'pages', page, 'index'), { rootPath: root }));
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
}

/** A tap on an element of a page, as the user's finger; counted. */
async function tapOn(comp, selector, taps) {
  const node = comp.querySelector(selector);
  if (!node) throw new Error(`nothing to tap at ${selector}: ${comp.dom.textContent}`);
  taps.push(selector);
  node.dispatchEvent('tap');
}

const until = async (check, what) => {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
};

test('a daughter binds her father, he agrees on his own phone, she books him a service and pays, and sees it paid', async () => {
  const daughter = phone(`o-daughter-${Date.now()}`, '13911112222');
  const father = phone(`o-father-${Date.now()}`, E2E_ELDER_PHONE);

  // The daughter: log in, share her phone number, ask to bind her father.
  daughter.use();
  const profile = mount('profile');
  await profile.instance.onShow();
  await profile.instance.onPhone({ detail: { code: await daughter.phoneCode() } });
  expect(profile.instance.data.phoneBound).toBe(true);
  const family = mount('family');
  await family.instance.onShow();
  for (const [field, value] of Object.entries({ elderName: E2E_ELDER_NAME, idLast4: E2E_ELDER_LAST4, elderPhone: E2E_ELDER_PHONE, relation: '女儿' }))
    family.instance.input({ currentTarget: { dataset: { field } }, detail: { value } });
  await family.instance.ask();
  expect(family.instance.data.bindings.map((b) => b.status)).toEqual(['Pending']);

  // The father, on his own phone: claims his file with his phone number and agrees.
  father.use();
  const his = mount('profile');
  await his.instance.onShow();
  his.instance.input({ currentTarget: { dataset: { field: 'name' } }, detail: { value: E2E_ELDER_NAME } });
  his.instance.input({ currentTarget: { dataset: { field: 'idLast4' } }, detail: { value: E2E_ELDER_LAST4 } });
  await his.instance.onClaim({ detail: { code: await father.phoneCode() } });
  expect(his.instance.data.isElder).toBe(true);
  const requests = mount('family');
  await requests.instance.onShow();
  const request = requests.instance.data.bindings[0];
  await requests.instance.confirm({ currentTarget: { dataset: { id: request.id } } });

  // The daughter again: her father is now hers to act for; she books cleaning for him and pays.
  daughter.use();
  const again = mount('family');
  await again.instance.onShow();
  const home = mount('home');
  await home.instance.onShow();
  expect(home.instance.data.acting.name).toBe(E2E_ELDER_NAME);
  const services = mount('services');
  await services.instance.onLoad({ line: 'Cleaning' });
  const service = services.instance.data.services.find((s) => s.eligible !== false && s.price.payableFen > 0);
  expect(service).toBeTruthy();
  services.instance.pick({ currentTarget: { dataset: { index: services.instance.data.services.indexOf(service) } } });
  const book = mount('book');
  await book.instance.onLoad({ serviceId: String(service.id), name: encodeURIComponent(service.name) });
  const open = book.instance.data.slots.findIndex((s) => !s.full);
  expect(open).toBeGreaterThanOrEqual(0);
  book.instance.pick({ currentTarget: { dataset: { index: open } } });
  const confirm = mount('confirm');
  await confirm.instance.onLoad({});
  expect(confirm.dom.textContent).toContain(service.name);
  await confirm.instance.confirm();
  expect(confirm.instance.data.error).toBe(''); // nothing went wrong
  expect(confirm.instance.data.done).toBeTruthy();

  // WeChat Pay told the API; the order shows as paid and confirmed.
  const orders = mount('orders');
  await until(async () => {
    await orders.instance.onShow();
    return orders.instance.data.orders.some((o) => o.serviceName === service.name && o.paid && o.status === 'Confirmed');
  }, 'the order to show as paid');
});

test('a returning housebound elder gets a delivered, paid lunch in three taps', async () => {
  const elder = phone(`o-lunch-${Date.now()}`, E2E_LUNCH_PHONE);
  elder.use();

  // First use, once: 我是老人本人, her name and the last four of her ID number, 核对身份, WeChat's phone-number sheet.
  const first = mount('home');
  await first.instance.onShow();
  expect(first.dom.textContent).toContain('我是老人本人');
  const profile = mount('profile');
  await profile.instance.onShow();
  profile.instance.input({ currentTarget: { dataset: { field: 'name' } }, detail: { value: E2E_LUNCH_NAME } });
  profile.instance.input({ currentTarget: { dataset: { field: 'idLast4' } }, detail: { value: E2E_LUNCH_LAST4 } });
  await profile.instance.onClaim({ detail: { code: await elder.phoneCode() } });
  expect(profile.instance.data.isElder).toBe(true);

  // The next day: her stored session has idled out; opening the app logs her in again without a word.
  elder.storage.set('eldercare.session', Object.assign({}, elder.storage.get('eldercare.session'), { token: 'idled-out' }));
  elder.use(); // the app opened afresh; what WeChat keeps (storage) is still there
  const taps = [];
  const home = mount('home');
  await home.instance.onShow();
  await until(() => home.instance.data.offer || home.instance.data.offerError || home.instance.data.error, 'the lunch offer');
  expect([home.instance.data.error, home.instance.data.offerError]).toEqual(['', '']);
  const offer = home.instance.data.offer;
  expect(offer.modeName).toBe('送餐到家'); // her file says she is housebound
  expect(home.querySelector('#lunch').dom.textContent).toContain('送餐到家');

  await tapOn(home, '#lunch', taps); // 1: 订午餐
  const confirm = mount('confirm');
  await confirm.instance.onLoad({});
  const page = confirm.dom.textContent;
  [offer.serviceName, offer.when, offer.place, '送餐到家', offer.payable].forEach((t) => expect(page).toContain(t));
  await tapOn(confirm, '#confirm', taps); // 2: 确认并付款, then WeChat Pay's sheet (3)
  await until(() => confirm.instance.data.done, 'the lunch to be booked and paid');

  expect(taps.length + elder.seen.paySheets).toBe(3);
  expect(elder.seen.modals).toEqual([]);
  expect(confirm.querySelector('#money').dom.textContent).toBe(`已付${offer.payable}`);
  const booking = await fetch(`${E2E_API}/api/bookings/${confirm.instance.data.done.id}`, {
    headers: { Authorization: `Bearer ${elder.storage.get('eldercare.session').token}` },
  }).then((r) => r.json());
  expect([booking.mode, booking.status, booking.place, booking.price.paidFen]).toEqual(['Delivery', 'Confirmed', elder.storage.get('eldercare.choice').place, booking.price.payableFen]);
});
