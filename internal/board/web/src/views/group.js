// The group page (#/group/<id> or #/group/<community>/<group>): who leads
// and belongs to the group, its upcoming events and how far it is towards
// official status. One query loads it all with the change cursor; the
// roster and each shown event are then followed from that cursor, so a
// role granted or ended and a registration appear as they happen.
// #/group/ lists the groups the viewer may see, #/group/<community> one
// community's.
import { h, replace, announce } from '../dom.js';
import { t, tEnum, register, fmtTime, fmtDate, fmtNumber, zone } from '../i18n.js';
import { gql, follow } from '../api.js';
import { view, href } from '../router.js';
import { GROUP_PAGE, GROUP_MEMBERS, GROUP_FIGURES, GROUP_ROSTER_LIVE, GROUP_EVENT_LIVE, GROUP_LIST } from '../queries.js';

const MEMBERS_PAGE = 30;
const KINDS = ['ORGANIZER', 'AMBASSADOR', 'MEMBER'];

register({
  en: {
    'grp.title': 'Group', 'grp.groups': 'Groups', 'grp.groups.of': 'Groups of {community}',
    'grp.groups.none': 'No groups to show.', 'grp.groups.count': '{n} groups',
    'grp.groups.members': '{n} members', 'grp.col.group': 'Group', 'grp.col.city': 'City',
    'grp.col.status': 'Status', 'grp.col.members': 'Members', 'grp.col.community': 'Community',
    'grp.breadcrumb': 'Breadcrumb', 'grp.mentor': 'Mentor', 'grp.region': 'Region',
    'grp.officialSince': 'Official since {date}', 'grp.website': 'Web site',
    'grp.roster': 'Roster', 'grp.roster.summary': 'Roster totals',
    'grp.kind.ORGANIZER': 'Organizers', 'grp.kind.AMBASSADOR': 'Ambassadors', 'grp.kind.MEMBER': 'Members',
    'grp.one.ORGANIZER': 'organizer', 'grp.one.AMBASSADOR': 'ambassador', 'grp.one.MEMBER': 'member',
    'grp.roster.none': 'Nobody yet.', 'grp.termEnds': 'Term ends {date}',
    'grp.members.more': 'Show more ({n} more)', 'grp.members.loading': 'Loading…',
    'grp.members.shown': 'Showing the newest {shown} of {total}',
    'grp.live.joined': '{name} is now a {kind} of the group.',
    'grp.live.ended': '{name} is no longer a {kind} of the group.',
    'grp.live.registrations': '{title}: {n} going.',
    'grp.events': 'Upcoming events', 'grp.events.none': 'No upcoming events.',
    'grp.events.online': 'Online', 'grp.events.local': '{time} local time ({zone})',
    'grp.events.going': 'going', 'grp.events.of': 'of {n} seats', 'grp.events.unlimited': 'no seat limit',
    'grp.events.waitlist': '{n} on the waitlist', 'grp.events.membersOnly': 'Members only',
    'grp.official': 'Official status', 'grp.official.progress': '{met} of {total} requirements met',
    'grp.official.disabled': '{community} does not recognise groups as official, so there are no requirements to meet.',
    'grp.official.isOfficial': 'This group is official.',
    'grp.official.detail': '{have} of {need}',
    'grp.official.met': 'Met', 'grp.official.unmet': 'Not met yet',
    'grp.req.MEMBERS': 'Active members', 'grp.req.ORGANIZATIONS': 'Members from distinct organizations',
    'grp.req.EVENTS': 'Events held in the last year', 'grp.req.MENTORING': 'Mentoring signed off by the mentor',
    'grp.handover': 'Handover checklist', 'grp.handover.progress': '{done} of {total} steps done',
    'grp.handover.open': 'Open the request', 'grp.handover.doneBy': 'Done {date} by {name}', 'grp.handover.done': 'Done {date}',
    'grp.step.MENTORING_COMPLETE': 'Mentoring signed off', 'grp.step.REQUIREMENTS_MET': 'Requirements confirmed by staff',
    'grp.step.LOGO_REQUESTED': 'Logo requested', 'grp.step.LOGO_RECEIVED': 'Logo received',
    'grp.step.PORTAL_UPDATED': 'Community portal updated', 'grp.step.LOGO_PACK_SENT': 'Logo pack and recognition letter sent',
    'grp.step.SWAG_KIT_SHIPPED': 'Swag kit shipped',
    'grp.status.PROPOSED': 'Proposed', 'grp.status.ACTIVE': 'Active', 'grp.status.OFFICIAL': 'Official',
    'grp.status.REJECTED': 'Rejected', 'grp.status.WITHDRAWN': 'Withdrawn', 'grp.status.DORMANT': 'Dormant',
    'grp.status.ARCHIVED': 'Archived',
    'grp.app.SUBMITTED': 'Submitted', 'grp.app.IN_REVIEW': 'In review', 'grp.app.NEEDS_INFO': 'Needs information',
    'grp.app.OBJECTION_WINDOW': 'Objection window', 'grp.app.APPROVED': 'Approved', 'grp.app.REJECTED': 'Rejected',
    'grp.app.WITHDRAWN': 'Withdrawn', 'grp.app.EXPIRED': 'Expired',
    'grp.ekind.MEETUP': 'Meetup', 'grp.ekind.WORKSHOP': 'Workshop', 'grp.ekind.HACKFEST': 'Hackfest',
    'grp.ekind.SOCIAL': 'Social', 'grp.ekind.TRAINING': 'Training', 'grp.ekind.CLOSED_DOOR': 'Closed-door meeting',
    'grp.ekind.SUMMIT': 'Summit',
  },
  'zh-CN': {
    'grp.title': '用户组', 'grp.groups': '用户组', 'grp.groups.of': '{community} 的用户组',
    'grp.groups.none': '没有可显示的用户组。', 'grp.groups.count': '共 {n} 个用户组',
    'grp.groups.members': '{n} 名成员', 'grp.col.group': '用户组', 'grp.col.city': '城市',
    'grp.col.status': '状态', 'grp.col.members': '成员', 'grp.col.community': '社区',
    'grp.breadcrumb': '导航路径', 'grp.mentor': '导师', 'grp.region': '区域',
    'grp.officialSince': '自 {date} 起成为正式用户组', 'grp.website': '网站',
    'grp.roster': '成员名册', 'grp.roster.summary': '名册统计',
    'grp.kind.ORGANIZER': '组织者', 'grp.kind.AMBASSADOR': '大使', 'grp.kind.MEMBER': '成员',
    'grp.one.ORGANIZER': '组织者', 'grp.one.AMBASSADOR': '大使', 'grp.one.MEMBER': '成员',
    'grp.roster.none': '暂无。', 'grp.termEnds': '任期至 {date}',
    'grp.members.more': '显示更多（还有 {n} 位）', 'grp.members.loading': '加载中…',
    'grp.members.shown': '显示最新加入的 {shown} 位，共 {total} 位',
    'grp.live.joined': '{name} 已成为本组{kind}。',
    'grp.live.ended': '{name} 已不再是本组{kind}。',
    'grp.live.registrations': '{title}：{n} 人报名参加。',
    'grp.events': '近期活动', 'grp.events.none': '暂无近期活动。',
    'grp.events.online': '线上', 'grp.events.local': '当地时间 {time}（{zone}）',
    'grp.events.going': '人参加', 'grp.events.of': '共 {n} 个名额', 'grp.events.unlimited': '名额不限',
    'grp.events.waitlist': '{n} 人候补', 'grp.events.membersOnly': '仅限成员',
    'grp.official': '正式用户组认证', 'grp.official.progress': '已满足 {met}/{total} 项要求',
    'grp.official.disabled': '{community} 不设正式用户组认证，因此没有需要满足的要求。',
    'grp.official.isOfficial': '本组已是正式用户组。',
    'grp.official.detail': '{have}/{need}',
    'grp.official.met': '已满足', 'grp.official.unmet': '尚未满足',
    'grp.req.MEMBERS': '活跃成员人数', 'grp.req.ORGANIZATIONS': '成员所属的不同单位数',
    'grp.req.EVENTS': '近一年举办的活动数', 'grp.req.MENTORING': '导师确认辅导完成',
    'grp.handover': '交接清单', 'grp.handover.progress': '已完成 {done}/{total} 步',
    'grp.handover.open': '查看申请', 'grp.handover.doneBy': '{name} 于 {date} 完成', 'grp.handover.done': '于 {date} 完成',
    'grp.step.MENTORING_COMPLETE': '导师确认辅导完成', 'grp.step.REQUIREMENTS_MET': '工作人员确认已满足要求',
    'grp.step.LOGO_REQUESTED': '已申请标志', 'grp.step.LOGO_RECEIVED': '已收到标志',
    'grp.step.PORTAL_UPDATED': '社区门户已更新', 'grp.step.LOGO_PACK_SENT': '已发送标志包和认证函',
    'grp.step.SWAG_KIT_SHIPPED': '周边礼包已寄出',
    'grp.status.PROPOSED': '申请中', 'grp.status.ACTIVE': '活跃', 'grp.status.OFFICIAL': '正式',
    'grp.status.REJECTED': '已拒绝', 'grp.status.WITHDRAWN': '已撤回', 'grp.status.DORMANT': '休眠',
    'grp.status.ARCHIVED': '已归档',
    'grp.app.SUBMITTED': '已提交', 'grp.app.IN_REVIEW': '审核中', 'grp.app.NEEDS_INFO': '待补充信息',
    'grp.app.OBJECTION_WINDOW': '异议期', 'grp.app.APPROVED': '已批准', 'grp.app.REJECTED': '已拒绝',
    'grp.app.WITHDRAWN': '已撤回', 'grp.app.EXPIRED': '已过期',
    'grp.ekind.MEETUP': '线下聚会', 'grp.ekind.WORKSHOP': '动手工作坊', 'grp.ekind.HACKFEST': '黑客松',
    'grp.ekind.SOCIAL': '联谊活动', 'grp.ekind.TRAINING': '培训', 'grp.ekind.CLOSED_DOOR': '闭门会议',
    'grp.ekind.SUMMIT': '峰会',
  },
});

