// iothub-alert-enricher: everything the enricher needs, in one resource-group deployment.
//
//   az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam
//
// Creates: user-assigned identity, storage (deployment container, alert queue, dedupe, incident
// and silence tables),
// Application Insights, Key Vault (RBAC) with the delivery secrets, the Flex Consumption Function
// app (Node 22) with its app settings, role assignments, the IoT hub diagnostic settings, and the
// action group plus the two alerts; with connectionEventsEnabled, an Event Grid system topic on each
// hub and a subscription to the connectionEvents function; with actionLinksEnabled, the Key Vault
// secret that signs the cards' action links. The Log Analytics workspace and the IoT
// hubs must exist and may live in other resource groups or subscriptions (same tenant). Local
// modules only.
// See docs/deployment.md.

targetScope = 'resourceGroup'

// ---------------------------------------------------------------------------------------------
// Parameters: environment
// ---------------------------------------------------------------------------------------------

@minLength(1)
@maxLength(64)
@description('Environment name, e.g. "prod" or "dev-alice". Seeds the generated resource names and the azd-env-name tag.')
param environmentName string

@description('Region for the new resources. Defaults to the resource group\'s region; Flex Consumption must be available there.')
@metadata({ azd: { type: 'location' } })
param location string = resourceGroup().location

@description('Extra tags for every resource.')
param tags object = {}

// ---------------------------------------------------------------------------------------------
// Parameters: what to watch
// ---------------------------------------------------------------------------------------------

@minLength(1)
@description('ARM resource ID of the existing Log Analytics workspace that holds (or will hold) the IoT hub Connections logs: /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>. May be in another resource group or subscription.')
param logAnalyticsWorkspaceResourceId string

@description('ARM resource ID of the Log Analytics workspace for Application Insights telemetry; empty = the workspace above.')
param appInsightsWorkspaceResourceId string = ''

@minLength(1)
@description('ARM resource IDs of the existing IoT hubs to alert on (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.Devices/IotHubs/<name>). The first one is the default hub for alerts that name none.')
param iotHubResourceIds string[]

@description('Create a diagnostic setting on each hub that sends its resource logs to the workspace. Turn off if the hubs already send Connections to this workspace (a category can go to one workspace through one setting only) or if you may not change the hubs.')
param configureIotHubDiagnostics bool = true

@minLength(1)
@description('Name of the diagnostic setting created on each hub; the default carries the environment name, so a second environment does not overwrite the first one\'s setting.')
param iotHubDiagnosticSettingName string = 'iothub-alert-enricher-${environmentName}'

@minLength(1)
@description('IoT Hub resource log categories to send to the workspace. Connections is required; the others feed the evidence.')
param iotHubLogCategories string[] = [
  'Connections'
  'DeviceTelemetry'
  'C2DCommands'
  'DeviceIdentityOperations'
  'D2CTwinOperations'
]

// ---------------------------------------------------------------------------------------------
// Parameters: delivery
// ---------------------------------------------------------------------------------------------

@description('Post to a Teams channel through a Workflows webhook (TEAMS_WORKFLOW_URL from Key Vault).')
param notifyTeams bool = true

@description('Post to a generic webhook (WEBHOOK_URL from Key Vault). At least one of notifyTeams and notifyWebhook must be true.')
param notifyWebhook bool = false

@description('Sign webhook bodies with HMAC-SHA256 (WEBHOOK_SECRET from Key Vault). Only used with notifyWebhook.')
param signWebhook bool = false

@secure()
@description('Teams Workflows webhook URL, stored as a Key Vault secret. Empty = keep the current secret (set or rotate it with az keyvault secret set).')
param teamsWorkflowUrl string = ''

@secure()
@description('Generic webhook URL, stored as a Key Vault secret. Empty = keep the current secret.')
param webhookUrl string = ''

@secure()
@description('HMAC secret for webhook signatures, stored as a Key Vault secret. Empty = keep the current secret.')
param webhookSecret string = ''

@description('Object ID of a user, group or service principal that may set and rotate the delivery secrets (Key Vault Secrets Officer). Defaults to whoever deploys; empty = nobody.')
param keyVaultOfficerPrincipalId string = deployer().objectId

@description('Turn on Key Vault purge protection (recommended; it cannot be turned off again).')
param keyVaultPurgeProtection bool = true

@description('Recover a soft-deleted Key Vault of the same name (after the resource group was deleted) instead of creating one. Fails when no deleted vault of that name exists: pass it once on the command line, never commit it in a .bicepparam. Alternatively pass a new keyVaultName. See docs/deployment.md.')
param keyVaultRecoverSoftDeleted bool = false

// ---------------------------------------------------------------------------------------------
// Parameters: app behaviour (app settings read by lib/config/configKeys.ts)
// ---------------------------------------------------------------------------------------------

@minLength(1)
@description('Alert dimension that carries the device ID (DEVICE_ID_DIMENSION); must match the log search alert\'s split column.')
param deviceIdDimension string = 'DeviceId'

@minValue(15)
@maxValue(10080)
@description('Minutes of history read before the alert window (EVIDENCE_LOOKBACK_MINUTES); several hours show the hourly SAS-token renewals.')
param evidenceLookbackMinutes int = 360

