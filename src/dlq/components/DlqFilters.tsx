import React, { useEffect, useState } from 'react';
import { css } from '@emotion/css';
import { Field, Input, Select, Stack, useStyles2 } from '@grafana/ui';

interface Props {
  /** Stream keys to offer, for example from the health's breakdown. */
  streams: string[];
  stream?: string;
  q?: string;
  onStreamChange: (stream: string | undefined) => void;
  onQueryChange: (q: string | undefined) => void;
}

const ALL = '';
const TYPING_PAUSE_MS = 400;

/** Filter by origin stream and by text in type or reason; the text applies once typing pauses. */
export const DlqFilters = ({ streams, stream, q, onStreamChange, onQueryChange }: Props) => {
  const styles = useStyles2(getStyles);
  const [text, setText] = useState(q ?? '');

  useEffect(() => {
    const trimmed = text.trim();
    if (trimmed === (q ?? '')) {
      return;
    }
    const timer = setTimeout(() => onQueryChange(trimmed || undefined), TYPING_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text, q, onQueryChange]);

  const keys = stream && !streams.includes(stream) ? [stream, ...streams] : streams;
  const options = [{ label: 'All streams', value: ALL }, ...keys.map((key) => ({ label: key, value: key }))];

  return (
    <Stack gap={1} wrap="wrap">
      <Field label="Stream" className={styles.field}>
        {/* Select over Combobox: it renders the same on every Grafana this panel supports (11.6 and later), and its
            options do not depend on layout measurements. */}
        {/* eslint-disable-next-line @typescript-eslint/no-deprecated */}
        <Select
          aria-label="Stream"
          width={30}
          options={options}
          value={stream ?? ALL}
          onChange={(option) => onStreamChange(option?.value || undefined)}
        />
      </Field>
      <Field label="Type or reason contains" className={styles.field}>
        <Input
          width={30}
          value={text}
          maxLength={200}
          placeholder="ValidationError"
          onChange={(event) => setText(event.currentTarget.value)}
        />
      </Field>
    </Stack>
  );
};

// Field's `noMargin` arrived in Grafana 12.1; on 11.6 and 12.0 it would reach the DOM and leave the margin. A class
// renders the same on every version the panel supports.
const getStyles = () => ({
  field: css({ marginBottom: 0 }),
});
