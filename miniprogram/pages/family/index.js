const api = require('../../utils/api.js');
const { elderMode } = require('../../behaviors/elder-mode.js');
const { markTab } = require('../../behaviors/tabs.js');

const statusNames = { Pending: '等待确认', Active: '已绑定' };

// Family binding: a family member asks to act for an elder and picks whom they act for; an elder confirms or ends bindings.
Component({
  behaviors: [elderMode],
  data: { isElder: false, acting: null, asking: 0, notice: '', bindings: [], actingId: 0, loaded: false, error: '', form: { elderName: '', idLast4: '', elderPhone: '', relation: '' } },
  methods: {
    onShow() {
      markTab(this, 2);
      return api.ensureLogin().then((session) => {
        this.setData({ isElder: session.kind === 'Elder' });
        return api.request('/api/family-bindings');
      }).then((bindings) => api.refreshElders().then(() => bindings)).then((bindings) => {
        const acting = api.actingFor();
        this.setData({ bindings: bindings.map((b) => Object.assign({}, b, { statusName: statusNames[b.status] || '' })), acting, actingId: acting ? acting.elderId : 0, loaded: true, error: '' });
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
        this.setData({ form: { elderName: '', idLast4: '', elderPhone: '', relation: '' }, notice: '已申请，请老人在小程序里点"同意"，或到驿站窗口确认' });
        return this.onShow();
      }, (e) => this.setData({ error: api.problemText(e) }));
    },
    act(event) {
      api.actFor(event.currentTarget.dataset.id);
      this.setData({ actingId: event.currentTarget.dataset.id });
      wx.switchTab({ url: '/pages/home/index' });
    },
    confirm(event) {
      return api.request(`/api/family-bindings/${event.currentTarget.dataset.id}/confirm`, { method: 'POST' })
        .then(() => { this.setData({ notice: '已同意，对方现在可以替您预约了' }); return this.onShow(); }, (e) => this.failed(e));
    },
    /** Ending a binding is asked on the page, in its own type: 解除 shows the question with its two answers. */
    unbind(event) {
      this.setData({ asking: event.currentTarget.dataset.id, notice: '' });
    },
    keep() {
      this.setData({ asking: 0 });
    },
    confirmUnbind(event) {
      const id = event.currentTarget.dataset.id;
      this.setData({ asking: 0 });
      return api.request(`/api/family-bindings/${id}`, { method: 'DELETE' })
        .then(() => { this.setData({ notice: '已解除绑定' }); return this.onShow(); }, (e) => this.failed(e));
    },
    failed(e) {
      this.setData({ error: api.problemText(e), notice: '' });
    },
  },
});
