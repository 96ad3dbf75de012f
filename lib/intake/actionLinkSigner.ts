/**
 * The signer the delivery layer hands to rendering: it holds the signing keys and the clock, so
 * the renderers stay pure. Every link points at the action page, `GET /api/act?token=…`.
 */

import { type ActionClaims, signActionToken } from '../actions/actionToken';
import type { ActionLinkSettings } from '../config/loadConfig';

/** The action page's route under `/api` (functions/actionPage.ts). */
export const ACTION_PAGE_ROUTE = 'act';

export function actionPageUrl(baseUrl: string, token: string): string {
  return `${baseUrl}/api/${ACTION_PAGE_ROUTE}?token=${encodeURIComponent(token)}`;
}

/** Links signed now expire `settings.hours` later. */
export function createActionLinkSigner(
  settings: ActionLinkSettings,
  now: () => Date,
): (claims: Omit<ActionClaims, 'expiresAt'>) => string {
  return (claims) => {
    const expiresAt = Math.floor(now().getTime() / 1000) + settings.hours * 3600;
    return actionPageUrl(
      settings.baseUrl,
      signActionToken({ ...claims, expiresAt }, settings.signingKeys),
    );
  };
}
