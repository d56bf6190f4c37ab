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

// A caregiver's day: a cleaning at 9:00 not yet started, and a bath at 14:00.
const cleaningChecklist = [{ code: 'kitchen', words: '厨房' }, { code: 'bathroom', words: '卫生间' }, { code: 'floors', words: '地面' }, { code: 'rubbish', words: '倒垃圾' }];
const todayVisits = [
  {
    bookingId: 31, start: '09:00:00', end: '11:00:00', line: 'Cleaning', serviceName: '居家保洁', elderId: 8, elderName: '李秀英', maskedPhone: '138****0008',
    phoneToCall: '13800000008', address: '学院路20号院3号楼2单元101', latitude: 39.9812, longitude: 116.3561, stationPhone: '01062301001',
    checklist: cleaningChecklist, visitId: null, visitStatus: null,
  },
  {
    bookingId: 32, start: '14:00:00', end: '15:30:00', line: 'Bathing', serviceName: '上门助浴', elderId: 9, elderName: '王建国', maskedPhone: '139****0009',
    phoneToCall: '13900000009', address: '学院路18号院1号楼', latitude: null, longitude: null, stationPhone: '01062301001',
    checklist: [{ code: 'safety-check', words: '洗前安全检查（水温、防滑、血压）' }], visitId: null, visitStatus: null,
  },
];

const fix = (at) => ({ latitude: 39.9812, longitude: 116.3561, accuracyMeters: 20, photoId: 5, capturedAt: at, sentAt: at, arrivedAt: at, happenedAt: at, metresFromHome: 12 });
const visit = (status, reasons = []) => ({
  id: 70, kind: 'Booked', bookingId: 31, elderId: 8, elderName: '李秀英', caregiverId: 4, caregiverName: '王芳', stationId: 1, line: 'Cleaning', serviceName: '居家保洁',
  date: '2026-12-04', bookedStart: '09:00:00', bookedEnd: '11:00:00', clockIn: fix('2026-12-04T01:02:00Z'),
  clockOut: status === 'InProgress' ? null : fix('2026-12-04T02:50:00Z'), checklist: [], note: null, newNeed: null, status, reasons,
  resolutionReason: null, resolution: null, resolutionNote: null, resolvedAt: null,
});

// Patrol visits: one overdue, one due this week.
const patrols = [
  { id: 12, elderId: 10, elderName: '赵大爷', address: '学院路15号院', maskedPhone: '010****1234', tier: 'KeyGroup', dueBy: '2026-12-01', overdue: true, caregiverId: 4, caregiverName: '王芳', visitId: null },
  { id: 13, elderId: 11, elderName: '孙奶奶', address: '学院路16号院', maskedPhone: '138****5678', tier: 'HighRisk', dueBy: '2026-12-07', overdue: false, caregiverId: 4, caregiverName: '王芳', visitId: null },
];

module.exports = { lunchOffer, requestedBooking, bookingWithHistory, slots, todayVisits, visit, patrols };
