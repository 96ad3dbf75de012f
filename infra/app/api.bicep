// The Function app: Flex Consumption plan (FC1, Linux), Node 22, a user-assigned managed identity
// for everything (deployment package, AzureWebJobsStorage, Key Vault references, Log Analytics,
// metrics, Application Insights), and the app settings that lib/config/configKeys.ts reads.

@description('Function app name (also the first label of its default host name).')
@minLength(2)
@maxLength(60)
param name string

@description('Flex Consumption plan name.')
@minLength(1)
@maxLength(60)
param planName string

@description('Azure region.')
param location string

@description('Tags applied to the plan.')
param tags object

@description('Tags applied to the Function app (includes azd-service-name).')
param appTags object

@description('Resource ID of the user-assigned managed identity.')
param identityId string

@description('Client ID of the user-assigned managed identity.')
param identityClientId string

@description('Storage account name (identity-based AzureWebJobsStorage).')
param storageAccountName string

@description('Blob endpoint of the storage account, with a trailing slash.')
param storageBlobEndpoint string

@description('Queue endpoint of the storage account, with a trailing slash.')
param storageQueueEndpoint string

@description('Table endpoint of the storage account, with a trailing slash.')
param storageTableEndpoint string

@description('Blob container that receives the deployment package.')
param deploymentContainerName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Key Vault URI with a trailing slash.')
param keyVaultUri string

@description('Key Vault secret names used in the Key Vault references.')
param secretNames {
  teamsWorkflowUrl: string
  webhookUrl: string
  webhookSecret: string
  actionSigningKeys: string
}

@description('Set TEAMS_WORKFLOW_URL (Key Vault reference).')
param notifyTeams bool

@description('Set WEBHOOK_URL (Key Vault reference).')
param notifyWebhook bool

@description('Set WEBHOOK_SECRET (Key Vault reference) so webhook bodies are signed.')
param signWebhook bool

@description('Log Analytics workspace ID (the GUID customerId, not the ARM resource ID).')
param logAnalyticsWorkspaceId string

@description('IoT hub resource ID used when an alert names no hub.')
param defaultIotHubResourceId string

@description('Resource IDs of the IoT hubs the deployment watches: the intake refuses alerts about other hubs.')
@minLength(1)
param iotHubResourceIds string[]

@description('functionKey: the Functions host key alone guards the intake. entraId: the intake also verifies the action group\'s Entra ID token.')
@allowed(['functionKey', 'entraId'])
param webhookAuth string

@description('entraId only: Application ID URI of the intake\'s app registration (the token audience).')
param entraAppIdentifierUri string

@description('entraId only: application (client) ID of that app registration (the audience of v2 tokens).')
param entraAppClientId string

@description('Alert dimension that carries the device ID.')
param deviceIdDimension string

@description('Minutes of history read before the alert window.')
param evidenceLookbackMinutes int

@description('Time-out of one delivery attempt, in milliseconds.')
param notifyTimeoutMs int

