/** What can be shown of the routing anywhere (health, CLI, logs): names, never URLs. */

import type { ReceiverType, RoutingSettings } from '../config/routeSettings';
import type { RouteWarning } from './routeWarnings';

export interface RoutingView {
  readonly source: RoutingSettings['source'];
  readonly receivers: readonly {
    name: string;
    type: ReceiverType;
    signed: boolean;
    urlSetting: string;
  }[];
  readonly routes: readonly {
    path: string;
    name?: string;
    matchers: readonly string[];
    receivers: readonly string[];
    continue: boolean;
  }[];
  readonly default: readonly string[];
  readonly warnings?: readonly RouteWarning[];
}

export function routingView(
  routing: RoutingSettings,
  warnings?: readonly RouteWarning[],
): RoutingView {
  return {
    source: routing.source,
    receivers: routing.receivers.map((r) => ({
      name: r.name,
      type: r.type,
      signed: r.secret !== undefined,
      urlSetting: r.urlSetting,
    })),
    routes: routing.routes.map((r) => ({
      path: r.path,
      ...(r.name !== undefined && { name: r.name }),
      matchers: r.matchers.map((m) => m.text),
      receivers: r.receivers,
      continue: r.continue,
    })),
    default: routing.defaultReceivers,
    ...(warnings && { warnings }),
  };
}
