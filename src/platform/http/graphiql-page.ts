/**
 * The GraphiQL page and its two small own assets (a sign-in bar and the boot script), kept as strings
 * so they ship inside the compiled build with nothing to copy. Browser code: plain ES2020, no framework
 * beyond the React that GraphiQL needs.
 */

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Lumbung · GraphiQL</title>
  <link rel="stylesheet" href="/graphiql/vendor/graphiql/graphiql.min.css">
  <link rel="stylesheet" href="/graphiql/assets/lumbung-graphiql.css">
</head>
<body>
  <form id="lumbung-signin" autocomplete="on">
    <strong>Lumbung</strong>
    <span id="lumbung-who">Not signed in: queries run anonymously.</span>
    <input id="lumbung-email" type="email" placeholder="email" autocomplete="username" required>
    <input id="lumbung-password" type="password" placeholder="password" autocomplete="current-password" required>
    <button id="lumbung-login" type="submit">Sign in</button>
    <button id="lumbung-logout" type="button" hidden>Sign out</button>
  </form>
  <div id="graphiql">Loading GraphiQL…</div>
  <script src="/graphiql/vendor/react/react.production.min.js"></script>
  <script src="/graphiql/vendor/react-dom/react-dom.production.min.js"></script>
  <script src="/graphiql/vendor/graphiql/graphiql.min.js"></script>
  <script src="/graphiql/assets/lumbung-graphiql.js"></script>
</body>
</html>
`;

export const PAGE_CSS = `html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
#lumbung-signin { display: flex; gap: .5rem; align-items: center; padding: .4rem .75rem; border-bottom: 1px solid #ddd; font-size: 14px; }
#lumbung-signin input { padding: .25rem .4rem; }
#lumbung-who { flex: 1; color: #555; }
#graphiql { flex: 1; min-height: 0; }
`;

export const PAGE_SCRIPT = `(function () {
  'use strict';
  var TOKEN = 'lumbung.graphiql.token';
  var endpoint = new URL('/graphql', window.location.href).toString();
  var base = GraphiQL.createFetcher({ url: endpoint });
  var stored = function () {
    try { return JSON.parse(window.sessionStorage.getItem(TOKEN) || 'null'); } catch (e) { return null; }
  };
  var current = function () {
    var t = stored();
    return t && Date.parse(t.expiresAt) > Date.now() ? t : null;
  };
  var fetcher = function (params, options) {
    var t = current();
    var headers = Object.assign({}, t ? { Authorization: 'Bearer ' + t.token } : {}, (options && options.headers) || {});
    return base(params, Object.assign({}, options, { headers: headers }));
  };
  var who = document.getElementById('lumbung-who');
  var email = document.getElementById('lumbung-email');
  var password = document.getElementById('lumbung-password');
  var login = document.getElementById('lumbung-login');
  var logout = document.getElementById('lumbung-logout');
  var show = function () {
    var t = current();
    who.textContent = t ? 'Signed in as ' + t.email + ' until ' + new Date(t.expiresAt).toLocaleTimeString() + '.' : 'Not signed in: queries run anonymously.';
    email.hidden = password.hidden = login.hidden = Boolean(t);
    logout.hidden = !t;
  };
  document.getElementById('lumbung-signin').addEventListener('submit', function (event) {
    event.preventDefault();
    var query = 'mutation ($input: LoginInput!) { login(input: $input) { __typename ... on LoginPayload { token expiresAt } ... on Error { message } } }';
    fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: query, variables: { input: { email: email.value, password: password.value } } }) })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        var result = body && body.data && body.data.login;
        if (!result || result.__typename !== 'LoginPayload') { who.textContent = (result && result.message) || 'Sign-in failed.'; return; }
        window.sessionStorage.setItem(TOKEN, JSON.stringify({ token: result.token, expiresAt: result.expiresAt, email: email.value }));
        password.value = '';
        show();
      }, function () { who.textContent = 'Sign-in failed: the server did not answer.'; });
  });
  logout.addEventListener('click', function () { window.sessionStorage.removeItem(TOKEN); show(); });
  show();
  var defaultQuery = '# Sign in above (demo logins: see the README), then run a query, e.g.\\n{\\n  me { email displayName roles { role } }\\n}\\n';
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, { fetcher: fetcher, defaultQuery: defaultQuery, shouldPersistHeaders: false })
  );
})();
`;
