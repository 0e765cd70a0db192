// The queue view: a community's approval queue — counts per status, the
// oldest open application, filters kept in the route's query, a card per
// application — loaded with one query and followed live from that query's
// change cursor with the approvalQueue subscription.
import { h, replace, announce } from '../dom.js';
import { t, tEnum, register, fmtTime, fmtAge, fmtCountdown, fmtNumber } from '../i18n.js';
import { gql, follow, onStatus } from '../api.js';
import { view, href, parse } from '../router.js';
import { QUEUE_SCOPE, QUEUE, QUEUE_COUNTS, QUEUE_LIVE } from '../queries.js';
import { groupLink } from './group.js';

const KINDS = ['NEW_GROUP', 'MEMBERSHIP', 'ORGANIZER', 'AMBASSADOR', 'OFFICIAL_STATUS', 'FUNDING'];
const STATUSES = ['SUBMITTED', 'IN_REVIEW', 'NEEDS_INFO', 'OBJECTION_WINDOW', 'APPROVED', 'REJECTED', 'WITHDRAWN', 'EXPIRED'];
const OPEN = STATUSES.slice(0, 4);
const REVIEWING = ['COMMUNITY_MANAGER', 'AMBASSADOR', 'ORGANIZER'];
const PAGE = 50;
const FRESH_MS = 3000;
const COUNTS_DEBOUNCE_MS = 150;