@minValue(1000)
@maxValue(120000)
@description('Time-out of one delivery attempt to Teams or the webhook, in ms (NOTIFY_TIMEOUT_MS).')
param notifyTimeoutMs int = 10000

@allowed([512, 2048, 4096])
@description('Flex Consumption instance memory in MB.')
param instanceMemoryMB int = 2048

@minValue(1)
@maxValue(1000)
@description('Flex Consumption maximum instance count (1 to 1000). A low cap also bounds the number of concurrent Log Analytics queries.')
param maximumInstanceCount int = 40

// ---------------------------------------------------------------------------------------------
// Parameters: alerting
// ---------------------------------------------------------------------------------------------

@description('Create the action group and the alerts. The action group URL carries the intake\'s own function key "action-group" (not the host\'s default key), which exists once the code is deployed and the key created: deploy with false first, deploy the code, create the key, then deploy again with true. See docs/deployment.md.')
param deployAlerts bool = true

@allowed(['functionKey', 'entraId'])
@description('functionKey: the action group calls the intake with its dedicated function key "action-group" (?code=). entraId: secure webhook, the action group also sends an Entra ID token for the app registration below.')
param webhookAuth string = 'functionKey'

@description('entraId only: object ID of the app registration that represents the intake API.')
param entraAppObjectId string = ''

@description('entraId only: Application ID URI of that app registration, e.g. api://iothub-alert-enricher.')
param entraAppIdentifierUri string = ''

@description('entraId only: application (client) ID of that app registration, the audience of v2 tokens (ENTRA_CLIENT_ID).')
param entraAppClientId string = ''

// Deploy-time check: with entraId every alert would get a 401 (which action groups do not retry)
// unless all three app registration parameters are set. ARM evaluates only the chosen branch of if().
var checkedWebhookAuth = webhookAuth == 'entraId' && (empty(entraAppObjectId) || empty(entraAppIdentifierUri) || empty(entraAppClientId))
  ? fail('webhookAuth=entraId needs entraAppObjectId, entraAppIdentifierUri and entraAppClientId (see docs/deployment.md, "Secure webhook with Entra ID").')
  : webhookAuth

@minValue(0)
@maxValue(4)
@description('Severity of both alerts (0 = critical ... 4 = verbose).')
param alertSeverity int = 2

@minValue(0)
@description('The 404104 log search alert fires for a device when it has MORE than this many disconnects in the window. 0 = any disconnect; 1 ignores a single hourly SAS-token renewal.')
param disconnectThreshold int = 0

@allowed(['PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT1H'])
@description('How often the 404104 log search alert runs.')
param disconnectEvaluationFrequency string = 'PT5M'

@allowed(['PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT1H', 'PT2H'])
@description('Time window of the 404104 log search alert; a longer window tolerates late logs. A window shorter than the frequency is raised to the frequency.')
param disconnectWindowSize string = 'PT15M'

@minValue(1)
@description('The hub-level 404104 alert (not split by device) fires when at least this many distinct devices of one hub dropped in 5 minutes: a storm stays one alert, whatever the 300-alerts-per-evaluation cap of the per-device alert drops.')
param hubDropDeviceThreshold int = 20

@description('Store the log search alert rules in the workspace\'s linked storage for alerts (customer-managed keys), for workspaces under a policy that requires it; the workspace must have that linked storage account.')
param checkWorkspaceAlertsStorageConfigured bool = false

@allowed(['static', 'dynamic'])
@description('connectedDeviceCount alert: a static threshold, or dynamic thresholds learned from the hub\'s history.')
param connectedDevicesAlertMode string = 'static'

@minValue(1)
@description('static mode: alert when the average number of connected devices over 5 minutes drops below this.')
param connectedDevicesThreshold int = 1

@allowed(['Low', 'Medium', 'High'])
@description('dynamic mode: sensitivity of the learned threshold.')
param connectedDevicesSensitivity string = 'Medium'

@description('Create the watchdog (with the alerts, see deployAlerts): an availability test on /api/health and alerts on the poison queue and on dead letters, sent to a separate action group that does not route through the enricher. See docs/deployment.md, "Watchdog".')
param deployWatchdog bool = true

@description('E-mail address the watchdog alerts go to (its own action group). Empty = no watchdog action group: the alerts still fire and show in Azure Monitor, but notify nobody.')
param watchdogEmail string = ''

// ---------------------------------------------------------------------------------------------
// Parameters: connection events (Event Grid)
// ---------------------------------------------------------------------------------------------

@description('The Event Grid path: an Event Grid system topic on each hub, and a subscription that sends DeviceConnected and DeviceDisconnected to the connectionEvents function (created with deployAlerts, the second step of the first deployment: the function must exist), dead letters in a blob container. See docs/deployment.md, "Turning on the Event Grid path".')
param connectionEventsEnabled bool = false

@description('connectionEventsEnabled only: the hubs\' existing Event Grid system topics to reuse, {"<hub name>": "<system topic name>"}. A hub can have only one system topic, so name it here when the hub already has one; it must sit in the hub\'s resource group with its system-assigned identity on. Other hubs get a new topic egst-<hub name>.')
param existingIotHubSystemTopics topicNameByHub = {}

