const api = require('../../utils/api.js');
const { beijingDate, modeNames } = require('../../utils/format.js');
const { elderMode } = require('../../behaviors/elder-mode.js');
const { orderActions, orderView } = require('../../behaviors/order-actions.js');
const { markTab } = require('../../behaviors/tabs.js');

const weekdayNames = ['', '一', '二', '三', '四', '五', '六', '日'];
const planStatus = { Active: '每天自动订', Paused: '已暂停' };

// The acting elder's orders (newest first; tap one for its page), what is owed and how, and the standing lunch orders
// (每天的午餐) with pause and resume.
Component({
  behaviors: [elderMode, orderActions],
  data: { acting: null, kind: '', orders: [], plans: [], loaded: false, error: '' },
  methods: {
    onShow() {
      markTab(this, 1);
      return api.ensureLogin().then((s) => { this.setData({ kind: s.kind }); return this.load(); }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    onPullDownRefresh() {
      return this.onShow().then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },
    reload() {
      return this.onShow();
    },
    load() {
      const acting = api.actingFor();
      this.setData({ acting });
      if (!acting) return Promise.resolve(this.setData({ loaded: true, error: '' }));
      api.request(`/api/meal-plans?elderId=${acting.elderId}`).then((plans) => this.setData({
        plans: plans.map((p) => Object.assign({}, p, {
          days: p.weekdays.length === 7 ? '每天' : `每周${p.weekdays.map((d) => weekdayNames[d]).join('、')}`,
          modeName: modeNames[p.mode] || '', statusName: planStatus[p.status] || p.status,
        })),
      }), () => {});
      return api.request(`/api/bookings?elderId=${acting.elderId}&from=${beijingDate(-30)}`).then((all) => {
        this.setData({ orders: all.slice().reverse().map(orderView), loaded: true, error: '' });
      }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    open(event) {
      wx.navigateTo({ url: `/pages/order/index?id=${event.currentTarget.dataset.id}` });
    },
    goFamily() {
      wx.switchTab({ url: '/pages/family/index' });
    },
    changePlan(event) {
      const { id, to } = event.currentTarget.dataset;
      return api.request(`/api/meal-plans/${id}/${to}`, { method: 'POST' }).then(() => this.load(), (e) => this.failed(e));
    },
  },
});
