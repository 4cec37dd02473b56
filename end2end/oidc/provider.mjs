// A real OpenID Connect provider for the tests (npm's oidc-provider, a certified implementation),
// standing in for a company's identity provider: `node oidc/provider.mjs PORT REDIRECT_URI...`.
// One client, `yingxiao` (secret `yingxiao-test-secret`), authorization code with PKCE required.
// Its development sign-in pages accept any login with any password: the login becomes the user's
// `sub` and `preferred_username`.
import Provider from 'oidc-provider';

const [port, ...redirectUris] = process.argv.slice(2);
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'yingxiao',
      client_secret: 'yingxiao-test-secret',
      redirect_uris: redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  pkce: { required: () => true },
  claims: { openid: ['sub'], profile: ['preferred_username', 'name'] },
  // The login's claims in the ID token itself, as many company providers send them.
  conformIdTokenClaims: false,
  findAccount: (_ctx, id) => ({
    accountId: id,
    claims: () => ({ sub: id, preferred_username: id, name: id }),
  }),
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['yingxiao-test-cookie-key'] },
});

provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc provider at ${issuer}`));
