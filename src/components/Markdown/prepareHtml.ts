import { headingAnchor } from 'runbooks/markdown';
import { runbookIndexPath, runbookLinkTarget, runbookPath } from 'runbooks/urls';

const EMBEDS = 'iframe, frame, object, embed, form, style, link, meta, base';

/**
 * Finishes the sanitised HTML of one markdown segment: ids on headings (the anchors the checker and the table of
 * contents use), links between runbooks turned into app pages, external links opened in a new tab. `seen` counts
 * anchors across the segments of one document, so repeated headings get `-1`, `-2` as on GitHub.
 */
export function prepareHtml(html: string, slug: string, seen: Map<string, number>): string {
  const template = document.createElement('template');
  template.innerHTML = html;
  // Grafana's sanitiser keeps sandboxed frames and forms for text panels; a runbook needs neither, and a frame would
  // still load a remote page.
  template.content.querySelectorAll(EMBEDS).forEach((element) => element.remove());
  template.content.querySelectorAll('h1, h2, h3, h4, h5, h6').forEach((heading) => {
    const base = headingAnchor(heading.textContent ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    heading.id = count === 0 ? base : `${base}-${count}`;
  });
  template.content.querySelectorAll('a[href]').forEach((link) => {
    const href = link.getAttribute('href') ?? '';
    const target = runbookLinkTarget(slug, href);
    if (target) {
      link.setAttribute('href', target.slug ? runbookPath(target.slug, undefined, target.anchor) : runbookIndexPath());
    } else if (/^https?:/i.test(href)) {
      link.setAttribute('target', '_blank');
      link.setAttribute('rel', 'noopener noreferrer');
    }
  });
  return template.innerHTML;
}
