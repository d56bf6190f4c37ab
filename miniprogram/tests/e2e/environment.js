// jsdom (the pages render into it) plus Node's own fetch, so the pages' requests really reach the API.
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.fetch = fetch;
  }
}

module.exports = JsdomWithFetch;
