// The token service's routes and Azure Stack Hub's metadata endpoint, all public (public-routes.ts):
// what `az cloud register` and `az login --service-principal` read, with every URL built from the
// base URL the request reached.
import type { ServiceContext } from '../../services/context.ts';
import { publicJwk } from '../../identity/signing-keys.ts';
import { answerTokenRequest, issuerAt, type TokenServiceDeps } from '../../identity/token-service.ts';
import { ok } from '../http.ts';
import type { PublicHandlers } from '../public-routes.ts';

export function identityHandlers(deps: TokenServiceDeps & { ctx: ServiceContext }): Omit<PublicHandlers, 'portal' | 'portalFile'> {
  return {
    async metadata(req) {
      const arm = `${req.baseUrl}/`;
      return ok({
        galleryEndpoint: arm,
        graphEndpoint: arm,
        portalEndpoint: arm,
        authentication: { loginEndpoint: issuerAt(req.baseUrl), audiences: [arm] },
      });
    },
    async openidConfiguration(req) {
      const adfs = issuerAt(req.baseUrl);
      return ok({
        issuer: adfs,
        access_token_issuer: adfs,
        authorization_endpoint: `${adfs}/oauth2/authorize`,
        token_endpoint: `${adfs}/oauth2/token`,
        jwks_uri: `${adfs}/discovery/keys`,
        response_types_supported: ['token'],
        grant_types_supported: ['client_credentials'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['pairwise'],
        scopes_supported: ['openid'],
      });
    },
    async keys() {
      return ok({ keys: deps.keys.verifying.map(publicJwk) });
    },
    async token(req) {
      return answerTokenRequest(deps, await req.form(), { baseUrl: req.baseUrl, address: req.address, requestId: req.requestId });
    },
  };
}
