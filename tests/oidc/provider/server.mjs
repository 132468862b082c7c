// A real OpenID provider on loopback for Pivotal's tests: `node server.mjs CONFIG.json`.
//
// Built on panva's oidc-provider, configured like ID-porten (profile "idporten": PKCE S256
// required, pairwise `sub`, `pid` and `acr` in the ID token) or like a municipality's Microsoft
// Entra ID (profile "entra": `tid`, `email`, `name`). The login page is our own small form of test
// people; consent is granted without asking. Prints "ready" on stdout once it listens.
//
// CONFIG: {issuer, port, profile, keys: [private JWK, ...] (the first signs), clients: [client
// metadata], people?: {id: {label, claims, amr?}}, id_token_ttl?: seconds}.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

import Provider, { interactionPolicy } from 'oidc-provider';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const { issuer, port, profile } = config;

const ACR_LEVELS = ['idporten-loa-substantial', 'idporten-loa-high'];

// The claims of the login itself, in every ID token.
const TOKEN_CLAIMS = { acr: null, amr: null, auth_time: null, sid: null, iss: null };

const PEOPLE = {
  idporten: {
    kari: { label: 'Kari Nordmann', amr: ['BankID'], claims: { pid: '01017012345', locale: 'nb' } },
    ola: { label: 'Ola Nordmann', amr: ['BankID'], claims: { pid: '02028054321', locale: 'nb' } },
  },
  entra: {
    ansatt: {
      label: 'Kari Ansatt (Trondheim kommune)',
      amr: ['pwd'],
      claims: {
        tid: 'trondheim-tenant',
        email: 'kari.ansatt@trondheim.kommune.no',
        name: 'Kari Ansatt',
        preferred_username: 'kari.ansatt@trondheim.kommune.no',
      },
    },
    fremmed: {
      label: 'Ola Fremmed (annen organisasjon)',
      amr: ['pwd'],
      claims: {
        tid: 'other-tenant',
        email: 'ola@annet.example',
        name: 'Ola Fremmed',
        preferred_username: 'ola@annet.example',
      },
    },
  },
};

const PROFILES = {
  idporten: {
    scopes: ['openid', 'profile'],
    claims: { ...TOKEN_CLAIMS, openid: ['sub', 'acr', 'amr', 'auth_time', 'pid', 'locale'], profile: ['pid', 'locale'] },
    acrValues: ACR_LEVELS,
    pkceRequired: true,
    subjectType: 'pairwise',
  },
  entra: {
    scopes: ['openid', 'profile', 'email'],
    claims: {
      ...TOKEN_CLAIMS,
      openid: ['sub', 'acr', 'amr', 'auth_time', 'tid'],
      profile: ['name', 'preferred_username', 'tid'],
      email: ['email'],
    },
    acrValues: [],
    pkceRequired: false,
    subjectType: 'public',
  },
};

if (!PROFILES[profile]) {
  console.error(`unknown profile ${JSON.stringify(profile)}: use "idporten" or "entra"`);
  process.exit(2);
}
const settings = PROFILES[profile];
const people = config.people ?? PEOPLE[profile];
const idTokenTTL = config.id_token_ttl ?? 600;

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="nb">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)}</title>
<link rel="icon" href="data:,">
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

// The highest level in `acr_values`, or undefined.
function askedAcr(params) {
  const asked = String(params.acr_values ?? '').split(' ').filter((v) => ACR_LEVELS.includes(v));
  return asked.length ? ACR_LEVELS[Math.max(...asked.map((v) => ACR_LEVELS.indexOf(v)))] : undefined;
}

// Step-up as ID-porten does it: a session at a lower level than the `acr_values` ask for logs in
// again (the person may still choose a lower level; the relying party checks the `acr` it gets).
const policy = interactionPolicy.base();
policy.get('login').checks.add(new interactionPolicy.Check(
  'acr_step_up',
  'a higher authentication level is required',
  (ctx) => {
    const { oidc } = ctx;
    const asked = askedAcr(oidc.params);
    if (!asked || !oidc.session.accountId || oidc.result?.login) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
    const current = ACR_LEVELS.indexOf(oidc.session.acr);
    return current < ACR_LEVELS.indexOf(asked)
      ? interactionPolicy.Check.REQUEST_PROMPT
      : interactionPolicy.Check.NO_NEED_TO_PROMPT;
  },
));

