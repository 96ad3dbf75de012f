// Who watches the watcher. The enricher's own action group calls the Function app; after failed
// retries an action group stops calling an endpoint for a while, so while the app is down its
// alerts go nowhere. The watchdog therefore never routes through the enricher:
//
// - a standard availability test on GET /api/health (200 only when the app's configuration is
//   complete) with a metric alert on its availability;
// - a log search alert on the Functions host's "Moving message to queue '<queue>-poison'" trace
//   (the storage QueueMessageCount metric is account-wide and hourly, with no queue dimension);
// - a log search alert on the worker's "dead-lettered" error trace;
// - all wired to a separate action group with one e-mail receiver, created only when an address
//   is given (without it the alerts still fire and show in Azure Monitor, but notify nobody).

@description('Azure region of the availability test and the log search alerts (the Application Insights component\'s region).')
param location string

@description('Tags applied to the watchdog resources.')
param tags object

@description('Suffix of the generated names (the deployment\'s resource token).')
@minLength(1)
param nameSuffix string

@description('Name of the Function app whose /api/health the availability test calls.')
param functionAppName string

@description('Name of the Application Insights component the app writes to (in this resource group).')
param applicationInsightsName string

@description('Resource ID of the app\'s user-assigned identity; the log search alerts run their queries as this identity.')
param identityId string

@description('Principal (object) ID of that identity; it gets Monitoring Reader on the Application Insights component.')
param principalId string

@description('Name of the poison queue the Functions host moves a message to after maxDequeueCount failures.')
@minLength(1)
param poisonQueueName string

@description('E-mail address of the watchdog action group; empty = no action group (the alerts fire without notifying anyone).')
param email string

@description('Severity of the watchdog alerts (0 = critical ... 4 = verbose).')
@minValue(0)
@maxValue(4)
param severity int = 1

@description('Availability test locations (IDs such as emea-nl-ams-azr); Azure recommends at least five.')
@minLength(1)
param testLocations string[] = [
  'emea-nl-ams-azr' // West Europe
  'emea-gb-db3-azr' // North Europe
  'emea-ru-msa-edge' // UK South
  'us-va-ash-azr' // East US
  'apac-sg-sin-azr' // Southeast Asia
]

@description('The availability alert fires when at least this many test locations fail in 5 minutes.')
@minValue(1)
param failedLocationCount int = 2

var abbrs = loadJsonContent('../abbreviations.json')
var names = {
  actionGroup: '${abbrs.insightsActionGroups}enricher-watchdog-${nameSuffix}'
  webTest: 'webtest-enricher-health-${nameSuffix}'
  availabilityAlert: '${abbrs.insightsMetricAlerts}enricher-health-${nameSuffix}'
  poisonAlert: '${abbrs.insightsScheduledQueryRules}enricher-poison-queue-${nameSuffix}'
  deadLetterAlert: '${abbrs.insightsScheduledQueryRules}enricher-dead-letters-${nameSuffix}'
}

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: functionAppName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

var notify = !empty(email)
var healthFunctionName = 'health'

