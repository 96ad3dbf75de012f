// The alerting side: an action group that posts the common alert schema to the Function's
// intake (POST /api/alerts), a stateful log search alert on 404104 disconnects split per device
// and hub, a hub-level log search alert on the number of devices that dropped (not split by
// device, so a storm is one alert), and a metric alert per hub on connectedDeviceCount, all wired
// to the action group.

@description('Azure region for the log search alert (use the workspace\'s region).')
param logAlertLocation string

@description('Tags applied to the alerting resources.')
param tags object

@description('Name of the Function app that receives the alerts.')
param functionAppName string

@description('Action group name.')
@minLength(1)
@maxLength(260)
param actionGroupName string

@description('Action group short name (shown in SMS/e-mail), at most 12 characters.')
@minLength(1)
@maxLength(12)
param actionGroupShortName string

@description('How the action group authenticates to the Function: the function host key in the URL, or additionally an Entra ID token (secure webhook).')
@allowed(['functionKey', 'entraId'])
param webhookAuth string

@description('entraId only: object ID of the app registration that protects the intake.')
param entraAppObjectId string

@description('entraId only: Application ID URI of that app registration (e.g. api://iothub-alert-enricher).')
param entraAppIdentifierUri string

@description('Resource ID of the Log Analytics workspace holding the IoT hub Connections logs.')
param workspaceResourceId string

@description('Resource ID of the app\'s user-assigned identity; the log search alert runs its query as this identity (Log Analytics Reader on the workspace), not as the deploying user.')
param identityId string

@description('Resource IDs of the IoT hubs to alert on.')
@minLength(1)
param iotHubResourceIds string[]

@description('Alert rule name prefix for the log search alert.')
param logAlertName string

@description('Alert rule name prefix for the metric alerts (the hub name and a hash of its resource ID are appended); it carries the environment name, so two environments in one resource group keep their own rules.')
param metricAlertNamePrefix string

@description('Severity of both alerts (0 = critical ... 4 = verbose).')
@minValue(0)
@maxValue(4)
param severity int

@description('The log search alert fires for a device when it has MORE than this many 404104 disconnects in the window.')
@minValue(0)
param disconnectThreshold int

@description('Store both log search alert rules in the workspace\'s linked storage for alerts (customer-managed keys): set true where a policy requires it; the workspace must have that linked storage account, or the rules fail to deploy.')
param checkWorkspaceAlertsStorageConfigured bool

@description('Alert rule name of the hub-level log search alert.')
param hubDropAlertName string

@description('The hub-level log search alert fires when at least this many distinct devices of one hub dropped with 404104 in 5 minutes.')
@minValue(1)
param hubDropDeviceThreshold int

@description('How often the log search alert runs (ISO 8601 duration).')
@allowed(['PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT1H'])
param disconnectEvaluationFrequency string

@description('Time window the log search alert looks at (ISO 8601 duration, at least the frequency).')
@allowed(['PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT1H', 'PT2H'])
param disconnectWindowSize string

@description('Metric alert mode: static threshold, or dynamic thresholds learned from history.')
@allowed(['static', 'dynamic'])
param connectedDevicesAlertMode string

@description('static mode: fire when the average connectedDeviceCount drops below this.')
@minValue(1)
param connectedDevicesThreshold int

@description('dynamic mode: sensitivity of the learned threshold.')
@allowed(['Low', 'Medium', 'High'])
param connectedDevicesSensitivity string

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

var intakeUrl = 'https://${site.properties.defaultHostName}/api/alerts'
// Anyone with Reader on the action group can read its URL, so the URL carries the intake's own
// function-level key, not the host's default key (which opens every function). The key is created
// once after the code is deployed and rotated on its own: docs/deployment.md, "Rotate the action
// group's function key".
var intakeFunctionName = 'alerts'
var intakeKeyName = 'action-group'
var useEntraId = webhookAuth == 'entraId'

