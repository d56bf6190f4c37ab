// The caregiver's side of proof of service: a fix (wx.getLocation, gcj02, asked afresh each time), a photo from the
// camera (wx.chooseMedia, camera only), and the clock-ins and clock-outs themselves. A clock-in or out that cannot
// be sent (no signal in a stairwell) is kept on the phone with the moment it was captured, and sent with the moment
// it is sent when the network is back: the API corrects for both, so the visit keeps its real times.
const config = require('../config.js');
const api = require('./api.js');

const QUEUE = 'eldercare.visit-queue';
// Visit ids learnt for bookings, so a clock-out taken offline after an offline clock-in finds its visit.
const VISITS = 'eldercare.visit-ids';

/**
 * A fresh fix: resolves { latitude, longitude, accuracyMeters }, or { denied: true } when the caregiver has not
 * allowed location (the page then offers the settings, or a clock-in without a fix, which the station reviews), or
 * { failed: true } when the phone found no position.
 */
function locate() {
  return new Promise((resolve) => {
    wx.getLocation({
      type: 'gcj02',
      isHighAccuracy: true,
      highAccuracyExpireTime: 5000,
      success: (r) => resolve({ latitude: r.latitude, longitude: r.longitude, accuracyMeters: r.accuracy }),
      fail: (e) => resolve(/auth|deny|denied|permission/.test((e && e.errMsg) || '') ? { denied: true } : { failed: true }),
    });
  });
}

/** A photo taken now with the camera: its temporary file path, or null when the caregiver cancelled. */
function takePhoto() {
  return new Promise((resolve) => {
    wx.chooseMedia({
      count: 1,
      mediaType: ['image'],
      sourceType: ['camera'],
      sizeType: ['compressed'],
      camera: 'back',
      success: (r) => resolve(r.tempFiles && r.tempFiles[0] ? r.tempFiles[0].tempFilePath : null),
      fail: () => resolve(null),
    });
  });
}

/** Uploads a photo file: resolves its photo id; rejects like api.request does. */
function upload(filePath) {
  return api.ensureLogin().then((session) => new Promise((resolve, reject) => {
    wx.uploadFile({
      url: `${config.apiBaseUrl}/api/visits/photos`,
      filePath,
      name: 'photo',
      header: { Authorization: `Bearer ${session.token}` },
      timeout: api.TIMEOUT_MS,
      success(res) {
        const body = typeof res.data === 'string' ? safeJson(res.data) : res.data;
        if (res.statusCode === 200 && body && body.photoId) resolve(body.photoId);
        else reject({ status: res.statusCode, type: (body && body.type) || 'unknown', title: (body && body.title) || `照片上传失败（${res.statusCode}）`, detail: '' });
      },
      fail: () => reject({ status: 0, type: 'network', title: '连不上服务器，请检查网络后再试', detail: '' }),
    });
  }));
}

function safeJson(text) {
  try { return JSON.parse(text); } catch (e) { return null; }
}

function queue() {
  return wx.getStorageSync(QUEUE) || [];
}

/** What a record is for: a booking ("b31") or a patrol ("p12"). */
function keyOf(item) {
  return item.patrolId ? `p${item.patrolId}` : `b${item.bookingId}`;
}

/** The elder's meal code from their card, scanned with the camera: resolves the code, or null when cancelled. */
function scanMealCard() {
  return new Promise((resolve) => {
    wx.scanCode({ onlyFromCamera: true, scanType: ['qrCode', 'barCode'], success: (r) => resolve(r.result || null), fail: () => resolve(null) });
  });
}

function visitIdFor(item) {
  return (wx.getStorageSync(VISITS) || {})[keyOf(item)] || null;
}

function rememberVisit(item, visitId) {
  const known = wx.getStorageSync(VISITS) || {};
  known[keyOf(item)] = visitId;
  wx.setStorageSync(VISITS, known);
}

/**
 * Sends one clock-in or clock-out ({ kind: 'in'|'out', bookingId or patrolId, photoPath, fix, capturedAt, checklist,
 * note, newNeed, patrol: { mood, homeSafe } }): the photo first, then the record with the phone's send time.
 * Resolves the visit.
 */
