const api = require('../../utils/api.js');
const visits = require('../../utils/visits.js');
const { elderMode } = require('../../behaviors/elder-mode.js');

const statusWords = { InProgress: '服务中', Verified: '已完成', NeedsReview: '已完成，待站长核实', Rejected: '未通过核实' };

// 服务人员 mode: the caregiver's visits today in order, each with the way there, a call to the elder and to the
// station, and the visit itself (clock in at the door, clock out when done). Records kept on the phone while offline
// are sent first, whenever this page is shown or the network comes back.
Component({
  behaviors: [elderMode],
  data: { visits: [], patrols: [], deliveries: [], queued: 0, loading: true, error: '', notice: '' },
  lifetimes: {
    attached() { visits.watchNetwork(); },
  },
  methods: {
    onShow() {
      this.setData({ loading: true });
      return api.ensureLogin()
        .then((session) => {
          if (session.kind !== 'Caregiver') return wx.reLaunch({ url: '/pages/home/index' });
          return visits.flush().then((flushed) => {
            const notice = flushed.refused.length ? `有记录没有被接受：${flushed.refused.join('；')}` : flushed.sent ? `手机里存的${flushed.sent}条打卡已发送` : '';
            this.setData({ notice, queued: visits.queue().length });
            return Promise.all([api.request('/api/visits/today'), api.request('/api/visits/patrols'), api.request('/api/visits/deliveries')]);
          }).then(([today, patrols, deliveries]) => this.setData({
            visits: today.map(describe), patrols: patrols.map(describePatrol), error: '',
            deliveries: deliveries.filter((d) => !visits.keptFor({ bookingId: d.bookingId }).length),
          }));
        })
        .then(() => this.setData({ loading: false }), (e) => this.setData({ error: e.title, loading: false }));
    },
    onPullDownRefresh() {
      return this.onShow().then(() => wx.stopPullDownRefresh && wx.stopPullDownRefresh());
    },
    navigate(event) {
      const v = this.data.visits[event.currentTarget.dataset.index];
      if (v.latitude == null) return this.setData({ error: '这位老人的地址还没有在地图上标出，请按地址前往' });
      return wx.openLocation({ latitude: v.latitude, longitude: v.longitude, name: v.elderName, address: v.address, scale: 18 });
    },
    callElder(event) {
      wx.makePhoneCall({ phoneNumber: this.data.visits[event.currentTarget.dataset.index].phoneToCall, fail() {} });
    },
    callStation(event) {
      wx.makePhoneCall({ phoneNumber: this.data.visits[event.currentTarget.dataset.index].stationPhone, fail() {} });
    },
    open(event) {
      wx.navigateTo({ url: `/pages/visit/index?bookingId=${this.data.visits[event.currentTarget.dataset.index].bookingId}` });
    },
    /** 扫卡送达: the elder's meal card at the door proves the meal reached them (a photo does too, when there is no card). */
    handOver(event) {
      const stop = this.data.deliveries[event.currentTarget.dataset.index];
      if (stop.unpaid) return Promise.resolve(this.setData({ error: `${stop.elderName}的餐还没付款，请先打给驿站` }));
      return visits.scanMealCard().then((mealCode) => (mealCode ? this.sendHandover(stop, { mealCode }) : null));
    },
    handOverWithPhoto(event) {
      const stop = this.data.deliveries[event.currentTarget.dataset.index];
      return visits.takePhoto().then((photoPath) => (photoPath ? this.sendHandover(stop, { photoPath }) : null));
    },
    sendHandover(stop, proof) {
      return visits.locate().then((fix) => visits.record(Object.assign({ kind: 'handover', bookingId: stop.bookingId, fix: fix.denied || fix.failed ? null : fix }, proof)))
        .then((r) => {
          const notice = r.queued ? `${stop.elderName}的餐：没有网络，已存在手机里` : `${stop.elderName}的餐已送达`;
          return this.onShow().then(() => this.setData({ notice, error: '' }));
        }, (e) => this.setData({ error: api.problemText(e) }));
    },
    openPatrol(event) {
      wx.navigateTo({ url: `/pages/visit/index?patrolId=${this.data.patrols[event.currentTarget.dataset.index].id}` });
    },
  },
});

function describePatrol(p) {
  const kept = visits.keptFor({ patrolId: p.id });
  const started = p.visitId || kept.includes('in');
  return Object.assign({}, p, {
    due: p.overdue ? `已过期（应在${p.dueBy.slice(5).replace('-', '月')}日前）` : `${p.dueBy.slice(5).replace('-', '月')}日前`,
    action: kept.includes('out') ? '已签退，等有网络时发送' : started ? '签退' : '开始巡视',
  });
}

function describe(v) {
  const queued = visits.keptFor({ bookingId: v.bookingId });
  const state = queued.includes('out') ? '已签退，等有网络时发送' : queued.includes('in') ? '已打卡，等有网络时发送' : statusWords[v.visitStatus] || '未开始';
  return Object.assign({}, v, {
    time: `${v.start.slice(0, 5)}-${v.end.slice(0, 5)}`,
    state,
    action: v.visitStatus || queued.length ? (v.visitStatus === 'InProgress' || (queued.includes('in') && !queued.includes('out')) ? '签退' : '查看') : '开始服务',
  });
}
