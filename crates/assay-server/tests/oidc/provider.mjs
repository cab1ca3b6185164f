// A real OpenID Provider for Assay's single sign-on tests: node-oidc-provider with one
// confidential client (PKCE required), development sign-in forms (any password), and two
// people whose groups the tests map to roles. Prints "ready" when it listens.
//   PORT=... REDIRECT_URI=... node provider.mjs
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const people = {
  alice: { sub: 'alice', email: 'alice@firm.test', email_verified: true, name: 'Alice Auditor', groups: ['acme-auditors'] },
  bob: { sub: 'bob', email: 'bob@elsewhere.test', email_verified: true, name: 'Bob Nobody', groups: ['unrelated'] },
};

const provider = new Provider(issuer, {
  clients: [{
    client_id: 'assay',
    client_secret: 'assay-test-client-secret',
    redirect_uris: [process.env.REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { methods: ['S256'], required: () => true },
  scopes: ['openid', 'email', 'profile', 'groups'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['assay-test-cookie-key'] },
  findAccount: async (ctx, id) => (people[id] ? { accountId: id, claims: async () => people[id] } : undefined),
});
provider.listen(port, () => console.log('ready'));
