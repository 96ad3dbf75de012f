/** Deep links an on-call engineer clicks first. Pure string building. */

import type { Alert } from '../alerts/alert';

export interface Link {
  readonly title: string;
  readonly url: string;
}

const PORTAL = 'https://portal.azure.com/#@/resource';

function isHttps(url: string | undefined): url is string {
  return url !== undefined && /^https:\/\/[^\s]+$/.test(url);
}

export function linksFor(alert: Alert): Link[] {
  const links: Link[] = [];
  const logs =
    alert.logSearch?.linkToFilteredSearchResultsUI ?? alert.logSearch?.linkToSearchResultsUI;
  if (isHttps(logs)) links.push({ title: 'Open the logs', url: logs });
  const hub = alert.hubResourceIds[0];
  if (hub !== undefined) links.push({ title: 'Open the IoT hub', url: `${PORTAL}${hub}/overview` });
  if (alert.id.startsWith('/subscriptions/')) {
    links.push({
      title: 'Open the alert',
      url: `https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId/${encodeURIComponent(alert.id)}`,
    });
  }
  return links;
}
