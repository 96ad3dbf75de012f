// Parameters for `azd up` / `azd provision` (azure.yaml: infra.path 'infra', infra.module 'azd').
// azd reads <module>.bicepparam in preference to <module>.bicep, and main.bicepparam is the example
// for the `az` path, so azd gets this file of its own. Every value comes from the azd environment
// (`azd env set NAME value`, kept in .azure/<env>/.env) or from the shell that runs azd; nothing
// is typed in here. See docs/deployment.md, "Deploy with azd up".
using 'main.bicep'

// Set by azd for every environment (`azd env new <name>` / the first `azd up`).
param environmentName = readEnvironmentVariable('AZURE_ENV_NAME')

// Required: azd env set LOG_ANALYTICS_WORKSPACE_RESOURCE_ID /subscriptions/.../workspaces/<name>
param logAnalyticsWorkspaceResourceId = readEnvironmentVariable('LOG_ANALYTICS_WORKSPACE_RESOURCE_ID')

// Required: azd env set IOTHUB_RESOURCE_IDS "<hub ID>[,<hub ID>...]" (comma-separated; the first
// is the default hub).
param iotHubResourceIds = filter(
  map(split(readEnvironmentVariable('IOTHUB_RESOURCE_IDS'), ','), id => trim(id)),
  id => !empty(id)
)

// Secret: export it in the shell that runs azd (read -rs TEAMS_WORKFLOW_URL && export
// TEAMS_WORKFLOW_URL) rather than `azd env set`, which stores it in plain text under .azure/.
// Empty keeps the current Key Vault secret.
param teamsWorkflowUrl = readEnvironmentVariable('TEAMS_WORKFLOW_URL', '')

// The two-step first deployment: false until the code runs (the action group needs the intake's
// "action-group" function key from the running host). scripts/azd-postdeploy.sh creates the key
// and sets DEPLOY_ALERTS=true once the host answers; then `azd provision`.
param deployAlerts = toLower(readEnvironmentVariable('DEPLOY_ALERTS', 'false')) == 'true'

// The Event Grid path (docs/deployment.md, "Turning on the Event Grid path"): azd env set
// CONNECTION_EVENTS_ENABLED true. Its subscription follows DEPLOY_ALERTS, the same second step.
param connectionEventsEnabled = toLower(readEnvironmentVariable('CONNECTION_EVENTS_ENABLED', 'false')) == 'true'

// Silences, maintenance windows and card links (docs/deployment.md, "Silences, maintenance windows
// and card links"): azd env set MAINTENANCE_WINDOWS '[{"name": "sunday patching", "matchers":
// ["hub=iot-fleet-prod"], "days": ["sun"], "start": "02:00", "end": "04:00"}]' (JSON, UTC),
// SILENCE_MAX_DAYS 14, ACTION_LINKS_ENABLED true. The card links need the ranges people open them
// from while the access restriction is on: azd env set ALLOWED_ADDRESS_RANGES "203.0.113.0/24[,...]".
param maintenanceWindows = json(readEnvironmentVariable('MAINTENANCE_WINDOWS', '[]'))
param silenceMaxDays = int(readEnvironmentVariable('SILENCE_MAX_DAYS', '30'))
param actionLinksEnabled = toLower(readEnvironmentVariable('ACTION_LINKS_ENABLED', 'false')) == 'true'
param allowedAddressRanges = filter(
  map(split(readEnvironmentVariable('ALLOWED_ADDRESS_RANGES', ''), ','), range => trim(range)),
  range => !empty(range)
)

// Named receivers and routes (docs/deployment.md, "Routes and receivers"), JSON without any URL:
//   azd env set ROUTING '{"receivers": [{"name": "plant-a", "type": "teams"}], "routes":
//   [{"matchers": ["hub=~plant-a-*"], "receivers": ["plant-a"]}], "default": {"receivers": ["teams"]}}'
param routing = json(readEnvironmentVariable('ROUTING', '{}'))

// Secrets: the receivers' URLs and the signed webhooks' HMAC secrets, {"<receiver name>": "<value>"},
// exported in the shell that runs azd like TEAMS_WORKFLOW_URL, never with `azd env set`:
//   read -rs ROUTING_RECEIVER_URLS && export ROUTING_RECEIVER_URLS   ('{"plant-a": "https://..."}')
// Empty, or a receiver left out, keeps the current Key Vault secret.
param receiverUrls = json(readEnvironmentVariable('ROUTING_RECEIVER_URLS', '{}'))
param receiverSecrets = json(readEnvironmentVariable('ROUTING_RECEIVER_SECRETS', '{}'))

// Optional switches (see the parameter table in docs/deployment.md).
param configureIotHubDiagnostics = toLower(readEnvironmentVariable('CONFIGURE_IOTHUB_DIAGNOSTICS', 'true')) == 'true'
param keyVaultRecoverSoftDeleted = toLower(readEnvironmentVariable('KEY_VAULT_RECOVER_SOFT_DELETED', 'false')) == 'true'
