import React, { KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { locationService, PluginPage } from '@grafana/runtime';
import {
  Alert,
  Button,
  Card,
  EmptyState,
  FilterPill,
  Icon,
  Input,
  Stack,
  TagList,
  Text,
  TextLink,
  useStyles2,
} from '@grafana/ui';

import { Markdown } from 'components/Markdown/Markdown';
import { ExerciseBadge, ReviewBadge } from 'components/ReviewBadge/ReviewBadge';
import { testIds } from 'components/testIds';
import { loadSearchHeadings, RUNBOOK_INDEX, RUNBOOKS, SearchHeadings } from 'runbooks/catalog';
import { sectionOf } from 'runbooks/markdown';
import { exerciseOf, reviewOf } from 'runbooks/review';
import { allOwners, allTags, searchRunbooks } from 'runbooks/search';
import { runbookPath } from 'runbooks/urls';

import { PLUGIN_BASE_URL, ROUTES } from '../constants';

const ESCALATION_SECTIONS = ['Ownership', 'Escalation'];

/** Every runbook, searchable and filterable, with who owns what and how to escalate. */
const RunbookIndexPage = () => {
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const resultsRef = useRef<HTMLUListElement>(null);
  const query = params.get('q') ?? '';
  const tags = params.getAll('tag');
  const owners = params.getAll('owner');
  const unresolvedAlert = params.get('unresolved');
  const today = new Date();

  const headings = useSearchHeadings();
  const results = useMemo(
    () => searchRunbooks(RUNBOOKS, { query, tags, owners }, headings.value),
    [query, tags, owners, headings.value]
  );
  const escalation = useMemo(
    () =>
      ESCALATION_SECTIONS.map((title) => sectionOf(RUNBOOK_INDEX.body, title))
        .filter(Boolean)
        .join('\n\n'),
    []
  );

  const update = (change: (next: URLSearchParams) => void) => {
    const next = new URLSearchParams(params);
    change(next);
    setParams(next, { replace: true });
  };
  const toggle = (key: 'tag' | 'owner', value: string) =>
    update((next) => {
      const values = next.getAll(key);
      next.delete(key);
      (values.includes(value) ? values.filter((v) => v !== value) : [...values, value]).forEach((v) =>
        next.append(key, v)
      );
    });
  const clear = () => setParams(new URLSearchParams(), { replace: true });

  // Enter opens the best match; the down arrow moves from the search box into the results.
  const onSearchKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' && results.length > 0) {
      locationService.push(runbookPath(results[0].runbook.slug));
    } else if (event.key === 'ArrowDown') {
      event.preventDefault();
      resultsRef.current?.querySelector<HTMLAnchorElement>('a')?.focus();
    }
  };
  const onResultsKeyDown = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') {
      return;
    }
    const links = Array.from(resultsRef.current?.querySelectorAll<HTMLAnchorElement>('a') ?? []);
    const index = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = links[index + (event.key === 'ArrowDown' ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  };

  return (
    <PluginPage
      subTitle="Procedures for the opsdesk platform. Alerts link here with their labels; each runbook opens beside its dashboard."
      actions={
        <TextLink href={`${PLUGIN_BASE_URL}/${ROUTES.Status}`} icon="signal" inline={false}>
          Event bus status
        </TextLink>
      }
    >
      <div className={styles.layout}>
        <div className={styles.main}>
          {unresolvedAlert && (
            <Alert
              severity="info"
              title={`No runbook lists the alert ${unresolvedAlert}`}
              data-testid={testIds.index.unresolvedAlert}
            >
              The search below is filled with its name. Pick the runbook that fits, and ask its owner to add the alert
              to its front matter so the next page links straight to it.
            </Alert>
          )}
          <Input
            prefix={<Icon name="search" />}
            placeholder="Search titles, tags, alert names and headings"
            aria-label="Search runbooks"
            value={query}
            onChange={(event) => {
              const value = event.currentTarget.value;
              update((next) => (value ? next.set('q', value) : next.delete('q')));
            }}
            onKeyDown={onSearchKeyDown}
            data-testid={testIds.index.search}
            autoFocus
          />
          {query && headings.status !== 'loaded' && (
            <div data-testid={testIds.index.headingsState}>
              <Text variant="bodySmall" color="secondary">
                {headings.status === 'loading'
                  ? 'Searching titles, tags and alert names; headings are still loading.'
                  : 'Searching titles, tags and alert names only: the headings could not be loaded.'}
              </Text>
            </div>
          )}
          <Stack gap={1} wrap="wrap" alignItems="center">
            <Text variant="bodySmall" color="secondary">
              Tags
            </Text>
            {allTags(RUNBOOKS).map((tag) => (
              <FilterPill key={tag} label={tag} selected={tags.includes(tag)} onClick={() => toggle('tag', tag)} />
            ))}
          </Stack>
          <Stack gap={1} wrap="wrap" alignItems="center">
            <Text variant="bodySmall" color="secondary">
              Owner
            </Text>
            {allOwners(RUNBOOKS).map((owner) => (
              <FilterPill
                key={owner}
                label={owner}
                selected={owners.includes(owner)}
                onClick={() => toggle('owner', owner)}
              />
            ))}
          </Stack>

          {results.length === 0 ? (
            <div data-testid={testIds.index.empty}>
              <EmptyState variant="not-found" message={`No runbook matches ${query ? `"${query}"` : 'these filters'}`}>
                <Button variant="secondary" onClick={clear}>
                  Clear search and filters
                </Button>
              </EmptyState>
            </div>
          ) : (
            <ul className={styles.results} ref={resultsRef} onKeyDown={onResultsKeyDown} aria-label="Runbooks">
              {results.map(({ runbook, matchedOn }) => (
                <li key={runbook.slug} data-testid={testIds.index.result}>
                  <Card href={runbookPath(runbook.slug)} className={styles.card}>
                    <Card.Heading>{runbook.title}</Card.Heading>
                    <Card.Meta>
                      <span>Owner {runbook.owner}</span>
                      <ReviewBadge review={reviewOf(runbook, today)} />
                      <ExerciseBadge exercise={exerciseOf(runbook, today)} />
                    </Card.Meta>
                    <Card.Description>
                      {matchedOn
                        ? `Matches ${matchedOn}`
                        : runbook.alerts.length > 0
                          ? `Answers ${runbook.alerts.join(', ')}`
                          : 'Answers no alert'}
                    </Card.Description>
                    <Card.Tags>
                      <TagList tags={runbook.tags} />
                    </Card.Tags>
                  </Card>
                </li>
              ))}
            </ul>
          )}
        </div>
        <aside className={styles.aside} data-testid={testIds.index.escalation} aria-label="Ownership and escalation">
          <Markdown body={escalation} slug="README" />
        </aside>
      </div>
    </PluginPage>
  );
};

