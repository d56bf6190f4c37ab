import { createRequire } from 'node:module';
import { mount, flushPromises } from '@vue/test-utils';
import ElementPlus from 'element-plus';
import { createRouter, createMemoryHistory } from 'vue-router';
import { setPlatformAPI } from 'echarts/core';
import { routes } from '../src/router.js';

// jsdom has no canvas to measure text with; ECharts lets a host without one supply the measure (as in server-side rendering).
setPlatformAPI({ measureText: (text) => ({ width: String(text).length * 12 }) });

const { answerProblems } = createRequire(import.meta.url)('../../../contract/check.js');

/**
 * Replaces fetch with answers by "METHOD path"; records every request made. Every answer is checked against the API's
 * contract first (contract/openapi.json): a fake of a route the API lacks, or a field it does not send, fails the test.
 */
export function fakeApi(answers) {
  for (const [request, [status, body]] of Object.entries(answers)) {
    const [method, path] = request.split(' ');
    const wrong = answerProblems(method, path, status, body);
    if (wrong.length) throw new Error(`the fake answer to ${request} does not fit the API:\n${wrong.join('\n')}`);
  }
  const requests = [];
  globalThis.fetch = async (path, init = {}) => {
    const method = init.method || 'GET';
    requests.push({ method, path, body: init.body ? JSON.parse(init.body) : undefined, headers: init.headers });
    const answer = answers[`${method} ${path}`];
    if (!answer) throw new Error(`unexpected request ${method} ${path}`);
    const [status, body] = answer;
    return new Response(body === undefined ? null : JSON.stringify(body), {
      status,
      headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' },
    });
  };
  return requests;
}

export async function mountAt(path, component) {
  const router = createRouter({ history: createMemoryHistory(), routes });
  await router.push(path);
  const wrapper = mount(component, { global: { plugins: [ElementPlus, router] }, attachTo: document.body });
  await flushPromises();
  return { wrapper, router };
}

/** Types the note into the open message box and presses its button (e.g. 记下), as staff would. */
export async function answerPrompt(text, button) {
  await flushPromises();
  const box = document.querySelector('.el-message-box input');
  box.value = text;
  box.dispatchEvent(new Event('input'));
  await flushPromises();
  [...document.querySelectorAll('.el-message-box button')].find((b) => b.textContent.includes(button)).click();
  await flushPromises();
  await new Promise((r) => setTimeout(r, 50));
  await flushPromises();
}
