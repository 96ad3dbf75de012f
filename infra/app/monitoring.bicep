// Workspace-based Application Insights for the Function app. Local (instrumentation-key)
// authentication is disabled: the app sends telemetry with its managed identity, which needs
// Monitoring Metrics Publisher on this component (granted in rbac.bicep).

@description('Application Insights component name.')
@minLength(1)
@maxLength(260)
param name string

@description('Azure region.')
param location string

@description('Tags applied to the component.')
param tags object

@description('Resource ID of the Log Analytics workspace that stores the telemetry (may be in another resource group).')
param workspaceResourceId string

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: name
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: workspaceResourceId
    DisableLocalAuth: true
    IngestionMode: 'LogAnalytics'
    publicNetworkAccessForIngestion: 'Enabled'
    publicNetworkAccessForQuery: 'Enabled'
  }
}

@description('Application Insights component name.')
output name string = appInsights.name

@description('Application Insights component resource ID.')
output id string = appInsights.id
