// The Event Grid system topic of one IoT hub (topic type Microsoft.Devices.IoTHubs), deployed into
// the hub's own resource group (which may differ from this deployment's), in the hub's region, as
// Azure requires. A source resource has at most one system topic: a hub that already has one reuses
// it (reuseExisting) instead of getting a second, which Azure would refuse.
//
// The topic's system-assigned identity writes the subscription's dead letters to the app's storage
// (Storage Blob Data Contributor on the dead-letter container, connection-events-access.bicep).

@description('Name of the existing IoT hub (in this module\'s resource group).')
param iotHubName string

@description('Region of the hub; a system topic lives in its source\'s region.')
param location string

@description('Name of the system topic: the one to create, or the hub\'s existing one (reuseExisting).')
@minLength(3)
@maxLength(128)
param systemTopicName string

@description('Reuse the hub\'s existing system topic of that name instead of creating it. It must have its system-assigned identity turned on.')
param reuseExisting bool

@description('Tags applied to a created topic (a reused topic is left as it is).')
param tags object

resource hub 'Microsoft.Devices/IotHubs@2023-06-30' existing = {
  name: iotHubName
}

resource createdTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' = if (!reuseExisting) {
  name: systemTopicName
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: hub.id
    topicType: 'Microsoft.Devices.IoTHubs'
  }
}

resource existingTopic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = if (reuseExisting) {
  name: systemTopicName
}

@description('Name of the system topic.')
output name string = systemTopicName

// A reused topic without a system-assigned identity fails the deployment with instructions, rather
// than later with "The language expression property 'principalId' doesn't exist". (if() rather
// than ??, because ARM evaluates only the chosen branch of if().)
var reusedPrincipalId = existingTopic.?identity.?principalId ?? ''

@description('Principal (object) ID of the topic\'s system-assigned identity, which writes the dead letters.')
output principalId string = reuseExisting
  ? (empty(reusedPrincipalId)
      ? fail('The Event Grid system topic ${systemTopicName} (resource group ${resourceGroup().name}) has no system-assigned identity: turn it on with az eventgrid system-topic update --identity systemassigned (see docs/deployment.md, "Turning on the Event Grid path").')
      : reusedPrincipalId)
  : createdTopic!.identity.principalId