const provider = new Provider(issuer, {
  interactions: {
    policy,
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  clients: config.clients.map((client) => ({
    grant_types: ['authorization_code'],
    response_types: ['code'],
    subject_type: settings.subjectType,
    require_auth_time: true,
    ...client,
  })),
  jwks: { keys: config.keys },
  // SameSite=Lax: Chromium drops the default SameSite=None cookies on plain http.
  cookies: {
    keys: ['pivotal-test-provider-cookie-key'],
    long: { signed: true, sameSite: 'lax' },
    short: { signed: true, sameSite: 'lax' },
  },
  scopes: settings.scopes,
  claims: settings.claims,
  acrValues: settings.acrValues,
  subjectTypes: ['public', 'pairwise'],
  // Everything the relying party needs is in the ID token; it need not call userinfo.
  conformIdTokenClaims: false,
  pkce: { required: () => settings.pkceRequired },
  responseTypes: ['code'],
  // ID-porten's `sub` differs for each client.
  async pairwiseIdentifier(ctx, accountId, client) {
    return createHash('sha256').update(`${client.clientId}:${accountId}:pivotal-test`).digest('base64url');
  },
  async findAccount(ctx, sub) {
    const person = people[sub];
    if (!person) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...person.claims }) };
  },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    claimsParameter: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Logg ut', `<h1>Vil du logge ut?</h1>
${form}
<p>Du blir logget ut hos innloggingstjenesten og sendt tilbake til tjenesten.</p>
<button id="logout" type="submit" form="op.logoutForm" name="logout" value="yes">Logg ut</button>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Logget ut', '<h1>Du er logget ut</h1>');
      },
    },
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode: 60,
    IdToken: idTokenTTL,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Feil', `<h1>Feil</h1>
<p id="error">${escape(out.error)}</p>
<p id="error-description">${escape(out.error_description ?? '')}</p>`);
  },
});

// Every ID token carries the session id `sid`, as ID-porten's and Entra ID's do (oidc-provider
// adds it only for clients with back-channel logout, or when the claims parameter asks).
provider.Client.prototype.includeSid = () => true;

for (const event of ['server_error', 'authorization.error', 'grant.error', 'end_session.error']) {
  provider.on(event, (ctx, error) => console.error(`${event}: ${error?.message ?? error} ${error?.error_description ?? ''}`));
}


function loginPage(uid, params, error) {
  const options = Object.entries(people).map(([id, person], index) => `<div>
<input type="radio" id="person-${escape(id)}" name="person" value="${escape(id)}"${index === 0 ? ' checked' : ''}>
<label for="person-${escape(id)}">${escape(person.label ?? id)}</label>
</div>`).join('\n');
  let acr = '';
  if (profile === 'idporten') {
    const chosen = askedAcr(params) ?? ACR_LEVELS[0];
    const names = { 'idporten-loa-substantial': 'Betydelig (idporten-loa-substantial)', 'idporten-loa-high': 'Høyt (idporten-loa-high)' };
    acr = `<div>
<label for="acr">Sikkerhetsnivå</label>
<select id="acr" name="acr">
${ACR_LEVELS.map((level) => `<option value="${level}"${level === chosen ? ' selected' : ''}>${names[level]}</option>`).join('\n')}
</select>
</div>`;
  }
  const title = profile === 'idporten' ? 'Logg inn med ID-porten (test)' : 'Logg inn med Entra ID (test)';
  return page(title, `<h1>${title}</h1>
${error ? `<p id="login-error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}">
<fieldset>
<legend>Velg testperson</legend>
${options}
</fieldset>
${acr}
<button id="login" type="submit">Logg inn</button>
</form>`);
}

async function readForm(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return new URLSearchParams(body);
}

async function interaction(req, res, uid) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction uid mismatch');
  if (req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(loginPage(uid, details.params));
    return;
  }
  const form = await readForm(req);
  const accountId = form.get('person');
  const person = people[accountId];
  const acr = profile === 'idporten' ? form.get('acr') : undefined;
  if (!person || (profile === 'idporten' && !ACR_LEVELS.includes(acr))) {
    res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(loginPage(uid, details.params, 'Velg en testperson og et sikkerhetsnivå.'));
    return;
  }
  // Consent without asking: a grant of every scope and claim the client asked for.
  const grant = details.grantId
    ? await provider.Grant.find(details.grantId)
    : new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope(String(details.params.scope ?? 'openid'));
  if (details.params.claims) {
    const requested = JSON.parse(details.params.claims);
    grant.addOIDCClaims(Object.keys({ ...requested.id_token, ...requested.userinfo }));
  }
  grant.addOIDCClaims(Object.keys(person.claims));
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId, acr, amr: person.amr }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

const callback = provider.callback();
const server = createServer(async (req, res) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(req.url.split('?')[0]);
  if (!match || !['GET', 'POST'].includes(req.method)) {
    callback(req, res);
    return;
  }
  try {
    await interaction(req, res, match[1]);
  } catch (error) {
    console.error(`interaction: ${error.message}`);
    if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/html; charset=utf-8' });
    res.end(page('Feil', `<h1>Feil</h1><p id="error">${escape(error.message)}</p>`));
  }
});

server.listen(port, '127.0.0.1', () => console.log(`ready ${issuer}`));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
