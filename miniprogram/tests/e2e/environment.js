// jsdom (the pages render into it) plus Node's own fetch, so the pages' requests really reach the API.
const { TestEnvironment } = require('jest-environment-jsdom');

class JsdomWithFetch extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    this.global.fetch = fetch;
    // Node's own, which its fetch understands (jsdom has look-alikes of its own): for wx.uploadFile's multipart body.
    this.global.NodeFormData = FormData;
    this.global.NodeBlob = Blob;
  }
}

module.exports = JsdomWithFetch;
