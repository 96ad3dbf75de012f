/**
 * The Azure credential: the managed identity in Azure, a developer sign-in locally. A module of
 * its own so that the composition root loads `@azure/identity` (and MSAL) only when a configured
 * branch talks to Azure.
 */

import { DefaultAzureCredential, type TokenCredential } from '@azure/identity';

/** `clientId` picks a user-assigned managed identity (`AZURE_CLIENT_ID`). */
export function createCredential(clientId: string | undefined): TokenCredential {
  return clientId === undefined
    ? new DefaultAzureCredential()
    : new DefaultAzureCredential({ managedIdentityClientId: clientId });
}