function send(item) {
  const photo = item.photoPath ? upload(item.photoPath) : Promise.resolve(null);
  return photo.then((photoId) => {
    const fix = Object.assign({}, item.fix || {}, { photoId, capturedAt: item.capturedAt, sentAt: new Date().toISOString() });
    if (item.kind === 'handover') {
      return api.request('/api/visits/meal-handover', { method: 'POST', data: { bookingId: item.bookingId, fix, mealCode: item.mealCode || null } });
    }
    if (item.kind === 'in') {
      const target = item.patrolId ? { patrolId: item.patrolId } : { bookingId: item.bookingId };
      return api.request('/api/visits/clock-in', { method: 'POST', data: Object.assign(target, { fix }) })
        .then((visit) => { rememberVisit(item, visit.id); return visit; });
    }
    const visitId = item.visitId || visitIdFor(item);
    if (!visitId) return Promise.reject({ status: 0, type: 'not-clocked-in', title: '还没有打上门卡', detail: '' });
    const data = { fix, checklist: item.checklist || [], note: item.note || null, newNeed: item.newNeed || null };
    if (item.patrol) data.patrol = item.patrol;
    return api.request(`/api/visits/${visitId}/clock-out`, { method: 'POST', data });
  });
}

/**
 * Records a clock-in or out now: sent at once when it can be; kept on the phone when the network fails (resolves
 * { queued: true }). A refusal from the API (a cancelled booking, say) is not kept: it rejects with the API's words.
 */
function record(item) {
  const captured = Object.assign({ capturedAt: new Date().toISOString() }, item);
  // Keep the order: a clock-out never overtakes its own clock-in still waiting on the phone.
  if (queue().length) return Promise.resolve(enqueue(captured));
  return send(captured).then((visit) => ({ visit }), (e) => {
    if (e.status === 0 && e.type === 'network') return enqueue(captured);
    throw e;
  });
}

function enqueue(item) {
  wx.setStorageSync(QUEUE, queue().concat([Object.assign({}, item, { photoPath: keepFile(item.photoPath) })]));
  return { queued: true };
}

/** A camera photo's temporary file may be cleared when WeChat closes; a kept record keeps its photo as a saved file. */
function keepFile(path) {
  if (!path) return path;
  try {
    return wx.getFileSystemManager().saveFileSync(path);
  } catch (e) {
    return path; // kept as it is: sent while the mini-program stays open
  }
}

/**
 * Sends what the phone kept, oldest first, until one fails on the network again. Resolves how many were sent and
 * the refusals met (a kept record the API refuses is dropped, and the caregiver is told why).
 */
let flushing = null;
function flush() {
  if (flushing) return flushing;
  const refused = [];
  let sent = 0;
  const next = () => {
    const [first, ...rest] = queue();
    if (!first) return Promise.resolve();
    return send(first).then(() => {
      sent += 1;
      wx.setStorageSync(QUEUE, rest);
      return next();
    }, (e) => {
      if (e.status === 0 && (e.type === 'network' || e.type === 'not-clocked-in')) return null; // still offline: keep it all
      refused.push(api.problemText(e));
      wx.setStorageSync(QUEUE, rest);
      return next();
    });
  };
  flushing = next().then(() => ({ sent, refused }));
  const done = () => { flushing = null; };
  flushing.then(done, done);
  return flushing;
}

/** Sends the kept records whenever the phone is back online. */
function watchNetwork() {
  if (wx.onNetworkStatusChange) wx.onNetworkStatusChange((s) => { if (s.isConnected) flush(); });
}

/** What the phone still holds for one booking or patrol: the kinds kept ('in', 'out'). */
function keptFor(target) {
  return queue().filter((q) => keyOf(q) === keyOf(target)).map((q) => q.kind);
}

module.exports = { locate, takePhoto, scanMealCard, upload, record, flush, queue, keptFor, watchNetwork, visitIdFor, QUEUE };