@minValue(30)
@maxValue(3600)
@description('Seconds a disconnected device may stay away before its disconnect becomes an alert (RECONNECT_GRACE_SECONDS).')
param reconnectGraceSeconds int = 180

@description('Per-hub overrides of reconnectGraceSeconds, {"<hub name>": <seconds, 30 to 3600>}, written as JSON to RECONNECT_GRACE_SECONDS_BY_HUB (empty = none). Every name must be one of the watched hubs.')
param reconnectGraceSecondsByHub secondsByHub = {}

@description('Seconds (30 to 3600) by hub name.')
type secondsByHub = {
  @minValue(30)
  @maxValue(3600)
  *: int
}

@description('Event Grid system topic name by hub name.')
type topicNameByHub = {
  @minLength(3)
  @maxLength(128)
  *: string
}

// ---------------------------------------------------------------------------------------------
// Parameters: silences, maintenance windows and card links (issue 19)
// ---------------------------------------------------------------------------------------------

@maxLength(50)
@description('Weekly maintenance windows in UTC, held like silences while they last, written as JSON to MAINTENANCE_WINDOWS (empty = none), e.g. [{ name: \'sunday patching\', matchers: [\'hub=iot-fleet-prod\'], days: [\'sun\'], start: \'02:00\', end: \'04:00\' }]. Each must name a hub, device, module or site; the app checks the rest.')
param maintenanceWindows maintenanceWindow[] = []

@minValue(1)
@maxValue(90)
@description('The longest a silence may last, in days (SILENCE_MAX_DAYS).')
param silenceMaxDays int = 30

@description('Put Acknowledge and Mute links on the cards: the anonymous /api/act pages, authorised by a signed token in the link. Sets ACTION_SIGNING_KEYS (a Key Vault reference to the secret action-signing-keys, written by this template), ACTION_SIGNING_KEY_ID and PUBLIC_BASE_URL. People must reach /api/act: with restrictIntakeToAzureMonitor on, only from allowedAddressRanges (at least one is then required). See docs/deployment.md, "Silences, maintenance windows and card links".')
param actionLinksEnabled bool = false

@minLength(1)
@maxLength(40)
@description('actionLinksEnabled only: the key id that signs new links (ACTION_SIGNING_KEY_ID). A new id is a new key; rotate through actionSigningSecondKeyId.')
param actionSigningKeyId string = 'k1'

@maxLength(40)
@description('actionLinksEnabled only: a second key id the secret holds besides actionSigningKeyId: links it signed are still accepted, it signs no new ones; empty = none. For a rotation: add the new id here, then swap the two, then empty this ACTION_LINK_HOURS (actionLinkHours) later.')
param actionSigningSecondKeyId string = ''

@minValue(1)
@maxValue(720)
@description('How long an action link works, in hours (ACTION_LINK_HOURS).')
param actionLinkHours int = 72

@description('A weekly maintenance window, in UTC.')
type maintenanceWindow = {
  @minLength(1)
  @description('Shown on the held messages, e.g. "sunday patching".')
  name: string

  @minLength(1)
  @description('Matchers such as "hub=<hub name>", "device=<device ID>"; at least one names a hub, device, module or site.')
  matchers: string[]

  @minLength(1)
  @description('Days the window starts on.')
  days: ('sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat')[]

  @minLength(5)
  @maxLength(5)
  @description('Start, HH:MM UTC.')
  start: string

  @minLength(5)
  @maxLength(5)
  @description('End, HH:MM UTC (may be past midnight: earlier than start).')
  end: string
}

// ---------------------------------------------------------------------------------------------
// Parameters: named receivers and routes (issue 20)
// ---------------------------------------------------------------------------------------------

@description('Named receivers and the ordered routes that pick them, written as JSON to ROUTES (empty = no routes: ROUTES is not set and every alert goes to the built-in receivers as today), e.g. { receivers: [{ name: \'plant-a\', type: \'teams\' }, { name: \'provisioning\', type: \'webhook\', signed: true }], routes: [{ name: \'plant A\', matchers: [\'hub=~plant-a-*\'], receivers: [\'plant-a\'], continue: true }], default: { receivers: [\'teams\'] } }. Receiver names match ^[a-z][a-z0-9-]{0,30}$; teams and webhook are the built-in receivers (TEAMS_WORKFLOW_URL, WEBHOOK_URL and WEBHOOK_SECRET), named in routes but never declared. No URL or secret here: each declared receiver reads RECEIVER_<NAME>_URL (and RECEIVER_<NAME>_SECRET for a signed webhook) from the Key Vault secrets receiver-<name>-url and receiver-<name>-secret. See docs/deployment.md, "Routes and receivers".')
param routing object = {}

@secure()
@description('URLs of the receivers declared in routing, { \'<receiver name>\': \'<URL>\' }, each stored as the Key Vault secret receiver-<name>-url. A missing or empty value keeps the current secret (set or rotate it with az keyvault secret set). Pass it on the command line or from the environment, never in a committed .bicepparam.')
param receiverUrls object = {}

