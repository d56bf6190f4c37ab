// The booking being chosen, handed from the page that picks it (home's lunch offer, a time on the booking page) to the
// confirm page. Kept in storage, so the confirm page survives WeChat reloading it.
const { distance, modeNames, when, yuan } = require('./format.js');

const CHOICE = 'eldercare.choice';

/**
 * A choice: { serviceId, serviceName, detail, line, slotId, resourceId, date, start, place, distanceMetres, ownStation,
 * mode, modes, price: { listFen, subsidyFen, payableFen }, payment: 'WeChat' | 'Window', cutoffAt }.
 */
function choose(choice) {
  wx.setStorageSync(CHOICE, choice);
}

function chosen() {
  return wx.getStorageSync(CHOICE) || null;
}

/**
 * The Idempotency-Key of the booking being made from this choice: kept with the choice in storage, so a retry sends
 * it again even after the page was closed or reloaded; a different time, way or payment gets a new one.
 */
function keyFor(makeKey, atWindow) {
  const c = chosen();
  const intent = c.intent;
  if (intent && intent.slotId === c.slotId && intent.mode === c.mode && intent.atWindow === atWindow) return intent.key;
  const key = makeKey();
  wx.setStorageSync(CHOICE, Object.assign({}, c, { intent: { slotId: c.slotId, mode: c.mode, atWindow, key } }));
  return key;
}

/** The booking was made or refused: the next one gets its own key. */
function settled() {
  const c = chosen();
  if (c && c.intent) wx.setStorageSync(CHOICE, Object.assign({}, c, { intent: null }));
}

/** The ways this choice can come: delivery and visits only from the elder's own station (the API refuses the rest). */
function waysFor(choice) {
  return (choice.modes || []).filter((m) => modeNames[m] && (choice.ownStation !== false || (m !== 'Delivery' && m !== 'AtHome')))
    .map((code) => ({ code, name: modeNames[code] }));
}

/** The words a choice is shown in: when, where (and how far), how it comes, what the elder pays. */
function describe(choice) {
  return {
    when: when(choice.date, choice.start),
    place: choice.place + (choice.distanceMetres !== undefined && choice.distanceMetres !== null ? `（离家${distance(choice.distanceMetres)}）` : ''),
    modeName: modeNames[choice.mode] || '',
    payable: yuan(choice.price.payableFen),
    list: yuan(choice.price.listFen),
    subsidy: yuan(choice.price.subsidyFen),
  };
}

/** The lunch offer from the API as a choice. */
function fromOffer(offer) {
  return {
    serviceId: offer.serviceId, serviceName: offer.serviceName, detail: offer.detail, line: 'Meals', slotId: offer.slotId,
    resourceId: offer.mealPoint.resourceId, date: offer.date, start: offer.start, place: offer.mealPoint.name,
    distanceMetres: offer.mealPoint.distanceMetres, ownStation: offer.mealPoint.ownStation, mode: offer.mode, modes: offer.modes,
    price: offer.price, payment: offer.payment, cutoffAt: offer.cutoffAt,
  };
}

module.exports = { choose, chosen, keyFor, settled, waysFor, describe, fromOffer };
