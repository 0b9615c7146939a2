// openid-client 6 as a relying party of one bank, driven by tests/oauth/compat/test_clients.py.
//
// Reads one JSON command on stdin, writes one JSON result on stdout. Every check the library
// makes runs with its defaults: no clockSkew, no clockTolerance. A failure exits 1 with the
// library's error code on stderr.
//
//   {"step": "begin", ...client, "redirect_uri", "scope", "par": bool}
//       -> {"url", "verifier", "state", "nonce"}            (the authorization request)
//   {"step": "finish", ...client, "callback", "verifier", "state", "nonce", "resource"}
//       -> {"sub", "claims", "userinfo", "accounts", "balances", ...}  (code to revocation)
//   {"step": "register", "issuer", "redirect_uri", "auth_method", "scope"}
//       -> {"client_id", "client_secret", "client_id_issued_at", "cc_token"}  (DCR, then
//          client credentials with the registered client)
//
// ...client is {"issuer", "client_id", "client_secret" (absent for a public client),
// "auth_method", "algorithm": "oidc" | "oauth2"}.
import assert from 'node:assert/strict'
import * as client from 'openid-client'

const insecure = { execute: [client.allowInsecureRequests] }
const now = () => Math.floor(Date.now() / 1000)

// A wall-clock instant must be within this many seconds of the test's own clock (the
// sandbox clock is a year away in the pinned runs, so a sandbox instant fails by far).
const NEAR = 300

function authentication(command) {
  switch (command.auth_method) {
    case 'client_secret_basic': return client.ClientSecretBasic(command.client_secret)
    case 'client_secret_post': return client.ClientSecretPost(command.client_secret)
    case 'none': return client.None()
    default: throw new Error(`unknown auth_method ${command.auth_method}`)
  }
}

function configure(command) {
  return client.discovery(new URL(command.issuer), command.client_id, command.client_secret,
    authentication(command), { ...insecure, algorithm: command.algorithm })
}

async function begin(command) {
  const config = await configure(command)
  const verifier = client.randomPKCECodeVerifier()
  const state = client.randomState()
  const nonce = client.randomNonce()
  const parameters = {
    redirect_uri: command.redirect_uri, scope: command.scope, state, nonce,
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }
  const url = command.par
    ? await client.buildAuthorizationUrlWithPAR(config, parameters)
    : client.buildAuthorizationUrl(config, parameters)
  if (command.par) {
    assert.deepEqual([...url.searchParams.keys()].sort(), ['client_id', 'request_uri'])
  }
  return { url: url.href, verifier, state, nonce }
}

async function json(response, what) {
  const body = await response.text()
  assert.equal(response.status, 200, `${what}: HTTP ${response.status} ${body}`)
  return JSON.parse(body)
}

// The error a library call fails with (undefined when it succeeds).
async function failure(promise) {
  try {
    await promise
  } catch (error) {
    return error
  }
}

async function finish(command) {
  const config = await configure(command)
  const tokens = await client.authorizationCodeGrant(config, new URL(command.callback), {
    pkceCodeVerifier: command.verifier, expectedState: command.state,
    expectedNonce: command.nonce, idTokenExpected: true,
  })
  const claims = tokens.claims()
  for (const name of ['iat', 'auth_time']) {
    assert.ok(Math.abs(claims[name] - now()) < NEAR,
      `ID token ${name} ${claims[name]} is not wall-clock`)
  }
  assert.ok(claims.exp > now(), 'ID token already expired by the wall clock')

  const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub)
  const metadata = config.serverMetadata()
  const posted = await json(await client.fetchProtectedResource(
    config, tokens.access_token, new URL(metadata.userinfo_endpoint), 'POST'), 'userinfo POST')
  assert.deepEqual(posted, userinfo)

  const api = (path, token) => client.fetchProtectedResource(
    config, token, new URL(`${command.resource}${path}`), 'GET')
  const accounts = await json(await api('/v1/accounts', tokens.access_token), 'accounts')
  assert.ok(accounts.data.length > 0, 'no account shared')
  const balances = await json(
    await api(`/v1/accounts/${accounts.data[0].id}/balances`, tokens.access_token), 'balances')

  // Introspection is for confidential clients only (RFC 7662 §2.1 as the bank applies it).
  const confidential = command.auth_method !== 'none'
  if (confidential) {
    const introspected = await client.tokenIntrospection(config, tokens.access_token)
    assert.equal(introspected.active, true)
    assert.equal(introspected.token_type, 'Bearer')
    assert.ok(Math.abs(introspected.iat - now()) < NEAR, `introspection iat ${introspected.iat}`)
    assert.ok(introspected.exp > now(), `introspection exp ${introspected.exp} is past`)
    assert.ok(Math.abs(introspected.exp - introspected.iat - tokens.expires_in) <= 1,
      'introspection exp - iat is not the token lifetime')
    const refreshIntrospected = await client.tokenIntrospection(
      config, tokens.refresh_token, { token_type_hint: 'refresh_token' })
    assert.equal(refreshIntrospected.token_type, 'Bearer')
  }

  const refreshed = await client.refreshTokenGrant(config, tokens.refresh_token)
  assert.notEqual(refreshed.refresh_token, tokens.refresh_token, 'refresh token not rotated')
  assert.equal((await api('/v1/accounts', refreshed.access_token)).status, 200)

  await client.tokenRevocation(config, refreshed.refresh_token,
    { token_type_hint: 'refresh_token' })
  if (confidential) {
    const revoked = await client.tokenIntrospection(config, refreshed.access_token)
    assert.equal(revoked.active, false, 'revoking the refresh token left the grant active')
  }
  const refused = await failure(api('/v1/accounts', refreshed.access_token))
  assert.equal(refused?.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE', 'a revoked token was accepted')
  assert.equal(refused.cause[0].parameters.error, 'invalid_token')

  const replay = await failure(client.refreshTokenGrant(config, tokens.refresh_token))
  assert.equal(replay?.error, 'invalid_grant', 'a spent refresh token was accepted')

  return {
    sub: claims.sub, claims, userinfo, accounts: accounts.data, balances,
    expires_in: tokens.expires_in,
  }
}

async function register(command) {
  const config = await client.dynamicClientRegistration(new URL(command.issuer), {
    redirect_uris: [command.redirect_uri],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: command.auth_method,
    scope: command.scope,
    client_name: 'openid-client compatibility suite',
  }, undefined, insecure)
  const registered = config.clientMetadata()
  assert.ok(Math.abs(registered.client_id_issued_at - now()) < NEAR,
    `client_id_issued_at ${registered.client_id_issued_at} is not wall-clock`)
  assert.equal(registered.token_endpoint_auth_method, command.auth_method)
  const credentials = await client.clientCredentialsGrant(config)
  assert.equal(credentials.token_type.toLowerCase(), 'bearer')
  return {
    client_id: registered.client_id, client_secret: registered.client_secret,
    client_id_issued_at: registered.client_id_issued_at,
    client_secret_expires_at: registered.client_secret_expires_at,
    cc_token: credentials.access_token,
  }
}

const steps = { begin, finish, register }

async function main() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  const command = JSON.parse(Buffer.concat(chunks).toString())
  process.stdout.write(JSON.stringify(await steps[command.step](command)))
}

main().catch((error) => {
  const { code, error: oauthError, error_description: description, message } = error
  process.stderr.write(JSON.stringify({
    code, error: oauthError, error_description: description, message,
    cause: error.cause instanceof Error
      ? { code: error.cause.code, message: error.cause.message } : error.cause,
  }) + '\n')
  process.exit(1)
})
