const api = require('../utils/api.js');
const { beijingTime, distance, modeNames, statusNames, when, yuan } = require('../utils/format.js');

const cancellable = ['Requested', 'Confirmed', 'Assigned'];

/** A booking from the API in the words the order pages show. */
function orderView(b) {
  const owed = b.price.payableFen > b.price.paidFen && cancellable.includes(b.status);
  return Object.assign({}, b, {
    when: when(b.date, b.start), modeName: modeNames[b.mode] || '', statusName: statusNames[b.status] || b.status, payable: yuan(b.price.payableFen),
    placeText: b.place ? b.place + (b.placeDistanceMetres !== null && b.placeDistanceMetres !== undefined ? `（离家${distance(b.placeDistanceMetres)}）` : '') : '',
    paid: b.price.paidFen > 0, canPay: owed && !b.payAtWindow, canCancel: cancellable.includes(b.status),
    payNote: owed && b.payBy ? `请在${beijingTime(b.payBy)}前${b.payAtWindow ? '到驿站窗口' : ''}付款，过时预约会取消` : '',
  });
}

// Paying, cancelling and rating an order, shared by the order list and an order's own page. What happened is said
// on the page in its own type (notice, failure), and a cancellation is confirmed on the page too, not in WeChat's
// small system dialog; each page reloads itself with reload() afterwards.
const orderActions = Behavior({
  data: { rating: { id: 0, score: 0, comment: '', hint: '' }, stars: [1, 2, 3, 4, 5].map((n) => ({ n })), asking: 0, notice: '', failure: '' },
  methods: {
    /** Runs one action at a time: a second tap while one is on its way does nothing (no second payment or cancel). */
    once(action) {
      if (this.actionInFlight) return Promise.resolve();
      this.actionInFlight = true;
      const done = () => { this.actionInFlight = false; };
      return action().then(done, done);
    },
    said(notice) {
      this.setData({ notice, failure: '' });
      return this.reload();
    },
    failed(e) {
      this.setData({ failure: api.problemText(e), notice: '' });
    },
    pay(event) {
      const id = event.currentTarget.dataset.id;
      return this.once(() => api.pay(id).then(() => this.said('已付款'), (e) => this.failed(e)));
    },
    cancel(event) {
      this.setData({ asking: event.currentTarget.dataset.id, notice: '', failure: '' });
    },
    keep() {
      this.setData({ asking: 0 });
    },
    confirmCancel(event) {
      const id = event.currentTarget.dataset.id;
      this.setData({ asking: 0 });
      return this.once(() => api.request(`/api/bookings/${id}/cancel`, { method: 'POST', data: { reason: '在小程序里取消' } })
        .then(() => this.said('已取消；已付的钱会原路退回'), (e) => this.failed(e)));
    },
    startRating(event) {
      this.setData({ rating: { id: event.currentTarget.dataset.id, score: 0, comment: '', hint: '' } });
    },
    score(event) {
      this.setData({ 'rating.score': Number(event.currentTarget.dataset.score), 'rating.hint': '' });
    },
    comment(event) {
      this.setData({ 'rating.comment': event.detail.value });
    },
    sendRating() {
      const { id, score, comment } = this.data.rating;
      if (!score) return Promise.resolve(this.setData({ 'rating.hint': '请先点星星，几颗星都可以' }));
      return this.once(() => api.request(`/api/bookings/${id}/rating`, { method: 'POST', data: { score, comment } }).then(() => {
        this.setData({ rating: { id: 0, score: 0, comment: '', hint: '' } });
        return this.said('谢谢您的评价');
      }, (e) => this.failed(e)));
    },
  },
});

module.exports = { orderActions, orderView };