// The function key stays in the URL in both modes: the intake is authLevel 'function', so the
// host rejects calls without it. With Entra ID the action group adds a bearer token as well
// (secure webhook), which the app may validate (see docs/deployment.md).
resource actionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = {
  name: actionGroupName
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: actionGroupShortName
    enabled: true
    webhookReceivers: [
      {
        name: 'alert-enricher'
        serviceUri: '${intakeUrl}?code=${listKeys('${site.id}/functions/${intakeFunctionName}', '2024-04-01')[intakeKeyName]}'
        useCommonAlertSchema: true
        useAadAuth: useEntraId
        objectId: useEntraId ? entraAppObjectId : null
        identifierUri: useEntraId ? entraAppIdentifierUri : null
        tenantId: useEntraId ? tenant().tenantId : null
      }
    ]
  }
}

// AzureDiagnostics keeps _ResourceId in lower case; `in~` compares case-insensitively anyway.
// properties_s appears in a workspace only once a hub has sent it: both rules read it through
// column_ifexists, which keeps the query valid (no rows instead of a semantic error) on a new
// workspace.
var hubIdList = join(map(iotHubResourceIds, id => '"${toLower(id)}"'), ', ')
var disconnectQuery = join(
  [
    'AzureDiagnostics'
    '| where ResourceProvider == "MICROSOFT.DEVICES" and ResourceType == "IOTHUBS"'
    '| where Category == "Connections" and ResultType == "404104"'
    '| where _ResourceId in~ (${hubIdList})'
    '| extend DeviceId = tostring(parse_json(column_ifexists("properties_s", "")).deviceId)'
    '| summarize Disconnects = count() by DeviceId, _ResourceId'
  ],
  '\n'
)

// A window shorter than the frequency would leave gaps that no evaluation looks at: the window
// is raised to the frequency when the parameters ask for less.
var durationMinutes = {
  PT5M: 5
  PT10M: 10
  PT15M: 15
  PT30M: 30
  PT1H: 60
  PT2H: 120
}
var disconnectEffectiveWindowSize = durationMinutes[disconnectWindowSize] < durationMinutes[disconnectEvaluationFrequency]
  ? disconnectEvaluationFrequency
  : disconnectWindowSize

