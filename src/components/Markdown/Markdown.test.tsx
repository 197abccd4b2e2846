import React from 'react';
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { NEVER } from 'rxjs';
import { locationService } from '@grafana/runtime';

import { testIds } from 'components/testIds';

import { Markdown } from './Markdown';

const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getBackendSrv: () => ({ fetch }),
}));

function renderMarkdown(body: string, slug = 'troubleshooting/auth-failures') {
  return render(<Markdown body={body} slug={slug} />);
}

describe('Markdown', () => {
  it('gives headings the anchors the checker and the table of contents use, numbering repeats', () => {
    renderMarkdown('## Verification\n\ntext\n\n### Verify the `event-bus` token\n\n## Verification\n');

    expect(screen.getAllByRole('heading', { name: 'Verification' }).map((h) => h.id)).toEqual([
      'verification',
      'verification-1',
    ]);
    expect(screen.getByRole('heading', { name: 'Verify the event-bus token' })).toHaveAttribute(
      'id',
      'verify-the-event-bus-token'
    );
  });

  it('keeps links between runbooks inside the app and opens them without reloading Grafana', async () => {
    const user = userEvent.setup();
    const push = jest.spyOn(locationService, 'push').mockImplementation(() => undefined);
    renderMarkdown(
      'See [key rotation](../key-rotation.md#rotate-the-event-bus-token) and [docs](https://grafana.com/docs/).'
    );

    const internal = screen.getByRole('link', { name: 'key rotation' });
    expect(internal).toHaveAttribute(
      'href',
      '/a/opsdesk-runbooks-app/runbooks/key-rotation#rotate-the-event-bus-token'
    );
    await user.click(internal);
    expect(push).toHaveBeenCalledWith('/a/opsdesk-runbooks-app/runbooks/key-rotation#rotate-the-event-bus-token');

    const external = screen.getByRole('link', { name: 'docs' });
    expect(external).toHaveAttribute('target', '_blank');
    expect(external).toHaveAttribute('rel', 'noopener noreferrer');
  });

  it('puts a copy button on code blocks, with the code as text, and marks the blocks CI executes', async () => {
    const user = userEvent.setup();
    // ClipboardButton uses the Clipboard API only in a secure context, as Grafana is served in production.
    Object.defineProperty(window, 'isSecureContext', { value: true, configurable: true });
    renderMarkdown(
      '1. Check:\n\n   ```bash exec\n   curl -sS "$GRAFANA_URL/api/health"\n   ```\n\n```promql\nup == 0\n```\n'
    );

    const code = screen.getAllByRole('code');
    expect(code.map((element) => element.textContent)).toEqual(['curl -sS "$GRAFANA_URL/api/health"', 'up == 0']);
    expect(screen.getByText('tested')).toBeInTheDocument();
    expect(screen.getAllByRole('button', { name: /copy/i })).toHaveLength(2);
    await user.click(screen.getAllByRole('button', { name: /copy/i })[0]);
    expect(await navigator.clipboard.readText()).toBe('curl -sS "$GRAFANA_URL/api/health"');
  });

  it('renders a dlq-health fence as a live block that reads the DLQ', () => {
    fetch.mockReturnValue(NEVER);
    renderMarkdown('Look first:\n\n```dlq-health\nstream=orders\n```\n');

    const block = screen.getByTestId(testIds.runbook.liveBlock);
    expect(within(block).getByText(/Reading the DLQ/)).toBeInTheDocument();
    expect(screen.queryByText('stream=orders')).not.toBeInTheDocument();
  });

  it('renders hostile markdown inert: no script, no event handlers, no javascript: links', () => {
    const { container } = renderMarkdown(
      [
        '<script>window.pwned = true</script>',
        '<img src="x" onerror="window.pwned = true">',
        '[click](javascript:window.pwned=true)',
        '<a href="javascript:alert(1)">raw link</a>',
        '<iframe src="https://evil.example.com"></iframe>',
        '<div onmouseover="window.pwned = true">hover</div>',
      ].join('\n\n')
    );

    const markdown = screen.getByTestId(testIds.runbook.markdown);
    expect(markdown.querySelector('script, iframe')).toBeNull();
    expect(container.innerHTML).not.toMatch(/onerror|onmouseover|javascript:/i);
    expect((window as unknown as { pwned?: boolean }).pwned).toBeUndefined();
  });
});
