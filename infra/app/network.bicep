// Private networking (main.bicep's vnetEnabled): a virtual network with a subnet for the Flex
// Consumption app's VNet integration (delegated to Microsoft.App/environments, the delegation Flex
// Consumption requires) and a subnet for private endpoints; a private endpoint for each storage
// service the app uses (blob: the deployment package and the host's state; queue: the alert queue;
// table: deduplication and incidents) and for the Key Vault, each registered in its private DNS
// zone, and the zones linked to the network so the app resolves the accounts' usual host names to
// the private addresses. The storage account and the vault then deny public network access.

@description('Virtual network name.')
@minLength(2)
@maxLength(64)
param name string

@description('Azure region of the network and the private endpoints (the private DNS zones are global).')
param location string

@description('Tags applied to every resource here.')
param tags object

@description('Address space of the virtual network, /23 or larger: the first /24 is the app subnet, the second the private endpoints.')
param addressPrefix string

@description('Name of the existing storage account that gets the blob, queue and table private endpoints.')
param storageAccountName string

@description('Name of the existing Key Vault that gets the vault private endpoint.')
param keyVaultName string

var appSubnetName = 'snet-app'
var privateEndpointSubnetName = 'snet-private-endpoints'

// One entry per private endpoint: the sub-resource (group ID) and its private DNS zone. The zone
// names follow the cloud (storage suffix, Key Vault DNS suffix with vaultcore for private link).
var endpoints = [
  {
    groupId: 'blob'
    zone: 'privatelink.blob.${environment().suffixes.storage}'
    resourceName: storageAccountName
    type: 'Microsoft.Storage/storageAccounts'
  }
  {
    groupId: 'queue'
    zone: 'privatelink.queue.${environment().suffixes.storage}'
    resourceName: storageAccountName
    type: 'Microsoft.Storage/storageAccounts'
  }
  {
    groupId: 'table'
    zone: 'privatelink.table.${environment().suffixes.storage}'
    resourceName: storageAccountName
    type: 'Microsoft.Storage/storageAccounts'
  }
  {
    groupId: 'vault'
    zone: 'privatelink${replace(environment().suffixes.keyvaultDns, '.vault.', '.vaultcore.')}'
    resourceName: keyVaultName
    type: 'Microsoft.KeyVault/vaults'
  }
]

resource vnet 'Microsoft.Network/virtualNetworks@2024-05-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    addressSpace: {
      addressPrefixes: [
        addressPrefix
      ]
    }
    subnets: [
      {
        name: appSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 0)
          // Flex Consumption VNet integration: the subnet is delegated to Container Apps environments.
          delegations: [
            {
              name: 'flex-consumption'
              properties: {
                serviceName: 'Microsoft.App/environments'
              }
            }
          ]
          // The app still posts to Teams or the webhook and queries Log Analytics and ARM over
          // their public endpoints, and all its outbound traffic goes through this subnet. New
          // subnets may default to no outbound internet access; keep it explicit (or attach a NAT
          // gateway for a fixed egress address, see docs/deployment.md).
          defaultOutboundAccess: true
        }
      }
      {
        name: privateEndpointSubnetName
        properties: {
          addressPrefix: cidrSubnet(addressPrefix, 24, 1)
          privateEndpointNetworkPolicies: 'Disabled'
          defaultOutboundAccess: false
        }
      }
    ]
  }

  resource appSubnet 'subnets' existing = {
    name: appSubnetName
  }

  resource privateEndpointSubnet 'subnets' existing = {
    name: privateEndpointSubnetName
  }
}

resource zones 'Microsoft.Network/privateDnsZones@2024-06-01' = [
  for endpoint in endpoints: {
    name: endpoint.zone
    location: 'global'
    tags: tags
  }
]

resource zoneLinks 'Microsoft.Network/privateDnsZones/virtualNetworkLinks@2024-06-01' = [
  for (endpoint, i) in endpoints: {
    parent: zones[i]
    name: name
    location: 'global'
    tags: tags
    properties: {
      registrationEnabled: false
      virtualNetwork: {
        id: vnet.id
      }
    }
  }
]

resource privateEndpoints 'Microsoft.Network/privateEndpoints@2024-05-01' = [
  for endpoint in endpoints: {
    name: 'pe-${endpoint.resourceName}-${endpoint.groupId}'
    location: location
    tags: tags
    properties: {
      subnet: {
        id: vnet::privateEndpointSubnet.id
      }
      privateLinkServiceConnections: [
        {
          name: endpoint.groupId
          properties: {
            privateLinkServiceId: resourceId(endpoint.type, endpoint.resourceName)
            groupIds: [
              endpoint.groupId
            ]
          }
        }
      ]
    }
  }
]

resource zoneGroups 'Microsoft.Network/privateEndpoints/privateDnsZoneGroups@2024-05-01' = [
  for (endpoint, i) in endpoints: {
    parent: privateEndpoints[i]
    name: 'default'
    properties: {
      privateDnsZoneConfigs: [
        {
          name: replace(endpoint.zone, '.', '-')
          properties: {
            privateDnsZoneId: zones[i].id
          }
        }
      ]
    }
  }
]

@description('Virtual network resource ID.')
output id string = vnet.id

@description('Resource ID of the subnet delegated to Microsoft.App/environments (the app\'s virtualNetworkSubnetId).')
output appSubnetId string = vnet::appSubnet.id
