// Messages in English and Simplified Chinese, chosen from the browser and
// switchable; times are shown in the viewer's own time zone.
const catalogs = { en: {}, 'zh-CN': {} };
export const locales = [
  { code: 'en', label: 'English' },
  { code: 'zh-CN', label: '简体中文' },
];
const listeners = new Set();
let current = pick();

function pick() {
  const saved = localStorage.getItem('usergroups.locale');
  if (saved && catalogs[saved]) return saved;
  for (const l of navigator.languages || [navigator.language || 'en']) {
    if (/^zh\b/i.test(l)) return 'zh-CN';
    if (/^en\b/i.test(l)) return 'en';
  }
  return 'en';
}

// register adds a module's messages: {en: {key: text}, 'zh-CN': {key: text}}.
// Every key must exist in both languages (a test checks the bundle).
export function register(messages) {
  for (const [lang, m] of Object.entries(messages)) Object.assign(catalogs[lang], m);
}

export function locale() { return current; }

export function setLocale(code) {
  if (!catalogs[code]) return;
  current = code;
  localStorage.setItem('usergroups.locale', code);
  document.documentElement.lang = code;
  for (const f of listeners) f(code);
}

export function onLocale(f) { listeners.add(f); return () => listeners.delete(f); }

// t looks a message up and fills {name} placeholders; an unknown key shows
// itself, so a missing message is visible rather than blank.
export function t(key, params) {
  let s = catalogs[current][key] ?? catalogs.en[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (_, k) => (params[k] ?? `{${k}}`));
  return s;
}

// Enum values (statuses, kinds) are looked up as "<prefix>.<VALUE>", falling
// back to the value itself in words.
export function tEnum(prefix, value) {
  const key = `${prefix}.${value}`;
  const s = catalogs[current][key] ?? catalogs.en[key];
  return s ?? String(value).toLowerCase().replace(/_/g, ' ');
}

export function zone() { return Intl.DateTimeFormat().resolvedOptions().timeZone; }

export function fmtTime(iso, opts = { dateStyle: 'medium', timeStyle: 'short' }) {
  if (!iso) return '';
  return new Intl.DateTimeFormat(current, opts).format(new Date(iso));
}

export function fmtDate(iso) { return fmtTime(iso, { dateStyle: 'medium' }); }

export function fmtNumber(n) { return new Intl.NumberFormat(current).format(n); }

// fmtAge is "3 days ago" / "3天前".
export function fmtAge(iso, now = Date.now()) {
  const secs = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(current, { numeric: 'auto' });
  const abs = Math.abs(secs);
  if (abs < 60) return rtf.format(secs, 'second');
  if (abs < 3600) return rtf.format(Math.round(secs / 60), 'minute');
  if (abs < 86400) return rtf.format(Math.round(secs / 3600), 'hour');
  return rtf.format(Math.round(secs / 86400), 'day');
}

// fmtCountdown is what remains until iso: "2d 03:04:05"; "" once past.
export function fmtCountdown(iso, now = Date.now()) {
  let s = Math.floor((new Date(iso).getTime() - now) / 1000);
  if (s <= 0) return '';
  const d = Math.floor(s / 86400); s -= d * 86400;
  const hh = String(Math.floor(s / 3600)).padStart(2, '0'); s %= 3600;
  const mm = String(Math.floor(s / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return (d ? t('time.days', { n: d }) + ' ' : '') + `${hh}:${mm}:${ss}`;
}

register({
  en: { 'time.days': '{n}d' },
  'zh-CN': { 'time.days': '{n}天' },
});

// checkCatalogs reports, on the console, every message one language has
// and the other lacks (the browser tests fail on it).
export function checkCatalogs() {
  const [a, b] = [catalogs.en, catalogs['zh-CN']];
  const missing = [
    ...Object.keys(a).filter((k) => !(k in b)).map((k) => `zh-CN lacks ${k}`),
    ...Object.keys(b).filter((k) => !(k in a)).map((k) => `en lacks ${k}`),
  ];
  if (missing.length) console.error('board messages: ' + missing.join(', '));
  return missing;
}
