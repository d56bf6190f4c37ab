// The mini-program's one way to the API: the session token travels as a bearer token; a refusal rejects with the
// ProblemDetails (its Chinese title is shown to the user as it is). A session that has ended (it idles out after a
// while) is renewed without the user noticing: wx.login again, and the request is sent once more.
const config = require('../config.js');
const demo = require('./demo.js');

const SESSION = 'eldercare.session';
const LOGIN = '/api/auth/wechat';
// WeChat waits 60 s by default; an elder looking at a still screen for a minute thinks it is broken. 15 s, then 重试.
const TIMEOUT_MS = 15000;
const ACTING = 'eldercare.acting';

function session() {
  return wx.getStorageSync(SESSION) || null;
}

function request(path, options = {}) {
  if (demo.isOn()) return demo.answer(path, options);
  return send(path, options).catch((e) => {
    // The stored session ended: log in again silently and send the same request once more (same headers, so the
    // same Idempotency-Key: a booking that did get through is not made twice).
    // (Not the log-in itself: its refusal is the answer.)
    if (e.status !== 401 || path === LOGIN) throw e;
    return ensureLogin().then(() => send(path, options));
  });
}

function send(path, { method = 'GET', data, header = {} } = {}) {
  const current = session();
  const headers = Object.assign({ Accept: 'application/json' }, header);
  if (current && current.token) headers.Authorization = `Bearer ${current.token}`;
  return new Promise((resolve, reject) => {
    wx.request({
      url: config.apiBaseUrl + path,
      method,
      data,
      header: headers,
      timeout: TIMEOUT_MS,
      success(res) {
        if (res.statusCode >= 200 && res.statusCode < 300) resolve(res.data);
        else {
          if (res.statusCode === 401) wx.removeStorageSync(SESSION);
          const problem = res.data && typeof res.data === 'object' ? res.data : {};
          reject({ status: res.statusCode, type: problem.type || 'unknown', title: problem.title || `请求失败（${res.statusCode}）`, detail: problem.detail || '' });
        }
      },
      fail(err) {
        const timedOut = err && /timeout|超时/.test(err.errMsg || '');
        reject({ status: 0, type: 'network', title: timedOut ? '等了15秒还没有回音，请再试一次' : '连不上服务器，请检查网络后再试', detail: '' });
      },
    });
  });
}

/**
 * Logs in with WeChat (wx.login gives a one-use code) unless a session is kept; resolves the session. Requests that
 * meet an ended session at the same moment share one log-in.
 */
let loggingIn = null;
function ensureLogin() {
  const current = session();
  if (current) return Promise.resolve(current);
  if (loggingIn) return loggingIn;
  loggingIn = new Promise((resolve, reject) => {
    wx.login({
      success: ({ code }) => request(LOGIN, { method: 'POST', data: { code } }).then((login) => {
        keep(login);
        resolve(login);
      }, reject),
      fail: () => reject({ status: 0, type: 'wechat', title: '微信登录没有成功，请稍后再试', detail: '' }),
    });
  });
  const done = () => { loggingIn = null; };
  loggingIn.then(done, done);
  return loggingIn;
}

/** Keeps a log-in, and acts for the first elder it may act for unless one is chosen already. */
function keep(login) {
  wx.setStorageSync(SESSION, login);
  const acting = wx.getStorageSync(ACTING);
  if (!login.elders.some((e) => e.elderId === acting)) {
    if (login.elders.length) wx.setStorageSync(ACTING, login.elders[0].elderId);
    else wx.removeStorageSync(ACTING);
  }
}

/** The elder the user acts for now: { elderId, name, relation }, or null. */
function actingFor() {
  const current = session();
  if (!current) return null;
  const id = wx.getStorageSync(ACTING);
  return current.elders.find((e) => e.elderId === id) || null;
}

/**
 * Asks the API whom this user may act for now (a daughter learns at once that her father agreed) and keeps it;
 * resolves the elders. Keeps what it had when the API cannot be asked.
 */
function refreshElders() {
  return request('/api/auth/wechat/elders').then((elders) => {
    const current = session();
    if (current) keep(Object.assign({}, current, { elders }));
    return elders;
  }, () => (session() || { elders: [] }).elders);
}

function actFor(elderId) {
  wx.setStorageSync(ACTING, elderId);
}

function logOut() {
  demo.stop();
  wx.removeStorageSync(SESSION);
  wx.removeStorageSync(ACTING);
}

/** 演示模式: made-up data on this phone, no account (see demo.js); ended by logOut. */
function startDemo() {
  keep(demo.start());
}

const inDemo = () => demo.isOn();

/** A refusal in the words shown on a page: the API's Chinese title, and its detail where it gives one. */
function problemText(e) {
  return e.detail ? `${e.title}（${e.detail}）` : e.title;
}

/** A key for one intended booking: the page keeps it for every retry of that booking, so a retry never books twice. */
function idempotencyKey() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

/**
 * Pays a booking's own part with WeChat Pay; resolves when WeChat says it is paid, after asking the API to check
 * with WeChat Pay (its notification may come a little later).
 */
function pay(bookingId) {
  if (demo.isOn()) return Promise.resolve(null); // a demo never opens WeChat Pay
  return request(`/api/bookings/${bookingId}/wechat-pay`, { method: 'POST' }).then((p) => new Promise((resolve, reject) => {
    wx.requestPayment({
      timeStamp: p.timeStamp, nonceStr: p.nonceStr, package: p.package, signType: p.signType, paySign: p.paySign,
      success: resolve,
      fail: (e) => reject({ status: 0, type: 'payment', title: e && /cancel/.test(e.errMsg) ? '已取消付款，可以在"我的订单"里再付' : '付款没有成功，请稍后再试', detail: '' }),
    });
  })).then(() => request(`/api/bookings/${bookingId}/wechat-pay/check`, { method: 'POST' }).catch(() => null));
}

module.exports = { TIMEOUT_MS, request, ensureLogin, keep, session, actingFor, refreshElders, actFor, logOut, startDemo, inDemo, idempotencyKey, problemText, pay };
