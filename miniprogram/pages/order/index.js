const api = require('../../utils/api.js');
const { beijingTime, statusNames } = require('../../utils/format.js');
const { elderMode } = require('../../behaviors/elder-mode.js');
const { orderActions, orderView } = require('../../behaviors/order-actions.js');

const who = { Elder: '老人本人', FamilyMember: '家属', Staff: '驿站工作人员', HotlineAgent: '热线', Ivr: '电话', System: '系统' };

// One order: what, when, where, how it comes, what was paid and how, everything that happened to it, and what can
// be done now (pay, cancel, rate).
Component({
  behaviors: [elderMode, orderActions],
  data: { order: null, history: [], acting: null, error: '' },
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
      return api.request(`/api/bookings/${this.id}`).then((b) => this.setData({
        order: orderView(b),
        history: (b.history || []).map((h, i) => ({ n: i, at: beijingTime(h.at), to: statusNames[h.to] || h.to, by: who[h.actor] || '', note: h.note || '' })),
        error: '',
      }), (e) => this.setData({ error: e.title }));
    },
  },
});
