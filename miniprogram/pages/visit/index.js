const api = require('../../utils/api.js');
const visits = require('../../utils/visits.js');
const { elderMode } = require('../../behaviors/elder-mode.js');

// One visit at the elder's door. 打卡: a fresh location and a photo from the camera, sent at once or kept on the
// phone without a signal. 签退: the checklist of what was done, a note, anything the elder asked for, and the second
// location and photo. Without location permission the caregiver is shown how to allow it, or may clock in without
// it: the station then checks the visit another way (never a lost visit).
Component({
  behaviors: [elderMode],
  data: {
    visit: null, step: 'loading', checklist: [], done: [], note: '', newNeed: '', busy: false,
    error: '', locationProblem: '', result: null,
    patrol: false, moods: [{ code: 'good', words: '精神好' }, { code: 'fair', words: '一般' }, { code: 'poor', words: '不太好' }], mood: '', homeSafe: null,
  },
  methods: {
    onLoad(query) {
      // A booked visit (bookingId) or a patrol (patrolId): the same clock-in and out, a patrol with a short check instead of a checklist.
      this.target = query.patrolId ? { patrolId: Number(query.patrolId) } : { bookingId: Number(query.bookingId) };
      this.setData({ patrol: !!query.patrolId });
      return this.load();
    },
    load() {
      return this.find().then((visit) => {
        if (!visit) return this.setData({ step: 'gone', error: '这次服务已不在今天的安排里，请打给驿站' });
        const queued = visits.keptFor(this.target);
        const clockedIn = visit.visitStatus === 'InProgress' || (queued.includes('in') && !queued.includes('out'));
        const finished = queued.includes('out') || (visit.visitStatus && visit.visitStatus !== 'InProgress');
        return this.setData({
          visit, checklist: visit.checklist, error: '',
          step: finished ? 'finished' : clockedIn ? 'serving' : 'arrive',
          result: finished ? { text: queued.includes('out') ? '已签退，存在手机里，有网络后自动发送' : '这次服务已经签退' } : null,
        });
      }, (e) => this.setData({ step: 'gone', error: e.title }));
    },
    /** The visit from the caregiver's day, or the patrol from their patrols, in the same shape. */
    find() {
      if (!this.target.patrolId) return api.request('/api/visits/today').then((today) => today.find((v) => v.bookingId === this.target.bookingId));
      return api.request('/api/visits/patrols').then((patrols) => {
        const p = patrols.find((x) => x.id === this.target.patrolId);
        if (!p) return null;
        this.visitId = p.visitId;
        return { elderName: p.elderName, address: p.address, serviceName: '巡视探访', checklist: [], visitStatus: p.visitId ? 'InProgress' : null };
      });
    },
    onMood(event) {
      this.setData({ mood: event.detail.value });
    },
    onHomeSafe(event) {
      this.setData({ homeSafe: event.detail.value === 'safe' });
    },
    clockIn() {
      return this.capture('in', {});
    },
    /** The caregiver chose to clock in without a location (the station reviews it). */
    clockInWithoutLocation() {
      return this.capture('in', {}, { skipLocation: true });
    },
    clockOut() {
      const extra = { checklist: this.data.done, note: this.data.note, newNeed: this.data.newNeed };
      if (this.data.patrol) {
        if (!this.data.mood || this.data.homeSafe === null) return Promise.resolve(this.setData({ error: '请选老人状态和家里是否安全' }));
        Object.assign(extra, { patrol: { mood: this.data.mood, homeSafe: this.data.homeSafe }, visitId: this.visitId });
      }
      return this.capture('out', extra);
    },
    openSettings() {
      wx.openSetting({ complete: () => this.setData({ locationProblem: '' }) });
    },
    onChecklist(event) {
      this.setData({ done: event.detail.value });
    },
    input(event) {
      this.setData({ [event.currentTarget.dataset.field]: event.detail.value });
    },
    capture(kind, extra, { skipLocation = false } = {}) {
      if (this.data.busy) return Promise.resolve();
      this.setData({ busy: true, error: '' });
      const located = skipLocation ? Promise.resolve({}) : visits.locate();
      return located.then((fix) => {
        if (fix.denied || fix.failed) {
          this.setData({
            busy: false,
            locationProblem: fix.denied ? '没有打开位置权限，打卡需要知道您在老人家门口。' : '手机暂时定不了位（可以走到窗边再试）。',
          });
          return null;
        }
        this.setData({ locationProblem: '' });
        return visits.takePhoto().then((photoPath) => {
          if (!photoPath) return this.setData({ busy: false, error: kind === 'in' ? '请拍一张老人家门口的照片再打卡' : '请拍一张服务完成后的照片再签退' });
          return visits.record(Object.assign({ kind, photoPath, fix: skipLocation ? null : fix }, this.target, extra))
            .then((recorded) => this.recorded(kind, recorded), (e) => this.setData({ busy: false, error: api.problemText(e) }));
        });
      });
    },
    recorded(kind, { queued, visit }) {
      if (kind === 'in') {
        if (visit) this.visitId = visit.id;
        return this.setData({ busy: false, step: 'serving', result: queued ? { text: '没有网络，打卡已存在手机里，有网络后自动发送' } : { text: '已打卡，开始服务' } });
      }
      const text = queued ? '没有网络，签退已存在手机里，有网络后自动发送'
        : visit.status === 'Verified' ? '已签退，服务记录已核实，谢谢您' : `已签退。站长会核实：${visit.reasons.map((r) => r.words).join('、')}`;
      return this.setData({ busy: false, step: 'finished', result: { text } });
    },
  },
});
