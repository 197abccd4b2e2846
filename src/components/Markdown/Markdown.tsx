import React, { MouseEvent, useMemo } from 'react';
import { css, cx } from '@emotion/css';
import { GrafanaTheme2, renderMarkdown } from '@grafana/data';
import { locationService } from '@grafana/runtime';
import { ClipboardButton, Icon, Stack, Text, Tooltip, useStyles2 } from '@grafana/ui';

import { LiveDlqHealth, parseLiveBlockOptions } from 'components/LiveDlqHealth/LiveDlqHealth';
import { testIds } from 'components/testIds';
import { extractHeadings, Segment, splitSegments } from 'runbooks/markdown';

import { PLUGIN_BASE_URL } from '../../constants';
import { prepareHtml } from './prepareHtml';

interface Props {
  /** Markdown without front matter. */
  body: string;
  /** Slug of the runbook the markdown belongs to, for resolving its relative links. */
  slug: string;
  /** Stream an alert is about: live blocks focus on it instead of their own option. */
  streamOverride?: string;
  /** The dashboard shown beside the runbook, if any: live-block actions are annotated on it. */
  dashboardUid?: string;
}

/**
 * Renders runbook markdown with Grafana's sanitising `renderMarkdown`; fenced code gets a copy button, and
 * ```dlq-health fences become live blocks.
 */
export const Markdown = ({ body, slug, streamOverride, dashboardUid }: Props) => {
  const styles = useStyles2(getStyles);
  const segments = useMemo(() => {
    const seen = new Map<string, number>();
    const split = splitSegments(body);
    return split.map((segment, index) =>
      segment.kind === 'markdown'
        ? { ...segment, html: prepareHtml(renderMarkdown(segment.text), slug, seen) }
        : { ...segment, section: sectionBefore(split, index) }
    );
  }, [body, slug]);

  // Links between runbooks stay inside Grafana's single-page app instead of reloading it.
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const link = (event.target as HTMLElement).closest('a');
    const href = link?.getAttribute('href');
    if (!href?.startsWith(`${PLUGIN_BASE_URL}/`) || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    locationService.push(href);
  };

  return (
    // Clicks are delegated from the links inside, which stay keyboard-operable as plain links.
    <div className={cx('markdown-html', styles.markdown)} onClick={onClick} data-testid={testIds.runbook.markdown}>
      {segments.map((segment, index) => {
        if (segment.kind === 'markdown') {
          return <div key={index} dangerouslySetInnerHTML={{ __html: segment.html }} />;
        }
        if (segment.info === 'dlq-health') {
          const { stream } = parseLiveBlockOptions(segment.content);
          return (
            <LiveDlqHealth
              key={index}
              stream={streamOverride ?? stream}
              dashboardUid={dashboardUid}
              section={segment.section}
            />
          );
        }
        return <CodeBlock key={index} info={segment.info} content={segment.content} />;
      })}
    </div>
  );
};

/** The last heading before segment `index`: a page's live blocks are told apart by the section they sit in. */
function sectionBefore(segments: Segment[], index: number): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const segment = segments[i];
    const heading = segment.kind === 'markdown' ? extractHeadings(segment.text).at(-1) : undefined;
    if (heading) {
      return heading.text;
    }
  }
  return undefined;
}

const CodeBlock = ({ info, content }: { info: string; content: string }) => {
  const styles = useStyles2(getStyles);
  const [language, ...flags] = info.split(/\s+/);
  const isExecuted = flags.includes('exec');
  return (
    <div className={styles.codeBlock}>
      <Stack justifyContent="space-between" alignItems="center">
        <Stack gap={1} alignItems="center">
          {language && (
            <Text variant="bodySmall" color="secondary">
              {language}
            </Text>
          )}
          {isExecuted && (
            <Tooltip content="CI runs this block, in order with the page's other tested blocks, against real components (the reference event-bus service and Redis, or PostgreSQL), so it works as written">
              <span className={styles.tested}>
                <Icon name="check-circle" size="sm" /> tested
              </span>
            </Tooltip>
          )}
        </Stack>
        <ClipboardButton size="sm" variant="secondary" fill="text" icon="copy" getText={() => content}>
          Copy
        </ClipboardButton>
      </Stack>
      <pre className={styles.pre}>
        <code>{content}</code>
      </pre>
    </div>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  markdown: css({
    maxWidth: '100ch',
    'h1, h2, h3, h4': {
      scrollMarginTop: theme.spacing(8),
    },
    h2: {
      marginTop: theme.spacing(4),
      paddingBottom: theme.spacing(0.5),
      borderBottom: `1px solid ${theme.colors.border.weak}`,
    },
    table: {
      marginBottom: theme.spacing(2),
    },
    // Colour alone does not mark a link in running text (WCAG 1.4.1): Grafana's link blue is 1.6:1 against the text
    // around it in the dark theme.
    a: {
      textDecoration: 'underline',
      textUnderlineOffset: '0.15em',
    },
    // A link that is a list item's only element (the Related list) is a target of its own: at least 24 px tall.
    'li > a:only-child': {
      display: 'inline-block',
      minHeight: 24,
      paddingBlock: 2,
    },
  }),
  codeBlock: css({
    border: `1px solid ${theme.colors.border.weak}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.canvas,
    padding: theme.spacing(0.5, 1, 0, 1.5),
    margin: theme.spacing(1, 0, 2),
  }),
  pre: css({
    margin: 0,
    border: 'none',
    background: 'transparent',
    padding: theme.spacing(0, 0, 1),
    whiteSpace: 'pre',
    overflowX: 'auto',
  }),
  tested: css({
    color: theme.colors.success.text,
    fontSize: theme.typography.bodySmall.fontSize,
  }),
});
