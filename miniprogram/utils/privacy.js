// WeChat's privacy guide (__usePrivacyCheck__ in app.json): the first time a page uses something the guide covers
// (the phone-number button), WeChat calls wx.onNeedPrivacyAuthorization; the privacy sheet on the page shows the
// notice and passes the user's answer back. WeChat remembers an agreement; it asks again only if the guide changes.
let pending = null;
const sheets = new Set();

function ask(resolve) {
  pending = resolve;
  sheets.forEach((show) => show());
}

function answer(agreed, buttonId) {
  if (!pending) return;
  const resolve = pending;
  pending = null;
  resolve(agreed ? { event: 'agree', buttonId } : { event: 'disagree' });
}

/** A sheet registers to be shown when WeChat asks; the function it gets back unregisters it. */
function register(show) {
  sheets.add(show);
  if (pending) show();
  return () => sheets.delete(show);
}

module.exports = { ask, answer, register };
