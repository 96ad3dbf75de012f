// Example parameters for `az deployment group create -g <rg> -f infra/main.bicep -p infra/main.bicepparam`.
// Copy it (e.g. to infra/prod.bicepparam), replace the IDs, and keep secrets out of the file:
// pass them on the command line or read them from the environment as shown below.
using 'main.bicep'

param environmentName = 'prod'

// The workspace that holds the IoT hub Connections logs (may be in another resource group/subscription).
param logAnalyticsWorkspaceResourceId = '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-monitoring/providers/Microsoft.OperationalInsights/workspaces/log-iot'

// The hubs to watch; the first one is the default for alerts that name no hub.
param iotHubResourceIds = [
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-iot/providers/Microsoft.Devices/IotHubs/iot-fleet-prod'
]

// Secrets: read from the environment at build time; empty keeps the current Key Vault secret.
//   export TEAMS_WORKFLOW_URL='https://...'   (the Teams Workflows "When a Teams webhook request is received" URL)
param teamsWorkflowUrl = readEnvironmentVariable('TEAMS_WORKFLOW_URL', '')

// Optional: uncomment to change the defaults.
// param location = 'westeurope'
// param appInsightsWorkspaceResourceId = ''
// param configureIotHubDiagnostics = true     // false if the hubs already send Connections to this workspace
// param iotHubLogCategories = ['Connections', 'DeviceTelemetry', 'C2DCommands', 'DeviceIdentityOperations', 'D2CTwinOperations']
// param notifyTeams = true
// param notifyWebhook = false
// param signWebhook = false
// param webhookUrl = readEnvironmentVariable('WEBHOOK_URL', '')
// param webhookSecret = readEnvironmentVariable('WEBHOOK_SECRET', '')
// param keyVaultOfficerPrincipalId = ''       // default: the deploying principal
// param keyVaultPurgeProtection = true
// param keyVaultRecoverSoftDeleted = false    // true to recover a soft-deleted vault of the same name
// param deviceIdDimension = 'DeviceId'
// param evidenceLookbackMinutes = 360
// param notifyTimeoutMs = 10000
// param instanceMemoryMB = 2048
// param maximumInstanceCount = 40
// param deployAlerts = true                   // false for the very first run if the host key is not ready yet
// param webhookAuth = 'functionKey'           // or 'entraId' with the three parameters below
// param entraAppObjectId = ''
// param entraAppIdentifierUri = ''
// param entraAppClientId = ''
// param alertSeverity = 2
// param disconnectThreshold = 0
// param hubDropDeviceThreshold = 20
// param disconnectEvaluationFrequency = 'PT5M'
// param disconnectWindowSize = 'PT15M'
// param connectedDevicesAlertMode = 'static'  // or 'dynamic'
// param connectedDevicesThreshold = 1
// param connectedDevicesSensitivity = 'Medium'
// param connectionEventsEnabled = false       // the Event Grid path; its subscription needs deployAlerts = true (second step)
// param existingIotHubSystemTopics = {}       // e.g. { 'iot-fleet-prod': '<the hub\'s existing system topic>' }
// param reconnectGraceSeconds = 180           // 30-3600
// param reconnectGraceSecondsByHub = {}       // e.g. { 'iot-fleet-prod': 300 }
// param maintenanceWindows = []               // e.g. [{ name: 'sunday patching', matchers: ['hub=iot-fleet-prod'], days: ['sun'], start: '02:00', end: '04:00' }] (UTC)
// param silenceMaxDays = 30                   // 1-90
// param actionLinksEnabled = false            // card links (/api/act); with restrictIntakeToAzureMonitor they need allowedAddressRanges
// param actionSigningKeyId = 'k1'             // the key id that signs new links
// param actionSigningSecondKeyId = ''         // rotation: add the new id here, swap, empty it actionLinkHours later
// param actionLinkHours = 72                  // 1-720
// Named receivers and routes (ROUTES); names only, never a URL: see docs/deployment.md, "Routes and receivers".
// param routing = { receivers: [{ name: 'plant-a', type: 'teams' }, { name: 'provisioning', type: 'webhook', signed: true }], routes: [{ name: 'plant A', matchers: ['hub=~plant-a-*'], receivers: ['plant-a'], continue: true }, { matchers: ['cause=duplicate-identity|credential-rejected'], receivers: ['provisioning'] }], default: { receivers: ['teams'] } }
// Their URLs and signing secrets go to Key Vault; secrets, so from the environment or the command line only:
//   export ROUTING_RECEIVER_URLS='{"plant-a": "https://...", "provisioning": "https://..."}'  ROUTING_RECEIVER_SECRETS='{"provisioning": "..."}'
// param receiverUrls = json(readEnvironmentVariable('ROUTING_RECEIVER_URLS', '{}'))
// param receiverSecrets = json(readEnvironmentVariable('ROUTING_RECEIVER_SECRETS', '{}'))
// param functionAppName = ''
// param storageAccountName = ''
// param keyVaultName = ''
// param tags = {}
