// Log Analytics Reader on the workspace that holds the IoT hub Connections logs. Deployed with
// `scope: resourceGroup(<workspace subscription>, <workspace resource group>)` from main.bicep,
// because the workspace is usually shared and lives in another resource group or subscription.

@description('Name of the existing Log Analytics workspace (in this module\'s resource group).')
param workspaceName string

@description('Principal (object) ID of the Function app\'s user-assigned managed identity.')
param principalId string

var logAnalyticsReaderRoleId = '73c42c96-874c-492b-b04d-ab87d138a893'

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: workspaceName
}

resource logAnalyticsReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(workspace.id, principalId, logAnalyticsReaderRoleId)
  scope: workspace
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', logAnalyticsReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}
