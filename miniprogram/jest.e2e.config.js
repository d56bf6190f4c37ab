// The end-to-end test: the pages against a running Eldercare API and the fake WeChat server (started by
// tests/Eldercare.Tests/MiniProgramEndToEndTests.cs, which passes their addresses in the environment).
module.exports = {
  testEnvironment: '<rootDir>/tests/e2e/environment.js',
  testMatch: ['<rootDir>/tests/e2e/**/*.test.js'],
  testTimeout: 60000,
};
