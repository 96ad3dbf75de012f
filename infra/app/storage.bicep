// Storage for the Function app: the Flex Consumption deployment container, the host's own state
// (AzureWebJobsStorage, identity-based), the alert queue, the idempotency table, the incident table
// and the silence table;
// with the Event Grid path (connectionEvents) also the connection-check queue and its poison queue,
// the connection table and the Event Grid dead-letter container.
// Shared-key access is disabled: every caller uses Entra ID (the app's user-assigned identity, and
// for dead letters the Event Grid system topics' system-assigned identities).

@description('Storage account name (3-24 lower-case letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the account.')
param tags object

@description('Blob container that holds the deployment package (Flex Consumption functionAppConfig.deployment).')
@minLength(3)
@maxLength(63)
param deploymentContainerName string

@description('Queue between the HTTP intake and the enrichment worker.')
@minLength(3)
@maxLength(63)
param alertQueueName string

@description('Table used for idempotency (alertId + monitorCondition).')
@minLength(3)
@maxLength(63)
param dedupeTableName string

@description('Table holding incident records, the memory of fired alerts and the daily counters.')
@minLength(3)
@maxLength(63)
param incidentTableName string

@description('Table holding the silences set by on-call people (the silences function, the cards\' Mute links).')
@minLength(3)
@maxLength(63)
param silenceTableName string

@description('Create the Event Grid path\'s queue, poison queue, table and dead-letter container.')
param connectionEventsEnabled bool

@description('Queue of connection checks, fed by the connectionEvents function.')
@minLength(3)
@maxLength(56)
param connectionCheckQueueName string

@description('Table in which the connection events path keeps its per-device records.')
@minLength(3)
@maxLength(63)
param connectionTableName string

@description('Blob container that receives the Event Grid subscription\'s dead letters.')
@minLength(3)
@maxLength(63)
param connectionEventsDeadLetterContainerName string

@description('Resource ID of the Log Analytics workspace that receives the blob, queue and table logs and metrics.')
param workspaceResourceId string

@description('Deny public network access: the app reaches blob, queue and table through private endpoints (network.bicep).')
param disablePublicNetworkAccess bool

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    // Without VNet integration Flex Consumption reaches storage over the public endpoint; with it
    // (vnetEnabled) through the blob, queue and table private endpoints only.
    publicNetworkAccess: disablePublicNetworkAccess ? 'Disabled' : 'Enabled'
    networkAcls: {
      defaultAction: disablePublicNetworkAccess ? 'Deny' : 'Allow'
      bypass: 'AzureServices'
    }
  }

  resource blobService 'blobServices' = {
    name: 'default'

    resource deploymentContainer 'containers' = {
      name: deploymentContainerName
      properties: {
        publicAccess: 'None'
      }
    }

    // Event Grid writes undeliverable connection events here, as the system topic's identity.
    resource connectionEventsDeadLetterContainer 'containers' = if (connectionEventsEnabled) {
      name: connectionEventsDeadLetterContainerName
      properties: {
        publicAccess: 'None'
      }
    }
  }

  resource queueService 'queueServices' = {
    name: 'default'

    resource alertQueue 'queues' = {
      name: alertQueueName
    }

    resource connectionCheckQueue 'queues' = if (connectionEventsEnabled) {
      name: connectionCheckQueueName
    }

    // Created up front (the host would create it on the first poisoned message) so the queue
    // exists for whoever inspects or drains it.
    resource connectionCheckPoisonQueue 'queues' = if (connectionEventsEnabled) {
      name: '${connectionCheckQueueName}-poison'
    }
  }

  resource tableService 'tableServices' = {
    name: 'default'

    resource dedupeTable 'tables' = {
      name: dedupeTableName
    }

    resource incidentTable 'tables' = {
      name: incidentTableName
    }

    resource silenceTable 'tables' = {
      name: silenceTableName
    }

    resource connectionTable 'tables' = if (connectionEventsEnabled) {
      name: connectionTableName
    }
  }
}

// Diagnostic settings on the blob, queue and table services (resource logs exist per service, not
// on the account). Writes and deletes only: StorageRead would log every poll of the alert queue
// by the Functions host, a steady stream of rows that costs more than it tells.
var storageLogs = [
  {
    category: 'StorageWrite'
    enabled: true
  }
  {
    category: 'StorageDelete'
    enabled: true
  }
]
var storageMetrics = [
  {
    category: 'Transaction'
    enabled: true
  }
]

resource accountDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'iothub-alert-enricher'
  scope: storage
  properties: {
    workspaceId: workspaceResourceId
    metrics: storageMetrics
  }
}

resource blobDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'iothub-alert-enricher'
  scope: storage::blobService
  properties: {
    workspaceId: workspaceResourceId
    logs: storageLogs
    metrics: storageMetrics
  }
}

resource queueDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'iothub-alert-enricher'
  scope: storage::queueService
  properties: {
    workspaceId: workspaceResourceId
    logs: storageLogs
    metrics: storageMetrics
  }
}

resource tableDiagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = {
  name: 'iothub-alert-enricher'
  scope: storage::tableService
  properties: {
    workspaceId: workspaceResourceId
    logs: storageLogs
    metrics: storageMetrics
  }
}

@description('Storage account name.')
output name string = storage.name

@description('Storage account resource ID.')
output id string = storage.id

@description('Blob endpoint, with a trailing slash.')
output blobEndpoint string = storage.properties.primaryEndpoints.blob

@description('Queue endpoint, with a trailing slash.')
output queueEndpoint string = storage.properties.primaryEndpoints.queue

@description('Table endpoint, with a trailing slash.')
output tableEndpoint string = storage.properties.primaryEndpoints.table