register({
  en: {
    'queue.heading': '{community} approval queue',
    'queue.community': 'Community',
    'queue.oldest': 'Oldest open application submitted {age}',
    'queue.oldest.none': 'Nothing is waiting for a decision',
    'queue.counts': 'Applications by status (select one to show only it)',
    'queue.counts.open': 'Open',
    'queue.counts.closed': 'Closed',
    'queue.showing': 'Showing {shown} of {total}',
    'queue.results': 'Applications',
    'queue.filters': 'Filters',
    'queue.f.kinds': 'Kinds',
    'queue.f.statuses': 'Statuses',
    'queue.f.statuses.hint': 'None checked: all open statuses.',
    'queue.f.region': 'Region',
    'queue.f.region.any': 'Any region',
    'queue.f.any': 'Any',
    'queue.f.conflicts': 'Conflicts with nearby groups',
    'queue.f.conflicts.yes': 'Unsettled conflicts only',
    'queue.f.conflicts.no': 'No unsettled conflicts',
    'queue.f.objections': 'Objections',
    'queue.f.objections.yes': 'Open objections only',
    'queue.f.objections.no': 'No open objections',
    'queue.f.mine': 'Assigned to me',
    'queue.f.age': 'Waiting longer than',
    'queue.f.age.amount': 'Amount',
    'queue.f.age.unit': 'Unit',
    'queue.f.age.hours': 'hours',
    'queue.f.age.days': 'days',
    'queue.f.sort': 'Order',
    'queue.f.sort.old': 'Oldest first',
    'queue.f.sort.new': 'Newest first',
    'queue.f.apply': 'Apply',
    'queue.f.clear': 'Clear filters',
    'queue.card.by': 'by {name}',
    'queue.card.submitted': 'Submitted {time}',
    'queue.card.group': 'Group: {name}', 'queue.card.grouppage': 'Group page',
    'queue.card.reviewer': 'Reviewer',
    'queue.card.mentor': 'Mentor',
    'queue.card.unassigned': 'Unassigned',
    'queue.card.none': 'None',
    'queue.card.screening': 'Screening',
    'queue.card.conflicts': 'Conflicts',
    'queue.card.conflict': '{name} ({city}), {km} km',
    'queue.card.conflict.settled': 'settled',
    'queue.card.flags': 'Flags',
    'queue.card.missing': 'Missing',
    'queue.card.supporters': 'Supporters',
    'queue.card.objections': '{n} open objection(s)',
    'queue.card.deadline': 'Objections close in',
    'queue.card.deadline.passed': 'The objection window has ended',
    'queue.card.reviews': 'Latest reviews',
    'queue.card.automatic': 'Automatic screening',
    'queue.card.nobody': 'Someone',
    'queue.empty': 'No application matches these filters.',
    'queue.empty.open': 'Nothing is waiting for review. New applications appear here as they arrive.',
    'queue.noqueue': 'You have no queue to review in {community}.',
    'queue.noqueue.why': 'The queue lists applications for the people who review them: community staff, ambassadors and, for their own groups, organizers.',
    'queue.nocommunity': 'There is no community “{slug}”.',
    'queue.nocommunities': 'There is no community yet.',
    'queue.loadmore': 'Load more ({n} more)',
    'queue.nolive': 'Live updates are not available on this server: reload to see changes.',
    'queue.live.stopped': 'Live updates stopped: {message}',
    'queue.live.new': 'New in the queue: {title}, {status}',
    'queue.live.changed': '{title} is now {status}',
    'queue.live.updated': '{title} was updated',
    'queue.live.left': '{title} left the queue ({status})',
    'queue.kind.NEW_GROUP': 'New group', 'queue.kind.MEMBERSHIP': 'Membership', 'queue.kind.ORGANIZER': 'Organizer',
    'queue.kind.AMBASSADOR': 'Ambassador', 'queue.kind.OFFICIAL_STATUS': 'Official status', 'queue.kind.FUNDING': 'Funding',
    'queue.status.SUBMITTED': 'Submitted', 'queue.status.IN_REVIEW': 'In review', 'queue.status.NEEDS_INFO': 'Needs info',
    'queue.status.OBJECTION_WINDOW': 'Objection window', 'queue.status.APPROVED': 'Approved', 'queue.status.REJECTED': 'Rejected',
    'queue.status.WITHDRAWN': 'Withdrawn', 'queue.status.EXPIRED': 'Expired',
    'queue.review.COMMENT': 'Comment', 'queue.review.INFO_REQUEST': 'Information requested', 'queue.review.OBJECTION': 'Objection',
    'queue.review.ENDORSEMENT': 'Endorsement', 'queue.review.APPROVAL': 'Approval', 'queue.review.STATUS_CHANGE': 'Status change',
    'queue.flag.COMMERCIAL': 'Commercial', 'queue.flag.OFF_TOPIC': 'Off topic',
    'queue.missing.LINK': 'link', 'queue.missing.DESCRIPTION': 'description', 'queue.missing.COORDINATES': 'coordinates',
    'queue.missing.SUPPORTERS': 'supporters',
  },
  'zh-CN': {
    'queue.heading': '{community} 审批队列',
    'queue.community': '社区',
    'queue.oldest': '最早的待处理申请提交于{age}',
    'queue.oldest.none': '没有等待决定的申请',
    'queue.counts': '各状态的申请数（选择一项即只显示该状态）',
    'queue.counts.open': '待处理',
    'queue.counts.closed': '已结束',
    'queue.showing': '显示 {shown} / {total} 项',
    'queue.results': '申请列表',
    'queue.filters': '筛选',
    'queue.f.kinds': '申请类型',
    'queue.f.statuses': '状态',
    'queue.f.statuses.hint': '不勾选时显示所有待处理状态。',
    'queue.f.region': '区域',
    'queue.f.region.any': '所有区域',
    'queue.f.any': '不限',
    'queue.f.conflicts': '与附近用户组的冲突',
    'queue.f.conflicts.yes': '仅显示有未处理冲突的',
    'queue.f.conflicts.no': '仅显示无未处理冲突的',
    'queue.f.objections': '异议',
    'queue.f.objections.yes': '仅显示有未解决异议的',
    'queue.f.objections.no': '仅显示无未解决异议的',
    'queue.f.mine': '分配给我的',
    'queue.f.age': '等待时间超过',
    'queue.f.age.amount': '数值',
    'queue.f.age.unit': '单位',
    'queue.f.age.hours': '小时',
    'queue.f.age.days': '天',
    'queue.f.sort': '排序',
    'queue.f.sort.old': '最早的在前',
    'queue.f.sort.new': '最新的在前',
    'queue.f.apply': '应用',
    'queue.f.clear': '清除筛选',
    'queue.card.by': '申请人：{name}',
    'queue.card.submitted': '提交于 {time}',
    'queue.card.group': '用户组：{name}', 'queue.card.grouppage': '用户组页面',
    'queue.card.reviewer': '审核人',
    'queue.card.mentor': '导师',
    'queue.card.unassigned': '未分配',
    'queue.card.none': '无',
    'queue.card.screening': '筛查',
    'queue.card.conflicts': '冲突',
    'queue.card.conflict': '{name}（{city}），{km} 公里',
    'queue.card.conflict.settled': '已处理',
    'queue.card.flags': '标记',
    'queue.card.missing': '缺少',
    'queue.card.supporters': '支持者',
    'queue.card.objections': '{n} 条未解决的异议',
    'queue.card.deadline': '异议期剩余',
    'queue.card.deadline.passed': '异议期已结束',
    'queue.card.reviews': '最近的审核记录',
    'queue.card.automatic': '自动筛查',
    'queue.card.nobody': '某人',
    'queue.empty': '没有符合筛选条件的申请。',
    'queue.empty.open': '目前没有待审核的申请。新的申请提交后会立即显示在这里。',
    'queue.noqueue': '您在 {community} 中没有需要审核的队列。',
    'queue.noqueue.why': '审批队列只向负责审核的人显示：社区工作人员、大使，以及所在用户组的组织者。',
    'queue.nocommunity': '不存在社区“{slug}”。',
    'queue.nocommunities': '目前还没有社区。',
    'queue.loadmore': '加载更多（还有 {n} 项）',
    'queue.nolive': '此服务器不支持实时更新：请刷新页面查看变化。',
    'queue.live.stopped': '实时更新已停止：{message}',
    'queue.live.new': '新申请：{title}，{status}',
    'queue.live.changed': '{title} 的状态变为：{status}',
    'queue.live.updated': '{title} 已更新',
    'queue.live.left': '{title} 已离开队列（{status}）',
    'queue.kind.NEW_GROUP': '新建用户组', 'queue.kind.MEMBERSHIP': '成员申请', 'queue.kind.ORGANIZER': '组织者申请',
    'queue.kind.AMBASSADOR': '大使申请', 'queue.kind.OFFICIAL_STATUS': '官方认证', 'queue.kind.FUNDING': '经费申请',
    'queue.status.SUBMITTED': '已提交', 'queue.status.IN_REVIEW': '审核中', 'queue.status.NEEDS_INFO': '待补充信息',
    'queue.status.OBJECTION_WINDOW': '异议公示期', 'queue.status.APPROVED': '已批准', 'queue.status.REJECTED': '已拒绝',
    'queue.status.WITHDRAWN': '已撤回', 'queue.status.EXPIRED': '已过期',
    'queue.review.COMMENT': '评论', 'queue.review.INFO_REQUEST': '请求补充信息', 'queue.review.OBJECTION': '异议',
    'queue.review.ENDORSEMENT': '赞同', 'queue.review.APPROVAL': '批准', 'queue.review.STATUS_CHANGE': '状态变更',
    'queue.flag.COMMERCIAL': '商业性质', 'queue.flag.OFF_TOPIC': '与主题无关',
    'queue.missing.LINK': '链接', 'queue.missing.DESCRIPTION': '描述', 'queue.missing.COORDINATES': '坐标',
    'queue.missing.SUPPORTERS': '支持者',
  },
});

