// The Event Grid subscription of one IoT hub's system topic (deployed into the hub's resource group,
// where the topic is): DeviceConnected and DeviceDisconnected, in the Event Grid schema, to the
// function app's connectionEvents function, retried, and dead-lettered to the app's storage with
// the topic's system-assigned identity.
//
// The function must exist when the subscription is created (Event Grid looks it up and fetches its
// key), so main.bicep deploys this module only in the second step of the first deployment
// (connectionEventsEnabled && deployAlerts), after the code is deployed.

@description('Name of the hub\'s system topic (in this module\'s resource group).')
param systemTopicName string

@description('Name of the event subscription; it carries the environment\'s token, so two environments can share one hub\'s topic.')
@minLength(3)
@maxLength(64)
param subscriptionName string

@description('Resource ID of the function that receives the events: <function app ID>/functions/connectionEvents.')
param functionResourceId string

@description('Resource ID of the storage account that receives the dead letters.')
param deadLetterStorageAccountId string

@description('Blob container in that account that receives the dead letters.')
param deadLetterContainerName string

resource topic 'Microsoft.EventGrid/systemTopics@2025-02-15' existing = {
  name: systemTopicName
}

resource subscription 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2025-02-15' = {
  parent: topic
  name: subscriptionName
  properties: {
    destination: {
      endpointType: 'AzureFunction'
      properties: {
        resourceId: functionResourceId
        // The Event Grid trigger runs the function once per event whatever the batch; one event per
        // delivery also means a failed event is retried alone, not with its batch.
        maxEventsPerBatch: 1
        preferredBatchSizeInKilobytes: 64
      }
    }
    // The function accepts CloudEvents 1.0 too; the subscription sends the Event Grid schema.
    eventDeliverySchema: 'EventGridSchema'
    filter: {
      includedEventTypes: [
        'Microsoft.Devices.DeviceConnected'
        'Microsoft.Devices.DeviceDisconnected'
      ]
    }
    // Event Grid retries with back-off (10 s, 30 s, 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h,
    // then every 12 h): a cold Flex Consumption host that refuses the first delivery, or an app
    // down for a failed deployment, is caught up once it answers. A day (1440 min, the maximum) is
    // the limit that binds; 30 attempts (the maximum) are never reached within it. A late event is
    // still worth delivering: Event Grid does not keep order anyway, and each event carries the
    // hub's sequence number, so the app can order it against newer ones. After the day, or at once
    // on an answer Event Grid does not retry (400, 403, 413), the event goes to the dead-letter
    // container instead of being dropped.
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
    deadLetterWithResourceIdentity: {
      identity: {
        type: 'SystemAssigned'
      }
      deadLetterDestination: {
        endpointType: 'StorageBlob'
        properties: {
          resourceId: deadLetterStorageAccountId
          blobContainerName: deadLetterContainerName
        }
      }
    }
  }
}

@description('Resource ID of the event subscription.')
output id string = subscription.id