// groupLink is a link to a group's page, for other views (cards, timelines):
// group needs its id and name.
export function groupLink(group, label) {
  return h('a', { class: 'group-link', href: href('group', group.id), dataset: { group: group.id } }, label ?? group.name);
}

const STATUS_TONE = { OFFICIAL: 'ok', ACTIVE: 'ok', PROPOSED: 'warn', DORMANT: 'warn', REJECTED: 'bad', WITHDRAWN: 'bad', ARCHIVED: '' };

function statusPill(status) {
  return h('span', { class: ['pill', 'group-status', STATUS_TONE[status]], dataset: { status } }, tEnum('grp.status', status));
}

function initials(name) {
  const parts = String(name || '?').trim().split(/\s+/);
  if (/[\u3400-\u9fff]/.test(parts[0])) return parts[0].slice(0, 1);
  return (parts[0][0] + (parts.length > 1 ? parts[parts.length - 1][0] : '')).toUpperCase();
}

function problem(container, e, retry) {
  if (e?.code === 'NOT_FOUND') { replace(container, h('p', { class: 'notice', role: 'alert' }, t('error.notfound'))); return; }
  replace(container, h('div', { class: 'notice', role: 'alert' },
    h('p', {}, t('error.generic', { message: e?.message || String(e) })),
    h('button', { type: 'button', onclick: retry }, t('action.retry'))));
}

