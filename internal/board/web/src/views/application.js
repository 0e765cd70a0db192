// An application's detail: what was asked, what the screening found, what
// blocks approval, the whole timeline, and the steps the viewer may take now
// — each offered only when the API's viewerCan… field says so. It follows
// the community's approval queue from the query's change position and
// reloads when a change concerns this application.
import { h, replace, announce } from '../dom.js';
import { t, tEnum, register, fmtTime, fmtAge, fmtCountdown, fmtNumber } from '../i18n.js';
import { gql, follow } from '../api.js';
import { view, href } from '../router.js';
import {
  APPLICATION_DETAIL, APPLICATION_REVIEWS, APPLICATION_PEOPLE, APPLICATION_LIVE,
  COMMENT_ON_APPLICATION, REQUEST_APPLICATION_INFO, UPDATE_APPLICATION_PROPOSAL, ASSIGN_APPLICATION_REVIEWER,
  ASSIGN_GROUP_MENTOR, RESOLVE_CONFLICT, OBJECT_TO_APPLICATION, ENDORSE_APPLICATION, RESOLVE_OBJECTION,
  APPROVE_APPLICATION, REJECT_APPLICATION, WITHDRAW_APPLICATION,
} from '../queries.js';

const REASONS = ['NOT_A_USER_GROUP', 'SPAM', 'DUPLICATE', 'COMMERCIAL', 'OTHER'];
const BLOCKERS = ['OPEN_CONFLICTS', 'NO_MENTOR', 'FEW_SUPPORTERS', 'FEW_SUPPORTER_ORGANIZATIONS', 'OPEN_OBJECTIONS', 'ENDORSEMENT', 'OBJECTIONS'];