// ---- The filter, as the route's query keeps it ----------------------------

function list(v, allowed) {
  return (v || '').split(',').filter((x) => allowed.includes(x));
}

// readFilter reads #/queue/<slug>?kinds=NEW_GROUP&statuses=…&region=…&conflicts=yes
// &objections=no&mine=1&older=2d&sort=new.
function readFilter(q) {
  const age = /^(\d{1,5})([hd])$/.exec(q.get('older') || '');
  const yesNo = (v) => (v === 'yes' || v === 'no' ? v : '');
  return {
    kinds: list(q.get('kinds'), KINDS),
    statuses: list(q.get('statuses'), STATUSES),
    region: q.get('region') || '',
    conflicts: yesNo(q.get('conflicts')),
    objections: yesNo(q.get('objections')),
    mine: q.get('mine') === '1',
    older: age ? Number(age[1]) : 0,
    unit: age ? age[2] : 'h',
    sort: q.get('sort') === 'new' ? 'new' : 'old',
  };
}

function writeFilter(f) {
  const q = new URLSearchParams();
  if (f.kinds.length) q.set('kinds', f.kinds.join(','));
  if (f.statuses.length) q.set('statuses', f.statuses.join(','));
  if (f.region) q.set('region', f.region);
  if (f.conflicts) q.set('conflicts', f.conflicts);
  if (f.objections) q.set('objections', f.objections);
  if (f.mine) q.set('mine', '1');
  if (f.older > 0) q.set('older', f.older + f.unit);
  if (f.sort === 'new') q.set('sort', 'new');
  return q.toString().replace(/%2C/g, ',');
}

function olderThanHours(f) { return f.older > 0 ? f.older * (f.unit === 'd' ? 24 : 1) : 0; }

// apiFilter is the query's ApprovalQueueFilter.
function apiFilter(f) {
  const out = {};
  if (f.kinds.length) out.kinds = f.kinds;
  if (f.statuses.length) out.statuses = f.statuses;
  if (f.region) out.region = f.region;
  if (f.conflicts) out.hasConflicts = f.conflicts === 'yes';
  if (f.objections) out.hasOpenObjections = f.objections === 'yes';
  if (f.mine) out.assignedToMe = true;
  if (olderThanHours(f)) out.olderThanHours = olderThanHours(f);
  return out;
}

// liveFilter is the subscription's: only what an application cannot leave
// by changing (its kind, its region). Statuses, reviewer, conflicts and
// objections change, and a card must leave when they do, so the stream
// delivers every change and admits() decides; hasOpenObjections is refused
// by the subscription anyway (docs/live.md).
function liveFilter(f) {
  const out = {};
  if (f.kinds.length) out.kinds = f.kinds;
  if (f.region) out.region = f.region;
  return out;
}

// admits is the query's filter checked on one delivered application.
function admits(f, node, meID, now = Date.now()) {
  const statuses = f.statuses.length ? f.statuses : OPEN;
  if (!statuses.includes(node.status)) return false;
  if (f.kinds.length && !f.kinds.includes(node.kind)) return false;
  if (f.region && node.region?.id !== f.region) return false;
  if (f.mine && node.reviewer?.id !== meID) return false;
  if (f.conflicts && (node.unresolvedConflicts > 0) !== (f.conflicts === 'yes')) return false;
  if (f.objections && (node.openObjections.length > 0) !== (f.objections === 'yes')) return false;
  const hours = olderThanHours(f);
  if (hours && new Date(node.createdAt).getTime() >= now - hours * 3600e3) return false;
  return true;
}

function orderBy(f) { return [{ field: 'CREATED_AT', direction: f.sort === 'new' ? 'DESC' : 'ASC' }]; }

