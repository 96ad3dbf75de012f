/** One builder for the `Alert` objects tests need; each test overrides what it is about. */

import type { Alert } from '../../lib/alerts/alert';

export function testAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: '/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.AlertsManagement/alerts/aaaa',
    rule: 'iothub-404104',
    severity: 'Sev3',
    condition: 'Fired',
    signal: 'log',
    monitoringService: 'Log Alerts V2',
    firedAt: '2024-05-01T10:10:00.000Z',
    window: { start: '2024-05-01T10:00:00.000Z', end: '2024-05-01T10:05:00.000Z' },
    hubResourceIds: [],
    deviceIds: [],
    dimensions: [],
    customProperties: {},
    isDisconnectAlert: true,
    ...overrides,
  };
}