register({
  en: {
    'detail.loading': 'Loading the application…',
    'detail.back': 'Back to the {community} board',
    'detail.title.kind': '{kind} request by {name}',
    'detail.kind.NEW_GROUP': 'New group', 'detail.kind.MEMBERSHIP': 'Membership', 'detail.kind.ORGANIZER': 'Organizer',
    'detail.kind.AMBASSADOR': 'Ambassador', 'detail.kind.OFFICIAL_STATUS': 'Official status', 'detail.kind.FUNDING': 'Funding',
    'detail.status.SUBMITTED': 'Submitted', 'detail.status.IN_REVIEW': 'In review', 'detail.status.NEEDS_INFO': 'Needs information',
    'detail.status.OBJECTION_WINDOW': 'Objection window', 'detail.status.APPROVED': 'Approved', 'detail.status.REJECTED': 'Rejected',
    'detail.status.WITHDRAWN': 'Withdrawn', 'detail.status.EXPIRED': 'Expired',
    'detail.groupStatus.PROPOSED': 'proposed', 'detail.groupStatus.ACTIVE': 'active', 'detail.groupStatus.OFFICIAL': 'official',
    'detail.groupStatus.REJECTED': 'rejected', 'detail.groupStatus.WITHDRAWN': 'withdrawn', 'detail.groupStatus.DORMANT': 'dormant',
    'detail.groupStatus.ARCHIVED': 'archived',
    'detail.review.COMMENT': 'Comment', 'detail.review.INFO_REQUEST': 'Information requested', 'detail.review.OBJECTION': 'Objection',
    'detail.review.ENDORSEMENT': 'Endorsement', 'detail.review.APPROVAL': 'Approval', 'detail.review.STATUS_CHANGE': 'Status changed',
    'detail.flag.COMMERCIAL': 'Looks commercial', 'detail.flag.OFF_TOPIC': 'Not about the project',
    'detail.missing.LINK': 'a link', 'detail.missing.DESCRIPTION': 'a description', 'detail.missing.COORDINATES': 'coordinates',
    'detail.missing.SUPPORTERS': 'supporters',
    'detail.blocker.OPEN_CONFLICTS': 'Settle the conflicts with nearby groups first.',
    'detail.blocker.NO_MENTOR': 'Assign a mentor first.',
    'detail.blocker.FEW_SUPPORTERS': 'The group needs more supporters.',
    'detail.blocker.FEW_SUPPORTER_ORGANIZATIONS': 'The supporters must come from more organizations.',
    'detail.blocker.OPEN_OBJECTIONS': 'An objection is still open.',
    'detail.blocker.ENDORSEMENT': 'An ambassador of the group’s region or group must endorse it first.',
    'detail.blocker.OBJECTIONS': 'Objections are not yet resolved.',
    'detail.reason.NOT_A_USER_GROUP': 'Not a user group of the project', 'detail.reason.SPAM': 'Spam',
    'detail.reason.DUPLICATE': 'A group already serves this place', 'detail.reason.COMMERCIAL': 'Commercial',
    'detail.reason.OTHER': 'Other (explain in the message)',
    'detail.applicant': 'Applicant', 'detail.submitted': 'Submitted', 'detail.group': 'Group', 'detail.region': 'Region',
    'detail.mentor': 'Mentor', 'detail.reviewer': 'Reviewer', 'detail.nobody': 'nobody yet', 'detail.decided': 'Decided',
    'detail.decidedBy': '{when} by {name}', 'detail.decision': 'Decision',
    'detail.deadline': 'Objections until {time}', 'detail.countdown': '{left} left',
    'detail.window.closed': 'The window has ended; the approval takes effect shortly.',
    'detail.answers': 'The request', 'detail.name': 'Name', 'detail.city': 'City', 'detail.country': 'Country',
    'detail.coordinates': 'Coordinates', 'detail.links': 'Links', 'detail.description': 'Description', 'detail.why': 'Why',
    'detail.participation': 'Involvement so far', 'detail.ideas': 'Ideas', 'detail.affiliation': 'Affiliation',
    'detail.article': 'Article', 'detail.amount': 'Amount', 'detail.purpose': 'Purpose', 'detail.budget': 'Budget',
    'detail.screening': 'Screening', 'detail.conflicts': 'Nearby groups', 'detail.noConflicts': 'No nearby groups.',
    'detail.km': '{km} km away', 'detail.noDistance': 'distance unknown',
    'detail.settled': 'Settled by {name}: {resolution}', 'detail.settledAnon': 'Settled: {resolution}', 'detail.unsettled': 'Not settled',
    'detail.flags': 'Flags', 'detail.missing': 'Missing', 'detail.supporters': 'Supporters',
    'detail.supporterCount': '{people} people from {orgs} organizations', 'detail.noOrg': 'no organization',
    'detail.moreSupporters': 'and {n} more',
    'detail.blockers': 'Before it can be approved', 'detail.noBlockers': 'Nothing blocks approval.',
    'detail.objections': 'Open objections', 'detail.by': 'by {name}',
    'detail.timeline': 'Timeline', 'detail.timelineCount': '{n} entries', 'detail.system': 'the system',
    'detail.move': '{from} → {to}', 'detail.resolved': 'Resolved {when} by {name}', 'detail.open': 'Open',
    'detail.actions': 'Your actions', 'detail.noActions': 'There is nothing for you to do on this application now.',
    'detail.approve': 'Approve', 'detail.approve.blocked': 'Approval is blocked; the server will say why.',
    'detail.approve.window': 'Approving opens the objection window where the community has one.',
    'detail.reject': 'Reject', 'detail.reject.reason': 'Reason', 'detail.reject.message': 'Message to the applicant (required)',
    'detail.requestInfo': 'Request information', 'detail.requestInfo.message': 'What should the applicant add?',
    'detail.comment': 'Comment', 'detail.comment.body': 'Your comment',
    'detail.object': 'Object', 'detail.endorse': 'Endorse', 'detail.objectEndorse': 'Object or endorse',
    'detail.objectEndorse.reason': 'Why',
    'detail.resolveObjection': 'Resolve objection', 'detail.resolveObjection.note': 'How it was resolved',
    'detail.resolveConflict': 'Settle conflict', 'detail.resolveConflict.with': 'Settle the overlap with {name}',
    'detail.resolveConflict.resolution': 'How it was settled',
    'detail.assignReviewer': 'Assign reviewer', 'detail.assignMentor': 'Assign mentor', 'detail.person': 'Person',
    'detail.pick': 'Choose a person…', 'detail.peopleLoading': 'Loading people…',
    'detail.role.COMMUNITY_MANAGER': 'staff', 'detail.role.AMBASSADOR': 'ambassador',
    'detail.fix': 'Fix the proposal', 'detail.fix.links': 'Links, one per line: label | https://…',
    'detail.fix.note': 'Note for the timeline (optional)', 'detail.fix.save': 'Save the proposal',
    'detail.withdraw': 'Withdraw the application', 'detail.withdraw.confirm': 'Withdraw it? This cannot be undone.',
    'detail.withdraw.yes': 'Yes, withdraw', 'detail.cancel': 'Cancel',
    'detail.working': 'Working…', 'detail.refused': 'Not done: {message}', 'detail.refusedBlockers': 'Blocked by:',
    'detail.done.comment': 'Comment added.', 'detail.done.requestInfo': 'Information requested from the applicant.',
    'detail.done.fix': 'Proposal updated.', 'detail.done.assignReviewer': 'Reviewer assigned.', 'detail.done.assignMentor': 'Mentor assigned.',
    'detail.done.resolveConflict': 'Conflict settled.', 'detail.done.object': 'Objection filed.', 'detail.done.endorse': 'Endorsement filed.',
    'detail.done.resolveObjection': 'Objection resolved.', 'detail.done.approve': 'Approved: the application is now {status}.',
    'detail.done.reject': 'Application rejected.', 'detail.done.withdraw': 'Application withdrawn.',
    'detail.live.update': 'This application changed: {what}', 'detail.live.new': '{n} new timeline entries',
    'detail.live.status': 'now {status}', 'detail.live.off': 'Live updates are not available: {message}',
    'detail.reloadFailed': 'Could not refresh: {message}',
  },
  'zh-CN': {
    'detail.loading': '正在加载申请…',
    'detail.back': '返回 {community} 看板',
    'detail.title.kind': '{name} 的{kind}申请',
    'detail.kind.NEW_GROUP': '新建用户组', 'detail.kind.MEMBERSHIP': '加入用户组', 'detail.kind.ORGANIZER': '组织者',
    'detail.kind.AMBASSADOR': '大使', 'detail.kind.OFFICIAL_STATUS': '官方认证', 'detail.kind.FUNDING': '经费',
    'detail.status.SUBMITTED': '已提交', 'detail.status.IN_REVIEW': '审核中', 'detail.status.NEEDS_INFO': '待补充信息',
    'detail.status.OBJECTION_WINDOW': '异议期', 'detail.status.APPROVED': '已批准', 'detail.status.REJECTED': '已拒绝',
    'detail.status.WITHDRAWN': '已撤回', 'detail.status.EXPIRED': '已过期',
    'detail.groupStatus.PROPOSED': '申请中', 'detail.groupStatus.ACTIVE': '活跃', 'detail.groupStatus.OFFICIAL': '官方认证',
    'detail.groupStatus.REJECTED': '已拒绝', 'detail.groupStatus.WITHDRAWN': '已撤回', 'detail.groupStatus.DORMANT': '休眠',
    'detail.groupStatus.ARCHIVED': '已归档',
    'detail.review.COMMENT': '评论', 'detail.review.INFO_REQUEST': '要求补充信息', 'detail.review.OBJECTION': '异议',
    'detail.review.ENDORSEMENT': '支持', 'detail.review.APPROVAL': '批准', 'detail.review.STATUS_CHANGE': '状态变更',
    'detail.flag.COMMERCIAL': '疑似商业推广', 'detail.flag.OFF_TOPIC': '与项目无关',
    'detail.missing.LINK': '链接', 'detail.missing.DESCRIPTION': '简介', 'detail.missing.COORDINATES': '坐标',
    'detail.missing.SUPPORTERS': '支持者',
    'detail.blocker.OPEN_CONFLICTS': '请先解决与附近用户组的冲突。',
    'detail.blocker.NO_MENTOR': '请先指派导师。',
    'detail.blocker.FEW_SUPPORTERS': '支持者人数不足。',
    'detail.blocker.FEW_SUPPORTER_ORGANIZATIONS': '支持者所在的机构数量不足。',
    'detail.blocker.OPEN_OBJECTIONS': '仍有未处理的异议。',
    'detail.blocker.ENDORSEMENT': '须先由该组所在区域或用户组的大使表示支持。',
    'detail.blocker.OBJECTIONS': '仍有未处理的异议。',
    'detail.reason.NOT_A_USER_GROUP': '不是本项目的用户组', 'detail.reason.SPAM': '垃圾信息',
    'detail.reason.DUPLICATE': '当地已有用户组', 'detail.reason.COMMERCIAL': '商业用途',
    'detail.reason.OTHER': '其他（请在留言中说明）',
    'detail.applicant': '申请人', 'detail.submitted': '提交时间', 'detail.group': '用户组', 'detail.region': '区域',
    'detail.mentor': '导师', 'detail.reviewer': '审核人', 'detail.nobody': '尚未指派', 'detail.decided': '决定时间',
    'detail.decidedBy': '{when}，由 {name} 决定', 'detail.decision': '决定',
    'detail.deadline': '异议截止于 {time}', 'detail.countdown': '剩余 {left}',
    'detail.window.closed': '异议期已结束，批准即将生效。',
    'detail.answers': '申请内容', 'detail.name': '名称', 'detail.city': '城市', 'detail.country': '国家/地区',
    'detail.coordinates': '坐标', 'detail.links': '链接', 'detail.description': '简介', 'detail.why': '申请理由',
    'detail.participation': '以往参与', 'detail.ideas': '计划与想法', 'detail.affiliation': '所在单位',
    'detail.article': '文章', 'detail.amount': '金额', 'detail.purpose': '用途', 'detail.budget': '预算',
    'detail.screening': '自动筛查', 'detail.conflicts': '附近的用户组', 'detail.noConflicts': '附近没有其他用户组。',
    'detail.km': '相距 {km} 公里', 'detail.noDistance': '距离未知',
    'detail.settled': '已由 {name} 解决：{resolution}', 'detail.settledAnon': '已解决：{resolution}', 'detail.unsettled': '未解决',
    'detail.flags': '提示', 'detail.missing': '缺少', 'detail.supporters': '支持者',
    'detail.supporterCount': '{people} 人，来自 {orgs} 家机构', 'detail.noOrg': '无所属机构',
    'detail.moreSupporters': '另有 {n} 人',
    'detail.blockers': '批准前需要处理', 'detail.noBlockers': '没有阻碍批准的事项。',
    'detail.objections': '未处理的异议', 'detail.by': '提出人：{name}',
    'detail.timeline': '时间线', 'detail.timelineCount': '共 {n} 条', 'detail.system': '系统',
    'detail.move': '{from} → {to}', 'detail.resolved': '{when} 由 {name} 处理', 'detail.open': '未处理',
    'detail.actions': '您可以进行的操作', 'detail.noActions': '目前没有需要您处理的事项。',
    'detail.approve': '批准', 'detail.approve.blocked': '目前无法批准，服务器会说明原因。',
    'detail.approve.window': '如社区设有异议期，批准后将先进入异议期。',
    'detail.reject': '拒绝', 'detail.reject.reason': '原因', 'detail.reject.message': '给申请人的留言（必填）',
    'detail.requestInfo': '要求补充信息', 'detail.requestInfo.message': '申请人需要补充什么？',
    'detail.comment': '评论', 'detail.comment.body': '您的评论',
    'detail.object': '提出异议', 'detail.endorse': '表示支持', 'detail.objectEndorse': '异议或支持',
    'detail.objectEndorse.reason': '理由',
    'detail.resolveObjection': '处理异议', 'detail.resolveObjection.note': '处理结果',
    'detail.resolveConflict': '解决冲突', 'detail.resolveConflict.with': '解决与 {name} 的重叠',
    'detail.resolveConflict.resolution': '解决方式',
    'detail.assignReviewer': '指派审核人', 'detail.assignMentor': '指派导师', 'detail.person': '人员',
    'detail.pick': '请选择人员…', 'detail.peopleLoading': '正在加载人员…',
    'detail.role.COMMUNITY_MANAGER': '社区工作人员', 'detail.role.AMBASSADOR': '大使',
    'detail.fix': '修改申请内容', 'detail.fix.links': '链接，每行一个：名称 | https://…',
    'detail.fix.note': '时间线备注（选填）', 'detail.fix.save': '保存修改',
    'detail.withdraw': '撤回申请', 'detail.withdraw.confirm': '确定撤回吗？撤回后无法恢复。',
    'detail.withdraw.yes': '确定撤回', 'detail.cancel': '取消',
    'detail.working': '处理中…', 'detail.refused': '未完成：{message}', 'detail.refusedBlockers': '受阻原因：',
    'detail.done.comment': '评论已添加。', 'detail.done.requestInfo': '已要求申请人补充信息。',
    'detail.done.fix': '申请内容已更新。', 'detail.done.assignReviewer': '已指派审核人。', 'detail.done.assignMentor': '已指派导师。',
    'detail.done.resolveConflict': '冲突已解决。', 'detail.done.object': '异议已提交。', 'detail.done.endorse': '支持已提交。',
    'detail.done.resolveObjection': '异议已处理。', 'detail.done.approve': '已批准：申请现为“{status}”。',
    'detail.done.reject': '申请已拒绝。', 'detail.done.withdraw': '申请已撤回。',
    'detail.live.update': '此申请有更新：{what}', 'detail.live.new': '{n} 条新记录',
    'detail.live.status': '现为“{status}”', 'detail.live.off': '无法实时更新：{message}',
    'detail.reloadFailed': '刷新失败：{message}',
  },
});

