// The mini-program's pages against the real API (a process on this machine) and the fake WeChat server: wx.request
// goes over HTTP, wx.login and the phone-number button get their codes from the fake, and wx.requestPayment is the
// payer confirming in WeChat, after which WeChat Pay notifies the API.
const path = require('path');
const simulate = require('miniprogram-simulate');

const { E2E_API, E2E_WECHAT, E2E_ELDER_NAME, E2E_ELDER_LAST4, E2E_ELDER_PHONE } = process.env;
const root = path.join(__dirname, '..', '..');

/** One phone: its own WeChat user (openid), storage and dialogs, talking to the real servers. */
function phone(openId, phoneNumber) {
  const storage = new Map();
  const seen = { modals: [], toasts: [] };
  // Parsed here rather than with Response.json(), whose arrays belong to Node's realm and not the pages' (setData would copy them as objects).
  const parse = (text) => (text ? JSON.parse(text) : '');
  const getJson = (url, init) => fetch(url, init).then((r) => r.text()).then(parse);
  return {
    seen,
    use() {
      jest.resetModules();
      jest.doMock('../../config.js', () => ({ apiBaseUrl: E2E_API }));
      global.wx = {
        request({ url, method = 'GET', data, header, success, fail }) {
          const init = { method, headers: Object.assign({ 'Content-Type': 'application/json' }, header) };
          if (data !== undefined && method !== 'GET') init.body = JSON.stringify(data);
          fetch(url, init).then(async (r) => success({ statusCode: r.status, data: parse(await r.text()) }), fail);
        },
        login({ success, fail }) { getJson(`${E2E_WECHAT}/fake/login-code?openid=${openId}`).then(success, fail); },
        requestPayment({ package: pkg, success, fail }) {
          fetch(`${E2E_WECHAT}/fake/pay?prepayId=${pkg.replace('prepay_id=', '')}`, { method: 'POST' })
            .then((r) => (r.ok ? success({ errMsg: 'requestPayment:ok' }) : fail({ errMsg: 'requestPayment:fail' })), fail);
        },
        getStorageSync: (k) => (storage.has(k) ? storage.get(k) : ''),
        setStorageSync: (k, v) => storage.set(k, v),
        removeStorageSync: (k) => storage.delete(k),
        navigateTo() {}, switchTab() {}, reLaunch() {},
        requestSubscribeMessage({ complete }) { if (complete) complete(); },
        showModal(args) { seen.modals.push(args.content); if (args.success) args.success({ confirm: true, cancel: false }); },
        showToast(args) { seen.toasts.push(args.title); },
      };
    },
    phoneCode: () => getJson(`${E2E_WECHAT}/fake/phone-code?phone=${phoneNumber}`).then((r) => r.code),
  };
}

function mount(page) {
  const comp = simulate.render(simulate.load(path.join(root, 'pages', page, 'index'), { rootPath: root }));
  comp.attach(document.createElement('parent-wrapper'));
  return comp;
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
  const book = mount('book');
  await book.instance.onLoad({ serviceId: String(service.id), name: encodeURIComponent(service.name) });
  expect(book.instance.data.slots.length).toBeGreaterThan(0);
  await book.instance.book(book.instance.data.slots[0]);
  expect(daughter.seen.modals).toEqual([]); // nothing went wrong

  // WeChat Pay told the API; the order shows as paid and confirmed.
  const orders = mount('orders');
  await until(async () => {
    await orders.instance.onShow();
    return orders.instance.data.orders.some((o) => o.serviceName === service.name && o.paid && o.status === 'Confirmed');
  }, 'the order to show as paid');
});
