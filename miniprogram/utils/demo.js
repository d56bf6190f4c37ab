// 演示模式, for WeChat's reviewers and anyone who wants to look first: the whole app works on made-up data kept on
// the phone, with no account, no real elder, no request to the API and no payment. Every page says it is a demo
// (the call bar), and 我的 ends it. api.js sends requests here while it is on.
const { beijingDate } = require('./format.js');

const DEMO = 'eldercare.demo';
const elder = { elderId: 1, name: '张秀兰（演示）', relation: '本人', station: '演示驿站', stationPhone: '' };
const session = { token: 'demo', kind: 'Elder', id: 1, phoneBound: true, elders: [elder], demo: true };

const lunch = { id: 1, line: 'Meals', name: '午餐·软食套餐', detail: '少盐少油，软烂易嚼，适合牙口不好的老人', modes: ['AtCentre', 'PickUp', 'Delivery'], eligible: true, price: { listFen: 1500, subsidyFen: 500, payableFen: 1000, subsidies: [] } };
const cleaning = { id: 2, line: 'Cleaning', name: '居家保洁2小时', detail: '厨房、卫生间、地面、倒垃圾', modes: ['AtHome'], eligible: true, price: { listFen: 8000, subsidyFen: 6000, payableFen: 2000, subsidies: [] } };
const point = { resourceId: 1, name: '演示助餐点', address: '演示路1号', distanceMetres: 350, ownStation: true };

function state() {
  return wx.getStorageSync(DEMO) || null;
}

function start() {
  wx.setStorageSync(DEMO, { bookings: [], plans: [], next: 100 });
  return session;
}

function stop() {
  wx.removeStorageSync(DEMO);
}

const isOn = () => !!state();

function slots(service) {
  return [1, 2, 3].map((day) => ({
    slotId: service.id * 10 + day, serviceId: service.id, resourceId: 1, resourceName: service.line === 'Meals' ? point.name : '演示驿站护理员',
    date: beijingDate(day), start: service.line === 'Meals' ? '11:00:00' : '09:00:00', end: '13:00:00', remaining: 5, bookable: true,
    distanceMetres: point.distanceMetres, ownStation: true,
  }));
}

/** The answer the API would give, from the demo's own data: resolves with a body or rejects with a ProblemDetails. */
function answer(path, { method = 'GET', data } = {}) {
  const s = state();
  const save = () => wx.setStorageSync(DEMO, s);
  const [route] = path.split('?');
  const at = (re) => re.exec(route);
  let m;
  if (route === '/api/auth/wechat/elders') return Promise.resolve([elder]);
  if (route === '/api/auth/wechat/templates') return Promise.resolve({ forBooking: [], forWaitlist: [], payment: 'WeChat' });
  if (route === '/api/catalog') return Promise.resolve([lunch, cleaning]);
  if (route === '/api/family-bindings') return Promise.resolve([]);
  if (route === '/api/meals/lunch-offer') {
    const slot = slots(lunch).find((x) => !s.bookings.some((b) => b.date === x.date && b.line === 'Meals' && b.status !== 'Cancelled'));
    if (!slot) return Promise.reject({ status: 404, type: 'no-lunch-offer', title: '最近一周没有还能预约的午餐，可以打电话给驿站问问', detail: '' });
    return Promise.resolve({ serviceId: lunch.id, serviceName: lunch.name, detail: lunch.detail, slotId: slot.slotId, date: slot.date, start: slot.start, end: slot.end,
      mealPoint: point, mode: 'Delivery', modes: lunch.modes, why: 'housebound', price: lunch.price, payment: 'WeChat' });
  }
  if (route === '/api/availability') {
    const service = /serviceId=2\b/.test(path) ? cleaning : lunch;
    return Promise.resolve(slots(service));
  }
  if (route === '/api/bookings' && method === 'POST') {
    const service = Math.floor(data.slotId / 10) === cleaning.id ? cleaning : lunch;
    const slot = slots(service).find((x) => x.slotId === data.slotId);
    const booking = {
      id: s.next++, elderId: 1, slotId: data.slotId, serviceName: service.name, line: service.line, date: slot.date, start: slot.start, mode: data.mode || service.modes[0],
      status: 'Confirmed', payAtWindow: false, payBy: null, place: slot.resourceName, price: Object.assign({ paidFen: service.price.payableFen }, service.price),
      history: [{ to: 'Confirmed', at: new Date().toISOString(), actor: 'Elder', note: '演示：没有真的下单，也没有扣钱' }],
    };
    s.bookings.push(booking);
    save();
    return Promise.resolve(booking);
  }
  if (route === '/api/bookings') return Promise.resolve(s.bookings);
  if ((m = at(/^\/api\/bookings\/(\d+)$/))) {
    const booking = s.bookings.find((b) => b.id === Number(m[1]));
    return booking ? Promise.resolve(booking) : Promise.reject({ status: 404, type: 'booking-not-found', title: '没有找到这个预约', detail: '' });
  }
  if ((m = at(/^\/api\/bookings\/(\d+)\/cancel$/))) {
    const booking = s.bookings.find((b) => b.id === Number(m[1]));
    booking.status = 'Cancelled';
    booking.history.push({ to: 'Cancelled', at: new Date().toISOString(), actor: 'Elder', note: data && data.reason });
    save();
    return Promise.resolve(booking);
  }
  if (route === '/api/meal-plans' && method === 'POST') {
    s.plans.push({ id: s.next++, elderId: 1, weekdays: data.weekdays, period: 'Lunch', mode: data.mode, status: 'Active' });
    save();
    return Promise.resolve(s.plans[s.plans.length - 1]);
  }
  if (route === '/api/meal-plans') return Promise.resolve(s.plans);
  if ((m = at(/^\/api\/meal-plans\/(\d+)\/(pause|resume)$/))) {
    const plan = s.plans.find((p) => p.id === Number(m[1]));
    plan.status = m[2] === 'pause' ? 'Paused' : 'Active';
    save();
    return Promise.resolve(plan);
  }
  return Promise.reject({ status: 0, type: 'demo', title: '演示里不能办这一项；正式使用时可以', detail: '' });
}

module.exports = { isOn, start, stop, answer, session };
