// Per IoT hub, deployed into the hub's own resource group (which may differ from this
// deployment's): Monitoring Reader for the app's identity, so the worker can read the hub's
// `connectedDeviceCount` metric, and optionally the diagnostic setting that sends the hub's
// resource logs (Connections and the other categories the evidence uses) to the workspace.

@description('Name of the existing IoT hub (in this module\'s resource group).')
param iotHubName string

@description('Principal (object) ID of the Function app\'s user-assigned managed identity.')
param principalId string

@description('Create the diagnostic setting that sends the hub\'s resource logs to the workspace.')
param configureDiagnostics bool

@description('Name of the diagnostic setting.')
@minLength(1)
param diagnosticSettingName string

@description('Resource ID of the Log Analytics workspace that receives the logs.')
param workspaceResourceId string

@description('IoT Hub resource log categories to send (Connections is the one the alerts and the diagnosis need).')
@minLength(1)
param logCategories string[]

var monitoringReaderRoleId = '43d0d8ad-25c7-4714-9337-8ba259a9fe05'

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' existing = {
  name: iotHubName
}

resource monitoringReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(hub.id, principalId, monitoringReaderRoleId)
  scope: hub
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Logs land in the AzureDiagnostics table (IoT Hub has no resource-specific tables).
resource diagnostics 'Microsoft.Insights/diagnosticSettings@2021-05-01-preview' = if (configureDiagnostics) {
  name: diagnosticSettingName
  scope: hub
  properties: {
    workspaceId: workspaceResourceId
    logs: [
      for category in logCategories: {
        category: category
        enabled: true
      }
    ]
  }
}
