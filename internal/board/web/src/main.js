// The approval board: sign in, then the board, an application's detail and
// a group's page, all from the public GraphQL API.
import './board.css';
import { h, replace } from './dom.js';
import { t, register, locales, locale, setLocale, onLocale, checkCatalogs } from './i18n.js';
import { signIn, completeSignIn, session, signOut } from './auth.js';
import { gql, onSignedOut, onStatus, liveStatus, endSession } from './api.js';
import { parse, lookup, href } from './router.js';
import { ME } from './queries.js';
import './views/queue.js';
import './views/application.js';
import './views/group.js';

register({
  en: {
    'app.title': 'Approval board', 'app.loading': 'Loading…',
    'signin.title': 'Sign in to the approval board',
    'signin.lead': 'Review requests for new groups and other applications, live, as they arrive.',
    'signin.with': 'Sign in with {host}', 'signin.dev': 'Sign in as a demo person (development)',
    'signin.none': 'No sign-in is configured on this server: start it with --oidc-issuer, or with --dev for demo people.',
    'signin.ended': 'Your sign-in has ended. Please sign in again.',
    'signin.failed': 'Sign-in failed: {reason}',
    'nav.board': 'Board', 'nav.groups': 'Groups', 'nav.skip': 'Skip to content', 'nav.signout': 'Sign out', 'nav.language': 'Language', 'nav.main': 'Main',
    'live.connecting': 'Connecting…', 'live.live': 'Live', 'live.reconnecting': 'Reconnecting…', 'live.idle': 'Not live',
    'error.notfound': 'Nothing here.', 'error.generic': 'Something went wrong: {message}', 'action.retry': 'Try again',
    'zone.note': 'Times in {zone}',
  },
  'zh-CN': {
    'app.title': '审批看板', 'app.loading': '加载中…',
    'signin.title': '登录审批看板',
    'signin.lead': '实时审阅新用户组申请和其他申请。',
    'signin.with': '通过 {host} 登录', 'signin.dev': '以演示用户身份登录（开发模式）',
    'signin.none': '此服务器未配置登录：请使用 --oidc-issuer 启动，或使用 --dev 启用演示用户。',
    'signin.ended': '您的登录已失效，请重新登录。',
    'signin.failed': '登录失败：{reason}',
    'nav.board': '看板', 'nav.groups': '用户组', 'nav.skip': '跳到正文', 'nav.signout': '退出登录', 'nav.language': '语言', 'nav.main': '主导航',
    'live.connecting': '正在连接…', 'live.live': '实时', 'live.reconnecting': '正在重新连接…', 'live.idle': '未连接',
    'error.notfound': '未找到内容。', 'error.generic': '出错了：{message}', 'action.retry': '重试',
    'zone.note': '时间以 {zone} 显示',
  },
});

const root = document.getElementById('app');
let config = null;
let me = null;
let stop = null;
let notice = '';
let expiry = null;

// watchExpiry ends the session when its token expires, so an expired
// sign-in shows the sign-in screen rather than failing requests.
function watchExpiry() {
  clearTimeout(expiry);
  const s = session();
  if (s) expiry = setTimeout(() => endSession('expired'), Math.max(0, s.expiresAt - Date.now()) + 50);
}

async function boot() {
  config = await (await fetch('config.json')).json();
  try {
    await completeSignIn();
  } catch (e) {
    notice = t('signin.failed', { reason: e.message });
  }
  onSignedOut(() => { me = null; notice = t('signin.ended'); render(); });
  onLocale(() => render());
  window.addEventListener('hashchange', () => render());
  document.documentElement.lang = locale();
  checkCatalogs();
  render();
}

function signInScreen() {
  const providers = config.providers || [];
  return h('main', { class: 'signin', id: 'main' },
    h('h1', {}, t('signin.title')),
    h('p', {}, t('signin.lead')),
    notice ? h('p', { class: 'notice', role: 'alert' }, notice) : null,
    providers.length === 0 ? h('p', {}, t('signin.none')) : null,
    h('div', { class: 'providers' }, providers.map((p) => h('button', {
      class: ['primary', p.dev && 'dev'], type: 'button', dataset: { provider: p.dev ? 'dev' : 'oidc' },
      onclick: () => signIn(p).catch((e) => { notice = t('signin.failed', { reason: e.message }); render(); }),
    }, p.dev ? t('signin.dev') : t('signin.with', { host: new URL(p.issuer).host })))),
    languagePicker());
}

function languagePicker() {
  return h('label', { class: 'language' }, t('nav.language') + ' ',
    h('select', { onchange: (e) => setLocale(e.target.value) },
      locales.map((l) => h('option', { value: l.code, selected: l.code === locale() }, l.label))));
}

function liveBadge() {
  const el = h('span', { class: 'live', role: 'status', 'aria-live': 'polite' });
  const show = (s) => { el.dataset.status = s; el.textContent = t('live.' + s); };
  show(liveStatus());
  const off = onStatus(show);
  return [el, off];
}

function shell(content) {
  const [badge, offBadge] = liveBadge();
  const header = h('header', { class: 'top' },
    h('a', { class: 'skip', href: '#main', onclick: (e) => { e.preventDefault(); document.getElementById('main')?.focus(); } }, t('nav.skip')),
    h('a', { class: 'brand', href: href('') }, t('app.title')),
    h('nav', { 'aria-label': t('nav.main') }, h('a', { href: href('') }, t('nav.board')), h('a', { href: href('group') }, t('nav.groups'))),
    h('span', { class: 'spacer' }),
    badge,
    languagePicker(),
    h('span', { class: 'who', dataset: { handle: me.handle } }, me.name),
    h('button', { type: 'button', onclick: () => { notice = ''; signOut(); location.reload(); } }, t('nav.signout')));
  replace(root, header, content);
  return offBadge;
}

async function render() {
  if (stop) { stop(); stop = null; }
  if (!session()) { replace(root, signInScreen()); return; }
  watchExpiry();
  if (!me) {
    replace(root, h('p', { class: 'loading' }, t('app.loading')));
    try {
      me = (await gql(ME)).me;
    } catch (e) {
      if (!session()) return;
      replace(root, h('p', { role: 'alert' }, t('error.generic', { message: e.message })));
      return;
    }
    if (!session()) return;
  }
  const main = h('main', { id: 'main', tabindex: '-1' });
  const offBadge = shell(main);
  const route = parse();
  const draw = lookup(route.name || 'queue');
  if (!draw) { replace(main, h('p', {}, t('error.notfound'))); stop = offBadge; return; }
  const cleanup = draw(main, route.params, { me });
  stop = () => { offBadge(); if (typeof cleanup === 'function') cleanup(); };
}

boot();
