const api = require('../../utils/api.js');
const { beijingTime, statusNames } = require('../../utils/format.js');
const { elderMode } = require('../../behaviors/elder-mode.js');
const { orderActions, orderView } = require('../../behaviors/order-actions.js');

// Statuses in which a home visit has begun: its caregiver and the elder's word on it are shown.
const visited = ['InService', 'Completed', 'Rated'];

const who = { Elder: '老人本人', FamilyMember: '家属', Staff: '驿站工作人员', HotlineAgent: '热线', Ivr: '电话', System: '系统' };

// One order: what, when, where, how it comes, what was paid and how, everything that happened to it, and what can
// be done now (pay, cancel, rate).
Component({
  behaviors: [elderMode, orderActions],
  data: { order: null, history: [], visit: null, acting: null, error: '' },
  methods: {
    onLoad(query) {
      this.id = Number(query.id);
      return api.ensureLogin().then(() => this.reload(), (e) => this.setData({ error: e.title }));
    },
    onPullDownRefresh() {
      return this.reload().then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },
    reload() {
      this.setData({ acting: api.actingFor() });
      return api.request(`/api/bookings/${this.id}`).then((b) => {
        this.setData({
          order: orderView(b),
          history: (b.history || []).map((h, i) => ({ n: i, at: beijingTime(h.at), to: statusNames[h.to] || h.to, by: who[h.actor] || '', note: h.note || '' })),
          error: '',
        });
        return visited.includes(b.status) && b.mode === 'AtHome' ? this.loadVisit() : this.setData({ visit: null });
      }, (e) => this.setData({ error: e.title }));
    },
    /** A home visit: who came and when, and "服务做完了吗？" until the elder or family has answered. */
    loadVisit() {
      return api.request(`/api/bookings/${this.id}/visit`).then((v) => this.setData({
        visit: { caregiverName: v.caregiverName, arrived: beijingTime(v.arrivedAt), left: v.leftAt ? beijingTime(v.leftAt) : '', done: v.done, canConfirm: v.canConfirm },
      }), () => this.setData({ visit: null }));
    },
    visitDone() {
      return this.confirmVisit(true, '谢谢您的确认，也请给这次服务打个分');
    },
    visitNotDone() {
      return this.confirmVisit(false, '已告诉驿站，工作人员会尽快和您联系');
    },
    confirmVisit(done, notice) {
      return this.once(() => api.request(`/api/bookings/${this.id}/visit-confirmation`, { method: 'POST', data: { done } })
        .then(() => this.said(notice), (e) => this.failed(e)));
    },
  },
});