@description('Instance memory of the Flex Consumption plan, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int

@description('Upper bound on the number of instances (a low cap also bounds concurrent Log Analytics queries).')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int

@description('Deny inbound traffic by default and admit only the service tags and ranges below. False = no access restriction.')
param restrictInbound bool

@description('Also admit the ApplicationInsightsAvailability service tag (the watchdog\'s availability test on /api/health).')
param allowAvailabilityTests bool

@description('Also admit the AzureEventGrid service tag (the Event Grid path delivers to the connectionEvents function over HTTPS).')
param allowEventGrid bool

@description('Service tags admitted besides ActionGroup, e.g. AzureEventGrid.')
@maxLength(50)
param extraAllowedServiceTags string[]

@description('Address ranges (CIDR) admitted, e.g. the organisation\'s.')
@maxLength(400)
param allowedAddressRanges string[]

@description('Seconds a disconnected device may stay away before its disconnect becomes an alert.')
@minValue(30)
@maxValue(3600)
param reconnectGraceSeconds int

@description('Per-hub overrides of reconnectGraceSeconds, by hub name; empty = none.')
param reconnectGraceSecondsByHub object

@description('Weekly maintenance windows (UTC), written as JSON to MAINTENANCE_WINDOWS; empty = none.')
param maintenanceWindows array

@description('The longest a silence may last, in days.')
@minValue(1)
@maxValue(90)
param silenceMaxDays int

@description('Sign the cards\' action links: ACTION_SIGNING_KEYS (Key Vault reference), ACTION_SIGNING_KEY_ID and PUBLIC_BASE_URL; false = all three empty, the cards carry no links.')
param actionLinksEnabled bool

@description('The key id that signs new links (ACTION_SIGNING_KEY_ID).')
param actionSigningKeyId string

@description('How long an action link works, in hours.')
@minValue(1)
@maxValue(720)
param actionLinkHours int

@description('Named receivers and routes, written as JSON to ROUTES; empty = ROUTES not set, no RECEIVER_ settings. Holds no URL or secret.')
param routing object

@description('The receivers declared in routing, with the names of their Key Vault secrets: RECEIVER_<NAME>_URL (and RECEIVER_<NAME>_SECRET for a signed webhook) are Key Vault references to them.')
param receivers {
  name: string
  signed: bool
  urlSecretName: string
  signingSecretName: string
}[]

@description('Resource ID of the subnet (delegated to Microsoft.App/environments) for VNet integration; empty = none.')
param virtualNetworkSubnetId string

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

// Inbound access (issue 17 item 10): the action group's webhook calls come from the ActionGroup
// service tag, the availability tests from ApplicationInsightsAvailability, the Event Grid
// deliveries to connectionEvents (/runtime/webhooks/eventgrid) from AzureEventGrid; Event Grid
// does not retry a 403, so without the tag every event would go straight to the dead letters.
// union() drops a tag listed twice. Tags take priorities 100+, address ranges 1000+; the first
// match wins, and anything unmatched meets the default action. The rules apply to every HTTP
// endpoint of the app (/api/alerts, /api/health, the Event Grid webhook alike); queue triggers and
// outbound calls are unaffected. They cover the anonymous /api/act too (the pages behind the
// cards' links, opened by people from Teams and phones): only allowedAddressRanges admit people,
// so with the restriction on, the links work from those ranges only (main.bicep refuses action
// links that nobody could open); restrictInbound=false opens the whole app, not just /api/act.
var allowedServiceTags = union(
  ['ActionGroup'],
  allowAvailabilityTests ? ['ApplicationInsightsAvailability'] : [],
  allowEventGrid ? ['AzureEventGrid'] : [],
  extraAllowedServiceTags
)
var serviceTagRules = map(allowedServiceTags, (tag, i) => {
  name: take(tag, 32)
  description: 'Service tag ${tag}'
  action: 'Allow'
  tag: 'ServiceTag'
  ipAddress: tag
  priority: 100 + i
})
var addressRangeRules = map(allowedAddressRanges, (range, i) => {
  name: 'address-range-${i + 1}'
  description: 'Address range ${range}'
  action: 'Allow'
  tag: 'Default'
  ipAddress: range
  priority: 1000 + i
})

resource site 'Microsoft.Web/sites@2024-04-01' = {
  name: name
  location: location
  tags: appTags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    publicNetworkAccess: 'Enabled'
    // Key Vault references resolve with the user-assigned identity (default would be system-assigned).
    keyVaultReferenceIdentity: identityId
    // VNet integration (vnetEnabled): storage and Key Vault through their private endpoints.
    virtualNetworkSubnetId: empty(virtualNetworkSubnetId) ? null : virtualNetworkSubnetId
    siteConfig: {
      minTlsVersion: '1.2'
      // Set explicitly either way, so that switching the restriction off removes the rules.
      ipSecurityRestrictions: restrictInbound ? concat(serviceTagRules, addressRangeRules) : []
      ipSecurityRestrictionsDefaultAction: restrictInbound ? 'Deny' : 'Allow'
      // The SCM site (zip deploy, Kudu) keeps its own, open rules: deployments come from wherever
      // the deployer runs, and basic-auth publishing is off, so SCM calls need an Entra ID token.
      scmIpSecurityRestrictionsUseMain: false
      scmIpSecurityRestrictionsDefaultAction: 'Allow'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }

  // No FTP or basic-auth SCM publishing: deployments authenticate with Entra ID.
  resource ftpPolicy 'basicPublishingCredentialsPolicies' = {
    name: 'ftp'
    properties: {
      allow: false
    }
  }

  resource scmPolicy 'basicPublishingCredentialsPolicies' = {
    name: 'scm'
    properties: {
      allow: false
    }
  }
}

var keyVaultReference = {
  teamsWorkflowUrl: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.teamsWorkflowUrl})'
  webhookUrl: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.webhookUrl})'
  webhookSecret: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.webhookSecret})'
  actionSigningKeys: '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${secretNames.actionSigningKeys})'
}