// ---- Who reviews where -------------------------------------------------------

function roleCommunity(r) { return r.community || r.region?.community || r.group?.community || null; }

// reviewedCommunities lists the communities (ids) where the person reviews,
// in the order of their roles, staff and ambassadors first; isAdmin when
// they administer the whole service.
function scopeOf(me) {
  const roles = (me?.roles?.edges || []).map((e) => e.node);
  const isAdmin = roles.some((r) => r.kind === 'ADMIN');
  const ordered = [...roles.filter((r) => r.kind !== 'ORGANIZER'), ...roles.filter((r) => r.kind === 'ORGANIZER')];
  const ids = [];
  for (const r of ordered) {
    const c = roleCommunity(r);
    if (REVIEWING.includes(r.kind) && c && !ids.includes(c.id)) ids.push(c.id);
  }
  const lead = [];
  for (const r of roles) {
    const c = roleCommunity(r);
    if ((r.kind === 'COMMUNITY_MANAGER' || r.kind === 'AMBASSADOR') && c && !lead.includes(c.slug)) lead.push(c.slug);
  }
  return { isAdmin, reviews: ids, lead };
}

// ---- Cards -----------------------------------------------------------------

function titleOf(node) {
  if (node.kind === 'NEW_GROUP') return node.answers?.proposedName || node.group?.name || node.applicant.name;
  return node.applicant.name;
}

function shorten(s, n = 160) {
  const text = (s || '').replace(/\s+/g, ' ').trim();
  return text.length > n ? text.slice(0, n - 1).trimEnd() + '…' : text;
}

function ageEl(iso) {
  return h('time', { datetime: iso, title: t('queue.card.submitted', { time: fmtTime(iso) }), dataset: { age: '' } }, fmtAge(iso));
}

function countdownText(iso) {
  const left = fmtCountdown(iso);
  return left || t('queue.card.deadline.passed');
}

function reviewItem(r) {
  let body = shorten(r.body);
  if (!body && r.kind === 'STATUS_CHANGE' && r.toStatus) {
    body = (r.fromStatus ? tEnum('queue.status', r.fromStatus) + ' → ' : '→ ') + tEnum('queue.status', r.toStatus);
  }
  return h('li', { class: ['qreview', 'rk-' + r.kind] },
    h('div', { class: 'qreview-head' },
      h('strong', {}, r.author ? r.author.name : t('queue.card.automatic')),
      h('span', { class: 'qreview-kind' }, tEnum('queue.review', r.kind)),
      h('time', { datetime: r.createdAt, title: fmtTime(r.createdAt), class: 'muted', dataset: { age: '' } }, fmtAge(r.createdAt))),
    body ? h('p', {}, body) : null);
}

function screeningBlock(node) {
  const s = node.screening;
  if (!s) return null;
  const conflicts = s.conflicts || [];
  const flags = s.flags || [];
  const missing = s.missing || [];
  const rows = [];
  if (conflicts.length) {
    rows.push(h('div', { class: 'qfield' }, h('dt', {}, t('queue.card.conflicts')),
      h('dd', {}, h('ul', { class: 'qconflicts' }, conflicts.map((c) => h('li', { class: c.resolvedAt ? 'settled' : 'open' },
        t('queue.card.conflict', { name: c.name, city: c.city, km: fmtNumber(Math.round(c.distanceKm * 10) / 10) }),
        c.resolvedAt ? h('span', { class: 'pill ok' }, t('queue.card.conflict.settled')) : null))))));
  }
  if (flags.length) {
    rows.push(h('div', { class: 'qfield' }, h('dt', {}, t('queue.card.flags')),
      h('dd', {}, flags.map((f) => h('span', { class: 'pill bad' }, tEnum('queue.flag', f))))));
  }
  if (missing.length) {
    rows.push(h('div', { class: 'qfield' }, h('dt', {}, t('queue.card.missing')),
      h('dd', {}, missing.map((m) => h('span', { class: 'pill warn' }, tEnum('queue.missing', m))))));
  }
  if (node.kind === 'NEW_GROUP' || s.supporters > 0) {
    rows.push(h('div', { class: 'qfield' }, h('dt', {}, t('queue.card.supporters')),
      h('dd', { class: 'qsupporters' }, fmtNumber(s.supporters))));
  }
  if (!rows.length) return null;
  return h('dl', { class: 'qscreening', 'aria-label': t('queue.card.screening') }, rows);
}

