// The console's one way to the API: the session token travels as a bearer token, and every refusal comes back as
// an ApiError carrying the ProblemDetails title (plain Chinese, fit to show as it is) and its stable type code.
const TOKEN = 'eldercare.console.session';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.title || `请求失败（${status}）`);
    this.status = status;
    this.type = problem?.type || 'unknown';
    this.problem = problem || {};
  }
}

export const session = {
  get() {
    const saved = sessionStorage.getItem(TOKEN);
    return saved ? JSON.parse(saved) : null;
  },
  set(value) {
    if (value) sessionStorage.setItem(TOKEN, JSON.stringify(value));
    else sessionStorage.removeItem(TOKEN);
  },
};

let onUnauthenticated = () => {};
export function whenLoggedOut(handler) {
  onUnauthenticated = handler;
}

export async function api(path, { method = 'GET', body, headers: extra = {} } = {}) {
  const headers = { Accept: 'application/json', ...extra };
  const current = session.get();
  if (current?.token) headers.Authorization = `Bearer ${current.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { type: 'network', title: '连不上服务器，请检查网络后再试' });
  }
  if (response.status === 204) return null;
  const data = (response.headers.get('content-type') || '').includes('json') ? await response.json() : null;
  if (!response.ok) {
    if (response.status === 401 && current?.token) {
      session.set(null);
      onUnauthenticated();
    }
    throw new ApiError(response.status, data);
  }
  return data;
}

export const roleNames = {
  Clerk: '窗口办事员',
  Caregiver: '护理员',
  StationManager: '站长',
  Officer: '民政监管',
  HotlineAgent: '热线坐席',
};
