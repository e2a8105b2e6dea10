% rebase('base.tpl', title='Web password')
<h1>Change web password</h1>
% if done:
<p class="notice" id="done">Password changed. Other browsers logged in as you were logged out.</p>
% if get('token_revoked', False):
<p class="notice" id="token-revoked">Your API token was revoked too: make a new one on the <a href="/token">API token</a> page if a program needs it.</p>
% end
% end
<form method="post" action="/password" class="card">
  <input type="hidden" name="csrf_token" value="{{csrf}}">
  <label for="current">Current password</label>
  <input id="current" name="current" type="password" autocomplete="current-password" required>
  % if errors.get('current'):
  <p class="error" id="current-error">{{errors['current']}}</p>
  % end
  <label for="new">New password (at least 8 characters)</label>
  <input id="new" name="new" type="password" autocomplete="new-password" required>
  % if errors.get('new'):
  <p class="error" id="new-error">{{errors['new']}}</p>
  % end
  <label for="repeat">New password again</label>
  <input id="repeat" name="repeat" type="password" autocomplete="new-password" required>
  % if errors.get('repeat'):
  <p class="error" id="repeat-error">{{errors['repeat']}}</p>
  % end
  <button type="submit">Change password</button>
</form>
