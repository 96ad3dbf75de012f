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

// Optional switches (see the parameter table in docs/deployment.md).
param configureIotHubDiagnostics = toLower(readEnvironmentVariable('CONFIGURE_IOTHUB_DIAGNOSTICS', 'true')) == 'true'
param keyVaultRecoverSoftDeleted = toLower(readEnvironmentVariable('KEY_VAULT_RECOVER_SOFT_DELETED', 'false')) == 'true'
