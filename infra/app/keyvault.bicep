// Key Vault (RBAC authorization, no access policies) holding the delivery secrets, the named
// receivers' (routing) among them. The app reads them through Key Vault references in its app
// settings. A secret is written only when its value is passed, so redeploying without a value
// keeps whatever an operator set with `az keyvault secret set` (see docs/deployment.md, "Rotate
// the Teams Workflows URL" and "Routes and receivers").

@description('Key Vault name (3-24 characters, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the vault.')
param tags object

@description('Resource ID of the Log Analytics workspace that receives the vault\'s audit logs and metrics.')
param workspaceResourceId string

@description('Deny public network access: the app resolves its Key Vault references through the private endpoint (network.bicep).')
param disablePublicNetworkAccess bool

@description('Turn on purge protection (cannot be turned off again once on).')
param enablePurgeProtection bool

@description('Recover the soft-deleted vault of this name instead of creating a new one.')
param recoverSoftDeleted bool

@description('Secret names, as used by the Key Vault references in the app settings.')
param secretNames {
  teamsWorkflowUrl: string
  webhookUrl: string
  webhookSecret: string
  @description('Written by action-signing-keys.bicep, not here.')
  actionSigningKeys: string
}

@secure()
@description('Teams Workflows webhook URL; empty = leave the secret as it is.')
param teamsWorkflowUrl string

@secure()
@description('Generic webhook URL; empty = leave the secret as it is.')
param webhookUrl string

@secure()
@description('HMAC secret for signing webhook bodies; empty = leave the secret as it is.')
param webhookSecret string

@description('The receivers declared in routing, with the names of their secrets.')
param receivers receiverSecretNames[]

@secure()
@description('Receiver URLs by receiver name; a missing or empty value = leave the secret as it is (set or rotate it with az keyvault secret set).')
param receiverUrls object

@secure()
@description('HMAC secrets of the signed webhook receivers by receiver name; a missing or empty value = leave the secret as it is (set or rotate it with az keyvault secret set).')
param receiverSecrets object

@description('A declared receiver and the names of its Key Vault secrets.')
type receiverSecretNames = {
  @description('Receiver name, e.g. plant-a.')
  name: string

  @description('A webhook receiver that signs its bodies (type webhook, signed true).')
  signed: bool

  @description('The secret with its URL: receiver-<name>-url.')
  urlSecretName: string

  @description('The secret with its HMAC signing secret (signed webhooks only): receiver-<name>-secret.')
  signingSecretName: string
}

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    // A deleted vault keeps its name for the retention period: 'recover' brings it back with its
    // secrets; 'default' fails on a name still held by a soft-deleted vault.
    createMode: recoverSoftDeleted ? 'recover' : 'default'
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: enablePurgeProtection ? true : null
    // Public endpoint unless vnetEnabled: then Flex Consumption resolves the Key Vault references
    // through its VNet integration and the vault's private endpoint (network-restricted vaults are
    // generally available for Flex Consumption since October 2025).
    publicNetworkAccess: disablePublicNetworkAccess ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: disablePublicNetworkAccess ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }
}

// Who read or changed which secret (AuditEvent) and the vault's metrics, next to the app's logs.
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'iothub-alert-enricher'
  scope: vault
  properties: {
    workspaceId: workspaceResourceId
    logs: [
      {
        categoryGroup: 'audit'
        enabled: true
      }
    ]
    metrics: [
      {
        category: 'AllMetrics'
        enabled: true
      }
    ]
  }
}

resource teamsWorkflowUrlSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(teamsWorkflowUrl)) {
  parent: vault
  name: secretNames.teamsWorkflowUrl
  properties: {
    value: teamsWorkflowUrl
    contentType: 'text/uri-list'
  }
}

resource webhookUrlSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(webhookUrl)) {
  parent: vault
  name: secretNames.webhookUrl
  properties: {
    value: webhookUrl
    contentType: 'text/uri-list'
  }
}

resource webhookSecretSecret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = if (!empty(webhookSecret)) {
  parent: vault
  name: secretNames.webhookSecret
  properties: {
    value: webhookSecret
    contentType: 'text/plain'
  }
}

// One secret per named receiver URL (and signing secret of a signed webhook), written only when a
// value is passed, like the three above.
resource receiverUrlSecrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [
  for receiver in receivers: if (!empty(receiverUrls[?receiver.name] ?? '')) {
    parent: vault
    name: receiver.urlSecretName
    properties: {
      value: receiverUrls[receiver.name]
      contentType: 'text/uri-list'
    }
  }
]

resource receiverSigningSecrets 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = [
  for receiver in receivers: if (receiver.signed && !empty(receiverSecrets[?receiver.name] ?? '')) {
    parent: vault
    name: receiver.signingSecretName
    properties: {
      value: receiverSecrets[receiver.name]
      contentType: 'text/plain'
    }
  }
]

@description('Key Vault name.')
output name string = vault.name

@description('Key Vault resource ID.')
output id string = vault.id

@description('Vault URI with a trailing slash, e.g. https://<name>.vault.azure.net/.')
output uri string = vault.properties.vaultUri