function card(node) {
  const title = titleOf(node);
  const place = [node.answers?.city, node.answers?.country].filter(Boolean).join(', ');
  const sub = [];
  if (node.kind === 'NEW_GROUP' && place) sub.push(place);
  if (node.kind !== 'NEW_GROUP' && node.group) sub.push(t('queue.card.group', { name: node.group.name }));
  if (node.kind === 'NEW_GROUP') sub.push(t('queue.card.by', { name: node.applicant.name }));
  if (node.region) sub.push(node.region.name);
  const reviews = (node.reviews?.edges || []).map((e) => e.node);
  const objections = node.openObjections?.length || 0;
  return h('article', { class: ['qcard', 'qst-' + node.status], dataset: { id: node.id, status: node.status, kind: node.kind } },
    h('div', { class: 'qcard-top' },
      h('span', { class: 'qkind' }, tEnum('queue.kind', node.kind)),
      h('span', { class: ['qstatus', 'qst-' + node.status] }, tEnum('queue.status', node.status)),
      h('span', { class: 'spacer' }),
      ageEl(node.createdAt)),
    h('h3', { class: 'qcard-title' }, h('a', { href: href('application', node.id) }, title)),
    sub.length || node.group ? h('p', { class: 'qcard-sub muted' }, sub.join(' · '),
      // The group's own page (an approved new group's, or the group a request concerns).
      node.group && node.group.id ? [sub.length ? ' · ' : '', groupLink(node.group, t('queue.card.grouppage'))] : null) : null,
    node.status === 'OBJECTION_WINDOW' && node.objectionDeadline
      ? h('p', { class: 'qdeadline' }, t('queue.card.deadline') + ' ',
        h('span', { class: 'countdown', dataset: { deadline: node.objectionDeadline }, title: fmtTime(node.objectionDeadline) },
          countdownText(node.objectionDeadline)))
      : null,
    objections ? h('p', { class: 'qobjections' }, h('span', { class: 'pill bad' }, t('queue.card.objections', { n: fmtNumber(objections) }))) : null,
    screeningBlock(node),
    h('dl', { class: 'qpeople' },
      h('div', { class: 'qfield' }, h('dt', {}, t('queue.card.reviewer')),
        h('dd', { class: node.reviewer ? 'qreviewer' : 'qreviewer muted' }, node.reviewer ? node.reviewer.name : t('queue.card.unassigned'))),
      h('div', { class: 'qfield' }, h('dt', {}, t('queue.card.mentor')),
        h('dd', { class: node.mentor ? '' : 'muted' }, node.mentor ? node.mentor.name : t('queue.card.none')))),
    reviews.length
      ? h('section', { class: 'qreviews', 'aria-label': t('queue.card.reviews') },
        h('h4', {}, t('queue.card.reviews')),
        h('ol', {}, reviews.map(reviewItem)))
      : null);
}

// ---- The view ----------------------------------------------------------------