const blockerText = (code, message) => (BLOCKERS.includes(code) ? t('detail.blocker.' + code) : message || code);

view('application', (container, params, { me }) => {
  const id = params[0];
  let app = null; // the application as last loaded, with .timeline (every review)
  let seen = null; // ids of the timeline entries already shown
  const freshUntil = new Map(); // entry id → until when it is highlighted as new
  let people = null; // the community's staff and ambassadors, for the pickers
  let peopleAsked = false;
  let stopLive = null;
  let liveNote = '';
  let reloadNote = '';
  let timer = null;
  let stopped = false;
  let loading = null;
  let again = false;
  const drafts = {}; // form → field → typed value, kept across reloads and refusals
  const errors = {}; // form → the userErrors (or error) of its last attempt
  const busy = new Set(); // forms waiting for the server
  const open = new Set(); // expanded panels and confirmations

  replace(container, h('p', { class: 'loading' }, t('detail.loading')));

  const draft = (form) => (drafts[form] ||= {});

  // ---- loading ------------------------------------------------------------

  async function fetchOnce(live) {
    const data = await gql(APPLICATION_DETAIL, { id });
    if (stopped) return;
    const node = data.node;
    if (!node || !node.kind) {
      replace(container, h('p', { class: 'appv-missing' }, t('error.notfound')));
      return;
    }
    const reviews = node.reviews.edges.map((e) => e.node);
    let page = node.reviews.pageInfo;
    while (page.hasNextPage) {
      const more = await gql(APPLICATION_REVIEWS, { id, after: page.endCursor });
      if (stopped) return;
      reviews.push(...more.node.reviews.edges.map((e) => e.node));
      page = more.node.reviews.pageInfo;
    }
    reviews.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    const before = app;
    app = { ...node, timeline: reviews };
    if (live && before) tellChange(before, app);
    reloadNote = '';
    draw();
    if (!stopLive && !liveNote) startLive(node.community.id, data.changeCursor);
    if ((app.viewerCanAssignReviewer || app.viewerCanAssignMentor) && !peopleAsked) loadPeople();
  }

  // load reloads the application; calls while one is running coalesce
  // into one more reload after it.
  async function load(live = false) {
    if (loading) { again = true; return loading; }
    loading = (async () => {
      do {
        again = false;
        try {
          await fetchOnce(live);
        } catch (e) {
          if (stopped) return;
          if (!app) {
            replace(container, h('div', { class: 'appv-failed', role: 'alert' },
              h('p', {}, t('error.generic', { message: e.message })),
              h('button', { type: 'button', onclick: () => load() }, t('action.retry'))));
            return;
          }
          reloadNote = t('detail.reloadFailed', { message: e.message });
          draw();
        }
      } while (again && !stopped);
    })();
    try { await loading; } finally { loading = null; }
  }

  function startLive(community, after) {
    stopLive = follow(APPLICATION_LIVE, { community, after }, (item) => {
      if (item.node?.id === id && !stopped) load(true);
    }, (e) => {
      if (stopped) return;
      const message = Array.isArray(e) ? e.map((x) => x.message).join('; ') : e?.message || e?.reason || String(e);
      liveNote = t('detail.live.off', { message });
      stopLive = null;
      draw();
    });
  }

  async function loadPeople() {
    peopleAsked = true;
    try {
      const data = await gql(APPLICATION_PEOPLE, { slug: app.community.slug });
      const byUser = new Map();
      for (const { node: r } of data.community?.roles.edges || []) {
        const p = byUser.get(r.user.id) || { ...r.user, kinds: new Set(), scopes: [] };
        p.kinds.add(r.kind);
        const scope = r.group?.name || r.region?.name;
        if (scope) p.scopes.push(scope);
        byUser.set(r.user.id, p);
      }
      people = [...byUser.values()].sort((a, b) => a.name.localeCompare(b.name));
    } catch (e) {
      people = [];
      errors.people = [{ message: e.message }];
    }
    if (!stopped) draw();
  }

  // tellChange announces what a live reload brought: new timeline entries
  // by others, a new status.
  function tellChange(before, now) {
    const known = new Set(before.timeline.map((r) => r.id));
    const fresh = now.timeline.filter((r) => !known.has(r.id) && r.author?.id !== me.id);
    const what = [];
    if (fresh.length) what.push(t('detail.live.new', { n: fmtNumber(fresh.length) }));
    if (before.status !== now.status) what.push(t('detail.live.status', { status: tEnum('detail.status', now.status) }));
    if (what.length) announce(t('detail.live.update', { what: what.join(', ') }));
  }

  // ---- acting -------------------------------------------------------------

  // act runs one step. A refusal shows its userErrors beside the form and
  // keeps what was typed; success clears the form, reloads and announces.
  async function act(form, doc, input, done) {
    if (busy.has(form)) return;
    busy.add(form);
    delete errors[form];
    draw();
    let payload = null;
    try {
      const data = await gql(doc, { input });
      payload = Object.values(data)[0];
      if (payload.userErrors.length) errors[form] = payload.userErrors;
    } catch (e) {
      errors[form] = [{ code: e.code, message: e.message }];
    }
    busy.delete(form);
    if (stopped) return;
    if (errors[form]) {
      draw();
      announce(t('detail.refused', { message: errors[form].map((e) => e.message).join('; ') }));
      return;
    }
    delete drafts[form];
    await load();
    announce(done(payload));
  }

  // ---- drawing ------------------------------------------------------------

  // draw renders the whole view from app, keeping the focused field and its
  // selection, so a live reload does not disturb someone typing.
  function draw() {
    if (stopped || !app) return;
    const active = document.activeElement;
    const key = container.contains(active) ? active.dataset.key : null;
    const sel = key && 'selectionStart' in active ? [active.selectionStart, active.selectionEnd] : null;
    const now = Date.now();
    if (seen) for (const r of app.timeline) if (!seen.has(r.id)) freshUntil.set(r.id, now + 4000);
    clearInterval(timer);
    timer = null;
    replace(container, h('article', { class: 'appv', dataset: { id: app.id, status: app.status } },
      header(),
      reloadNote ? h('p', { class: 'notice', role: 'alert' }, reloadNote) : null,
      liveNote ? h('p', { class: 'muted appv-live-off' }, liveNote) : null,
      h('div', { class: 'appv-grid' },
        h('div', { class: 'appv-main' }, answers(), screening(), blockers(), objections()),
        h('aside', { class: 'appv-side', 'aria-labelledby': 'appv-actions-title' }, actions())),
      timeline((r) => (freshUntil.get(r.id) || 0) > now)));
    seen = new Set(app.timeline.map((r) => r.id));
    if (key) {
      const el = container.querySelector(`[data-key="${CSS.escape(key)}"]`);
      if (el) {
        el.focus();
        if (sel && 'setSelectionRange' in el) { try { el.setSelectionRange(...sel); } catch { /* not a text field */ } }
      }
    }
    startCountdown();
  }

  function header() {
    const a = app;
    const title = a.answers.proposedName || t('detail.title.kind', { kind: tEnum('detail.kind', a.kind), name: a.applicant.name });
    const deadline = a.status === 'OBJECTION_WINDOW' && a.objectionDeadline;
    return h('header', { class: 'appv-head' },
      h('p', {}, h('a', { href: href('queue', a.community.slug) }, t('detail.back', { community: a.community.name }))),
      h('h1', {}, title),
      h('p', { class: 'appv-badges' },
        h('span', { class: ['pill', 'appv-status', statusTone(a.status)], dataset: { status: a.status } }, tEnum('detail.status', a.status)),
        h('span', { class: 'pill appv-kind' }, tEnum('detail.kind', a.kind))),
      deadline ? h('p', { class: 'appv-deadline' },
        t('detail.deadline', { time: fmtTime(a.objectionDeadline) }), ' ',
        h('strong', { class: 'appv-countdown', role: 'timer', 'aria-live': 'off', dataset: { deadline: a.objectionDeadline } })) : null,
      h('dl', { class: 'appv-facts' },
        fact(t('detail.applicant'), person(a.applicant)),
        fact(t('detail.submitted'), h('time', { datetime: a.createdAt, title: fmtAge(a.createdAt) }, fmtTime(a.createdAt))),
        a.group ? fact(t('detail.group'), h('a', { href: href('group', a.group.id) }, a.group.name)) : null,
        a.region ? fact(t('detail.region'), a.region.name) : null,
        fact(t('detail.mentor'), a.mentor ? person(a.mentor) : h('span', { class: 'muted' }, t('detail.nobody')), 'mentor'),
        fact(t('detail.reviewer'), a.reviewer ? person(a.reviewer) : h('span', { class: 'muted' }, t('detail.nobody')), 'reviewer'),
        a.decidedAt ? fact(t('detail.decided'), a.decidedBy
          ? t('detail.decidedBy', { when: fmtTime(a.decidedAt), name: a.decidedBy.name }) : fmtTime(a.decidedAt)) : null,
        a.decisionReason ? fact(t('detail.decision'), a.decisionReason) : null));
  }

  function startCountdown() {
    const el = container.querySelector('.appv-countdown');
    if (!el) return;
    const tick = () => {
      const left = fmtCountdown(el.dataset.deadline);
      el.textContent = left ? t('detail.countdown', { left }) : t('detail.window.closed');
      if (!left) { clearInterval(timer); timer = null; }
    };
    tick();
    timer = setInterval(tick, 1000);
  }

  function answers() {
    const x = app.answers;
    const rows = [
      x.proposedName && fact(t('detail.name'), x.proposedName),
      x.city && fact(t('detail.city'), x.city),
      x.country && fact(t('detail.country'), x.country),
      x.latitude != null && fact(t('detail.coordinates'), `${fmtNumber(x.latitude)}, ${fmtNumber(x.longitude)}`),
      x.links?.length && fact(t('detail.links'), h('ul', { class: 'appv-links' },
        x.links.map((l) => h('li', {}, h('a', { href: safeURL(l.url), rel: 'noopener noreferrer', target: '_blank' }, l.label || l.url))))),
      x.description && fact(t('detail.description'), h('p', { class: 'appv-text' }, x.description)),
      x.why && fact(t('detail.why'), h('p', { class: 'appv-text' }, x.why)),
      x.participation && fact(t('detail.participation'), h('p', { class: 'appv-text' }, x.participation)),
      x.ideas && fact(t('detail.ideas'), h('p', { class: 'appv-text' }, x.ideas)),
      x.affiliation && fact(t('detail.affiliation'), x.affiliation),
      x.articleURL && fact(t('detail.article'), h('a', { href: safeURL(x.articleURL), rel: 'noopener noreferrer', target: '_blank' }, x.articleURL)),
      x.amount && fact(t('detail.amount'), `${x.amount} ${x.currency || ''}`),
      x.purpose && fact(t('detail.purpose'), x.purpose),
      x.budgetLines?.length && fact(t('detail.budget'), h('ul', {}, x.budgetLines.map((b) => h('li', {}, `${b.label}: ${b.amount} ${x.currency || ''}`)))),
    ].filter(Boolean);
    return section('answers', t('detail.answers'), h('dl', { class: 'appv-facts' }, rows));
  }

  function screening() {
    // Screening is what the checks of a request for a new group found.
    const s = app.screening;
    if (!s || app.kind !== 'NEW_GROUP') return null;
    const conflicts = s.conflicts || [];
    const sup = app.supporters;
    return section('screening', t('detail.screening'),
      h('h3', {}, t('detail.conflicts')),
      conflicts.length ? h('ul', { class: 'appv-conflicts' }, conflicts.map((c) => h('li', {
        class: c.resolvedAt ? 'settled' : 'open', dataset: { group: c.groupId },
      },
      h('strong', {}, c.name), ' · ', c.city, ' · ', tEnum('detail.groupStatus', c.status), ' · ',
      c.distanceKm >= 0 ? t('detail.km', { km: fmtNumber(Math.round(c.distanceKm * 10) / 10) }) : t('detail.noDistance'), ' ',
      c.resolvedAt
        ? h('span', { class: 'pill ok' }, c.resolvedBy
          ? t('detail.settled', { name: c.resolvedBy.name, resolution: c.resolution || '' })
          : t('detail.settledAnon', { resolution: c.resolution || '' }))
        : h('span', { class: 'pill bad' }, t('detail.unsettled'))))) : h('p', { class: 'muted' }, t('detail.noConflicts')),
      s.flags?.length ? [h('h3', {}, t('detail.flags')),
        h('p', {}, s.flags.map((f) => h('span', { class: 'pill warn', dataset: { flag: f } }, tEnum('detail.flag', f))))] : null,
      s.missing?.length ? [h('h3', {}, t('detail.missing')),
        h('p', {}, s.missing.map((m) => h('span', { class: 'pill', dataset: { missing: m } }, tEnum('detail.missing', m))))] : null,
      h('h3', {}, t('detail.supporters')),
      h('p', { class: 'appv-supporters' }, t('detail.supporterCount', { people: fmtNumber(s.supporters), orgs: fmtNumber(s.supporterOrganizations) })),
      sup?.edges.length ? h('ul', { class: 'appv-people' },
        sup.edges.map(({ node: p }) => h('li', {}, p.name, ' · ', h('span', { class: 'muted' }, p.organization?.name || t('detail.noOrg')))),
        sup.totalCount > sup.edges.length ? h('li', { class: 'muted' }, t('detail.moreSupporters', { n: fmtNumber(sup.totalCount - sup.edges.length) })) : null) : null);
  }

  function blockers() {
    const bs = app.approvalBlockers;
    if (!bs.length) {
      return app.viewerCanApprove ? section('blockers', t('detail.blockers'), h('p', { class: 'muted appv-noblockers' }, t('detail.noBlockers'))) : null;
    }
    return section('blockers', t('detail.blockers'),
      h('ul', { class: 'appv-blockers', id: 'appv-blockers' },
        bs.map((b) => h('li', { dataset: { code: b.code } }, blockerText(b.code, b.message)))));
  }

  function objections() {
    const os = app.openObjections;
    if (!os.length) return null;
    return section('objections', t('detail.objections'), h('ul', { class: 'appv-objections' }, os.map((o) => h('li', { dataset: { id: o.id } },
      h('p', { class: 'appv-text' }, o.body), h('p', { class: 'muted' }, t('detail.by', { name: o.author?.name || t('detail.system') }), ' · ',
        h('time', { datetime: o.createdAt }, fmtTime(o.createdAt))),
      app.viewerCanResolveObjection ? textForm(`objection:${o.id}`, {
        field: 'note', label: t('detail.resolveObjection.note'),
        buttons: [{ text: t('detail.resolveObjection'), name: 'resolve-objection' }],
        submit: (v) => act(`objection:${o.id}`, RESOLVE_OBJECTION, { id: o.id, note: v.note || '' }, () => t('detail.done.resolveObjection')),
      }) : null))));
  }

  function timeline(isFresh) {
    const entries = app.timeline;
    return h('section', { class: 'appv-timeline card', 'aria-labelledby': 'appv-timeline-title' },
      h('h2', { id: 'appv-timeline-title' }, t('detail.timeline'), ' ', h('span', { class: 'muted' }, t('detail.timelineCount', { n: fmtNumber(entries.length) }))),
      h('ol', { class: 'appv-entries' }, entries.map((r) => h('li', {
        class: ['appv-entry', isFresh(r) && 'fresh'], dataset: { id: r.id, kind: r.kind },
      },
      h('p', { class: 'appv-entry-head' },
        h('span', { class: ['pill', r.kind === 'OBJECTION' && 'bad', r.kind === 'ENDORSEMENT' && 'ok'] }, tEnum('detail.review', r.kind)), ' ',
        h('strong', { class: 'appv-author' }, r.author?.name || t('detail.system')), ' · ',
        h('time', { datetime: r.createdAt, title: fmtAge(r.createdAt) }, fmtTime(r.createdAt))),
      r.kind === 'STATUS_CHANGE' && r.toStatus ? h('p', { class: 'appv-move' },
        t('detail.move', { from: tEnum('detail.status', r.fromStatus), to: tEnum('detail.status', r.toStatus) })) : null,
      r.body ? h('p', { class: 'appv-text appv-body' }, r.body) : null,
      r.kind === 'OBJECTION' ? h('p', { class: 'muted' }, r.resolvedAt
        ? t('detail.resolved', { when: fmtTime(r.resolvedAt), name: r.resolvedBy?.name || t('detail.system') })
        : h('span', { class: 'pill bad' }, t('detail.open'))) : null))));
  }

  // ---- actions ------------------------------------------------------------

  function actions() {
    const a = app;
    const parts = [
      a.viewerCanApprove ? approveForm() : null,
      a.viewerCanReject ? rejectForm() : null,
      a.viewerCanRequestInfo ? textForm('requestInfo', {
        title: t('detail.requestInfo'), field: 'message', label: t('detail.requestInfo.message'),
        buttons: [{ text: t('detail.requestInfo'), name: 'request-info' }],
        submit: (v) => act('requestInfo', REQUEST_APPLICATION_INFO, { id, message: v.message || '' }, () => t('detail.done.requestInfo')),
      }) : null,
      a.viewerCanComment ? textForm('comment', {
        title: t('detail.comment'), field: 'body', label: t('detail.comment.body'),
        buttons: [{ text: t('detail.comment'), name: 'comment', primary: true }],
        submit: (v) => act('comment', COMMENT_ON_APPLICATION, { id, body: v.body || '' }, () => t('detail.done.comment')),
      }) : null,
      a.viewerCanObject || a.viewerCanEndorse ? textForm('opinion', {
        title: t('detail.objectEndorse'), field: 'reason', label: t('detail.objectEndorse.reason'),
        buttons: [
          a.viewerCanObject && { text: t('detail.object'), name: 'object', danger: true,
            submit: (v) => act('opinion', OBJECT_TO_APPLICATION, { id, reason: v.reason || '' }, () => t('detail.done.object')) },
          a.viewerCanEndorse && { text: t('detail.endorse'), name: 'endorse',
            submit: (v) => act('opinion', ENDORSE_APPLICATION, { id, reason: v.reason || '' }, () => t('detail.done.endorse')) },
        ].filter(Boolean),
      }) : null,
      a.viewerCanResolveConflict ? conflictForms() : null,
      a.viewerCanAssignReviewer ? pickForm('assignReviewer', 'reviewer', t('detail.assignReviewer'), () => true, a.reviewer,
        (p) => act('assignReviewer', ASSIGN_APPLICATION_REVIEWER, { id, reviewer: p }, () => t('detail.done.assignReviewer'))) : null,
      a.viewerCanAssignMentor ? pickForm('assignMentor', 'mentor', t('detail.assignMentor'), (p) => p.kinds.has('AMBASSADOR'), a.mentor,
        (p) => act('assignMentor', ASSIGN_GROUP_MENTOR, { id, mentor: p }, () => t('detail.done.assignMentor'))) : null,
      a.viewerCanUpdateProposal ? proposalForm() : null,
      a.viewerCanWithdraw ? withdrawForm() : null,
    ].filter(Boolean);
    return [
      h('h2', { id: 'appv-actions-title' }, t('detail.actions')),
      parts.length ? parts : h('p', { class: 'muted appv-noactions' }, t('detail.noActions')),
    ];
  }

  function approveForm() {
    const blocked = app.approvalBlockers.length > 0;
    const form = 'approve';
    const refused = errors[form];
    return h('div', { class: 'appv-form appv-approve card', dataset: { form } },
      h('button', {
        type: 'button', class: ['appv-approve-button', blocked ? null : 'primary'], name: 'approve', dataset: { key: 'approve' },
        'aria-describedby': blocked ? 'appv-blockers appv-approve-note' : 'appv-approve-note', disabled: busy.has(form),
        onclick: () => act(form, APPROVE_APPLICATION, { id }, (p) => t('detail.done.approve', { status: tEnum('detail.status', p.application.status) })),
      }, busy.has(form) ? t('detail.working') : t('detail.approve')),
      h('p', { class: 'muted', id: 'appv-approve-note' }, blocked ? t('detail.approve.blocked') : t('detail.approve.window')),
      refused ? h('div', { class: 'appv-error', role: 'alert' },
        refused.map((e) => h('p', {}, e.message)),
        refused.some((e) => e.blockers?.length) ? [h('p', {}, t('detail.refusedBlockers')),
          h('ul', { class: 'appv-refused-blockers' }, refused.flatMap((e) => e.blockers || []).map((c) => h('li', { dataset: { code: c } }, blockerText(c))))] : null) : null);
  }

  function rejectForm() {
    const form = 'reject';
    const d = draft(form);
    d.reason ||= 'OTHER';
    return formShell(form, t('detail.reject'), (v) => act(form, REJECT_APPLICATION, { id, reason: v.reason, message: v.message || '' }, () => t('detail.done.reject')), [
      field(form, 'reason', t('detail.reject.reason'), h('select', {
        id: `appv-${form}-reason`, name: 'reason', dataset: { key: `${form}.reason` }, onchange: (e) => { d.reason = e.target.value; },
      }, REASONS.map((r) => h('option', { value: r, selected: d.reason === r }, tEnum('detail.reason', r))))),
      field(form, 'message', t('detail.reject.message'), textarea(form, 'message', { 'aria-required': 'true' })),
    ], [{ text: t('detail.reject'), name: 'reject', danger: true }]);
  }

  function conflictForms() {
    const unsettled = (app.screening?.conflicts || []).filter((c) => !c.resolvedAt);
    return unsettled.map((c) => {
      const form = `conflict:${c.groupId}`;
      return textForm(form, {
        title: t('detail.resolveConflict.with', { name: c.name }), field: 'resolution', label: t('detail.resolveConflict.resolution'),
        buttons: [{ text: t('detail.resolveConflict'), name: 'resolve-conflict' }],
        submit: (v) => act(form, RESOLVE_CONFLICT, { id, group: c.groupId, resolution: v.resolution || '' }, () => t('detail.done.resolveConflict')),
      });
    });
  }

  // pickForm chooses a person among the community's staff and ambassadors
  // that eligible admits; name is the input field the server names.
  function pickForm(form, name, title, eligible, current, submit) {
    const d = draft(form);
    if (d[name] === undefined) d[name] = current?.id || '';
    const options = people === null
      ? [h('option', { value: '' }, t('detail.peopleLoading'))]
      : [h('option', { value: '' }, t('detail.pick')), ...people.filter(eligible).map((p) => h('option', { value: p.id, selected: d[name] === p.id },
        `${p.name} (${[...p.kinds].map((k) => tEnum('detail.role', k)).join(', ')}${p.scopes.length ? ' · ' + p.scopes.join(', ') : ''})`))];
    return formShell(form, title, (v) => submit(v[name] || ''), [
      field(form, name, t('detail.person'), h('select', {
        id: `appv-${form}-${name}`, name, dataset: { key: `${form}.${name}` },
        disabled: people === null, onchange: (e) => { d[name] = e.target.value; },
      }, options)),
      errors.people ? h('p', { class: 'appv-error', role: 'alert' }, errors.people[0].message) : null,
    ], [{ text: title, name: form }]);
  }

  function proposalForm() {
    const form = 'fix';
    const x = app.answers;
    const d = draft(form);
    const initial = {
      name: x.proposedName || '', city: x.city || '', country: x.country || '', description: x.description || '',
      links: (x.links || []).map((l) => `${l.label} | ${l.url}`).join('\n'), note: '',
    };
    for (const [k, v] of Object.entries(initial)) if (d[k] === undefined) d[k] = v;
    const submit = (v) => {
      const input = { id };
      for (const k of ['name', 'city', 'country', 'description']) if (v[k] !== initial[k]) input[k] = v[k];
      if (v.links !== initial.links) input.links = parseLinks(v.links);
      if (v.note.trim()) input.note = v.note;
      return act(form, UPDATE_APPLICATION_PROPOSAL, input, () => t('detail.done.fix'));
    };
    const body = formShell(form, null, submit, [
      field(form, 'name', t('detail.name'), input(form, 'name')),
      field(form, 'city', t('detail.city'), input(form, 'city')),
      field(form, 'country', t('detail.country'), input(form, 'country', { maxlength: 2, autocomplete: 'country' })),
      field(form, 'description', t('detail.description'), textarea(form, 'description', { rows: 4 })),
      field(form, 'links', t('detail.fix.links'), textarea(form, 'links', { rows: 3 })),
      field(form, 'note', t('detail.fix.note'), input(form, 'note')),
    ], [{ text: t('detail.fix.save'), name: 'save-proposal' }]);
    return h('details', {
      class: 'appv-panel card', open: open.has(form) || !!errors[form],
      ontoggle: (e) => { if (e.target.open) open.add(form); else open.delete(form); },
    }, h('summary', {}, t('detail.fix')), body);
  }

  function withdrawForm() {
    const form = 'withdraw';
    const asking = open.has('withdraw-confirm');
    return h('div', { class: 'appv-form appv-withdraw card', dataset: { form } },
      asking ? [
        h('p', { id: 'appv-withdraw-q' }, t('detail.withdraw.confirm')),
        h('div', { class: 'appv-buttons' },
          h('button', { type: 'button', class: 'danger', name: 'withdraw-yes', dataset: { key: 'withdraw.yes' }, disabled: busy.has(form),
            'aria-describedby': 'appv-withdraw-q',
            onclick: () => { open.delete('withdraw-confirm'); act(form, WITHDRAW_APPLICATION, { id }, () => t('detail.done.withdraw')); } },
          busy.has(form) ? t('detail.working') : t('detail.withdraw.yes')),
          h('button', { type: 'button', name: 'withdraw-cancel', dataset: { key: 'withdraw.cancel' }, onclick: () => { open.delete('withdraw-confirm'); draw(); } }, t('detail.cancel'))),
      ] : h('button', { type: 'button', class: 'danger', name: 'withdraw', dataset: { key: 'withdraw.ask' },
        onclick: () => { open.add('withdraw-confirm'); draw(); container.querySelector('[data-key="withdraw.cancel"]')?.focus(); } }, t('detail.withdraw')),
      formErrors(form, []));
  }

  // ---- form helpers -------------------------------------------------------

  // textForm is a form of one text area and its buttons.
  function textForm(form, { title, field: name, label, buttons, submit }) {
    return formShell(form, title, submit, [field(form, name, label, textarea(form, name))], buttons);
  }

  // formShell wraps fields in a <form>: Enter or its first button submits
  // with the typed values; errors on no known field show under the form.
  function formShell(form, title, submit, fields, buttons) {
    const known = fields.flat().filter(Boolean).map((f) => f.dataset?.field).filter(Boolean);
    const values = () => ({ ...draft(form) });
    return h('form', {
      class: 'appv-form card', dataset: { form }, novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        const b = e.submitter?.dataset?.index ? buttons[Number(e.submitter.dataset.index)] : buttons[0];
        (b.submit || submit)(values());
      },
    },
    title ? h('h3', {}, title) : null,
    fields,
    h('div', { class: 'appv-buttons' }, buttons.map((b, i) => h('button', {
      type: 'submit', name: b.name, class: [b.primary && 'primary', b.danger && 'danger'], disabled: busy.has(form), dataset: { index: String(i) },
    }, busy.has(form) ? t('detail.working') : b.text))),
    formErrors(form, known));
  }

  // field is a labelled control with the userErrors that name it.
  function field(form, name, label, control) {
    const errs = (errors[form] || []).filter((e) => fieldOf(e) === name);
    const errID = `appv-${cssID(form)}-${name}-error`;
    if (errs.length) {
      control.setAttribute('aria-invalid', 'true');
      control.setAttribute('aria-describedby', errID);
    }
    return h('div', { class: ['appv-field', errs.length && 'invalid'], dataset: { field: name } },
      h('label', { for: control.id }, label),
      control,
      errs.length ? h('p', { class: 'appv-error', id: errID, role: 'alert' }, errs.map((e) => e.message).join(' ')) : null);
  }

  function formErrors(form, known) {
    const errs = (errors[form] || []).filter((e) => !known.includes(fieldOf(e)));
    if (!errs.length) return null;
    return h('div', { class: 'appv-error', role: 'alert' }, errs.map((e) => h('p', {}, e.message)),
      errs.some((e) => e.blockers?.length) ? h('ul', {}, errs.flatMap((e) => e.blockers || []).map((c) => h('li', { dataset: { code: c } }, blockerText(c)))) : null);
  }

  function textarea(form, name, attrs = {}) {
    const d = draft(form);
    return h('textarea', {
      id: `appv-${cssID(form)}-${name}`, name, rows: 3, dataset: { key: `${form}.${name}` }, ...attrs,
      value: d[name] ?? '', oninput: (e) => { d[name] = e.target.value; },
    });
  }

  function input(form, name, attrs = {}) {
    const d = draft(form);
    return h('input', {
      id: `appv-${cssID(form)}-${name}`, name, type: 'text', dataset: { key: `${form}.${name}` }, ...attrs,
      value: d[name] ?? '', oninput: (e) => { d[name] = e.target.value; },
    });
  }

  load();
  return () => {
    stopped = true;
    clearInterval(timer);
    if (stopLive) stopLive();
  };
});

