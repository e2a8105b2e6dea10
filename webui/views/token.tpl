% rebase('base.tpl', title='API token')
<h1>API token</h1>
<p>A program can use the JSON API for your account with
<code>Authorization: Bearer &lt;token&gt;</code> instead of logging in (see the README).
The token can do what you can do here, except change passwords, PIN or the token itself.
Making a new token ends the old one.</p>
% if token:
<section class="card">
  <p class="notice">Your new token. Copy it now: the box keeps only a hash and cannot show it again.</p>
  <p><code id="token">{{token}}</code></p>
</section>
% end
<section class="card">
  <p id="token-state">{{'You have an API token.' if has_token else 'You have no API token.'}}</p>
  <form method="post" action="/api-token" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <button type="submit" id="create-token">{{'Replace the token' if has_token else 'Create a token'}}</button>
  </form>
  % if has_token:
  <form method="post" action="/api-token/revoke" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <button type="submit" id="revoke-token">Revoke it</button>
  </form>
  % end
</section>
