// API answers the page tests fake, in one place, so tests/contract.test.js can check each against the API's own
// document (contract/openapi.json): a field the API renamed or no longer sends breaks the contract test, not a user.
const lunchOffer = {
  serviceId: 1, serviceName: '午餐·普通套餐', detail: '两荤一素一汤', slotId: 12, date: '2026-12-04', start: '11:00:00', end: '13:00:00',
  cutoffAt: '2026-12-04T01:30:00Z', mealPoint: { resourceId: 5, name: '学院路助餐点', address: '学院路1号', distanceMetres: 420, ownStation: true },
  mode: 'Delivery', modes: ['AtCentre', 'PickUp', 'Delivery'], why: 'housebound',
  price: { listFen: 1500, subsidyFen: 500, payableFen: 1000, subsidies: [] }, payment: 'WeChat',
};

const requestedBooking = {
  id: 90, elderId: 8, slotId: 12, serviceName: '午餐·软食套餐', date: '2026-12-04', start: '11:00:00', mode: 'Delivery', status: 'Requested',
  payAtWindow: false, payBy: '2026-12-03T02:15:00Z', price: { listFen: 1500, subsidyFen: 500, payableFen: 1000, paidFen: 0 },
};

const bookingWithHistory = {
  id: 90, serviceName: '午餐·普通套餐', date: '2026-12-04', start: '11:00:00', mode: 'AtCentre', status: 'Requested', place: '学院路助餐点',
  payAtWindow: true, payBy: '2026-12-04T01:30:00Z', placeDistanceMetres: 420, price: { listFen: 1500, subsidyFen: 500, payableFen: 1000, paidFen: 0 },
  history: [{ from: null, to: 'Requested', at: '2026-12-02T02:00:00Z', actor: 'FamilyMember', channel: 'MiniProgram', note: null }],
};

const slots = [
  { slotId: 11, resourceId: 5, date: '2026-12-01', start: '11:00:00', resourceName: '学院路助餐点', remaining: 0, bookable: false, notBookableType: 'slot-full', waiting: 2, distanceMetres: 420, ownStation: true },
  { slotId: 12, resourceId: 6, date: '2026-12-02', start: '11:00:00', resourceName: '清华园助餐点', remaining: 8, bookable: true, distanceMetres: 1900, ownStation: false },
  { slotId: 13, resourceId: 5, date: '2026-12-02', start: '11:00:00', resourceName: '学院路助餐点', remaining: 3, bookable: true, distanceMetres: 420, ownStation: true },
  { slotId: 14, resourceId: 5, date: '2026-12-02', start: '17:00:00', resourceName: '学院路助餐点', remaining: 0, bookable: false, notBookableType: 'cut-off-passed' },
];

module.exports = { lunchOffer, requestedBooking, bookingWithHistory, slots };
