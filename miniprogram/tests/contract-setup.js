// Fails a test whose fake API answered something the real API could not (see fakeWx in helpers.js).
const { contractProblems } = require('./helpers');

afterEach(() => {
  const found = contractProblems.splice(0);
  if (found.length) throw new Error(found.join('\n\n'));
});
