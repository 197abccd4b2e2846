import React, { useMemo } from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';

import { testIds } from 'components/testIds';
import { DlqHealthView } from 'dlq/components/DlqHealthView';
import { normalizeOptions } from 'dlq/options';

interface Props {
  /** Origin stream to focus on, as a full key (`{events}:orders`); all streams when absent. */
  stream?: string;
  /** The dashboard shown beside the runbook, if any: actions are marked on it. */
  dashboardUid?: string;
  /** The heading the block sits under, which names it apart from the page's other live blocks. */
  section?: string;
}

/**
 * The live block a runbook embeds with a ```dlq-health fence: the DLQ health panel itself (health, entries, retry
 * and purge with the same permissions and confirmations), read through the proxy with the reader's own role.
 */
export const LiveDlqHealth = ({ stream, dashboardUid, section }: Props) => {
  const styles = useStyles2(getStyles);
  const options = useMemo(() => normalizeOptions({ stream: stream ?? '', pageSize: 20 }), [stream]);
  return (
    <section
      className={styles.block}
      aria-label={liveBlockName(stream, section)}
      data-testid={testIds.runbook.liveBlock}
    >
      <DlqHealthView options={options} layout="full" refreshKey={0} dashboardUid={dashboardUid} />
    </section>
  );
};

/** The block's landmark name: what it shows and where, so a screen reader's list of regions tells the blocks apart. */
export function liveBlockName(stream: string | undefined, section: string | undefined): string {
  return `Live DLQ health of ${stream ?? 'every stream'}${section ? `, ${section}` : ''}`;
}

/** Reads the options of a ```dlq-health block: one `key=value` a line; `stream` may omit the `{events}:` prefix. */
export function parseLiveBlockOptions(content: string): { stream?: string } {
  const options = Object.fromEntries(
    content
      .split('\n')
      .map((line) => line.trim().split('='))
      .filter((pair) => pair.length === 2 && pair[0] !== '')
  );
  const stream: string | undefined = options.stream;
  return { stream: stream && !stream.startsWith('{') ? `{events}:${stream}` : stream };
}

const getStyles = (theme: GrafanaTheme2) => ({
  block: css({
    border: `1px solid ${theme.colors.border.medium}`,
    borderLeft: `3px solid ${theme.colors.primary.border}`,
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    padding: theme.spacing(1.5, 2),
    margin: theme.spacing(2, 0),
  }),
});
