const api = require('../../utils/api.js');
const choice = require('../../utils/choice.js');
const { lineNames, yuan } = require('../../utils/format.js');
const { elderMode } = require('../../behaviors/elder-mode.js');

// One service line's services with what this elder pays after subsidy; the ones the elder cannot have say why.
Component({
  behaviors: [elderMode],
  data: { line: '', lineName: '', acting: null, services: [], loaded: false, error: '' },
  methods: {
    onLoad(query) {
      // No session yet (or an ended one): log in first, so nobody lands on a page that only says "log in".
      return api.ensureLogin().then(() => this.load(query), (e) => this.setData({ error: e.title, loaded: true }));
    },
    reload() {
      return this.load(this.query);
    },
    load(query) {
      this.query = query;
      const acting = api.actingFor();
      this.setData({ line: query.line, lineName: lineNames[query.line] || '', acting });
      if (!acting) return Promise.resolve(this.setData({ error: '还没有可以代办的老人，绑定以后就能预约', loaded: true }));
      return api.request(`/api/catalog?elderId=${acting.elderId}`).then((all) => {
        const services = all.filter((s) => s.line === query.line).map((s) => Object.assign({}, s, {
          list: yuan(s.price.listFen), subsidy: yuan(s.price.subsidyFen), payable: yuan(s.price.payableFen),
        }));
        this.setData({ services, loaded: true, error: '' });
      }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    goFamily() {
      wx.switchTab({ url: '/pages/family/index' });
    },
    pick(event) {
      const service = this.data.services[event.currentTarget.dataset.index];
      if (service.eligible === false) return;
      // What the confirm page says about it (name, menu text, price after subsidy); the booking page adds the time and place.
      choice.choose({ serviceId: service.id, serviceName: service.name, detail: service.detail || '', line: service.line, modes: service.modes || [], price: service.price });
      wx.navigateTo({ url: `/pages/book/index?serviceId=${service.id}&name=${encodeURIComponent(service.name)}&modes=${(service.modes || []).join(',')}` });
    },
  },
});