resource watchdogActionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (notify) {
  name: names.actionGroup
  location: 'Global'
  tags: tags
  properties: {
    groupShortName: 'enrwatchdog'
    enabled: true
    emailReceivers: [
      {
        name: 'watchdog-email'
        emailAddress: email
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroupIds = notify ? [watchdogActionGroup.id] : []

// /api/health is authLevel 'function': the test sends the health function's own default key in
// x-functions-key. Whoever can read the test can read the key, so it is never the host key: it
// opens /api/health only (key names and configuration status, no values). The function answers
// 200 when the configuration is complete and 503 otherwise; anything but 200 fails the test.
resource webTest 'Microsoft.Insights/webtests@2022-06-15' = {
  name: names.webTest
  location: location
  // The hidden link ties the test to the component (it lists the test under Availability).
  tags: union(tags, { 'hidden-link:${appInsights.id}': 'Resource' })
  kind: 'standard'
  properties: {
    SyntheticMonitorId: names.webTest
    Name: 'iothub-alert-enricher /api/health'
    Description: 'GET /api/health on the enricher Function app; 200 = running and configured.'
    Enabled: true
    Kind: 'standard'
    Frequency: 300
    Timeout: 30
    RetryEnabled: true
    Locations: [for id in testLocations: { Id: id }]
    Request: {
      RequestUrl: 'https://${site.properties.defaultHostName}/api/health'
      HttpVerb: 'GET'
      ParseDependentRequests: false
      FollowRedirects: false
      Headers: [
        {
          key: 'x-functions-key'
          value: listKeys('${site.id}/functions/${healthFunctionName}', '2024-04-01').default
        }
      ]
    }
    ValidationRules: {
      ExpectedHttpStatusCode: 200
      SSLCheck: true
      SSLCertRemainingLifetimeCheck: 7
    }
  }
}

resource availabilityAlert 'Microsoft.Insights/metricAlerts@2018-03-01' = {
  name: names.availabilityAlert
  location: 'global'
  tags: union(tags, { 'hidden-link:${appInsights.id}': 'Resource', 'hidden-link:${webTest.id}': 'Resource' })
  properties: {
    description: 'The enricher\'s /api/health failed from ${failedLocationCount} or more test locations: the app is down or misconfigured, and IoT hub alerts are not being delivered.'
    severity: severity
    enabled: true
    scopes: [
      webTest.id
      appInsights.id
    ]
    evaluationFrequency: 'PT1M'
    windowSize: 'PT5M'
    autoMitigate: true
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.WebtestLocationAvailabilityCriteria'
      webTestId: webTest.id
      componentId: appInsights.id
      failedLocationCount: failedLocationCount
    }
    actions: [for id in actionGroupIds: { actionGroupId: id }]
  }
}

// The Functions host logs a warning when it gives up on a message:
//   Message has reached MaxDequeueCount of 5. Moving message to queue 'alert-enrichment-poison'.
// sum(itemCount) counts sampled-out copies too.
var poisonQuery = join(
  [
    'traces'
    '| where message has "MaxDequeueCount" and message has "${poisonQueueName}"'
    '| summarize Poisoned = sum(itemCount)'
  ],
  '\n'
)

// lib/notify/deliver.ts logs an error for every new dead letter:
//   teams: message <id> dead-lettered (<why>): <error>; replay with `enricher replay --channel teams`
var deadLetterQuery = join(
  [
    'traces'
    '| where message has "dead-lettered" and message has "enricher replay"'
    '| summarize DeadLetters = sum(itemCount)'
  ],
  '\n'
)

// Monitoring Reader on the component lets the rules' identity query its telemetry (resource-context
// access: the workspace must allow resource permissions, the default for new workspaces).
var monitoringReaderRoleId = '43d0d8ad-25c7-4714-9337-8ba259a9fe05'

resource queryAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(appInsights.id, principalId, monitoringReaderRoleId)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringReaderRoleId)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

// Both rules run as the app's identity (a rule without one runs its query with the permissions of
// the last user who edited it). Stateful (autoMitigate): one notification when the trace appears,
// Resolved once the window holds none. Overlapping windows (15 min every 5) still see late traces.
resource poisonAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: names.poisonAlert
  location: location
  tags: tags
  kind: 'LogAlert'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    displayName: 'Enricher: alert message moved to the poison queue'
    description: 'The Functions host moved an accepted alert to ${poisonQueueName} after its last failed attempt: it was not delivered. Read it from the queue, fix the cause and enqueue it again (docs/reliability.md).'
    severity: severity
    enabled: true
    scopes: [
      appInsights.id
    ]
    targetResourceTypes: [
      'microsoft.insights/components'
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: poisonQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'Poisoned'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroupIds
    }
  }
  dependsOn: [
    queryAccess
  ]
}

resource deadLetterAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: names.deadLetterAlert
  location: location
  tags: tags
  kind: 'LogAlert'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    displayName: 'Enricher: delivery dead-lettered'
    description: 'A Teams or webhook delivery was dead-lettered and waits for replay: run enricher replay --channel teams|webhook (docs/reliability.md). The daily digest shows how many still wait.'
    severity: severity
    enabled: true
    scopes: [
      appInsights.id
    ]
    targetResourceTypes: [
      'microsoft.insights/components'
    ]
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    autoMitigate: true
    criteria: {
      allOf: [
        {
          query: deadLetterQuery
          timeAggregation: 'Total'
          metricMeasureColumn: 'DeadLetters'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    actions: {
      actionGroups: actionGroupIds
    }
  }
  dependsOn: [
    queryAccess
  ]
}

@description('Watchdog action group resource ID (empty when no e-mail address was given).')
output actionGroupId string = notify ? watchdogActionGroup.id : ''

@description('Availability test resource ID.')
output webTestId string = webTest.id
