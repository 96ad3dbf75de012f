// Storage Blob Data Contributor for one Event Grid system topic's system-assigned identity, on the
// dead-letter container only (not the account): Event Grid writes the connection events it could
// not deliver there with that identity (deadLetterWithResourceIdentity), no key or SAS involved.
// Deployed into this deployment's resource group, where the storage account lives; the topic itself
// lives in its hub's resource group (connection-events-topic.bicep).

@description('Storage account of the app (in this module\'s resource group).')
param storageAccountName string

@description('Dead-letter blob container in that account.')
param containerName string

@description('Principal (object) ID of the system topic\'s system-assigned identity.')
param principalId string

var storageBlobDataContributorRoleId = 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName

  resource blobService 'blobServices' existing = {
    name: 'default'

    resource container 'containers' existing = {
      name: containerName
    }
  }
}

// Named guid(container, principal, role): idempotent, and a reused topic shared by two
// environments gets one assignment per environment's container.
resource deadLetterWriter 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage::blobService::container.id, principalId, storageBlobDataContributorRoleId)
  scope: storage::blobService::container
  properties: {
    roleDefinitionId: subscriptionResourceId(
      'Microsoft.Authorization/roleDefinitions',
      storageBlobDataContributorRoleId
    )
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