resource disconnectAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: logAlertName
  location: logAlertLocation
  tags: tags
  kind: 'LogAlert'
  // Runs as the app's identity, so it keeps working after the deploying user's access ends.
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    displayName: 'IoT Hub device disconnects (404104)'
    description: 'A device was disconnected (404104 DeviceConnectionClosedRemotely); one alert per device and hub. The action group sends it to iothub-alert-enricher for diagnosis.'
    severity: severity
    enabled: true
    scopes: [
      workspaceResourceId
    ]
    targetResourceTypes: [
      'Microsoft.OperationalInsights/workspaces'
    ]
    evaluationFrequency: disconnectEvaluationFrequency
    windowSize: disconnectEffectiveWindowSize
    // Stateful: fires once per device, then sends Resolved when the disconnects stop.
    autoMitigate: true
    // AzureDiagnostics exists in a workspace only once some resource has sent it logs: on a new
    // workspace the validation at creation would reject the query.
    skipQueryValidation: true
    checkWorkspaceAlertsStorageConfigured: checkWorkspaceAlertsStorageConfigured
    criteria: {
      allOf: [
        {
          query: disconnectQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Disconnects'
          dimensions: [
            {
              name: 'DeviceId'
              operator: 'Include'
              values: ['*']
            }
            {
              name: '_ResourceId'
              operator: 'Include'
              values: ['*']
            }
          ]
          operator: 'GreaterThan'
          threshold: disconnectThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

// One row per hub: how many distinct devices dropped. Split by hub only, never by device, so a
// hub incident is one alert however many devices it takes (the per-device rule above fires at
// most 300 alerts per evaluation and drops the rest). The intake reads it as a fleet alert.
var hubDropQuery = join(
  [
    'AzureDiagnostics'
    '| where ResourceProvider == "MICROSOFT.DEVICES" and ResourceType == "IOTHUBS"'
    '| where Category == "Connections" and ResultType == "404104"'
    '| where _ResourceId in~ (${hubIdList})'
    '| extend DeviceId = tostring(parse_json(column_ifexists("properties_s", "")).deviceId)'
    '| summarize DroppedDevices = dcount(DeviceId) by _ResourceId'
  ],
  '\n'
)

resource hubDropAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: hubDropAlertName
  location: logAlertLocation
  tags: tags
  kind: 'LogAlert'
  // Like the per-device rule: a rule without a managed identity runs its query with the
  // permissions of the last user who edited it.
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    displayName: 'IoT Hub mass disconnect (404104, many devices)'
    description: 'At least ${hubDropDeviceThreshold} devices of one hub dropped with 404104 in 5 minutes; one alert per hub. The enricher treats it as a fleet alert and folds it into the hub incident.'
    severity: severity
    enabled: true
    scopes: [
      workspaceResourceId
    ]
    targetResourceTypes: [
      'Microsoft.OperationalInsights/workspaces'
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT5M'
    // Stateful: its Resolved tells the enricher that the hub has recovered.
    autoMitigate: true
    // AzureDiagnostics exists in a workspace only once some resource has sent it logs: on a new
    // workspace the validation at creation would reject the query.
    skipQueryValidation: true
    checkWorkspaceAlertsStorageConfigured: checkWorkspaceAlertsStorageConfigured
    criteria: {
      allOf: [
        {
          query: hubDropQuery
          timeAggregation: 'Maximum'
          metricMeasureColumn: 'DroppedDevices'
          dimensions: [
            {
              name: '_ResourceId'
              operator: 'Include'
              values: ['*']
            }
          ]
          operator: 'GreaterThanOrEqual'
          threshold: hubDropDeviceThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: [
        actionGroup.id
      ]
    }
  }
}

var staticCriteria = {
  'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
  allOf: [
    {
      criterionType: 'StaticThresholdCriterion'
      name: 'ConnectedDevicesLow'
      metricNamespace: 'Microsoft.Devices/IotHubs'
      metricName: 'connectedDeviceCount'
      operator: 'LessThan'
      threshold: connectedDevicesThreshold
      // Snapshot metric: only Average, Minimum and Maximum are meaningful.
      timeAggregation: 'Average'
    }
  ]
}
var dynamicCriteria = {
  'odata.type': 'Microsoft.Azure.Monitor.MultipleResourceMultipleMetricCriteria'
  allOf: [
    {
      criterionType: 'DynamicThresholdCriterion'
      name: 'ConnectedDevicesLow'
      metricNamespace: 'Microsoft.Devices/IotHubs'
      metricName: 'connectedDeviceCount'
      operator: 'LessThan'
      alertSensitivity: connectedDevicesSensitivity
      failingPeriods: {
        numberOfEvaluationPeriods: 4
        minFailingPeriodsToAlert: 3
      }
      timeAggregation: 'Average'
    }
  ]
}
var useDynamic = connectedDevicesAlertMode == 'dynamic'

resource connectedDevicesAlerts 'Microsoft.Insights/metricAlerts@2018-03-01' = [
  for hubId in iotHubResourceIds: {
    // Hub names are unique per resource group only: the hash of the ID tells same-named hubs apart.
    name: '${metricAlertNamePrefix}${last(split(hubId, '/'))}-${uniqueString(toLower(hubId))}'
    location: 'global'
    tags: tags
    properties: {
      description: 'Connected devices on the IoT hub dropped (connectedDeviceCount, Average). Sent to iothub-alert-enricher.'
      severity: severity
      enabled: true
      scopes: [
        hubId
      ]
      evaluationFrequency: useDynamic ? 'PT5M' : 'PT1M'
      windowSize: 'PT5M'
      autoMitigate: true
      criteria: useDynamic ? dynamicCriteria : staticCriteria
      actions: [
        {
          actionGroupId: actionGroup.id
        }
      ]
    }
  }
]

@description('Action group resource ID.')
output actionGroupId string = actionGroup.id

@description('Time window the log search alert really uses (never shorter than its frequency).')
output disconnectWindowSize string = disconnectEffectiveWindowSize

@description('Log search alert rule resource ID.')
output disconnectAlertId string = disconnectAlert.id

@description('Hub-level log search alert rule resource ID.')
output hubDropAlertId string = hubDropAlert.id

@description('The alert intake URL, without the function key.')
output intakeUrl string = intakeUrl