@secure()
@description('HMAC signing secrets of the signed webhook receivers declared in routing, { \'<receiver name>\': \'<secret>\' }, each stored as the Key Vault secret receiver-<name>-secret. A missing or empty value keeps the current secret (set or rotate it with az keyvault secret set). Pass it on the command line or from the environment, never in a committed .bicepparam.')
param receiverSecrets object = {}

// ---------------------------------------------------------------------------------------------
// Parameters: inbound access to the function app
// ---------------------------------------------------------------------------------------------

@description('Admit only Azure Monitor to the function app: the ActionGroup service tag (and ApplicationInsightsAvailability when the watchdog is deployed) plus extraAllowedServiceTags and allowedAddressRanges; any other caller gets 403. The SCM site (deployments) stays open. False = no access restriction at all. See docs/deployment.md, "Inbound access".')
param restrictIntakeToAzureMonitor bool = true

@maxLength(50)
@description('More service tags the function app admits when restrictIntakeToAzureMonitor is on, e.g. AzureEventGrid for an Event Grid subscription.')
param extraAllowedServiceTags string[] = []

@maxLength(400)
@description('Address ranges in CIDR notation (e.g. 203.0.113.0/24) the function app admits when restrictIntakeToAzureMonitor is on: the organisation\'s, for people (opening card links, see actionLinksEnabled) and for testing from your own machine.')
param allowedAddressRanges string[] = []

// ---------------------------------------------------------------------------------------------
// Parameters: private networking
// ---------------------------------------------------------------------------------------------

@description('Private networking: a VNet with the app\'s VNet integration, private endpoints (and private DNS zones) for storage blob, queue and table and for the Key Vault, and public network access denied on the storage account and the vault. See docs/deployment.md, "Private networking".')
param vnetEnabled bool = false

@description('vnetEnabled only: address space of the new VNet, /23 or larger (first /24: app subnet; second: private endpoints).')
param vnetAddressPrefix string = '10.0.0.0/16'

// ---------------------------------------------------------------------------------------------
// Parameters: optional name overrides (empty = generated)
// ---------------------------------------------------------------------------------------------

@maxLength(60)
@description('Function app name; empty = generated.')
param functionAppName string = ''

@maxLength(24)
@description('Storage account name (lower-case letters and digits); empty = generated.')
param storageAccountName string = ''

@maxLength(24)
@description('Key Vault name; empty = generated.')
param keyVaultName string = ''

// ---------------------------------------------------------------------------------------------
// Names
// ---------------------------------------------------------------------------------------------

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, resourceGroup().id, environmentName, location))
var allTags = union(tags, { 'azd-env-name': environmentName })

var names = {
  identity: '${abbrs.managedIdentityUserAssignedIdentities}enricher-${resourceToken}'
  storage: !empty(storageAccountName) ? storageAccountName : '${abbrs.storageStorageAccounts}${resourceToken}'
  keyVault: !empty(keyVaultName) ? keyVaultName : '${abbrs.keyVaultVaults}${resourceToken}'
  appInsights: '${abbrs.insightsComponents}enricher-${resourceToken}'
  plan: '${abbrs.webServerFarms}enricher-${resourceToken}'
  functionApp: !empty(functionAppName) ? functionAppName : '${abbrs.webSitesFunctions}enricher-${resourceToken}'
  vnet: '${abbrs.networkVirtualNetworks}enricher-${resourceToken}'
  actionGroup: '${abbrs.insightsActionGroups}enricher-${resourceToken}'
  // One per environment, so two environments watching one hub share its system topic.
  connectionEventSubscription: '${abbrs.eventGridEventSubscriptions}enricher-${resourceToken}'
  disconnectAlert: '${abbrs.insightsScheduledQueryRules}iothub-404104-disconnects-${resourceToken}'
  hubDropAlert: '${abbrs.insightsScheduledQueryRules}iothub-404104-hub-drops-${resourceToken}'
  metricAlertPrefix: '${abbrs.insightsMetricAlerts}connected-devices-${environmentName}-'
}

// Resources the code relies on; the names are shared with lib/state (queue and table).
var deploymentContainerName = 'app-package-${resourceToken}'
var alertQueueName = 'alert-enrichment'
var dedupeTableName = 'alertdedupe'
var incidentTableName = 'incidents'
var silenceTableName = 'enrichersilences'
var connectionCheckQueueName = 'connection-checks'
var connectionTableName = 'enricherconnections'
var connectionEventsDeadLetterContainerName = 'connection-events-deadletter'
// The Event Grid trigger registered by functions/ (app.eventGrid('connectionEvents', ...)).
var connectionEventsFunctionName = 'connectionEvents'
var secretNames = {
  teamsWorkflowUrl: 'teams-workflow-url'
  webhookUrl: 'webhook-url'
  webhookSecret: 'webhook-secret'
  actionSigningKeys: 'action-signing-keys'
}

// /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.OperationalInsights/workspaces/<name>
var workspaceIdParts = split(logAnalyticsWorkspaceResourceId, '/')