view('group', (container, params) => {
  if (params.length === 0) return groupList(container, null);
  if (params.length === 1 && !/^grp_/.test(params[0])) return groupList(container, params[0]);
  return groupPage(container, params);
});

// ---- the list of groups ----

function groupList(container, communitySlug) {
  let dead = false;
  const load = async () => {
    replace(container, h('p', { class: 'loading' }, t('app.loading')));
    let data;
    try {
      data = await gql(GROUP_LIST, { where: communitySlug ? { hasCommunityWith: [{ slug: communitySlug }] } : {} });
    } catch (e) {
      if (!dead) problem(container, e, load);
      return;
    }
    if (dead) return;
    const groups = data.groups.nodes;
    const community = groups[0]?.community;
    const title = communitySlug && community ? t('grp.groups.of', { community: community.name }) : t('grp.groups');
    document.title = `${title} · ${t('app.title')}`;
    const members = (g) => g.rosterCounts.find((c) => c.kind === 'MEMBER')?.count ?? 0;
    replace(container, h('div', { class: 'group-list' },
      h('h1', {}, title),
      h('p', { class: 'muted' }, t('grp.groups.count', { n: fmtNumber(data.groups.totalCount) })),
      groups.length === 0 ? h('p', {}, t('grp.groups.none')) : h('div', { class: 'card table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, t('grp.col.group')),
          communitySlug ? null : h('th', { scope: 'col' }, t('grp.col.community')),
          h('th', { scope: 'col' }, t('grp.col.city')),
          h('th', { scope: 'col' }, t('grp.col.status')),
          h('th', { scope: 'col', class: 'num' }, t('grp.col.members')))),
        h('tbody', {}, groups.map((g) => h('tr', { dataset: { group: g.id } },
          h('td', {}, groupLink(g)),
          communitySlug ? null : h('td', {}, h('a', { href: href('group', g.community.slug) }, g.community.name)),
          h('td', {}, g.city),
          h('td', {}, statusPill(g.status)),
          h('td', { class: 'num' }, fmtNumber(members(g))))))))));
  };
  load();
  return () => { dead = true; };
}

