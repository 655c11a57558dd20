import { createHash } from 'node:crypto';
import { OVERALL_TEXT } from '../../pages/overall.js';
import type { PageServiceView, PageView } from '../../pages/page-view.js';
import { Html, html } from './html.js';
import { STATUS_PAGE_CSS } from './status-page-css.js';

const STATUS_TEXT: Record<string, string> = {
  UP: 'Operational',
  DEGRADED: 'Degraded performance',
  DOWN: 'Outage',
  PAUSED: 'Paused',
  UNKNOWN: 'Not checked yet',
  MAINTENANCE: 'Maintenance',
};
const STATUS_ICON: Record<string, string> = { UP: '●', DEGRADED: '◆', DOWN: '▼', PAUSED: '❚❚', UNKNOWN: '?' };
const BANNER_ICON: Record<string, string> = {
  ALL_OPERATIONAL: '✓',
  DEGRADED_PERFORMANCE: '◆',
  PARTIAL_OUTAGE: '▼',
  MAJOR_OUTAGE: '▼',
  MAINTENANCE: '⚒',
};

const percent = (uptime: number) => `${(Math.floor(uptime * 10_000) / 100).toFixed(2)} %`;

function dayClass(uptime: number | null): string {
  if (uptime === null) return 'none';
  if (uptime >= 0.999) return 'good';
  if (uptime >= 0.95) return 'fair';
  return 'poor';
}

function dayTitle(day: PageServiceView['daily'][number]): string {
  if (day.uptime === null) return `${day.day}: no data`;
  const minutes = Math.round(day.downtimeSeconds / 60);
  return `${day.day}: ${percent(day.uptime)} up${minutes > 0 ? `, about ${minutes} min down` : ''}`;
}

/** Uptime over the whole bar: days without data do not count. */
function overallUptime(service: PageServiceView): number | null {
  const known = service.daily.filter((d) => d.uptime !== null);
  if (known.length === 0) return null;
  return known.reduce((sum, d) => sum + d.uptime!, 0) / known.length;
}

function serviceItem(service: PageServiceView, days: number) {
  const status = service.state.status;
  const uptime = overallUptime(service);
  return html`<li class="service" data-status="${status}">
<div class="service-head"><h2>${service.name}</h2><span class="status ${status}"><span aria-hidden="true">${STATUS_ICON[status] ?? ''}</span> ${STATUS_TEXT[status] ?? status}</span></div>
<ol class="bar" aria-label="Daily uptime of ${service.name}, the last ${days} days">${service.daily.map(
    (day) =>
      html`<li class="${dayClass(day.uptime)}" title="${dayTitle(day)}"><span class="visually-hidden">${dayTitle(day)}</span></li>`,
  )}</ol>
<div class="bar-legend"><span>${days} days ago</span><span>${uptime === null ? 'no data yet' : `${percent(uptime)} uptime`}</span><span>Today</span></div>
</li>`;
}

const INCIDENT_STATUS_TEXT: Record<string, string> = {
  INVESTIGATING: 'Investigating',
  IDENTIFIED: 'Identified',
  MONITORING: 'Monitoring',
  RESOLVED: 'Resolved',
};

const when = (at: Date) =>
  html`<time datetime="${at.toISOString()}">${at.toISOString().replace('T', ' ').slice(0, 16)} UTC</time>`;

function incidentItem(incident: PageView['incidents'][number]) {
  const open = incident.status !== 'RESOLVED';
  return html`<li class="incident${open ? ' open' : ''}" data-status="${incident.status}">
<h3>${incident.title}</h3>
<p class="muted">${INCIDENT_STATUS_TEXT[incident.status] ?? incident.status} · since ${when(incident.startedAt)}${incident.resolvedAt ? html` · resolved ${when(incident.resolvedAt)}` : ''}</p>
<ol reversed>${[...incident.updates].reverse().map((u) => html`<li><strong>${INCIDENT_STATUS_TEXT[u.status] ?? u.status}</strong> — ${u.message} <span class="muted">(${when(u.at)})</span></li>`)}</ol>
</li>`;
}