// The Event Grid path, per watched hub: where its system topic lives (the hub's subscription and
// resource group) and its name, reused or egst-<hub name>. IoT hub names are globally unique, so
// the hub name is the key of both per-hub parameters (compared case-insensitively).
var watchedHubNames = map(iotHubResourceIds, id => toLower(last(split(id, '/'))))
var reusedTopicNames = toObject(items(existingIotHubSystemTopics), entry => toLower(entry.key), entry => entry.value)
var connectionEventHubs = map(iotHubResourceIds, id => {
  name: last(split(id, '/'))
  subscriptionId: split(id, '/')[2]
  resourceGroup: split(id, '/')[4]
  reuseTopic: contains(reusedTopicNames, toLower(last(split(id, '/'))))
  systemTopicName: reusedTopicNames[?toLower(last(split(id, '/')))] ?? '${abbrs.eventGridSystemTopics}${last(split(id, '/'))}'
})

// Deploy-time checks: a per-hub entry for a hub that is not watched is a typo that would otherwise
// pass silently. ARM evaluates only the chosen branch of the conditional.
var unknownGraceHubs = filter(objectKeys(reconnectGraceSecondsByHub), name => !contains(watchedHubNames, toLower(name)))
var checkedGraceByHub = empty(unknownGraceHubs)
  ? reconnectGraceSecondsByHub
  : fail('reconnectGraceSecondsByHub names hubs that are not in iotHubResourceIds: ${join(unknownGraceHubs, ', ')}.')
var unknownTopicHubs = filter(objectKeys(existingIotHubSystemTopics), name => !contains(watchedHubNames, toLower(name)))
var checkedConnectionEventHubs = empty(unknownTopicHubs)
  ? connectionEventHubs
  : fail('existingIotHubSystemTopics names hubs that are not in iotHubResourceIds: ${join(unknownTopicHubs, ', ')}.')

// Named receivers (routing.receivers): the Key Vault secret behind each app setting. Nothing here
// holds a URL or a secret, only names; the values go from receiverUrls and receiverSecrets straight
// into the vault (keyvault.bicep).
var builtInReceivers = ['teams', 'webhook']
var declaredReceivers = map(routing.?receivers ?? [], receiver => {
  name: receiver.name
  signed: receiver.?type == 'webhook' && receiver.?signed == true
  urlSecretName: 'receiver-${receiver.name}-url'
  signingSecretName: 'receiver-${receiver.name}-secret'
})
var declaredReceiverNames = map(declaredReceivers, receiver => receiver.name)
var signedReceiverNames = map(filter(declaredReceivers, receiver => receiver.signed), receiver => receiver.name)
var routedReceiverNames = union(
  flatten(map(routing.?routes ?? [], route => route.?receivers ?? [])),
  routing.?default.?receivers ?? []
)

// Deploy-time checks on routing (the app checks the rest: matchers, types, the routes' shape). A
// receiver name becomes part of a secret name and an app setting name, so it must match
// ^[a-z][a-z0-9-]{0,30}$: a letter first, and removing every allowed character leaves nothing.
var receiverNameCharacters = split('a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9 -', ' ')
var misspelledReceiverNames = filter(
  declaredReceiverNames,
  name => !empty(join(split(name, receiverNameCharacters), ''))
)
var badReceiverNames = union(
  misspelledReceiverNames,
  filter(
    declaredReceiverNames,
    name => empty(name) || length(name) > 31 || !contains('abcdefghijklmnopqrstuvwxyz', take(name, 1))
  ),
  filter(declaredReceiverNames, name => contains(builtInReceivers, name))
)
var duplicateReceiverNames = filter(declaredReceiverNames, (name, i) => indexOf(declaredReceiverNames, name) != i)
var unknownRoutedReceivers = filter(
  routedReceiverNames,
  name => !contains(declaredReceiverNames, name) && !contains(builtInReceivers, name)
)
var builtInReceiversOff = filter(
  builtInReceivers,
  name => contains(routedReceiverNames, name) && !(name == 'teams' ? notifyTeams : notifyWebhook)
)
var unknownUrlReceivers = filter(objectKeys(receiverUrls), name => !contains(declaredReceiverNames, name))
var unknownSecretReceivers = filter(objectKeys(receiverSecrets), name => !contains(signedReceiverNames, name))
var routingProblems = filter(
  [
    empty(badReceiverNames)
      ? ''
      : 'routing.receivers: names must match ^[a-z][a-z0-9-]{0,30}$ and must not be teams or webhook (the built-in receivers): ${join(badReceiverNames, ', ')}.'
    empty(duplicateReceiverNames) ? '' : 'routing.receivers: declared twice: ${join(duplicateReceiverNames, ', ')}.'
    empty(unknownRoutedReceivers)
      ? ''
      : 'routing names receivers it does not declare: ${join(unknownRoutedReceivers, ', ')}.'
    empty(builtInReceiversOff)
      ? ''
      : 'routing names built-in receivers that are off (notifyTeams, notifyWebhook): ${join(builtInReceiversOff, ', ')}.'
    contains(string(routing), '://')
      ? 'routing holds a URL: URLs go to receiverUrls (Key Vault), never into ROUTES.'
      : ''
    empty(unknownUrlReceivers)
      ? ''
      : 'receiverUrls names receivers that routing does not declare: ${join(unknownUrlReceivers, ', ')}.'
    empty(unknownSecretReceivers)
      ? ''
      : 'receiverSecrets names receivers that routing does not declare as signed webhooks: ${join(unknownSecretReceivers, ', ')}.'
  ],
  problem => !empty(problem)
)
var routingChecked = empty(routingProblems)
  ? true
  : fail('${join(routingProblems, ' ')} See docs/deployment.md, "Routes and receivers".')
