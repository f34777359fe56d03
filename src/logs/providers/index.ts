/** Every importer by name: adding a provider is one file and one entry here. */
import type { Provider } from '../provider.ts';
import { okta } from './okta.ts';
import { auth0 } from './auth0.ts';
import { github } from './github.ts';
import { google } from './google.ts';
import { entra } from './entra.ts';
import { keycloak } from './keycloak.ts';
import { gateway } from './gateway.ts';
import { scopeguard } from './scopeguard.ts';

export const PROVIDERS: Record<string, Provider> = { okta, auth0, github, google, entra, keycloak, gateway, scopeguard };
export const PROVIDER_NAMES = Object.keys(PROVIDERS);
