// The harness's stand-in for the page chrome Grafana draws around an app page: what `PluginPage` becomes once Grafana
// calls `setPluginPage` at start (public/app/app.ts). Without it the package's placeholder draws only the children, so no page had a
// title and no test saw one.
import type { ReactNode } from 'react';

import type { PageLayoutType } from '@grafana/data';

import type { Libraries } from './dashboard';

interface PluginPageProps {
  pageNav?: { text: string; subTitle?: string };
  subTitle?: ReactNode;
  actions?: ReactNode;
  renderTitle?: (title: string) => ReactNode;
  layout?: PageLayoutType;
  children?: ReactNode;
}

interface IncludedPage {
  type: string;
  name: string;
  path?: string;
}

/**
 * Grafana's PluginPage (public/app/core/components/Page/PluginPage.tsx @ 162ab124) hands its props to Page, which
 * titles the page with `pageNav ?? navModel.node` (Page.tsx, the `pageHeaderNav` line in every version read); Page's
 * header (PageHeader.tsx @ 2d21d8d5) draws that item's text as the page's one `<h1>` unless `renderTitle` draws it,
 * the actions beside it and `subTitle ?? navItem.subTitle` below it in the secondary text colour. Without a `pageNav`
 * the title is the app's section nav node for the page: taken here as the `plugin.json` page include whose path
 * starts the URL, else the app's name (assumption: Grafana's section nav for app pages was not read).
 */
export function createPluginPage(
  { React, ui, data }: Pick<Libraries, 'React' | 'ui' | 'data'>,
  app: { id: string; name: string; includes: IncludedPage[] }
) {
  const h = React.createElement;

  const sectionTitle = (pathname: string) =>
    app.includes
      .filter((include) => include.type === 'page' && include.path)
      .map((include) => ({ name: include.name, path: include.path!.replace('%PLUGIN_ID%', app.id) }))
      .find((include) => pathname === include.path || pathname.startsWith(`${include.path}/`))?.name ?? app.name;

  return function PluginPage({ pageNav, subTitle, actions, renderTitle, layout, children }: PluginPageProps) {
    const theme = ui.useTheme2();
    // Page.tsx: a custom layout draws its children alone, without the header.
    if (layout === data.PageLayoutType.Custom) {
      return h('div', null, children);
    }
    const title = pageNav?.text ?? sectionTitle(window.location.pathname);
    const sub = subTitle ?? pageNav?.subTitle;
    return h(
      'div',
      null,
      h(
        'div',
        { style: { display: 'flex', flexDirection: 'column', gap: theme.spacing(1), marginBottom: theme.spacing(2) } },
        h(
          'div',
          { style: { display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: theme.spacing(1, 2) } },
          h(
            'div',
            { style: { display: 'flex', flex: 1 } },
            renderTitle ? renderTitle(title) : h('h1', { style: { display: 'flex', marginBottom: 0 } }, title)
          ),
          h('div', { style: { display: 'flex', gap: theme.spacing(1) } }, actions)
        ),
        sub && h('div', { style: { color: theme.colors.text.secondary } }, sub)
      ),
      children
    );
  };
}