var checkedRouting = routingChecked ? routing : {}
var checkedReceivers = routingChecked ? declaredReceivers : []

// Deploy-time check: the card links lead to /api/act, which people open from Teams and their
// phones. Access restrictions are per app, not per path: with restrictIntakeToAzureMonitor on, only
// allowedAddressRanges admit people, and without any every link would end in a 403.
var checkedActionLinksEnabled = actionLinksEnabled && restrictIntakeToAzureMonitor && empty(allowedAddressRanges)
  ? fail('actionLinksEnabled with restrictIntakeToAzureMonitor needs allowedAddressRanges (the ranges people open the card links from), or restrictIntakeToAzureMonitor=false; see docs/deployment.md, "Silences, maintenance windows and card links".')
  : actionLinksEnabled

// ---------------------------------------------------------------------------------------------
// Existing: the workspace (possibly elsewhere)
// ---------------------------------------------------------------------------------------------

resource workspace 'Microsoft.OperationalInsights/workspaces@2025-07-01' existing = {
  name: last(workspaceIdParts)
  scope: resourceGroup(workspaceIdParts[2], workspaceIdParts[4])
}

// ---------------------------------------------------------------------------------------------
// Identity, storage, telemetry, secrets
// ---------------------------------------------------------------------------------------------

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: names.identity
  location: location
  tags: allTags
}

module storage 'app/storage.bicep' = {
  name: 'enricher-storage'
  params: {
    name: names.storage
    location: location
    tags: allTags
    deploymentContainerName: deploymentContainerName
    alertQueueName: alertQueueName
    dedupeTableName: dedupeTableName
    incidentTableName: incidentTableName
    silenceTableName: silenceTableName
    connectionEventsEnabled: connectionEventsEnabled
    connectionCheckQueueName: connectionCheckQueueName
    connectionTableName: connectionTableName
    connectionEventsDeadLetterContainerName: connectionEventsDeadLetterContainerName
    workspaceResourceId: workspace.id
    disablePublicNetworkAccess: vnetEnabled
  }
}

module monitoring 'app/monitoring.bicep' = {
  name: 'enricher-monitoring'
  params: {
    name: names.appInsights
    location: location
    tags: allTags
    workspaceResourceId: !empty(appInsightsWorkspaceResourceId) ? appInsightsWorkspaceResourceId : workspace.id
  }
}

module keyVault 'app/keyvault.bicep' = {
  name: 'enricher-keyvault'
  params: {
    name: names.keyVault
    location: location
    tags: allTags
    workspaceResourceId: workspace.id
    enablePurgeProtection: keyVaultPurgeProtection
    disablePublicNetworkAccess: vnetEnabled
    recoverSoftDeleted: keyVaultRecoverSoftDeleted
    secretNames: secretNames
    teamsWorkflowUrl: teamsWorkflowUrl
    webhookUrl: webhookUrl
    webhookSecret: webhookSecret
    receivers: checkedReceivers
    receiverUrls: receiverUrls
    receiverSecrets: receiverSecrets
  }
}

// The secret behind ACTION_SIGNING_KEYS (actionLinksEnabled): derived, not random, so that every
// deployment writes the same keys and no outstanding link dies; why and how in the module.
module actionSigningKeys 'app/action-signing-keys.bicep' = if (checkedActionLinksEnabled) {
  name: 'enricher-action-signing-keys'
  params: {
    keyVaultName: names.keyVault
    secretName: secretNames.actionSigningKeys
    storageAccountName: names.storage
    currentKeyId: actionSigningKeyId
    secondKeyId: actionSigningSecondKeyId
  }
  dependsOn: [
    storage
    keyVault
  ]
}

// ---------------------------------------------------------------------------------------------
// Role assignments for the app's identity
// ---------------------------------------------------------------------------------------------

// Role assignment names include the principal ID, a runtime value; what-if therefore cannot
// predict them. That is the price of names that stay unique when the identity is recreated.
module rbac 'app/rbac.bicep' = {
  name: 'enricher-rbac'
  params: {
    #disable-next-line what-if-short-circuiting
    principalId: identity.properties.principalId
    storageAccountName: names.storage
    keyVaultName: names.keyVault
    applicationInsightsName: names.appInsights
    keyVaultOfficerPrincipalId: keyVaultOfficerPrincipalId
  }
  dependsOn: [
    storage
    keyVault
    monitoring
  ]
}

