const api = require('../../utils/api.js');
const { elderMode, BIG_TYPE } = require('../../behaviors/elder-mode.js');
const { markTab } = require('../../behaviors/tabs.js');

// The user's own account: the meal card of the elder they act for, 大字 (bigger type on every page), sharing a phone
// number through WeChat, and "我是老人本人": an elder claims their own file. A family member who has bound elders
// is not offered that path (the API refuses it too): her account would become her father's.
Component({
  behaviors: [elderMode],
  data: {
    isElder: false, demo: false, hasBindings: false, phoneBound: false, maskedPhone: '', bigType: false,
    claim: { name: '', idLast4: '' }, card: null, acting: null, error: '', staffCode: '',
  },
  methods: {
    onShow() {
      markTab(this, 3);
      this.setData({ bigType: !!wx.getStorageSync(BIG_TYPE), demo: api.inDemo() });
      return api.ensureLogin().then((s) => {
        const acting = api.actingFor();
        this.setData({ isElder: s.kind === 'Elder', phoneBound: s.phoneBound, maskedPhone: s.maskedPhone || '', acting, error: '' });
        const bindings = s.kind === 'Family'
          ? api.request('/api/family-bindings').then((b) => this.setData({ hasBindings: b.length > 0 }), () => null) : null;
        // The meal code as a QR code, shown at the meal point's counter instead of the printed card.
        const card = acting ? api.request(`/api/elders/${acting.elderId}/meal-card`).then((c) => this.setData({ card: c }), () => this.setData({ card: null })) : null;
        return Promise.all([bindings, card]);
      }, (e) => this.setData({ error: e.title }));
    },
    toggleBigType() {
      const next = !this.data.bigType;
      if (next) wx.setStorageSync(BIG_TYPE, true);
      else wx.removeStorageSync(BIG_TYPE);
      // Every page takes the new size when it opens again.
      wx.reLaunch({ url: '/pages/profile/index' });
    },
    onPhone(event) {
      if (!event.detail.code) return Promise.resolve(this.setData({ error: '没有拿到手机号，可以再点一次' }));
      return api.request('/api/auth/wechat/phone', { method: 'POST', data: { code: event.detail.code } }).then((r) => {
        api.keep(Object.assign({}, api.session(), { phoneBound: true, maskedPhone: r.maskedPhone }));
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
        // Registered: straight to the home page, where lunch is one tap away.
        wx.switchTab({ url: '/pages/home/index' });
      }, (e) => this.setData({ error: e.title }));
    },
    /** 我是服务人员: the one-time code the station manager showed; the WeChat becomes the caregiver's. */
    onStaffCode(event) {
      this.setData({ staffCode: event.detail.value });
    },
    bindCaregiver() {
      const code = this.data.staffCode.trim();
      if (code.length < 4) return Promise.resolve(this.setData({ error: '请填站长给您的绑定码' }));
      return api.request('/api/auth/wechat/caregiver', { method: 'POST', data: { code } }).then((login) => {
        api.keep(login);
        wx.reLaunch({ url: '/pages/caregiver/index' });
      }, (e) => this.setData({ error: e.title }));
    },
    logOut() {
      api.logOut();
      wx.reLaunch({ url: '/pages/home/index' });
    },
  },
});
