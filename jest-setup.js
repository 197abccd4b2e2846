// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

import { configure } from '@testing-library/react';

// findBy* and waitFor give up after 1 s by default, which makes "renders within 1 s" a hidden assertion on the
// machine's speed: real @grafana/ui components in jsdom take hundreds of milliseconds on a busy 2-core machine.
// 10 s bounds a hang without timing anything.
configure({ asyncUtilTimeout: 10_000 });