module workspaceAccess 'app/workspace-access.bicep' = {
  name: 'enricher-${resourceToken}-workspace-access'
  scope: resourceGroup(workspaceIdParts[2], workspaceIdParts[4])
  params: {
    workspaceName: workspace.name
    #disable-next-line what-if-short-circuiting
    principalId: identity.properties.principalId
  }
}

module iotHubs 'app/iothub.bicep' = [
  for (hubId, i) in iotHubResourceIds: {
    name: 'enricher-${resourceToken}-iothub-${i}'
    scope: resourceGroup(split(hubId, '/')[2], split(hubId, '/')[4])
    params: {
      iotHubName: last(split(hubId, '/'))
      #disable-next-line what-if-short-circuiting
      principalId: identity.properties.principalId
      configureDiagnostics: configureIotHubDiagnostics
      diagnosticSettingName: iotHubDiagnosticSettingName
      workspaceResourceId: workspace.id
      logCategories: iotHubLogCategories
    }
  }
]

// VNet, app subnet and private endpoints for storage and Key Vault (vnetEnabled only).
module network 'app/network.bicep' = if (vnetEnabled) {
  name: 'enricher-network'
  params: {
    name: names.vnet
    location: location
    tags: allTags
    addressPrefix: vnetAddressPrefix
    storageAccountName: names.storage
    keyVaultName: names.keyVault
  }
  dependsOn: [
    storage
    keyVault
  ]
}

// ---------------------------------------------------------------------------------------------
// The Function app
// ---------------------------------------------------------------------------------------------

module api 'app/api.bicep' = {
  name: 'enricher-api'
  params: {
    name: names.functionApp
    planName: names.plan
    location: location
    tags: allTags
    appTags: union(allTags, { 'azd-service-name': 'api' })
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageAccountName: storage.outputs.name
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: deploymentContainerName
    applicationInsightsName: names.appInsights
    keyVaultUri: keyVault.outputs.uri
    secretNames: secretNames
    notifyTeams: notifyTeams
    notifyWebhook: notifyWebhook
    signWebhook: signWebhook
    logAnalyticsWorkspaceId: workspace.properties.customerId
    defaultIotHubResourceId: iotHubResourceIds[0]
    iotHubResourceIds: iotHubResourceIds
    webhookAuth: checkedWebhookAuth
    entraAppIdentifierUri: entraAppIdentifierUri
    entraAppClientId: entraAppClientId
    deviceIdDimension: deviceIdDimension
    evidenceLookbackMinutes: evidenceLookbackMinutes
    notifyTimeoutMs: notifyTimeoutMs
    reconnectGraceSeconds: reconnectGraceSeconds
    reconnectGraceSecondsByHub: checkedGraceByHub
    maintenanceWindows: maintenanceWindows
    silenceMaxDays: silenceMaxDays
    actionLinksEnabled: checkedActionLinksEnabled
    actionSigningKeyId: actionSigningKeyId
    actionLinkHours: actionLinkHours
    routing: checkedRouting
    receivers: checkedReceivers
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    // VNet integration (vnetEnabled); the reference also makes the app wait for the private endpoints.
    virtualNetworkSubnetId: network.?outputs.appSubnetId ?? ''
    restrictInbound: restrictIntakeToAzureMonitor
    allowAvailabilityTests: deployAlerts && deployWatchdog
    allowEventGrid: connectionEventsEnabled
    extraAllowedServiceTags: extraAllowedServiceTags
    allowedAddressRanges: allowedAddressRanges
  }
  // The host must be able to reach its storage and Key Vault on first start, and the signing keys
  // must exist (with a new key id) before ACTION_SIGNING_KEYS and ACTION_SIGNING_KEY_ID change.
  dependsOn: [
    monitoring
    rbac
    actionSigningKeys
  ]
}

// ---------------------------------------------------------------------------------------------
// Alerting
// ---------------------------------------------------------------------------------------------

module alerts 'app/alerts.bicep' = if (deployAlerts) {
  name: 'enricher-alerts'
  params: {
    logAlertLocation: workspace.location
    tags: allTags
    functionAppName: names.functionApp
    actionGroupName: names.actionGroup
    actionGroupShortName: 'iothubenrich'
    webhookAuth: checkedWebhookAuth
    entraAppObjectId: entraAppObjectId
    entraAppIdentifierUri: entraAppIdentifierUri
    workspaceResourceId: workspace.id
    identityId: identity.id
    iotHubResourceIds: iotHubResourceIds
    logAlertName: names.disconnectAlert
    metricAlertNamePrefix: names.metricAlertPrefix
    severity: alertSeverity
    disconnectThreshold: disconnectThreshold
    hubDropAlertName: names.hubDropAlert
    hubDropDeviceThreshold: hubDropDeviceThreshold
    checkWorkspaceAlertsStorageConfigured: checkWorkspaceAlertsStorageConfigured
    disconnectEvaluationFrequency: disconnectEvaluationFrequency
    disconnectWindowSize: disconnectWindowSize
    connectedDevicesAlertMode: connectedDevicesAlertMode
    connectedDevicesThreshold: connectedDevicesThreshold
    connectedDevicesSensitivity: connectedDevicesSensitivity
  }
  // The log search alerts run as the identity: it must be able to read the workspace first.
  dependsOn: [
    api
    workspaceAccess
  ]
}

