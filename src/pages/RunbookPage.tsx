import React, { FormEvent, useEffect, useState } from 'react';
import { useLocation } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { locationService, PluginPage } from '@grafana/runtime';
import { Alert, Button, EmptyState, Input, LinkButton, LoadingPlaceholder, Stack, useStyles2 } from '@grafana/ui';

import { AlertContextBanner } from 'components/AlertContext/AlertContext';
import { Markdown } from 'components/Markdown/Markdown';
import { RunbookHeader } from 'components/RunbookHeader/RunbookHeader';
import { TableOfContents } from 'components/TableOfContents/TableOfContents';
import { testIds } from 'components/testIds';
import { CatalogRunbook, findRunbook } from 'runbooks/catalog';
import { ContentState, useRunbookContent } from 'runbooks/useRunbookContent';
import { alertContextFrom, besideDashboard, runbookIndexPath } from 'runbooks/urls';

interface Props {
  slug: string;
}

/** One runbook: its header, the alert that brought the operator here, the procedure and a table of contents. */
const RunbookPage = ({ slug }: Props) => {
  const styles = useStyles2(getStyles);
  const params = new URLSearchParams(useLocation().search);
  const runbook = findRunbook(slug);
  const content = useRunbookContent(runbook);
  if (!runbook) {
    return <RunbookNotFound slug={slug} />;
  }
  return (
    <PluginPage pageNav={{ text: runbook.title }}>
      <div className={styles.layout}>
        <article className={styles.main}>
          <RunbookContent runbook={runbook} content={content} params={params} />
        </article>
        <aside className={styles.aside}>
          {content.status === 'loaded' && <TableOfContents headings={content.content.headings} />}
        </aside>
      </div>
    </PluginPage>
  );
};

export default RunbookPage;

/** What the runbook page and the beside view share: header, alert banner and the procedure. */
export const RunbookContent = ({
  runbook,
  content,
  params,
  isBeside = false,
}: {
  runbook: CatalogRunbook;
  content: ContentState;
  params: URLSearchParams;
  isBeside?: boolean;
}) => {
  const alert = alertContextFrom(params);
  const stream = alert?.labels.find(([key]) => key === 'stream')?.[1];
  const meaning =
    alert && content.status === 'loaded'
      ? content.content.headings.find((heading) => heading.text === alert.alertname)
      : undefined;
  useScrollToHashOnLoad(content.status === 'loaded');
  return (
    <>
      {alert && (
        <AlertContextBanner
          context={alert}
          from={params.get('from')}
          to={params.get('to')}
          meaningAnchor={meaning?.anchor}
        />
      )}
      <RunbookHeader runbook={runbook} params={params} today={new Date()} isBeside={isBeside} />
      {content.status === 'loading' && <LoadingPlaceholder text="Loading the procedure..." />}
      {content.status === 'error' && (
        <Alert severity="error" title="The procedure could not be loaded">
          <Stack direction="column" gap={1} alignItems="flex-start">
            <span>
              {content.error.message.replace(/\.$/, '')}. Check the connection to Grafana and try again; the header
              above still names the owner and the escalation.
            </span>
            <Button variant="secondary" icon="sync" onClick={content.retry}>
              Try again
            </Button>
          </Stack>
        </Alert>
      )}
      {content.status === 'loaded' && (
        <Markdown
          body={withoutTitle(content.content.body, runbook.title)}
          slug={runbook.slug}
          streamOverride={stream}
          dashboardUid={isBeside ? besideDashboard(runbook.dashboards, params.get('dashboard')) : undefined}
        />
      )}
    </>
  );
};

// The body arrives after the browser looked for the URL's #section, so go there once it is drawn.
function useScrollToHashOnLoad(loaded: boolean) {
  const { hash } = useLocation();
  useEffect(() => {
    if (loaded && hash.length > 1) {
      document.getElementById(safeDecode(hash.slice(1)))?.scrollIntoView();
    }
  }, [loaded, hash]);
}

// A hand-edited URL can carry a malformed escape; it names no heading then, and must not break the page.
function safeDecode(fragment: string): string {
  try {
    return decodeURIComponent(fragment);
  } catch {
    return fragment;
  }
}

// The page title already shows the H1.
function withoutTitle(body: string, title: string): string {
  return body.replace(new RegExp(`^\\s*#\\s+${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*\\n`), '');
}

const RunbookNotFound = ({ slug }: Props) => {
  const [query, setQuery] = useState(slug.split('/').pop()?.replace(/-/g, ' ') ?? '');
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    locationService.push(runbookIndexPath(new URLSearchParams({ q: query })));
  };
  return (
    <PluginPage pageNav={{ text: 'Runbook not found' }}>
      <div data-testid={testIds.runbook.notFound}>
        <EmptyState variant="not-found" message={`There is no runbook at "${slug}"`}>
          <Stack direction="column" gap={2} alignItems="center">
            <span>It may have been renamed or merged into another. Search the runbooks instead:</span>
            <form onSubmit={onSubmit}>
              <Stack gap={1}>
                <Input
                  aria-label="Search the runbooks"
                  value={query}
                  onChange={(event) => setQuery(event.currentTarget.value)}
                  width={40}
                />
                <Button type="submit" icon="search">
                  Search
                </Button>
              </Stack>
            </form>
            <LinkButton variant="secondary" href={runbookIndexPath()}>
              All runbooks
            </LinkButton>
          </Stack>
        </EmptyState>
      </div>
    </PluginPage>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 1fr) 240px',
    gap: theme.spacing(4),
    [theme.breakpoints.down('lg')]: {
      gridTemplateColumns: 'minmax(0, 1fr)',
    },
  }),
  main: css({
    minWidth: 0,
  }),
  aside: css({
    [theme.breakpoints.down('lg')]: {
      display: 'none',
    },
  }),
});
