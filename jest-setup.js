// Jest setup provided by Grafana scaffolding
import './.config/jest-setup';

import { configure } from '@testing-library/react';

// findBy* and waitFor give up after 1 s by default, which makes "renders within 1 s" a hidden assertion on the
// machine's speed: real @grafana/ui components in jsdom take hundreds of milliseconds on a busy 2-core machine.
// 10 s bounds a hang without timing anything.
configure({ asyncUtilTimeout: 10_000 });

// Grafana sets its one app event bus at start (setAppEvents in public/app/app.ts), before any plugin loads; the
// views use it to tell each other the DLQ changed. Tests that mock @grafana/runtime bring their own.
const { EventBusSrv } = jest.requireActual('@grafana/data');
jest.requireActual('@grafana/runtime').setAppEvents(new EventBusSrv());
