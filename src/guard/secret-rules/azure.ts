import {
  ALNUM,
  assigned,
  BASE64,
  BASE64URL,
  chars,
  charset,
  DIGIT,
  HEX,
  LOWER,
  oneOf,
  prefixed,
  type SecretRule,
} from './rule.ts';

const SECRET_CHARS = charset('A-Za-z0-9_~.-');
const BASE32_LOWER = charset('a-z2-7');
const STORAGE_URL =
  'https://acct.blob.core.windows.net/backups/db.bak?sv=2022-11-02&ss=b&srt=o&sp=r&se=2030-01-01T00:00:00Z&spr=https&sig=';

/**
 * Microsoft Azure and Entra ID. Newer keys are "identifiable": a fixed signature at a fixed offset
 * (`+ASt` in storage keys, `JQQJ9` in common annotated keys, `Q~` in client secrets); older ones
 * are found by the connection-string field or variable they sit in.
 */
export const AZURE_RULES: readonly SecretRule[] = [
  prefixed(
    'azure-ad-client-secret',
    [chars(SECRET_CHARS, 3), chars(DIGIT, 1), 'Q~', chars(SECRET_CHARS, [31, 34])],
    {
      keywords: ['q~'],
      sample: { secret: [chars(ALNUM, 3), '8Q~', chars(SECRET_CHARS, 34)] },
    },
  ),
  prefixed('azure-storage-identifiable-key', [chars(BASE64, 76), '+ASt', chars(BASE64, 6), '=='], {
    keywords: ['+ast'],
  }),
  prefixed('azure-cosmosdb-identifiable-key', [chars(BASE64, 76), 'ACDb', chars(BASE64, 6), '=='], {
    keywords: ['acdb'],
  }),
  prefixed(
    'azure-service-bus-identifiable-key',
    [chars(BASE64, 33), oneOf('+ASb', '+AEh', '+ARm'), chars(BASE64, 5), '='],
    {
      keywords: ['+asb', '+aeh', '+arm'],
    },
  ),
  prefixed(
    'azure-function-identifiable-key',
    [chars(BASE64URL, 44), 'AzFu', chars(BASE64URL, 5), oneOf('A', 'D'), '=='],
    {
      keywords: ['azfu'],
    },
  ),
  prefixed('azure-search-identifiable-key', [chars(ALNUM, 42), 'AzSe', chars(ALNUM, 6)], {
    keywords: ['azse'],
  }),
  prefixed('azure-container-registry-identifiable-key', [chars(BASE64, 42), '+ACR', chars(BASE64, 6)], {
    keywords: ['+acr'],
  }),
  prefixed('azure-apim-identifiable-key', [chars(ALNUM, 76), 'APIM', chars(ALNUM, 4)], {
    keywords: ['apim'],
  }),
  // Common annotated security keys: 52 random characters, `JQQJ9`, then metadata; Azure DevOps puts `AZDO` at 76.
  prefixed('azure-devops-pat', [chars(ALNUM, 52), 'JQQJ9', chars(ALNUM, 19), 'AZDO', chars(ALNUM, 4)], {
    keywords: ['azdo'],
  }),
  prefixed('azure-annotated-key', [chars(ALNUM, 52), 'JQQJ9', chars(ALNUM, 27)], {
    keywords: ['jqqj9'],
    sample: { secret: [chars(ALNUM, 52), 'JQQJ9', oneOf('9', 'D', 'H'), chars(ALNUM, 26)] },
  }),
  assigned('azure-devops-pat-legacy', [chars(BASE32_LOWER, 52)], {
    keywords: ['azure_devops', 'azure-devops', 'azuredevops', 'ado_pat', 'system_accesstoken', 'azdo_'],
    names: ['AZURE_DEVOPS_EXT_PAT', 'SYSTEM_ACCESSTOKEN', 'azureDevOpsToken', 'ADO_PAT'],
  }),
  {
    // Storage and Cosmos DB connection strings: `…;AccountKey=<base64 of 64 bytes>;…`.
    id: 'azure-storage-account-key',
    anchored: true,
    keywords: ['accountkey'],
    pattern: /(?<![A-Za-z0-9])(?i:accountkey)[ \t]*=[ \t]*(?<secret>[A-Za-z0-9+/]{86}==)/g,
    sample: {
      before: ['DefaultEndpointsProtocol=https;AccountName=', chars(LOWER, [3, 20]), ';AccountKey='],
      secret: [chars(BASE64, 86), '=='],
      after: [';EndpointSuffix=core.windows.net'],
    },
  },
  assigned('azure-storage-key', [chars(BASE64, 86), '=='], {
    keywords: [
      'storage_key',
      'storage-key',
      'storagekey',
      'storageaccountkey',
      'storage_account_key',
      'storage_access_key',
    ],
    names: ['AZURE_STORAGE_KEY', 'AZURE_STORAGE_ACCESS_KEY', 'storageAccountKey'],
  }),
  {
    // Service Bus, Event Hubs, Relay and IoT Hub connection strings.
    id: 'azure-shared-access-key',
    anchored: true,
    keywords: ['sharedaccesskey'],
    pattern: /(?<![A-Za-z0-9])(?i:sharedaccesskey)[ \t]*=[ \t]*(?<secret>[A-Za-z0-9+/]{43}=)/g,
    sample: {
      before: [
        'Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=',
      ],
      secret: [chars(BASE64, 43), '='],
    },
  },
  {
    // A SAS URL's signature, base64 of an HMAC-SHA256 and usually URL-encoded; Logic Apps' `sig` too.
    id: 'azure-sas-token',
    anchored: true,
    keywords: ['sig='],
    pattern: /(?<=[?&])sig=(?<secret>(?:[A-Za-z0-9+/]|%2[BbFf]){42,43}(?:=|%3[Dd]))/g,
    sample: { before: [STORAGE_URL], secret: [chars(ALNUM, 43), oneOf('%3D', '=')], after: ['&sr=b'] },
  },
  assigned('azure-openai-key', [chars(HEX, 32)], {
    keywords: ['azure_openai', 'azure-openai', 'azureopenai', 'ocp-apim-subscription-key', 'cognitive'],
    names: ['AZURE_OPENAI_API_KEY', 'Ocp-Apim-Subscription-Key', 'azureOpenAiKey', 'COGNITIVE_SERVICES_KEY'],
  }),
  assigned('azure-client-secret', [chars(SECRET_CHARS, [34, 44])], {
    keywords: ['azure_client_secret', 'arm_client_secret', 'azure-client-secret', 'azureclientsecret'],
    names: ['AZURE_CLIENT_SECRET', 'ARM_CLIENT_SECRET', 'azureClientSecret'],
    sample: { secret: [chars(ALNUM, 40)], names: ['AZURE_CLIENT_SECRET', 'ARM_CLIENT_SECRET'] },
  }),
];
