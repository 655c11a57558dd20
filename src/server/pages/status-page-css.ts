import { createHash } from 'node:crypto';

/** The status page's only style sheet, inline (one request, first paint at once), allowed by its hash. */
export const STATUS_PAGE_CSS = `
:root{color-scheme:light dark;--on-banner:#fff;--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--up:#1a7f37;--degraded:#9a6700;--down:#cf222e;--none:#d0d7de;--maint:#0969da}
@media (prefers-color-scheme:dark){:root{--on-banner:#0d1117;--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#30363d;--up:#3fb950;--degraded:#d29922;--down:#f85149;--none:#30363d;--maint:#4493f8}}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:56rem;margin:0 auto;padding:1.5rem 1rem 3rem}h1{font-size:1.75rem;margin:0 0 .25rem}
.description{color:var(--muted);margin:0 0 1.5rem}
.banner{display:flex;gap:.6rem;align-items:center;padding:1rem 1.25rem;border-radius:.5rem;font-weight:600;font-size:1.15rem;color:var(--on-banner);margin-bottom:2rem}
.banner.ALL_OPERATIONAL{background:var(--up)}.banner.DEGRADED_PERFORMANCE{background:var(--degraded)}
.banner.PARTIAL_OUTAGE,.banner.MAJOR_OUTAGE{background:var(--down)}.banner.MAINTENANCE{background:var(--maint)}
.services{list-style:none;margin:0;padding:0;border:1px solid var(--line);border-radius:.5rem}
.service{padding:1rem 1.25rem;border-top:1px solid var(--line)}.service:first-child{border-top:0}
.service-head{display:flex;justify-content:space-between;gap:1rem;align-items:baseline;flex-wrap:wrap}
.service h2{font-size:1.05rem;margin:0}.status{font-weight:600}
.status.UP{color:var(--up)}.status.DEGRADED{color:var(--degraded)}.status.DOWN{color:var(--down)}.status.PAUSED,.status.UNKNOWN{color:var(--muted)}
.bar{display:flex;gap:2px;margin:.6rem 0 .3rem;height:2.25rem;padding:0;list-style:none}
.bar li{flex:1;min-width:1px;border-radius:2px;background:var(--none)}
.bar .good{background:var(--up)}.bar .fair{background:var(--degraded)}.bar .poor{background:var(--down)}
.bar-legend{display:flex;justify-content:space-between;color:var(--muted);font-size:.8rem}
.incidents{margin-top:2.5rem}.incident-list{list-style:none;padding:0}.incidents h2{font-size:1.25rem}.incident{border-left:4px solid var(--line);padding:.25rem 0 .25rem 1rem;margin:1rem 0}
.incident h3{margin:0;font-size:1.05rem}.incident.open{border-left-color:var(--down)}.incident ol{margin:.5rem 0 0;padding-left:1.25rem}
.muted,footer{color:var(--muted);font-size:.875rem}footer{margin-top:2rem}
a{color:inherit}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
@media (max-width:480px){main{padding:1rem .75rem 2rem}.bar{height:1.75rem;gap:1px}}
`;

export const STATUS_PAGE_CSS_HASH = `sha256-${createHash('sha256').update(STATUS_PAGE_CSS).digest('base64')}`;
