/** Names of the Entra ID world the stand-in and its users share; dependency-free, so importing them loads no crypto. */

/** The Hardware Dev Center API's resource (application ID URI), the audience of its tokens. */
export const HDC_RESOURCE = 'https://manage.devcenter.microsoft.com';

/** The audience Entra ID expects in a federated assertion unless the credential says otherwise. */
export const TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';
