import type { PageView } from '../../pages/page-view.js';
import { html } from './html.js';

/**
 * The incidents of a page as an Atom feed (RFC 4287): one entry per incident, updated with its
 * latest update, its updates as the content, newest first.
 */
export function renderAtomFeed(view: PageView, baseUrl: string, now: Date): string {
  const pageUrl = `${baseUrl}/status/${encodeURIComponent(view.page.slug)}`;
  const updated = view.incidents.reduce(
    (latest, i) => Math.max(latest, i.updates.at(-1)?.at.getTime() ?? i.startedAt.getTime()),
    view.page.updatedAt.getTime(),
  );
  const entries = view.incidents.map((incident) => {
    const last = incident.updates.at(-1);
    const content = [...incident.updates]
      .reverse()
      .map((u) => `${u.at.toISOString()} ${u.status}: ${u.message}`)
      .join('\n');
    return html`<entry>
<id>urn:uuid:${incident.id}</id>
<title>[${incident.status}] ${incident.title}</title>
<updated>${(last?.at ?? incident.startedAt).toISOString()}</updated>
<published>${incident.startedAt.toISOString()}</published>
<link rel="alternate" type="text/html" href="${pageUrl}"/>
<summary>${last ? `${last.status}: ${last.message}` : incident.title}</summary>
<content type="text">${content}</content>
</entry>
`;
  });
  return html`<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${pageUrl}/feed.atom</id>
<title>${view.page.title}: incidents</title>
<updated>${new Date(Math.min(updated, now.getTime())).toISOString()}</updated>
<author><name>${view.page.title}</name></author>
<link rel="self" type="application/atom+xml" href="${pageUrl}/feed.atom"/>
<link rel="alternate" type="text/html" href="${pageUrl}"/>
<generator>statuschecker</generator>
${entries}</feed>
`.value;
}
