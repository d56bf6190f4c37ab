const api = require('../../utils/api.js');
const { elderMode } = require('../../behaviors/elder-mode.js');
const { markTab } = require('../../behaviors/tabs.js');

const statusNames = { Pending: '等待确认', Active: '已绑定' };

// Family binding: a family member asks to act for an elder and picks whom they act for; an elder confirms or ends bindings.
Component({
  behaviors: [elderMode],
  data: { isElder: false, bindings: [], actingId: 0, loaded: false, error: '', form: { elderName: '', idLast4: '', elderPhone: '', relation: '' } },
  methods: {
    onShow() {
      markTab(this, 2);
      return api.ensureLogin().then((session) => {
        this.setData({ isElder: session.kind === 'Elder' });
        return api.request('/api/family-bindings');
      }).then((bindings) => api.refreshElders().then(() => bindings)).then((bindings) => {
        const acting = api.actingFor();
        this.setData({ bindings: bindings.map((b) => Object.assign({}, b, { statusName: statusNames[b.status] || '' })), actingId: acting ? acting.elderId : 0, loaded: true, error: '' });
      }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    onPullDownRefresh() {
      return this.onShow().then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },
    input(event) {
      this.setData({ [`form.${event.currentTarget.dataset.field}`]: event.detail.value });
    },
    ask() {
      const f = this.data.form;
      if (!f.elderName || !/^[0-9]{3}[0-9Xx]$/.test(f.idLast4) || !f.elderPhone || !f.relation) {
        this.setData({ error: '请把老人姓名、身份证后4位、电话和您与老人的关系都填好' });
        return Promise.resolve();
      }
      return api.request('/api/family-bindings', { method: 'POST', data: f }).then(() => {
        wx.showToast({ title: '已申请，等老人确认', icon: 'none' });
        this.setData({ form: { elderName: '', idLast4: '', elderPhone: '', relation: '' } });
        return this.onShow();
      }, (e) => this.setData({ error: e.detail ? `${e.title}（${e.detail}）` : e.title }));
    },
    act(event) {
      api.actFor(event.currentTarget.dataset.id);
      this.setData({ actingId: event.currentTarget.dataset.id });
      wx.switchTab({ url: '/pages/home/index' });
    },
    confirm(event) {
      return api.request(`/api/family-bindings/${event.currentTarget.dataset.id}/confirm`, { method: 'POST' })
        .then(() => { wx.showToast({ title: '已同意', icon: 'success' }); return this.onShow(); }, api.showError);
    },
    unbind(event) {
      const id = event.currentTarget.dataset.id;
      wx.showModal({
        title: '解除绑定', content: '解除后，对方不能再替老人预约和付款。确定吗？', confirmText: '解除', cancelText: '不解除',
        success: (res) => {
          if (res.confirm) api.request(`/api/family-bindings/${id}`, { method: 'DELETE' }).then(() => this.onShow(), api.showError);
        },
      });
    },
  },
});
