import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { Text, useStyles2 } from '@grafana/ui';

import { testIds } from 'components/testIds';
import type { CatalogHeading } from 'runbooks/catalog';

/** Sections (H2) and their steps (H3), linking to the heading anchors. */
export const TableOfContents = ({ headings }: { headings: readonly CatalogHeading[] }) => {
  const styles = useStyles2(getStyles);
  const entries = headings.filter((heading) => heading.depth === 2 || heading.depth === 3);
  return (
    <nav aria-label="Table of contents" className={styles.nav} data-testid={testIds.runbook.toc}>
      <Text variant="h6" element="h2">
        On this page
      </Text>
      <ul className={styles.list}>
        {entries.map((heading) => (
          <li key={heading.anchor} className={heading.depth === 3 ? styles.nested : undefined}>
            <a href={`#${heading.anchor}`} className={styles.link}>
              {heading.text}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
};

const getStyles = (theme: GrafanaTheme2) => ({
  nav: css({
    position: 'sticky',
    top: theme.spacing(2),
    maxHeight: `calc(100vh - ${theme.spacing(16)})`,
    overflowY: 'auto',
  }),
  list: css({
    listStyle: 'none',
    margin: theme.spacing(1, 0, 0),
    padding: 0,
  }),
  nested: css({
    paddingLeft: theme.spacing(2),
  }),
  // WCAG 2.2 target size (2.5.8): each link at least 24 px tall, so stacked links are not a row of thin targets.
  link: css({
    display: 'flex',
    alignItems: 'center',
    minHeight: 24,
    padding: theme.spacing(0.25, 0),
    color: theme.colors.text.secondary,
    fontSize: theme.typography.bodySmall.fontSize,
    '&:hover, &:focus-visible': {
      color: theme.colors.text.link,
    },
  }),
});