export default RunbookIndexPage;

/** The headings search reads, fetched when the index opens so they are there by the first keystroke. */
function useSearchHeadings(): { status: 'loading' | 'loaded' | 'failed'; value?: SearchHeadings } {
  const [state, setState] = useState<{ status: 'loading' | 'loaded' | 'failed'; value?: SearchHeadings }>({
    status: 'loading',
  });
  useEffect(() => {
    let current = true;
    loadSearchHeadings().then(
      (value) => current && setState({ status: 'loaded', value }),
      () => current && setState({ status: 'failed' })
    );
    return () => {
      current = false;
    };
  }, []);
  return state;
}

const getStyles = (theme: GrafanaTheme2) => ({
  layout: css({
    display: 'grid',
    gridTemplateColumns: 'minmax(0, 3fr) minmax(0, 2fr)',
    gap: theme.spacing(4),
    [theme.breakpoints.down('lg')]: {
      gridTemplateColumns: 'minmax(0, 1fr)',
    },
  }),
  main: css({
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(2),
  }),
  // Card's `noMargin` arrived in Grafana 12.1; on 11.6 and 12.0 it would reach the DOM and leave the margin.
  card: css({ marginBottom: 0 }),
  results: css({
    listStyle: 'none',
    margin: 0,
    padding: 0,
    display: 'flex',
    flexDirection: 'column',
    gap: theme.spacing(1),
  }),
  aside: css({
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
