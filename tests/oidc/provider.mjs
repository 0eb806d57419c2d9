// A real OpenID provider for the tests: the OpenID-certified `oidc-provider` package, on
// 127.0.0.1. Configured from one JSON argument:
//   {port, clients: [{client_id, client_secret, redirect_uris}], accounts: {id: {groups, email}}}
// Its development login form accepts any account id with any password; accounts not listed
// sign in with no groups. Prints "ready <issuer>" once it listens.
//
// For the refusal tests, `POST /__test__/tamper` with {"mode": ...} changes the ID token the
// token endpoint answers (the provider itself stays as certified):
//   "signature": one byte of the signature flipped;
//   "foreign-key": the same claims signed by a key the provider never published;
//   "nonce": a nonce from another sign-on, signed with the provider's own key;
//   "none": as issued.
import Provider from 'oidc-provider';
import { SignJWT, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair } from 'jose';

const config = JSON.parse(process.argv[2]);
const issuer = `http://127.0.0.1:${config.port}`;
const accounts = config.accounts ?? {};

const signing = await generateKeyPair('RS256', { extractable: true });
const signingJwk = { ...(await exportJWK(signing.privateKey)), kid: 'test-key', alg: 'RS256', use: 'sig' };
const foreign = await generateKeyPair('RS256');
let tamper = 'none';

async function tampered(idToken) {
  const claims = decodeJwt(idToken);
  const { kid } = decodeProtectedHeader(idToken);
  if (tamper === 'signature') {
    const [head, body, sig] = idToken.split('.');
    const flipped = (sig[5] === 'A' ? 'B' : 'A');
    return `${head}.${body}.${sig.slice(0, 5)}${flipped}${sig.slice(6)}`;
  }
  const key = tamper === 'foreign-key' ? foreign.privateKey : signing.privateKey;
  if (tamper === 'nonce') claims.nonce = 'a-nonce-from-another-sign-on';
  return new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
}

const provider = new Provider(issuer, {
  clients: config.clients.map((c) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    ...c,
  })),
  jwks: { keys: [signingJwk] },
  pkce: { required: () => true, methods: ['S256'] },
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  scopes: ['openid', 'profile', 'email', 'groups'],
  // The ID token carries the scopes' claims, as Authentik or Keycloak send them.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['powerpulse-test-only-cookie-key'] },
  async findAccount(ctx, id) {
    const known = accounts[id] ?? {};
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          preferred_username: id,
          name: id,
          email: known.email ?? `${id}@example.test`,
          email_verified: true,
          groups: known.groups ?? [],
        };
      },
    };
  },
});

provider.use(async (ctx, next) => {
  if (ctx.path === '/__test__/tamper' && ctx.method === 'POST') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    tamper = JSON.parse(Buffer.concat(chunks).toString()).mode;
    ctx.body = { mode: tamper };
    return;
  }
  await next();
  if (ctx.path === '/token' && tamper !== 'none' && ctx.body?.id_token) {
    ctx.body = { ...ctx.body, id_token: await tampered(ctx.body.id_token) };
  }
});

const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
