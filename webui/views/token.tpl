% rebase('base.tpl', title=_('API token'))
<h1>{{_("API token")}}</h1>
<p>{{!_("A program can use the JSON API for your account with {header} instead of logging in (see the README).").format(header="<code>Authorization: Bearer &lt;token&gt;</code>")}}
{{_("The token can do what you can do here, except change passwords, PIN or the token itself. Making a new token ends the old one.")}}</p>
% if token:
<section class="card">
  <p class="notice">{{_("Your new token. Copy it now: the box keeps only a hash and cannot show it again.")}}</p>
  <p><code id="token">{{token}}</code></p>
</section>
% end
<section class="card">
  <p id="token-state">{{_('You have an API token.') if has_token else _('You have no API token.')}}</p>
  <form method="post" action="/api-token" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <button type="submit" id="create-token">{{_('Replace the token') if has_token else _('Create a token')}}</button>
  </form>
  % if has_token:
  <form method="post" action="/api-token/revoke" class="inline">
    <input type="hidden" name="csrf_token" value="{{csrf}}">
    <button type="submit" id="revoke-token">{{_("Revoke it")}}</button>
  </form>
  % end
</section>