function incidentsSection(view: PageView) {
  if (view.incidents.length === 0)
    return html`<section class="incidents" aria-labelledby="incidents"><h2 id="incidents">Incidents</h2><p class="muted">No incidents reported.</p></section>`;
  const open = view.incidents.filter((i) => i.status !== 'RESOLVED');
  const past = view.incidents.filter((i) => i.status === 'RESOLVED');
  return html`<section class="incidents" aria-labelledby="incidents"><h2 id="incidents">Incidents</h2>
${open.length ? html`<ul class="incident-list" aria-label="Ongoing incidents">${open.map(incidentItem)}</ul>` : ''}
${past.length ? html`<p class="muted">Past incidents</p><ul class="incident-list" aria-label="Past incidents">${past.map(incidentItem)}</ul>` : ''}
<p class="muted"><a href="/status/${encodeURIComponent(view.page.slug)}/feed.atom">Incidents as an Atom feed</a></p>
</section>`;
}

/** A page's meta description: its own, or what it says right now. */
export function describePage(view: PageView): string {
  return view.page.description ?? `${OVERALL_TEXT[view.overall]}: the current status of ${view.page.title}.`;
}

/**
 * What <main> holds: the page's content, sent again by `/status/{slug}/live` whenever it changes.
 * The banner is a live region, so a screen reader says when it changes.
 */
export function renderStatusMain(view: PageView, now: Date): string {
  const { page } = view;
  return html`<h1>${page.title}</h1>
${page.description ? html`<p class="description">${page.description}</p>` : ''}
<p class="banner ${view.overall}" role="status" data-overall="${view.overall}"><span aria-hidden="true">${BANNER_ICON[view.overall]}</span> ${OVERALL_TEXT[view.overall]}</p>
${view.services.length === 0 ? html`<p class="muted">This page shows no services yet.</p>` : html`<ul class="services">${view.services.map((s) => serviceItem(s, page.historyDays))}</ul>`}
${incidentsSection(view)}
<footer>Updated <time datetime="${now.toISOString()}">${now.toISOString().replace('T', ' ').slice(0, 16)} UTC</time></footer>`
    .value;
}

/**
 * Goes live where JavaScript runs: the content of <main> is replaced with each version the server
 * sends. EventSource is the browser's own, reconnecting by itself; without it the page stays as
 * it was rendered. Allowed by its hash, like the style sheet.
 */
export const STATUS_PAGE_SCRIPT =
  "(()=>{const m=document.querySelector('main');if(!m||!window.EventSource)return;" +
  "const s=new EventSource(location.pathname.replace(/\\/+$/,'')+'/live');" +
  "s.addEventListener('page',(e)=>{m.innerHTML=e.data;m.dataset.live='1'});" +
  "s.addEventListener('gone',()=>s.close())})()";
export const STATUS_PAGE_SCRIPT_HASH = `sha256-${createHash('sha256').update(STATUS_PAGE_SCRIPT).digest('base64')}`;

/** The whole status page, complete without JavaScript. */
export function renderStatusPage(view: PageView, now: Date): string {
  const { page } = view;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title} status</title>
<meta name="description" content="${describePage(view)}">
<meta name="robots" content="noindex">
<link rel="alternate" type="application/atom+xml" title="${page.title} incidents" href="/status/${encodeURIComponent(page.slug)}/feed.atom">
<style>${new Html(STATUS_PAGE_CSS)}</style>
</head>
<body>
<main>
${new Html(renderStatusMain(view, now))}
</main>
<script>${new Html(STATUS_PAGE_SCRIPT)}</script>
</body>
</html>
`.value;
}

export function renderNotFound(slug: string): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Status page not found</title></head>
<body><main><h1>Status page not found</h1><p>There is no status page called “${slug}”.</p></main></body></html>
`.value;
}