// Named receivers and routes: ROUTES (the JSON, no URL in it) and per declared receiver
// RECEIVER_<NAME>_URL, plus RECEIVER_<NAME>_SECRET for a signed webhook, as Key Vault references
// (<NAME>: the name upper-cased, '-' as '_'). Their number follows routing, so they are added to
// the fixed settings below only when routing is set; without it the settings are exactly today's.
var receiverUrlSettings = toObject(
  receivers,
  receiver => 'RECEIVER_${toUpper(replace(receiver.name, '-', '_'))}_URL',
  receiver => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${receiver.urlSecretName})'
)
var receiverSecretSettings = toObject(
  filter(receivers, receiver => receiver.signed),
  receiver => 'RECEIVER_${toUpper(replace(receiver.name, '-', '_'))}_SECRET',
  receiver => '@Microsoft.KeyVault(SecretUri=${keyVaultUri}secrets/${receiver.signingSecretName})'
)
var routeSettings = empty(routing)
  ? {}
  : union({ ROUTES: string(routing) }, receiverUrlSettings, receiverSecretSettings)

// Every key here is read by lib/config/configKeys.ts (CONFIG_KEYS) or by the Functions host. An empty value
// means "not set" to lib/config/configKeys.ts, which keeps the key set fixed whatever the switches say
// (routeSettings above aside).
// Not set on purpose: FUNCTIONS_WORKER_RUNTIME, FUNCTIONS_EXTENSION_VERSION and
// WEBSITE_RUN_FROM_PACKAGE (deprecated on Flex Consumption; functionAppConfig replaces them) and
// LOG_ANALYTICS_ENDPOINT (the public-cloud default is right).
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'appsettings'
  properties: union(
    {
      EVIDENCE_SOURCE: 'log-analytics'
      LOG_ANALYTICS_WORKSPACE_ID: logAnalyticsWorkspaceId
      TEAMS_WORKFLOW_URL: notifyTeams ? keyVaultReference.teamsWorkflowUrl : ''
      WEBHOOK_URL: notifyWebhook ? keyVaultReference.webhookUrl : ''
      WEBHOOK_SECRET: notifyWebhook && signWebhook ? keyVaultReference.webhookSecret : ''
      DEVICE_ID_DIMENSION: deviceIdDimension
      DEFAULT_IOTHUB_RESOURCE_ID: toLower(defaultIotHubResourceId)
      IOTHUB_RESOURCE_IDS: join(map(iotHubResourceIds, id => toLower(id)), ',')
      INTAKE_AUTH: webhookAuth == 'entraId' ? 'entra-id' : 'function-key'
      ENTRA_TENANT_ID: webhookAuth == 'entraId' ? tenant().tenantId : ''
      ENTRA_AUDIENCE: webhookAuth == 'entraId' ? entraAppIdentifierUri : ''
      ENTRA_CLIENT_ID: webhookAuth == 'entraId' ? entraAppClientId : ''
      EVIDENCE_LOOKBACK_MINUTES: string(evidenceLookbackMinutes)
      NOTIFY_TIMEOUT_MS: string(notifyTimeoutMs)
      RECONNECT_GRACE_SECONDS: string(reconnectGraceSeconds)
      // JSON {"<hub name>": <seconds>}; empty (not set) when there is no override.
      RECONNECT_GRACE_SECONDS_BY_HUB: empty(reconnectGraceSecondsByHub) ? '' : string(reconnectGraceSecondsByHub)
      // JSON [{"name", "matchers", "days", "start", "end"}]; empty (not set) when there is none.
      MAINTENANCE_WINDOWS: empty(maintenanceWindows) ? '' : string(maintenanceWindows)
      SILENCE_MAX_DAYS: string(silenceMaxDays)
      // The card links (/api/act): the keys only ever as a Key Vault reference; the links point at
      // this app's own host name.
      ACTION_SIGNING_KEYS: actionLinksEnabled ? keyVaultReference.actionSigningKeys : ''
      ACTION_SIGNING_KEY_ID: actionLinksEnabled ? actionSigningKeyId : ''
      PUBLIC_BASE_URL: actionLinksEnabled ? 'https://${site.properties.defaultHostName}' : ''
      ACTION_LINK_HOURS: string(actionLinkHours)
      STATE_STORE: 'azure-storage'
      AzureWebJobsStorage__accountName: storageAccountName
      AzureWebJobsStorage__credential: 'managedidentity'
      AzureWebJobsStorage__clientId: identityClientId
      AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
      AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
      AzureWebJobsStorage__tableServiceUri: storageTableEndpoint
      AZURE_CLIENT_ID: identityClientId
      APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'
    },
    routeSettings
  )
}

@description('Function app name.')
output name string = site.name

@description('Function app resource ID.')
output id string = site.id

@description('Default host name (Flex Consumption may use a unique, region-qualified host name).')
output defaultHostName string = site.properties.defaultHostName
