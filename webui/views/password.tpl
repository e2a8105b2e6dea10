% rebase('base.tpl', title=_('Web password'))
<h1>{{_("Change web password")}}</h1>
% if done:
<p class="notice" id="done">{{_("Password changed. Other browsers logged in as you were logged out.")}}</p>
% if get('token_revoked', False):
<p class="notice" id="token-revoked">{{_("Your API token was revoked too: make a new one if a program needs it:")}} <a href="/api-token">{{_("API token")}}</a></p>
% end
% end
<form method="post" action="/password" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="current">{{_("Current password")}}</label>
  <input id="current" name="current" type="password" autocomplete="current-password" required>
  % if errors.get('current'):
  <p class="error" id="current-error">{{errors['current']}}</p>
  % end
  <label for="new">{{_("New password (at least 8 characters)")}}</label>
  <input id="new" name="new" type="password" autocomplete="new-password" required>
  % if errors.get('new'):
  <p class="error" id="new-error">{{errors['new']}}</p>
  % end
  <label for="repeat">{{_("New password again")}}</label>
  <input id="repeat" name="repeat" type="password" autocomplete="new-password" required>
  % if errors.get('repeat'):
  <p class="error" id="repeat-error">{{errors['repeat']}}</p>
  % end
  <button type="submit">{{_("Change password")}}</button>
</form>
