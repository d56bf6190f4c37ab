const api = require('../../utils/api.js');

// The user's own account: the meal card of the elder they act for, sharing a phone number through WeChat, or
// (an elder) claiming their own file.
Component({
  data: { isElder: false, phoneBound: false, maskedPhone: '', claim: { name: '', idLast4: '' }, card: null, error: '' },
  methods: {
    onShow() {
      return api.ensureLogin().then((s) => {
        this.setData({ isElder: s.kind === 'Elder', phoneBound: s.phoneBound, error: '' });
        const acting = api.actingFor();
        // The meal code as a QR code, shown at the meal point's counter instead of the printed card.
        if (acting) return api.request(`/api/elders/${acting.elderId}/meal-card`).then((card) => this.setData({ card }), () => this.setData({ card: null }));
        return null;
      }, (e) => this.setData({ error: e.title }));
    },
    onPhone(event) {
      if (!event.detail.code) return Promise.resolve(this.setData({ error: '没有拿到手机号，可以再点一次' }));
      return api.request('/api/auth/wechat/phone', { method: 'POST', data: { code: event.detail.code } }).then((r) => {
        api.keep(Object.assign({}, api.session(), { phoneBound: true }));
        this.setData({ phoneBound: true, maskedPhone: r.maskedPhone, error: '' });
      }, (e) => this.setData({ error: e.title }));
    },
    input(event) {
      this.setData({ [`claim.${event.currentTarget.dataset.field}`]: event.detail.value });
    },
    onClaim(event) {
      const { name, idLast4 } = this.data.claim;
      if (!name || !/^[0-9]{3}[0-9Xx]$/.test(idLast4)) return Promise.resolve(this.setData({ error: '请填好姓名和身份证后4位' }));
      if (!event.detail.code) return Promise.resolve(this.setData({ error: '需要用微信绑定的手机号核对身份' }));
      return api.request('/api/auth/wechat/elder', { method: 'POST', data: { name, idLast4, phoneCode: event.detail.code } }).then((login) => {
        api.keep(login);
        this.setData({ isElder: true, error: '' });
        wx.showToast({ title: '核对成功', icon: 'success' });
      }, (e) => this.setData({ error: e.title }));
    },
    logOut() {
      api.logOut();
      wx.reLaunch({ url: '/pages/home/index' });
    },
  },
});
