// The keys that sign the cards' action links (ACTION_SIGNING_KEYS): one Key Vault secret holding
// {"<key id>": "<base64 secret>"} for the current key id and, during a rotation, a second one.
//
// Why derived and not random: Bicep can call newGuid() only as a parameter default, which yields a
// new value on every deployment, and ARM cannot create a secret only when it does not exist yet. A
// random key would therefore be replaced by each deployment (every outstanding link dies) or need
// a "first deployment" flag (forget it once and the app setting points at a missing secret, which
// leaves the whole app misconfigured). Instead each key is derived from a secret that exists from
// the first deployment on and does not change between deployments: the storage account's key1
// (random, 512 bits, readable only with listKeys on the account; shared-key access to the data is
// disabled, the key itself still exists). guid() is a SHA-1 name-based UUID of its arguments, so
// without key1 the value cannot be computed; three of them per key id give 366 bits. The secret is
// written on every deployment with the same value; a new key id gives a new key (rotation, see
// docs/deployment.md, "Silences, maintenance windows and card links"), and renewing key1 changes
// every key at the next deployment. The value exists only inside this module: no parameter or
// output carries it.

@description('Key Vault name (the vault exists).')
@minLength(3)
@maxLength(24)
param keyVaultName string

@description('Name of the secret the ACTION_SIGNING_KEYS Key Vault reference points at.')
@minLength(1)
@maxLength(127)
param secretName string

@description('Storage account whose key1 seeds the keys (the account exists).')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('The key id that signs new links.')
@minLength(1)
@maxLength(40)
param currentKeyId string

@description('A second key id, whose links are accepted but which signs no new ones; empty = none.')
@maxLength(40)
param secondKeyId string

resource vault 'Microsoft.KeyVault/vaults@2024-11-01' existing = {
  name: keyVaultName
}

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

// Plain expressions, no lambdas: ARM keeps list*() out of some lambda uses.
var label = 'iothub-alert-enricher action link key'

resource secret 'Microsoft.KeyVault/vaults/secrets@2024-11-01' = {
  parent: vault
  name: secretName
  properties: {
    value: string(union(
      {
        '${currentKeyId}': base64('${guid(storage.listKeys().keys[0].value, label, currentKeyId, '1')}${guid(storage.listKeys().keys[0].value, label, currentKeyId, '2')}${guid(storage.listKeys().keys[0].value, label, currentKeyId, '3')}')
      },
      empty(secondKeyId)
        ? {}
        : {
            '${secondKeyId}': base64('${guid(storage.listKeys().keys[0].value, label, secondKeyId, '1')}${guid(storage.listKeys().keys[0].value, label, secondKeyId, '2')}${guid(storage.listKeys().keys[0].value, label, secondKeyId, '3')}')
          }
    ))
    contentType: 'application/json'
  }
}