// ---- small pieces -----------------------------------------------------------

function section(name, title, ...body) {
  return h('section', { class: ['appv-section', 'card', `appv-sec-${name}`], 'aria-labelledby': `appv-${name}-title` },
    h('h2', { id: `appv-${name}-title` }, title), body);
}

function fact(label, value, name) {
  return [h('dt', {}, label), h('dd', { dataset: name ? { fact: name } : undefined }, value)];
}

function person(p) {
  return h('span', { class: 'appv-person', dataset: { handle: p.handle } }, p.name, p.handle ? h('span', { class: 'muted' }, ` @${p.handle}`) : null);
}

function statusTone(s) {
  if (s === 'APPROVED') return 'ok';
  if (s === 'REJECTED' || s === 'WITHDRAWN' || s === 'EXPIRED') return 'bad';
  if (s === 'OBJECTION_WINDOW' || s === 'NEEDS_INFO') return 'warn';
  return null;
}

// fieldOf is the input field a userError names (["input", "message"] → "message").
function fieldOf(e) { return e.field?.length ? e.field[e.field.length - 1] : null; }

function cssID(s) { return s.replace(/[^a-zA-Z0-9_-]/g, '-'); }

// safeURL keeps http(s) links only.
function safeURL(u) {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : '#';
  } catch {
    return '#';
  }
}

// parseLinks reads "label | url" lines (a bare url is its own label).
function parseLinks(text) {
  return text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => {
    const i = l.lastIndexOf('|');
    const label = i >= 0 ? l.slice(0, i).trim() : '';
    const url = (i >= 0 ? l.slice(i + 1) : l).trim();
    return { label: label || url, url };
  });
}