// ---- one group's page ----

function groupPage(container, params) {
  let dead = false;
  const stops = [];
  const timers = new Set();
  const later = (f, ms) => { const id = setTimeout(() => { timers.delete(id); if (!dead) f(); }, ms); timers.add(id); return id; };

  let group = null;
  const counts = { ORGANIZER: 0, AMBASSADOR: 0, MEMBER: 0 };
  const shown = new Map(); // role id -> {role, el}
  const lists = {}; // kind -> <ul>
  const countEls = {}; // kind -> [elements showing the count]
  let membersPage = null; // {hasNextPage, endCursor}
  let moreBox = null;
  let officialBox = null;
  let changeSeq = 0;
  let figuresTimer = null;

  const load = async () => {
    replace(container, h('p', { class: 'loading' }, t('app.loading')));
    const byId = params.length === 1;
    const vars = byId
      ? { id: params[0], community: '', slug: '', byId: true, group: params[0], members: MEMBERS_PAGE }
      : { id: '', community: params[0], slug: params[1], byId: false, group: `${params[0]}/${params[1]}`, members: MEMBERS_PAGE };
    let data;
    try {
      data = await gql(GROUP_PAGE, vars);
    } catch (e) {
      if (!dead) problem(container, e, load);
      return;
    }
    if (dead) return;
    group = byId ? data.byId : data.bySlug;
    if (!group?.id) { problem(container, { code: 'NOT_FOUND' }); return; }
    draw(data.officialRequirements);
    startLive(data.changeCursor);
  };

  function draw(requirements) {
    document.title = `${group.name} · ${t('app.title')}`;
    for (const k of KINDS) counts[k] = 0;
    for (const c of group.leaders.counts) if (c.kind in counts) counts[c.kind] = c.count;
    membersPage = group.members.pageInfo;
    officialBox = h('section', { class: 'card group-official', 'aria-labelledby': 'group-official-h' });
    drawOfficial(requirements);
    replace(container, h('div', { class: 'group-page', dataset: { group: group.id } },
      header(),
      h('div', { class: 'group-grid' },
        rosterSection(),
        h('div', { class: 'group-side' }, eventsSection(), officialBox))));
  }

  function header() {
    const facts = [
      h('span', { class: 'fact' }, [group.city, group.country].filter(Boolean).join(', ')),
      group.region ? h('span', { class: 'fact' }, t('grp.region'), ': ', group.region.name) : null,
      group.mentor ? h('span', { class: 'fact' }, t('grp.mentor'), ': ', group.mentor.name) : null,
      group.officialSince ? h('span', { class: 'fact' }, t('grp.officialSince', { date: fmtDate(group.officialSince) })) : null,
      group.websiteURL ? h('a', { class: 'fact', href: group.websiteURL, rel: 'noopener noreferrer', target: '_blank' }, t('grp.website')) : null,
    ];
    return h('header', { class: 'group-head card' },
      h('nav', { class: 'crumbs', 'aria-label': t('grp.breadcrumb') },
        h('a', { href: href('group') }, t('grp.groups')), ' › ',
        h('a', { href: href('group', group.community.slug) }, group.community.name), ' › ',
        h('span', { 'aria-current': 'page' }, group.name)),
      h('div', { class: 'group-title' },
        h('h1', {}, group.name),
        statusPill(group.status)),
      h('p', { class: 'facts muted' }, facts),
      group.description ? h('p', { class: 'group-description' }, group.description) : null);
  }

  // -- roster --

  function countEl(kind) {
    const el = h('span', { class: 'count', dataset: { kind } }, fmtNumber(counts[kind]));
    (countEls[kind] ||= []).push(el);
    return el;
  }

  function showCounts() {
    for (const k of KINDS) for (const el of countEls[k] || []) el.textContent = fmtNumber(counts[k]);
    if (moreBox) drawMore();
  }

  function roleItem(role) {
    const u = role.user;
    return h('li', { class: 'role', dataset: { role: role.id, handle: u.handle, kind: role.kind } },
      h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials(u.name)),
      h('span', { class: 'who' },
        h('span', { class: 'name' }, u.name),
        h('span', { class: 'handle muted' }, '@' + u.handle),
        u.affiliation ? h('span', { class: 'affiliation muted' }, u.affiliation) : null,
        role.kind !== 'MEMBER' && role.termEnd ? h('span', { class: 'term muted' }, t('grp.termEnds', { date: fmtDate(role.termEnd) })) : null));
  }

  function emptyNote(kind) {
    const ul = lists[kind];
    const hasRoles = ul.querySelector('li.role');
    const note = ul.querySelector('li.empty');
    if (!hasRoles && !note) ul.append(h('li', { class: 'empty muted' }, t('grp.roster.none')));
    if (hasRoles && note) note.remove();
  }

  function rosterSection() {
    const byKind = { ORGANIZER: [], AMBASSADOR: [], MEMBER: [] };
    for (const r of group.leaders.nodes) if (byKind[r.kind]) byKind[r.kind].push(r);
    byKind.MEMBER = group.members.nodes;
    const summary = h('ul', { class: 'roster-counts', 'aria-label': t('grp.roster.summary') },
      KINDS.map((k) => h('li', { dataset: { kind: k } }, countEl(k), h('span', { class: 'label' }, t(`grp.kind.${k}`)))));
    const blocks = KINDS.map((k) => {
      const ul = h('ul', { class: ['roles', k === 'MEMBER' ? 'members' : 'leaders'], dataset: { kind: k } });
      lists[k] = ul;
      for (const r of byKind[k]) {
        const el = roleItem(r);
        shown.set(r.id, { role: r, el });
        ul.append(el);
      }
      emptyNote(k);
      const id = `group-roster-${k.toLowerCase()}`;
      return h('section', { class: 'roster-kind', dataset: { kind: k }, 'aria-labelledby': id },
        h('h3', { id }, t(`grp.kind.${k}`), ' ', countEl(k)),
        ul,
        k === 'MEMBER' ? (moreBox = h('div', { class: 'more' })) : null);
    });
    drawMore();
    return h('section', { class: 'card group-roster', 'aria-labelledby': 'group-roster-h' },
      h('h2', { id: 'group-roster-h' }, t('grp.roster')),
      summary,
      blocks);
  }

  function shownMembers() { return lists.MEMBER.querySelectorAll('li.role').length; }

  function drawMore() {
    const n = shownMembers();
    const rest = Math.max(0, counts.MEMBER - n);
    replace(moreBox,
      counts.MEMBER > n ? h('p', { class: 'muted shown' }, t('grp.members.shown', { shown: fmtNumber(n), total: fmtNumber(counts.MEMBER) })) : null,
      membersPage?.hasNextPage && rest > 0
        ? h('button', { type: 'button', class: 'show-more', onclick: moreMembers }, t('grp.members.more', { n: fmtNumber(rest) }))
        : null);
  }

  async function moreMembers(e) {
    const button = e.currentTarget;
    button.disabled = true;
    button.textContent = t('grp.members.loading');
    let data;
    try {
      data = await gql(GROUP_MEMBERS, { id: group.id, after: membersPage.endCursor, first: MEMBERS_PAGE });
    } catch (err) {
      if (dead) return;
      button.disabled = false;
      drawMore();
      moreBox.append(h('p', { class: 'notice', role: 'alert' }, t('error.generic', { message: err.message })));
      return;
    }
    if (dead) return;
    const page = data.node.roster;
    membersPage = page.pageInfo;
    let first = null;
    for (const r of page.nodes) {
      if (shown.has(r.id)) continue;
      const el = roleItem(r);
      shown.set(r.id, { role: r, el });
      lists.MEMBER.append(el);
      first ||= el;
    }
    drawMore();
    if (first) { first.tabIndex = -1; first.focus(); }
  }

  // place puts a role's item where the list's order (leaders oldest
  // first, members newest first) has it; false when it falls beyond the
  // members loaded so far (the "show more" pages bring it).
  function place(kind, role, el) {
    const ul = lists[kind];
    const newestFirst = kind === 'MEMBER';
    for (const li of ul.querySelectorAll('li.role')) {
      const other = shown.get(li.dataset.role)?.role;
      const [a, b] = [Date.parse(other?.createdAt), Date.parse(role.createdAt)];
      if (other && (newestFirst ? a < b : a > b)) {
        li.before(el);
        return true;
      }
    }
    if (newestFirst && membersPage?.hasNextPage) return false;
    ul.append(el);
    return true;
  }

  // A role as it is now: shown while ACTIVE, gone once it ended.
  function onRole(change) {
    const r = change.node;
    const kind = r.kind;
    if (!lists[kind]) return;
    changeSeq++;
    const known = shown.get(r.id);
    const kindName = t(`grp.one.${kind}`);
    if (r.status === 'ACTIVE') {
      const el = roleItem(r);
      if (known) {
        if (known.el.classList.contains('fresh')) el.classList.add('fresh');
        known.el.replaceWith(el);
        shown.set(r.id, { role: r, el });
      } else {
        if (change.op === 'CREATED') counts[kind]++;
        shown.set(r.id, { role: r, el });
        if (place(kind, r, el)) {
          el.classList.add('fresh');
          later(() => el.classList.remove('fresh'), 3000);
          emptyNote(kind);
          announce(t('grp.live.joined', { name: r.user.name, kind: kindName }));
        } else {
          shown.delete(r.id);
        }
      }
    } else if (known) {
      known.el.remove();
      shown.delete(r.id);
      counts[kind] = Math.max(0, counts[kind] - 1);
      emptyNote(kind);
      announce(t('grp.live.ended', { name: r.user.name, kind: kindName }));
    }
    showCounts();
    scheduleFigures();
  }

  // Counts and requirements are re-read shortly after roster changes: a
  // role beyond the members page may have ended, and the requirements count
  // members. An answer overtaken by a newer change is dropped; the newer
  // change schedules its own.
  function scheduleFigures() {
    if (figuresTimer) { clearTimeout(figuresTimer); timers.delete(figuresTimer); }
    figuresTimer = later(async () => {
      figuresTimer = null;
      const seq = changeSeq;
      let data;
      try {
        data = await gql(GROUP_FIGURES, { id: group.id });
      } catch {
        return; // the next change tries again; the shown counts stay
      }
      if (dead || seq !== changeSeq) return;
      for (const k of KINDS) counts[k] = 0;
      for (const c of data.node.rosterCounts) if (c.kind in counts) counts[c.kind] = c.count;
      showCounts();
      drawOfficial(data.officialRequirements);
    }, 400);
  }

  // -- events --

  const eventEls = new Map(); // event id -> {going, waitlist, bar, of, event}

  function eventsSection() {
    const events = group.upcomingEvents;
    return h('section', { class: 'card group-events', 'aria-labelledby': 'group-events-h' },
      h('h2', { id: 'group-events-h' }, t('grp.events')),
      events.length === 0 ? h('p', { class: 'muted' }, t('grp.events.none'))
        : h('ul', { class: 'events' }, events.map(eventItem)),
      events.length ? h('p', { class: 'muted zone' }, t('zone.note', { zone: zone() })) : null);
  }

  function eventItem(ev) {
    const start = new Date(ev.startsAt);
    const month = fmtTime(ev.startsAt, { month: 'short' });
    const day = fmtTime(ev.startsAt, { day: 'numeric' });
    const when = fmtTime(ev.startsAt, { weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' })
      + ' – ' + fmtTime(ev.endsAt, { hour: 'numeric', minute: '2-digit' });
    const elsewhere = ev.timeZone && ev.timeZone !== zone()
      && fmtTime(ev.startsAt, { hour: 'numeric', minute: '2-digit', timeZone: ev.timeZone }) !== fmtTime(ev.startsAt, { hour: 'numeric', minute: '2-digit' });
    const going = h('span', { class: 'going', dataset: { event: ev.id } }, fmtNumber(ev.goingCount));
    const of = h('span', { class: 'of muted' });
    const waitlist = h('span', { class: 'waitlist muted' });
    const bar = h('span', { class: 'fill' });
    const seats = h('div', { class: 'seats' },
      h('p', {}, going, ' ', h('span', { class: 'muted' }, t('grp.events.going')), ' ', of),
      h('span', { class: 'bar', 'aria-hidden': 'true' }, bar),
      waitlist);
    const entry = { event: { ...ev }, going, of, waitlist, bar, seats };
    eventEls.set(ev.id, entry);
    showSeats(entry);
    return h('li', { class: 'event', dataset: { event: ev.id } },
      h('time', { class: 'tile', datetime: start.toISOString(), 'aria-hidden': 'true' },
        h('span', { class: 'month' }, month), h('span', { class: 'day' }, day)),
      h('div', { class: 'body' },
        h('h3', {}, ev.title),
        h('p', { class: 'when' }, when),
        elsewhere ? h('p', { class: 'muted local' }, t('grp.events.local', {
          time: fmtTime(ev.startsAt, { hour: 'numeric', minute: '2-digit', timeZone: ev.timeZone }), zone: ev.timeZone })) : null,
        h('p', { class: 'where muted' }, ev.venueName || (ev.onlineURL ? t('grp.events.online') : ''),
          ev.venueName && ev.onlineURL ? ` · ${t('grp.events.online')}` : ''),
        h('p', { class: 'tags' },
          h('span', { class: 'pill' }, tEnum('grp.ekind', ev.kind)),
          ev.visibility === 'MEMBERS_ONLY' ? h('span', { class: 'pill warn' }, t('grp.events.membersOnly')) : null),
        seats));
  }

  function showSeats(entry) {
    const ev = entry.event;
    entry.going.textContent = fmtNumber(ev.goingCount);
    entry.of.textContent = ev.capacity ? t('grp.events.of', { n: fmtNumber(ev.capacity) }) : t('grp.events.unlimited');
    entry.waitlist.textContent = ev.waitlistCount > 0 ? t('grp.events.waitlist', { n: fmtNumber(ev.waitlistCount) }) : '';
    entry.waitlist.dataset.count = String(ev.waitlistCount);
    const full = ev.capacity ? Math.min(100, (ev.goingCount / ev.capacity) * 100) : 0;
    entry.bar.parentElement?.classList.toggle('none', !ev.capacity);
    entry.bar.style.width = `${full}%`;
    entry.bar.classList.toggle('full', !!ev.capacity && ev.goingCount >= ev.capacity);
  }

  function onRegistration(change) {
    const entry = eventEls.get(change.event.id);
    if (!entry) return;
    const before = entry.event.goingCount;
    const beforeWait = entry.event.waitlistCount;
    Object.assign(entry.event, change.event);
    showSeats(entry);
    if (before !== entry.event.goingCount || beforeWait !== entry.event.waitlistCount) {
      entry.seats.classList.remove('fresh');
      void entry.seats.offsetWidth; // restart the highlight
      entry.seats.classList.add('fresh');
      announce(t('grp.live.registrations', { title: entry.event.title, n: fmtNumber(entry.event.goingCount) }));
    }
  }

  // -- official status --

  function drawOfficial(requirements) {
    if (!officialBox) return;
    const enabled = group.community.policy.officialStatusEnabled;
    const app = group.officialApplications.nodes[0];
    const met = requirements.filter((r) => r.met).length;
    const detail = (r) => {
      const m = /^(\d+) of (\d+)$/.exec(r.detail || '');
      return m ? t('grp.official.detail', { have: fmtNumber(+m[1]), need: fmtNumber(+m[2]) }) : (r.detail || '');
    };
    replace(officialBox,
      h('h2', { id: 'group-official-h' }, t('grp.official')),
      group.status === 'OFFICIAL' ? h('p', { class: 'is-official' }, statusPill('OFFICIAL'), ' ', t('grp.official.isOfficial')) : null,
      !enabled ? h('p', { class: 'muted disabled' }, t('grp.official.disabled', { community: group.community.name })) : [
        h('div', { class: 'progress-line' },
          h('progress', { class: 'requirements', max: requirements.length, value: met, 'aria-labelledby': 'group-official-progress' }),
          h('span', { id: 'group-official-progress', class: 'progress-text', dataset: { met, total: requirements.length } },
            t('grp.official.progress', { met, total: requirements.length }))),
        h('ul', { class: 'requirements' }, requirements.map((r) => h('li', { class: ['req', r.met ? 'met' : 'unmet'], dataset: { key: r.key, met: String(r.met) } },
          h('span', { class: 'mark', 'aria-hidden': 'true' }, r.met ? '✓' : ''),
          h('span', { class: 'label' }, t(`grp.req.${r.key}`) === `grp.req.${r.key}` ? r.label : t(`grp.req.${r.key}`)),
          h('span', { class: 'sr-only' }, r.met ? t('grp.official.met') : t('grp.official.unmet')),
          h('span', { class: 'detail muted' }, detail(r))))),
      ],
      app?.checklist ? handover(app) : null);
  }

  function handover(app) {
    const items = app.checklist.items;
    const done = items.filter((i) => i.doneAt).length;
    return h('div', { class: 'handover', dataset: { application: app.id } },
      h('h3', {}, t('grp.handover'), ' ', h('span', { class: 'pill' }, tEnum('grp.app', app.status))),
      h('div', { class: 'progress-line' },
        h('progress', { max: items.length, value: done, 'aria-labelledby': 'group-handover-progress' }),
        h('span', { id: 'group-handover-progress', class: 'progress-text', dataset: { done, total: items.length } },
          t('grp.handover.progress', { done, total: items.length }))),
      h('ol', { class: 'steps' }, items.map((i) => h('li', { class: ['step', i.doneAt ? 'done' : 'open'], dataset: { step: i.key, done: String(!!i.doneAt) } },
        h('span', { class: 'mark', 'aria-hidden': 'true' }, i.doneAt ? '✓' : ''),
        h('span', { class: 'label' }, tEnum('grp.step', i.key)),
        i.doneAt ? h('span', { class: 'detail muted' }, i.doneBy
          ? t('grp.handover.doneBy', { date: fmtDate(i.doneAt), name: i.doneBy.name })
          : t('grp.handover.done', { date: fmtDate(i.doneAt) })) : null))),
      h('p', {}, h('a', { href: href('application', app.id) }, t('grp.handover.open'))));
  }

  // -- live --

  function startLive(cursor) {
    stops.push(follow(GROUP_ROSTER_LIVE, { group: group.id, after: cursor }, onRole, liveError));
    for (const ev of group.upcomingEvents) {
      stops.push(follow(GROUP_EVENT_LIVE, { event: ev.id, after: cursor }, onRegistration, liveError));
    }
  }

  function liveError(e) {
    // A refused subscription (the group or event went out of sight) is
    // reported once; dropped connections resume on their own in api.js.
    if (dead || container.querySelector('.live-error')) return;
    container.querySelector('.group-page')?.prepend(h('p', { class: 'notice live-error', role: 'alert' },
      t('error.generic', { message: e?.message || String(e) })));
  }

  load();
  return () => {
    dead = true;
    for (const stop of stops) stop();
    for (const id of timers) clearTimeout(id);
    timers.clear();
  };
}