view('queue', (container, params, { me }) => {
  const cleanups = [];
  let stopped = false;
  let generation = 0; // a filter change starts a new one; late answers of an old one are dropped

  const ctx = {
    f: readFilter(parse().query),
    community: null,
    cards: new Map(), // id → {node, el}
    pageInfo: null,
    counts: [],
    oldest: null,
    unsubscribe: null,
    countsTimer: 0,
    freshTimers: new Set(),
  };

  // Parts of the page, built once by frame().
  let chips, oldestEl, showingEl, listEl, moreEl, emptyEl, noticeEl, form;

  const tick = setInterval(() => {
    for (const el of container.querySelectorAll('.countdown[data-deadline]')) el.textContent = countdownText(el.dataset.deadline);
    if (Math.floor(Date.now() / 1000) % 30 === 0) refreshAges();
  }, 1000);
  cleanups.push(() => clearInterval(tick));
  let wasDown = false;
  cleanups.push(onStatus((s) => {
    if (s === 'reconnecting') wasDown = true;
    if (s === 'live' && wasDown) { wasDown = false; scheduleCounts(); }
  }));

  function refreshAges() {
    for (const el of container.querySelectorAll('time[data-age]')) {
      el.textContent = fmtAge(el.getAttribute('datetime'));
    }
  }

  function message(kind, text, extra) {
    replace(container, h('section', { class: ['qmessage', kind] },
      h('h1', {}, text), extra || null));
  }

  async function start() {
    replace(container, h('p', { class: 'loading' }, t('app.loading')));
    const slugParam = params[0] || '';
    let scope;
    try {
      scope = await gql(QUEUE_SCOPE, { slug: slugParam });
    } catch (e) {
      if (!stopped) failed(e, start);
      return;
    }
    if (stopped) return;
    const communities = (scope.communities?.edges || []).map((e) => e.node);
    const who = scopeOf(scope.me);
    let community = scope.community;
    if (!slugParam) {
      const slug = who.lead[0] || communities.find((c) => who.reviews.includes(c.id))?.slug || communities[0]?.slug;
      if (!slug) { message('empty', t('queue.nocommunities')); return; }
      // The default route names its community, so a reload or a shared link keeps it;
      // unless the address moved on meanwhile (its hashchange is on its way).
      const here = parse();
      if (here.name !== '' && !(here.name === 'queue' && !here.params[0])) return;
      const q = writeFilter(ctx.f);
      history.replaceState(null, '', href('queue', slug) + (q ? '?' + q : ''));
      params = [slug];
      start();
      return;
    }
    if (!community) { message('empty', t('queue.nocommunity', { slug: slugParam })); return; }
    ctx.community = community;
    ctx.reviewer = who.isAdmin || who.reviews.includes(community.id);
    const options = who.isAdmin ? communities : communities.filter((c) => who.reviews.includes(c.id));
    if (!options.some((c) => c.id === community.id)) options.unshift(community);
    frame(options);
    load();
  }

  function failed(e, retry) {
    const code = e?.code;
    if (code === 'UNAUTHENTICATED') return; // main.js returns to the sign-in screen
    if (code === 'NOT_FOUND') { message('empty', t('queue.nocommunity', { slug: params[0] || '' })); return; }
    message('error', t('error.generic', { message: e.message || String(e) }),
      h('button', { type: 'button', onclick: () => retry() }, t('action.retry')));
  }

  // frame draws the page around the cards: heading, switcher, counts, filters.
  function frame(options) {
    const c = ctx.community;
    chips = h('div', { class: 'qchips', role: 'group', 'aria-label': t('queue.counts') });
    oldestEl = h('p', { class: 'qoldest' });
    showingEl = h('p', { class: 'qshowing muted', 'aria-live': 'polite' });
    listEl = h('div', { class: 'qlist', role: 'list', 'aria-label': t('queue.results') });
    emptyEl = h('p', { class: 'qempty muted', hidden: true });
    moreEl = h('button', { type: 'button', class: 'qmore', hidden: true, onclick: loadMore });
    noticeEl = h('p', { class: 'qnotice notice', role: 'alert', hidden: true });
    form = filterForm();
    replace(container,
      h('div', { class: 'qhead' },
        h('div', { class: 'qhead-title' },
          h('h1', {}, t('queue.heading', { community: c.name })),
          oldestEl),
        options.length > 1
          ? h('label', { class: 'qswitch' }, t('queue.community') + ' ',
            h('select', { onchange: (e) => { location.hash = href('queue', e.target.value); } },
              options.map((o) => h('option', { value: o.slug, selected: o.id === c.id }, o.name))))
          : null),
      chips,
      h('div', { class: 'qbody' },
        h('aside', { class: 'qfilters' }, form),
        h('section', { class: 'qresults', 'aria-label': t('queue.results') },
          showingEl, noticeEl, listEl, emptyEl, moreEl)));
  }

  function filterForm() {
    const f = ctx.f;
    const regions = (ctx.community.regions?.edges || []).map((e) => e.node);
    const checks = (name, values, chosen, prefix) => values.map((v) => h('label', { class: 'qcheck' },
      h('input', { type: 'checkbox', name, value: v, checked: chosen.includes(v) }), ' ', tEnum(prefix, v)));
    const select = (name, label, opts, chosen) => h('label', { class: 'qselect' }, h('span', {}, label),
      h('select', { name }, opts.map(([v, text]) => h('option', { value: v, selected: v === chosen }, text))));
    const el = h('form', { class: 'card', 'aria-label': t('queue.filters'), onsubmit: (e) => { e.preventDefault(); apply(); }, onchange: () => apply() },
      h('h2', {}, t('queue.filters')),
      h('fieldset', {}, h('legend', {}, t('queue.f.kinds')), checks('kinds', KINDS, f.kinds, 'queue.kind')),
      h('fieldset', {}, h('legend', {}, t('queue.f.statuses')), checks('statuses', STATUSES, f.statuses, 'queue.status'),
        h('p', { class: 'hint muted' }, t('queue.f.statuses.hint'))),
      regions.length
        ? select('region', t('queue.f.region'), [['', t('queue.f.region.any')], ...regions.map((r) => [r.id, r.name])], f.region)
        : null,
      select('conflicts', t('queue.f.conflicts'),
        [['', t('queue.f.any')], ['yes', t('queue.f.conflicts.yes')], ['no', t('queue.f.conflicts.no')]], f.conflicts),
      select('objections', t('queue.f.objections'),
        [['', t('queue.f.any')], ['yes', t('queue.f.objections.yes')], ['no', t('queue.f.objections.no')]], f.objections),
      h('label', { class: 'qcheck' }, h('input', { type: 'checkbox', name: 'mine', checked: f.mine }), ' ', t('queue.f.mine')),
      h('fieldset', { class: 'qage' }, h('legend', {}, t('queue.f.age')),
        h('input', { type: 'number', name: 'older', min: '0', max: '99999', step: '1', inputmode: 'numeric',
          value: f.older ? String(f.older) : '', 'aria-label': t('queue.f.age.amount') }),
        h('select', { name: 'unit', 'aria-label': t('queue.f.age.unit') },
          h('option', { value: 'h', selected: f.unit === 'h' }, t('queue.f.age.hours')),
          h('option', { value: 'd', selected: f.unit === 'd' }, t('queue.f.age.days')))),
      select('sort', t('queue.f.sort'), [['old', t('queue.f.sort.old')], ['new', t('queue.f.sort.new')]], f.sort),
      h('div', { class: 'qactions' },
        h('button', { type: 'submit', class: 'primary' }, t('queue.f.apply')),
        h('button', { type: 'button', onclick: () => setFilter(readFilter(new URLSearchParams()), true) }, t('queue.f.clear'))));
    return el;
  }

  function formFilter() {
    const d = new FormData(form);
    const n = Math.max(0, Math.min(99999, Math.floor(Number(d.get('older')) || 0)));
    return {
      kinds: d.getAll('kinds'), statuses: d.getAll('statuses'), region: d.get('region') || '',
      conflicts: d.get('conflicts') || '', objections: d.get('objections') || '', mine: d.get('mine') === 'on',
      older: n, unit: d.get('unit') === 'd' ? 'd' : 'h', sort: d.get('sort') === 'new' ? 'new' : 'old',
    };
  }

  function apply() { setFilter(formFilter()); }

  // setFilter keeps the filter in the route (a new history entry: Back
  // returns to the previous filter) and reloads the cards in place.
  function setFilter(f, redrawForm = false) {
    const q = writeFilter(f);
    if (q === writeFilter(ctx.f) && !redrawForm) return;
    ctx.f = f;
    history.pushState(null, '', href('queue', ctx.community.slug) + (q ? '?' + q : ''));
    if (redrawForm) {
      const fresh = filterForm();
      form.replaceWith(fresh);
      form = fresh;
    }
    load();
  }

  function stopLive() {
    if (ctx.unsubscribe) { ctx.unsubscribe(); ctx.unsubscribe = null; }
    clearTimeout(ctx.countsTimer);
  }

  async function load() {
    const gen = ++generation;
    stopLive();
    container.setAttribute('aria-busy', 'true');
    let data;
    try {
      data = await gql(QUEUE, { community: ctx.community.id, filter: apiFilter(ctx.f), first: PAGE, after: null, orderBy: orderBy(ctx.f) });
    } catch (e) {
      if (!stopped && gen === generation) failed(e, start);
      return;
    } finally {
      if (gen === generation) container.removeAttribute('aria-busy');
    }
    if (stopped || gen !== generation) return;
    const q = data.approvalQueue;
    const total = q.counts.reduce((n, c) => n + c.count, 0);
    if (!ctx.reviewer && total === 0) {
      // What the API answers a person who reviews nothing here: an empty
      // queue, every count zero. Say so plainly rather than show an empty board.
      message('noqueue', t('queue.noqueue', { community: ctx.community.name }),
        h('p', { class: 'muted' }, t('queue.noqueue.why')));
      return;
    }
    ctx.cards.clear();
    listEl.replaceChildren();
    setCounts(q.counts, q.oldestOpenSince);
    addPage(q.applications);
    if (data.changeCursor === 'UNAVAILABLE') {
      notice(t('queue.nolive'));
      return;
    }
    notice('');
    ctx.unsubscribe = follow(QUEUE_LIVE,
      { community: ctx.community.id, filter: liveFilter(ctx.f), after: data.changeCursor },
      (item) => { if (!stopped && gen === generation) onItem(item); },
      (e) => { if (!stopped && gen === generation) liveFailed(e); });
  }

  async function loadMore() {
    const gen = generation;
    if (!ctx.pageInfo?.hasNextPage) return;
    moreEl.disabled = true;
    try {
      const data = await gql(QUEUE, { community: ctx.community.id, filter: apiFilter(ctx.f), first: PAGE,
        after: ctx.pageInfo.endCursor, orderBy: orderBy(ctx.f) });
      if (stopped || gen !== generation) return;
      setCounts(data.approvalQueue.counts, data.approvalQueue.oldestOpenSince);
      addPage(data.approvalQueue.applications);
    } catch (e) {
      if (!stopped && gen === generation) notice(t('error.generic', { message: e.message }));
    } finally {
      moreEl.disabled = false;
    }
  }

  function addPage(conn) {
    ctx.pageInfo = conn.pageInfo;
    for (const { node } of conn.edges) upsert(node, false);
    update();
  }

  function notice(text) {
    noticeEl.textContent = text;
    noticeEl.hidden = !text;
  }

  function liveFailed(e) {
    const errs = Array.isArray(e) ? e : e?.errors;
    if (!errs && !(e instanceof Error)) return; // a closed socket: api.js reconnects, or ends the session
    notice(t('queue.live.stopped', { message: errs ? errs.map((x) => x.message).join('; ') : e.message }));
    noticeEl.append(' ', h('button', { type: 'button', onclick: () => load() }, t('action.retry')));
  }

  // ---- counts ----

  function statusTotal() {
    const statuses = ctx.f.statuses.length ? ctx.f.statuses : OPEN;
    return ctx.counts.filter((c) => statuses.includes(c.status)).reduce((n, c) => n + c.count, 0);
  }

  function setCounts(counts, oldest) {
    ctx.counts = counts;
    ctx.oldest = oldest;
    const by = new Map(counts.map((c) => [c.status, c.count]));
    const chosen = ctx.f.statuses;
    const chip = (s) => {
      const only = chosen.length === 1 && chosen[0] === s;
      return h('button', {
        type: 'button', class: ['qchip', 'qst-' + s, OPEN.includes(s) ? 'open' : 'closed'],
        dataset: { status: s, count: String(by.get(s) ?? 0) }, 'aria-pressed': only ? 'true' : 'false',
        onclick: () => setFilter({ ...ctx.f, statuses: only ? [] : [s] }, true),
      }, h('span', { class: 'qchip-n' }, fmtNumber(by.get(s) ?? 0)), h('span', { class: 'qchip-label' }, tEnum('queue.status', s)));
    };
    replace(chips,
      h('div', { class: 'qchips-open' }, OPEN.map(chip)),
      h('div', { class: 'qchips-closed' }, h('span', { class: 'qchips-caption muted' }, t('queue.counts.closed')),
        STATUSES.filter((s) => !OPEN.includes(s)).map(chip)));
    if (oldest) {
      // The age goes where the message puts it, in either language.
      const [before, after = ''] = t('queue.oldest', { age: '\u0000' }).split('\u0000');
      replace(oldestEl, before, h('time', { datetime: oldest, title: fmtTime(oldest), dataset: { age: '' } }, fmtAge(oldest)), after);
    } else {
      replace(oldestEl, t('queue.oldest.none'));
    }
    update();
  }

  function scheduleCounts() {
    clearTimeout(ctx.countsTimer);
    const gen = generation;
    ctx.countsTimer = setTimeout(async () => {
      try {
        const data = await gql(QUEUE_COUNTS, { community: ctx.community.id, filter: apiFilter(ctx.f) });
        if (!stopped && gen === generation) setCounts(data.approvalQueue.counts, data.approvalQueue.oldestOpenSince);
      } catch {
        // Offline for now: the next change or the reconnect asks again.
      }
    }, COUNTS_DEBOUNCE_MS);
  }

  // update refreshes what depends on the cards shown: the "showing" line,
  // the empty message and the load-more button.
  function update() {
    const shown = ctx.cards.size;
    const total = Math.max(statusTotal(), shown);
    showingEl.textContent = t('queue.showing', { shown: fmtNumber(shown), total: fmtNumber(total) });
    const filtered = writeFilter({ ...ctx.f, sort: 'old' }) !== '';
    emptyEl.textContent = filtered ? t('queue.empty') : t('queue.empty.open');
    emptyEl.hidden = shown > 0;
    const rest = total - shown;
    moreEl.hidden = !(ctx.pageInfo?.hasNextPage);
    moreEl.textContent = t('queue.loadmore', { n: fmtNumber(Math.max(rest, 1)) });
  }

  // ---- cards ----

  function key(node) { return node.createdAt + '\u0000' + node.id; }

  // place puts a card where its submission time puts it in the order shown.
  function place(el, node) {
    const k = key(node);
    const desc = ctx.f.sort === 'new';
    for (const other of listEl.children) {
      const o = ctx.cards.get(other.dataset.id);
      if (!o || other === el) continue;
      const ok = key(o.node);
      if (desc ? ok < k : ok > k) { listEl.insertBefore(el, other); return; }
    }
    listEl.append(el);
  }

  function highlight(el) {
    el.classList.remove('fresh');
    void el.offsetWidth; // restart the animation
    el.classList.add('fresh');
    const timer = setTimeout(() => { el.classList.remove('fresh'); ctx.freshTimers.delete(timer); }, FRESH_MS);
    ctx.freshTimers.add(timer);
  }

  // upsert shows node's card, new or in place of the old one; it returns
  // what happened ('new', 'changed', 'updated') or '' when nothing did.
  function upsert(node, fresh) {
    const old = ctx.cards.get(node.id);
    if (old && node.updatedAt < old.node.updatedAt) return '';
    const el = card(node);
    el.setAttribute('role', 'listitem');
    if (old) {
      const focused = old.el.contains(document.activeElement);
      ctx.cards.set(node.id, { node, el });
      old.el.replaceWith(el);
      if (old.node.createdAt !== node.createdAt) place(el, node);
      if (focused) el.querySelector('a')?.focus();
    } else {
      ctx.cards.set(node.id, { node, el });
      place(el, node);
    }
    if (fresh) highlight(el);
    if (!old) return 'new';
    return old.node.status !== node.status ? 'changed' : 'updated';
  }

  function remove(id) {
    const old = ctx.cards.get(id);
    if (!old) return false;
    ctx.cards.delete(id);
    old.el.remove();
    return true;
  }

  function onItem(item) {
    const node = item.node;
    const words = { title: titleOf(node), status: tEnum('queue.status', node.status) };
    if (item.op !== 'DELETED' && admits(ctx.f, node, me?.id)) {
      const what = upsert(node, true);
      if (what === 'new') announce(t('queue.live.new', words));
      else if (what === 'changed') announce(t('queue.live.changed', words));
      else if (what === 'updated') announce(t('queue.live.updated', words));
    } else if (remove(node.id)) {
      announce(t('queue.live.left', words));
    }
    update();
    scheduleCounts();
  }

  start();

  return () => {
    stopped = true;
    stopLive();
    for (const timer of ctx.freshTimers) clearTimeout(timer);
    for (const f of cleanups) f();
  };
});
