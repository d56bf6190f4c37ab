const api = require('../../utils/api.js');
const choice = require('../../utils/choice.js');
const { beijingDate, distance, when } = require('../../utils/format.js');
const { elderMode } = require('../../behaviors/elder-mode.js');

// The next times of a service in words, each with its place and how far it is from home (the elder's own station's
// first); one tap goes to the confirm page. A full time offers 排队候补: the elder is booked when a place frees.
Component({
  behaviors: [elderMode],
  data: { serviceId: 0, name: '', acting: null, slots: [], loaded: false, error: '', waiting: {}, notice: '' },
  methods: {
    onLoad(query) {
      this.query = query;
      this.setData({ serviceId: Number(query.serviceId), name: decodeURIComponent(query.name || '') });
      return api.ensureLogin().then(() => this.load(), (e) => this.setData({ error: e.title, loaded: true }));
    },
    onPullDownRefresh() {
      return this.load().then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },
    load() {
      const acting = api.actingFor();
      this.setData({ acting });
      if (!acting) return Promise.resolve(this.setData({ error: '还没有可以代办的老人，绑定以后就能预约', loaded: true }));
      api.request('/api/auth/wechat/templates').then((t) => { this.waitlistTemplates = t.forWaitlist || []; }, () => {});
      const path = `/api/availability?serviceId=${this.query.serviceId}&elderId=${acting.elderId}&from=${beijingDate()}&to=${beijingDate(6)}`;
      return api.request(path).then((all) => {
        const open = all.filter((s) => s.bookable || s.notBookableType === 'slot-full');
        // Own station's places first (they also deliver), then the nearest; within a day, by time.
        open.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : (b.ownStation === true) - (a.ownStation === true)
          || (a.distanceMetres || 0) - (b.distanceMetres || 0) || (a.start < b.start ? -1 : 1)));
        const slots = open.slice(0, 12).map((s) => Object.assign({}, s, {
          when: when(s.date, s.start), far: distance(s.distanceMetres), full: !s.bookable,
        }));
        this.setData({ slots, loaded: true, error: '' });
      }, (e) => this.setData({ error: e.title, loaded: true }));
    },
    goFamily() {
      wx.switchTab({ url: '/pages/family/index' });
    },
    pick(event) {
      const slot = this.data.slots[event.currentTarget.dataset.index];
      if (slot.full) return;
      const base = choice.chosen();
      const service = base && base.serviceId === this.data.serviceId ? base
        : { serviceId: this.data.serviceId, serviceName: this.data.name, detail: '', modes: (this.query.modes || '').split(',').filter(Boolean), price: { listFen: 0, subsidyFen: 0, payableFen: 0 } };
      const next = Object.assign({}, service, {
        slotId: slot.slotId, resourceId: slot.resourceId, date: slot.date, start: slot.start, place: slot.resourceName,
        distanceMetres: slot.distanceMetres, ownStation: slot.ownStation,
      });
      const ways = choice.waysFor(next);
      next.mode = ways.some((w) => w.code === service.mode) ? service.mode : ways.length ? ways[0].code : '';
      choice.choose(next);
      wx.navigateTo({ url: '/pages/confirm/index' });
    },
    wait(event) {
      const slot = this.data.slots[event.currentTarget.dataset.index];
      if (this.data.waiting[slot.slotId]) return Promise.resolve();
      if (this.waitlistTemplates && this.waitlistTemplates.length) wx.requestSubscribeMessage({ tmplIds: this.waitlistTemplates, complete() {} });
      return api.request('/api/waitlist', { method: 'POST', data: { elderId: this.data.acting.elderId, slotId: slot.slotId } }).then((entry) => {
        this.setData({ [`waiting.${slot.slotId}`]: true, notice: `已排上${slot.when}的候补，排第${entry.position}位。有人退订就自动给您订上，并通知您` });
      }, (e) => this.setData({ notice: e.title }));
    },
  },
});