// The watchdog reaches people by e-mail, never through the enricher (see docs/deployment.md).
module watchdog 'app/watchdog.bicep' = if (deployAlerts && deployWatchdog) {
  name: 'enricher-watchdog'
  params: {
    location: location
    tags: allTags
    nameSuffix: resourceToken
    identityId: identity.id
    #disable-next-line what-if-short-circuiting
    principalId: identity.properties.principalId
    functionAppName: names.functionApp
    applicationInsightsName: names.appInsights
    poisonQueueName: '${alertQueueName}-poison'
    email: watchdogEmail
  }
  // The availability test reads the running host's key; the component exists before the app.
  dependsOn: [
    api
  ]
}

// ---------------------------------------------------------------------------------------------
// Connection events: Event Grid system topic per hub -> connectionEvents (connectionEventsEnabled)
// ---------------------------------------------------------------------------------------------

// The hubs, for their regions (a system topic lives in its source's region).
resource connectionEventHubResources 'Microsoft.Devices/IotHubs@2023-06-30' existing = [
  for hub in checkedConnectionEventHubs: if (connectionEventsEnabled) {
    name: hub.name
    scope: resourceGroup(hub.subscriptionId, hub.resourceGroup)
  }
]

// 1. The system topic, in the hub's resource group and region (created, or the hub's existing one).
module connectionEventTopics 'app/connection-events-topic.bicep' = [
  for (hub, i) in checkedConnectionEventHubs: if (connectionEventsEnabled) {
    name: 'enricher-${resourceToken}-egst-${i}'
    scope: resourceGroup(hub.subscriptionId, hub.resourceGroup)
    params: {
      iotHubName: hub.name
      location: connectionEventHubResources[i]!.location
      systemTopicName: hub.systemTopicName
      reuseExisting: hub.reuseTopic
      // Only the caller's tags, not azd-env-name: a topic may serve several environments.
      tags: tags
    }
  }
]

// 2. Its identity may write the dead letters: Storage Blob Data Contributor on the container.
module connectionEventsDeadLetterAccess 'app/connection-events-access.bicep' = [
  for (hub, i) in checkedConnectionEventHubs: if (connectionEventsEnabled) {
    name: 'enricher-connection-events-access-${i}'
    params: {
      storageAccountName: names.storage
      containerName: connectionEventsDeadLetterContainerName
      #disable-next-line what-if-short-circuiting
      principalId: connectionEventTopics[i]!.outputs.principalId
    }
    dependsOn: [
      storage
    ]
  }
]

// 3. The subscription to the function: the second step of the first deployment, like the alerts
// (deployAlerts), because Event Grid looks the function up when the subscription is created.
module connectionEventSubscriptions 'app/connection-events-subscription.bicep' = [
  for (hub, i) in checkedConnectionEventHubs: if (connectionEventsEnabled && deployAlerts) {
    name: 'enricher-${resourceToken}-evgs-${i}'
    scope: resourceGroup(hub.subscriptionId, hub.resourceGroup)
    params: {
      systemTopicName: hub.systemTopicName
      subscriptionName: names.connectionEventSubscription
      functionResourceId: '${api.outputs.id}/functions/${connectionEventsFunctionName}'
      deadLetterStorageAccountId: storage.outputs.id
      deadLetterContainerName: connectionEventsDeadLetterContainerName
    }
    // The topic exists and its identity may write the dead letters before the first event.
    dependsOn: [
      connectionEventTopics[i]
      connectionEventsDeadLetterAccess[i]
    ]
  }
]

// ---------------------------------------------------------------------------------------------
// Outputs (UPPER_SNAKE so azd imports them; never a secret, never a key)
// ---------------------------------------------------------------------------------------------

@description('Function app name, for az functionapp deploy / config-zip.')
output AZURE_FUNCTION_NAME string = api.outputs.name

@description('Alert intake URL WITHOUT the function key.')
output ALERT_INTAKE_URL string = 'https://${api.outputs.defaultHostName}/api/alerts'

@description('Health endpoint (reports configuration status by key name).')
output HEALTH_URL string = 'https://${api.outputs.defaultHostName}/api/health'

@description('Principal (object) ID of the app\'s user-assigned managed identity.')
output AZURE_FUNCTION_PRINCIPAL_ID string = identity.properties.principalId

@description('Client ID of the app\'s user-assigned managed identity.')
output AZURE_CLIENT_ID string = identity.properties.clientId

@description('Key Vault holding the delivery secrets.')
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name

@description('Storage account of the app.')
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name

@description('Log Analytics workspace ID (customerId) the app queries.')
output LOG_ANALYTICS_WORKSPACE_ID string = workspace.properties.customerId

@description('Action group resource ID (empty when deployAlerts is false).')
output AZURE_ACTION_GROUP_ID string = alerts.?outputs.actionGroupId ?? ''

@description('Region of the new resources.')
output AZURE_LOCATION string = location

@description('Tenant of the deployment.')
output AZURE_TENANT_ID string = tenant().tenantId
