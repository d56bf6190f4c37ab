module.exports = {
  testEnvironment: 'jsdom',
  testMatch: ['<rootDir>/tests/*.test.js'], // tests/e2e needs a running API: see jest.e2e.config.js
  testTimeout: 20000,
  setupFilesAfterEnv: ['<rootDir>/tests/contract-setup.js'], // every fake answer is checked against the API's contract
};
